//! The person-level table: one row per analysed participant — who (a pseudonym, or the
//! identity under consent), arm, enrolment, baseline, each planned outcome in its own columns
//! (time to event with its censoring indicator, change with both scores…), the dose by support
//! kind and program component, the coach and the cost. The outcome values are the analysed
//! table's, so a re-analysis of this file reproduces the study's results.

use kindred_domain::study::{OutcomeMeasure, OutcomeType, ScoreRef};
use kindred_domain::vocabulary::{BaselineField, ParticipantStatus, SupportKind, Vocabulary};
use kindred_evaluation::Observation;
use kindred_evaluation::assemble::planned_outcomes;

use super::context::{ExportContext, column_name, suffix};
use super::table::{Column, ColumnType, Row, Value};

/// The columns and rows of the person-level table.
pub(crate) fn participants_table(ctx: &ExportContext<'_>) -> (Vec<Column>, Vec<Row>) {
    let study = ctx.study;
    let mut columns = ctx.subjects.columns.clone();
    columns.push(ctx.arm_column());
    columns.push(
        Column::new(
            "enrolled_on",
            "Enrolled on",
            ColumnType::Date,
            ctx.date_derivation("enrolled in the program"),
        )
        .identifying_if(ctx.subjects.identified),
    );
    columns.push(Column::coded(
        "status",
        "Status at the data cut-off",
        ParticipantStatus::ALL.iter().map(|s| (s.code(), s.label())),
        "the participant's status in the program",
    ));
    columns.push(
        Column::new(
            "left_day",
            "Day withdrawn or lost to follow-up",
            ColumnType::Integer,
            "days from enrolment to the day they withdrew or were lost; empty when neither",
        )
        .in_unit("days"),
    );
    for field in BaselineField::ALL {
        columns.push(Column::coded(
            field.code(),
            field.label(),
            field
                .allowed_values()
                .into_iter()
                .map(|code| (code, field.value_label(code).unwrap_or(code))),
            "recorded at enrolment (age as a band, from the date of birth on the enrolment day)",
        ));
    }
    let planned = planned_outcomes(study);
    let mut outcome_columns: Vec<Vec<Column>> = Vec::new();
    for (i, _) in &planned {
        let outcome = &study.outcomes[*i];
        let set = outcome_column_set(&outcome.code, &outcome.name, &outcome.measure);
        columns.extend(set.iter().cloned());
        outcome_columns.push(set);
    }
    columns.push(Column::new(
        "contacts",
        "Contacts",
        ColumnType::Integer,
        "contacts recorded with the participant up to the data cut-off",
    ));
    columns.push(
        Column::new(
            "minutes",
            "Minutes of contact",
            ColumnType::Integer,
            "the contacts' minutes added up",
        )
        .in_unit("minutes"),
    );
    for kind in SupportKind::ALL {
        let derivation = format!(
            "contacts that gave {} support (a contact with two kinds counts toward both)",
            kind.label().to_lowercase()
        );
        columns.push(Column::new(
            format!("{}_contacts", kind.code()),
            format!("Contacts: {}", kind.label()),
            ColumnType::Integer,
            derivation.clone(),
        ));
        columns.push(
            Column::new(
                format!("{}_minutes", kind.code()),
                format!("Minutes: {}", kind.label()),
                ColumnType::Integer,
                derivation,
            )
            .in_unit("minutes"),
        );
    }
    for (n, component) in ctx.table.components.iter().enumerate() {
        let derivation = format!("contacts that delivered the program component {component:?}");
        columns.push(Column::new(
            format!("component_{}_contacts", n + 1),
            format!("Contacts: {component}"),
            ColumnType::Integer,
            derivation.clone(),
        ));
        columns.push(
            Column::new(
                format!("component_{}_minutes", n + 1),
                format!("Minutes: {component}"),
                ColumnType::Integer,
                derivation,
            )
            .in_unit("minutes"),
        );
    }
    columns.push(Column::new(
        "coach",
        "Coach",
        ColumnType::Text,
        "the coach's pseudonym (the same in the contacts table)",
    ));
    columns.push(
        Column::new(
            "coach_months_in_recovery",
            "Coach's months in recovery",
            ColumnType::Number,
            "at the participant's enrolment",
        )
        .in_unit("months"),
    );
    columns.push(Column::new(
        "coach_certified",
        "Coach certified",
        ColumnType::Boolean,
        "a current peer certification at the participant's enrolment",
    ));
    columns.push(
        Column::new(
            "coach_training_hours",
            "Coach's training hours",
            ColumnType::Number,
            "training hours completed",
        )
        .in_unit("hours"),
    );
    columns.push(Column::new("cost_cents", "Cost of support", ColumnType::Integer, "staff time at the program's hourly cost plus each contact's cost by mode; empty when the program sets no costs").in_unit("cents"));

    let rows = ctx
        .members()
        .map(|m| {
            let mut row = ctx.subjects.identifiers[m.index].clone();
            row.push(ctx.arm_value(m.row.arm));
            row.push(Value::Date(ctx.shifted(m.index, m.participant.record.enrolled_on)));
            let record = &m.participant.record;
            row.push(record.status.code().into());
            row.push(Value::optional(
                record.left_on.map(|day| (day - record.enrolled_on).whole_days()),
            ));
            for field in BaselineField::ALL {
                row.push(Value::optional(record.baseline.get(field).map(String::as_str)));
            }
            for (observation, set) in m.row.outcomes.iter().zip(&outcome_columns) {
                row.extend(outcome_values(observation, set));
            }
            let dose = &m.row.dose;
            row.push(i64::from(dose.total.contacts).into());
            row.push(i64::from(dose.total.minutes).into());
            for d in &dose.by_support_kind {
                row.push(i64::from(d.contacts).into());
                row.push(i64::from(d.minutes).into());
            }
            for d in &dose.by_component {
                row.push(i64::from(d.contacts).into());
                row.push(i64::from(d.minutes).into());
            }
            let coach = m.row.coach.as_ref();
            row.push(Value::optional(ctx.subjects.coaches[m.index].clone()));
            // A tenth of a month is finer than anyone records a recovery date.
            let months =
                coach.and_then(|c| c.months_in_recovery).map(|m| (m * 10.0).round() / 10.0);
            row.push(Value::optional(months));
            row.push(Value::optional(coach.and_then(|c| c.certified)));
            row.push(Value::optional(coach.and_then(|c| c.training_hours)));
            row.push(Value::optional(m.row.cost_cents));
            row
        })
        .collect();
    (columns, rows)
}

/// An outcome's columns: the value(s) its type yields, then why it is missing.
fn outcome_column_set(code: &str, name: &str, measure: &OutcomeMeasure) -> Vec<Column> {
    let base = column_name(code);
    let how = measure_in_words(measure);
    let mut set = match measure.outcome_type() {
        OutcomeType::Binary => vec![Column::new(&base, name, ColumnType::Boolean, how)],
        OutcomeType::Continuous => vec![Column::new(&base, name, ColumnType::Number, how)],
        OutcomeType::Change => vec![
            Column::new(
                format!("{base}_baseline"),
                format!("{name}: at baseline"),
                ColumnType::Number,
                how.clone(),
            ),
            Column::new(
                format!("{base}_follow_up"),
                format!("{name}: at follow-up"),
                ColumnType::Number,
                how.clone(),
            ),
            Column::new(
                format!("{base}_change"),
                format!("{name}: change"),
                ColumnType::Number,
                format!("follow-up minus baseline; {how}"),
            ),
        ],
        OutcomeType::TimeToEvent => vec![
            Column::new(format!("{base}_days"), format!("{name}: days"), ColumnType::Number, how)
                .in_unit("days"),
            Column::new(
                format!("{base}_event"),
                format!("{name}: event (1) or censored (0)"),
                ColumnType::Boolean,
                "1 when the event happened; 0 when the time is censored at the last follow-up, withdrawal or the data cut-off",
            ),
        ],
        OutcomeType::Count => vec![
            Column::new(
                format!("{base}_events"),
                format!("{name}: events"),
                ColumnType::Number,
                how,
            ),
            Column::new(
                format!("{base}_exposure_days"),
                format!("{name}: days of exposure"),
                ColumnType::Number,
                "days from enrolment to the end of follow-up",
            )
            .in_unit("days"),
        ],
        OutcomeType::Repeated => {
            let OutcomeMeasure::Repeated { time_points, .. } = measure else {
                unreachable!("a repeated outcome")
            };
            time_points
                .iter()
                .map(|tp| {
                    Column::new(
                        format!("{base}_{}", suffix(tp)),
                        format!("{name} at {tp}"),
                        ColumnType::Number,
                        how.clone(),
                    )
                })
                .collect()
        }
    };
    set.push(Column::new(
        format!("{base}_missing"),
        format!("{name}: why missing"),
        ColumnType::Text,
        "empty when the outcome was observed; otherwise the reason, in words",
    ));
    set
}

/// An observation's values, aligned with its [`outcome_column_set`].
fn outcome_values(observation: &Observation, set: &[Column]) -> Vec<Value> {
    let width = set.len() - 1;
    let mut values = match observation {
        Observation::Missing { .. } => vec![Value::Null; width],
        Observation::Binary { value } => vec![(*value).into()],
        Observation::Continuous { value } => vec![(*value).into()],
        Observation::Change { baseline, follow_up } => {
            vec![(*baseline).into(), (*follow_up).into(), (follow_up - baseline).into()]
        }
        Observation::TimeToEvent { days, event } => vec![(*days).into(), (*event).into()],
        Observation::Count { events, exposure_days } => {
            vec![(*events).into(), (*exposure_days).into()]
        }
        Observation::Repeated { points } => {
            // Columns are the outcome's time points in order; a point not observed stays empty.
            let mut values = vec![Value::Null; width];
            for point in points {
                let name = format!("_{}", suffix(&point.time_point));
                if let Some(i) = set[..width].iter().position(|c| c.name.ends_with(&name)) {
                    values[i] = point.value.into();
                }
            }
            values
        }
    };
    values.resize(width, Value::Null);
    values.push(match observation {
        Observation::Missing { reason } => reason.as_str().into(),
        _ => Value::Null,
    });
    values
}

fn score_in_words(score: &ScoreRef) -> String {
    match &score.scale {
        Some(scale) => format!("the {} {scale} score", score.instrument),
        None => format!("the {} total score", score.instrument),
    }
}

/// How an outcome is derived, for the dictionary.
fn measure_in_words(measure: &OutcomeMeasure) -> String {
    match measure {
        OutcomeMeasure::BinaryAtTimePoint { time_point, instrument, .. } => format!(
            "1 when the {instrument} given for time point {time_point} meets the study's rule, \
             0 when it does not"
        ),
        OutcomeMeasure::ScoreAtTimePoint { time_point, score } => {
            format!("{} at time point {time_point}", score_in_words(score))
        }
        OutcomeMeasure::ChangeFromBaseline { time_point, score } => {
            format!(
                "{} at time point {time_point} and at the study's baseline",
                score_in_words(score)
            )
        }
        OutcomeMeasure::EventWithin { event, days, .. } => {
            format!(
                "1 when {} happened within {days} days of the origin, 0 when not",
                event.describe()
            )
        }
        OutcomeMeasure::TimeToEvent { event } => {
            format!("days from enrolment to the first {}, or to censoring", event.describe())
        }
        OutcomeMeasure::EventRate { event } => {
            format!("number of {} events over the days of exposure", event.describe())
        }
        OutcomeMeasure::Repeated { score, .. } => {
            format!("{} at each time point", score_in_words(score))
        }
    }
}
