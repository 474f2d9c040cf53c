//! Organisations: the tenants. Nothing crosses from one to another.

use crate::ids::OrgId;

/// A short, URL-safe organisation name used at login (`riverside-recovery`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct OrgSlug(String);

impl OrgSlug {
    /// Lowercase letters, digits and single hyphens; 2–40 characters; starts with a letter.
    pub fn parse(value: &str) -> Result<Self, String> {
        let slug = value.trim().to_ascii_lowercase();
        let valid_chars =
            slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let starts_with_letter = slug.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if !(2..=40).contains(&slug.len()) {
            Err("must be 2 to 40 characters".into())
        } else if !valid_chars || !starts_with_letter || slug.ends_with('-') || slug.contains("--")
        {
            Err("must start with a letter and use only lowercase letters, digits and single hyphens".into())
        } else {
            Ok(Self(slug))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OrgSlug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: OrgId,
    pub slug: OrgSlug,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_normalised_and_checked() {
        assert_eq!(
            OrgSlug::parse(" Riverside-Recovery ").map(|s| s.0),
            Ok("riverside-recovery".into())
        );
        assert!(OrgSlug::parse("r").is_err());
        assert!(OrgSlug::parse("9lives").is_err());
        assert!(OrgSlug::parse("a--b").is_err());
        assert!(OrgSlug::parse("trailing-").is_err());
        assert!(OrgSlug::parse("has space").is_err());
    }
}
