//! The contacts table: one row per contact with an analysed participant — when (shifted like
//! the participant's other dates, and as a day from enrolment), how long, how, what support
//! and activities, which component, and the coach's pseudonym. Never a note. Rows come in the
//! order stored (sort by `pseudonym` and `contact_day`).

use kindred_domain::vocabulary::{
    Activity, ContactFormat, ContactMode, Setting, SupportKind, Vocabulary,
};
use kindred_storage::ResearchContact;

use super::context::{ExportContext, Member};
use super::table::{Column, ColumnType, Row, Value};

fn vocabulary<V: Vocabulary>() -> impl Iterator<Item = (&'static str, &'static str)> {
    V::ALL.iter().map(|term| (term.code(), term.label()))
}

/// The contacts table's columns.
pub(crate) fn contact_columns(ctx: &ExportContext<'_>) -> Vec<Column> {
    let mut columns = ctx.subjects.columns.clone();
    columns.push(ctx.arm_column());
    columns.push(
        Column::new(
            "contact_on",
            "Contact date",
            ColumnType::Date,
            ctx.date_derivation("had the contact"),
        )
        .identifying_if(ctx.subjects.identified),
    );
    columns.push(
        Column::new(
            "contact_day",
            "Day of contact",
            ColumnType::Integer,
            "days from enrolment (negative before it)",
        )
        .in_unit("days"),
    );
    columns.push(
        Column::new("minutes", "Minutes", ColumnType::Integer, "the contact's length as recorded")
            .in_unit("minutes"),
    );
    columns.push(Column::coded(
        "mode",
        "Mode",
        vocabulary::<ContactMode>(),
        "how the contact took place",
    ));
    columns.push(Column::coded(
        "format",
        "Format",
        vocabulary::<ContactFormat>(),
        "one to one or in a group",
    ));
    columns.push(Column::coded(
        "setting",
        "Setting",
        vocabulary::<Setting>(),
        "where it took place, when recorded",
    ));
    columns.push(Column::new(
        "component",
        "Program component",
        ColumnType::Text,
        "the program component it delivered, when it named one",
    ));
    columns.push(Column::new(
        "in_group_session",
        "Part of a group session",
        ColumnType::Boolean,
        "recorded through a group session's attendance",
    ));
    let kinds: Vec<String> =
        SupportKind::ALL.iter().map(|k| format!("{} ({})", k.code(), k.label())).collect();
    columns.push(Column::new(
        "support_kinds",
        "Support kinds",
        ColumnType::Text,
        format!("the kinds of support given, as codes separated by ';': {}", kinds.join(", ")),
    ));
    let activities: Vec<String> =
        Activity::ALL.iter().map(|a| format!("{} ({})", a.code(), a.label())).collect();
    columns.push(Column::new(
        "activities",
        "Activities",
        ColumnType::Text,
        format!("the activities done, as codes separated by ';': {}", activities.join(", ")),
    ));
    columns.push(Column::new(
        "coach",
        "Coach",
        ColumnType::Text,
        "the pseudonym of the coach who recorded it (the same in the participants table)",
    ));
    columns
}

/// One contact's row, for a member of the export.
pub(crate) fn contact_row(
    ctx: &ExportContext<'_>,
    member: &Member<'_>,
    contact: &ResearchContact,
) -> Row {
    let day = contact.occurred_at.date();
    let mut row = ctx.subjects.identifiers[member.index].clone();
    row.push(ctx.arm_value(member.row.arm));
    row.push(Value::Date(ctx.shifted(member.index, day)));
    row.push((day - member.participant.record.enrolled_on).whole_days().into());
    row.push(i64::from(contact.minutes).into());
    row.push(contact.mode.code().into());
    row.push(contact.format.code().into());
    row.push(Value::optional(contact.setting.map(|s| s.code())));
    row.push(Value::optional(contact.component.as_deref()));
    row.push(contact.in_group.into());
    row.push(joined(&contact.support_kinds).into());
    row.push(joined(&contact.activities).into());
    row.push(Value::Text(ctx.coach_pseudonym(contact.coach_id)));
    row
}

fn joined<V: Vocabulary>(terms: &[V]) -> String {
    terms.iter().map(|t| t.code()).collect::<Vec<_>>().join(";")
}
