//! Outcome-event rows: dated things that happened to a participant (an admission, an arrest, a
//! new job), checked as the outcome-event API checks them and recorded as by the participant's
//! worker.

use kindred_domain::ids::OutcomeEventId;
use kindred_domain::outcome_event::{NewOutcomeEvent, OutcomeEventInput};
use kindred_domain::vocabulary::{
    HospitalisationKind, OutcomeEventKind, PrimarySubstance, Vocabulary,
};
use kindred_storage::{Grant, RecordWork, Session, Write};
use time::{Date, OffsetDateTime};

use super::Field;
use super::csv_reader::{Row, Table};
use super::pass::Checked;
use super::values::{KnownParticipants, RowCheck, SeenKeys};
use crate::policy::Policy;
use crate::{Actor, Result};

/// The columns, named as the outcome-event API names its fields.
pub(super) const FIELDS: &[Field] = &[
    Field { name: "participant_reference", required: true },
    Field { name: "event_reference", required: false },
    Field { name: "kind", required: true },
    Field { name: "occurred_on", required: true },
    Field { name: "substance", required: false },
    Field { name: "hospitalisation_kind", required: false },
    Field { name: "detail", required: false },
];

/// An event to record.
pub(super) struct NewRow {
    grant: Grant<RecordWork>,
    /// The row's `event_reference`, kept so the next import finds the event.
    reference: Option<String>,
    event: NewOutcomeEvent,
}

pub(super) struct OutcomeEvents<'a> {
    policy: &'a Policy,
    actor: &'a Actor,
    today: Date,
    participants: KnownParticipants,
    seen: SeenKeys,
}

impl<'a> OutcomeEvents<'a> {
    pub(super) fn new(policy: &'a Policy, actor: &'a Actor, today: Date) -> Self {
        let (participants, seen) = (KnownParticipants::default(), SeenKeys::default());
        Self { policy, actor, today, participants, seen }
    }

    pub(super) async fn check<M>(
        &mut self,
        session: &mut Session<M>,
        table: &Table,
        row: &Row,
    ) -> Result<Checked<NewRow>> {
        let mut check = RowCheck::new(table, row);
        let facts = self.participants.of_row(session, &mut check, "the event happened to").await?;
        let input = OutcomeEventInput {
            kind: check.term::<OutcomeEventKind>("kind"),
            occurred_on: check.text("occurred_on"),
            substance: check.term::<PrimarySubstance>("substance"),
            hospitalisation_kind: check.term::<HospitalisationKind>("hospitalisation_kind"),
            detail: check.text("detail"),
        };
        let event = NewOutcomeEvent::parse(&input, self.today)
            .map_err(|errors| check.field_errors(&errors))
            .ok();
        let (Some(facts), Some(event), true) = (facts, event, check.problems.is_empty()) else {
            return Ok(Checked::Problems(check.problems));
        };
        let grant = match self.policy.grant::<RecordWork>(self.actor, &facts) {
            Ok(grant) => grant,
            Err(refusal) => {
                check.add("participant_reference", refusal.to_string());
                return Ok(Checked::Problems(check.problems));
            }
        };
        let reference = check.text("event_reference");
        let (field, key, what) = match &reference {
            Some(reference) => {
                ("event_reference", reference.clone(), "this event reference for this participant")
            }
            None => ("occurred_on", natural_key(&event), "this participant's event of this kind"),
        };
        if self.seen.accept(&mut check, field, facts.reference(), key, what).is_none() {
            return Ok(Checked::Problems(check.problems));
        }
        let events = session.outcome_events(&grant).await?;
        let stored = match &reference {
            Some(reference) => match session.outcome_event_by_reference(&grant, reference).await? {
                Some(id) => events.into_iter().find(|e| e.id == id),
                None => None,
            },
            None => events.into_iter().find(|e| natural_key(&e.event) == natural_key(&event)),
        };
        if let Some(stored) = stored {
            let changed = differences(&stored.event, &event);
            if changed.is_empty() {
                return Ok(Checked::Unchanged);
            }
            check.add(
                field,
                format!(
                    "is already in Kindred with other values ({}): an import never overwrites \
                     an outcome event; change it in Kindred, or make the row match",
                    changed.join(", ")
                ),
            );
            return Ok(Checked::Problems(check.problems));
        }
        Ok(Checked::New(NewRow { grant, reference, event }))
    }

    pub(super) async fn write(
        &mut self,
        tx: &mut Session<Write>,
        row: NewRow,
        now: OffsetDateTime,
    ) -> Result<()> {
        let id = OutcomeEventId::generate();
        tx.insert_outcome_event(&row.grant, id, &row.event, self.actor.user_id(), now).await?;
        if let Some(reference) = &row.reference {
            tx.insert_outcome_event_reference(&row.grant, reference, id).await?;
        }
        Ok(())
    }
}

/// An event's natural key: its kind, day and hospitalisation kind
/// (`hospitalisation 2025-03-04 psychiatric`).
fn natural_key(event: &NewOutcomeEvent) -> String {
    let stay = event.hospitalisation_kind.map(|k| format!(" {}", k.code())).unwrap_or_default();
    format!("{} {}{stay}", event.kind.code(), event.occurred_on)
}

/// The fields in which a stored event differs from the row's.
fn differences(stored: &NewOutcomeEvent, row: &NewOutcomeEvent) -> Vec<&'static str> {
    [
        ("kind", stored.kind == row.kind),
        ("occurred_on", stored.occurred_on == row.occurred_on),
        ("substance", stored.substance == row.substance),
        ("hospitalisation_kind", stored.hospitalisation_kind == row.hospitalisation_kind),
        ("detail", stored.detail == row.detail),
    ]
    .into_iter()
    .filter(|(_, same)| !same)
    .map(|(field, _)| field)
    .collect()
}
