//! The locked analysis plan: locking hashes the plan's canonical form (SHA-256), with who and
//! when; a change after that is an amendment with a reason, chained to the link before it
//! (see `kindred_domain::study::lock`).

use kindred_domain::audit::AuditAction;
use kindred_domain::ids::StudyId;
use kindred_domain::study::records::{AmendmentRecord, PlanLockRecord};
use kindred_domain::study::{
    Amendment, PlanHash, PlanState, StudyDefinition, StudyInput, verify_chain,
};
use kindred_evaluation::allocation::StudyAllocation;

use super::{StudyView, load_view, parse_study, write_of};
use crate::audit::entry;
use crate::policy::StudyLead;
use crate::{App, AppError, Result};

/// A study's plan: the hash of the plan as it stands, its lock and amendments, and whether
/// the chain verifies.
#[derive(Debug, Clone)]
pub struct PlanView {
    /// SHA-256 of the current definition's locked plan.
    pub current_hash: String,
    pub lock: Option<PlanLockRecord>,
    pub amendments: Vec<AmendmentRecord>,
    /// Where the chain breaks (`None` when it verifies, or nothing is locked).
    pub chain_break: Option<String>,
}

impl PlanView {
    pub(crate) fn new(
        definition: &StudyDefinition,
        lock: Option<PlanLockRecord>,
        amendments: Vec<AmendmentRecord>,
    ) -> Self {
        let current_hash = definition.plan_hash().to_string();
        let chain_break = lock.as_ref().and_then(|lock| {
            let chain: Option<Vec<Amendment>> = amendments.iter().map(to_amendment).collect();
            let Some(locked) = PlanHash::parse(&lock.hash) else {
                return Some("the locked hash is not a SHA-256".to_owned());
            };
            let Some(chain) = chain else {
                return Some("an amendment's stored hash is not a SHA-256".to_owned());
            };
            match verify_chain(&locked, &chain) {
                Err(broken) => Some(format!("amendment {}: {}", broken.index + 1, broken.problem)),
                Ok(state) if state.plan.as_str() != current_hash => {
                    Some("the study's plan is not the plan the chain ends in".to_owned())
                }
                Ok(_) => None,
            }
        });
        Self { current_hash, lock, amendments, chain_break }
    }

    /// The head of the chain, when locked.
    fn head(&self) -> Option<PlanState> {
        let lock = self.lock.as_ref()?;
        let last = self.amendments.last();
        let link = last.map_or(lock.hash.as_str(), |a| a.hash.as_str());
        let plan = last.map_or(lock.hash.as_str(), |a| a.plan_hash.as_str());
        Some(PlanState { link: PlanHash::parse(link)?, plan: PlanHash::parse(plan)? })
    }
}

fn to_amendment(record: &AmendmentRecord) -> Option<Amendment> {
    Some(Amendment {
        reason: record.reason.clone(),
        previous: PlanHash::parse(&record.previous_hash)?,
        plan_hash: PlanHash::parse(&record.plan_hash)?,
        amended_by: record.amended_by,
        amended_at: record.amended_at,
        hash: PlanHash::parse(&record.hash)?,
    })
}

impl App {
    /// Locks the study's analysis plan: its hash, canonical form, who and when.
    pub async fn lock_plan(&self, lead: &StudyLead<'_>, study: StudyId) -> Result<StudyView> {
        let actor = lead.actor();
        let mut tx = actor.tenant().write().await?;
        let view = load_view(&mut tx, study, true).await?;
        if view.plan_locked() {
            return Err(AppError::Conflict(
                "the plan is already locked; change it by an amendment".into(),
            ));
        }
        let hash = view.definition.plan_hash();
        let now = self.clock().now();
        tx.insert_plan_lock(
            study,
            hash.as_str(),
            &view.definition.canonical_plan(),
            actor.user_id(),
            now,
        )
        .await?;
        tx.append_audit(
            now,
            entry(
                actor,
                AuditAction::Update,
                "study_plan",
                Some(study.to_string()),
                format!("locked {hash}"),
            ),
        )
        .await?;
        let view = load_view(&mut tx, study, true).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Amends a locked plan at `version` to `input`, with a reason. Once participants are
    /// allocated, the arms and the randomisation that drew them no longer change.
    pub async fn amend_plan(
        &self,
        lead: &StudyLead<'_>,
        study: StudyId,
        version: i64,
        input: &StudyInput,
        reason: Option<&str>,
    ) -> Result<StudyView> {
        let actor = lead.actor();
        let mut tx = actor.tenant().write().await?;
        let view = load_view(&mut tx, study, true).await?;
        let head = view.plan.head().ok_or_else(|| {
            AppError::Conflict("the plan is not locked: edit the study instead".into())
        })?;
        let amended = parse_study(&mut tx, input).await?;
        if view.enrolled > 0 && scheme_of(&amended) != scheme_of(&view.definition) {
            return Err(kindred_domain::FieldErrors::single(
                "arms",
                "participants are already allocated: the arms, their ratios and the \
                 randomisation that drew them cannot change",
            )
            .into());
        }
        let now = self.clock().now();
        let amendment = Amendment::new(reason, &head, &amended, actor.user_id(), now)?;
        let record = AmendmentRecord {
            seq: 0,
            reason: amendment.reason.clone(),
            previous_hash: amendment.previous.to_string(),
            plan_hash: amendment.plan_hash.to_string(),
            hash: amendment.hash.to_string(),
            canonical: amended.canonical_plan(),
            amended_by: amendment.amended_by,
            amended_at: amendment.amended_at,
        };
        let seq = tx.append_amendment(study, &record).await?;
        let stored_input = amended.to_input();
        tx.update_study(study, version, write_of(&amended, &stored_input), now).await?;
        tx.append_audit(
            now,
            entry(
                actor,
                AuditAction::Update,
                "study_plan",
                Some(study.to_string()),
                format!("amendment {seq}: {}", amendment.hash),
            ),
        )
        .await?;
        let view = load_view(&mut tx, study, true).await?;
        tx.commit().await?;
        Ok(view)
    }
}

/// What the allocation depends on (`None` for a study that does not randomise).
fn scheme_of(definition: &StudyDefinition) -> Option<StudyAllocation> {
    StudyAllocation::of(definition).ok()
}
