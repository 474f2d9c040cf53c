//! The raw material of fidelity, aggregated in the database and grouped by coach, so a
//! supervisor's page costs a handful of queries however large the organisation. The domain's
//! `fidelity` module turns these rows into figures (one definition of "on time" for all).
//!
//! The dose (contacts, minutes, by support kind and activity) is read from the per-month and
//! per-day rollups ([`RollupSpan`]; migrations `0014_contact_rollups` and
//! `0019_fidelity_by_month`, kept exact by triggers on every contact write), so a period
//! reads one row per month (or day, at its ends), coach and caseload rather than every contact
//! in it; participants reached from one row per participant and coach who met; protocol steps
//! are tallied in the query, one row per coach and step.

use kindred_domain::fidelity::StepTally;
use kindred_domain::ids::{ProgramId, UserId};
use kindred_domain::vocabulary::{Activity, SupportKind, Vocabulary};
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

use crate::access::{Access, Scope};
use crate::error::decode_code;
use crate::rollup_span::{RollupSpan, bind_span, rollup_sum};
use crate::session::{Session, on_conn, program_scoped_sql, rollup_scoped_sql};
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

/// The outcomes of one protocol step's tasks of the participants of one coach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    pub coach_id: Option<UserId>,
    pub step_code: String,
    pub tally: StepTally,
}

/// Contacts, minutes and participants reached, for one coach (and one kind or activity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoseRow<K> {
    pub coach_id: UserId,
    pub key: K,
    pub contacts: i64,
    pub minutes: i64,
}

/// A coach's contacts and minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoseTotalRow {
    pub coach_id: UserId,
    pub contacts: i64,
    pub minutes: i64,
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

impl<M> Session<M> {
    /// The outcomes of the protocol-step tasks of participants in scope that were not
    /// cancelled and fell due in the period, per coach and step, as of `today`.
    pub async fn fidelity_steps<A: Access>(
        &mut self,
        scope: &Scope<A>,
        filters: &FidelityScope,
        today: Date,
    ) -> Result<Vec<StepRow>> {
        type Row = (Option<Uuid>, String, i64, i64, i64, i64);
        // `StepRecord::outcome` in the domain, counted here so a year of tasks comes back as a
        // row per coach and step; `the_step_tally_in_sql_is_the_domains` holds them together.
        macro_rules! sql {
            ($scope:literal, $program:literal) => {
                concat!(
                    "SELECT p.coach_id, t.step_code,
                            SUM(CASE WHEN t.completed_on >= t.opens_on
                                      AND t.completed_on <= t.closes_on THEN 1 ELSE 0 END),
                            SUM(CASE WHEN t.completed_on < t.opens_on
                                       OR t.completed_on > t.closes_on THEN 1 ELSE 0 END),
                            SUM(CASE WHEN t.completed_on IS NULL AND t.closes_on < $6
                                THEN 1 ELSE 0 END),
                            SUM(CASE WHEN t.completed_on IS NULL AND t.closes_on >= $6
                                THEN 1 ELSE 0 END)
                     FROM tasks t JOIN participants p ON p.org_id = $1 AND p.id = t.participant_id
                     WHERE t.org_id = $1 AND t.kind = 'protocol_step' AND t.status <> 'cancelled'
                       AND t.step_code IS NOT NULL AND t.closes_on IS NOT NULL
                       AND t.due_on >= $4 AND t.due_on < $5 AND ",
                    $scope,
                    $program,
                    " GROUP BY p.coach_id, t.step_code"
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
            bind_filters!(c.scoped_query_as(program_scoped_sql!(scope, filters.program, sql), scope)?, filters)
                .bind(from)
                .bind(to)
                .bind(today)
                .fetch_all(&mut *c)
                .await?
        });
        let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
        Ok(rows
            .into_iter()
            .map(|(coach, step_code, on_time, late, missed, pending)| StepRow {
                coach_id: coach.map(UserId),
                step_code,
                tally: StepTally {
                    on_time: count(on_time),
                    late: count(late),
                    missed: count(missed),
                    pending: count(pending),
                },
            })
            .collect())
    }

    /// Contacts and minutes per coach.
    pub async fn fidelity_dose_totals<A: Access>(
        &mut self,
        scope: &Scope<A>,
        filters: &FidelityScope,
    ) -> Result<Vec<DoseTotalRow>> {
        macro_rules! sql {
            ($scope:literal) => {
                rollup_sum!("totals", "r.coach_id", $scope)
            };
        }
        let span = RollupSpan::new(filters.from, filters.to);
        let totals: Vec<(Uuid, i64, i64)> = on_conn!(self.conn(), c => {
            let query = c.scoped_query_as(rollup_scoped_sql!(scope, sql), scope)?;
            bind_span!(bind_filters!(query, filters), span).fetch_all(&mut *c).await?
        });
        Ok(totals
            .into_iter()
            .map(|(coach, contacts, minutes)| DoseTotalRow {
                coach_id: UserId(coach),
                contacts,
                minutes,
            })
            .collect())
    }

    /// Participants in scope each coach was in contact with during the period.
    pub async fn fidelity_reached_by_coach<A: Access>(
        &mut self,
        scope: &Scope<A>,
        filters: &FidelityScope,
    ) -> Result<Vec<(UserId, i64)>> {
        macro_rules! sql {
            ($scope:literal, $program:literal) => {
                concat!(
                    "SELECT x.coach_id, COUNT(*)
                     FROM contact_pairs x JOIN participants p ON p.org_id = $1 AND p.id = x.participant_id
                     WHERE x.org_id = $1 AND ", $scope,
                    $program,
                    pair_in_period!(),
                    " GROUP BY x.coach_id"
                )
            };
        }
        let (from, to) = filters.instants();
        let reached: Vec<(Uuid, i64)> = on_conn!(self.conn(), c => {
            bind_filters!(c.scoped_query_as(program_scoped_sql!(scope, filters.program, sql), scope)?, filters)
                .bind(from)
                .bind(to)
                .fetch_all(&mut *c)
                .await?
        });
        Ok(reached.into_iter().map(|(coach, n)| (UserId(coach), n)).collect())
    }

    /// Contacts and minutes per coach and support kind.
    pub async fn fidelity_dose_by_support_kind<A: Access>(
        &mut self,
        scope: &Scope<A>,
        filters: &FidelityScope,
    ) -> Result<Vec<DoseRow<SupportKind>>> {
        macro_rules! sql {
            ($scope:literal) => {
                rollup_sum!("support_kinds", "r.coach_id, r.kind", $scope)
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
                rollup_sum!("activities", "r.coach_id, r.activity", $scope)
            };
        }
        self.fidelity_dose_by(scope, filters, rollup_scoped_sql!(scope, sql)).await
    }

    /// Runs a [`rollup_sum!`] query by coach and term and decodes its terms.
    async fn fidelity_dose_by<A: Access, T: Vocabulary>(
        &mut self,
        scope: &Scope<A>,
        filters: &FidelityScope,
        sql: &'static str,
    ) -> Result<Vec<DoseRow<T>>> {
        let span = RollupSpan::new(filters.from, filters.to);
        let rows: Vec<(Uuid, String, i64, i64)> = on_conn!(self.conn(), c => {
            bind_span!(bind_filters!(c.scoped_query_as(sql, scope)?, filters), span)
                .fetch_all(&mut *c)
                .await?
        });
        rows.into_iter()
            .map(|(coach, term, contacts, minutes)| {
                Ok(DoseRow { coach_id: UserId(coach), key: decode_code(&term)?, contacts, minutes })
            })
            .collect()
    }

    /// Each participant in scope with their enrolment date and first contact (by anyone: the
    /// earliest of their pairs').
    pub async fn fidelity_first_contacts<A: Access>(
        &mut self,
        scope: &Scope<A>,
        filters: &FidelityScope,
    ) -> Result<Vec<FirstContactRow>> {
        macro_rules! sql {
            ($scope:literal, $program:literal) => {
                concat!(
                    "SELECT p.coach_id, p.enrolled_on,
                            (SELECT MIN(x.first_at) FROM contact_pairs x
                             WHERE x.org_id = $1 AND x.participant_id = p.id) AS first_contact_at
                     FROM participants p
                     WHERE p.org_id = $1
                       AND ($4 IS NULL OR p.enrolled_on >= $4) AND ($5 IS NULL OR p.enrolled_on < $5)
                       AND ", $scope,
                    $program
                )
            };
        }
        let rows: Vec<(Option<Uuid>, Date, Option<Timestamp>)> = on_conn!(self.conn(), c => {
            bind_filters!(c.scoped_query_as(program_scoped_sql!(scope, filters.program, sql), scope)?, filters)
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
            ($scope:literal, $program:literal) => {
                concat!(
                    "SELECT p.coach_id, p.program_id, COUNT(*), CAST(MAX(g.target_caseload) AS BIGINT)
                     FROM participants p
                     LEFT JOIN programs g ON g.org_id = $1 AND g.id = p.program_id
                     WHERE p.org_id = $1 AND p.coach_id IS NOT NULL
                       AND p.status IN ('active', 'stepped_down') AND ", $scope,
                    $program,
                    " GROUP BY p.coach_id, p.program_id"
                )
            };
        }
        let rows: Vec<(Uuid, Option<Uuid>, i64, Option<i64>)> = on_conn!(self.conn(), c => {
            bind_filters!(c.scoped_query_as(program_scoped_sql!(scope, filters.program, sql), scope)?, filters)
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
            ($scope:literal, $program:literal) => {
                concat!(
                    "SELECT COUNT(DISTINCT x.participant_id)
                     FROM contact_pairs x JOIN participants p ON p.org_id = $1 AND p.id = x.participant_id
                     WHERE x.org_id = $1 AND ", $scope,
                    $program,
                    pair_in_period!()
                )
            };
        }
        Ok(on_conn!(self.conn(), c => {
            bind_filters!(c.scoped_query_scalar(program_scoped_sql!(scope, filters.program, sql), scope)?, filters)
                .bind(from)
                .bind(to)
                .fetch_one(&mut *c)
                .await?
        }))
    }
}
