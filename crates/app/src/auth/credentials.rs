//! Checking what someone typed to sign in: the per-address limit, the per-email throttle,
//! then the password — in that order, so that a refused attempt costs no password hash.
//!
//! An attempt is counted against its address and its email *before* the password is checked
//! and stays counted if the password is wrong. A right password clears the email's count and
//! gives the address its place back; an attempt refused before its password was checked (a
//! lock, or the hasher being busy) gives back whatever it took. So only wrong passwords count,
//! and parallel attempts cannot all slip through before the first failure is written.

use std::time::Duration as StdDuration;

use kindred_domain::audit::AuditAction;
use kindred_domain::org::OrgSlug;
use kindred_domain::user::{EmailAddress, User};
use kindred_storage::{AddressReservation, LoginFailures, Reservation, Tenant};
use time::{Duration, OffsetDateTime};

use super::password::Hasher;
use super::{Credentials, address_throttle, throttle};
use crate::audit::system_entry;
use crate::{App, LoginRefused, Result};

/// The limits on signing in that a deployment may tune; [`Default`] is what `kindred serve`
/// uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    /// Failed sign-ins one client address may make per window, across all accounts.
    pub failures_per_address: i32,
    pub address_window: Duration,
    /// Password hashes run at once. Each holds 19 MiB while it runs and keeps a core busy, so
    /// more than the cores only adds memory, not speed; the default is the cores, at least
    /// two (a container's CPU quota can report one core, and a second hash costs 19 MiB
    /// while keeping sign-in from stalling behind a single slow one).
    pub hashing_permits: usize,
    /// How long a sign-in waits for its turn to hash. A hash takes tens of milliseconds, so
    /// five seconds of queue means hundreds of sign-ins ahead: past that the server is
    /// overloaded, and "busy, try again in 5 seconds" (503) is kinder than a page that hangs
    /// — and than 429, which would blame the person for a burst that was not theirs.
    pub hashing_wait: StdDuration,
}

impl Default for SignInLimits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            failures_per_address: address_throttle::FAILURES_PER_ADDRESS,
            address_window: address_throttle::ADDRESS_WINDOW,
            hashing_permits: cores.max(2),
            hashing_wait: StdDuration::from_secs(5),
        }
    }
}

/// The limits and the bounded hasher every clone of the [`App`] shares.
#[derive(Debug, Clone)]
pub(crate) struct SignInGuard {
    limits: SignInLimits,
    hasher: Hasher,
}

impl SignInGuard {
    pub(crate) fn new(limits: SignInLimits) -> Self {
        Self { limits, hasher: Hasher::new(limits.hashing_permits, limits.hashing_wait) }
    }
}

/// A password checked after both throttles let the attempt through.
enum Verdict {
    Right(User),
    /// Wrong (or no such account): the attempt stays counted.
    Wrong(LoginRefused),
}

impl App {
    /// Hashes a new password, waiting for a turn like a sign-in does.
    pub(crate) async fn hash_password(&self, password: String) -> Result<String> {
        self.sign_in.hasher.hash(password).await
    }

    /// The user these credentials sign in as, or why not. A failure is counted (and audited)
    /// before it is reported.
    pub(super) async fn check_credentials(
        &self,
        credentials: Credentials<'_>,
    ) -> Result<(Tenant, User)> {
        let slug =
            OrgSlug::parse(credentials.organisation).map_err(|_| LoginRefused::BadCredentials)?;
        let email =
            EmailAddress::parse(credentials.email).map_err(|_| LoginRefused::BadCredentials)?;
        let address = address_throttle::key(credentials.client);
        let password = credentials.password.to_owned();
        let now = self.clock().now();

        let Some(org) = self.database.organisation_by_slug(&slug).await? else {
            // No organisation to lock, but the address pays for the guess; a hash is still
            // checked so the answer takes as long as for a real one.
            self.reserve_address(&address, now).await?;
            let checked = self.sign_in.hasher.verify(password, None).await;
            if checked.is_err() {
                self.release_address(&address).await;
            }
            checked?;
            return Err(LoginRefused::BadCredentials.into());
        };
        let tenant = self.database.tenant(org.id);
        let mut session = tenant.read().await?;
        // A read, so attempts refused here (the sequential case) write nothing at all.
        throttle::check(session.login_failures(&email).await?, now)?;
        let account = session.user_for_login(&email).await?;
        drop(session);

        self.reserve_address(&address, now).await?;
        match self.check_account(&tenant, &email, account, password, now).await {
            Ok(Verdict::Right(user)) => {
                self.release_address(&address).await;
                Ok((tenant, user))
            }
            Ok(Verdict::Wrong(refusal)) => Err(refusal.into()),
            Err(not_checked) => {
                self.release_address(&address).await;
                Err(not_checked)
            }
        }
    }

    /// Counts the attempt for the email, then checks the password. `Err` means the password
    /// was not checked and the email's count is as it was.
    async fn check_account(
        &self,
        tenant: &Tenant,
        email: &EmailAddress,
        account: Option<(User, String)>,
        password: String,
        now: OffsetDateTime,
    ) -> Result<Verdict> {
        let counted = self.reserve_login(tenant, email, now).await?;
        let (user, stored_hash) = match account {
            Some((user, hash)) if user.active => (Some(user), Some(hash)),
            _ => (None, None),
        };
        let right = match self.sign_in.hasher.verify(password, stored_hash).await {
            Ok(right) => right,
            Err(busy) => {
                let mut tx = tenant.write().await?;
                tx.release_login_attempt(email, throttle::LOCK_AFTER).await?;
                tx.commit().await?;
                return Err(busy);
            }
        };
        let mut tx = tenant.write().await?;
        if right && let Some(user) = user {
            tx.clear_login_failures(email).await?;
            tx.commit().await?;
            return Ok(Verdict::Right(user));
        }
        let mut entry =
            system_entry(user.as_ref(), AuditAction::LoginFailed, "session", "wrong password");
        entry.actor_label = email.to_string();
        tx.append_audit(now, entry).await?;
        tx.commit().await?;
        Ok(Verdict::Wrong(throttle::after_wrong_password(counted, self.clock().now())))
    }

    /// Counts the attempt against the email, or refuses it if the email is locked — including
    /// by attempts still being checked.
    async fn reserve_login(
        &self,
        tenant: &Tenant,
        email: &EmailAddress,
        now: OffsetDateTime,
    ) -> Result<LoginFailures> {
        let mut tx = tenant.write().await?;
        match tx.reserve_login_attempt(email, throttle::attempt(now)).await? {
            Reservation::Counted(counted) => {
                tx.commit().await?;
                Ok(counted)
            }
            Reservation::Locked(current) => Err(throttle::refused(current, now).into()),
        }
    }

    /// Counts the attempt against the client's address, or refuses it if the address has
    /// used up its window.
    async fn reserve_address(&self, address: &str, now: OffsetDateTime) -> Result<()> {
        let limits = &self.sign_in.limits;
        let rules =
            address_throttle::attempt(now, limits.failures_per_address, limits.address_window);
        match self.database.reserve_address_attempt(address, rules).await? {
            AddressReservation::Counted { .. } => Ok(()),
            AddressReservation::Refused { window_started_at } => {
                tracing::info!(address, "sign-in refused: too many failures from this address");
                Err(address_throttle::refused(window_started_at, now, limits.address_window).into())
            }
        }
    }

    /// Gives the address its place back. A failure here only leaves the address counted one
    /// higher than it should be until its window ends, so it is logged, not reported.
    async fn release_address(&self, address: &str) {
        if let Err(error) = self.database.release_address_attempt(address).await {
            tracing::warn!(%error, address, "could not release a sign-in attempt");
        }
    }
}
