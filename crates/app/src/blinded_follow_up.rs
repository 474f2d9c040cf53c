//! The research assessor's list: the open follow-up windows of every participant of the
//! organisation's blinded studies, soonest closing first, with what is needed to reach them
//! (name, phone) and the study — never the arm, the coach or any of the support given (see
//! `policy::blinding`). Audited as a list of follow-up records.

use std::collections::HashSet;

use kindred_domain::audit::AuditAction;
use kindred_domain::follow_up::FollowUpStatus;
use kindred_domain::follow_up_log::{PointStatus, statuses};
use kindred_domain::ids::{ParticipantId, ProgramId, StudyId};
use kindred_domain::study::StudyStatus;
use kindred_storage::{Among, SeeWork};
use time::Date;

use crate::audit::entry;
use crate::follow_up_sweep::followed;
use crate::policy::{BlindedAssessor, Blinding, blinds};
use crate::{App, Result};

/// One open window of a participant of a blinded study.
#[derive(Debug, Clone)]
pub struct BlindedWindow {
    pub participant_id: ParticipantId,
    pub reference: String,
    pub name: String,
    pub phone: Option<String>,
    pub program_id: ProgramId,
    pub study_id: StudyId,
    pub study_title: String,
    pub point: PointStatus,
}

/// The assessor's list, soonest closing first.
#[derive(Debug, Clone)]
pub struct BlindedFollowUp {
    pub today: Date,
    /// The blinded studies not closed: `(id, title)`.
    pub studies: Vec<(StudyId, String)>,
    pub open: Vec<BlindedWindow>,
}

impl App {
    /// The open follow-up windows of the organisation's blinded studies.
    ///
    /// A study holds hundreds of participants, not the organisation's thousands, so each
    /// participant is granted and read on their own (two small queries each).
    pub async fn blinded_follow_up(
        &self,
        assessor: &BlindedAssessor<'_>,
    ) -> Result<BlindedFollowUp> {
        let actor = assessor.actor();
        let today = self.clock().today();
        let mut session = actor.tenant().read().await?;
        let mut studies = Vec::new();
        for summary in session.studies().await? {
            if summary.status == StudyStatus::Closed {
                continue;
            }
            if let Some(study) = session.study(summary.id).await?.filter(blinds) {
                studies.push((study.id, study.title));
            }
        }
        let schedules = session.schedules(None).await?;
        let mut open = Vec::new();
        let mut seen = HashSet::new();
        for (study_id, title) in &studies {
            let blinding = Blinding::of_study(title);
            for facts in session.participant_facts_in_study(*study_id).await? {
                if !seen.insert(facts.id()) {
                    continue;
                }
                // Their own coach, holding the assessor role too, is left out (and refused).
                let Some(grant) =
                    self.policy.as_blinded_assessor::<SeeWork>(actor, &facts, &blinding)
                else {
                    continue;
                };
                let participant = session.participant(&grant).await?.participant;
                let enrolment = &participant.enrolment;
                let Some((program_id, schedule)) =
                    enrolment.program_id.and_then(|p| Some((p, schedules.get(&p)?)))
                else {
                    continue;
                };
                if !followed(enrolment.status) {
                    continue;
                }
                let evidence = session
                    .follow_up_evidence(Among::One(&grant))
                    .await?
                    .remove(&facts.id())
                    .unwrap_or_default();
                for point in statuses(schedule, enrolment.enrolled_on, &evidence, today) {
                    let follow_up =
                        schedule.point(&point.code).is_some_and(|p| p.time_point.target_day > 0);
                    if follow_up && point.status == FollowUpStatus::WindowOpen {
                        open.push(BlindedWindow {
                            participant_id: facts.id(),
                            reference: participant.reference.clone(),
                            name: participant.identity.display_name(),
                            phone: participant.identity.phone.clone(),
                            program_id,
                            study_id: *study_id,
                            study_title: title.clone(),
                            point,
                        });
                    }
                }
            }
        }
        drop(session);
        open.sort_by(|a, b| {
            (a.point.window.closes_on, &a.reference).cmp(&(b.point.window.closes_on, &b.reference))
        });
        let references: Vec<&str> = open.iter().map(|w| w.reference.as_str()).collect();
        let detail =
            format!("blinded follow-up: {} open windows: {}", open.len(), references.join(" "));
        self.audit_read(actor, entry(actor, AuditAction::List, "follow_up", None, detail)).await?;
        Ok(BlindedFollowUp { today, studies, open })
    }
}
