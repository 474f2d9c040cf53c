//! The follow-up engine's rules: where each participant stands at each time point, and the
//! follow-up rate funders ask for (commonly at least 80 %).
//!
//! A time point (intake, 3, 6, 12 months…) has a target day and a window, in days from
//! enrolment. For a participant it is:
//! - **not yet due** before its window opens;
//! - **window open** while the window is open and no assessment is complete;
//! - **completed in window** when an assessment for it was completed on a day inside the
//!   window (both edges included);
//! - **completed late** when completed outside the window (after it closed — or before it
//!   opened, which is not a follow-up at that time point either);
//! - **missed** when the window has closed without a completed assessment;
//! - **administrative** when excluded for a recorded reason (deceased, incarcerated…),
//!   unless it was completed anyway (a completed follow-up always counts).
//!
//! **Follow-up rate** = completed in window ÷ due, where *due* = completed in window +
//! completed late + missed. Time points not yet due or with the window still open are not
//! counted (they can still be completed), nor are administrative exclusions.

use time::{Date, Duration};

use crate::fields::{FieldErrors, required_text};
use crate::vocabulary::AdministrativeReason;

/// A program's scheduled follow-up point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimePoint {
    /// Stable within the program (`intake`, `3m`, `6m`…).
    pub code: String,
    pub label: String,
    /// Days from enrolment.
    pub target_day: i32,
    pub window_start_day: i32,
    pub window_end_day: i32,
}

impl TimePoint {
    /// Checks a time point's numbers: the window must contain the target.
    pub fn parse(
        code: &str,
        label: &str,
        target_day: i32,
        window_start_day: i32,
        window_end_day: i32,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let code = errors.check("code", required_text(Some(code), 40));
        let label = errors.check("label", required_text(Some(label), 100));
        if window_start_day > target_day || target_day > window_end_day {
            errors.add("window_start_day", "the window must contain the target day");
        }
        if window_start_day < 0 {
            errors.add("window_start_day", "must not be before enrolment");
        }
        errors.into_result(|| {
            Some(Self { code: code?, label: label?, target_day, window_start_day, window_end_day })
        })
    }

    /// The dates of this time point for someone enrolled on `enrolled_on`.
    pub fn dates(&self, enrolled_on: Date) -> Window {
        let day = |offset: i32| enrolled_on + Duration::days(i64::from(offset));
        Window {
            opens_on: day(self.window_start_day),
            due_on: day(self.target_day),
            closes_on: day(self.window_end_day),
        }
    }
}

/// A time point's dates for one participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub opens_on: Date,
    pub due_on: Date,
    pub closes_on: Date,
}

impl Window {
    pub fn contains(&self, day: Date) -> bool {
        self.opens_on <= day && day <= self.closes_on
    }
}

/// Where a participant stands at a time point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpStatus {
    NotYetDue,
    WindowOpen,
    CompletedInWindow,
    CompletedLate,
    Missed,
    Administrative(AdministrativeReason),
}

impl FollowUpStatus {
    /// The status from the window, the first completed assessment's date, any administrative
    /// exclusion, and today.
    pub fn of(
        window: &Window,
        completed_on: Option<Date>,
        excluded: Option<AdministrativeReason>,
        today: Date,
    ) -> Self {
        match (completed_on, excluded) {
            (Some(done), _) if window.contains(done) => Self::CompletedInWindow,
            (Some(_), _) => Self::CompletedLate,
            (None, Some(reason)) => Self::Administrative(reason),
            (None, None) if today < window.opens_on => Self::NotYetDue,
            (None, None) if today <= window.closes_on => Self::WindowOpen,
            (None, None) => Self::Missed,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::NotYetDue => "not_yet_due",
            Self::WindowOpen => "window_open",
            Self::CompletedInWindow => "completed_in_window",
            Self::CompletedLate => "completed_late",
            Self::Missed => "missed",
            Self::Administrative(_) => "administrative",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NotYetDue => "Not yet due",
            Self::WindowOpen => "Window open",
            Self::CompletedInWindow => "Completed in window",
            Self::CompletedLate => "Completed outside window",
            Self::Missed => "Missed",
            Self::Administrative(_) => "Administrative",
        }
    }
}

/// Completed in window out of due, for a time point, a coach or a program.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FollowUpRate {
    pub completed_in_window: u32,
    pub completed_late: u32,
    pub missed: u32,
    /// Not counted: not yet due, window open, administrative.
    pub not_counted: u32,
}

impl FollowUpRate {
    pub fn add(&mut self, status: FollowUpStatus) {
        match status {
            FollowUpStatus::CompletedInWindow => self.completed_in_window += 1,
            FollowUpStatus::CompletedLate => self.completed_late += 1,
            FollowUpStatus::Missed => self.missed += 1,
            FollowUpStatus::NotYetDue
            | FollowUpStatus::WindowOpen
            | FollowUpStatus::Administrative(_) => self.not_counted += 1,
        }
    }

    pub fn due(&self) -> u32 {
        self.completed_in_window + self.completed_late + self.missed
    }

    /// The rate (0–1), or `None` when nothing is due yet.
    pub fn rate(&self) -> Option<f64> {
        let due = self.due();
        (due > 0).then(|| f64::from(self.completed_in_window) / f64::from(due))
    }
}

impl FromIterator<FollowUpStatus> for FollowUpRate {
    fn from_iter<I: IntoIterator<Item = FollowUpStatus>>(iter: I) -> Self {
        let mut rate = FollowUpRate::default();
        iter.into_iter().for_each(|s| rate.add(s));
        rate
    }
}

/// How many days before a window closes an unreached participant is escalated.
pub const ESCALATE_WITHIN_DAYS: i64 = 14;

/// How many days before it closes a window `window_days` long is escalated: the same for
/// every participant's window of a time point, so a list can find them by date.
pub fn escalation_lead(window_days: i64) -> i64 {
    ESCALATE_WITHIN_DAYS.min(window_days / 2)
}

/// Whether to escalate: the window is open, closes within [`ESCALATE_WITHIN_DAYS`], and the
/// participant has not been reached (or scheduled) since it opened. A window shorter than
/// twice that (an intake window of two weeks) escalates only in its second half: otherwise it
/// would escalate the day it opens, before the coach has had a chance to try.
pub fn needs_escalation(
    window: &Window,
    status: FollowUpStatus,
    reached_since_opening: bool,
    today: Date,
) -> bool {
    let lead = escalation_lead((window.closes_on - window.opens_on).whole_days());
    status == FollowUpStatus::WindowOpen
        && !reached_since_opening
        && window.closes_on - today <= Duration::days(lead)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const ENROLLED: Date = date!(2026 - 01 - 01);

    /// "6 months, window 5–8 months" as days: target 182, window 152–243.
    fn six_months() -> TimePoint {
        TimePoint::parse("6m", "6 months", 182, 152, 243).unwrap()
    }

    #[test]
    fn the_window_is_counted_in_days_from_enrolment() {
        let w = six_months().dates(ENROLLED);
        assert_eq!(
            (w.opens_on, w.due_on, w.closes_on),
            (date!(2026 - 06 - 02), date!(2026 - 07 - 02), date!(2026 - 09 - 01))
        );
    }

    #[test]
    fn statuses_at_the_window_edges() {
        let w = six_months().dates(ENROLLED);
        let day_before = date!(2026 - 06 - 01);
        let first_day = date!(2026 - 06 - 02);
        let last_day = date!(2026 - 09 - 01);
        let day_after = date!(2026 - 09 - 02);
        let status = |done: Option<Date>, today: Date| FollowUpStatus::of(&w, done, None, today);
        assert_eq!(status(None, day_before), FollowUpStatus::NotYetDue);
        assert_eq!(status(None, first_day), FollowUpStatus::WindowOpen);
        assert_eq!(status(None, last_day), FollowUpStatus::WindowOpen);
        assert_eq!(status(None, day_after), FollowUpStatus::Missed);
        assert_eq!(status(Some(first_day), day_after), FollowUpStatus::CompletedInWindow);
        assert_eq!(status(Some(last_day), day_after), FollowUpStatus::CompletedInWindow);
        assert_eq!(status(Some(day_after), day_after), FollowUpStatus::CompletedLate);
        assert_eq!(status(Some(day_before), day_after), FollowUpStatus::CompletedLate);
    }

    #[test]
    fn an_exclusion_holds_unless_the_follow_up_was_completed() {
        let w = six_months().dates(ENROLLED);
        let reason = Some(AdministrativeReason::Incarcerated);
        let late = date!(2026 - 10 - 01);
        assert_eq!(
            FollowUpStatus::of(&w, None, reason, late),
            FollowUpStatus::Administrative(AdministrativeReason::Incarcerated)
        );
        assert_eq!(
            FollowUpStatus::of(&w, Some(date!(2026 - 07 - 01)), reason, late),
            FollowUpStatus::CompletedInWindow
        );
    }

    #[test]
    fn the_rate_counts_only_settled_time_points() {
        use FollowUpStatus::*;
        let rate: FollowUpRate = [
            CompletedInWindow,
            CompletedInWindow,
            CompletedInWindow,
            CompletedLate,
            Missed,
            WindowOpen,
            NotYetDue,
            Administrative(AdministrativeReason::Deceased),
        ]
        .into_iter()
        .collect();
        assert_eq!(rate.due(), 5);
        assert_eq!(rate.not_counted, 3);
        assert_eq!(rate.rate(), Some(0.6));
        assert_eq!(FollowUpRate::default().rate(), None);
    }

    #[test]
    fn escalation_starts_fourteen_days_before_the_window_closes() {
        let w = six_months().dates(ENROLLED);
        let fifteen_days_left = date!(2026 - 08 - 17);
        let fourteen_days_left = date!(2026 - 08 - 18);
        let open = FollowUpStatus::WindowOpen;
        assert!(!needs_escalation(&w, open, false, fifteen_days_left));
        assert!(needs_escalation(&w, open, false, fourteen_days_left));
        assert!(!needs_escalation(&w, open, true, fourteen_days_left), "reached: no escalation");
        assert!(!needs_escalation(
            &w,
            FollowUpStatus::CompletedInWindow,
            false,
            fourteen_days_left
        ));
    }

    #[test]
    fn a_short_window_escalates_only_in_its_second_half() {
        let intake = TimePoint::parse("intake", "Intake", 0, 0, 14).unwrap().dates(ENROLLED);
        let open = FollowUpStatus::WindowOpen;
        assert!(!needs_escalation(&intake, open, false, ENROLLED), "not on the day it opens");
        assert!(!needs_escalation(&intake, open, false, date!(2026 - 01 - 07)));
        assert!(needs_escalation(&intake, open, false, date!(2026 - 01 - 08)), "seven days left");
    }

    #[test]
    fn a_window_must_contain_its_target() {
        assert!(TimePoint::parse("3m", "3 months", 91, 100, 120).is_err());
        assert!(TimePoint::parse("intake", "Intake", 0, 0, 30).is_ok());
    }
}
