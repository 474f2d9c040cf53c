//! Completed assessments from a spreadsheet import, checked and written by the same steps as
//! [`App::start_assessment`](crate::App::start_assessment) with `complete` — the same answer
//! validation, scoring, time-point check, blinding, audit and safety flag — so an imported
//! assessment equals one entered by hand.

use kindred_domain::FieldErrors;
use kindred_domain::assessment::{
    AdministrationFields, Assessment, AssessmentInput, ScoredSummary,
};
use kindred_domain::audit::AuditAction;
use kindred_domain::ids::AssessmentId;
use kindred_domain::instruments::{AnswersInput, InstrumentDefinition, ScoreResult};
use kindred_storage::{Grant, RecordWork, Session, Write};
use time::{Date, OffsetDateTime};

use super::{
    RECORD, at_time_point, both, check_program, describe, safety, scored, scoring_context, status,
};
use crate::audit::entry;
use crate::policy::{Blinding, Policy};
use crate::{Actor, AppError, Result, follow_up_sweep};

/// A completed assessment ready to write, under the grant its time point needs.
pub(crate) struct Completed {
    pub(crate) grant: Grant<RecordWork>,
    pub(crate) assessment: Assessment,
    definition: InstrumentDefinition,
    result: ScoreResult,
}

/// Checks `input` as a completed administration of `definition`. The row's problems come back
/// as field errors (the fields as [`AssessmentInput`] names them; answers under their item
/// ids); only a failure of the store is an error.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn check_completed<M>(
    session: &mut Session<M>,
    policy: &Policy,
    actor: &Actor,
    grant: Grant<RecordWork>,
    blinding: &Blinding,
    definition: &InstrumentDefinition,
    input: &AssessmentInput,
    today: Date,
    now: OffsetDateTime,
) -> Result<std::result::Result<Completed, FieldErrors>> {
    let stored = session.participant(&grant).await?;
    let fields = AdministrationFields::parse(input, None, today);
    let answers = scored(
        definition,
        &AnswersInput { answers: input.answers.clone() },
        scoring_context(&stored),
        true,
    );
    let (fields, (answers, result)) = match both(fields, answers) {
        Ok(parsed) => parsed,
        Err(AppError::Invalid(errors)) => return Ok(Err(errors)),
        Err(other) => return Err(other),
    };
    let point = match check_program(session, &fields).await {
        Ok(point) => point,
        Err(AppError::Invalid(errors)) => return Ok(Err(errors)),
        Err(other) => return Err(other),
    };
    let grant = match at_time_point(policy, actor, grant, blinding, point.as_ref()) {
        Ok(grant) => grant,
        Err(refusal) => {
            return Ok(Err(FieldErrors::single("time_point_code", refusal.to_string())));
        }
    };
    let assessment = Assessment {
        id: AssessmentId::generate(),
        participant_id: grant.facts().id(),
        instrument_code: definition.code.clone(),
        instrument_version: definition.version.clone(),
        program_id: fields.program_id,
        time_point_code: fields.time_point_code,
        administered_on: fields.administered_on,
        status: status(true),
        answers,
        scored: ScoredSummary::of(&result),
        administered_by: actor.user_id(),
        administered_by_name: actor.display_name().to_owned(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    Ok(Ok(Completed { grant, assessment, definition: definition.clone(), result }))
}

/// Writes a checked assessment as starting it completed would: audited as imported, its
/// safety flag raised for the supervisor, its time point's follow-up tasks closed.
pub(crate) async fn write_completed(
    tx: &mut Session<Write>,
    actor: &Actor,
    completed: &Completed,
    today: Date,
    now: OffsetDateTime,
) -> Result<()> {
    let Completed { grant, assessment, definition, result } = completed;
    tx.insert_assessment(grant, assessment).await?;
    let detail = describe(grant.facts().reference(), definition, assessment, "imported");
    tx.append_audit(
        now,
        entry(actor, AuditAction::Create, RECORD, Some(assessment.id.to_string()), detail),
    )
    .await?;
    safety::raise(tx, actor, grant, definition, result, &[], today, now).await?;
    if assessment.time_point_code.is_some() {
        follow_up_sweep::sweep_one(tx, grant, today, now).await?;
    }
    Ok(())
}
