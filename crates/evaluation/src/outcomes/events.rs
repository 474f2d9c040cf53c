//! Outcomes read from dated events, and the follow-up period they are observed over.
//!
//! # The follow-up period
//!
//! - The **horizon** ends the study's follow-up days after enrolment.
//! - **Events count** from the enrolment day to the first of: the day the participant withdrew
//!   or was lost, the study's end, the horizon's end. An event dated in that period counts
//!   even after the last follow-up contact: the record learned of it (a hospital's notice, a
//!   later conversation). A withdrawal with no recorded day ends it at the last contact, the
//!   last day they were known to be followed.
//! - **No event is known** only up to the last follow-up contact (or completed assessment):
//!   without an event, a participant is censored at the first of that day and the end of the
//!   counting period. With no contact after enrolment, that is day 0 (censored at day 0 is an
//!   honest value: nothing was seen).
//! - A withdrawal dated before enrolment, or a study ending before it, is a negative interval
//!   and the outcome is missing, with the reason.
//!
//! Counts over exposure use the time **enrolled**, not the time seen: from enrolment to the
//! first of withdrawal, the study's end and the horizon, counting both days (a participant who
//! left on the day they enrolled was enrolled for one day).

use kindred_domain::study::{EventSpec, Origin};
use time::{Date, Duration};

use super::assessed::Reason;
use crate::observation::Observation;
use crate::record::{EventRecord, ParticipantRecord};

fn add_days(day: Date, days: u32) -> Result<Date, Reason> {
    day.checked_add(Duration::days(i64::from(days)))
        .ok_or_else(|| "the follow-up runs past the calendar's range".to_owned())
}

/// The days a participant's events are observed over.
struct Period {
    horizon_end: Date,
    /// The last day an event counts.
    counts_until: Date,
    /// The last day the absence of an event is known.
    known_until: Date,
}

fn period(record: &ParticipantRecord, horizon_days: u32) -> Result<Period, Reason> {
    let enrolled = record.enrolled_on;
    if record.study_end < enrolled {
        return Err("enrolled after the study's end".into());
    }
    let departure = record.departure();
    if let Some(d) = departure
        && let Some(on) = d.on
        && on < enrolled
    {
        return Err(format!(
            "the day they {} (day {}) is before their enrolment: check the record",
            if d.lost { "were lost to follow-up" } else { "withdrew" },
            record.day_of(on)
        ));
    }
    let horizon_end = add_days(enrolled, horizon_days)?;
    let last_contact = record.last_contact().unwrap_or(enrolled);
    let mut counts_until = record.study_end.min(horizon_end);
    if let Some(d) = departure {
        counts_until = counts_until.min(d.on.unwrap_or(last_contact));
    }
    Ok(Period { horizon_end, counts_until, known_until: last_contact.min(counts_until) })
}

/// The first event matching `spec` dated from `from` to `until`, with its position.
fn first_matching<'r>(
    record: &'r ParticipantRecord,
    spec: &EventSpec,
    from: Date,
    until: Date,
    except: Option<usize>,
) -> Option<(usize, &'r EventRecord)> {
    record
        .events
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            Some(*i) != except
                && spec.matches(e.kind, e.hospitalisation, e.appointment)
                && from <= e.on
                && e.on <= until
        })
        .min_by_key(|(_, e)| e.on)
}

/// Whether an event happened within `days` of the origin.
pub(crate) fn within(
    record: &ParticipantRecord,
    horizon_days: u32,
    spec: &EventSpec,
    days: u32,
    origin: &Origin,
) -> Result<Observation, Reason> {
    let period = period(record, horizon_days)?;
    let (start, index, after) = match origin {
        Origin::Enrolment => (record.enrolled_on, None, "enrolment".to_owned()),
        Origin::IndexEvent { event } => {
            let (i, found) =
                first_matching(record, event, record.enrolled_on, period.counts_until, None)
                    .ok_or_else(|| {
                        format!(
                            "no {} on record during follow-up (the index event)",
                            event.describe()
                        )
                    })?;
            (found.on, Some(i), format!("the {}", event.describe()))
        }
    };
    let end = add_days(start, days)?;
    // The index event itself never counts as the outcome (an admission is not its own
    // readmission).
    if first_matching(record, spec, start, end.min(period.counts_until), index).is_some() {
        return Ok(Observation::Binary { value: true });
    }
    if period.known_until >= end {
        return Ok(Observation::Binary { value: false });
    }
    let seen = (period.known_until - start).whole_days().max(0);
    let departure = record.departure().and_then(|d| d.on.map(|on| (d, on)));
    Err(match departure {
        _ if end > period.horizon_end => format!(
            "the {days} days after {after} run past the study's {horizon_days}-day follow-up"
        ),
        Some((d, on)) if on < end => {
            format!("{} {seen} days into the {days} days after {after}", d.verb())
        }
        _ if record.study_end < end => {
            format!("the study ended {seen} days into the {days} days after {after}")
        }
        _ => format!(
            "followed up for only {seen} of the {days} days after {after} (no contact since)"
        ),
    })
}

/// Days from enrolment to the first event, or to censoring.
pub(crate) fn time_to_first(
    record: &ParticipantRecord,
    horizon_days: u32,
    spec: &EventSpec,
) -> Result<Observation, Reason> {
    let period = period(record, horizon_days)?;
    let first = first_matching(record, spec, record.enrolled_on, period.counts_until, None);
    Ok(match first {
        Some((_, event)) => {
            Observation::TimeToEvent { days: record.day_of(event.on) as f64, event: true }
        }
        None => Observation::TimeToEvent {
            days: record.day_of(period.known_until) as f64,
            event: false,
        },
    })
}

/// Events over the days enrolled.
pub(crate) fn rate(
    record: &ParticipantRecord,
    horizon_days: u32,
    spec: &EventSpec,
) -> Result<Observation, Reason> {
    let enrolled = record.enrolled_on;
    let horizon_end = add_days(enrolled, horizon_days)?;
    let mut end = record.study_end.min(horizon_end);
    if let Some(departure) = record.departure() {
        let on = departure.on.ok_or_else(|| {
            format!("{} on an unrecorded day, so the time enrolled is unknown", departure.verb())
        })?;
        end = end.min(on);
    }
    if end < enrolled {
        return Err(format!(
            "the time enrolled would be negative ({} days): check the enrolment, withdrawal and \
             study end dates",
            record.day_of(end)
        ));
    }
    let events = record
        .events
        .iter()
        .filter(|e| spec.matches(e.kind, e.hospitalisation, e.appointment))
        .filter(|e| enrolled <= e.on && e.on <= end)
        .count();
    Ok(Observation::Count { events: events as f64, exposure_days: (record.day_of(end) + 1) as f64 })
}
