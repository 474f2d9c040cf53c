//! Analysis-ready exports of a study, for an evaluator's R, Stata or Python: a person-level
//! table, a person-period table, a contacts table and an aggregate table with small cells
//! suppressed, each as CSV or Parquet, with a data dictionary.
//!
//! De-identified by default: no name, date of birth, contact detail or free text (the research
//! load reads none); a pseudonym from a keyed hash instead of the record id; each
//! participant's dates moved by their own secret shift, so intervals survive; ages as bands.
//! The key lives outside the database ([`ExportKey`]). An identified export needs every
//! member's consent naming the recipient (see `policy::export`) and a recorded purpose.
//! Every export is audited as an export, with what it held.
//!
//! The exports are the analyses' own data: the outcome values are the analysed table's, so
//! a re-analysis of the files reproduces the study's results. Like the results, they exist
//! only once the plan is locked (before that, no outcome is shown by arm).

mod aggregates;
mod contacts;
mod context;
mod dictionary;
mod key;
mod person;
mod person_period;
mod redcap;
mod sink;
mod table;

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use futures_util::TryStreamExt;
use kindred_domain::audit::AuditAction;
use kindred_domain::fields::FieldErrors;
use kindred_domain::ids::{ParticipantId, StudyId};
use kindred_storage::{Among, Research};
use tokio::sync::mpsc;

pub use aggregates::SMALLEST_SHOWN;
pub use dictionary::{TableDictionary, dictionary_csv};
pub use key::{ExportKey, MAX_SHIFT_DAYS};
pub use redcap::{
    DICTIONARY_HEADER as REDCAP_DICTIONARY_HEADER, MAX_FIELD_NAME as REDCAP_MAX_FIELD_NAME,
    RedcapFiles,
};
pub use sink::ExportFormat;
pub use table::{AllowedValue, Column, ColumnType};

use context::{ExportContext, Subjects};
use table::Row;

use crate::audit::entry;
use crate::policy::StudyLead;
use crate::policy::export::consented;
use crate::studies::analysis::assemble_table;
use crate::studies::members::Loaded;
use crate::{App, AppError, Result};

/// The tables of a study's export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StudyTable {
    /// One row per participant.
    Participants,
    /// One row per participant and time point.
    PersonPeriods,
    /// One row per contact.
    Contacts,
    /// Counts by arm, small cells suppressed.
    Aggregates,
}

impl StudyTable {
    pub const ALL: [StudyTable; 4] =
        [Self::Participants, Self::PersonPeriods, Self::Contacts, Self::Aggregates];

    /// The file's base name and the route's segment.
    pub fn code(self) -> &'static str {
        match self {
            Self::Participants => "participants",
            Self::PersonPeriods => "person_periods",
            Self::Contacts => "contacts",
            Self::Aggregates => "aggregates",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Participants => "Participants: one row per participant",
            Self::PersonPeriods => "Person-periods: one row per participant and time point",
            Self::Contacts => "Contacts: one row per contact",
            Self::Aggregates => "Counts by arm, small cells suppressed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// An identified export's terms: to whom, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifiedExport {
    /// As the participants' consents name them.
    pub recipient: String,
    /// Why the recipient needs identified data, in words (recorded in the audit log).
    pub purpose: String,
}

/// One file of a study's export.
#[derive(Clone)]
pub struct ExportRequest {
    pub table: StudyTable,
    pub format: ExportFormat,
    /// `None` for the de-identified export.
    pub identified: Option<IdentifiedExport>,
    /// Told the rows written so far, as they are written.
    pub progress: Option<Progress>,
}

impl std::fmt::Debug for ExportRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportRequest")
            .field("table", &self.table)
            .field("format", &self.format)
            .field("identified", &self.identified)
            .finish_non_exhaustive()
    }
}

impl ExportRequest {
    /// The de-identified `table` as `format`.
    pub fn new(table: StudyTable, format: ExportFormat) -> Self {
        Self { table, format, identified: None, progress: None }
    }
}

/// What was exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub table: StudyTable,
    pub format: ExportFormat,
    pub rows: u64,
    pub columns: usize,
    pub participants: usize,
    pub identified: bool,
}

/// Rows handed to the file writer at a time.
const CHUNK: usize = 4_096;

/// Called with the rows written so far (a progress bar's position).
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

impl App {
    /// The same application, deriving export pseudonyms and date shifts from `key`.
    pub fn with_export_key(mut self, key: ExportKey) -> Self {
        self.export_key = Some(Arc::new(key));
        self
    }

    /// Writes one table of the study's export to `out`. Refused before the plan is locked,
    /// without the server's export key, and — for an identified export — unless every member
    /// consented. Audited as an export once written.
    pub async fn study_export(
        &self,
        lead: &StudyLead<'_>,
        study: StudyId,
        request: &ExportRequest,
        out: Box<dyn Write + Send>,
    ) -> Result<ExportSummary> {
        let ExportRequest { table, format, .. } = *request;
        let identified = request.identified.as_ref();
        let prepared = self.prepare_export(lead, study, identified).await?;
        let ctx = prepared.context(study);
        let (columns, rows) = match table {
            StudyTable::Participants => {
                let (columns, rows) = person::participants_table(&ctx);
                (columns, Some(rows))
            }
            StudyTable::PersonPeriods => {
                let (columns, rows) = person_period::person_period_table(&ctx);
                (columns, Some(rows))
            }
            StudyTable::Aggregates => {
                let (columns, rows) = aggregates::aggregate_table(&ctx);
                (columns, Some(rows))
            }
            StudyTable::Contacts => (contacts::contact_columns(&ctx), None),
        };
        let (sender, writer) = spawn_writer(format, &columns, out, request.progress.clone())?;
        let written = match rows {
            Some(rows) => send_all(&sender, rows).await,
            None => self.send_contacts(lead, &ctx, &sender).await,
        };
        drop(sender);
        let finished = writer
            .await
            .map_err(|e| AppError::Internal(format!("the export's writer stopped: {e}").into()))?;
        // A failed write is the likelier cause when both fail (the sender stops on it).
        finished.map_err(|e| AppError::Internal(format!("writing the export: {e}").into()))?;
        let rows = written?;
        let summary = ExportSummary {
            table,
            format,
            rows,
            columns: columns.len(),
            participants: ctx.loaded.participants.len(),
            identified: identified.is_some(),
        };
        let actor = lead.actor();
        let detail = format!(
            "{} export of {} as {}: {} rows × {} columns ({}) of {} participants{}",
            if identified.is_some() { "identified" } else { "de-identified" },
            table.code(),
            format.extension(),
            summary.rows,
            summary.columns,
            columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(" "),
            summary.participants,
            identified.map_or_else(String::new, |i| format!(
                ", for {:?}, purpose: {}",
                i.recipient, i.purpose
            )),
        );
        self.audit_read(
            actor,
            entry(actor, AuditAction::Export, "study_export", Some(study.to_string()), detail),
        )
        .await?;
        Ok(summary)
    }

    /// The data dictionary of the study's export: every table's columns.
    pub async fn study_export_dictionary(
        &self,
        lead: &StudyLead<'_>,
        study: StudyId,
        identified: Option<&IdentifiedExport>,
    ) -> Result<Vec<TableDictionary>> {
        let prepared = self.prepare_export(lead, study, identified).await?;
        let ctx = prepared.context(study);
        Ok(vec![
            TableDictionary::new(StudyTable::Participants, person::participants_table(&ctx).0),
            TableDictionary::new(
                StudyTable::PersonPeriods,
                person_period::person_period_table(&ctx).0,
            ),
            TableDictionary::new(StudyTable::Contacts, contacts::contact_columns(&ctx)),
            TableDictionary::new(StudyTable::Aggregates, aggregates::aggregate_table(&ctx).0),
        ])
    }

    /// The study's de-identified export as a longitudinal REDCap project: its data
    /// dictionary, events, instrument–event designations and records. Audited as an export.
    pub async fn study_redcap(&self, lead: &StudyLead<'_>, study: StudyId) -> Result<RedcapFiles> {
        let prepared = self.prepare_export(lead, study, None).await?;
        let ctx = prepared.context(study);
        let files = redcap::redcap_files(&ctx);
        let actor = lead.actor();
        let detail = format!(
            "de-identified export as a REDCap project: {} records rows, {} fields, of {} \
             participants",
            files.record_rows,
            files.fields,
            ctx.loaded.participants.len()
        );
        self.audit_read(
            actor,
            entry(actor, AuditAction::Export, "study_export", Some(study.to_string()), detail),
        )
        .await?;
        Ok(files)
    }

    async fn prepare_export(
        &self,
        lead: &StudyLead<'_>,
        study: StudyId,
        identified: Option<&IdentifiedExport>,
    ) -> Result<Prepared> {
        let Some(key) = self.export_key.clone() else {
            return Err(AppError::Conflict(
                "this server has no export key, so it cannot make pseudonyms: start Kindred \
                 with --export-key-file"
                    .into(),
            ));
        };
        if let Some(terms) = identified {
            let mut errors = FieldErrors::new();
            if terms.recipient.trim().is_empty() {
                errors.add("recipient", "name the recipient, as the participants' consents do");
            }
            if terms.purpose.trim().chars().count() < 10 {
                errors.add(
                    "purpose",
                    "say why the recipient needs identified data (at least 10 characters): it \
                     is recorded with the export",
                );
            }
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
        }
        let (view, loaded) = self.load_study_participants(lead, study).await?;
        if !view.plan_locked() {
            return Err(AppError::Conflict(
                "lock the analysis plan first: an export holds outcomes by arm, and until the \
                 plan is locked none are shown"
                    .into(),
            ));
        }
        let assembled =
            assemble_table(&view.definition, &view.plan.current_hash, &loaded.participants)?;
        let actor = lead.actor();
        let scope = self.policy.scope::<Research>(actor)?;
        let mut session = actor.tenant().read().await?;
        let evidence = session.follow_up_evidence(Among::All(&scope)).await?;
        let subjects = match identified {
            None => Subjects::pseudonymous(&key, study, &loaded),
            Some(terms) => {
                let consents = session.research_consents(&scope).await?;
                let members: Vec<(ParticipantId, &str)> =
                    loaded.facts.iter().map(|f| (f.id, f.reference.as_str())).collect();
                let consented =
                    consented(&members, &consents, &terms.recipient, self.clock().today())?;
                let names = self.policy.identified_export(lead, &consented);
                let identities = session.export_identities(&names).await?;
                Subjects::identified(&key, study, &loaded, &identities)
            }
        };
        Ok(Prepared {
            definition: view.definition,
            loaded,
            table: assembled.table,
            subjects,
            evidence,
            key,
        })
    }

    /// Streams the members' contacts to the writer; the rows sent.
    async fn send_contacts(
        &self,
        lead: &StudyLead<'_>,
        ctx: &ExportContext<'_>,
        sender: &mpsc::Sender<Vec<Row>>,
    ) -> Result<u64> {
        let actor = lead.actor();
        let scope = self.policy.scope::<Research>(actor)?;
        let index: HashMap<ParticipantId, usize> =
            ctx.loaded.facts.iter().enumerate().map(|(i, f)| (f.id, i)).collect();
        let members: Vec<_> = ctx.members().collect();
        let mut session = actor.tenant().read().await?;
        let mut contacts = session.research_contacts(Among::All(&scope))?;
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut sent = 0;
        while let Some(contact) = contacts.try_next().await? {
            // Contacts of participants outside the study are not exported.
            let Some(i) = index.get(&contact.participant_id) else { continue };
            chunk.push(contacts::contact_row(ctx, &members[*i], &contact));
            if chunk.len() == CHUNK {
                sent +=
                    send(sender, std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))).await?;
            }
        }
        sent += send(sender, chunk).await?;
        Ok(sent)
    }
}

/// What an export's tables are built from, owned.
struct Prepared {
    definition: kindred_domain::study::StudyDefinition,
    loaded: Loaded,
    table: kindred_evaluation::table::AnalysedTable,
    subjects: Subjects,
    evidence: HashMap<ParticipantId, kindred_domain::follow_up_log::Evidence>,
    key: Arc<ExportKey>,
}

impl Prepared {
    fn context(&self, study: StudyId) -> ExportContext<'_> {
        ExportContext {
            study_id: study,
            study: &self.definition,
            loaded: &self.loaded,
            table: &self.table,
            subjects: &self.subjects,
            evidence: &self.evidence,
            key: &self.key,
        }
    }
}

type Writer = tokio::task::JoinHandle<std::io::Result<()>>;

/// A file writer on a blocking thread, fed chunks of rows through a short queue (so a slow
/// disk slows the reader instead of filling memory).
fn spawn_writer(
    format: ExportFormat,
    columns: &[table::Column],
    out: Box<dyn Write + Send>,
    progress: Option<Progress>,
) -> Result<(mpsc::Sender<Vec<Row>>, Writer)> {
    let mut sink = sink::sink(format, columns, out)
        .map_err(|e| AppError::Internal(format!("starting the export file: {e}").into()))?;
    let (sender, mut receiver) = mpsc::channel::<Vec<Row>>(4);
    let writer = tokio::task::spawn_blocking(move || {
        let mut written = 0u64;
        while let Some(chunk) = receiver.blocking_recv() {
            sink.write(&chunk)?;
            written += chunk.len() as u64;
            if let Some(progress) = &progress {
                progress(written);
            }
        }
        sink.finish()
    });
    Ok((sender, writer))
}

async fn send(sender: &mpsc::Sender<Vec<Row>>, chunk: Vec<Row>) -> Result<u64> {
    let n = chunk.len() as u64;
    if n == 0 {
        return Ok(0);
    }
    sender.send(chunk).await.map_err(|_| {
        AppError::Internal("the export's writer stopped before the rows were written".into())
    })?;
    Ok(n)
}

async fn send_all(sender: &mpsc::Sender<Vec<Row>>, rows: Vec<Row>) -> Result<u64> {
    let mut sent = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        sent += send(sender, rows.by_ref().take(CHUNK).collect()).await?;
    }
    Ok(sent)
}
