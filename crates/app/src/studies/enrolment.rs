//! Enrolling a participant in a study, and the allocation log.
//!
//! A randomised study draws the arm from the concealed, seeded, stratified permuted-block
//! sequence (`kindred_evaluation::allocation`), the stratum read from the participant's
//! recorded fields; a quasi-experimental study reads the arm from the record by its membership
//! rules; a pre-post study has its one arm. The allocation is appended to the log and never
//! undone: a participant who withdraws stays in their arm (intention to treat).
//!
//! The person enrolling learns the arm drawn and nothing else. The log, the counts by arm and
//! the re-derivation from the seed are the evaluator's; the seed itself leaves no use case.

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::ids::{ParticipantId, StudyId};
use kindred_domain::study::records::AllocationRecord;
use kindred_domain::study::{Design, Membership, StudyDefinition, StudyStatus, baseline_values};
use kindred_domain::vocabulary::ParticipantStatus;
use kindred_evaluation::allocation::{LogEntry, StudyAllocation, rederive};
use kindred_evaluation::record::{EventRecord, ParticipantRecord};
use kindred_storage::{Edit, Grant, Identifies, NewAllocation, ResearchRecord, Session};
use time::OffsetDateTime;

use super::load_view;
use crate::audit::entry;
use crate::policy::StudyLead;
use crate::{Actor, App, AppError, Result};

/// What the enrolling person is told: the arm drawn, nothing about the sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyEnrolment {
    pub study_id: StudyId,
    pub participant_id: ParticipantId,
    /// The arm's code and name.
    pub arm: String,
    pub arm_name: String,
    pub enrolled_at: OffsetDateTime,
}

/// The allocation log re-derived from the seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationVerification {
    /// Entries checked.
    pub entries: usize,
    /// The first entry the seed does not reproduce: its sequence number, the arm the seed
    /// gives there (when it could be derived) and the problem in words.
    pub first_mismatch: Option<(i64, Option<String>, String)>,
}

impl AllocationVerification {
    pub fn matches(&self) -> bool {
        self.first_mismatch.is_none()
    }
}

const RANDOMISED: &str = "randomised";
const MEMBERSHIP: &str = "membership";

impl App {
    /// Why a participant may not be enrolled in a study (the eligibility rules they do not
    /// meet, in words); empty when they may. Asked by the people who enrol.
    pub async fn study_eligibility(
        &self,
        actor: &Actor,
        study: StudyId,
        participant: ParticipantId,
    ) -> Result<Vec<String>> {
        let mut session = actor.tenant().read().await?;
        let facts = session.participant_facts(participant).await?.ok_or(AppError::NotFound)?;
        let grant = self.policy.grant::<Edit>(actor, &facts)?;
        let view = load_view(&mut session, study, false).await?;
        let record = session.research_record(&grant).await?;
        unmet(&mut session, &grant, &view.definition, &record, self.clock().today()).await
    }

    /// Enrols a participant in an open study and allocates their arm. Takes the grant to edit
    /// the participant (their coach, the coach's supervisor, a manager).
    pub async fn enrol_in_study(
        &self,
        actor: &Actor,
        study: StudyId,
        participant: ParticipantId,
    ) -> Result<StudyEnrolment> {
        let mut tx = actor.tenant().write().await?;
        let facts = tx.participant_facts(participant).await?.ok_or(AppError::NotFound)?;
        let grant = self.policy.grant::<Edit>(actor, &facts)?;
        // Take the study's turn first, so concurrent enrolments read each other's counts.
        tx.hold_study_for_enrolment(study).await?;
        let view = load_view(&mut tx, study, false).await?;
        if view.status() != StudyStatus::Open {
            return Err(AppError::Conflict(match view.status() {
                StudyStatus::Draft => "the study is not open for enrolment yet".into(),
                _ => "the study is closed to enrolment".into(),
            }));
        }
        if tx.study_allocation(&grant, study).await?.is_some() {
            return Err(AppError::Conflict(format!(
                "{} is already in this study; an allocation is never changed",
                facts.reference()
            )));
        }
        let today = self.clock().today();
        let definition = &view.definition;
        let record = tx.research_record(&grant).await?;
        let refused = unmet(&mut tx, &grant, definition, &record, today).await?;
        if !refused.is_empty() {
            return Err(FieldErrors::single(
                "participant_id",
                format!("is not eligible: {}", refused.join("; ")),
            )
            .into());
        }
        let values = baseline_values(&record.enrolment, &record.baseline);
        let (arm, stratum, position, block, method) = match definition.design {
            Design::Randomised => {
                let scheme = StudyAllocation::of(definition)
                    .map_err(|e| AppError::Internal(format!("study {study}: {e}").into()))?;
                let seed = tx.study_seed(study).await?.ok_or_else(|| {
                    AppError::Internal(format!("open randomised study {study} has no seed").into())
                })?;
                let stratum = scheme.stratum(&values);
                let position = tx.study_stratum_count(study, &stratum).await?;
                let position = u64::try_from(position).unwrap_or_default();
                let drawn = scheme
                    .allocate(seed, &stratum, position)
                    .map_err(|e| AppError::Internal(format!("study {study}: {e}").into()))?;
                let block = Some((drawn.block as i64, i64::from(drawn.block_size)));
                (drawn.arm, stratum, position as i64, block, RANDOMISED)
            }
            Design::QuasiExperimental { .. } | Design::PrePost => {
                let arm = arm_by_membership(definition, &record)?;
                let stratum = kindred_evaluation::allocation::UNSTRATIFIED.to_owned();
                let position = tx.study_stratum_count(study, &stratum).await?;
                (arm, stratum, position, None, MEMBERSHIP)
            }
        };
        let now = self.clock().now();
        let sequence = tx
            .append_allocation(
                &grant,
                study,
                NewAllocation {
                    stratum: &stratum,
                    position,
                    arm: &arm,
                    method,
                    block: block.map(|b| b.0),
                    block_size: block.map(|b| b.1),
                },
                actor.user_id(),
                now,
            )
            .await?;
        // The audit log says who enrolled whom, not the arm: admins read it.
        tx.append_audit(
            now,
            entry(
                actor,
                AuditAction::Create,
                "study_allocation",
                Some(study.to_string()),
                format!("{} enrolled (allocation {sequence})", facts.reference()),
            ),
        )
        .await?;
        tx.commit().await?;
        let arm_name = definition.arm(&arm).map(|a| a.name.clone()).unwrap_or_default();
        Ok(StudyEnrolment {
            study_id: study,
            participant_id: participant,
            arm,
            arm_name,
            enrolled_at: now,
        })
    }

    /// The arm a participant is in, for those who may see their record (`None` if they are
    /// not in the study).
    pub async fn study_arm_of(
        &self,
        actor: &Actor,
        study: StudyId,
        participant: ParticipantId,
    ) -> Result<Option<StudyEnrolment>> {
        let mut session = actor.tenant().read().await?;
        let facts = session.participant_facts(participant).await?.ok_or(AppError::NotFound)?;
        let grant = self.policy.grant::<kindred_storage::Identified>(actor, &facts)?;
        let view = load_view(&mut session, study, false).await?;
        let Some(allocation) = session.study_allocation(&grant, study).await? else {
            return Ok(None);
        };
        let arm_name =
            view.definition.arm(&allocation.arm).map(|a| a.name.clone()).unwrap_or_default();
        Ok(Some(StudyEnrolment {
            study_id: study,
            participant_id: participant,
            arm: allocation.arm,
            arm_name,
            enrolled_at: allocation.enrolled_at,
        }))
    }

    /// The study's allocation log, in order (the evaluator's; participants by reference,
    /// never by name). Audited as a read.
    pub async fn allocation_log(
        &self,
        lead: &StudyLead<'_>,
        study: StudyId,
    ) -> Result<Vec<AllocationRecord>> {
        let actor = lead.actor();
        let scope = self.policy.scope::<kindred_storage::Research>(actor)?;
        let mut session = actor.tenant().read().await?;
        session.study(study).await?.ok_or(AppError::NotFound)?;
        let log = session.study_allocations(&scope, study).await?;
        drop(session);
        self.audit_read(
            actor,
            entry(actor, AuditAction::List, "study_allocation", Some(study.to_string()), {
                format!("allocation log ({} entries)", log.len())
            }),
        )
        .await?;
        Ok(log)
    }

    /// Re-derives the study's allocation log from its seed and compares, entry by entry.
    pub async fn verify_allocations(
        &self,
        lead: &StudyLead<'_>,
        study: StudyId,
    ) -> Result<AllocationVerification> {
        let actor = lead.actor();
        let scope = self.policy.scope::<kindred_storage::Research>(actor)?;
        let mut session = actor.tenant().read().await?;
        let view = load_view(&mut session, study, true).await?;
        let log = session.study_allocations(&scope, study).await?;
        let randomised: Vec<&AllocationRecord> =
            log.iter().filter(|a| a.method == RANDOMISED).collect();
        if view.definition.randomisation.is_none() {
            return Ok(AllocationVerification { entries: 0, first_mismatch: None });
        }
        let scheme = StudyAllocation::of(&view.definition)
            .map_err(|e| AppError::Internal(format!("study {study}: {e}").into()))?;
        let Some(seed) = session.study_seed(study).await? else {
            return Ok(AllocationVerification { entries: 0, first_mismatch: None });
        };
        let entries: Vec<LogEntry> = randomised
            .iter()
            .map(|a| LogEntry {
                stratum: a.stratum.clone(),
                position: u64::try_from(a.position).unwrap_or(u64::MAX),
                arm: a.arm.clone(),
            })
            .collect();
        let first_mismatch = rederive(seed, &scheme, &entries).err().map(|m| {
            let sequence = randomised.get(m.index).map_or(0, |a| a.sequence);
            (sequence, m.expected_arm, m.problem)
        });
        Ok(AllocationVerification { entries: entries.len(), first_mismatch })
    }
}

/// The eligibility rules a participant does not meet, and whether they can be in the study at
/// all (withdrawn, or in none of its programs).
async fn unmet<M, A: Identifies>(
    session: &mut Session<M>,
    grant: &Grant<A>,
    definition: &StudyDefinition,
    record: &ResearchRecord,
    today: time::Date,
) -> Result<Vec<String>> {
    let mut reasons = Vec::new();
    if matches!(record.enrolment.status, ParticipantStatus::Withdrawn) {
        reasons.push("has withdrawn".to_owned());
    }
    let in_programs =
        record.enrolment.program_id.is_some_and(|p| definition.program_ids.contains(&p));
    if !in_programs {
        reasons.push("is not in one of the study's programs".to_owned());
    }
    if matches!(definition.design, Design::Randomised | Design::PrePost)
        && !definition.enrolment.contains(today)
    {
        reasons.push("the study's enrolment period does not include today".to_owned());
    }
    let events = session.outcome_events(grant).await?;
    let participant = ParticipantRecord {
        enrolled_on: record.enrolment.enrolled_on,
        status: record.enrolment.status,
        left_on: record.enrolment.left_on,
        baseline: baseline_values(&record.enrolment, &record.baseline),
        schedule: Vec::new(),
        assessments: Vec::new(),
        events: events
            .iter()
            // With the hospitalisation's and the appointment's kind: "a psychiatric stay in
            // the two years before" and "attended a medical appointment" are common rules.
            .map(|e| EventRecord {
                hospitalisation: e.event.hospitalisation_kind,
                appointment: e.appointment_kind,
                ..EventRecord::new(e.event.kind, e.event.occurred_on)
            })
            .collect(),
        last_follow_up_on: None,
        study_end: definition.enrolment.to,
    };
    reasons.extend(participant.unmet_eligibility(&definition.eligibility));
    Ok(reasons)
}

/// The arm a participant's record puts them in, for a study that does not randomise.
fn arm_by_membership(definition: &StudyDefinition, record: &ResearchRecord) -> Result<String> {
    if let Design::PrePost = definition.design {
        return definition
            .arms
            .first()
            .map(|a| a.code.clone())
            .ok_or_else(|| AppError::Internal("a pre-post study without its arm".into()));
    }
    let program = record.enrolment.program_id;
    let enrolled_on = record.enrolment.enrolled_on;
    let fits = |membership: &Membership| match membership {
        Membership::Program { program_id } => {
            program == Some(*program_id) && definition.enrolment.contains(enrolled_on)
        }
        Membership::EnrolmentPeriod { program_id, from, to } => {
            program == Some(*program_id) && *from <= enrolled_on && enrolled_on <= *to
        }
        // Which component a participant received is read from their contacts at analysis;
        // it cannot place them at enrolment.
        Membership::Component { .. } => false,
    };
    let matching: Vec<&str> = definition
        .arms
        .iter()
        .filter(|arm| arm.membership.as_ref().is_some_and(fits))
        .map(|arm| arm.code.as_str())
        .collect();
    match matching.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] if definition
            .arms
            .iter()
            .any(|a| matches!(a.membership, Some(Membership::Component { .. }))) =>
        {
            Err(AppError::Conflict(
                "this study's arms are formed by the components participants received, which \
                 the analysis reads from their contacts; they are not enrolled one by one"
                    .into(),
            ))
        }
        [] => Err(FieldErrors::single(
            "participant_id",
            "is in neither arm: their program and enrolment date match no arm's membership",
        )
        .into()),
        _ => {
            Err(FieldErrors::single("participant_id", "matches more than one arm's membership")
                .into())
        }
    }
}
