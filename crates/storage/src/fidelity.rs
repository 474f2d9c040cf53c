//! The raw material of fidelity, aggregated in the database and grouped by coach, so a
//! supervisor's page costs a handful of queries however large the organisation. The domain's
//! `fidelity` module turns these rows into figures (one definition of "on time" for all).

use kindred_domain::ids::{ParticipantId, ProgramId, UserId};
use kindred_domain::vocabulary::{Activity, SupportKind, Vocabulary};
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

use crate::error::decode_code;
use crate::session::{Session, on_conn};
use crate::{Result, Timestamp};

/// Which part of the record to measure.
#[derive(Debug, Clone, Copy, Default)]
pub struct FidelityScope {
    pub program: Option<ProgramId>,
    /// Only participants currently on these coaches' caseloads, and contacts by these coaches:
    /// the coaches a supervisor supervises (and the supervisor), or one coach.
    pub team_of: Option<UserId>,
    pub coach: Option<UserId>,
    pub participant: Option<ParticipantId>,
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

/// The scope's filters on participants `p` (binds `$2` … `$5`).
macro_rules! participant_filter {
    () => {
        "($2 IS NULL OR p.program_id = $2)
         AND ($3 IS NULL OR p.coach_id = $3 OR p.coach_id IN
              (SELECT t.id FROM users t WHERE t.org_id = p.org_id AND t.supervisor_id = $3))
         AND ($4 IS NULL OR p.coach_id = $4)
         AND ($5 IS NULL OR p.id = $5)"
    };
}

/// The scope's filters on contacts `c` of participants `p` (`$2` … `$5`, and the period as
/// instants in `$6`, `$7`). Contacts count toward the coach who made them; the team filter
/// applies to that coach.
macro_rules! contact_filter {
    () => {
        "($2 IS NULL OR p.program_id = $2)
         AND ($3 IS NULL OR c.coach_id = $3 OR c.coach_id IN
              (SELECT t.id FROM users t WHERE t.org_id = c.org_id AND t.supervisor_id = $3))
         AND ($4 IS NULL OR c.coach_id = $4)
         AND ($5 IS NULL OR c.participant_id = $5)
         AND ($6 IS NULL OR c.occurred_at >= $6)
         AND ($7 IS NULL OR c.occurred_at < $7)"
    };
}

/// Binds the organisation and the scope's filters, `$1` … `$5`.
macro_rules! bind_scope {
    ($query:expr, $scope:expr) => {
        $query
            .bind($scope.program.map(|v| v.0))
            .bind($scope.team_of.map(|v| v.0))
            .bind($scope.coach.map(|v| v.0))
            .bind($scope.participant.map(|v| v.0))
    };
}

/// Contacts and minutes per coach and term of one of a contact's term tables
/// (`contact_support_kinds.kind`, `contact_activities.activity`), under the scope's filters.
macro_rules! dose_by {
    ($table:literal, $column:literal) => {
        concat!(
            "SELECT c.coach_id, t.",
            $column,
            ", COUNT(*), COALESCE(SUM(c.minutes), 0)
             FROM contacts c
             JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
             JOIN ",
            $table,
            " t ON t.org_id = c.org_id AND t.contact_id = c.id
             WHERE c.org_id = $1 AND ",
            contact_filter!(),
            " GROUP BY c.coach_id, t.",
            $column
        )
    };
}

impl<M> Session<M> {
    /// Every protocol-step task in scope that was not cancelled.
    pub async fn fidelity_steps(&mut self, scope: &FidelityScope) -> Result<Vec<StepRow>> {
        type Row = (Option<Uuid>, String, Date, Date, Option<Date>);
        let rows: Vec<Row> = on_conn!(self.conn(), c => {
            bind_scope!(c.query_as(concat!(
                "SELECT p.coach_id, t.step_code, t.opens_on, t.closes_on, t.completed_on
                 FROM tasks t JOIN participants p ON p.org_id = t.org_id AND p.id = t.participant_id
                 WHERE t.org_id = $1 AND t.kind = 'protocol_step' AND t.status <> 'cancelled'
                   AND t.step_code IS NOT NULL AND t.closes_on IS NOT NULL
                   AND ($6 IS NULL OR t.due_on >= $6) AND ($7 IS NULL OR t.due_on < $7) AND ",
                participant_filter!()
            )), scope)
            .bind(scope.from)
            .bind(scope.to)
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
    pub async fn fidelity_dose_totals(
        &mut self,
        scope: &FidelityScope,
    ) -> Result<Vec<DoseTotalRow>> {
        let (from, to) = scope.instants();
        let rows: Vec<(Uuid, i64, i64, i64)> = on_conn!(self.conn(), c => {
            bind_scope!(c.query_as(concat!(
                "SELECT c.coach_id, COUNT(*), COALESCE(SUM(c.minutes), 0), COUNT(DISTINCT c.participant_id)
                 FROM contacts c JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
                 WHERE c.org_id = $1 AND ",
                contact_filter!(),
                " GROUP BY c.coach_id"
            )), scope)
            .bind(from)
            .bind(to)
            .fetch_all(&mut *c)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(coach, contacts, minutes, participants)| DoseTotalRow {
                coach_id: UserId(coach),
                contacts,
                minutes,
                participants,
            })
            .collect())
    }

    /// Contacts and minutes per coach and support kind.
    pub async fn fidelity_dose_by_support_kind(
        &mut self,
        scope: &FidelityScope,
    ) -> Result<Vec<DoseRow<SupportKind>>> {
        self.fidelity_dose_by(scope, dose_by!("contact_support_kinds", "kind")).await
    }

    /// Contacts and minutes per coach and activity.
    pub async fn fidelity_dose_by_activity(
        &mut self,
        scope: &FidelityScope,
    ) -> Result<Vec<DoseRow<Activity>>> {
        self.fidelity_dose_by(scope, dose_by!("contact_activities", "activity")).await
    }

    /// Runs a [`dose_by!`] query and decodes its terms.
    async fn fidelity_dose_by<T: Vocabulary>(
        &mut self,
        scope: &FidelityScope,
        sql: &'static str,
    ) -> Result<Vec<DoseRow<T>>> {
        let (from, to) = scope.instants();
        let rows: Vec<(Uuid, String, i64, i64)> = on_conn!(self.conn(), c => {
            bind_scope!(c.query_as(sql), scope)
                .bind(from)
                .bind(to)
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
    pub async fn fidelity_first_contacts(
        &mut self,
        scope: &FidelityScope,
    ) -> Result<Vec<FirstContactRow>> {
        let rows: Vec<(Option<Uuid>, Date, Option<Timestamp>)> = on_conn!(self.conn(), c => {
            bind_scope!(c.query_as(concat!(
                "SELECT p.coach_id, p.enrolled_on,
                        (SELECT MIN(c.occurred_at) FROM contacts c
                         WHERE c.org_id = p.org_id AND c.participant_id = p.id) AS first_contact_at
                 FROM participants p
                 WHERE p.org_id = $1
                   AND ($6 IS NULL OR p.enrolled_on >= $6) AND ($7 IS NULL OR p.enrolled_on < $7) AND ",
                participant_filter!()
            )), scope)
            .bind(scope.from)
            .bind(scope.to)
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

    /// Active and stepped-down participants per coach and program, with the program's target.
    pub async fn fidelity_caseloads(&mut self, scope: &FidelityScope) -> Result<Vec<CaseloadRow>> {
        let rows: Vec<(Uuid, Option<Uuid>, i64, Option<i64>)> = on_conn!(self.conn(), c => {
            bind_scope!(c.query_as(concat!(
                "SELECT p.coach_id, p.program_id, COUNT(*), CAST(MAX(g.target_caseload) AS BIGINT)
                 FROM participants p
                 LEFT JOIN programs g ON g.org_id = p.org_id AND g.id = p.program_id
                 WHERE p.org_id = $1 AND p.coach_id IS NOT NULL
                   AND p.status IN ('active', 'stepped_down') AND ",
                participant_filter!(),
                " GROUP BY p.coach_id, p.program_id"
            )), scope)
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

    /// Distinct participants with a contact in scope.
    pub async fn fidelity_participants_reached(&mut self, scope: &FidelityScope) -> Result<i64> {
        let (from, to) = scope.instants();
        Ok(on_conn!(self.conn(), c => {
            bind_scope!(c.query_scalar(concat!(
                "SELECT COUNT(DISTINCT c.participant_id)
                 FROM contacts c JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
                 WHERE c.org_id = $1 AND ",
                contact_filter!()
            )), scope)
            .bind(from)
            .bind(to)
            .fetch_one(&mut *c)
            .await?
        }))
    }
}
