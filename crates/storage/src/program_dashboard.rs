//! The raw material of a program dashboard that fidelity and follow-up do not already read:
//! enrolments (for enrolled and active by month), contacts by mode (for the cost, from the
//! rollups of migrations `0018_contact_day_modes` and `0019_fidelity_by_month`) and
//! outcome events by kind. Each is one
//! aggregate query, so the dashboard costs the same at 10 participants as at 10 000.

use kindred_domain::ids::ProgramId;
use kindred_domain::vocabulary::{ContactMode, OutcomeEventKind};
use time::Date;

use crate::Result;
use crate::access::{Access, Scope};
use crate::error::decode_code;
use crate::rollup_span::{RollupSpan, bind_span, rollup_sum};
use crate::session::{Session, on_conn, rollup_scoped_sql, scoped_sql};

/// How many participants of a program enrolled on a day and left on another (or not yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentRow {
    pub enrolled_on: Date,
    pub left_on: Option<Date>,
    pub participants: i64,
}

/// Contacts and minutes of one kind (a mode, an outcome event kind) in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountRow<K> {
    pub key: K,
    pub count: i64,
    pub minutes: i64,
}

impl<M> Session<M> {
    /// The program's participants in scope, grouped by enrolment and leaving day (enrolled
    /// before `to`, exclusive): a few hundred rows at most, however many participants.
    pub async fn program_enrolments<A: Access>(
        &mut self,
        scope: &Scope<A>,
        program: ProgramId,
        to: Date,
    ) -> Result<Vec<EnrolmentRow>> {
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT p.enrolled_on, p.left_on, COUNT(*) FROM participants p
                     WHERE p.org_id = $1 AND ",
                    $scope,
                    " AND p.program_id = $3 AND p.enrolled_on < $4
                     GROUP BY p.enrolled_on, p.left_on"
                )
            };
        }
        let rows: Vec<(Date, Option<Date>, i64)> = on_conn!(self.conn(), c => {
            c.scoped_query_as(scoped_sql!(scope, sql), scope)?
                .bind(program.0)
                .bind(to)
                .fetch_all(&mut *c)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(enrolled_on, left_on, participants)| EnrolmentRow {
                enrolled_on,
                left_on,
                participants,
            })
            .collect())
    }

    /// The program's contacts and minutes by mode in `[from, to)`, from the month and day
    /// rollups.
    pub async fn program_dose_by_mode<A: Access>(
        &mut self,
        scope: &Scope<A>,
        program: ProgramId,
        from: Date,
        to: Date,
    ) -> Result<Vec<CountRow<ContactMode>>> {
        macro_rules! sql {
            ($scope:literal) => {
                rollup_sum!("modes", "r.mode", $scope)
            };
        }
        let span = RollupSpan::new(Some(from), Some(to));
        let rows: Vec<(String, i64, i64)> = on_conn!(self.conn(), c => {
            let query = c.scoped_query_as(rollup_scoped_sql!(scope, sql), scope)?.bind(program.0);
            bind_span!(query, span).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(mode, count, minutes)| Ok(CountRow { key: decode_code(&mode)?, count, minutes }))
            .collect()
    }

    /// The program's outcome events by kind that happened in `[from, to)` (`minutes` is 0).
    pub async fn program_outcome_events<A: Access>(
        &mut self,
        scope: &Scope<A>,
        program: ProgramId,
        from: Date,
        to: Date,
    ) -> Result<Vec<CountRow<OutcomeEventKind>>> {
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT e.kind, COUNT(*) FROM outcome_events e
                     JOIN participants p ON p.org_id = $1 AND p.id = e.participant_id
                     WHERE e.org_id = $1 AND ",
                    $scope,
                    " AND p.program_id = $3 AND e.occurred_on >= $4 AND e.occurred_on < $5
                     GROUP BY e.kind"
                )
            };
        }
        let rows: Vec<(String, i64)> = on_conn!(self.conn(), c => {
            c.scoped_query_as(scoped_sql!(scope, sql), scope)?
                .bind(program.0)
                .bind(from)
                .bind(to)
                .fetch_all(&mut *c)
                .await?
        });
        rows.into_iter()
            .map(|(kind, count)| Ok(CountRow { key: decode_code(&kind)?, count, minutes: 0 }))
            .collect()
    }
}
