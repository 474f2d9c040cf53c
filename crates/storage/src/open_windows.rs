//! The follow-up list's page: one time point's open windows in a scope, read in closing order
//! from `participants_by_enrolment`, and their capped count (migration 0016).

use kindred_domain::ids::{ParticipantId, ProgramId};
use kindred_domain::participant::display_name;
use time::Date;
use uuid::Uuid;

use crate::access::{Scope, SeeWork};
use crate::session::{Session, on_conn, scoped_sql};
use crate::{Result, Timestamp};

/// The participants in a scope whose window for one time point is open today: enrolled in
/// `program` from `enrolled.0` to `enrolled.1` (the enrolment days whose window holds today),
/// followed (active or stepped down), with no assessment completed for the time point in that
/// program and no exclusion from it. Soonest closing first (earliest enrolled), then by
/// reference; at most `limit`.
#[derive(Debug, Clone, Copy)]
pub struct OpenWindowQuery<'a> {
    pub program: ProgramId,
    pub time_point_code: &'a str,
    pub enrolled: (Date, Date),
    pub limit: i64,
}

/// A participant whose window is open, with when they were last reached for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenWindowSubject {
    pub participant_id: ParticipantId,
    pub reference: String,
    pub name: String,
    pub coach_name: Option<String>,
    pub enrolled_on: Date,
    /// The latest attempt for the time point that reached them (or scheduled the assessment).
    pub last_reached_on: Option<Date>,
}

#[derive(sqlx::FromRow)]
struct OpenWindowRow {
    id: Uuid,
    reference: String,
    given_name: String,
    family_name: String,
    preferred_name: Option<String>,
    coach_name: Option<String>,
    enrolled_on: Date,
    reached_at: Option<Timestamp>,
}

/// The participants `p` of [`OpenWindowQuery`] (`$3` program, `$4` time point, `$5`–`$6`
/// enrolment days) in the scope.
macro_rules! open_window_from {
    ($scope:literal) => {
        concat!(
            " FROM participants p
             WHERE p.org_id = $1 AND p.program_id = $3 AND p.enrolled_on >= $5
               AND p.enrolled_on <= $6 AND p.status IN ('active', 'stepped_down') AND ",
            $scope,
            " AND NOT EXISTS (SELECT 1 FROM assessments s WHERE s.org_id = $1
                 AND s.participant_id = p.id AND s.program_id = p.program_id
                 AND s.time_point_code = $4 AND s.status = 'completed')
               AND NOT EXISTS (SELECT 1 FROM follow_up_exclusions x WHERE x.org_id = $1
                 AND x.participant_id = p.id AND x.time_point_code = $4)"
        )
    };
}

impl<M> Session<M> {
    /// One time point's open windows in scope, soonest closing first (see
    /// [`OpenWindowQuery`]), read in that order from `participants_by_enrolment`.
    pub async fn open_windows(
        &mut self,
        scope: &Scope<SeeWork>,
        query: &OpenWindowQuery<'_>,
    ) -> Result<Vec<OpenWindowSubject>> {
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT p.id, p.reference, i.given_name, i.family_name, i.preferred_name,
                            c.display_name AS coach_name, p.enrolled_on,
                            (SELECT MAX(a.attempted_at) FROM contact_attempts a
                             WHERE a.org_id = $1 AND a.participant_id = p.id
                               AND a.time_point_code = $4
                               AND a.outcome IN ('reached', 'scheduled')) AS reached_at
                     FROM participants p
                     JOIN participant_identities i ON i.org_id = $1 AND i.participant_id = p.id
                     LEFT JOIN users c ON c.org_id = $1 AND c.id = p.coach_id
                     WHERE p.org_id = $1 AND p.id IN (SELECT p.id",
                    open_window_from!($scope),
                    " ORDER BY p.enrolled_on, p.reference LIMIT $7)
                     ORDER BY p.enrolled_on, p.reference"
                )
            };
        }
        let rows: Vec<OpenWindowRow> = on_conn!(self.conn(), c => {
            c.scoped_query_as(scoped_sql!(scope, sql), scope)?
                .bind(query.program.0)
                .bind(query.time_point_code)
                .bind(query.enrolled.0)
                .bind(query.enrolled.1)
                .bind(query.limit)
                .fetch_all(&mut *c)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| OpenWindowSubject {
                participant_id: ParticipantId(r.id),
                name: display_name(&r.given_name, r.preferred_name.as_deref(), &r.family_name),
                reference: r.reference,
                coach_name: r.coach_name,
                enrolled_on: r.enrolled_on,
                last_reached_on: r.reached_at.map(|t| t.0.date()),
            })
            .collect())
    }

    /// How many windows [`Session::open_windows`] would list, counted up to `up_to`.
    pub async fn count_open_windows(
        &mut self,
        scope: &Scope<SeeWork>,
        query: &OpenWindowQuery<'_>,
        up_to: i64,
    ) -> Result<i64> {
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT COUNT(*) FROM (SELECT 1",
                    open_window_from!($scope),
                    " LIMIT $7) capped"
                )
            };
        }
        Ok(on_conn!(self.conn(), c => {
            c.scoped_query_scalar(scoped_sql!(scope, sql), scope)?
                .bind(query.program.0)
                .bind(query.time_point_code)
                .bind(query.enrolled.0)
                .bind(query.enrolled.1)
                .bind(up_to)
                .fetch_one(&mut *c)
                .await?
        }))
    }
}
