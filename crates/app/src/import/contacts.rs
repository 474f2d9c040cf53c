//! Contact rows: a participant's past contacts, found by the participant's reference and kept
//! apart from new work (an imported contact is history: it does not do protocol steps, close
//! follow-ups or make new ones, which belong to contacts logged as they happen).

use std::collections::HashMap;

use kindred_domain::contact::{
    ContactFields, ContactInput, NewContact, check_component, moment_input,
};
use kindred_domain::ids::{ContactId, ProgramId, UserId};
use kindred_domain::vocabulary::{
    Activity, ContactFormat, ContactMode, Setting, SupportKind, Vocabulary,
};
use kindred_storage::{Grant, RecordWork, Session, Write};
use time::OffsetDateTime;

use super::Field;
use super::csv_reader::{Row, Table};
use super::pass::Checked;
use super::values::{Directory, KnownParticipants, RowCheck, SeenKeys};
use crate::contacts::program_components;
use crate::policy::Policy;
use crate::{Actor, Result};

pub(super) const FIELDS: &[Field] = &[
    Field { name: "participant_reference", required: true },
    Field { name: "contact_reference", required: false },
    Field { name: "occurred_at", required: true },
    Field { name: "minutes", required: false },
    Field { name: "mode", required: true },
    Field { name: "format", required: false },
    Field { name: "support_kinds", required: true },
    Field { name: "activities", required: false },
    Field { name: "setting", required: false },
    Field { name: "component", required: false },
    Field { name: "note", required: false },
    Field { name: "coach_id", required: false },
];

/// A contact to record.
pub(super) struct NewRow {
    grant: Grant<RecordWork>,
    reference: String,
    coach: UserId,
    contact: NewContact,
}

pub(super) struct Contacts<'a> {
    policy: &'a Policy,
    actor: &'a Actor,
    now: OffsetDateTime,
    directory: Directory,
    participants: KnownParticipants,
    components: HashMap<ProgramId, Vec<String>>,
    seen: SeenKeys,
}

impl<'a> Contacts<'a> {
    pub(super) async fn load<M>(
        session: &mut Session<M>,
        policy: &'a Policy,
        actor: &'a Actor,
        now: OffsetDateTime,
    ) -> Result<Self> {
        let directory = Directory::new(session.programs().await?, session.users().await?);
        Ok(Self {
            policy,
            actor,
            now,
            directory,
            participants: KnownParticipants::default(),
            components: HashMap::new(),
            seen: SeenKeys::default(),
        })
    }

    pub(super) async fn check<M>(
        &mut self,
        session: &mut Session<M>,
        table: &Table,
        row: &Row,
    ) -> Result<Checked<NewRow>> {
        let mut check = RowCheck::new(table, row);
        let facts = self.participants.of_row(session, &mut check, "the contact was with").await?;
        let fields = match ContactFields::parse_history(&self.input(&mut check), self.now) {
            Ok(fields) => Some(fields),
            Err(errors) => {
                check.field_errors(&errors);
                None
            }
        };
        let (Some(facts), Some(fields), true) = (facts, fields, check.problems.is_empty()) else {
            return Ok(Checked::Problems(check.problems));
        };
        let grant = match self.policy.grant::<RecordWork>(self.actor, &facts) {
            Ok(grant) => grant,
            Err(refusal) => {
                check.add("participant_reference", refusal.to_string());
                return Ok(Checked::Problems(check.problems));
            }
        };
        let components = match facts.program_id() {
            Some(program) => match self.components.get(&program) {
                Some(names) => names.clone(),
                None => {
                    let names = program_components(session, &facts).await?;
                    self.components.insert(program, names.clone());
                    names
                }
            },
            None => Vec::new(),
        };
        if let Err(reason) =
            check_component(fields.component.as_deref(), components.iter().map(String::as_str))
        {
            check.add("component", reason);
        }
        let coach = match check.get("coach_id") {
            Some(named) => {
                self.directory.coach(named).map(|c| c.id).map_err(|r| check.add("coach_id", r)).ok()
            }
            None if facts.coach_id().is_some() => facts.coach_id(),
            None => {
                check.add(
                    "coach_id",
                    "is needed: the participant has no coach to credit the contact to",
                );
                None
            }
        };
        let reference = self.reference(&mut check, facts.reference(), &fields);
        let (Some(coach), Some(reference), true) = (coach, reference, check.problems.is_empty())
        else {
            return Ok(Checked::Problems(check.problems));
        };
        if let Some(existing) = session.contact_by_reference(&grant, &reference).await? {
            let stored = session.contact(&grant, existing).await?;
            let changes = stored.map(|c| {
                let mut changed: Vec<String> =
                    fields.changes_from(&c.fields).into_iter().map(|c| c.field).collect();
                if c.coach_id != coach {
                    changed.push("coach_id".into());
                }
                changed
            });
            return Ok(match changes {
                Some(changed) if changed.is_empty() => Checked::Unchanged,
                _ => {
                    let changed = changes.unwrap_or_default().join(", ");
                    check.add(
                        "contact_reference",
                        format!(
                            "was imported before with other values ({changed}): an import never \
                             overwrites a contact; change it in Kindred, or make the row match"
                        ),
                    );
                    Checked::Problems(check.problems)
                }
            });
        }
        let contact = NewContact { participant_id: facts.id(), task_id: None, fields };
        Ok(Checked::New(NewRow { grant, reference, coach, contact }))
    }

    pub(super) async fn write(
        &mut self,
        tx: &mut Session<Write>,
        row: NewRow,
        now: OffsetDateTime,
    ) -> Result<()> {
        let id = ContactId::generate();
        tx.insert_contact(&row.grant, id, row.coach, &row.contact, None, now).await?;
        tx.insert_contact_reference(&row.grant, &row.reference, id).await?;
        Ok(())
    }

    /// The contact's key: its `contact_reference`, or, in a file without that column, its
    /// time and mode (`2025-03-04T10:30 phone`). Unique per participant in the file.
    fn reference(
        &mut self,
        check: &mut RowCheck<'_>,
        participant: &str,
        fields: &ContactFields,
    ) -> Option<String> {
        let (field, reference, what) = match check.text("contact_reference") {
            Some(reference) => {
                ("contact_reference", reference, "this contact reference for this participant")
            }
            None => (
                "occurred_at",
                format!("{} {}", moment_input(fields.occurred_at), fields.mode.code()),
                "this participant's contact at this time by this mode",
            ),
        };
        self.seen.accept(check, field, participant, reference, what)
    }

    /// The row as the contact form's input: terms as codes, the time as the form writes it.
    fn input(&self, check: &mut RowCheck<'_>) -> ContactInput {
        ContactInput {
            participant_id: None,
            occurred_at: check.get("occurred_at").map(moment_text),
            minutes: check.text("minutes"),
            mode: check.term::<ContactMode>("mode"),
            format: check.term::<ContactFormat>("format"),
            support_kinds: check.terms::<SupportKind>("support_kinds"),
            activities: check.terms::<Activity>("activities"),
            task_id: None,
            setting: check.term::<Setting>("setting"),
            component: check.text("component"),
            note: check.text("note"),
            next_follow_up_on: None,
        }
    }
}

/// `YYYY-MM-DD` (the day, at midnight) and `YYYY-MM-DD HH:MM` as the form's
/// `YYYY-MM-DDTHH:MM`; anything else is left for the domain to refuse with its message.
fn moment_text(text: &str) -> String {
    let is_day = text.len() == 10 && text.as_bytes().get(4) == Some(&b'-');
    if is_day {
        format!("{text}T00:00")
    } else if text.len() >= 16 && text.as_bytes().get(10) == Some(&b' ') {
        text.replacen(' ', "T", 1)
    } else {
        text.to_owned()
    }
}
