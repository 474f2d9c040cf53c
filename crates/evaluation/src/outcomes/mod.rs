//! Outcome derivation: a study's outcome definitions applied to one participant's record.
//!
//! **Missing is missing, never zero.** Whenever the value cannot be known from the record —
//! no assessment for the time point, one given outside its window, an unanswered item, a
//! follow-up too short to see whether an event happened — the result is
//! [`Observation::Missing`] with the reason in words a person can act on.
//!
//! - [`assessed`]: outcomes read from the assessment given for a time point (binary, score,
//!   change from baseline, repeated measures);
//! - [`events`]: outcomes read from dated events (within N days, time to the first event,
//!   counts over the time enrolled), and the follow-up period they are observed over.

pub mod assessed;
pub mod events;

use kindred_domain::study::{OutcomeDefinition, OutcomeMeasure, StudyDefinition};

use crate::Observation;
use crate::record::ParticipantRecord;

/// The participant's value of `outcome` in `study`.
pub fn derive(
    outcome: &OutcomeDefinition,
    record: &ParticipantRecord,
    study: &StudyDefinition,
) -> Observation {
    let result = match &outcome.measure {
        OutcomeMeasure::BinaryAtTimePoint { time_point, instrument, rule } => {
            assessed::binary(record, time_point, instrument, rule)
        }
        OutcomeMeasure::ScoreAtTimePoint { time_point, score } => {
            assessed::score(record, time_point, score)
        }
        OutcomeMeasure::ChangeFromBaseline { time_point, score } => {
            assessed::change(record, &study.baseline_time_point, time_point, score)
        }
        OutcomeMeasure::Repeated { score, time_points } => {
            assessed::repeated(record, time_points, score)
        }
        OutcomeMeasure::EventWithin { event, days, origin } => {
            events::within(record, study.follow_up_days, event, *days, origin)
        }
        OutcomeMeasure::TimeToEvent { event } => {
            events::time_to_first(record, study.follow_up_days, event)
        }
        OutcomeMeasure::EventRate { event } => events::rate(record, study.follow_up_days, event),
    };
    result.unwrap_or_else(Observation::missing)
}

/// Every outcome of `study` for one participant, in the study's order, with its code.
pub fn derive_all<'s>(
    record: &ParticipantRecord,
    study: &'s StudyDefinition,
) -> Vec<(&'s str, Observation)> {
    study.outcomes.iter().map(|o| (o.code.as_str(), derive(o, record, study))).collect()
}

#[cfg(test)]
mod tests;
