//! Small parsers shared by the study's inputs: codes, decimals with a fixed precision, lists
//! without repeats, and dates written the way the canonical plan writes them.

use std::collections::HashSet;
use std::hash::Hash;

use crate::fields::{FieldErrors, required_text};

/// The most decimal places a number in a study may have: the canonical plan writes numbers
/// with at most this many, so two different values can never be written alike.
pub const MAX_DECIMALS: usize = 6;

/// A code chosen by the evaluator (an arm, an outcome, a time point): lowercase letters,
/// digits and `_`, at most 40 characters.
pub(crate) fn code(value: Option<&str>) -> Result<String, String> {
    let code = required_text(value, 40)?;
    if code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        Ok(code)
    } else {
        Err("use only lowercase letters, digits and _".into())
    }
}

/// A decimal number like `0.05` or `12`: finite, at most [`MAX_DECIMALS`] decimal places, no
/// exponent.
pub(crate) fn decimal(value: Option<&str>) -> Result<f64, String> {
    let text = value.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err("is required".into());
    }
    let message = || format!("must be a number like 0.05 (at most {MAX_DECIMALS} decimal places)");
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > MAX_DECIMALS {
        return Err(message());
    }
    match text.parse::<f64>() {
        Ok(number) if number.is_finite() && whole.len() <= 12 => Ok(number),
        _ => Err(message()),
    }
}

/// Parses each element with `parse` under `field[i]`, refusing repeats ("is listed twice").
pub(crate) fn unique_list<T: Eq + Hash + Clone>(
    inputs: &[String],
    field: &str,
    errors: &mut FieldErrors,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Vec<T> {
    let mut seen = HashSet::new();
    let mut parsed = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let path = format!("{field}[{i}]");
        if let Some(value) = errors.check(&path, parse(input)) {
            if seen.insert(value.clone()) {
                parsed.push(value);
            } else {
                errors.add(path, "is listed twice");
            }
        }
    }
    parsed
}

/// Writes a date as ISO 8601 (`2026-01-31`) in JSON, as the API and the canonical plan do.
pub(crate) mod iso_date {
    use serde::Serializer;
    use time::Date;

    /// Serialises `date` as `YYYY-MM-DD`.
    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_plain_and_bounded() {
        assert_eq!(decimal(Some("0.05")), Ok(0.05));
        assert_eq!(decimal(Some(" 12 ")), Ok(12.0));
        assert_eq!(decimal(Some("-1.5")), Ok(-1.5));
        assert!(decimal(Some("1e3")).is_err());
        assert!(decimal(Some("0.0000001")).is_err(), "seven decimals");
        assert!(decimal(Some(".5")).is_err());
        assert!(decimal(Some("NaN")).is_err());
        assert_eq!(decimal(None), Err("is required".into()));
    }

    #[test]
    fn codes_are_lowercase() {
        assert_eq!(code(Some(" m6 ")), Ok("m6".into()));
        assert!(code(Some("6 Months")).is_err());
        assert!(code(Some("")).is_err());
    }
}
