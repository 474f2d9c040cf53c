//! What outcome derivation reads about one participant: plain values, loaded by the
//! application layer from the research record (never the identity), with no storage ids.
//!
//! The record holds only what the engine needs: the enrolment date and status (and the day
//! they withdrew or were lost, if they did), the baseline fields, the participant's program's
//! schedule (to know each time point's window), the completed assessments, the dated outcome
//! events (appointments included, as attended or missed), the last follow-up contact, and the
//! study's end (the data cut-off).

use std::collections::BTreeMap;

use kindred_domain::assessment::{Assessment, AssessmentStatus};
use kindred_domain::follow_up::TimePoint;
use kindred_domain::study::EligibilityRule;
use kindred_domain::vocabulary::{
    AppointmentKind, AppointmentStatus, BaselineField, HospitalisationKind, OutcomeEventKind,
    ParticipantStatus, Vocabulary,
};
use time::{Date, Duration};

/// One participant's record, as derivation reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParticipantRecord {
    pub enrolled_on: Date,
    pub status: ParticipantStatus,
    /// The day they withdrew or were lost to follow-up, when `status` says so and the day is
    /// known.
    pub left_on: Option<Date>,
    /// Baseline-field codes (see `kindred_domain::study::baseline_values`).
    pub baseline: BTreeMap<BaselineField, String>,
    /// The time points of the participant's program's schedule, in order.
    pub schedule: Vec<TimePoint>,
    /// Completed assessments only (an assessment in progress is not a measurement yet).
    pub assessments: Vec<AssessmentRecord>,
    pub events: Vec<EventRecord>,
    /// The day of the last follow-up contact (a completed assessment counts too, even when
    /// not given here).
    pub last_follow_up_on: Option<Date>,
    /// The study's end: nothing after it is counted.
    pub study_end: Date,
}

/// One completed assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentRecord {
    pub instrument: String,
    /// The time point it was given for, when it was scheduled.
    pub time_point: Option<String>,
    pub administered_on: Date,
    /// The headline score; `None` when too many items were missing to score it.
    pub total: Option<f64>,
    /// Scale id → value, the total included.
    pub subscores: BTreeMap<String, Option<f64>>,
    /// The headline score's band code.
    pub band: Option<String>,
    /// Item id → answer.
    pub answers: BTreeMap<String, f64>,
}

impl AssessmentRecord {
    /// A completed assessment as the record holds it; `None` while it is in progress.
    pub fn from_assessment(assessment: &Assessment) -> Option<Self> {
        (assessment.status == AssessmentStatus::Completed).then(|| Self {
            instrument: assessment.instrument_code.clone(),
            time_point: assessment.time_point_code.clone(),
            administered_on: assessment.administered_on,
            total: assessment.scored.score,
            subscores: assessment.scored.subscores.clone(),
            band: assessment.scored.band.clone(),
            // Answers are small whole numbers (0–30 days, 1–7 ratings): exact in f64.
            answers: assessment.answers.iter().map(|(k, v)| (k.to_owned(), v as f64)).collect(),
        })
    }

    /// The headline total (`None`), or a scale's value.
    pub fn score(&self, scale: Option<&str>) -> Option<f64> {
        match scale {
            None => self.total,
            Some(id) => self.subscores.get(id).copied().flatten(),
        }
    }
}

/// One dated outcome event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRecord {
    pub kind: OutcomeEventKind,
    pub on: Date,
    /// For a hospitalisation: its kind, when recorded.
    pub hospitalisation: Option<HospitalisationKind>,
    /// For an appointment event: the appointment's kind.
    pub appointment: Option<AppointmentKind>,
}

impl EventRecord {
    /// An event of `kind` on `on`, with no hospitalisation or appointment kind.
    pub fn new(kind: OutcomeEventKind, on: Date) -> Self {
        Self { kind, on, hospitalisation: None, appointment: None }
    }

    /// A hospitalisation of a kind.
    pub fn hospitalisation(kind: Option<HospitalisationKind>, on: Date) -> Self {
        Self { hospitalisation: kind, ..Self::new(OutcomeEventKind::Hospitalisation, on) }
    }

    /// An appointment's outcome as an event: attended or missed; `None` while it is
    /// scheduled or after it was cancelled (neither is an outcome).
    pub fn appointment(kind: AppointmentKind, status: AppointmentStatus, on: Date) -> Option<Self> {
        let event = match status {
            AppointmentStatus::Attended => OutcomeEventKind::AppointmentAttended,
            AppointmentStatus::Missed => OutcomeEventKind::AppointmentMissed,
            AppointmentStatus::Scheduled | AppointmentStatus::Cancelled => return None,
        };
        Some(Self { appointment: Some(kind), ..Self::new(event, on) })
    }
}

/// How a participant left follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Departure {
    /// The day, when known.
    pub on: Option<Date>,
    /// Lost to follow-up rather than withdrawn.
    pub lost: bool,
}

impl Departure {
    /// "withdrew" or "was lost to follow-up", for reasons.
    pub fn verb(self) -> &'static str {
        if self.lost { "was lost to follow-up" } else { "withdrew" }
    }
}

impl ParticipantRecord {
    /// Whether, and when, they withdrew or were lost.
    pub(crate) fn departure(&self) -> Option<Departure> {
        match self.status {
            ParticipantStatus::Withdrawn => Some(Departure { on: self.left_on, lost: false }),
            ParticipantStatus::LostToFollowUp => Some(Departure { on: self.left_on, lost: true }),
            _ => None,
        }
    }

    /// The last day they were followed up: the later of the last follow-up contact and the
    /// last completed assessment, if either is on or after enrolment.
    pub(crate) fn last_contact(&self) -> Option<Date> {
        self.assessments
            .iter()
            .map(|a| a.administered_on)
            .chain(self.last_follow_up_on)
            .filter(|day| *day >= self.enrolled_on)
            .max()
    }

    /// Days from enrolment to `day` (negative before it).
    pub(crate) fn day_of(&self, day: Date) -> i64 {
        (day - self.enrolled_on).whole_days()
    }

    /// The eligibility rules this participant does not meet, each said in words; empty when
    /// they are eligible. A field not recorded does not meet a rule on it.
    pub fn unmet_eligibility(&self, rules: &[EligibilityRule]) -> Vec<String> {
        rules.iter().filter_map(|rule| self.unmet(rule)).collect()
    }

    fn unmet(&self, rule: &EligibilityRule) -> Option<String> {
        match rule {
            EligibilityRule::Field { field, any_of } => match self.baseline.get(field) {
                Some(value) if any_of.contains(value) => None,
                Some(value) => Some(format!(
                    "{} is {}, not one of: {}",
                    field.label(),
                    field.value_in_words(value),
                    field.values_in_words(any_of)
                )),
                None => Some(format!("{} is not recorded", field.label())),
            },
            EligibilityRule::EventHistory { event, within_days_before, present } => {
                let from =
                    self.enrolled_on.checked_sub(Duration::days(i64::from(*within_days_before)));
                let had = self.events.iter().any(|e| {
                    event.matches(e.kind, e.hospitalisation, e.appointment)
                        && e.on < self.enrolled_on
                        && from.is_none_or(|from| e.on >= from)
                });
                (had != *present).then(|| format!("does not meet the rule: {}", rule.describe()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use kindred_domain::study::{EligibilityRule, EventSpec};
    use time::macros::date;

    use super::*;

    fn record() -> ParticipantRecord {
        ParticipantRecord {
            enrolled_on: date!(2026 - 03 - 01),
            status: ParticipantStatus::Active,
            left_on: None,
            baseline: BTreeMap::from([(BaselineField::Setting, "walk_in_clinic".to_owned())]),
            schedule: Vec::new(),
            assessments: Vec::new(),
            events: Vec::new(),
            last_follow_up_on: None,
            study_end: date!(2027 - 03 - 01),
        }
    }

    #[test]
    fn eligibility_reads_the_fields_and_the_history_before_enrolment() {
        let setting = EligibilityRule::Field {
            field: BaselineField::Setting,
            any_of: vec!["walk_in_clinic".into(), "emergency_department".into()],
        };
        let gender =
            EligibilityRule::Field { field: BaselineField::Gender, any_of: vec!["woman".into()] };
        let psychiatric = EventSpec {
            hospitalisation_kinds: vec![HospitalisationKind::Psychiatric],
            ..EventSpec::of(OutcomeEventKind::Hospitalisation)
        };
        let history = EligibilityRule::EventHistory {
            event: psychiatric,
            within_days_before: 730,
            present: true,
        };
        let mut r = record();
        assert_eq!(r.unmet_eligibility(std::slice::from_ref(&setting)), Vec::<String>::new());
        assert_eq!(r.unmet_eligibility(std::slice::from_ref(&gender)), ["Gender is not recorded"]);
        r.baseline.insert(BaselineField::Gender, "man".into());
        assert_eq!(
            r.unmet_eligibility(std::slice::from_ref(&gender)),
            ["Gender is Man, not one of: Woman"]
        );
        let unmet = r.unmet_eligibility(std::slice::from_ref(&history));
        assert_eq!(
            unmet,
            [
                "does not meet the rule: had a hospitalisation (psychiatric) in the 730 days before enrolment"
            ]
        );
        // 730 days before is inside; 731 is not; the enrolment day itself is not "before".
        for (on, eligible) in [
            (date!(2024 - 03 - 01), true), // exactly 730 days before
            (date!(2024 - 02 - 29), false),
            (date!(2026 - 03 - 01), false),
        ] {
            r.events =
                vec![EventRecord::hospitalisation(Some(HospitalisationKind::Psychiatric), on)];
            assert_eq!(
                r.unmet_eligibility(std::slice::from_ref(&history)).is_empty(),
                eligible,
                "{on}"
            );
        }
        r.events = vec![EventRecord::hospitalisation(
            Some(HospitalisationKind::Medical),
            date!(2025 - 06 - 01),
        )];
        assert_eq!(
            r.unmet_eligibility(&[setting, history]).len(),
            1,
            "a medical stay is not psychiatric"
        );
    }

    #[test]
    fn an_appointment_becomes_an_event_only_once_it_happened_or_was_missed() {
        let on = date!(2026 - 04 - 01);
        let attended =
            EventRecord::appointment(AppointmentKind::Medical, AppointmentStatus::Attended, on);
        assert_eq!(
            attended.map(|e| (e.kind, e.appointment)),
            Some((OutcomeEventKind::AppointmentAttended, Some(AppointmentKind::Medical)))
        );
        assert!(
            EventRecord::appointment(AppointmentKind::Medical, AppointmentStatus::Cancelled, on)
                .is_none()
        );
    }
}
