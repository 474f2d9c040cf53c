//! Referrals (`referrals`) and their closed loop (`referral_events`).

use std::collections::HashMap;

use kindred_domain::ids::{ConsentId, ParticipantId, ReferralId, ResourceId, UserId};
use kindred_domain::participant::Identity;
use kindred_domain::referral::{ReferralEvent, Sharing};
use kindred_domain::vocabulary::{DisclosureItem, ReferralStatus, Vocabulary};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::{Grant, Identifies, RecordWork, Scope, SeeWork};
use crate::error::decode_code;
use crate::session::{Session, Write, on_conn, scoped_sql};
use crate::{Conflict, Result, StorageError, Timestamp};

/// A referral with the names people read and its loop (oldest step first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReferral {
    pub id: ReferralId,
    pub participant_id: ParticipantId,
    pub resource_id: ResourceId,
    pub organisation_name: String,
    pub service_name: String,
    pub made_by: UserId,
    pub made_by_name: String,
    pub made_on: Date,
    pub status: ReferralStatus,
    /// What was shared and the consent relied on; `None` when nothing was shared.
    pub sharing: Option<Sharing>,
    pub note: Option<String>,
    pub updated_at: OffsetDateTime,
    pub events: Vec<ReferralEvent>,
}

/// A referral still open, with whose it is (for the follow-up list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralFollowUp {
    pub referral: StoredReferral,
    pub participant_reference: String,
    pub participant_name: String,
    pub coach_name: Option<String>,
}

/// A referral to save, with its first step.
#[derive(Debug, Clone)]
pub struct NewReferralRecord<'a> {
    pub id: ReferralId,
    pub resource_id: ResourceId,
    pub made_by: UserId,
    pub made_on: Date,
    pub sharing: Option<&'a Sharing>,
    pub note: Option<&'a str>,
}

#[derive(sqlx::FromRow)]
struct ReferralRow {
    id: Uuid,
    participant_id: Uuid,
    resource_id: Uuid,
    organisation_name: String,
    service_name: String,
    made_by: Uuid,
    made_by_name: String,
    made_on: Date,
    status: String,
    consent_id: Option<Uuid>,
    shared_items: Option<String>,
    note: Option<String>,
    updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct FollowUpRow {
    #[sqlx(flatten)]
    referral: ReferralRow,
    reference: String,
    given_name: String,
    family_name: String,
    preferred_name: Option<String>,
    date_of_birth: Date,
    coach_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    referral_id: Uuid,
    status: String,
    changed_by: Uuid,
    changed_by_name: String,
    changed_at: Timestamp,
    note: Option<String>,
}

impl ReferralRow {
    fn into_stored(self, events: Vec<ReferralEvent>) -> Result<StoredReferral> {
        let sharing = match (self.consent_id, self.shared_items.as_deref()) {
            (Some(consent), Some(items)) => Some(Sharing {
                consent_id: ConsentId(consent),
                items: items
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(decode_code::<DisclosureItem>)
                    .collect::<Result<_>>()?,
            }),
            _ => None,
        };
        Ok(StoredReferral {
            id: ReferralId(self.id),
            participant_id: ParticipantId(self.participant_id),
            resource_id: ResourceId(self.resource_id),
            organisation_name: self.organisation_name,
            service_name: self.service_name,
            made_by: UserId(self.made_by),
            made_by_name: self.made_by_name,
            made_on: self.made_on,
            status: decode_code(&self.status)?,
            sharing,
            note: self.note,
            updated_at: self.updated_at.0,
            events,
        })
    }
}

macro_rules! select_referral {
    ($extra:literal, $joins:literal, $rest:expr) => {
        concat!(
            "SELECT f.id, f.participant_id, f.resource_id, r.organisation_name, r.service_name,
                    f.made_by, u.display_name AS made_by_name, f.made_on, f.status, f.consent_id,
                    f.shared_items, f.note, f.updated_at",
            $extra,
            // The referral's own org_id is bound in this fragment (an inner join's ON is as
            // good as the WHERE) so the fragment is tenant-bound on its own.
            " FROM referrals f
             JOIN resources r ON r.org_id = $1 AND r.id = f.resource_id AND f.org_id = $1
             JOIN users u ON u.org_id = $1 AND u.id = f.made_by ",
            $joins,
            " WHERE f.org_id = $1 ",
            $rest
        )
    };
}

/// Open referrals `f` (status `$3` or `$4`) of participants `p` in the scope: walked in
/// `referrals_by_age` order, the page and its count read the table only for the rows they keep.
macro_rules! open_referrals_from {
    ($scope:literal) => {
        concat!(
            " FROM referrals f
             JOIN participants p ON p.org_id = $1 AND p.id = f.participant_id
             WHERE f.org_id = $1 AND f.status IN ($3, $4) AND ",
            $scope
        )
    };
}

impl<M> Session<M> {
    /// A participant's referrals, newest first, each with its loop.
    pub async fn referrals_of<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
    ) -> Result<Vec<StoredReferral>> {
        let participant = grant.bound_to(self.org_id)?;
        self.load_referrals(participant, None).await
    }

    /// One referral of a participant (another participant's is `None`).
    pub async fn referral<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
        id: ReferralId,
    ) -> Result<Option<StoredReferral>> {
        let participant = grant.bound_to(self.org_id)?;
        Ok(self.load_referrals(participant, Some(id)).await?.into_iter().next())
    }

    async fn load_referrals(
        &mut self,
        participant: Uuid,
        only: Option<ReferralId>,
    ) -> Result<Vec<StoredReferral>> {
        let only = only.map(|r| r.0);
        let (rows, events): (Vec<ReferralRow>, Vec<EventRow>) = on_conn!(self.conn(), c => {
            let rows = c.query_as(select_referral!("", "",
                "AND f.participant_id = $2 AND ($3 IS NULL OR f.id = $3)
                 ORDER BY f.made_on DESC, f.id DESC")).bind(participant).bind(only)
            .fetch_all(&mut *c)
            .await?;
            let events = c.query_as(
                "SELECT e.referral_id, e.status, e.changed_by, u.display_name AS changed_by_name,
                        e.changed_at, e.note
                 FROM referral_events e
                 JOIN referrals f ON f.org_id = e.org_id AND f.id = e.referral_id
                 JOIN users u ON u.org_id = e.org_id AND u.id = e.changed_by
                 WHERE e.org_id = $1 AND f.participant_id = $2 AND ($3 IS NULL OR f.id = $3)
                 ORDER BY e.seq",
            ).bind(participant).bind(only)
            .fetch_all(&mut *c)
            .await?;
            (rows, events)
        });
        let mut events_of: HashMap<Uuid, Vec<ReferralEvent>> = HashMap::new();
        for e in events {
            events_of.entry(e.referral_id).or_default().push(ReferralEvent {
                status: decode_code(&e.status)?,
                changed_by: UserId(e.changed_by),
                changed_by_name: e.changed_by_name,
                changed_at: e.changed_at.0,
                note: e.note,
            });
        }
        rows.into_iter()
            .map(|row| {
                let events = events_of.remove(&row.id).unwrap_or_default();
                row.into_stored(events)
            })
            .collect()
    }

    /// One page of the referrals still open (sent or accepted) for the participants in
    /// `scope`, the longest untouched first: the follow-up list.
    pub async fn open_referrals(
        &mut self,
        scope: &Scope<SeeWork>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ReferralFollowUp>> {
        let open: Vec<&str> =
            [ReferralStatus::Sent, ReferralStatus::Accepted].iter().map(|s| s.code()).collect();
        macro_rules! sql {
            ($scope:literal) => {
                select_referral!(
                    ", p.reference, i.given_name, i.family_name, i.preferred_name, i.date_of_birth,
                       c.display_name AS coach_name",
                    "JOIN participants p ON p.org_id = $1 AND p.id = f.participant_id
                     JOIN participant_identities i ON i.org_id = $1 AND i.participant_id = f.participant_id
                     LEFT JOIN users c ON c.org_id = $1 AND c.id = p.coach_id",
                    concat!(
                        "AND f.id IN (SELECT f.id", open_referrals_from!($scope),
                        " ORDER BY f.updated_at, f.id LIMIT $5 OFFSET $6)
                         ORDER BY f.updated_at, f.id"
                    )
                )
            };
        }
        let rows: Vec<FollowUpRow> = on_conn!(self.conn(), c => {
            c.scoped_query_as(scoped_sql!(scope, sql), scope)?
                .bind(open[0]).bind(open[1]).bind(limit).bind(offset)
                .fetch_all(&mut *c)
                .await?
        });
        rows.into_iter()
            .map(|row| {
                let identity = Identity {
                    given_name: row.given_name,
                    family_name: row.family_name,
                    preferred_name: row.preferred_name,
                    date_of_birth: row.date_of_birth,
                    phone: None,
                    email: None,
                };
                Ok(ReferralFollowUp {
                    referral: row.referral.into_stored(Vec::new())?,
                    participant_reference: row.reference,
                    participant_name: identity.display_name(),
                    coach_name: row.coach_name,
                })
            })
            .collect()
    }

    /// How many referrals [`Session::open_referrals`] would list, counted up to `up_to`.
    pub async fn count_open_referrals(
        &mut self,
        scope: &Scope<SeeWork>,
        up_to: i64,
    ) -> Result<i64> {
        let open: Vec<&str> =
            [ReferralStatus::Sent, ReferralStatus::Accepted].iter().map(|s| s.code()).collect();
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT COUNT(*) FROM (SELECT 1",
                    open_referrals_from!($scope),
                    " LIMIT $5) capped"
                )
            };
        }
        Ok(on_conn!(self.conn(), c => {
            c.scoped_query_scalar(scoped_sql!(scope, sql), scope)?
                .bind(open[0]).bind(open[1]).bind(up_to)
                .fetch_one(&mut *c)
                .await?
        }))
    }
}

impl Session<Write> {
    /// Saves a new referral, sent, with the first step of its loop.
    pub async fn insert_referral(
        &mut self,
        grant: &Grant<RecordWork>,
        new: &NewReferralRecord<'_>,
        now: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let items =
            new.sharing.map(|s| s.items.iter().map(|i| i.code()).collect::<Vec<_>>().join(","));
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO referrals (org_id, id, participant_id, resource_id, made_by, made_on,
                    status, shared, consent_id, shared_items, note, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(new.id.0)
            .bind(participant)
            .bind(new.resource_id.0)
            .bind(new.made_by.0)
            .bind(new.made_on)
            .bind(ReferralStatus::Sent.code())
            .bind(new.sharing.is_some())
            .bind(new.sharing.map(|s| s.consent_id.0))
            .bind(items.as_deref())
            .bind(new.note)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        self.append_referral_event(new.id, ReferralStatus::Sent, new.made_by, now, new.note).await
    }

    /// Moves a referral along its loop, if it is still in `from` (a concurrent move is a
    /// conflict, not a lost update).
    #[allow(
        clippy::too_many_arguments,
        reason = "the grant, the record, the expected and new status, who, when and why: each one the caller decides"
    )]
    pub async fn move_referral(
        &mut self,
        grant: &Grant<RecordWork>,
        id: ReferralId,
        from: ReferralStatus,
        to: ReferralStatus,
        by: UserId,
        now: OffsetDateTime,
        note: Option<&str>,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let updated = on_conn!(self.conn(), c => {
            c.query(
                "UPDATE referrals SET status = $4, updated_at = $5
                 WHERE org_id = $1 AND id = $2 AND status = $3 AND participant_id = $6",
            )
            .bind(id.0)
            .bind(from.code())
            .bind(to.code())
            .bind(Timestamp(now))
            .bind(participant)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if updated != 1 {
            return Err(StorageError::Conflict(Conflict::Changed));
        }
        self.append_referral_event(id, to, by, now, note).await
    }

    async fn append_referral_event(
        &mut self,
        id: ReferralId,
        status: ReferralStatus,
        by: UserId,
        at: OffsetDateTime,
        note: Option<&str>,
    ) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO referral_events (org_id, referral_id, seq, status, changed_by,
                    changed_at, note)
                 VALUES ($1, $2,
                    (SELECT COALESCE(MAX(seq), 0) + 1 FROM referral_events
                     WHERE org_id = $1 AND referral_id = $2),
                    $3, $4, $5, $6)",
            )
            .bind(id.0)
            .bind(status.code())
            .bind(by.0)
            .bind(Timestamp(at))
            .bind(note)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }
}
