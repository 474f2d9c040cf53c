//! Contacts (`contacts`, with `contact_support_kinds` and `contact_activities`), their edit
//! history (`contact_revisions`), and the task changes a contact makes: closing the protocol
//! step it does, closing follow-ups it answers and making the next follow-up.

use std::collections::HashMap;

use kindred_domain::contact::{Contact, ContactFields, FieldChange, NewContact, Revision};
use kindred_domain::ids::{ContactId, GroupSessionId, ParticipantId, TaskId, UserId};
use kindred_domain::participant::display_name;
use kindred_domain::vocabulary::Vocabulary;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::{Grant, Identifies, RecordWork, Scope, SeeWork};
use crate::error::decode_code;
use crate::session::{Session, Write, on_conn, scoped_sql};
use crate::{Conflict, Result, StorageError, Timestamp};

/// A page of contacts, newest first, within the scope or grant it is run over.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContactQuery {
    /// Only the contacts this coach made.
    pub coach: Option<UserId>,
    pub limit: i64,
    pub offset: i64,
}

/// Counts of long lists stop here: past it, a page count means nothing to a person and the
/// exact figure would cost a scan of every contact in the organisation.
pub const COUNT_CAP: i64 = 10_000;

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
    component: Option<String>,
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

/// Contacts `c` of participants `p` matching `$filter` (which binds `$2`) and made by `$3`
/// (if given), then `$rest`.
macro_rules! contacts_where {
    ($columns:expr, $filter:expr, $rest:expr) => {
        concat!(
            "SELECT ",
            $columns,
            " FROM contacts c
             JOIN participants p ON p.org_id = $1 AND p.id = c.participant_id
             WHERE c.org_id = $1 AND ",
            $filter,
            " AND ($3 IS NULL OR c.coach_id = $3) ",
            $rest
        )
    };
}

/// The page (`$4` limit, `$5` offset), newest first.
macro_rules! page_order {
    () => {
        "ORDER BY c.occurred_at DESC, c.id DESC LIMIT $4 OFFSET $5"
    };
}

/// A page of contacts with names, and the support kinds and activities of the same page.
macro_rules! contact_page {
    ($filter:expr) => {
        [
            concat!(
                "SELECT c.id, c.participant_id, i.given_name, i.family_name, i.preferred_name,
                        c.coach_id, u.display_name AS coach_name,
                        c.occurred_at, c.minutes, c.mode, c.format, c.setting, c.component, c.note,
                        c.next_follow_up_on, c.group_session_id, c.task_id, c.version,
                        c.created_at, c.updated_at
                 FROM contacts c
                 JOIN users u ON u.org_id = $1 AND u.id = c.coach_id
                 JOIN participant_identities i ON i.org_id = $1 AND i.participant_id = c.participant_id
                 WHERE c.org_id = $1 AND c.id IN (",
                contacts_where!("c.id", $filter, page_order!()),
                ") ORDER BY c.occurred_at DESC, c.id DESC"
            ),
            concat!(
                "SELECT contact_id, kind FROM contact_support_kinds
                 WHERE org_id = $1 AND contact_id IN (",
                contacts_where!("c.id", $filter, page_order!()),
                ")"
            ),
            concat!(
                "SELECT contact_id, activity FROM contact_activities
                 WHERE org_id = $1 AND contact_id IN (",
                contacts_where!("c.id", $filter, page_order!()),
                ")"
            ),
            concat!(
                "SELECT COUNT(*) FROM (",
                contacts_where!("1", $filter, "LIMIT 10001"),
                ") capped"
            ),
        ]
    };
}

/// One contact of the granted participant (`$2`), by id (`$3`).
macro_rules! one_contact {
    () => {
        "SELECT c.id, c.participant_id, i.given_name, i.family_name, i.preferred_name,
                c.coach_id, u.display_name AS coach_name,
                c.occurred_at, c.minutes, c.mode, c.format, c.setting, c.component, c.note,
                c.next_follow_up_on, c.group_session_id, c.task_id, c.version,
                c.created_at, c.updated_at
         FROM contacts c
         JOIN users u ON u.org_id = $1 AND u.id = c.coach_id
         JOIN participant_identities i ON i.org_id = $1 AND i.participant_id = c.participant_id
         WHERE c.org_id = $1 AND c.participant_id = $2 AND c.id = $3"
    };
}

/// A page of contacts and the total matching (capped at [`COUNT_CAP`] + 1).
#[derive(Debug, Clone)]
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    pub total: i64,
}

impl<M> Session<M> {
    /// Whose contact this is: the participant the policy must grant before it is read.
    pub async fn contact_owner(&mut self, id: ContactId) -> Result<Option<ParticipantId>> {
        let owner: Option<Uuid> = on_conn!(self.conn(), c => {
            c.query_scalar("SELECT participant_id FROM contacts WHERE org_id = $1 AND id = $2")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
        });
        Ok(owner.map(ParticipantId))
    }

    /// One contact of the granted participant.
    pub async fn contact<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
        id: ContactId,
    ) -> Result<Option<Contact>> {
        let participant = grant.bound_to(self.org_id)?;
        let (rows, kinds, activities): (Vec<ContactRow>, Vec<Term>, Vec<Term>) = on_conn!(self.conn(), c => {
            let rows = c.query_as(one_contact!())
                .bind(participant).bind(id.0)
                .fetch_all(&mut *c)
                .await?;
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
            (rows, kinds, activities)
        });
        Ok(assemble(rows, kinds, activities)?.pop())
    }

    /// The granted participant's contacts, newest first, one page.
    pub async fn contacts_of<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
        query: &ContactQuery,
    ) -> Result<ContactPage> {
        let participant = grant.bound_to(self.org_id)?;
        let [page, kinds, activities, count] = contact_page!("c.participant_id = $2");
        self.contact_page([page, kinds, activities, count], Some(participant), query).await
    }

    /// The contacts of every participant in scope, newest first, one page.
    pub async fn contacts(
        &mut self,
        scope: &Scope<SeeWork>,
        query: &ContactQuery,
    ) -> Result<ContactPage> {
        let user = scope.bound_to(self.org_id)?;
        macro_rules! sql {
            ($filter:literal) => {
                contact_page!($filter)
            };
        }
        let texts = scoped_sql!(scope, sql);
        self.contact_page(texts, user, query).await
    }

    /// Runs the page, its terms and its capped count, with `$2` bound to `key`.
    async fn contact_page(
        &mut self,
        [page, kinds, activities, count]: [&'static str; 4],
        key: Option<Uuid>,
        query: &ContactQuery,
    ) -> Result<ContactPage> {
        let coach = query.coach.map(|c| c.0);
        let (rows, kinds, activities, total): (Vec<ContactRow>, Vec<Term>, Vec<Term>, i64) = on_conn!(self.conn(), c => {
            let rows = c.query_as(page).bind(key).bind(coach).bind(query.limit).bind(query.offset)
                .fetch_all(&mut *c).await?;
            let kinds = c.query_as(kinds).bind(key).bind(coach).bind(query.limit).bind(query.offset)
                .fetch_all(&mut *c).await?;
            let activities = c.query_as(activities).bind(key).bind(coach).bind(query.limit).bind(query.offset)
                .fetch_all(&mut *c).await?;
            let total = c.query_scalar(count).bind(key).bind(coach).fetch_one(&mut *c).await?;
            (rows, kinds, activities, total)
        });
        Ok(ContactPage { contacts: assemble(rows, kinds, activities)?, total })
    }

    /// A contact's edits, oldest first (of a contact of the granted participant).
    pub async fn contact_revisions<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
        id: ContactId,
    ) -> Result<Vec<Revision>> {
        let participant = grant.bound_to(self.org_id)?;
        let rows: Vec<RevisionRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT r.revision, r.changed_by, u.display_name AS changed_by_name,
                        r.changed_at, r.changes
                 FROM contact_revisions r
                 JOIN users u ON u.org_id = $1 AND u.id = r.changed_by
                 JOIN contacts c ON c.org_id = $1 AND c.id = r.contact_id
                 WHERE r.org_id = $1 AND r.contact_id = $2 AND c.participant_id = $3
                 ORDER BY r.revision",
            )
            .bind(id.0)
            .bind(participant)
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
                participant_name: display_name(
                    &r.given_name,
                    r.preferred_name.as_deref(),
                    &r.family_name,
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
                    component: r.component,
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
        grant: &Grant<RecordWork>,
        id: ContactId,
        coach: UserId,
        contact: &NewContact,
        group_session: Option<GroupSessionId>,
        now: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let f = &contact.fields;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO contacts (org_id, id, participant_id, coach_id, occurred_at, minutes,
                    mode, format, setting, note, next_follow_up_on, group_session_id, task_id,
                    version, created_at, updated_at, component)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14, $15)",
            )
            .bind(id.0)
            .bind(participant)
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
            .bind(f.component.as_deref())
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
    #[allow(
        clippy::too_many_arguments,
        reason = "the grant, the record, its version, the edit and its history, who and when: each one the caller decides, none derivable from another"
    )]
    pub async fn update_contact(
        &mut self,
        grant: &Grant<RecordWork>,
        id: ContactId,
        version: i64,
        fields: &ContactFields,
        changes: &[FieldChange],
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let changes = serde_json::to_string(changes)
            .map_err(|e| StorageError::Corrupt(format!("contact revision: {e}")))?;
        let updated = on_conn!(self.conn(), c => {
            let updated = c.query(
                "UPDATE contacts SET occurred_at = $4, minutes = $5, mode = $6, format = $7,
                    setting = $8, note = $9, next_follow_up_on = $10, version = version + 1,
                    updated_at = $11, component = $13
                 WHERE org_id = $1 AND id = $2 AND version = $3 AND participant_id = $12",
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
            .bind(participant)
            .bind(fields.component.as_deref())
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
            return Err(StorageError::Conflict(Conflict::Changed));
        }
        self.write_contact_terms(id, fields).await
    }

    /// Marks a task of the granted participant done by a contact on `on`. Only an open task
    /// is closed; returns whether it was.
    pub async fn complete_task(
        &mut self,
        grant: &Grant<RecordWork>,
        task: TaskId,
        contact: ContactId,
        on: Date,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let participant = grant.bound_to(self.org_id)?;
        let updated = on_conn!(self.conn(), c => {
            c.query(
                "UPDATE tasks SET status = 'done', completed_on = $3, completed_at = $4,
                    completed_by = $5, contact_id = $6
                 WHERE org_id = $1 AND id = $2 AND status = 'open' AND participant_id = $7",
            )
            .bind(task.0)
            .bind(on)
            .bind(Timestamp(now))
            .bind(by.0)
            .bind(contact.0)
            .bind(participant)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        Ok(updated == 1)
    }

    /// Closes a participant's open follow-up tasks due on or before `on`; returns how many.
    pub async fn complete_follow_ups(
        &mut self,
        grant: &Grant<RecordWork>,
        contact: ContactId,
        on: Date,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<u64> {
        let participant = grant.bound_to(self.org_id)?;
        Ok(on_conn!(self.conn(), c => {
            c.query(
                "UPDATE tasks SET status = 'done', completed_on = $3, completed_at = $4,
                    completed_by = $5, contact_id = $6
                 WHERE org_id = $1 AND participant_id = $2 AND kind = 'follow_up'
                   AND status = 'open' AND due_on <= $3",
            )
            .bind(participant)
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
        grant: &Grant<RecordWork>,
        assignee: UserId,
        due: Date,
        now: OffsetDateTime,
    ) -> Result<TaskId> {
        let participant = grant.bound_to(self.org_id)?;
        let id = TaskId::generate();
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO tasks (org_id, id, participant_id, kind, assignee_id, title,
                    opens_on, due_on, status, created_at)
                 VALUES ($1, $2, $3, 'follow_up', $4, 'Follow-up contact', $5, $5, 'open', $6)",
            )
            .bind(id.0)
            .bind(participant)
            .bind(assignee.0)
            .bind(due)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        Ok(id)
    }
}
