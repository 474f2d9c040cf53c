//! The raw material of fidelity, aggregated in the database and grouped by coach, so a
//! supervisor's page costs a handful of queries however large the organisation. The domain's
//! `fidelity` module turns these rows into figures (one definition of "on time" for all).
//!
//! The dose (contacts, minutes, by support kind and activity) is read from per-day rollups
//! and participants reached from one row per participant and coach who met (migration
//! `0014_contact_rollups`, kept exact by triggers on every contact write), so a period reads
//! one row per day, coach and caseload rather than every contact in it.

use kindred_domain::ids::{ProgramId, UserId};
use kindred_domain::vocabulary::{Activity, SupportKind, Vocabulary};
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

use crate::access::{Access, Scope};
use crate::error::decode_code;
use crate::session::{Session, on_conn, rollup_scoped_sql, scoped_sql};
use crate::{Result, Timestamp};

/// Which part of the record to measure, within the participants of the policy's scope.
#[derive(Debug, Clone, Copy, Default)]
pub struct FidelityScope {
    pub program: Option<ProgramId>,
    /// The period, from this date (inclusive) … It selects contacts by when they happened,
    /// protocol steps by their due date and participants (for time to first contact) by
    /// their enrolment date. Caseloads are always as of now.
    pub from: Option<Date>,
    /// … to this date (exclusive).
    pub to: Option<Date>,
}

impl FidelityScope {
    /// The period's bounds as instants (midnight UTC), for contact times.
    fn instants(&self) -> (Option<Timestamp>, Option<Timestamp>) {
        let midnight = |d: Date| Timestamp(d.with_time(Time::MIDNIGHT).assume_utc());
        (self.from.map(midnight), self.to.map(midnight))
    }
}

/// One protocol-step task's timing, with the coach of its participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    pub coach_id: Option<UserId>,
    pub step_code: String,
    pub opens_on: Date,
    pub closes_on: Date,
    pub completed_on: Option<Date>,
}

/// Contacts, minutes and participants reached, for one coach (and one kind or activity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoseRow<K> {
    pub coach_id: UserId,
    pub key: K,
    pub contacts: i64,
    pub minutes: i64,
}

/// A coach's totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoseTotalRow {
    pub coach_id: UserId,
    pub contacts: i64,
    pub minutes: i64,
    pub participants: i64,
}

/// A participant's enrolment date and first contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstContactRow {
    pub coach_id: Option<UserId>,
    pub enrolled_on: Date,
    pub first_contact_at: Option<OffsetDateTime>,
}

/// Participants held by a coach in one program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseloadRow {
    pub coach_id: UserId,
    pub program_id: Option<ProgramId>,
    pub participants: i64,
    pub target: Option<i64>,
}

/// The filter on participants `p` after the policy's scope (`$2`): `$3` program.
macro_rules! participant_filter {
    () => {
        " AND ($3 IS NULL OR p.program_id = $3)"
    };
}

/// The filter on a rollup `r` after its scope (`$2`): `$3` program, `$4`..`$5` the period's
/// days.
macro_rules! rollup_filter {
    () => {
        " AND ($3 IS NULL OR r.participant_program_id = $3)
          AND ($4 IS NULL OR r.day >= $4) AND ($5 IS NULL OR r.day < $5)"
    };
}

/// A (participant, coach) pair `x` in contact during the period (instants `$4`, `$5`): its
/// first or last contact falls in it, or (only when it has contacts both before and after)
/// one of its contacts does.
macro_rules! pair_in_period {
    () => {
        " AND ((($4 IS NULL OR x.first_at >= $4) AND ($5 IS NULL OR x.first_at < $5))
            OR (($4 IS NULL OR x.last_at >= $4) AND ($5 IS NULL OR x.last_at < $5))
            OR (x.first_at < $4 AND x.last_at >= $5 AND EXISTS (
                SELECT 1 FROM contacts f
                WHERE f.org_id = $1 AND f.participant_id = x.participant_id
                  AND f.coach_id = x.coach_id AND f.occurred_at >= $4 AND f.occurred_at < $5)))"
    };
}

/// Binds the filter after the scope, `$3`.
macro_rules! bind_filters {
    ($query:expr, $filters:expr) => {
        $query.bind($filters.program.map(|v| v.0))
    };
}

/// Contacts and minutes per coach and term, from a term's day rollup (`$table` with its
/// `$column`). Contacts count toward the coach who made them.
macro_rules! dose_by {
    ($table:literal, $column:literal, $scope:literal) => {
        concat!(
            "SELECT r.coach_id, r.",
            $column,
            ", SUM(r.contacts), SUM(r.minutes) FROM ",
            $table,
            " r WHERE r.org_id = $1 AND ",
            $scope,
            rollup_filter!(),
            " GROUP BY r.coach_id, r.",
            $column,
            " HAVING SUM(r.contacts) <> 0"
        )
    };
}

impl<M> Session<M> {
    /// Every protocol-step task of participants in scope that was not cancelled.
    pub async fn fidelity_steps<A: Access>(
        &mut self,
        scope: &Scope<A>,
        filters: &FidelityScope,
    ) -> Result<Vec<StepRow>> {
        type Row = (Option<Uuid>, String, Date, Date, Option<Date>);
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT p.coach_id, t.step_code, t.opens_on, t.closes_on, t.completed_on
                     FROM tasks t JOIN participants p ON p.org_id = $1 AND p.id = t.participant_id
                     WHERE t.org_id = $1 AND t.kind = 'protocol_step' AND t.status <> 'cancelled'
                       AND t.step_code IS NOT NULL AND t.closes_on IS NOT NULL
                       AND t.due_on >= $4 AND t.due_on < $5 AND ",
                    $scope,
                    participant_filter!()
                )
            };
        }
        // Both bounds always bound (an open period's far ends), so the range is one the
        // planner can read from `tasks_steps_by_due`; `$4 IS NULL OR …` would make it scan.
        let (from, to) = (
            filters.from.unwrap_or(time::macros::date!(1900 - 01 - 01)),
            filters.to.unwrap_or(time::macros::date!(9999 - 01 - 01)),
        );
        let rows: Vec<Row> = on_conn!(self.conn(), c => {
            bind_filters!(c.scoped_query_as(scoped_sql!(scope, sql), scope)?, filters)
                .bind(from)
                .bind(to)
                .fetch_all(&mut *c)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(coach, step_code, opens_on, closes_on, completed_on)| StepRow {
                coach_id: coach.map(UserId),
                step_code,
                opens_on,
                closes_on,
                completed_on,
            })
            .collect())
    }

    /// Contacts, minutes and participants reached per coach.
    pub async fn fidelity_dose_totals<A: Access>(
        &mut self,
        scope: &Scope<A>,
        filters: &FidelityScope,
    ) -> Result<Vec<DoseTotalRow>> {
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT r.coach_id, SUM(r.contacts), SUM(r.minutes)
                     FROM contact_day_totals r
                     WHERE r.org_id = $1 AND ",
                    $scope,
                    rollup_filter!(),
                    " GROUP BY r.coach_id HAVING SUM(r.contacts) <> 0"
                )
            };
        }
        macro_rules! reached_sql {
            ($scope:literal) => {
                concat!(
                    "SELECT x.coach_id, COUNT(*)
                     FROM contact_pairs x JOIN participants p ON p.org_id = $1 AND p.id = x.participant_id
                     WHERE x.org_id = $1 AND ", $scope,
                    participant_filter!(),
                    pair_in_period!(),
                    " GROUP BY x.coach_id"
                )
            };
        }
        let (from, to) = filters.instants();
        let totals: Vec<(Uuid, i64, i64)> = on_conn!(self.conn(), c => {
            bind_filters!(c.scoped_query_as(rollup_scoped_sql!(scope, sql), scope)?, filters)
                .bind(filters.from)
                .bind(filters.to)
                .fetch_all(&mut *c)
                .await?
        });
        let reached: Vec<(Uuid, i64)> = on_conn!(self.conn(), c => {
            bind_filters!(c.scoped_query_as(scoped_sql!(scope, reached_sql), scope)?, filters)
                .bind(from)
                .bind(to)
                .fetch_all(&mut *c)
                .await?
        });
        Ok(totals
            .into_iter()
            .map(|(coach, contacts, minutes)| DoseTotalRow {
                coach_id: UserId(coach),
                contacts,
                minutes,
                participants: reached.iter().find(|(c, _)| *c == coach).map_or(0, |(_, n)| *n),
            })
            .collect())
    }

    /// Contacts and minutes per coach and support kind.
    pub async fn fidelity_dose_by_support_kind<A: Access>(
        &mut self,
        scope: &Scope<A>,
        filters: &FidelityScope,
    ) -> Result<Vec<DoseRow<SupportKind>>> {
        macro_rules! sql {
            ($scope:literal) => {
                dose_by!("contact_day_support_kinds", "kind", $scope)
            };
        }
        self.fidelity_dose_by(scope, filters, rollup_scoped_sql!(scope, sql)).await
    }

    /// Contacts and minutes per coach and activity.
    pub async fn fidelity_dose_by_activity<A: Access>(
        &mut self,
        scope: &Scope<A>,
        filters: &FidelityScope,
    ) -> Result<Vec<DoseRow<Activity>>> {
        macro_rules! sql {
            ($scope:literal) => {
                dose_by!("contact_day_activities", "activity", $scope)
            };
        }
        self.fidelity_dose_by(scope, filters, rollup_scoped_sql!(scope, sql)).await
    }

    /// Runs a [`dose_by!`] query and decodes its terms.
    async fn fidelity_dose_by<A: Access, T: Vocabulary>(
        &mut self,
        scope: &Scope<A>,
        filters: &FidelityScope,
        sql: &'static str,
    ) -> Result<Vec<DoseRow<T>>> {
        let rows: Vec<(Uuid, String, i64, i64)> = on_conn!(self.conn(), c => {
            bind_filters!(c.scoped_query_as(sql, scope)?, filters)
                .bind(filters.from)
                .bind(filters.to)
                .fetch_all(&mut *c)
                .await?
        });
        rows.into_iter()
            .map(|(coach, term, contacts, minutes)| {
                Ok(DoseRow { coach_id: UserId(coach), key: decode_code(&term)?, contacts, minutes })
            })
            .collect()
    }

    /// Each participant in scope with their enrolment date and first contact (by anyone).
    pub async fn fidelity_first_contacts<A: Access>(
        &mut self,
        scope: &Scope<A>,
        filters: &FidelityScope,
    ) -> Result<Vec<FirstContactRow>> {
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT p.coach_id, p.enrolled_on,
                            (SELECT MIN(f.occurred_at) FROM contacts f
                             WHERE f.org_id = $1 AND f.participant_id = p.id) AS first_contact_at
                     FROM participants p
                     WHERE p.org_id = $1
                       AND ($4 IS NULL OR p.enrolled_on >= $4) AND ($5 IS NULL OR p.enrolled_on < $5)
                       AND ", $scope,
                    participant_filter!()
                )
            };
        }
        let rows: Vec<(Option<Uuid>, Date, Option<Timestamp>)> = on_conn!(self.conn(), c => {
            bind_filters!(c.scoped_query_as(scoped_sql!(scope, sql), scope)?, filters)
                .bind(filters.from)
                .bind(filters.to)
                .fetch_all(&mut *c)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(coach, enrolled_on, first)| FirstContactRow {
                coach_id: coach.map(UserId),
                enrolled_on,
                first_contact_at: first.map(|t| t.0),
            })
            .collect())
    }

    /// Active and stepped-down participants in scope per coach and program, with the
    /// program's target.
    pub async fn fidelity_caseloads<A: Access>(
        &mut self,
        scope: &Scope<A>,
        filters: &FidelityScope,
    ) -> Result<Vec<CaseloadRow>> {
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT p.coach_id, p.program_id, COUNT(*), CAST(MAX(g.target_caseload) AS BIGINT)
                     FROM participants p
                     LEFT JOIN programs g ON g.org_id = $1 AND g.id = p.program_id
                     WHERE p.org_id = $1 AND p.coach_id IS NOT NULL
                       AND p.status IN ('active', 'stepped_down') AND ", $scope,
                    participant_filter!(),
                    " GROUP BY p.coach_id, p.program_id"
                )
            };
        }
        let rows: Vec<(Uuid, Option<Uuid>, i64, Option<i64>)> = on_conn!(self.conn(), c => {
            bind_filters!(c.scoped_query_as(scoped_sql!(scope, sql), scope)?, filters)
                .fetch_all(&mut *c)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(coach, program, participants, target)| CaseloadRow {
                coach_id: UserId(coach),
                program_id: program.map(ProgramId),
                participants,
                target,
            })
            .collect())
    }

    /// Distinct participants in scope with a contact in the period.
    pub async fn fidelity_participants_reached<A: Access>(
        &mut self,
        scope: &Scope<A>,
        filters: &FidelityScope,
    ) -> Result<i64> {
        let (from, to) = filters.instants();
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT COUNT(DISTINCT x.participant_id)
                     FROM contact_pairs x JOIN participants p ON p.org_id = $1 AND p.id = x.participant_id
                     WHERE x.org_id = $1 AND ", $scope,
                    participant_filter!(),
                    pair_in_period!()
                )
            };
        }
        Ok(on_conn!(self.conn(), c => {
            bind_filters!(c.scoped_query_scalar(scoped_sql!(scope, sql), scope)?, filters)
                .bind(from)
                .bind(to)
                .fetch_one(&mut *c)
                .await?
        }))
    }
}
