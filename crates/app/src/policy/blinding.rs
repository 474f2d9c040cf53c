//! Blinded outcome assessment. A study's plan may blind the assessor: the follow-up
//! assessments of its participants (at a time point after enrolment) are then recorded by a
//! research assessor, so the person measuring the outcome is not the coach who gave the
//! support and does not know the arm.
//!
//! A research assessor's grants cover the measurement only — the participant's identity (to
//! reach them), their follow-up record and their assessments — and only for participants of a
//! blinded study that is not closed. No use case that shows an arm, a contact or any other
//! work asks for them, so the assessor never meets an arm. A research assessor who is the
//! participant's own coach is refused: that is exactly the person blinding keeps out.

use kindred_domain::study::StudyStatus;
use kindred_domain::study::records::StoredStudy;
use kindred_domain::vocabulary::Role;
use kindred_storage::{Grant, Identified, ParticipantFacts, RecordWork, SeeWork, Session};

use super::{Permission, Policy};
use crate::{Actor, AppError, Result};

/// Whether a study blinds its assessor now: its plan says so and it is not closed.
pub(crate) fn blinds(study: &StoredStudy) -> bool {
    study.status != StudyStatus::Closed
        && study.input.plan.as_ref().is_some_and(|plan| plan.blinds_assessor())
}

/// The blinded studies a participant is allocated in (their titles), read with the facts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Blinding {
    studies: Vec<String>,
}

impl Blinding {
    /// The participant's studies that blind the assessor and are not closed.
    pub(crate) async fn of<M>(session: &mut Session<M>, facts: &ParticipantFacts) -> Result<Self> {
        let studies = session
            .studies_allocating(facts)
            .await?
            .into_iter()
            .filter(blinds)
            .map(|study| study.title)
            .collect();
        Ok(Self { studies })
    }

    /// One blinded study's participants, for its assessor's list.
    pub(crate) fn of_study(title: &str) -> Self {
        Self { studies: vec![title.to_owned()] }
    }

    fn applies(&self) -> bool {
        !self.studies.is_empty()
    }
}

/// What is being measured: anything of the participant's follow-up record and assessments, or
/// an assessment at a follow-up time point (its label), which a blinded study reserves.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Measurement<'a> {
    Any,
    FollowUp(&'a str),
}

/// The accesses measurement needs; nothing else can be granted to an assessor.
pub(crate) trait Measures: Permission {}
impl Measures for Identified {}
impl Measures for SeeWork {}
impl Measures for RecordWork {}

impl Policy {
    /// `A` for measuring this participant: the caseload's grant (their coach, supervisor or a
    /// manager), or a research assessor's for a participant of a blinded study. A follow-up
    /// time point of a blinded study is the research assessor's alone.
    pub(crate) fn measure<A: Measures>(
        &self,
        actor: &Actor,
        facts: &ParticipantFacts,
        blinding: &Blinding,
        measurement: Measurement<'_>,
    ) -> Result<Grant<A>> {
        if let Some(grant) = self.as_blinded_assessor(actor, facts, blinding) {
            return Ok(grant);
        }
        match measurement {
            Measurement::FollowUp(label) if blinding.applies() => Err(blinded_refusal(
                facts.reference(),
                label,
                &blinding.studies,
                actor.has_role(Role::ResearchAssessor),
            )),
            _ => self.grant(actor, facts),
        }
    }

    /// `A` as the research assessor of this participant's blinded study, if the actor is one
    /// and is not the participant's coach.
    pub(crate) fn as_blinded_assessor<A: Measures>(
        &self,
        actor: &Actor,
        facts: &ParticipantFacts,
        blinding: &Blinding,
    ) -> Option<Grant<A>> {
        let own_coach = facts.coach_id() == Some(actor.user_id());
        (blinding.applies() && actor.has_role(Role::ResearchAssessor) && !own_coach)
            .then(|| self.key.grant(facts))
    }
}

/// Why someone who gave the support may not record a blinded study's outcome.
fn blinded_refusal(reference: &str, label: &str, studies: &[String], assessor: bool) -> AppError {
    let studies = studies.iter().map(|title| format!("“{title}”")).collect::<Vec<_>>().join(", ");
    let who = if assessor {
        "you are this participant's coach, and"
    } else {
        "a research assessor records it, because"
    };
    AppError::Forbidden(format!(
        "{reference}'s {label} assessment is an outcome of the blinded study {studies}: {who} \
         the person measuring the outcome must not be one who gave the support or knows the arm"
    ))
}
