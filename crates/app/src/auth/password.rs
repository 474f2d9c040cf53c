//! Password hashing with argon2id (the OWASP-recommended defaults: 19 MiB, 2 passes). Hashing
//! is deliberately slow, so it runs on the blocking pool, never on the async workers.
//!
//! Each hash holds 19 MiB while it runs, and the blocking pool grows to hundreds of threads,
//! so a burst of sign-ins would take memory without bound. A [`Hasher`] lets only a few hashes
//! run at once; the rest wait their turn, and one that waits too long is answered "busy"
//! instead of queueing for ever.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{AppError, Result};

/// Runs at most `permits` password hashes at once; a caller waits up to `wait` for its turn.
#[derive(Debug, Clone)]
pub(crate) struct Hasher {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl Hasher {
    pub(crate) fn new(permits: usize, wait: Duration) -> Self {
        Self { permits: Arc::new(Semaphore::new(permits.max(1))), wait }
    }

    pub(crate) async fn hash(&self, password: String) -> Result<String> {
        let permit = self.permit().await?;
        tokio::task::spawn_blocking(move || {
            let _running = permit;
            Argon2::default()
                .hash_password(password.as_bytes())
                .map(|hash| hash.to_string())
                .map_err(|e| AppError::Internal(format!("hashing a password failed: {e}").into()))
        })
        .await
        .map_err(|e| AppError::Internal(format!("hashing task failed: {e}").into()))?
    }

    /// Whether `password` matches `stored`. When there is no account, pass `None`: a hash is
    /// still checked, so the response takes as long and does not reveal which emails exist.
    /// [`AppError::Busy`] when no hash could start in time: the password was not checked.
    pub(crate) async fn verify(&self, password: String, stored: Option<String>) -> Result<bool> {
        let permit = self.permit().await?;
        let exists = stored.is_some();
        let matches = tokio::task::spawn_blocking(move || {
            let _running = permit;
            let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
            PasswordHash::new(&stored)
                .map(|parsed| {
                    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        Ok(exists && matches)
    }

    /// A turn to hash. The permit moves into the blocking task, so it is given back when the
    /// hash finishes — not when the request is dropped, which would let a client that hangs up
    /// start another 19 MiB hash beside the one still running.
    async fn permit(&self) -> Result<OwnedSemaphorePermit> {
        match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_closed)) => Err(AppError::Internal("the password hasher is closed".into())),
            Err(_elapsed) => {
                tracing::warn!(wait = ?self.wait, "no password hash could start in time");
                let seconds = i64::try_from(self.wait.as_secs()).unwrap_or(i64::MAX).max(1);
                Err(AppError::Busy { seconds })
            }
        }
    }
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default()
            .hash_password(b"no account has this password")
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let hasher = Hasher::new(2, Duration::from_secs(30));
        let stored = hasher.hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(hasher.verify("correct horse battery".into(), Some(stored.clone())).await.unwrap());
        assert!(!hasher.verify("wrong horse battery".into(), Some(stored)).await.unwrap());
        assert!(!hasher.verify("no account has this password".into(), None).await.unwrap());
    }

    #[tokio::test]
    async fn a_hash_that_cannot_start_in_time_is_busy_and_checks_nothing() {
        let hasher = Hasher::new(1, Duration::from_millis(50));
        let held = hasher.permit().await.unwrap();
        let refused = hasher.verify("anything".into(), None).await;
        assert!(matches!(refused, Err(AppError::Busy { seconds: 1 })), "{refused:?}");
        drop(held);
        assert!(!hasher.verify("anything".into(), None).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_burst_larger_than_the_permits_waits_its_turn_and_all_of_it_is_checked() {
        let hasher = Hasher::new(2, Duration::from_secs(60));
        let stored = hasher.hash("pw".into()).await.unwrap();
        let mut burst = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let (hasher, stored) = (hasher.clone(), stored.clone());
            burst.spawn(async move { hasher.verify("pw".into(), Some(stored)).await });
        }
        while let Some(done) = burst.join_next().await {
            assert!(done.unwrap().unwrap());
        }
        assert_eq!(hasher.permits.available_permits(), 2, "every permit came back");
    }
}
