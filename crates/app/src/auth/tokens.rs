//! Secret tokens for sessions and the API. The secret is random; the database keeps only its
//! SHA-256, which is enough for a 256-bit random value (no slow hash needed). Each token also
//! names its organisation in the clear, so it can be routed to the right tenant (and shard)
//! without a global lookup.

use kindred_domain::ids::OrgId;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{AppError, Result};

/// 32 random bytes, hex-encoded.
pub(crate) fn random_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(format!("no randomness: {e}").into()))?;
    Ok(hex::encode(bytes))
}

pub(crate) fn secret_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// The value of the session cookie: `ORG-UUID.SECRET`.
pub(crate) fn session_cookie(org: OrgId, secret: &str) -> String {
    format!("{org}.{secret}")
}

pub(crate) fn parse_session_cookie(value: &str) -> Option<(OrgId, &str)> {
    let (org, secret) = value.split_once('.')?;
    is_plausible_secret(secret).then_some((OrgId(Uuid::parse_str(org).ok()?), secret))
}

/// The API token: `kdr_ORGHEX_SECRET` (the prefix makes leaked tokens easy to scan for).
pub(crate) fn api_token(org: OrgId, secret: &str) -> String {
    format!("kdr_{}_{secret}", org.0.simple())
}

pub(crate) fn parse_api_token(value: &str) -> Option<(OrgId, &str)> {
    let rest = value.strip_prefix("kdr_")?;
    let (org, secret) = rest.split_once('_')?;
    is_plausible_secret(secret).then_some((OrgId(Uuid::parse_str(org).ok()?), secret))
}

/// Refuses anything that cannot be one of our secrets before it reaches the database.
fn is_plausible_secret(secret: &str) -> bool {
    secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        let org = OrgId::generate();
        let secret = random_secret().unwrap();
        assert_eq!(
            parse_session_cookie(&session_cookie(org, &secret)),
            Some((org, secret.as_str()))
        );
        assert_eq!(parse_api_token(&api_token(org, &secret)), Some((org, secret.as_str())));
        assert_eq!(parse_session_cookie("nonsense"), None);
        assert_eq!(parse_session_cookie(&format!("{org}.short")), None);
        assert_eq!(parse_api_token(&format!("kdr_{}_{}", org.0.simple(), "z".repeat(64))), None);
        assert_ne!(random_secret().unwrap(), secret);
    }
}
