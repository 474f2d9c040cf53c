//! Contacts (`contacts`, with `contact_support_kinds` and `contact_activities`), their edit
//! history (`contact_revisions`), and the task changes a contact makes: closing the protocol
//! step it does, closing follow-ups it answers and making the next follow-up.

use std::collections::HashMap;

use kindred_domain::contact::{Contact, ContactFields, FieldChange, NewContact, Revision};
use kindred_domain::ids::{ContactId, GroupSessionId, ParticipantId, TaskId, UserId};
use kindred_domain::vocabulary::Vocabulary;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::error::decode_code;
use crate::session::{Session, Write, on_conn};
use crate::{Result, StorageError, Timestamp};

/// Which contacts to list, newest first. Filters add up; none at all is the organisation.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContactQuery {
    pub participant: Option<ParticipantId>,
    /// One coach's contacts.
    pub coach: Option<UserId>,
    /// A supervisor's team: contacts by the supervisor or by the coaches they supervise.
    pub team_of: Option<UserId>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(sqlx::FromRow)]
struct ContactRow {
    id: Uuid,
    participant_id: Uuid,
    given_name: String,
    family_name: String,
    preferred_name: Option<String>,
    coach_id: Uuid,
    coach_name: String,
    occurred_at: Timestamp,
    minutes: i32,
    mode: String,
    format: String,
    setting: Option<String>,
    note: Option<String>,
    next_follow_up_on: Option<Date>,
    group_session_id: Option<Uuid>,
    task_id: Option<Uuid>,
    version: i64,
    created_at: Timestamp,
    updated_at: Timestamp,
}

/// A contact's support kind or activity code.
type Term = (Uuid, String);

#[derive(sqlx::FromRow)]
struct RevisionRow {
    revision: i32,
    changed_by: Uuid,
    changed_by_name: String,
    changed_at: Timestamp,
    changes: String,
}

/// The filters of [`ContactQuery`] on contacts `c` (`$2` participant, `$3` coach, `$4` team).
macro_rules! contact_query {
    () => {
        "c.org_id = $1 AND ($2 IS NULL OR c.participant_id = $2)
         AND ($3 IS NULL OR c.coach_id = $3)
         AND ($4 IS NULL OR c.coach_id = $4 OR c.coach_id IN
              (SELECT t.id FROM users t WHERE t.org_id = c.org_id AND t.supervisor_id = $4))"
    };
}

/// The ids of one page of contacts (`$5` limit, `$6` offset).
macro_rules! contact_page {
    () => {
        concat!(
            "SELECT c.id FROM contacts c WHERE ",
            contact_query!(),
            " ORDER BY c.occurred_at DESC, c.id LIMIT $5 OFFSET $6"
        )
    };
}

macro_rules! select_contact {
    ($rest:expr) => {
        concat!(
            "SELECT c.id, c.participant_id, i.given_name, i.family_name, i.preferred_name,
                    c.coach_id, u.display_name AS coach_name,
                    c.occurred_at, c.minutes, c.mode, c.format, c.setting, c.note,
                    c.next_follow_up_on, c.group_session_id, c.task_id, c.version,
                    c.created_at, c.updated_at
             FROM contacts c JOIN users u ON u.org_id = c.org_id AND u.id = c.coach_id
             JOIN participant_identities i
               ON i.org_id = c.org_id AND i.participant_id = c.participant_id ",
            $rest
        )
    };
}

impl<M> Session<M> {
    pub async fn contact(&mut self, id: ContactId) -> Result<Option<Contact>> {
        let row: Option<ContactRow> = on_conn!(self.conn(), c => {
            c.query_as(select_contact!("WHERE c.org_id = $1 AND c.id = $2"))
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
        });
        let Some(row) = row else { return Ok(None) };
        let (kinds, activities): (Vec<Term>, Vec<Term>) = on_conn!(self.conn(), c => {
            let kinds = c.query_as(
                "SELECT contact_id, kind FROM contact_support_kinds
                 WHERE org_id = $1 AND contact_id = $2",
            ).bind(id.0)
            .fetch_all(&mut *c)
            .await?;
            let activities = c.query_as(
                "SELECT contact_id, activity FROM contact_activities
                 WHERE org_id = $1 AND contact_id = $2",
            ).bind(id.0)
            .fetch_all(&mut *c)
            .await?;
            (kinds, activities)
        });
        Ok(assemble(vec![row], kinds, activities)?.pop())
    }

    /// Contacts matching `query`, newest first, one page.
    pub async fn contacts(&mut self, query: &ContactQuery) -> Result<Vec<Contact>> {
        let participant = query.participant.map(|p| p.0);
        let coach = query.coach.map(|c| c.0);
        let team = query.team_of.map(|t| t.0);
        let (rows, kinds, activities): (Vec<ContactRow>, Vec<Term>, Vec<Term>) = on_conn!(self.conn(), c => {
            let rows = c.query_as(select_contact!(concat!(
                "WHERE ", contact_query!(),
                " ORDER BY c.occurred_at DESC, c.id LIMIT $5 OFFSET $6"
            ))).bind(participant).bind(coach).bind(team)
            .bind(query.limit).bind(query.offset)
            .fetch_all(&mut *c)
            .await?;
            let kinds = c.query_as(concat!(
                "SELECT contact_id, kind FROM contact_support_kinds
                 WHERE org_id = $1 AND contact_id IN (", contact_page!(), ")"
            )).bind(participant).bind(coach).bind(team)
            .bind(query.limit).bind(query.offset)
            .fetch_all(&mut *c)
            .await?;
            let activities = c.query_as(concat!(
                "SELECT contact_id, activity FROM contact_activities
                 WHERE org_id = $1 AND contact_id IN (", contact_page!(), ")"
            )).bind(participant).bind(coach).bind(team)
            .bind(query.limit).bind(query.offset)
            .fetch_all(&mut *c)
            .await?;
            (rows, kinds, activities)
        });
        assemble(rows, kinds, activities)
    }

    /// How many contacts match `query` (for paging).
    pub async fn count_contacts(&mut self, query: &ContactQuery) -> Result<i64> {
        let participant = query.participant.map(|p| p.0);
        let coach = query.coach.map(|c| c.0);
        let team = query.team_of.map(|t| t.0);
        Ok(on_conn!(self.conn(), c => {
            c.query_scalar::<i64>(concat!(
                "SELECT COUNT(*) FROM contacts c WHERE ", contact_query!()
            )).bind(participant).bind(coach).bind(team)
            .fetch_one(&mut *c)
            .await?
        }))
    }

    /// A contact's edits, oldest first.
    pub async fn contact_revisions(&mut self, id: ContactId) -> Result<Vec<Revision>> {
        let rows: Vec<RevisionRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT r.revision, r.changed_by, u.display_name AS changed_by_name,
                        r.changed_at, r.changes
                 FROM contact_revisions r
                 JOIN users u ON u.org_id = r.org_id AND u.id = r.changed_by
                 WHERE r.org_id = $1 AND r.contact_id = $2
                 ORDER BY r.revision",
            )
            .bind(id.0)
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                let changes: Vec<FieldChange> = serde_json::from_str(&r.changes)
                    .map_err(|e| StorageError::Corrupt(format!("contact revision: {e}")))?;
                Ok(Revision {
                    revision: r.revision,
                    changed_by: UserId(r.changed_by),
                    changed_by_name: r.changed_by_name,
                    changed_at: r.changed_at.0,
                    changes,
                })
            })
            .collect()
    }
}

fn assemble(
    rows: Vec<ContactRow>,
    kinds: Vec<Term>,
    activities: Vec<Term>,
) -> Result<Vec<Contact>> {
    let mut kinds_of: HashMap<Uuid, Vec<_>> = HashMap::new();
    for (id, kind) in kinds {
        kinds_of.entry(id).or_default().push(decode_code(&kind)?);
    }
    let mut activities_of: HashMap<Uuid, Vec<_>> = HashMap::new();
    for (id, activity) in activities {
        activities_of.entry(id).or_default().push(decode_code(&activity)?);
    }
    rows.into_iter()
        .map(|r| {
            let mut support_kinds = kinds_of.remove(&r.id).unwrap_or_default();
            support_kinds.sort();
            let mut activities = activities_of.remove(&r.id).unwrap_or_default();
            activities.sort();
            Ok(Contact {
                id: ContactId(r.id),
                participant_id: ParticipantId(r.participant_id),
                participant_name: format!(
                    "{} {}",
                    r.preferred_name.as_deref().unwrap_or(&r.given_name),
                    r.family_name
                ),
                coach_id: UserId(r.coach_id),
                coach_name: r.coach_name,
                fields: ContactFields {
                    occurred_at: r.occurred_at.0,
                    minutes: r.minutes,
                    mode: decode_code(&r.mode)?,
                    format: decode_code(&r.format)?,
                    support_kinds,
                    activities,
                    setting: r.setting.as_deref().map(decode_code).transpose()?,
                    note: r.note,
                    next_follow_up_on: r.next_follow_up_on,
                },
                group_session_id: r.group_session_id.map(GroupSessionId),
                task_id: r.task_id.map(TaskId),
                version: r.version,
                created_at: r.created_at.0,
                updated_at: r.updated_at.0,
            })
        })
        .collect()
}

impl Session<Write> {
    /// Saves a new contact with its support kinds and activities.
    pub async fn insert_contact(
        &mut self,
        id: ContactId,
        coach: UserId,
        contact: &NewContact,
        group_session: Option<GroupSessionId>,
        now: OffsetDateTime,
    ) -> Result<()> {
        let f = &contact.fields;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO contacts (org_id, id, participant_id, coach_id, occurred_at, minutes,
                    mode, format, setting, note, next_follow_up_on, group_session_id, task_id,
                    version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14)",
            )
            .bind(id.0)
            .bind(contact.participant_id.0)
            .bind(coach.0)
            .bind(Timestamp(f.occurred_at))
            .bind(f.minutes)
            .bind(f.mode.code())
            .bind(f.format.code())
            .bind(f.setting.map(|s| s.code()))
            .bind(f.note.as_deref())
            .bind(f.next_follow_up_on)
            .bind(group_session.map(|g| g.0))
            .bind(contact.task_id.map(|t| t.0))
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        self.write_contact_terms(id, f).await
    }

    /// Replaces the kinds and activities of a contact.
    async fn write_contact_terms(&mut self, id: ContactId, f: &ContactFields) -> Result<()> {
        let kinds: Vec<&str> = f.support_kinds.iter().map(|k| k.code()).collect();
        let activities: Vec<&str> = f.activities.iter().map(|a| a.code()).collect();
        on_conn!(self.conn(), c => {
            c.query("DELETE FROM contact_support_kinds WHERE org_id = $1 AND contact_id = $2").bind(id.0).execute(&mut *c).await?;
            c.query("DELETE FROM contact_activities WHERE org_id = $1 AND contact_id = $2").bind(id.0).execute(&mut *c).await?;
            for kind in &kinds {
                c.query(
                    "INSERT INTO contact_support_kinds (org_id, contact_id, kind) VALUES ($1, $2, $3)",
                ).bind(id.0).bind(*kind)
                .execute(&mut *c)
                .await?;
            }
            for activity in &activities {
                c.query(
                    "INSERT INTO contact_activities (org_id, contact_id, activity) VALUES ($1, $2, $3)",
                ).bind(id.0).bind(*activity)
                .execute(&mut *c)
                .await?;
            }
        });
        Ok(())
    }

    /// Saves an edit and its revision (what it replaced). `version` is the version edited; a
    /// contact changed meanwhile is a conflict.
    pub async fn update_contact(
        &mut self,
        id: ContactId,
        version: i64,
        fields: &ContactFields,
        changes: &[FieldChange],
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<()> {
        let changes = serde_json::to_string(changes)
            .map_err(|e| StorageError::Corrupt(format!("contact revision: {e}")))?;
        let updated = on_conn!(self.conn(), c => {
            let updated = c.query(
                "UPDATE contacts SET occurred_at = $4, minutes = $5, mode = $6, format = $7,
                    setting = $8, note = $9, next_follow_up_on = $10, version = version + 1,
                    updated_at = $11
                 WHERE org_id = $1 AND id = $2 AND version = $3",
            )
            .bind(id.0)
            .bind(version)
            .bind(Timestamp(fields.occurred_at))
            .bind(fields.minutes)
            .bind(fields.mode.code())
            .bind(fields.format.code())
            .bind(fields.setting.map(|s| s.code()))
            .bind(fields.note.as_deref())
            .bind(fields.next_follow_up_on)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?
            .rows_affected();
            if updated == 1 {
                c.query(
                    "INSERT INTO contact_revisions (org_id, contact_id, revision, changed_by,
                        changed_at, changes)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id.0)
                .bind(i32::try_from(version).unwrap_or(i32::MAX))
                .bind(by.0)
                .bind(Timestamp(now))
                .bind(&changes)
                .execute(&mut *c)
                .await?;
            }
            updated
        });
        if updated != 1 {
            return Err(StorageError::Conflict("the contact was changed meanwhile".into()));
        }
        self.write_contact_terms(id, fields).await
    }

    /// Marks a task done by a contact on `on`. Only an open task is closed; returns whether
    /// it was.
    pub async fn complete_task(
        &mut self,
        task: TaskId,
        contact: ContactId,
        on: Date,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let updated = on_conn!(self.conn(), c => {
            c.query(
                "UPDATE tasks SET status = 'done', completed_on = $3, completed_at = $4,
                    completed_by = $5, contact_id = $6
                 WHERE org_id = $1 AND id = $2 AND status = 'open'",
            )
            .bind(task.0)
            .bind(on)
            .bind(Timestamp(now))
            .bind(by.0)
            .bind(contact.0)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        Ok(updated == 1)
    }

    /// Closes a participant's open follow-up tasks due on or before `on`; returns how many.
    pub async fn complete_follow_ups(
        &mut self,
        participant: ParticipantId,
        contact: ContactId,
        on: Date,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<u64> {
        Ok(on_conn!(self.conn(), c => {
            c.query(
                "UPDATE tasks SET status = 'done', completed_on = $3, completed_at = $4,
                    completed_by = $5, contact_id = $6
                 WHERE org_id = $1 AND participant_id = $2 AND kind = 'follow_up'
                   AND status = 'open' AND due_on <= $3",
            )
            .bind(participant.0)
            .bind(on)
            .bind(Timestamp(now))
            .bind(by.0)
            .bind(contact.0)
            .execute(&mut *c)
            .await?
            .rows_affected()
        }))
    }

    /// Makes a follow-up task for `assignee`, due (and open) on `due`.
    pub async fn insert_follow_up_task(
        &mut self,
        participant: ParticipantId,
        assignee: UserId,
        due: Date,
        now: OffsetDateTime,
    ) -> Result<TaskId> {
        let id = TaskId::generate();
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO tasks (org_id, id, participant_id, kind, assignee_id, title,
                    opens_on, due_on, status, created_at)
                 VALUES ($1, $2, $3, 'follow_up', $4, 'Follow-up contact', $5, $5, 'open', $6)",
            )
            .bind(id.0)
            .bind(participant.0)
            .bind(assignee.0)
            .bind(due)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        Ok(id)
    }
}
