//! Outcomes read from assessments. The value at a time point comes from the assessment
//! recorded for that time point's code **and** given inside its window, as the follow-up
//! engine counts a follow-up (an assessment outside the window is "completed late", not a
//! measurement at that time point). With two in the window, the first counts, again as the
//! follow-up engine does. Every failure is the reason the value is missing.

use kindred_domain::follow_up::{TimePoint, Window};
use kindred_domain::study::{BinaryRule, ScoreRef};

use time::{Date, Duration};

use crate::observation::{Observation, RepeatedPoint};
use crate::record::{AssessmentRecord, ParticipantRecord};

/// Why a value is missing, in words.
pub(crate) type Reason = String;

/// The assessment of `instrument` that measures `time_point`, or why there is none.
pub(crate) fn at_time_point<'r>(
    record: &'r ParticipantRecord,
    time_point: &str,
    instrument: &str,
) -> Result<(&'r AssessmentRecord, &'r TimePoint), Reason> {
    let point = record
        .schedule
        .iter()
        .find(|p| p.code == time_point)
        .ok_or_else(|| format!("the program's schedule has no {time_point} time point"))?;
    let window = window_of(point, record.enrolled_on)
        .ok_or_else(|| format!("the {} window runs past the calendar's range", point.label))?;
    let label = &point.label;
    let mut given: Vec<&AssessmentRecord> = record
        .assessments
        .iter()
        .filter(|a| a.instrument == instrument && a.time_point.as_deref() == Some(time_point))
        // Nothing after the study's end (its data cut-off) is counted.
        .filter(|a| a.administered_on <= record.study_end)
        .collect();
    given.sort_by_key(|a| a.administered_on);
    if let Some(found) = given.iter().find(|a| window.contains(a.administered_on)) {
        return Ok((found, point));
    }
    if let Some(outside) = given.first() {
        return Err(format!(
            "the {label} {instrument} was given on day {}, outside its window (days {} to {})",
            record.day_of(outside.administered_on),
            point.window_start_day,
            point.window_end_day
        ));
    }
    let departure = record.departure();
    Err(match departure.and_then(|d| d.on.map(|on| (d, on))) {
        Some((d, on)) if on < window.opens_on => {
            format!("{} before the {label} time point", d.verb())
        }
        Some((d, on)) if on <= window.closes_on => {
            format!("{} during the {label} window, before a {instrument} was given", d.verb())
        }
        _ if record.study_end < window.opens_on => {
            format!("the {label} window had not opened by the study's end")
        }
        _ if record.study_end < window.closes_on => {
            format!("the {label} window was still open at the study's end")
        }
        _ => match departure {
            Some(d) if d.on.is_none() => {
                format!("no {label} {instrument} ({} on an unrecorded day)", d.verb())
            }
            _ => format!("no {label} {instrument} assessment"),
        },
    })
}

/// The time point's window for someone enrolled on `enrolled`, with checked arithmetic
/// (`TimePoint::dates` adds without checking, and a record must never make derivation panic).
fn window_of(point: &TimePoint, enrolled: Date) -> Option<Window> {
    let day = |offset: i32| enrolled.checked_add(Duration::days(i64::from(offset)));
    Some(Window {
        opens_on: day(point.window_start_day)?,
        due_on: day(point.target_day)?,
        closes_on: day(point.window_end_day)?,
    })
}

/// The score `score` names, from the assessment for `time_point`.
fn value_at(
    record: &ParticipantRecord,
    time_point: &str,
    score: &ScoreRef,
) -> Result<(f64, i64), Reason> {
    let (assessment, point) = at_time_point(record, time_point, &score.instrument)?;
    let value = assessment.score(score.scale.as_deref()).ok_or_else(|| {
        let what = score.scale.as_deref().map_or("total".to_owned(), |s| format!("{s} score"));
        format!(
            "the {} {} has no {what} (too many items unanswered)",
            point.label, score.instrument
        )
    })?;
    if !value.is_finite() {
        return Err(format!("the {} {} score is not a number", point.label, score.instrument));
    }
    Ok((value, record.day_of(assessment.administered_on)))
}

/// Yes or no from the assessment for `time_point`.
pub(crate) fn binary(
    record: &ParticipantRecord,
    time_point: &str,
    instrument: &str,
    rule: &BinaryRule,
) -> Result<Observation, Reason> {
    let (assessment, point) = at_time_point(record, time_point, instrument)?;
    let label = &point.label;
    let value = match rule {
        BinaryRule::Score { scale, comparator, cut_off } => {
            let score = ScoreRef { instrument: instrument.to_owned(), scale: scale.clone() };
            let (value, _) = value_at(record, time_point, &score)?;
            comparator.holds(value, *cut_off)
        }
        BinaryRule::Items { items, comparator, cut_off } => {
            let mut all = true;
            for item in items {
                let answer = assessment
                    .answers
                    .get(item)
                    .ok_or_else(|| format!("item {item} was not answered at {label}"))?;
                all &= comparator.holds(*answer, *cut_off);
            }
            all
        }
        BinaryRule::Band { bands } => {
            let band = assessment
                .band
                .as_ref()
                .ok_or_else(|| format!("the {label} {instrument} score has no band"))?;
            bands.contains(band)
        }
    };
    Ok(Observation::Binary { value })
}

/// The score at `time_point`.
pub(crate) fn score(
    record: &ParticipantRecord,
    time_point: &str,
    score: &ScoreRef,
) -> Result<Observation, Reason> {
    value_at(record, time_point, score).map(|(value, _)| Observation::Continuous { value })
}

/// The score at `time_point` and at the baseline time point.
pub(crate) fn change(
    record: &ParticipantRecord,
    baseline: &str,
    time_point: &str,
    score: &ScoreRef,
) -> Result<Observation, Reason> {
    let (before, _) =
        value_at(record, baseline, score).map_err(|reason| format!("no baseline: {reason}"))?;
    let (after, _) = value_at(record, time_point, score)?;
    Ok(Observation::Change { baseline: before, follow_up: after })
}

/// The score at each time point that has one; missing only when none has.
pub(crate) fn repeated(
    record: &ParticipantRecord,
    time_points: &[String],
    score: &ScoreRef,
) -> Result<Observation, Reason> {
    let mut points = Vec::new();
    for code in time_points {
        let Some(position) = record.schedule.iter().position(|p| &p.code == code) else {
            continue;
        };
        if let Ok((value, day)) = value_at(record, code, score) {
            points.push(RepeatedPoint {
                time_point: code.clone(),
                position,
                day: day as f64,
                value,
            });
        }
    }
    if points.is_empty() {
        return Err(format!(
            "no {} at any of its time points ({})",
            score.instrument,
            time_points.join(", ")
        ));
    }
    points.sort_by_key(|p| p.position);
    Ok(Observation::Repeated { points })
}
