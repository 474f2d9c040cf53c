//! A study's CONSORT-style flow, drawn from the record: who was assessed for eligibility, who
//! was excluded and why, who was allocated to each arm, who received the allocated support,
//! who was lost to follow-up or withdrew, and who was analysed for the primary outcome.
//!
//! It is counted from the same load as the analysis, so its allocated participants are the
//! analysed set and, once the plan is locked, its analysed counts are the primary outcome's
//! sample as the analysis reports it. Before the lock nothing is counted by arm.

use std::collections::BTreeMap;

use kindred_domain::study::StudyDefinition;
use kindred_domain::vocabulary::ParticipantStatus;
use kindred_evaluation::analysis::{OutcomeRole, StudyAnalysis};
use kindred_evaluation::assemble::StudyParticipant;
use time::Date;

/// The flow of a study, counts only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyFlow {
    pub data_cut_off: Date,
    /// Participants of the study's programs enrolled in its enrolment period, and anyone
    /// allocated besides.
    pub assessed: usize,
    /// Assessed but not allocated.
    pub excluded: usize,
    /// Why, in words, with how many each: a participant meeting several reasons counts under
    /// each, so these may sum to more than `excluded`.
    pub exclusions: Vec<(String, usize)>,
    /// The arms' totals, pooled.
    pub total: FlowCounts,
    /// The primary outcome's name, when the plan names one.
    pub primary_outcome: Option<String>,
    /// Per arm, in the study's order: only once the plan is locked.
    pub arms: Option<Vec<ArmFlow>>,
}

/// One arm's flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmFlow {
    pub code: String,
    pub name: String,
    pub counts: FlowCounts,
}

/// Allocated = followed + lost + withdrew, always.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlowCounts {
    pub allocated: usize,
    /// At least one contact on or after the day of allocation (in a trial) or of enrolment
    /// in the program (in a cohort or pre-post study).
    pub received: usize,
    /// Still active, stepped down or completed at the data cut-off.
    pub followed: usize,
    pub lost: usize,
    pub withdrew: usize,
    /// With the primary outcome, in its analysis.
    pub analysed: usize,
    /// The primary outcome missing.
    pub missing: usize,
}

impl FlowCounts {
    fn add(&mut self, other: &FlowCounts) {
        self.allocated += other.allocated;
        self.received += other.received;
        self.followed += other.followed;
        self.lost += other.lost;
        self.withdrew += other.withdrew;
        self.analysed += other.analysed;
        self.missing += other.missing;
    }
}

/// Who was screened, as the load found them.
#[derive(Debug, Clone, Default)]
pub(super) struct Screening {
    pub assessed: usize,
    /// Per excluded participant, their reasons.
    pub excluded: Vec<Vec<String>>,
    /// Parallel to the analysed participants: whether they had a contact on or after their
    /// allocation.
    pub received: Vec<bool>,
}

/// Where the analysed counts come from.
pub(super) enum Primary<'a> {
    /// The plan is locked: the primary outcome's sample per arm, as analysed.
    Analysed(&'a StudyAnalysis),
    /// Before the lock: with the primary outcome and missing it, all arms together.
    Pooled(Option<(usize, usize)>),
}

pub(super) fn flow(
    definition: &StudyDefinition,
    participants: &[StudyParticipant],
    screening: &Screening,
    cut_off: Date,
    primary: Primary<'_>,
) -> StudyFlow {
    let mut arms: Vec<ArmFlow> = definition
        .arms
        .iter()
        .map(|a| ArmFlow {
            code: a.code.clone(),
            name: a.name.clone(),
            counts: FlowCounts::default(),
        })
        .collect();
    for (p, received) in participants.iter().zip(&screening.received) {
        let Some(arm) = arms.iter_mut().find(|a| a.code == p.arm) else { continue };
        let counts = &mut arm.counts;
        counts.allocated += 1;
        counts.received += usize::from(*received);
        // A departure after the cut-off was still followed up to it.
        let left = p.record.left_on.is_none_or(|day| day <= cut_off);
        match p.record.status {
            ParticipantStatus::LostToFollowUp if left => counts.lost += 1,
            ParticipantStatus::Withdrawn if left => counts.withdrew += 1,
            _ => counts.followed += 1,
        }
    }
    let by_arm = matches!(primary, Primary::Analysed(_));
    let mut total = FlowCounts::default();
    if let Primary::Analysed(analysis) = primary
        && let Some(outcome) =
            analysis.outcomes.iter().find(|o| matches!(o.role, OutcomeRole::Primary))
    {
        for sample in &outcome.sample {
            if let Some(arm) = arms.get_mut(sample.arm) {
                arm.counts.analysed = sample.analysed;
                arm.counts.missing = sample.missing;
            }
        }
    }
    for arm in &arms {
        total.add(&arm.counts);
    }
    if let Primary::Pooled(Some((analysed, missing))) = primary {
        total.analysed = analysed;
        total.missing = missing;
    }
    let mut exclusions: BTreeMap<&str, usize> = BTreeMap::new();
    for reason in screening.excluded.iter().flatten() {
        *exclusions.entry(reason).or_default() += 1;
    }
    let primary_outcome = definition
        .outcomes
        .iter()
        .find(|o| o.code == definition.plan.primary)
        .map(|o| o.name.clone());
    StudyFlow {
        data_cut_off: cut_off,
        assessed: screening.assessed,
        excluded: screening.excluded.len(),
        exclusions: exclusions.into_iter().map(|(r, n)| (r.to_owned(), n)).collect(),
        total,
        primary_outcome,
        arms: by_arm.then_some(arms),
    }
}
