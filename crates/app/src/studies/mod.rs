//! Studies: an evaluator defines a study over the organisation's programs (or replicates a
//! template's), opens it for enrolment, and locks its analysis plan; staff enrol participants
//! and the app allocates them ([`enrolment`]); the plan's lock and amendments are in [`plan`].
//!
//! Everyone signed in may read a study's design (coaches need to know what each arm
//! receives); counts by arm, the allocation log and the plan's history are the evaluator's
//! ([`StudyLead`]).

pub(crate) mod analysis;
mod enrolment;
mod flow;
pub(crate) mod members;
mod plan;

use std::collections::BTreeSet;

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::ids::{ProgramId, StudyId};
use kindred_domain::instruments;
use kindred_domain::programs::templates;
use kindred_domain::study::records::{AmendmentRecord, PlanLockRecord, StoredStudy, StudySummary};
use kindred_domain::study::{StudyCatalogue, StudyDefinition, StudyInput, StudyStatus};
use kindred_domain::vocabulary::Vocabulary;
use kindred_storage::{Session, StudyWrite};
use time::Date;

pub use analysis::{AnalysedStudy, PooledFollowUp, PooledOutcome, StudyReport, StudyResults};
pub use enrolment::{AllocationVerification, StudyEnrolment};
pub use flow::{ArmFlow, FlowCounts, StudyFlow};
/// The evaluation engine's result types, for pages and reports that draw an analysis.
pub use kindred_evaluation::analysis as engine;
pub use kindred_evaluation::analysis::OutcomeRole;
pub use kindred_evaluation::analysis::summary::{Finding, Summary};
pub(crate) use members::cost_of;
pub use plan::PlanView;

use crate::audit::entry;
use crate::policy::StudyLead;
use crate::{Actor, App, AppError, Result};

/// A study as its page and the API show it.
#[derive(Debug, Clone)]
pub struct StudyView {
    pub stored: StoredStudy,
    pub definition: StudyDefinition,
    pub plan: PlanView,
    /// Allocations per arm code, in the study's arm order: the evaluator's only (`None` for
    /// everyone else, who see the pooled total at most).
    pub arm_counts: Option<Vec<(String, i64)>>,
    pub enrolled: i64,
}

impl StudyView {
    pub fn id(&self) -> StudyId {
        self.stored.id
    }

    /// Whether the analysis plan is locked: until it is, no outcome may be shown by arm.
    pub fn plan_locked(&self) -> bool {
        self.plan.lock.is_some()
    }

    pub fn status(&self) -> StudyStatus {
        self.stored.status
    }
}

/// What "Replicate this study" starts from.
#[derive(Debug, Clone, Default)]
pub struct ReplicationRequest {
    pub template_code: String,
    /// The organisation's program delivering the replicated model.
    pub program_id: Option<ProgramId>,
    /// The comparison program, for designs that compare with another program.
    pub comparison_program_id: Option<ProgramId>,
    /// The first day of enrolment (today when absent).
    pub enrolment_from: Option<Date>,
}

impl App {
    /// The organisation's studies, by title.
    pub async fn studies(&self, actor: &Actor) -> Result<Vec<StudySummary>> {
        Ok(actor.tenant().read().await?.studies().await?)
    }

    /// One study. Counts by arm only for the evaluator.
    pub async fn study(&self, actor: &Actor, id: StudyId) -> Result<StudyView> {
        let mut session = actor.tenant().read().await?;
        let lead = crate::policy::study_lead(actor).is_ok();
        load_view(&mut session, id, lead).await
    }

    /// A new draft study.
    pub async fn create_study(
        &self,
        lead: &StudyLead<'_>,
        input: &StudyInput,
    ) -> Result<StudyView> {
        self.insert_draft(lead, input, None).await
    }

    /// The template's study as a pre-filled input over the organisation's program (for the
    /// new-study form); nothing is saved.
    pub fn replication_input(&self, request: &ReplicationRequest) -> Result<StudyInput> {
        let template = templates::template(&request.template_code).ok_or_else(|| {
            AppError::from(FieldErrors::single("template_code", "is not a program template"))
        })?;
        let program = request.program_id.ok_or_else(|| {
            AppError::from(FieldErrors::single(
                "program_id",
                "choose the program that delivers the replicated model",
            ))
        })?;
        let from = request.enrolment_from.unwrap_or_else(|| self.clock().today());
        Ok(template.replicate(program, request.comparison_program_id, from))
    }

    /// "Replicate this study": a draft pre-filled from a template's study, for the evaluator
    /// to edit.
    pub async fn replicate_study(
        &self,
        lead: &StudyLead<'_>,
        request: &ReplicationRequest,
    ) -> Result<StudyView> {
        let input = self.replication_input(request)?;
        self.insert_draft(lead, &input, Some(&request.template_code)).await
    }

    async fn insert_draft(
        &self,
        lead: &StudyLead<'_>,
        input: &StudyInput,
        template_code: Option<&str>,
    ) -> Result<StudyView> {
        let actor = lead.actor();
        let mut tx = actor.tenant().write().await?;
        let definition = parse_study(&mut tx, input).await?;
        let id = StudyId::generate();
        let now = self.clock().now();
        let stored_input = definition.to_input();
        tx.insert_study(
            id,
            write_of(&definition, &stored_input),
            template_code,
            actor.user_id(),
            now,
        )
        .await?;
        let detail = match template_code {
            Some(code) => format!("{}: replicating template {code}", definition.title),
            None => definition.title.clone(),
        };
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, "study", Some(id.to_string()), detail),
        )
        .await?;
        let view = load_view(&mut tx, id, true).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Changes a study at `version`. A draft changes freely; once open, or once its plan is
    /// locked, only wording may change here (the locked parts change by amendment, and an
    /// open study's arms and randomisation never change under its allocations).
    pub async fn update_study(
        &self,
        lead: &StudyLead<'_>,
        id: StudyId,
        version: i64,
        input: &StudyInput,
    ) -> Result<StudyView> {
        let actor = lead.actor();
        let mut tx = actor.tenant().write().await?;
        let current = load_view(&mut tx, id, true).await?;
        let next = parse_study(&mut tx, input).await?;
        let locked_part_changed = next.plan_hash() != current.definition.plan_hash();
        if locked_part_changed && current.plan_locked() {
            return Err(AppError::Conflict(
                "the analysis plan is locked: change it by an amendment with a reason".into(),
            ));
        }
        if locked_part_changed && current.status() != StudyStatus::Draft {
            return Err(AppError::Conflict(
                "the study is open for enrolment: its design, arms and plan no longer change \
                 until its plan is locked and amended"
                    .into(),
            ));
        }
        let now = self.clock().now();
        let stored_input = next.to_input();
        tx.update_study(id, version, write_of(&next, &stored_input), now).await?;
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, "study", Some(id.to_string()), next.title.clone()),
        )
        .await?;
        let view = load_view(&mut tx, id, true).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Opens a draft for enrolment at `version`; a randomised study draws its secret seed.
    pub async fn open_study(
        &self,
        lead: &StudyLead<'_>,
        id: StudyId,
        version: i64,
    ) -> Result<StudyView> {
        let actor = lead.actor();
        let mut tx = actor.tenant().write().await?;
        let current = load_view(&mut tx, id, true).await?;
        if current.status() != StudyStatus::Draft {
            return Err(AppError::Conflict("the study is already open".into()));
        }
        let seed = match current.definition.randomisation {
            Some(_) => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed)
                    .map_err(|e| AppError::Internal(format!("no randomness: {e}").into()))?;
                Some(seed)
            }
            None => None,
        };
        let now = self.clock().now();
        tx.open_study(id, version, seed, now).await?;
        tx.append_audit(
            now,
            entry(
                actor,
                AuditAction::Update,
                "study",
                Some(id.to_string()),
                "opened for enrolment",
            ),
        )
        .await?;
        let view = load_view(&mut tx, id, true).await?;
        tx.commit().await?;
        Ok(view)
    }
}

fn write_of<'a>(definition: &'a StudyDefinition, input: &'a StudyInput) -> StudyWrite<'a> {
    StudyWrite {
        title: &definition.title,
        design: Vocabulary::code(definition.design.code()),
        input,
        program_ids: &definition.program_ids,
    }
}

/// Parses a study against the organisation: its instruments (the library and its own), the
/// time points its programs schedule, and programs that exist.
pub(crate) async fn parse_study<M>(
    session: &mut Session<M>,
    input: &StudyInput,
) -> Result<StudyDefinition> {
    let own = session.org_instruments().await?;
    let programs = session.programs().await?;
    let mut errors = FieldErrors::new();
    let mut named = Vec::new();
    for (i, text) in input.program_ids.iter().enumerate() {
        match text.trim().parse::<ProgramId>() {
            Ok(id) if programs.iter().any(|p| p.id == id) => named.push(id),
            Ok(_) => {
                errors.add(format!("program_ids[{i}]"), "is not a program of this organisation")
            }
            // The domain's parser names a malformed id.
            Err(_) => {}
        }
    }
    let mut time_points = BTreeSet::new();
    for program in &named {
        if let Some(schedule) = session.schedules(Some(*program)).await?.remove(program) {
            time_points.extend(schedule.points.into_iter().map(|p| p.time_point.code));
        }
    }
    let mut catalogue = StudyCatalogue {
        instruments: instruments::library().iter().chain(own.iter()).collect(),
        time_points: None,
    };
    if !named.is_empty() {
        catalogue = catalogue.with_time_points(time_points);
    }
    match StudyDefinition::parse(input, &catalogue) {
        Ok(definition) if errors.is_empty() => Ok(definition),
        Ok(_) => Err(errors.into()),
        Err(parsed) => {
            for error in parsed.iter() {
                errors.add(error.field.clone(), error.message.clone());
            }
            Err(errors.into())
        }
    }
}

/// The study with its plan state and, for the evaluator, its counts by arm.
pub(crate) async fn load_view<M>(
    session: &mut Session<M>,
    id: StudyId,
    lead: bool,
) -> Result<StudyView> {
    let stored = session.study(id).await?.ok_or(AppError::NotFound)?;
    let definition = parse_study(session, &stored.input).await.map_err(|e| {
        AppError::Internal(format!("stored study {id} no longer parses: {e}").into())
    })?;
    let lock: Option<PlanLockRecord> = session.study_plan_lock(id).await?;
    let amendments: Vec<AmendmentRecord> = session.study_amendments(id).await?;
    let plan = PlanView::new(&definition, lock, amendments);
    let counts = session.study_arm_counts(id).await?;
    let enrolled = counts.iter().map(|(_, n)| n).sum();
    let arm_counts = lead.then(|| {
        definition
            .arms
            .iter()
            .map(|arm| {
                let n = counts.iter().find(|(code, _)| *code == arm.code).map_or(0, |(_, n)| *n);
                (arm.code.clone(), n)
            })
            .collect()
    });
    Ok(StudyView { stored, definition, plan, arm_counts, enrolled })
}
