//! Supervision sessions and boundary concerns.

use kindred_domain::ids::{ParticipantId, UserId};
use kindred_domain::supervision::{NewBoundaryConcern, NewSupervisionSession, Resolution};
use kindred_domain::vocabulary::{ConcernCategory, ConcernStatus, SupervisionFormat, Vocabulary};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::error::decode_code;
use crate::session::{Session, Write, on_conn};
use crate::{Result, StorageError, Timestamp};

/// A supervision session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisionSession {
    pub id: Uuid,
    pub supervisor_id: UserId,
    pub supervisor_name: String,
    pub coach_id: UserId,
    pub coach_name: String,
    pub held_on: Date,
    pub minutes: i32,
    pub format: SupervisionFormat,
    pub topics: String,
    pub notes: Option<String>,
}

/// A boundary concern as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryConcern {
    pub id: Uuid,
    pub coach_id: UserId,
    pub coach_name: String,
    pub participant_id: Option<ParticipantId>,
    pub participant_reference: Option<String>,
    pub raised_by: UserId,
    pub raised_on: Date,
    pub category: ConcernCategory,
    pub description: String,
    pub status: ConcernStatus,
    pub resolution: Option<String>,
    pub resolved_on: Option<Date>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: Uuid,
    supervisor_id: Uuid,
    supervisor_name: String,
    coach_id: Uuid,
    coach_name: String,
    held_on: Date,
    minutes: i32,
    format: String,
    topics: String,
    notes: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ConcernRow {
    id: Uuid,
    coach_id: Uuid,
    coach_name: String,
    participant_id: Option<Uuid>,
    participant_reference: Option<String>,
    raised_by: Uuid,
    raised_on: Date,
    category: String,
    description: String,
    status: String,
    resolution: Option<String>,
    resolved_on: Option<Date>,
}

impl TryFrom<SessionRow> for SupervisionSession {
    type Error = StorageError;
    fn try_from(r: SessionRow) -> Result<Self> {
        Ok(Self {
            id: r.id,
            supervisor_id: UserId(r.supervisor_id),
            supervisor_name: r.supervisor_name,
            coach_id: UserId(r.coach_id),
            coach_name: r.coach_name,
            held_on: r.held_on,
            minutes: r.minutes,
            format: decode_code(&r.format)?,
            topics: r.topics,
            notes: r.notes,
        })
    }
}

impl TryFrom<ConcernRow> for BoundaryConcern {
    type Error = StorageError;
    fn try_from(r: ConcernRow) -> Result<Self> {
        Ok(Self {
            id: r.id,
            coach_id: UserId(r.coach_id),
            coach_name: r.coach_name,
            participant_id: r.participant_id.map(ParticipantId),
            participant_reference: r.participant_reference,
            raised_by: UserId(r.raised_by),
            raised_on: r.raised_on,
            category: decode_code(&r.category)?,
            description: r.description,
            status: decode_code(&r.status)?,
            resolution: r.resolution,
            resolved_on: r.resolved_on,
        })
    }
}

/// Which coaches' records: one coach, or a supervisor's team (their coaches and themselves),
/// or (both `None`) the whole organisation.
#[derive(Debug, Clone, Copy, Default)]
pub struct CoachFilter {
    pub coach: Option<UserId>,
    pub team_of: Option<UserId>,
}

/// `$2` one coach, `$3` a supervisor's team, on the column `x.coach_id`.
macro_rules! coach_filter {
    () => {
        "($2 IS NULL OR x.coach_id = $2)
         AND ($3 IS NULL OR x.coach_id = $3 OR x.coach_id IN
              (SELECT t.id FROM users t WHERE t.org_id = $1 AND t.supervisor_id = $3))"
    };
}

impl<M> Session<M> {
    /// Sessions of the coaches in `filter`, newest first.
    pub async fn supervision_sessions(
        &mut self,
        filter: CoachFilter,
        limit: i64,
    ) -> Result<Vec<SupervisionSession>> {
        let rows: Vec<SessionRow> = on_conn!(self.conn(), c => {
            c.query_as(concat!(
                "SELECT x.id, x.supervisor_id, s.display_name AS supervisor_name, x.coach_id,
                        u.display_name AS coach_name, x.held_on, x.minutes, x.format, x.topics, x.notes
                 FROM supervision_sessions x
                 JOIN users s ON s.org_id = x.org_id AND s.id = x.supervisor_id
                 JOIN users u ON u.org_id = x.org_id AND u.id = x.coach_id
                 WHERE x.org_id = $1 AND ",
                coach_filter!(),
                " ORDER BY x.held_on DESC, x.id DESC LIMIT $4"
            ))
            .bind(filter.coach.map(|v| v.0))
            .bind(filter.team_of.map(|v| v.0))
            .bind(limit)
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter().map(SupervisionSession::try_from).collect()
    }

    /// The date of each coach's most recent supervision session.
    pub async fn last_supervision_dates(
        &mut self,
        filter: CoachFilter,
    ) -> Result<Vec<(UserId, Date)>> {
        let rows: Vec<(Uuid, Date)> = on_conn!(self.conn(), c => {
            c.query_as(concat!(
                "SELECT x.coach_id, MAX(x.held_on) FROM supervision_sessions x WHERE x.org_id = $1 AND ",
                coach_filter!(),
                " GROUP BY x.coach_id"
            ))
            .bind(filter.coach.map(|v| v.0))
            .bind(filter.team_of.map(|v| v.0))
            .fetch_all(&mut *c)
            .await?
        });
        Ok(rows.into_iter().map(|(coach, date)| (UserId(coach), date)).collect())
    }

    /// Concerns about the coaches in `filter`, open first, then newest.
    pub async fn boundary_concerns(
        &mut self,
        filter: CoachFilter,
        status: Option<ConcernStatus>,
    ) -> Result<Vec<BoundaryConcern>> {
        let rows: Vec<ConcernRow> = on_conn!(self.conn(), c => {
            c.query_as(concat!(
                "SELECT x.id, x.coach_id, u.display_name AS coach_name, x.participant_id,
                        p.reference AS participant_reference, x.raised_by, x.raised_on, x.category,
                        x.description, x.status, x.resolution, x.resolved_on
                 FROM boundary_concerns x
                 JOIN users u ON u.org_id = x.org_id AND u.id = x.coach_id
                 LEFT JOIN participants p ON p.org_id = x.org_id AND p.id = x.participant_id
                 WHERE x.org_id = $1 AND ($4 IS NULL OR x.status = $4) AND ",
                coach_filter!(),
                " ORDER BY CASE WHEN x.status = 'open' THEN 0 ELSE 1 END, x.raised_on DESC, x.id DESC"
            ))
            .bind(filter.coach.map(|v| v.0))
            .bind(filter.team_of.map(|v| v.0))
            .bind(status.map(|s| s.code()))
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter().map(BoundaryConcern::try_from).collect()
    }

    pub async fn boundary_concern(&mut self, id: Uuid) -> Result<Option<BoundaryConcern>> {
        let row: Option<ConcernRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT x.id, x.coach_id, u.display_name AS coach_name, x.participant_id,
                        p.reference AS participant_reference, x.raised_by, x.raised_on, x.category,
                        x.description, x.status, x.resolution, x.resolved_on
                 FROM boundary_concerns x
                 JOIN users u ON u.org_id = x.org_id AND u.id = x.coach_id
                 LEFT JOIN participants p ON p.org_id = x.org_id AND p.id = x.participant_id
                 WHERE x.org_id = $1 AND x.id = $2",
            )
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
        });
        row.map(BoundaryConcern::try_from).transpose()
    }
}

impl Session<Write> {
    pub async fn insert_supervision_session(
        &mut self,
        id: Uuid,
        supervisor: UserId,
        session: &NewSupervisionSession,
        now: OffsetDateTime,
    ) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO supervision_sessions (org_id, id, supervisor_id, coach_id, held_on, minutes,
                    format, topics, notes, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(id)
            .bind(supervisor.0)
            .bind(session.coach_id.0)
            .bind(session.held_on)
            .bind(session.minutes)
            .bind(session.format.code())
            .bind(&session.topics)
            .bind(session.notes.as_deref())
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    pub async fn insert_boundary_concern(
        &mut self,
        id: Uuid,
        raised_by: UserId,
        concern: &NewBoundaryConcern,
        now: OffsetDateTime,
    ) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO boundary_concerns (org_id, id, coach_id, participant_id, raised_by, raised_on,
                    category, description, status, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $9)",
            )
            .bind(id)
            .bind(concern.coach_id.0)
            .bind(concern.participant_id.map(|p| p.0))
            .bind(raised_by.0)
            .bind(concern.raised_on)
            .bind(concern.category.code())
            .bind(&concern.description)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Resolves an open concern; resolving a resolved one is a conflict.
    pub async fn resolve_boundary_concern(
        &mut self,
        id: Uuid,
        resolution: &Resolution,
        now: OffsetDateTime,
    ) -> Result<()> {
        let updated = on_conn!(self.conn(), c => {
            c.query(
                "UPDATE boundary_concerns SET status = 'resolved', resolution = $3, resolved_on = $4, updated_at = $5
                 WHERE org_id = $1 AND id = $2 AND status = 'open'",
            )
            .bind(id)
            .bind(&resolution.resolution)
            .bind(resolution.resolved_on)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if updated == 1 {
            Ok(())
        } else {
            Err(StorageError::Conflict("the concern is already resolved".into()))
        }
    }
}
