//! Staff accounts: email addresses, names, passwords and role sets.

use crate::ids::{OrgId, UserId};
use crate::vocabulary::{Role, Vocabulary};

/// An email address, trimmed and lowercased so that logins match however it is typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// A deliberately modest check (one `@`, a dot in the domain, no spaces): the real test of
    /// an address is whether mail arrives, and strict grammars refuse real addresses.
    pub fn parse(value: &str) -> Result<Self, String> {
        let email = value.trim().to_lowercase();
        let Some((local, domain)) = email.split_once('@') else {
            return Err("must be an email address like name@example.org".into());
        };
        let plausible = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !email.chars().any(char::is_whitespace);
        if !plausible {
            Err("must be an email address like name@example.org".into())
        } else if email.len() > 254 {
            Err("must be at most 254 characters".into())
        } else {
            Ok(Self(email))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password someone is choosing. Length is the rule that matters (NIST SP 800-63B): at least
/// 12 characters, at most 256 so hashing cannot be used to exhaust the server.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;

    pub fn parse(value: &str, email: &EmailAddress) -> Result<Self, String> {
        let chars = value.chars().count();
        if chars < Self::MIN_CHARS {
            Err(format!("must be at least {} characters", Self::MIN_CHARS))
        } else if chars > 256 {
            Err("must be at most 256 characters".into())
        } else if value.trim().eq_ignore_ascii_case(email.as_str()) {
            Err("must not be your email address".into())
        } else {
            Ok(Self(value.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// The set of roles a user holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Roles(u8);

impl Roles {
    fn bit(role: Role) -> u8 {
        // The position in `Role::ALL` is the bit; the list is closed and short.
        let index = Role::ALL.iter().position(|r| *r == role).unwrap_or_default();
        1 << index
    }

    pub fn with(mut self, role: Role) -> Self {
        self.0 |= Self::bit(role);
        self
    }

    pub fn has(self, role: Role) -> bool {
        self.0 & Self::bit(role) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.iter().copied().filter(move |r| self.has(*r))
    }
}

impl FromIterator<Role> for Roles {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        iter.into_iter().fold(Roles::default(), Roles::with)
    }
}

/// A staff member's account as stored (without the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub org_id: OrgId,
    pub id: UserId,
    pub email: EmailAddress,
    pub display_name: String,
    pub roles: Roles,
    pub supervisor_id: Option<UserId>,
    pub active: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            EmailAddress::parse(" Ana@Example.ORG ").map(|e| e.0),
            Ok("ana@example.org".into())
        );
        for bad in
            ["", "ana", "ana@", "@example.org", "ana@example", "a b@example.org", "a@b@c.org"]
        {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn passwords_need_length_and_not_the_email() {
        let email = EmailAddress::parse("ana.longname@ex.org").unwrap();
        assert!(NewPassword::parse("short", &email).is_err());
        assert!(NewPassword::parse("ana.longname@ex.org", &email).is_err());
        assert!(NewPassword::parse("correct horse battery", &email).is_ok());
    }

    #[test]
    fn role_sets_hold_several_roles() {
        let roles: Roles = [Role::Coach, Role::Supervisor].into_iter().collect();
        assert!(roles.has(Role::Coach) && roles.has(Role::Supervisor));
        assert!(!roles.has(Role::Admin));
        assert_eq!(roles.iter().count(), 2);
    }
}
