//! Interpretation bands: which band a score falls in, with sex-specific cut-offs where the
//! instrument has them (AUDIT-C). When sex is not recorded the definition's own bands for
//! "unspecified" apply, and the result says so, so nobody mistakes them for a sex-specific
//! reading.

use serde::Serialize;

use super::definition::{Band, Scale, Sex};

/// The band a score fell in, and which cut-offs were used.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BandResult {
    pub code: String,
    pub label: String,
    /// 0 for the lowest band; comparing positions tells whether a band moved up or down.
    pub position: usize,
    /// The sex whose cut-offs were applied; `None` when the instrument has one set of
    /// cut-offs, or sex was not recorded and the definition's unspecified-sex bands applied.
    pub cut_offs_for: Option<Sex>,
    /// True when the instrument has sex-specific cut-offs but sex was not given.
    pub sex_not_recorded: bool,
}

/// The bands that apply to `sex` on `scale`, in ascending order.
pub fn applicable_bands(scale: &Scale, sex: Option<Sex>) -> (Vec<&Band>, Option<Sex>) {
    if let Some(sex) = sex {
        let specific: Vec<&Band> = scale.bands.iter().filter(|b| b.sex == Some(sex)).collect();
        if !specific.is_empty() {
            return (specific, Some(sex));
        }
    }
    (scale.bands.iter().filter(|b| b.sex.is_none()).collect(), None)
}

/// The band `value` falls in: the last band whose `min` it reaches. Values between two
/// published ranges (an MSPSS mean of 5.08 between "3–5" and "5.1–7") stay in the lower band.
pub fn band_for(scale: &Scale, value: f64, sex: Option<Sex>) -> Option<BandResult> {
    if !value.is_finite() {
        return None;
    }
    let (bands, cut_offs_for) = applicable_bands(scale, sex);
    let (position, band) = bands.iter().enumerate().rev().find(|(_, band)| value >= band.min)?;
    let has_sex_specific = scale.bands.iter().any(|b| b.sex.is_some());
    Some(BandResult {
        code: band.code.clone(),
        label: band.label.clone(),
        position,
        cut_offs_for,
        sex_not_recorded: has_sex_specific && cut_offs_for.is_none(),
    })
}
