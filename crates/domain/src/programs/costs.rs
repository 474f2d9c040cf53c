//! What a program's work costs: the hourly cost of staff time and, on top, a cost per contact
//! by mode (travel for a visit, phone credit for a call). The cost analyses multiply these by
//! the recorded contacts and minutes.

use crate::fields::FieldErrors;
use crate::scalar::text_or_scalar;
use crate::vocabulary::{ContactMode, Vocabulary};

/// The largest amount accepted, in cents ($100,000): anything above is a typing slip.
const MAX_CENTS: i64 = 10_000_000;

/// Raw cost of one contact mode.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ContactCostInput {
    /// A contact-mode code (`in_person`, `phone`, `video`, `text`).
    pub mode: Option<String>,
    /// An amount in the organisation's currency, like `4.50`.
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "4.50"))]
    pub cost: Option<String>,
}

/// Valid cost settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CostSettings {
    pub hourly_staff_cost_cents: Option<i64>,
    /// At most one entry per mode, in mode order.
    pub per_contact: Vec<(ContactMode, i64)>,
}

impl CostSettings {
    /// Parses the per-contact costs; `field` names the list in errors (`contact_costs`).
    pub fn parse_contact_costs(
        inputs: &[ContactCostInput],
        field: &str,
        errors: &mut FieldErrors,
    ) -> Vec<(ContactMode, i64)> {
        let mut costs: Vec<(ContactMode, i64)> = Vec::new();
        for (index, input) in inputs.iter().enumerate() {
            let prefix = format!("{field}[{index}].");
            let mode = match input.mode.as_deref().map(str::trim) {
                None | Some("") => Err("is required".to_string()),
                Some(code) => ContactMode::parse(code),
            };
            let mode = errors.check(&format!("{prefix}mode"), mode);
            let cost = errors.check(
                &format!("{prefix}cost"),
                input.cost.as_deref().map_or(Err("is required".into()), parse_amount),
            );
            if let (Some(mode), Some(cost)) = (mode, cost) {
                if costs.iter().any(|(m, _)| *m == mode) {
                    errors
                        .add(format!("{prefix}mode"), format!("{} is listed twice", mode.label()));
                } else {
                    costs.push((mode, cost));
                }
            }
        }
        costs.sort_by_key(|(mode, _)| ContactMode::ALL.iter().position(|m| m == mode));
        costs
    }

    /// The cost of a contact in this mode, if set.
    pub fn contact_cost(&self, mode: ContactMode) -> Option<i64> {
        self.per_contact.iter().find(|(m, _)| *m == mode).map(|(_, cents)| *cents)
    }
}

/// Parses an amount like `22.50`, `22` or `0.5` into cents.
pub fn parse_amount(value: &str) -> Result<i64, String> {
    let message = || "must be an amount like 22.50".to_string();
    let text = value.trim().trim_start_matches('$');
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || whole.len() > 9
    {
        return Err(message());
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| message())? };
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| message())?;
    let cents = whole * 100 + fraction;
    if cents > MAX_CENTS { Err("must be at most 100000.00".into()) } else { Ok(cents) }
}

/// An optional amount: blank means absent.
pub fn parse_optional_amount(value: Option<&str>) -> Result<Option<i64>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse_amount(text).map(Some),
    }
}

/// Cents as an amount (`2250` → `22.50`).
pub fn format_amount(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_to_the_cent() {
        assert_eq!(parse_amount("22.50"), Ok(2250));
        assert_eq!(parse_amount("$22"), Ok(2200));
        assert_eq!(parse_amount("0.5"), Ok(50));
        assert_eq!(parse_amount(".75"), Ok(75));
        for bad in ["", ".", "1.234", "-3", "12,50", "abc"] {
            assert!(parse_amount(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(format_amount(2250), "22.50");
        assert_eq!(format_amount(5), "0.05");
    }

    #[test]
    fn each_mode_is_costed_once() {
        let inputs = [
            ContactCostInput { mode: Some("phone".into()), cost: Some("0.50".into()) },
            ContactCostInput { mode: Some("in_person".into()), cost: Some("5".into()) },
            ContactCostInput { mode: Some("phone".into()), cost: Some("1".into()) },
        ];
        let mut errors = FieldErrors::new();
        let costs = CostSettings::parse_contact_costs(&inputs, "contact_costs", &mut errors);
        assert_eq!(costs, vec![(ContactMode::InPerson, 500), (ContactMode::Phone, 50)]);
        assert_eq!(errors.get("contact_costs[2].mode"), Some("Phone is listed twice"));
    }
}
