//! Administrations as FHIR R4 `QuestionnaireResponse`s. The subject is the participant's
//! pseudonymous reference (`Patient/P-0042`), never their name. Import validates every
//! answer as a form would, refuses a response about anyone but the participant it is imported
//! for, and then saves it exactly as a new assessment (audited, scored, safety flags raised).

use kindred_domain::FieldErrors;
use kindred_domain::assessment::AssessmentInput;
use kindred_domain::ids::{AssessmentId, ParticipantId};
use kindred_domain::instruments::fhir::{
    CANONICAL_BASE, ResponseMeta, response_from_fhir, response_to_fhir,
};
use serde_json::Value;
use time::{OffsetDateTime, UtcOffset};

use super::{AdministeredAssessment, definition};
use kindred_storage::{RecordWork, SeeWork};

use crate::{Actor, App, AppError, Result};

impl App {
    /// One assessment as a `QuestionnaireResponse` (the read is audited as any other).
    pub async fn assessment_response(&self, actor: &Actor, id: AssessmentId) -> Result<Value> {
        let view = self.assessment(actor, id).await?;
        let reference = {
            let mut session = actor.tenant().read().await?;
            let participant = view.assessment.participant_id;
            let grant = self.authorise::<SeeWork, _>(&mut session, actor, participant).await?;
            grant.facts().reference().to_owned()
        };
        let a = &view.assessment;
        // The day it was given, at the time of day it was entered.
        let authored = OffsetDateTime::new_in_offset(
            a.administered_on,
            a.created_at.to_offset(UtcOffset::UTC).time(),
            UtcOffset::UTC,
        );
        let meta =
            ResponseMeta::new(&format!("Patient/{reference}"), authored).map_err(|message| {
                AppError::Internal(format!("participant reference: {message}").into())
            })?;
        Ok(response_to_fhir(&view.definition, &a.answers, &meta))
    }

    /// Imports a `QuestionnaireResponse` as a new assessment of `participant`: `completed`
    /// completes it, `in-progress` saves it in progress; `authored` gives the day.
    pub async fn import_assessment_response(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        resource: &Value,
    ) -> Result<AdministeredAssessment> {
        let code = questionnaire_code(resource)?;
        let (reference, found) = {
            let mut session = actor.tenant().read().await?;
            let grant = self.authorise::<RecordWork, _>(&mut session, actor, participant).await?;
            (grant.facts().reference().to_owned(), definition(&mut session, &code).await?)
        };
        let definition = found.ok_or_else(|| {
            FieldErrors::single(
                "questionnaire",
                format!("{code} is not an instrument of this organisation"),
            )
        })?;
        let imported = response_from_fhir(&definition, resource)?;
        // A response about someone else must not land on this participant's record.
        let expected = format!("Patient/{reference}");
        if imported.meta.subject() != expected {
            return Err(FieldErrors::single(
                "subject",
                format!("names {}, not this participant ({expected})", imported.meta.subject()),
            )
            .into());
        }
        let input = AssessmentInput {
            instrument: Some(definition.code.clone()),
            administered_on: Some(imported.meta.authored.date().to_string()),
            answers: imported
                .answers
                .iter()
                .map(|(id, v)| (id.to_string(), Value::from(v)))
                .collect(),
            complete: imported.status == "completed",
            ..AssessmentInput::default()
        };
        self.start(actor, participant, &input, "imported from a FHIR QuestionnaireResponse").await
    }
}

/// The instrument code in `questionnaire` (`{CANONICAL_BASE}/Questionnaire/{code}|{version}`).
fn questionnaire_code(resource: &Value) -> Result<String, FieldErrors> {
    let prefix = format!("{CANONICAL_BASE}/Questionnaire/");
    resource
        .get("questionnaire")
        .and_then(Value::as_str)
        .and_then(|q| q.split('|').next())
        .and_then(|url| url.strip_prefix(&prefix))
        .filter(|code| !code.is_empty())
        .map(str::to_string)
        .ok_or_else(|| {
            FieldErrors::single(
                "questionnaire",
                format!("must be a Kindred questionnaire URL ({prefix}<code>)"),
            )
        })
}
