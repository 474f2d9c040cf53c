//! Completed-assessment rows: one administration of an instrument a row, its answers in one
//! column per item (`phq9_1`…), checked and scored by the assessments' own code (see
//! [`crate::assessments::check_completed`]), so an imported assessment is what the form would
//! have made of the same answers.

use std::collections::BTreeMap;

use kindred_domain::FieldErrors;
use kindred_domain::assessment::{Assessment, AssessmentInput, AssessmentStatus};
use kindred_domain::instruments::definition::ResponseFormat;
use kindred_domain::instruments::{InstrumentDefinition, library};
use kindred_storage::{RecordWork, Session, Write};
use time::{Date, OffsetDateTime};

use super::Field;
use super::csv_reader::{Row, Table};
use super::pass::Checked;
use super::values::{KnownParticipants, RowCheck, SeenKeys};
use crate::assessments::{Completed, check_completed, write_completed};
use crate::policy::{Blinding, Measurement, Policy};
use crate::{Actor, Result};

/// The fixed columns; every other column is an item of the row's instrument.
pub(super) const FIELDS: &[Field] = &[
    Field { name: "participant_reference", required: true },
    Field { name: "assessment_reference", required: false },
    Field { name: "instrument", required: true },
    Field { name: "administered_on", required: true },
    Field { name: "time_point", required: false },
];

/// An assessment to record, and the row's `assessment_reference` to keep for the next import.
pub(super) struct NewRow {
    completed: Completed,
    reference: Option<String>,
}

pub(super) struct Assessments<'a> {
    policy: &'a Policy,
    actor: &'a Actor,
    today: Date,
    now: OffsetDateTime,
    /// The instruments this organisation can administer: shipped ones first, as
    /// administering by code prefers them.
    instruments: Vec<InstrumentDefinition>,
    participants: KnownParticipants,
    seen: SeenKeys,
}

impl<'a> Assessments<'a> {
    pub(super) async fn load<M>(
        session: &mut Session<M>,
        policy: &'a Policy,
        actor: &'a Actor,
        today: Date,
        now: OffsetDateTime,
    ) -> Result<Self> {
        let mut instruments = library().to_vec();
        instruments.extend(session.org_instruments().await?);
        let (participants, seen) = (KnownParticipants::default(), SeenKeys::default());
        Ok(Self { policy, actor, today, now, instruments, participants, seen })
    }

    pub(super) async fn check<M>(
        &mut self,
        session: &mut Session<M>,
        table: &Table,
        row: &Row,
    ) -> Result<Checked<NewRow>> {
        let mut check = RowCheck::new(table, row);
        let facts = self.participants.of_row(session, &mut check, "who was assessed").await?;
        let definition = check.get("instrument").and_then(|named| {
            let found = self.instrument(named);
            if found.is_none() {
                check.add(
                    "instrument",
                    "is not an instrument of this organisation (give its code, such as phq-9, \
                     or its name)",
                );
            }
            found
        });
        if check.get("administered_on").is_none() {
            check.add("administered_on", "is required: the day the assessment was given");
        }
        let time_point = check.text("time_point");
        if let Some(facts) = &facts
            && time_point.is_some()
            && facts.program_id().is_none()
        {
            check.add("time_point", "is given, but the participant is in no program to have one");
        }
        let (Some(facts), Some(definition), true) = (facts, definition, check.problems.is_empty())
        else {
            return Ok(Checked::Problems(check.problems));
        };
        let blinding = Blinding::of(session, &facts).await?;
        let grant = match self.policy.measure::<RecordWork>(
            self.actor,
            &facts,
            &blinding,
            Measurement::Any,
        ) {
            Ok(grant) => grant,
            Err(refusal) => {
                check.add("participant_reference", refusal.to_string());
                return Ok(Checked::Problems(check.problems));
            }
        };
        let input = AssessmentInput {
            instrument: Some(definition.code.clone()),
            administered_on: check.text("administered_on"),
            program_id: time_point.as_ref().and(facts.program_id()).map(|id| id.to_string()),
            time_point_code: time_point,
            answers: answers(&definition, &row.items),
            complete: true,
            version: None,
        };
        let checked = check_completed(
            session,
            self.policy,
            self.actor,
            grant,
            &blinding,
            &definition,
            &input,
            self.today,
            self.now,
        )
        .await?;
        let completed = match checked {
            Ok(completed) => completed,
            Err(errors) => {
                field_errors(&mut check, &errors);
                return Ok(Checked::Problems(check.problems));
            }
        };
        let reference = check.text("assessment_reference");
        let new = &completed.assessment;
        let (field, key, what) = match &reference {
            Some(reference) => (
                "assessment_reference",
                reference.clone(),
                "this assessment reference for this participant",
            ),
            None => ("administered_on", natural_key(new), "this participant's assessment"),
        };
        if self.seen.accept(&mut check, field, facts.reference(), key, what).is_none() {
            return Ok(Checked::Problems(check.problems));
        }
        let grant = &completed.grant;
        let stored = match &reference {
            Some(reference) => match session.assessment_by_reference(grant, reference).await? {
                Some(id) => session.assessment(grant, id).await?,
                None => None,
            },
            None => session
                .assessments_of_participant(grant)
                .await?
                .into_iter()
                .find(|a| natural_key(a) == natural_key(new)),
        };
        if let Some(stored) = stored {
            let changed = differences(&stored, new);
            if changed.is_empty() {
                return Ok(Checked::Unchanged);
            }
            check.add(
                field,
                format!(
                    "is already in Kindred with other values ({}): an import never overwrites \
                     an assessment; change it in Kindred, or make the row match",
                    changed.join(", ")
                ),
            );
            return Ok(Checked::Problems(check.problems));
        }
        Ok(Checked::New(NewRow { completed, reference }))
    }

    pub(super) async fn write(
        &mut self,
        tx: &mut Session<Write>,
        row: NewRow,
        now: OffsetDateTime,
        today: Date,
    ) -> Result<()> {
        write_completed(tx, self.actor, &row.completed, today, now).await?;
        if let Some(reference) = &row.reference {
            let Completed { grant, assessment, .. } = &row.completed;
            tx.insert_assessment_reference(grant, reference, assessment.id).await?;
        }
        Ok(())
    }

    /// An instrument by its code, short name or title, in any case (`phq-9`, `PHQ-9`).
    fn instrument(&self, named: &str) -> Option<InstrumentDefinition> {
        let named = named.trim().to_lowercase();
        let is = |text: &str| text.to_lowercase() == named;
        self.instruments
            .iter()
            .find(|d| is(&d.code))
            .or_else(|| self.instruments.iter().find(|d| is(&d.short_name) || is(&d.title)))
            .cloned()
    }
}

/// The item columns as the form's answers: a number as given, or a choice by its option's
/// label ("Several days" for 1); anything else is left for the domain to refuse.
fn answers(
    definition: &InstrumentDefinition,
    items: &[(String, String)],
) -> BTreeMap<String, serde_json::Value> {
    let by_label = |item: &str, text: &str| {
        let item = definition.item(item)?;
        let ResponseFormat::Choice { options } = &item.response else { return None };
        options.iter().find(|o| o.label.eq_ignore_ascii_case(text)).map(|o| o.value)
    };
    items
        .iter()
        .map(|(item, text)| {
            let value = match (text.parse::<i64>(), by_label(item, text)) {
                (Err(_), Some(value)) => serde_json::Value::from(value),
                _ => serde_json::Value::from(text.as_str()),
            };
            (item.clone(), value)
        })
        .collect()
}

/// The assessments' verdicts as problems of the row's columns: a time point's program is the
/// participant's, so its problems are the time point's.
fn field_errors(check: &mut RowCheck<'_>, errors: &FieldErrors) {
    for error in errors.iter() {
        let column = match error.field.as_str() {
            "time_point_code" | "program_id" => "time_point",
            item => item,
        };
        check.add(column, error.message.clone());
    }
}

/// An assessment's natural key: its instrument, day and time point (`phq-9 2025-03-04 6m`).
fn natural_key(assessment: &Assessment) -> String {
    let point = assessment.time_point_code.as_deref().map(|p| format!(" {p}")).unwrap_or_default();
    format!("{} {}{point}", assessment.instrument_code, assessment.administered_on)
}

/// What differs between a stored assessment and the row's.
fn differences(stored: &Assessment, row: &Assessment) -> Vec<&'static str> {
    [
        ("status", stored.status == AssessmentStatus::Completed),
        ("instrument", stored.instrument_code == row.instrument_code),
        ("administered_on", stored.administered_on == row.administered_on),
        ("time_point", stored.time_point_code == row.time_point_code),
        ("answers", stored.answers == row.answers),
    ]
    .into_iter()
    .filter(|(_, same)| !same)
    .map(|(field, _)| field)
    .collect()
}
