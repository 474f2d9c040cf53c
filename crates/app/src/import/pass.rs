//! One reading of the spreadsheet: each row checked against the record and, in the writing
//! pass (a write transaction), each new one written at once, so no pass holds more than a row.

use kindred_storage::{Read, Session, Write};
use time::{Date, OffsetDateTime};

use super::assessments::{self, Assessments};
use super::contacts::{self, Contacts};
use super::csv_reader::{Row, Table};
use super::outcome_events::{self, OutcomeEvents};
use super::participants::{self, Participants};
use super::{ImportKind, ImportReport, ImportRequest, Problem, Progress};
use crate::policy::Importer;
use crate::{App, AppError, Result};

/// One row's verdict.
pub(crate) enum Checked<T> {
    New(T),
    Unchanged,
    Problems(Vec<Problem>),
}

/// The checker of one kind of row, with what it has learnt of the file so far.
pub(super) enum Checker<'a> {
    Participants(Participants<'a>),
    Contacts(Contacts<'a>),
    OutcomeEvents(OutcomeEvents<'a>),
    Assessments(Assessments<'a>),
}

/// A row ready to be written.
pub(super) enum Planned {
    Participant(Box<participants::NewRow>),
    Contact(Box<contacts::NewRow>),
    OutcomeEvent(Box<outcome_events::NewRow>),
    Assessment(Box<assessments::NewRow>),
}

impl Checker<'_> {
    async fn check<M>(
        &mut self,
        session: &mut Session<M>,
        table: &Table,
        row: &Row,
    ) -> Result<Checked<Planned>> {
        Ok(match self {
            Checker::Participants(c) => {
                c.check(session, table, row).await?.map(Planned::Participant)
            }
            Checker::Contacts(c) => c.check(session, table, row).await?.map(Planned::Contact),
            Checker::OutcomeEvents(c) => {
                c.check(session, table, row).await?.map(Planned::OutcomeEvent)
            }
            Checker::Assessments(c) => c.check(session, table, row).await?.map(Planned::Assessment),
        })
    }

    async fn write(
        &mut self,
        tx: &mut Session<Write>,
        planned: Planned,
        now: OffsetDateTime,
        today: Date,
    ) -> Result<()> {
        match (self, planned) {
            (Checker::Participants(c), Planned::Participant(row)) => {
                c.write(tx, *row, now, today).await
            }
            (Checker::Contacts(c), Planned::Contact(row)) => c.write(tx, *row, now).await,
            (Checker::OutcomeEvents(c), Planned::OutcomeEvent(row)) => c.write(tx, *row, now).await,
            (Checker::Assessments(c), Planned::Assessment(row)) => {
                c.write(tx, *row, now, today).await
            }
            _ => Err(AppError::Internal(
                "a row was planned by one kind of import and written by another".into(),
            )),
        }
    }

    async fn finish(&mut self, tx: &mut Session<Write>) -> Result<()> {
        match self {
            Checker::Participants(c) => c.finish(tx).await,
            Checker::Contacts(_) | Checker::OutcomeEvents(_) | Checker::Assessments(_) => Ok(()),
        }
    }
}

impl App {
    /// Reads the file once, checking each row and (in a write transaction) writing each new
    /// one. Returns the bytes read.
    pub(super) async fn pass<M: Stage>(
        &self,
        session: &mut Session<M>,
        importer: &Importer<'_>,
        request: &ImportRequest,
        report: &mut ImportReport,
        offset: u64,
        progress: Progress<'_>,
    ) -> Result<u64> {
        let mut table = match Table::open(&request.source, request.kind, request.mapping.as_ref()) {
            Ok(table) => table,
            Err(problems) => {
                problems.into_iter().for_each(|p| report.problem(p));
                return Ok(0);
            }
        };
        let actor = importer.actor();
        let (now, today) = (self.clock().now(), self.clock().today());
        let mut checker = match request.kind {
            ImportKind::Participants => Checker::Participants(
                Participants::load(session, &self.policy, actor, today).await?,
            ),
            ImportKind::Contacts => {
                Checker::Contacts(Contacts::load(session, &self.policy, actor, now).await?)
            }
            ImportKind::OutcomeEvents => {
                Checker::OutcomeEvents(OutcomeEvents::new(&self.policy, actor, today))
            }
            ImportKind::Assessments => Checker::Assessments(
                Assessments::load(session, &self.policy, actor, today, now).await?,
            ),
        };
        while let Some(row) = table.next_row() {
            report.rows += 1;
            let row = match row {
                Ok(row) => row,
                Err(problem) => {
                    report.problem(problem);
                    continue;
                }
            };
            match checker.check(session, &table, &row).await? {
                Checked::New(planned) => {
                    report.added += 1;
                    // Nothing is written once a problem is known: the transaction will roll back.
                    if report.problem_count == 0 {
                        M::write(session, &mut checker, planned, now, today).await?;
                    }
                }
                Checked::Unchanged => report.unchanged += 1,
                Checked::Problems(problems) => problems.into_iter().for_each(|p| report.problem(p)),
            }
            if report.rows.is_multiple_of(256) {
                progress(offset + table.position());
            }
        }
        if report.problem_count == 0 {
            M::finish(session, &mut checker).await?;
        }
        let read = table.position();
        progress(offset + read);
        Ok(read)
    }
}

impl<T> Checked<T> {
    fn map<U>(self, f: impl FnOnce(Box<T>) -> U) -> Checked<U> {
        match self {
            Checked::New(row) => Checked::New(f(Box::new(row))),
            Checked::Unchanged => Checked::Unchanged,
            Checked::Problems(problems) => Checked::Problems(problems),
        }
    }
}

/// What a pass does with a new row: a read session only counts it; a write transaction
/// writes it.
pub(super) trait Stage: Sized + Send {
    async fn write(
        session: &mut Session<Self>,
        checker: &mut Checker<'_>,
        planned: Planned,
        now: OffsetDateTime,
        today: Date,
    ) -> Result<()>;

    /// Bookkeeping once every row is written.
    async fn finish(session: &mut Session<Self>, checker: &mut Checker<'_>) -> Result<()>;
}

impl Stage for Read {
    async fn write(
        _: &mut Session<Read>,
        _: &mut Checker<'_>,
        _: Planned,
        _: OffsetDateTime,
        _: Date,
    ) -> Result<()> {
        Ok(())
    }

    async fn finish(_: &mut Session<Read>, _: &mut Checker<'_>) -> Result<()> {
        Ok(())
    }
}

impl Stage for Write {
    async fn write(
        tx: &mut Session<Write>,
        checker: &mut Checker<'_>,
        planned: Planned,
        now: OffsetDateTime,
        today: Date,
    ) -> Result<()> {
        checker.write(tx, planned, now, today).await
    }

    async fn finish(tx: &mut Session<Write>, checker: &mut Checker<'_>) -> Result<()> {
        checker.finish(tx).await
    }
}
