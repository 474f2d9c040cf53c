//! Assessments: administering an instrument to a participant — start, save partially,
//! complete — and reading them back with their scores, band, flags and the change since the
//! previous completed administration of the same instrument.
//!
//! Every answer is validated against the instrument's definition on the server and the server
//! scores it; a refused answer saves nothing. Every read and write is audited (record type
//! `assessment`). A safety flag (PHQ-9 item 9 above 0) opens an urgent task for the coach's
//! supervisor the first time it is raised on an assessment (see [`safety`]).

mod fhir;
mod imported;
mod instruments;
mod safety;

pub(crate) use imported::{Completed, check_completed, write_completed};
pub use instruments::{InstrumentListing, InstrumentSource};

use kindred_domain::FieldErrors;
use kindred_domain::assessment::{
    AdministrationFields, Assessment, AssessmentInput, AssessmentStatus, ScoredSummary,
    check_complete, merge_answers,
};
use kindred_domain::audit::AuditAction;
use kindred_domain::follow_up::TimePoint;
use kindred_domain::ids::{AssessmentId, ParticipantId};
use kindred_domain::instruments::{
    Answers, AnswersInput, Change, InstrumentDefinition, ScoreResult, ScoringContext, Sex,
    administer, change_since, score,
};
use kindred_domain::vocabulary::Gender;
use kindred_storage::{Grant, RecordWork, SeeWork, Session, StoredParticipant, Write};

use crate::audit::entry;
use crate::policy::{Blinding, Measurement, Policy};
use crate::{Actor, App, AppError, Result, follow_up_sweep};

const RECORD: &str = "assessment";

/// An assessment with what the server computed from it.
#[derive(Debug, Clone)]
pub struct AdministeredAssessment {
    pub assessment: Assessment,
    /// The definition it was administered with.
    pub definition: InstrumentDefinition,
    /// The full scoring: scales, bands, flags, completeness.
    pub result: ScoreResult,
    /// Change since the previous *completed* administration of the same instrument (only for
    /// a completed assessment that has one).
    pub change: Option<Change>,
    /// That previous administration, and the day it was given.
    pub previous: Option<AssessmentId>,
    pub previous_on: Option<time::Date>,
}

/// The definition of `code` this organisation can administer: a shipped instrument, or one
/// the organisation imported.
pub(crate) async fn definition<M>(
    session: &mut Session<M>,
    code: &str,
) -> Result<Option<InstrumentDefinition>> {
    if let Some(shipped) = kindred_domain::instruments::find(code) {
        return Ok(Some(shipped.clone()));
    }
    Ok(session.org_instrument(code).await?)
}

/// Scoring needs sex only for sex-specific cut-offs (AUDIT-C). Kindred records gender as the
/// participant describes it; a woman or a man gets that sex's cut-offs, anyone else the
/// definition's cut-offs for sex not recorded, which the result marks as such.
fn scoring_context(stored: &StoredParticipant) -> ScoringContext {
    let sex = match stored.participant.baseline.gender {
        Some(Gender::Woman) => Some(Sex::Female),
        Some(Gender::Man) => Some(Sex::Male),
        _ => None,
    };
    ScoringContext { sex }
}

/// Validates and scores answers; on completion, insists the score can be made.
fn scored(
    definition: &InstrumentDefinition,
    input: &AnswersInput,
    context: ScoringContext,
    complete: bool,
) -> Result<(Answers, ScoreResult), FieldErrors> {
    let (answers, result) = administer(definition, input, context)?;
    if complete {
        check_complete(definition, &answers, &result)?;
    }
    Ok((answers, result))
}

/// Re-scores stored answers (they were validated when saved) and adds the change since the
/// previous completed administration among `history` (the participant's assessments).
fn view(
    assessment: Assessment,
    definition: InstrumentDefinition,
    context: ScoringContext,
    history: &[Assessment],
) -> AdministeredAssessment {
    let result = score(&definition, &assessment.answers, context);
    let previous = (assessment.status == AssessmentStatus::Completed)
        .then(|| {
            history
                .iter()
                .filter(|other| {
                    other.id != assessment.id
                        && other.instrument_code == assessment.instrument_code
                        && other.status == AssessmentStatus::Completed
                        && (other.administered_on, other.created_at)
                            < (assessment.administered_on, assessment.created_at)
                })
                .max_by_key(|other| (other.administered_on, other.created_at))
        })
        .flatten();
    let change = previous.and_then(|before| {
        let before_result = score(&definition, &before.answers, context);
        change_since(&definition, &before_result, &result)
    });
    AdministeredAssessment {
        previous: previous.map(|p| p.id),
        previous_on: previous.map(|p| p.administered_on),
        assessment,
        definition,
        result,
        change,
    }
}

impl App {
    /// Starts an assessment (and, with `complete`, completes it at once).
    pub async fn start_assessment(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        input: &AssessmentInput,
    ) -> Result<AdministeredAssessment> {
        self.start(actor, participant, input, "started").await
    }

    /// Starts an assessment; `how` says how in the audit event ("started", "imported").
    async fn start(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        input: &AssessmentInput,
        how: &str,
    ) -> Result<AdministeredAssessment> {
        let mut tx = actor.tenant().write().await?;
        let (grant, blinding) =
            self.authorise_measurement::<RecordWork, _>(&mut tx, actor, participant).await?;
        let stored = tx.participant(&grant).await?;
        let code = input.instrument.as_deref().map(str::trim).unwrap_or_default();
        if code.is_empty() {
            return Err(FieldErrors::single("instrument", "choose an instrument").into());
        }
        let definition = definition(&mut tx, code).await?.ok_or_else(|| {
            FieldErrors::single("instrument", "is not an instrument of this organisation")
        })?;
        let today = self.clock().today();
        let fields = AdministrationFields::parse(input, None, today);
        let answers = scored(
            &definition,
            &AnswersInput { answers: input.answers.clone() },
            scoring_context(&stored),
            input.complete,
        );
        let (fields, (answers, result)) = both(fields, answers)?;
        let point = check_program(&mut tx, &fields).await?;
        let grant = at_time_point(&self.policy, actor, grant, &blinding, point.as_ref())?;
        let now = self.clock().now();
        let assessment = Assessment {
            id: AssessmentId::generate(),
            participant_id: participant,
            instrument_code: definition.code.clone(),
            instrument_version: definition.version.clone(),
            program_id: fields.program_id,
            time_point_code: fields.time_point_code,
            administered_on: fields.administered_on,
            status: status(input.complete),
            answers,
            scored: ScoredSummary::of(&result),
            administered_by: actor.user_id(),
            administered_by_name: actor.display_name().to_owned(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_assessment(&grant, &assessment).await?;
        let detail = describe(grant.facts().reference(), &definition, &assessment, how);
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, RECORD, Some(assessment.id.to_string()), detail),
        )
        .await?;
        safety::raise(&mut tx, actor, &grant, &definition, &result, &[], today, now).await?;
        self.finish(tx, &grant, &stored, assessment.id, definition).await
    }

    /// Saves answers to an assessment in progress (merged over those saved) and, with
    /// `complete`, completes it. A completed assessment no longer changes.
    pub async fn save_assessment(
        &self,
        actor: &Actor,
        id: AssessmentId,
        input: &AssessmentInput,
    ) -> Result<AdministeredAssessment> {
        let mut tx = actor.tenant().write().await?;
        let owner = tx.assessment_owner(id).await?.ok_or(AppError::NotFound)?;
        let (grant, blinding) =
            self.authorise_measurement::<RecordWork, _>(&mut tx, actor, owner).await?;
        let current = tx.assessment(&grant, id).await?.ok_or(AppError::NotFound)?;
        let stored = tx.participant(&grant).await?;
        if current.status == AssessmentStatus::Completed {
            return Err(AppError::Conflict(
                "this assessment is completed and no longer changes".into(),
            ));
        }
        if input.version.is_some_and(|v| v != current.version) {
            return Err(AppError::Conflict(
                "this assessment was saved by someone else meanwhile; reload it".into(),
            ));
        }
        let definition = definition(&mut tx, &current.instrument_code).await?.ok_or_else(|| {
            AppError::Internal(format!("instrument {} is gone", current.instrument_code).into())
        })?;
        let today = self.clock().today();
        let saved_fields = AdministrationFields {
            administered_on: current.administered_on,
            program_id: current.program_id,
            time_point_code: current.time_point_code.clone(),
        };
        let fields = AdministrationFields::parse(input, Some(&saved_fields), today);
        let answers = scored(
            &definition,
            &merge_answers(&current.answers, &input.answers),
            scoring_context(&stored),
            input.complete,
        );
        let (fields, (answers, result)) = both(fields, answers)?;
        let point = check_program(&mut tx, &fields).await?;
        let grant = at_time_point(&self.policy, actor, grant, &blinding, point.as_ref())?;
        let now = self.clock().now();
        let updated = Assessment {
            program_id: fields.program_id,
            time_point_code: fields.time_point_code,
            administered_on: fields.administered_on,
            status: status(input.complete),
            answers,
            scored: ScoredSummary::of(&result),
            version: current.version + 1,
            updated_at: now,
            ..current.clone()
        };
        tx.update_assessment(&grant, &updated, current.version).await?;
        let what = if input.complete { "completed" } else { "saved" };
        let detail = describe(grant.facts().reference(), &definition, &updated, what);
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, RECORD, Some(id.to_string()), detail),
        )
        .await?;
        safety::raise(
            &mut tx,
            actor,
            &grant,
            &definition,
            &result,
            &current.scored.flags,
            today,
            now,
        )
        .await?;
        self.finish(tx, &grant, &stored, id, definition).await
    }

    /// One assessment with its scoring and change since the previous one.
    pub async fn assessment(
        &self,
        actor: &Actor,
        id: AssessmentId,
    ) -> Result<AdministeredAssessment> {
        let mut session = actor.tenant().read().await?;
        let owner = session.assessment_owner(id).await?.ok_or(AppError::NotFound)?;
        let (grant, _) =
            self.authorise_measurement::<SeeWork, _>(&mut session, actor, owner).await?;
        let found = session.assessment(&grant, id).await?.ok_or(AppError::NotFound)?;
        let stored = session.participant(&grant).await?;
        let definition =
            definition(&mut session, &found.instrument_code).await?.ok_or_else(|| {
                AppError::Internal(format!("instrument {} is gone", found.instrument_code).into())
            })?;
        let history = session.assessments_of_participant(&grant).await?;
        drop(session);
        let detail = describe(grant.facts().reference(), &definition, &found, "read");
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, RECORD, Some(id.to_string()), detail),
        )
        .await?;
        Ok(view(found, definition, scoring_context(&stored), &history))
    }

    /// A participant's assessments, oldest first, each scored with its change since the
    /// previous completed one of the same instrument.
    pub async fn participant_assessments(
        &self,
        actor: &Actor,
        participant: ParticipantId,
    ) -> Result<Vec<AdministeredAssessment>> {
        let mut session = actor.tenant().read().await?;
        let (grant, _) =
            self.authorise_measurement::<SeeWork, _>(&mut session, actor, participant).await?;
        let stored = session.participant(&grant).await?;
        let history = session.assessments_of_participant(&grant).await?;
        let mut views = Vec::with_capacity(history.len());
        for assessment in &history {
            let Some(definition) = definition(&mut session, &assessment.instrument_code).await?
            else {
                tracing::warn!(instrument = %assessment.instrument_code, "assessment of an unknown instrument left out");
                continue;
            };
            views.push(view(assessment.clone(), definition, scoring_context(&stored), &history));
        }
        drop(session);
        let detail = format!("{}: {} assessments", grant.facts().reference(), views.len());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, RECORD, Some(participant.to_string()), detail),
        )
        .await?;
        Ok(views)
    }

    /// Reads back what was just written, in the same transaction, and commits.
    async fn finish(
        &self,
        mut tx: Session<Write>,
        grant: &Grant<RecordWork>,
        stored: &StoredParticipant,
        id: AssessmentId,
        definition: InstrumentDefinition,
    ) -> Result<AdministeredAssessment> {
        let saved = tx.assessment(grant, id).await?.ok_or(AppError::NotFound)?;
        let history = tx.assessments_of_participant(grant).await?;
        // A completed follow-up closes its time point's tasks.
        if saved.status == AssessmentStatus::Completed && saved.time_point_code.is_some() {
            let (today, now) = (self.clock().today(), self.clock().now());
            follow_up_sweep::sweep_one(&mut tx, grant, today, now).await?;
        }
        tx.commit().await?;
        Ok(view(saved, definition, scoring_context(stored), &history))
    }
}

/// The grant to record an assessment at `point`: a follow-up time point (after enrolment)
/// of a participant in a blinded study is a research assessor's alone.
fn at_time_point(
    policy: &Policy,
    actor: &Actor,
    grant: Grant<RecordWork>,
    blinding: &Blinding,
    point: Option<&TimePoint>,
) -> Result<Grant<RecordWork>> {
    match point {
        Some(point) if point.target_day > 0 => {
            policy.measure(actor, grant.facts(), blinding, Measurement::FollowUp(&point.label))
        }
        _ => Ok(grant),
    }
}

fn status(complete: bool) -> AssessmentStatus {
    if complete { AssessmentStatus::Completed } else { AssessmentStatus::InProgress }
}

/// Both parses' errors together, so one submission shows every problem.
fn both<A, B>(
    a: std::result::Result<A, FieldErrors>,
    b: std::result::Result<B, FieldErrors>,
) -> Result<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => {
            let mut errors = FieldErrors::new();
            for e in a.err().into_iter().chain(b.err()) {
                for error in e.iter() {
                    errors.add(error.field.clone(), error.message.clone());
                }
            }
            Err(errors.into())
        }
    }
}

/// A program named on an assessment must be one of this organisation's, and its time point
/// one of the program's schedule; returns that time point.
async fn check_program<M>(
    tx: &mut Session<M>,
    fields: &AdministrationFields,
) -> Result<Option<TimePoint>> {
    if let Some(program) = fields.program_id
        && tx.program(program).await?.is_none()
    {
        return Err(
            FieldErrors::single("program_id", "is not a program of this organisation").into()
        );
    }
    // A follow-up time point must be one of the program's schedule.
    if let (Some(program), Some(code)) = (fields.program_id, fields.time_point_code.as_deref()) {
        let schedule = tx.schedules(Some(program)).await?.remove(&program).unwrap_or_default();
        let Some(scheduled) = schedule.point(code) else {
            return Err(FieldErrors::single(
                "time_point_code",
                "is not a time point of the program's follow-up schedule",
            )
            .into());
        };
        return Ok(Some(scheduled.time_point.clone()));
    }
    Ok(None)
}

/// "P-0042: PHQ-9 completed, score 12 (moderate)".
fn describe(
    reference: &str,
    definition: &InstrumentDefinition,
    assessment: &Assessment,
    what: &str,
) -> String {
    let mut detail = format!(
        "{reference}: {} {what} ({} answers)",
        definition.short_name,
        assessment.answers.len()
    );
    if let (AssessmentStatus::Completed, Some(score)) = (assessment.status, assessment.scored.score)
    {
        detail.push_str(&format!(", score {score}"));
        if let Some(band) = &assessment.scored.band {
            detail.push_str(&format!(" ({band})"));
        }
    }
    detail
}
