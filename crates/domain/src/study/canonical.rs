//! Canonical JSON: one byte string per value, so a plan's hash depends on what it says and
//! not on how a client happened to write it.
//!
//! # The form (version 1, frozen: changing it would change every locked plan's hash)
//!
//! - **Objects**: members sorted by key, comparing the keys' UTF-8 bytes; written `{"k":v,…}`.
//! - **Arrays**: elements in their order (the serialiser sorts lists whose order carries no
//!   meaning before they get here); written `[v,…]`.
//! - **No whitespace** anywhere outside strings.
//! - **Strings**: UTF-8, escaping only `"`, `\` and control characters, as `serde_json` writes
//!   them (`\n`, `\t`, `\u001f`…); other characters are written as themselves.
//! - **Numbers**: an integral value (up to 10¹⁵ in magnitude) as plain decimal digits with a
//!   leading `-` when negative (`12`, `-3`; `12.0` is written `12`, and `-0` as `0`); any other
//!   value in fixed-point notation with at most six decimals and no trailing zeros (`0.05`,
//!   `-1.5`). Study inputs refuse numbers with more than six decimals, so no two values a plan
//!   can hold are written alike. Never an exponent.
//! - `true`, `false` and `null` as themselves.

use std::fmt::Write;

use serde_json::Value;
use time::Date;

use super::values::MAX_DECIMALS;

/// The value in canonical form.
pub fn to_canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else {
                out.push_str(&number(n.as_f64().unwrap_or_default()));
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(members) => {
            let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
            sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, member)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, member);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, text: &str) {
    // serde_json's string escaping is fixed by the JSON grammar it follows and has not changed
    // across its 1.x releases; writing a `&str` cannot fail.
    out.push_str(&serde_json::to_string(text).unwrap_or_default());
}

/// A number as the canonical form writes it (see the module documentation).
pub fn number(value: f64) -> String {
    if !value.is_finite() {
        // Study inputs cannot hold these; write JSON's only non-number rather than panic.
        return "null".into();
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{}", value as i64);
    }
    let fixed = format!("{value:.MAX_DECIMALS$}");
    let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
    if trimmed == "-0" { "0".into() } else { trimmed.to_owned() }
}

/// A date as ISO 8601 (`2026-01-31`), as inputs and the canonical form write it.
pub fn date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_are_sorted_and_nothing_is_spaced() {
        let a = json!({"b": 1, "a": {"z": [1, 2], "y": "x"}});
        assert_eq!(to_canonical_json(&a), r#"{"a":{"y":"x","z":[1,2]},"b":1}"#);
        let reordered: Value =
            serde_json::from_str(r#"{ "a" : { "z":[1,2], "y":"x" }, "b":1 }"#).unwrap();
        assert_eq!(to_canonical_json(&reordered), to_canonical_json(&a));
    }

    #[test]
    fn numbers_have_one_spelling() {
        assert_eq!(number(0.05), "0.05");
        assert_eq!(number(12.0), "12");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(-1.5), "-1.5");
        assert_eq!(number(1.0 / 3.0), "0.333333");
        assert_eq!(number(f64::NAN), "null");
        assert_eq!(to_canonical_json(&json!([12.0, 12, 0.1 + 0.2])), "[12,12,0.3]");
        assert_eq!(to_canonical_json(&json!(u64::MAX)), u64::MAX.to_string());
    }

    #[test]
    fn strings_escape_only_what_json_requires() {
        assert_eq!(to_canonical_json(&json!("≤ 5 \"days\"\n")), "\"≤ 5 \\\"days\\\"\\n\"");
        assert_eq!(date(time::macros::date!(2026 - 01 - 05)), "2026-01-05");
    }
}
