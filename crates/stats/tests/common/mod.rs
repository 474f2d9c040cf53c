//! Helpers shared by the fixture-comparison tests: one tolerance, one way of comparing a value
//! with its reference, and one fixture loader.
//!
//! Every file in `tests/` is compiled as its own crate and pulls this module in with
//! `mod common;`, so each of those crates uses only some of the items below.
#![allow(dead_code, reason = "shared by several test crates; each uses a subset")]

use serde::de::DeserializeOwned;

/// Relative tolerance of every comparison with a reference value: ours must lie within
/// 1e-6 × |theirs| of theirs.
pub const RELATIVE: f64 = 1e-6;

/// Floor on |theirs| in the tolerance, so that a reference value at or near zero (an exactly
/// zero risk difference, say) still allows an absolute difference of 1e-8 × 1e-6 = 1e-14
/// instead of none at all.
pub const FLOOR: f64 = 1e-8;

/// Whether `ours` agrees with the reference value `theirs`:
/// |ours − theirs| ≤ [`RELATIVE`] · max(|theirs|, [`FLOOR`]).
///
/// Written so that a NaN on either side never agrees (every comparison with NaN is false),
/// and neither do two infinities (∞ − ∞ is NaN).
pub fn agrees(ours: f64, theirs: f64) -> bool {
    (ours - theirs).abs() <= RELATIVE * theirs.abs().max(FLOOR)
}

/// Panics unless `actual` [`agrees`] with the reference value `expected`.
#[track_caller]
pub fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(agrees(actual, expected), "{what}: got {actual:.15e}, reference {expected:.15e}");
}

/// [`assert_close`] element by element, after checking that the lengths match.
#[track_caller]
pub fn assert_all_close(actual: &[f64], expected: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    for (j, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_close(*a, *e, &format!("{what}[{j}]"));
    }
}

/// Collects every disagreement of a run instead of stopping at the first, so one failing run
/// shows them all; [`Mismatches::assert_none`] then fails with the whole list.
#[derive(Debug, Default)]
pub struct Mismatches(Vec<String>);

impl Mismatches {
    /// Records a mismatch unless `ours` [`agrees`] with the reference value `theirs`.
    pub fn close(&mut self, what: impl std::fmt::Display, ours: f64, theirs: f64) {
        if !agrees(ours, theirs) {
            self.0.push(format!("{what}: ours {ours:e}, reference {theirs:e}"));
        }
    }

    /// Panics listing every recorded mismatch, if there are any.
    #[track_caller]
    /// Records a mismatch when two lists that must pair up differ in length (a `zip` alone
    /// would silently compare only the shorter prefix).
    pub fn same_length(&mut self, what: impl std::fmt::Display, ours: usize, theirs: usize) {
        if ours != theirs {
            self.0.push(format!("{what}: {ours} values, reference has {theirs}"));
        }
    }

    pub fn assert_none(self) {
        assert!(self.0.is_empty(), "{} mismatches:\n{}", self.0.len(), self.0.join("\n"));
    }
}

/// Reads and parses `tests/fixtures/{name}.json`, the reference values written by the
/// generators in `reference/`.
#[track_caller]
pub fn fixture<T: DeserializeOwned>(name: &str) -> T {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let parsed = std::fs::read_to_string(&path)
        .map_err(|error| error.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|error| error.to_string()));
    match parsed {
        Ok(fixture) => fixture,
        Err(error) => panic!(
            "fixture tests/fixtures/{name}.json missing or invalid; \
             regenerate with crates/stats/reference/regenerate.sh: {error}"
        ),
    }
}
