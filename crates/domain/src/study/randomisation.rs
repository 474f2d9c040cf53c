//! A randomised study's allocation settings: the baseline fields it stratifies by and the
//! permuted-block sizes. The seed is not an input: the app draws it when the study opens and
//! keeps it from everyone who could act on it.

use serde::{Deserialize, Serialize};

use super::values::unique_list;
use crate::fields::FieldErrors;
use crate::vocabulary::{BaselineField, Vocabulary};

/// The most stratification factors (beyond four, strata become too small for blocks to
/// balance anything) and block sizes.
const MAX_FACTORS: usize = 4;
const MAX_BLOCK_SIZES: usize = 5;
/// The largest block: arms are balanced only at the end of each block, and a small study
/// with blocks of a hundred may never reach the end of one.
const MAX_BLOCK_SIZE: u32 = 100;

/// Stratified permuted-block randomisation settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Randomisation {
    /// Each combination of these fields' values is a stratum with its own sequence.
    pub stratify_by: Vec<BaselineField>,
    /// Block sizes, each a multiple of the sum of the arms' ratios; blocks draw their size
    /// from these at random so the end of a block cannot be predicted.
    pub block_sizes: Vec<u32>,
}

/// Randomisation settings as sent.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RandomisationInput {
    /// Baseline-field codes (`primary_substance`…), at most four.
    pub stratify_by: Vec<String>,
    /// Whole numbers, each a multiple of the sum of the arms' ratios (`[4, 6]` for two equal
    /// arms).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<u32>, example = json!([4, 6])))]
    pub block_sizes: Vec<serde_json::Value>,
}

/// Parses the settings under `randomisation`. `ratio_sum` is the sum of the arms' ratios,
/// when every arm parsed.
pub(crate) fn parse_randomisation(
    input: &RandomisationInput,
    ratio_sum: Option<u32>,
    errors: &mut FieldErrors,
) -> Option<Randomisation> {
    let before = errors.iter().count();
    if input.stratify_by.len() > MAX_FACTORS {
        errors.add("randomisation.stratify_by", format!("at most {MAX_FACTORS} factors"));
    }
    let stratify_by =
        unique_list(&input.stratify_by, "randomisation.stratify_by", errors, BaselineField::parse);
    if input.block_sizes.is_empty() || input.block_sizes.len() > MAX_BLOCK_SIZES {
        errors.add("randomisation.block_sizes", format!("give 1 to {MAX_BLOCK_SIZES} block sizes"));
    }
    let texts: Vec<String> = input.block_sizes.iter().map(scalar_text).collect();
    let block_sizes = unique_list(&texts, "randomisation.block_sizes", errors, |text| {
        let size: u32 = text
            .trim()
            .parse()
            .ok()
            .filter(|s| (1..=MAX_BLOCK_SIZE).contains(s))
            .ok_or_else(|| format!("must be a whole number from 1 to {MAX_BLOCK_SIZE}"))?;
        match ratio_sum {
            Some(sum) if !size.is_multiple_of(sum) => Err(format!(
                "must be a multiple of {sum}, the sum of the arms' ratios, so each block keeps them"
            )),
            _ => Ok(size),
        }
    });
    (errors.iter().count() == before).then_some(Randomisation { stratify_by, block_sizes })
}

fn scalar_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

impl Randomisation {
    /// The settings as input.
    pub fn to_input(&self) -> RandomisationInput {
        RandomisationInput {
            stratify_by: self.stratify_by.iter().map(|f| f.code().to_owned()).collect(),
            block_sizes: self.block_sizes.iter().map(|s| serde_json::Value::from(*s)).collect(),
        }
    }
}
