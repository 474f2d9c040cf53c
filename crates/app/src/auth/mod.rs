//! Signing in and out, and turning a session cookie or API token back into an [`Actor`].

pub mod address_throttle;
mod credentials;
mod password;
pub mod throttle;
mod tokens;

use std::net::IpAddr;

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::ids::ApiTokenId;
use kindred_domain::user::EmailAddress;
use kindred_storage::ApiTokenRecord;
use time::{Duration, OffsetDateTime};

use crate::audit::system_entry;
use crate::{Actor, App, AppError, Result};

pub(crate) use credentials::SignInGuard;
pub use credentials::SignInLimits;

/// A browser session lasts one working shift.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);
/// API tokens last 30 days; integrations ask for a new one.
pub const API_TOKEN_LIFETIME: Duration = Duration::days(30);

/// A fresh random token for a form that has no session yet (the login form's CSRF token).
pub fn new_form_token() -> Result<String> {
    tokens::random_secret()
}

/// What someone types to sign in, and where from.
#[derive(Debug, Clone, Copy)]
pub struct Credentials<'a> {
    pub organisation: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    /// The client's address, for the per-address limit: the connection's peer, unless the
    /// deployment says a reverse proxy in front of it reports the client's.
    pub client: IpAddr,
}

/// A new browser session.
#[derive(Debug, Clone)]
pub struct BrowserSession {
    /// The session cookie's value.
    pub cookie_value: String,
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
    pub actor: Actor,
}

/// A new API token (shown once; only its hash is kept).
#[derive(Debug, Clone)]
pub struct IssuedApiToken {
    pub token: String,
    pub expires_at: OffsetDateTime,
}

/// An actor from a session cookie, with the session's CSRF token.
#[derive(Debug, Clone)]
pub struct SessionActor {
    pub actor: Actor,
    pub csrf_token: String,
}

impl App {
    /// Checks the credentials and opens a browser session.
    pub async fn sign_in(&self, credentials: Credentials<'_>) -> Result<BrowserSession> {
        let (tenant, user) = self.check_credentials(credentials).await?;
        let secret = tokens::random_secret()?;
        let csrf_token = tokens::random_secret()?;
        let now = self.clock().now();
        let expires_at = now + SESSION_LIFETIME;
        let mut tx = tenant.write().await?;
        tx.insert_browser_session(
            &tokens::secret_hash(&secret),
            user.id,
            &csrf_token,
            now,
            expires_at,
        )
        .await?;
        tx.append_audit(
            now,
            system_entry(Some(&user), AuditAction::Login, "session", "browser sign-in"),
        )
        .await?;
        tx.commit().await?;
        Ok(BrowserSession {
            cookie_value: tokens::session_cookie(tenant.org_id(), &secret),
            csrf_token,
            expires_at,
            actor: Actor::new(user, tenant),
        })
    }

    /// Checks the credentials and issues an API token.
    pub async fn issue_api_token(&self, credentials: Credentials<'_>) -> Result<IssuedApiToken> {
        let (tenant, user) = self.check_credentials(credentials).await?;
        let secret = tokens::random_secret()?;
        let now = self.clock().now();
        let record = ApiTokenRecord {
            id: ApiTokenId::generate(),
            user_id: user.id,
            name: "API token".into(),
            expires_at: now + API_TOKEN_LIFETIME,
        };
        let mut tx = tenant.write().await?;
        tx.insert_api_token(&record, &tokens::secret_hash(&secret), now).await?;
        tx.append_audit(
            now,
            system_entry(Some(&user), AuditAction::Login, "api_token", "API token issued"),
        )
        .await?;
        tx.commit().await?;
        Ok(IssuedApiToken {
            token: tokens::api_token(tenant.org_id(), &secret),
            expires_at: record.expires_at,
        })
    }

    /// The actor behind a session cookie; [`AppError::Unauthenticated`] for anything else.
    pub async fn session_actor(&self, cookie_value: &str) -> Result<SessionActor> {
        let (org, secret) =
            tokens::parse_session_cookie(cookie_value).ok_or(AppError::Unauthenticated)?;
        let tenant = self.database.tenant(org);
        let mut session = tenant.read().await?;
        let record = session
            .browser_session(&tokens::secret_hash(secret), self.clock().now())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let user = session.user(record.user_id).await?.ok_or(AppError::Unauthenticated)?;
        drop(session);
        Ok(SessionActor { actor: Actor::new(user, tenant), csrf_token: record.csrf_token })
    }

    /// The actor behind an API bearer token.
    pub async fn api_actor(&self, bearer: &str) -> Result<Actor> {
        let (org, secret) = tokens::parse_api_token(bearer).ok_or(AppError::Unauthenticated)?;
        let tenant = self.database.tenant(org);
        let mut session = tenant.read().await?;
        let record = session
            .api_token(&tokens::secret_hash(secret), self.clock().now())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let user = session.user(record.user_id).await?.ok_or(AppError::Unauthenticated)?;
        drop(session);
        Ok(Actor::new(user, tenant))
    }

    /// A user of `organisation` by email, for a command the operator runs on their behalf
    /// (`kindred report evaluation --as EMAIL`). No password is asked — whoever runs the
    /// command holds the database already — but what the user may do is still the policy's,
    /// and what they do is audited under their name.
    pub async fn operator_acting_as(&self, organisation: &str, email: &str) -> Result<Actor> {
        let tenant = self.tenant_by_slug(organisation).await?;
        let address = EmailAddress::parse(email)
            .map_err(|m| AppError::from(FieldErrors::single("email", m)))?;
        let mut session = tenant.read().await?;
        let (user, _) = session.user_for_login(&address).await?.ok_or_else(|| {
            AppError::from(FieldErrors::single(
                "email",
                format!("there is no user {address} in {organisation}"),
            ))
        })?;
        drop(session);
        Ok(Actor::new(user, tenant))
    }

    /// Ends the browser session behind `cookie_value` (signing out twice is harmless).
    pub async fn sign_out(&self, cookie_value: &str) -> Result<()> {
        let Some((org, secret)) = tokens::parse_session_cookie(cookie_value) else { return Ok(()) };
        let tenant = self.database.tenant(org);
        let user = self.session_actor(cookie_value).await.ok().map(|s| s.actor);
        let mut tx = tenant.write().await?;
        tx.delete_browser_session(&tokens::secret_hash(secret)).await?;
        if let Some(actor) = user {
            let entry =
                system_entry(Some(actor.user()), AuditAction::Logout, "session", "signed out");
            tx.append_audit(self.clock().now(), entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
