//! Lenient JSON scalars for input structs. Inputs keep every field as text so parsing can
//! report every problem by field; but an API client naturally sends `25` or `true` for a
//! number or a flag, and refusing that with a 400 would be pedantry. These deserializers take
//! a string, a number or a boolean (or null) and keep its text.

use serde::{Deserialize, Deserializer};

/// A scalar as JSON may send it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Integer(i64),
    Float(f64),
    Flag(bool),
}

impl Scalar {
    fn into_text(self) -> String {
        match self {
            Scalar::Text(text) => text,
            Scalar::Integer(n) => n.to_string(),
            Scalar::Float(x) => x.to_string(),
            Scalar::Flag(b) => b.to_string(),
        }
    }
}

/// `Option<String>` from a string, number, boolean or null (`#[serde(deserialize_with)]`).
pub fn text_or_scalar<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(Option::<Scalar>::deserialize(deserializer)?.map(Scalar::into_text))
}

/// Parses a yes/no flag as forms (`yes`, `on`) and JSON (`true`) send it.
pub fn flag(value: &str) -> Result<bool, String> {
    match value.trim().to_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" | "" => Ok(false),
        _ => Err("must be yes or no".into()),
    }
}

/// Parses a whole number in `range`, naming the range when it is not.
pub fn whole_number(value: &str, range: std::ops::RangeInclusive<i32>) -> Result<i32, String> {
    let message = || format!("must be a whole number from {} to {}", range.start(), range.end());
    let number: i32 = value.trim().parse().map_err(|_| message())?;
    if range.contains(&number) { Ok(number) } else { Err(message()) }
}

/// An optional whole number: blank means absent.
pub fn optional_whole_number(
    value: Option<&str>,
    range: std::ops::RangeInclusive<i32>,
) -> Result<Option<i32>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => whole_number(text, range).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Holder {
        #[serde(default, deserialize_with = "text_or_scalar")]
        value: Option<String>,
    }

    fn read(json: &str) -> Option<String> {
        serde_json::from_str::<Holder>(json).map(|h| h.value).unwrap_or_default()
    }

    #[test]
    fn numbers_flags_and_text_all_arrive_as_text() {
        assert_eq!(read(r#"{"value": 25}"#), Some("25".into()));
        assert_eq!(read(r#"{"value": true}"#), Some("true".into()));
        assert_eq!(read(r#"{"value": "22.50"}"#), Some("22.50".into()));
        assert_eq!(read(r#"{"value": null}"#), None);
        assert_eq!(read(r#"{}"#), None);
    }

    #[test]
    fn whole_numbers_name_their_range() {
        assert_eq!(whole_number(" 12 ", 0..=100), Ok(12));
        assert_eq!(whole_number("-1", 0..=100), Err("must be a whole number from 0 to 100".into()));
        assert!(whole_number("1.5", 0..=100).is_err());
        assert_eq!(optional_whole_number(Some(""), 0..=1), Ok(None));
        assert_eq!(flag("on"), Ok(true));
        assert!(flag("maybe").is_err());
    }
}
