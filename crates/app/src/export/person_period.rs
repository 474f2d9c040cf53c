//! The person-period table: one row per participant and time point of their program's
//! schedule — the window, the follow-up status at the data cut-off, and each instrument's
//! score and band from the assessment given for that time point.

use std::collections::BTreeSet;

use kindred_domain::follow_up::FollowUpStatus;
use kindred_domain::follow_up_log::{Evidence, statuses};
use kindred_domain::vocabulary::{AdministrativeReason, Vocabulary};

use super::context::{ExportContext, column_name};
use super::table::{Column, ColumnType, Row, Value};

const STATUSES: [FollowUpStatus; 5] = [
    FollowUpStatus::NotYetDue,
    FollowUpStatus::WindowOpen,
    FollowUpStatus::CompletedInWindow,
    FollowUpStatus::CompletedLate,
    FollowUpStatus::Missed,
];

/// The columns and rows of the person-period table.
pub(crate) fn person_period_table(ctx: &ExportContext<'_>) -> (Vec<Column>, Vec<Row>) {
    // One score and band column per instrument given for a time point, in code order.
    let instruments: BTreeSet<&str> = ctx
        .members()
        .flat_map(|m| m.participant.record.assessments.iter())
        .filter(|a| a.time_point.is_some())
        .map(|a| a.instrument.as_str())
        .collect();
    let mut columns = ctx.subjects.columns.clone();
    columns.push(ctx.arm_column());
    columns.push(Column::new(
        "time_point",
        "Time point",
        ColumnType::Text,
        "the code of the program schedule's time point",
    ));
    columns.push(Column::new(
        "time_point_label",
        "Time point (label)",
        ColumnType::Text,
        "the time point's name in the schedule",
    ));
    columns.push(Column::new(
        "position",
        "Order in the schedule",
        ColumnType::Integer,
        "0 for the first time point",
    ));
    columns.push(
        Column::new(
            "target_day",
            "Target day",
            ColumnType::Integer,
            "days from enrolment the assessment is due",
        )
        .in_unit("days"),
    );
    columns.push(
        Column::new("window_opens_day", "Window opens", ColumnType::Integer, "days from enrolment")
            .in_unit("days"),
    );
    columns.push(
        Column::new(
            "window_closes_day",
            "Window closes",
            ColumnType::Integer,
            "days from enrolment",
        )
        .in_unit("days"),
    );
    let mut status_values: Vec<(&str, &str)> =
        STATUSES.iter().map(|s| (s.code(), s.label())).collect();
    status_values.push(("administrative", "Administrative (not counted)"));
    columns.push(Column::coded(
        "follow_up_status",
        "Follow-up status",
        status_values,
        "at the data cut-off, from the window and the first completed assessment",
    ));
    columns.push(Column::coded(
        "administrative_reason",
        "Why not counted",
        AdministrativeReason::ALL.iter().map(|r| (r.code(), r.label())),
        "for an administrative status: the recorded reason",
    ));
    columns.push(
        Column::new(
            "assessed_on",
            "Assessed on",
            ColumnType::Date,
            ctx.date_derivation("completed the first assessment for this time point"),
        )
        .identifying_if(ctx.subjects.identified),
    );
    columns.push(
        Column::new(
            "assessed_day",
            "Day assessed",
            ColumnType::Integer,
            "days from enrolment to that assessment",
        )
        .in_unit("days"),
    );
    for instrument in &instruments {
        let name = column_name(instrument);
        columns.push(Column::new(format!("{name}_score"), format!("{instrument}: total score"), ColumnType::Number, format!("the headline score of the {instrument} given for this time point; empty when not given or not scorable")));
        columns.push(Column::new(
            format!("{name}_band"),
            format!("{instrument}: band"),
            ColumnType::Text,
            format!("the band of that {instrument} score"),
        ));
    }

    let none = Evidence::default();
    let mut rows = Vec::new();
    for m in ctx.members() {
        let facts = &ctx.loaded.facts[m.index];
        let Some(schedule) = facts.program_id.and_then(|p| ctx.loaded.schedules.get(&p)) else {
            continue;
        };
        let record = &m.participant.record;
        let evidence = ctx.evidence.get(&facts.id).unwrap_or(&none);
        let points = statuses(schedule, record.enrolled_on, evidence, ctx.loaded.cut_off);
        for (position, (point, planned)) in points.iter().zip(&schedule.points).enumerate() {
            let tp = &planned.time_point;
            let mut row = ctx.subjects.identifiers[m.index].clone();
            row.push(ctx.arm_value(m.row.arm));
            row.push(point.code.as_str().into());
            row.push(point.label.as_str().into());
            row.push(i64::try_from(position).unwrap_or(i64::MAX).into());
            row.push(i64::from(tp.target_day).into());
            row.push(i64::from(tp.window_start_day).into());
            row.push(i64::from(tp.window_end_day).into());
            row.push(point.status.code().into());
            row.push(match point.status {
                FollowUpStatus::Administrative(reason) => reason.code().into(),
                _ => Value::Null,
            });
            row.push(Value::optional(point.completed_on.map(|day| ctx.shifted(m.index, day))));
            row.push(Value::optional(
                point.completed_on.map(|day| (day - record.enrolled_on).whole_days()),
            ));
            for instrument in &instruments {
                let given = record
                    .assessments
                    .iter()
                    .filter(|a| {
                        a.instrument == *instrument
                            && a.time_point.as_deref() == Some(point.code.as_str())
                    })
                    .min_by_key(|a| a.administered_on);
                row.push(Value::optional(given.and_then(|a| a.total)));
                row.push(Value::optional(given.and_then(|a| a.band.as_deref())));
            }
            rows.push(row);
        }
    }
    (columns, rows)
}
