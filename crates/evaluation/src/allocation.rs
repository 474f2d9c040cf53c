//! A randomised study's allocation, over the statistics crate's seeded, stratified permuted
//! blocks (`kindred_stats::allocation`, which owns the derivation; nothing here draws a random
//! number).
//!
//! The study names the arms (in order: the sequence's arm indices follow it), their ratios,
//! the block sizes and the stratification factors. A participant's **stratum key** is built
//! from their baseline values for those factors, in the study's order: `field=code` joined by
//! `;` (`primary_substance=cocaine;gender=woman`), a value not recorded (or not a code of the
//! field's vocabulary) written `not_recorded`, and `all` for an unstratified study. The key is
//! the stratum's name in the derivation, so it is part of the contract too.
//!
//! The app keeps the 32-byte seed from everyone who could act on it, allocates with
//! [`StudyAllocation::allocate`] (the count already allocated in the stratum is the position),
//! and appends each allocation to the log; [`rederive`] recomputes a whole log from the seed
//! and reports the first entry that does not match.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use kindred_domain::study::{Arm, Randomisation, StudyDefinition};
use kindred_domain::vocabulary::{BaselineField, Vocabulary};
use kindred_stats::allocation::{AllocationScheme, AllocationSequence};

/// The stratum of a study with no stratification factors.
pub const UNSTRATIFIED: &str = "all";
/// How a factor the participant has no (valid) value for is written in the stratum key.
pub const NOT_RECORDED: &str = "not_recorded";

/// Why a study cannot allocate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllocationError {
    /// The study is not randomised.
    NotRandomised,
    /// The statistics crate refused the scheme (it should not, for a parsed study).
    Scheme(String),
}

impl fmt::Display for AllocationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotRandomised => f.write_str("the study is not randomised"),
            Self::Scheme(problem) => write!(f, "the allocation scheme is invalid: {problem}"),
        }
    }
}

impl std::error::Error for AllocationError {}

/// A randomised study's allocation scheme, without its seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyAllocation {
    arms: Vec<String>,
    ratios: Vec<u32>,
    block_sizes: Vec<u32>,
    stratify_by: Vec<BaselineField>,
}

/// One participant's allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The arm's code.
    pub arm: String,
    pub stratum: String,
    /// Position within the stratum, from 0 (the count allocated before).
    pub position: u64,
    /// The block within the stratum, from 0, and its size.
    pub block: u64,
    pub block_size: u32,
}

/// One entry of an allocation log, in log order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub stratum: String,
    pub position: u64,
    /// The arm's code as logged.
    pub arm: String,
}

/// The first log entry the seed does not reproduce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstMismatch {
    /// The entry's index in the log, from 0.
    pub index: usize,
    /// What the seed gives there, when the entry's position could be derived.
    pub expected_arm: Option<String>,
    pub problem: String,
}

impl StudyAllocation {
    /// The scheme of a randomised study.
    pub fn of(study: &StudyDefinition) -> Result<Self, AllocationError> {
        let randomisation = study.randomisation.as_ref().ok_or(AllocationError::NotRandomised)?;
        Self::new(&study.arms, randomisation)
    }

    /// The scheme from a study's arms (in order, with their ratios) and settings.
    pub fn new(arms: &[Arm], randomisation: &Randomisation) -> Result<Self, AllocationError> {
        let scheme = Self {
            arms: arms.iter().map(|a| a.code.clone()).collect(),
            // An arm without a ratio makes the stats crate refuse the scheme (ratio 0).
            ratios: arms.iter().map(|a| a.ratio.unwrap_or(0)).collect(),
            block_sizes: randomisation.block_sizes.clone(),
            stratify_by: randomisation.stratify_by.clone(),
        };
        // Validate once, with a throwaway seed, so a scheme that exists can always allocate.
        scheme.scheme([0; 32])?;
        Ok(scheme)
    }

    fn scheme(&self, seed: [u8; 32]) -> Result<AllocationScheme, AllocationError> {
        AllocationScheme::new(seed, &self.ratios, &self.block_sizes)
            .map_err(|e| AllocationError::Scheme(e.to_string()))
    }

    /// The arm codes, in the order the sequence's indices follow.
    pub fn arms(&self) -> &[String] {
        &self.arms
    }

    /// The stratum key for a participant's baseline values (see the module documentation).
    pub fn stratum(&self, values: &BTreeMap<BaselineField, String>) -> String {
        if self.stratify_by.is_empty() {
            return UNSTRATIFIED.to_owned();
        }
        self.stratify_by
            .iter()
            .map(|field| {
                let value = values
                    .get(field)
                    .and_then(|v| field.parse_value(v).ok())
                    .unwrap_or(NOT_RECORDED);
                format!("{}={value}", field.code())
            })
            .collect::<Vec<_>>()
            .join(";")
    }

    /// The arm for the participant at `position` in `stratum` (`position` is the number
    /// already allocated in it).
    pub fn allocate(
        &self,
        seed: [u8; 32],
        stratum: &str,
        position: u64,
    ) -> Result<Assignment, AllocationError> {
        let allocation = self.scheme(seed)?.allocate(stratum, position);
        let arm = self.arm_code(allocation.arm)?;
        Ok(Assignment {
            arm,
            stratum: stratum.to_owned(),
            position,
            block: allocation.block,
            block_size: allocation.block_size,
        })
    }

    fn arm_code(&self, index: usize) -> Result<String, AllocationError> {
        self.arms.get(index).cloned().ok_or_else(|| {
            AllocationError::Scheme(format!("the sequence names arm {index}, which does not exist"))
        })
    }
}

/// Re-derives every entry of an allocation log from the seed, in order, and reports the first
/// that does not match: a position that is not the count allocated before it in its stratum
/// (an entry removed, repeated or reordered), or an arm the seed does not give there.
pub fn rederive(
    seed: [u8; 32],
    scheme: &StudyAllocation,
    log: &[LogEntry],
) -> Result<(), FirstMismatch> {
    let allocation = scheme.scheme(seed).map_err(|e| FirstMismatch {
        index: 0,
        expected_arm: None,
        problem: e.to_string(),
    })?;
    // One sequence per stratum, advanced entry by entry: linear in the log's length.
    let mut strata: HashMap<&str, (u64, AllocationSequence<'_>)> = HashMap::new();
    for (index, entry) in log.iter().enumerate() {
        let (next, sequence) = strata
            .entry(entry.stratum.as_str())
            .or_insert_with(|| (0, allocation.sequence(&entry.stratum)));
        if entry.position != *next {
            return Err(FirstMismatch {
                index,
                expected_arm: None,
                problem: format!(
                    "says position {} in stratum {}, but {} allocations came before it there",
                    entry.position, entry.stratum, next
                ),
            });
        }
        let derived = sequence.next().and_then(|a| scheme.arms.get(a.arm));
        *next += 1;
        match derived {
            Some(arm) if *arm == entry.arm => {}
            derived => {
                return Err(FirstMismatch {
                    index,
                    expected_arm: derived.cloned(),
                    problem: format!(
                        "logs arm {} at position {} in stratum {}, but the seed gives {}",
                        entry.arm,
                        entry.position,
                        entry.stratum,
                        derived.map_or("no arm", String::as_str)
                    ),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
