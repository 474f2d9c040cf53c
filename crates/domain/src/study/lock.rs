//! Locking the analysis plan: its canonical form, its SHA-256, and amendments chained to it.
//!
//! # What is locked
//!
//! The **locked plan** is the part of a study an analysis depends on: the design and each
//! arm's code, role, ratio and membership; the eligibility rules and the enrolment period; the
//! follow-up horizon and the baseline time point; the randomisation settings; the full
//! definitions of the primary and secondary outcomes; α; the covariates; the subgroups; and
//! whether the assessor is blinded. Wording (title, question, arm names and descriptions,
//! outcome names) and outcomes the plan does not name are not locked: they can be mended
//! without an amendment.
//!
//! Lists whose order means nothing (secondary outcomes, covariates, subgroups, eligibility
//! rules) are sorted before hashing, so listing them in another order is not a change. Lists
//! whose order matters are kept: the arms and block sizes (the allocation sequence depends on
//! their order), the stratification factors (they name the strata) and a repeated measure's
//! time points.
//!
//! The hash is the lowercase hex SHA-256 of the locked plan in canonical JSON (see
//! [`super::canonical`]), which carries `"version":1` so a future form cannot be mistaken for
//! this one.
//!
//! # Amendments
//!
//! A change after locking is an [`Amendment`] with a reason. Each one's hash covers the hash
//! before it (the locked plan's for the first), the amended plan's hash, the reason, who made
//! it and when (in whole Unix seconds, so a timestamp stored with less precision still
//! verifies): altering or dropping any amendment breaks every hash after it.

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::StudyDefinition;
use super::arms::{Design, Membership};
use super::canonical::{date, to_canonical_json};
use super::outcome::{OutcomeDefinition, OutcomeMeasure};
use crate::fields::{FieldErrors, required_text};
use crate::ids::UserId;
use crate::vocabulary::ArmRole;

/// A SHA-256 in lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct PlanHash(String);

impl PlanHash {
    fn of(canonical: &str) -> Self {
        let digest = Sha256::digest(canonical.as_bytes());
        Self(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Reads a stored hash: 64 lowercase hex digits.
    pub fn parse(text: &str) -> Option<Self> {
        let ok = text.len() == 64 && text.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'));
        ok.then(|| Self(text.to_owned()))
    }

    /// The hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PlanHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An outcome as locked: its code and how it is measured (not its name).
#[derive(Serialize)]
struct LockedOutcome<'a> {
    code: &'a str,
    measure: &'a OutcomeMeasure,
}

impl<'a> From<&'a OutcomeDefinition> for LockedOutcome<'a> {
    fn from(outcome: &'a OutcomeDefinition) -> Self {
        Self { code: &outcome.code, measure: &outcome.measure }
    }
}

#[derive(Serialize)]
struct LockedArm<'a> {
    code: &'a str,
    role: ArmRole,
    ratio: Option<u32>,
    membership: Option<&'a Membership>,
}

/// Sorts values by their canonical form: a total order that depends only on what they say.
fn sorted<T: Serialize>(items: &[T]) -> Vec<Value> {
    let mut values: Vec<(String, Value)> = items
        .iter()
        .map(|item| {
            let value = serde_json::to_value(item).unwrap_or(Value::Null);
            (to_canonical_json(&value), value)
        })
        .collect();
    values.sort_by(|a, b| a.0.cmp(&b.0));
    values.into_iter().map(|(_, value)| value).collect()
}

impl StudyDefinition {
    /// The locked plan as a JSON value (what is hashed; see the module documentation).
    pub fn locked_plan(&self) -> Value {
        let arms: Vec<LockedArm<'_>> = self
            .arms
            .iter()
            .map(|a| LockedArm {
                code: &a.code,
                role: a.role,
                ratio: a.ratio,
                membership: a.membership.as_ref(),
            })
            .collect();
        let outcome = |code: &str| self.outcome(code).map(LockedOutcome::from);
        let secondary: Vec<LockedOutcome<'_>> =
            self.plan.secondary.iter().filter_map(|c| outcome(c)).collect();
        let design: &Design = &self.design;
        json!({
            "version": 1,
            "design": design,
            "arms": arms,
            "eligibility": sorted(&self.eligibility),
            "enrolment": {"from": date(self.enrolment.from), "to": date(self.enrolment.to)},
            "follow_up_days": self.follow_up_days,
            "baseline_time_point": self.baseline_time_point,
            "randomisation": self.randomisation,
            "primary": outcome(&self.plan.primary),
            "secondary": sorted(&secondary),
            "alpha": self.plan.alpha,
            "covariates": sorted(&self.plan.covariates),
            "subgroups": sorted(&self.plan.subgroups),
            "blinded_assessor": self.plan.blinded_assessor,
        })
    }

    /// The locked plan in canonical JSON.
    pub fn canonical_plan(&self) -> String {
        to_canonical_json(&self.locked_plan())
    }

    /// SHA-256 of the canonical locked plan.
    pub fn plan_hash(&self) -> PlanHash {
        PlanHash::of(&self.canonical_plan())
    }
}

/// The head of a plan's chain: the latest link's hash and the plan hash in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanState {
    /// The last link: the locked plan's hash, or the last amendment's hash.
    pub link: PlanHash,
    /// The hash of the plan in force.
    pub plan: PlanHash,
}

impl PlanState {
    /// A plan just locked.
    pub fn locked(plan: &StudyDefinition) -> Self {
        let hash = plan.plan_hash();
        Self { link: hash.clone(), plan: hash }
    }

    /// The state after `amendment`.
    pub fn after(amendment: &Amendment) -> Self {
        Self { link: amendment.hash.clone(), plan: amendment.plan_hash.clone() }
    }
}

/// A change to a locked plan, with its reason, chained to what it amends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Amendment {
    pub reason: String,
    /// The link it follows (the locked plan's hash, or the previous amendment's).
    pub previous: PlanHash,
    /// The amended plan's hash.
    pub plan_hash: PlanHash,
    pub amended_by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub amended_at: OffsetDateTime,
    /// This link's hash.
    pub hash: PlanHash,
}

impl Amendment {
    /// Amends the plan at `head` to `amended`. Refuses a blank reason, and an amendment that
    /// changes nothing locked.
    pub fn new(
        reason: Option<&str>,
        head: &PlanState,
        amended: &StudyDefinition,
        amended_by: UserId,
        amended_at: OffsetDateTime,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let reason = errors.check("reason", required_text(reason, 2000));
        let plan_hash = amended.plan_hash();
        if plan_hash == head.plan {
            errors.add("plan", "changes nothing the locked plan holds; no amendment is needed");
        }
        errors.into_result(|| {
            let reason = reason?;
            let hash = link_hash(&reason, &head.link, &plan_hash, amended_by, amended_at);
            Some(Self {
                reason,
                previous: head.link.clone(),
                plan_hash,
                amended_by,
                amended_at,
                hash,
            })
        })
    }

    /// This link's hash, recomputed from its fields.
    pub fn recompute(&self) -> PlanHash {
        link_hash(&self.reason, &self.previous, &self.plan_hash, self.amended_by, self.amended_at)
    }
}

fn link_hash(
    reason: &str,
    previous: &PlanHash,
    plan: &PlanHash,
    by: UserId,
    at: OffsetDateTime,
) -> PlanHash {
    let link = json!({
        "kind": "analysis_plan_amendment",
        "version": 1,
        "previous": previous.as_str(),
        "plan": plan.as_str(),
        "reason": reason,
        "by": by.to_string(),
        "at": at.unix_timestamp(),
    });
    PlanHash::of(&to_canonical_json(&link))
}

/// Where an amendment chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first amendment (from 0) that does not follow or does not verify.
    pub index: usize,
    pub problem: &'static str,
}

/// Checks that `amendments`, in order, follow the plan locked with `locked` and that each
/// one's hash verifies. Returns the plan state in force.
pub fn verify_chain(locked: &PlanHash, amendments: &[Amendment]) -> Result<PlanState, ChainBreak> {
    let mut head = PlanState { link: locked.clone(), plan: locked.clone() };
    for (index, amendment) in amendments.iter().enumerate() {
        if amendment.previous != head.link {
            return Err(ChainBreak { index, problem: "does not follow the link before it" });
        }
        if amendment.recompute() != amendment.hash {
            return Err(ChainBreak { index, problem: "its hash does not match its contents" });
        }
        head = PlanState::after(amendment);
    }
    Ok(head)
}
