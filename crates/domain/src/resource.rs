//! The community resource directory: services a coach can refer someone to. Entered by hand or
//! imported from an Open Referral HSDS data package. Not participant data.

use crate::fields::{FieldErrors, optional_text, required_text};
use crate::ids::ResourceId;
use crate::user::EmailAddress;

/// Raw resource fields from the directory form, a JSON body or an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ResourceInput {
    /// The organisation that runs the service. Required. Consents to share name this.
    pub organisation_name: Option<String>,
    /// The service itself. Required.
    pub service_name: Option<String>,
    pub description: Option<String>,
    /// A short category such as "Housing" or "Outpatient treatment".
    pub category: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// An `http://` or `https://` address.
    pub website: Option<String>,
    /// Opening hours, as people say them ("Mon–Fri 9:00–17:00").
    pub hours: Option<String>,
}

/// A resource's details, already valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceDetails {
    pub organisation_name: String,
    pub service_name: String,
    pub description: Option<String>,
    pub category: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<EmailAddress>,
    pub website: Option<String>,
    pub hours: Option<String>,
}

/// Where a resource came from. Imported ones carry their id in the source, so importing the
/// same package again updates them instead of adding copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceSource {
    /// Typed into Kindred.
    Manual,
    /// From an HSDS package: the package's name and the service's id in it.
    Hsds { package: String, service_id: String },
}

impl ResourceSource {
    /// The stored `source` code (`manual`, `hsds:<package>`).
    pub fn code(&self) -> String {
        match self {
            Self::Manual => "manual".into(),
            Self::Hsds { package, .. } => format!("hsds:{package}"),
        }
    }

    /// The stored `source_id`.
    pub fn source_id(&self) -> Option<&str> {
        match self {
            Self::Manual => None,
            Self::Hsds { service_id, .. } => Some(service_id),
        }
    }

    /// Reads the stored pair back.
    pub fn from_stored(code: &str, source_id: Option<String>) -> Self {
        match (code.strip_prefix("hsds:"), source_id) {
            (Some(package), Some(service_id)) => {
                Self::Hsds { package: package.to_owned(), service_id }
            }
            _ => Self::Manual,
        }
    }
}

/// A resource as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub id: ResourceId,
    pub source: ResourceSource,
    pub details: ResourceDetails,
    /// Inactive resources stay for the referrals that name them but are not offered for new
    /// ones.
    pub active: bool,
}

impl Resource {
    /// "Service — Organisation", for lists and referral cards.
    pub fn label(&self) -> String {
        format!("{} — {}", self.details.service_name, self.details.organisation_name)
    }
}

impl ResourceDetails {
    pub fn parse(input: &ResourceInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let text = |errors: &mut FieldErrors, field: &str, value: &Option<String>, max| {
            errors.check(field, optional_text(value.as_deref(), max)).flatten()
        };
        let organisation_name = errors
            .check("organisation_name", required_text(input.organisation_name.as_deref(), 200));
        let service_name =
            errors.check("service_name", required_text(input.service_name.as_deref(), 200));
        let details = ResourceDetails {
            organisation_name: organisation_name.unwrap_or_default(),
            service_name: service_name.unwrap_or_default(),
            description: text(&mut errors, "description", &input.description, 2000),
            category: text(&mut errors, "category", &input.category, 100),
            address: text(&mut errors, "address", &input.address, 300),
            city: text(&mut errors, "city", &input.city, 100),
            postal_code: text(&mut errors, "postal_code", &input.postal_code, 20),
            phone: errors.check("phone", parse_phone(input.phone.as_deref())).flatten(),
            email: errors.check("email", parse_email(input.email.as_deref())).flatten(),
            website: errors.check("website", parse_url(input.website.as_deref())).flatten(),
            hours: text(&mut errors, "hours", &input.hours, 500),
        };
        errors.into_result(|| Some(details))
    }

    /// The details as form input (to fill the edit form or merge a partial change).
    pub fn to_input(&self) -> ResourceInput {
        ResourceInput {
            organisation_name: Some(self.organisation_name.clone()),
            service_name: Some(self.service_name.clone()),
            description: self.description.clone(),
            category: self.category.clone(),
            address: self.address.clone(),
            city: self.city.clone(),
            postal_code: self.postal_code.clone(),
            phone: self.phone.clone(),
            email: self.email.as_ref().map(|e| e.to_string()),
            website: self.website.clone(),
            hours: self.hours.clone(),
        }
    }
}

impl ResourceInput {
    /// `self` over `base`: fields present here win (an empty string clears).
    pub fn over(&self, base: ResourceInput) -> ResourceInput {
        let pick = |mine: &Option<String>, theirs: Option<String>| mine.clone().or(theirs);
        ResourceInput {
            organisation_name: pick(&self.organisation_name, base.organisation_name),
            service_name: pick(&self.service_name, base.service_name),
            description: pick(&self.description, base.description),
            category: pick(&self.category, base.category),
            address: pick(&self.address, base.address),
            city: pick(&self.city, base.city),
            postal_code: pick(&self.postal_code, base.postal_code),
            phone: pick(&self.phone, base.phone),
            email: pick(&self.email, base.email),
            website: pick(&self.website, base.website),
            hours: pick(&self.hours, base.hours),
        }
    }
}

/// A service's phone: digits with the usual punctuation, optionally an extension
/// ("555-0100 ext. 12"). At least 3 digits so that short lines (211, 988) are accepted.
pub fn parse_phone(value: Option<&str>) -> Result<Option<String>, String> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let lower = text.to_lowercase();
    let number = lower.split(['x', 'e']).next().unwrap_or_default();
    let extension = &lower[number.len()..];
    let number_ok = number.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let extension_ok = extension
        .trim_start_matches("ext.")
        .trim_start_matches("ext")
        .trim_start_matches('x')
        .trim()
        .chars()
        .all(|c| c.is_ascii_digit());
    let digits = number.chars().filter(char::is_ascii_digit).count();
    if number_ok && extension_ok && (3..=15).contains(&digits) && text.len() <= 40 {
        Ok(Some(text.to_owned()))
    } else {
        Err("must be a phone number such as 555-0100 or 555-0100 ext. 12".into())
    }
}

fn parse_email(value: Option<&str>) -> Result<Option<EmailAddress>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => EmailAddress::parse(text).map(Some),
    }
}

/// A web address: `http://` or `https://`, a host with a dot, no spaces. Other schemes
/// (`javascript:`, `data:`) are refused because the address becomes a link on our pages.
pub fn parse_url(value: Option<&str>) -> Result<Option<String>, String> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let lower = text.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
    let plausible = host.is_some_and(|h| {
        h.contains('.') && !h.starts_with('.') && !h.ends_with('.') && !h.contains('@')
    }) && !text.chars().any(|c| c.is_whitespace() || c.is_control());
    if plausible && text.len() <= 500 {
        Ok(Some(text.to_owned()))
    } else {
        Err(format!("must be a web address starting with https:// (not \"{text}\")"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_required_and_contacts_checked() {
        let errors = ResourceDetails::parse(&ResourceInput {
            email: Some("not an email".into()),
            website: Some("javascript:alert(1)".into()),
            phone: Some("call us".into()),
            ..Default::default()
        })
        .unwrap_err();
        for field in ["organisation_name", "service_name", "email", "website", "phone"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let ok = ResourceDetails::parse(&ResourceInput {
            organisation_name: Some("Eastside Housing Trust".into()),
            service_name: Some("Housing navigation".into()),
            email: Some("Intake@Eastside.example".into()),
            website: Some("https://eastside.example/housing".into()),
            phone: Some("(555) 010-2200 ext. 4".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.email.unwrap().as_str(), "intake@eastside.example");
    }

    #[test]
    fn short_lines_and_extensions_are_phones() {
        for good in ["211", "988", "555-0100", "+1 555 010 0100", "555-0100 x12", "555-0100 ext 3"]
        {
            assert!(parse_phone(Some(good)).is_ok(), "{good}");
        }
        for bad in ["12", "five five five", "555-0100 ext. twelve"] {
            assert!(parse_phone(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn sources_round_trip() {
        let source = ResourceSource::Hsds { package: "county".into(), service_id: "s1".into() };
        assert_eq!(source.code(), "hsds:county");
        assert_eq!(ResourceSource::from_stored("hsds:county", Some("s1".into())), source);
        assert_eq!(ResourceSource::from_stored("manual", None), ResourceSource::Manual);
    }
}
