//! Who may deliver a program: the peer qualifications a program asks of its coaches (time in
//! recovery, a current certification, training hours) and the check against one coach.

use time::Date;

/// A program's requirements of its peers. Absent numbers mean "no requirement".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EligibilityRules {
    pub min_months_in_recovery: Option<i32>,
    pub requires_certification: bool,
    pub min_training_hours: Option<i32>,
}

/// What the check needs to know about a coach. Built by the application from the staff
/// profile; the recovery date never leaves the check except as a yes or no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Qualifications {
    pub recovery_start_date: Option<Date>,
    pub training_hours: i32,
    /// Whether any certification is current today.
    pub has_current_certification: bool,
}

impl EligibilityRules {
    /// Whether the program asks anything of its peers.
    pub fn is_empty(&self) -> bool {
        self.min_months_in_recovery.is_none()
            && !self.requires_certification
            && self.min_training_hours.is_none()
    }

    /// The rules in words ("at least 36 months in recovery").
    pub fn describe(&self) -> Vec<String> {
        let mut rules = Vec::new();
        if let Some(months) = self.min_months_in_recovery {
            rules.push(format!("at least {} in recovery", months_phrase(months)));
        }
        if self.requires_certification {
            rules.push("a current peer certification".into());
        }
        if let Some(hours) = self.min_training_hours {
            rules.push(format!("at least {hours} training hours"));
        }
        rules
    }

    /// What `coach` lacks, in words fit for a refusal, or nothing if they qualify. Time in
    /// recovery is stated as the rule only (never how long the coach has been in recovery),
    /// because the person assigning may not be allowed to know it.
    pub fn shortfalls(&self, coach: &Qualifications, today: Date) -> Vec<String> {
        let mut missing = Vec::new();
        if let Some(months) = self.min_months_in_recovery {
            let enough = coach
                .recovery_start_date
                .is_some_and(|start| whole_months_between(start, today) >= months);
            if !enough {
                missing.push(format!("needs {} in recovery", months_phrase(months)));
            }
        }
        if self.requires_certification && !coach.has_current_certification {
            missing.push("needs a current certification".into());
        }
        if let Some(hours) = self.min_training_hours.filter(|h| coach.training_hours < *h) {
            missing.push(format!("needs {hours} training hours (has {})", coach.training_hours));
        }
        missing
    }
}

/// "6 months", "1 year", "3 years", "18 months".
fn months_phrase(months: i32) -> String {
    match months {
        1 => "1 month".into(),
        12 => "1 year".into(),
        m if m > 12 && m % 12 == 0 => format!("{} years", m / 12),
        m => format!("{m} months"),
    }
}

/// Whole calendar months from `start` to `end` (0 when `end` is before `start`).
pub fn whole_months_between(start: Date, end: Date) -> i32 {
    let mut months = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32;
    if end.day() < start.day() {
        months -= 1;
    }
    months.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);

    fn coach(start: Option<Date>, hours: i32, certified: bool) -> Qualifications {
        Qualifications {
            recovery_start_date: start,
            training_hours: hours,
            has_current_certification: certified,
        }
    }

    #[test]
    fn months_are_whole_calendar_months() {
        assert_eq!(whole_months_between(date!(2023 - 11 - 23), TODAY), 36);
        assert_eq!(whole_months_between(date!(2023 - 11 - 24), TODAY), 35);
        assert_eq!(whole_months_between(date!(2027 - 01 - 01), TODAY), 0);
    }

    #[test]
    fn every_shortfall_is_named_without_the_recovery_date() {
        let rules = EligibilityRules {
            min_months_in_recovery: Some(36),
            requires_certification: true,
            min_training_hours: Some(40),
        };
        let missing = rules.shortfalls(&coach(Some(date!(2025 - 01 - 01)), 12, false), TODAY);
        assert_eq!(
            missing,
            vec![
                "needs 3 years in recovery".to_string(),
                "needs a current certification".into(),
                "needs 40 training hours (has 12)".into(),
            ]
        );
        assert!(missing.iter().all(|m| !m.contains("2025")));
        let unknown_date = rules.shortfalls(&coach(None, 40, true), TODAY);
        assert_eq!(unknown_date, vec!["needs 3 years in recovery".to_string()]);
    }

    #[test]
    fn a_qualified_coach_or_an_open_program_has_no_shortfall() {
        let rules = EligibilityRules {
            min_months_in_recovery: Some(6),
            requires_certification: true,
            min_training_hours: Some(40),
        };
        assert!(rules.shortfalls(&coach(Some(date!(2026 - 05 - 23)), 40, true), TODAY).is_empty());
        assert!(EligibilityRules::default().shortfalls(&coach(None, 0, false), TODAY).is_empty());
        assert!(EligibilityRules::default().is_empty());
        assert_eq!(rules.describe()[0], "at least 6 months in recovery");
    }
}
