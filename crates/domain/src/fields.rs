//! Field-level validation errors: parsing a form or JSON body collects every problem at once so
//! the person filling it in sees all of them, next to the fields, in one round trip.

use std::fmt;

/// One field's problem, in words a coach can act on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every problem found while parsing one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem with `field`. Only the first problem per field is kept: one clear
    /// message beats a list of consequences.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        if !self.0.iter().any(|e| e.field == field) {
            self.0.push(FieldError { field, message: message.into() });
        }
    }

    /// Keeps the value if parsing succeeded, otherwise records the message under `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// The message for `field`, if it has one (templates show it beside the input).
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// `Ok(value)` when nothing was recorded.
    pub fn into_result<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, FieldErrors> {
        if self.is_empty() { value().ok_or(self) } else { Err(self) }
    }

    /// A single-field error.
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> =
            self.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

/// Trims and refuses blank text or text over `max` characters.
pub fn required_text(value: Option<&str>, max: usize) -> Result<String, String> {
    let trimmed = value.map(str::trim).unwrap_or_default();
    if trimmed.is_empty() {
        return Err("is required".into());
    }
    bounded_text(trimmed, max)
}

/// Trims; blank means absent. Refuses text over `max` characters.
pub fn optional_text(value: Option<&str>, max: usize) -> Result<Option<String>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => bounded_text(text, max).map(Some),
    }
}

fn bounded_text(text: &str, max: usize) -> Result<String, String> {
    if text.chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        Err("must not contain control characters".into())
    } else {
        Ok(text.to_owned())
    }
}

/// Parses an ISO 8601 calendar date (`1984-03-07`).
pub fn iso_date(value: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value.trim(), &format)
        .map_err(|_| format!("must be a date written YYYY-MM-DD, not \"{}\"", value.trim()))
}

/// Parses a required ISO date field.
pub fn required_date(value: Option<&str>) -> Result<time::Date, String> {
    match value.map(str::trim) {
        None | Some("") => Err("is required".into()),
        Some(text) => iso_date(text),
    }
}

/// Parses an optional ISO date field (blank means absent).
pub fn optional_date(value: Option<&str>) -> Result<Option<time::Date>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => iso_date(text).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_message_per_field() {
        let mut errors = FieldErrors::new();
        errors.add("email", "is required");
        errors.add("email", "is not an address");
        assert_eq!(errors.get("email"), Some("is required"));
        assert_eq!(errors.iter().count(), 1);
    }

    #[test]
    fn dates_must_be_iso() {
        assert!(iso_date("2024-02-29").is_ok());
        assert!(iso_date("2023-02-29").is_err());
        assert!(iso_date("03/07/1984").unwrap_err().contains("YYYY-MM-DD"));
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(required_text(Some("  Ana "), 10), Ok("Ana".into()));
        assert!(required_text(Some("   "), 10).is_err());
        assert!(required_text(Some("abcdefghijk"), 10).is_err());
        assert_eq!(optional_text(Some(""), 10), Ok(None));
    }
}
