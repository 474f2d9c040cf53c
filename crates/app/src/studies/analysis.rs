//! A study's results: the evaluator's only. Until the plan is locked, pooled follow-up figures
//! (how many are enrolled, and how many have each outcome, all arms together); once it is,
//! every analysis the locked plan names, computed by the evaluation engine from the record.
//!
//! Who is analysed, and how they are loaded, is [`super::members`]. The analysis runs off the
//! async runtime's threads. Nothing random depends on the run: the
//! bootstrap seed comes from the plan's hash, so the same record gives the same JSON.

use kindred_domain::audit::AuditAction;
use kindred_domain::ids::StudyId;
use kindred_domain::study::StudyDefinition;
use kindred_evaluation::analysis::headline::{Headline, headlines};
use kindred_evaluation::analysis::summary::{Summary, summarise};
use kindred_evaluation::analysis::{ANALYSIS_VERSION, StudyAnalysis, analyse};
use kindred_evaluation::assemble::{Assembled, StudyParticipant, assemble, planned_outcomes};
use kindred_evaluation::outcomes::derive;
use time::{Date, OffsetDateTime};

use super::StudyView;
use super::flow::{Primary, StudyFlow, flow};
use super::members::Loaded;
use crate::audit::entry;
use crate::policy::StudyLead;
use crate::{App, AppError, Result};

/// What an evaluator may see of a study's results.
#[derive(Debug, Clone, PartialEq)]
pub enum StudyResults {
    /// The plan is not locked: nothing by arm.
    Pooled(PooledFollowUp),
    /// The plan is locked: every analysis it names.
    Analysed(Box<AnalysedStudy>),
}

/// Follow-up of the whole study, all arms together.
#[derive(Debug, Clone, PartialEq)]
pub struct PooledFollowUp {
    pub enrolled: usize,
    pub data_cut_off: Date,
    /// Per planned outcome, in plan order.
    pub outcomes: Vec<PooledOutcome>,
    /// The study's flow, pooled.
    pub flow: StudyFlow,
}

/// How many have an outcome and how many miss it, all arms together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PooledOutcome {
    pub code: String,
    pub name: String,
    pub observed: usize,
    pub missing: usize,
}

/// The analyses of a locked plan.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysedStudy {
    /// The hash of the plan analysed (the lock's, or the last amendment's).
    pub plan_hash: String,
    /// Nothing after this day is counted: the study's end, or today while it runs.
    pub data_cut_off: Date,
    pub analysis: StudyAnalysis,
    /// The study's flow by arm, its analysed counts the primary outcome's sample.
    pub flow: StudyFlow,
}

/// An evaluation report's content.
#[derive(Debug, Clone)]
pub struct StudyReport {
    pub study: StudyView,
    pub analysed: AnalysedStudy,
    pub generated_at: OffsetDateTime,
}

impl AnalysedStudy {
    /// Per outcome, its sample per arm and each effect with its CI (or why there is none).
    pub fn headlines(&self) -> Vec<Headline> {
        headlines(&self.analysis)
    }

    /// The findings in plain words, primary outcomes first, and the record's limitations.
    pub fn summary(&self) -> Summary {
        summarise(&self.analysis)
    }
}

impl App {
    /// The study's results as the evaluator may see them now. Audited as a read.
    pub async fn study_results(
        &self,
        lead: &StudyLead<'_>,
        study: StudyId,
    ) -> Result<StudyResults> {
        let (_, results, analysed) = self.results_of(lead, study).await?;
        let detail = match &results {
            StudyResults::Pooled(p) => format!("pooled follow-up of {} participants", p.enrolled),
            StudyResults::Analysed(a) => {
                format!(
                    "analysis {ANALYSIS_VERSION} of {analysed} participants, plan {}",
                    a.plan_hash
                )
            }
        };
        let actor = lead.actor();
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "study_analysis", Some(study.to_string()), detail),
        )
        .await?;
        Ok(results)
    }

    /// The study's flow as the evaluator may see it now: pooled until the plan is locked,
    /// then by arm with the primary outcome's sample as analysed. Audited as a read.
    pub async fn study_flow(&self, lead: &StudyLead<'_>, study: StudyId) -> Result<StudyFlow> {
        let (_, results, _) = self.results_of(lead, study).await?;
        let flow = match results {
            StudyResults::Pooled(p) => p.flow,
            StudyResults::Analysed(a) => a.flow,
        };
        let detail = format!(
            "flow of {} assessed, {} allocated{}",
            flow.assessed,
            flow.total.allocated,
            if flow.arms.is_some() { ", by arm" } else { ", pooled" }
        );
        let actor = lead.actor();
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "study_analysis", Some(study.to_string()), detail),
        )
        .await?;
        Ok(flow)
    }

    /// What the study's evaluation report is made of: the study and every analysis of its
    /// locked plan. Refused (409) before the plan is locked, as a report is results by arm.
    /// Audited as an export.
    pub async fn study_report(&self, lead: &StudyLead<'_>, study: StudyId) -> Result<StudyReport> {
        let (view, results, analysed) = self.results_of(lead, study).await?;
        let StudyResults::Analysed(results) = results else {
            return Err(AppError::Conflict(
                "lock the analysis plan first: a report shows results by arm, and until the \
                 plan is locked none are shown"
                    .into(),
            ));
        };
        let actor = lead.actor();
        let detail = format!(
            "evaluation report: analysis {ANALYSIS_VERSION} of {analysed} participants, plan {}",
            results.plan_hash
        );
        self.audit_read(
            actor,
            entry(actor, AuditAction::Export, "study_report", Some(study.to_string()), detail),
        )
        .await?;
        Ok(StudyReport { study: view, analysed: *results, generated_at: self.clock().now() })
    }

    /// The results and how many participants they count, unaudited.
    async fn results_of(
        &self,
        lead: &StudyLead<'_>,
        study: StudyId,
    ) -> Result<(StudyView, StudyResults, usize)> {
        let (view, loaded) = self.load_study_participants(lead, study).await?;
        let cut_off = loaded.cut_off;
        let results = if view.plan_locked() {
            let plan_hash = view.plan.current_hash.clone();
            let assembled = assemble_table(&view.definition, &plan_hash, &loaded.participants)?;
            let analysis =
                tokio::task::spawn_blocking(move || analyse(&assembled.table, &assembled.request))
                    .await
                    .map_err(|e| {
                        AppError::Internal(
                            format!("study {study}: the analysis stopped: {e}").into(),
                        )
                    })?
                    .map_err(|e| AppError::Internal(format!("study {study}: {e}").into()))?;
            let flow = flow(
                &view.definition,
                &loaded.participants,
                &loaded.screening,
                cut_off,
                Primary::Analysed(&analysis),
            );
            StudyResults::Analysed(Box::new(AnalysedStudy {
                plan_hash,
                data_cut_off: cut_off,
                analysis,
                flow,
            }))
        } else {
            StudyResults::Pooled(pooled(&view.definition, &loaded, cut_off))
        };
        Ok((view, results, loaded.participants.len()))
    }

    /// The analysed table and request of a locked study: what its analyses read, one row per
    /// participant under a key that names nobody, so anyone can recompute them. Refused
    /// (409) before the plan is locked: the table holds outcomes by arm. Audited as a read.
    pub async fn study_analysis_table(
        &self,
        lead: &StudyLead<'_>,
        study: StudyId,
    ) -> Result<Assembled> {
        let (view, loaded) = self.load_study_participants(lead, study).await?;
        if !view.plan_locked() {
            return Err(AppError::Conflict(
                "lock the analysis plan first: until then no outcome is shown by arm".into(),
            ));
        }
        let assembled =
            assemble_table(&view.definition, &view.plan.current_hash, &loaded.participants)?;
        let actor = lead.actor();
        let detail = format!("analysed table of {} participants", assembled.table.rows.len());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "study_analysis", Some(study.to_string()), detail),
        )
        .await?;
        Ok(assembled)
    }
}

pub(crate) fn assemble_table(
    definition: &StudyDefinition,
    plan_hash: &str,
    participants: &[StudyParticipant],
) -> Result<Assembled> {
    assemble(definition, plan_hash, participants)
        .map_err(|e| AppError::Internal(format!("study analysis: {e}").into()))
}

fn pooled(definition: &StudyDefinition, loaded: &Loaded, cut_off: Date) -> PooledFollowUp {
    let participants = &loaded.participants;
    let outcomes = planned_outcomes(definition)
        .into_iter()
        .map(|(i, _)| {
            let outcome = &definition.outcomes[i];
            let missing = participants
                .iter()
                .filter(|p| derive(outcome, &p.record, definition).is_missing())
                .count();
            PooledOutcome {
                code: outcome.code.clone(),
                name: outcome.name.clone(),
                observed: participants.len() - missing,
                missing,
            }
        })
        .collect::<Vec<PooledOutcome>>();
    let primary = outcomes.first().filter(|o| o.code == definition.plan.primary);
    let flow = flow(
        definition,
        participants,
        &loaded.screening,
        cut_off,
        Primary::Pooled(primary.map(|o| (o.observed, o.missing))),
    );
    PooledFollowUp { enrolled: participants.len(), data_cut_off: cut_off, outcomes, flow }
}
