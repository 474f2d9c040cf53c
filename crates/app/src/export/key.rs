//! The export key: a secret kept outside the database (a file beside it, or one the
//! deployment names), from which each study's pseudonyms and date shifts are derived with a
//! keyed hash. Anyone holding the database but not the key can neither reverse a pseudonym nor
//! undo a shift; the same key gives the same pseudonyms and shifts in every export of a study,
//! so an evaluator's second export links to the first. Different studies get unrelated
//! pseudonyms, so two studies' exports do not link to each other.

use std::io::Write;
use std::path::Path;

use hmac::{Hmac, KeyInit, Mac};
use kindred_domain::ids::{ParticipantId, StudyId, UserId};
use sha2::Sha256;

use crate::{AppError, Result};

/// Key length in bytes (HMAC-SHA-256's block-sized secret would be longer; 32 bytes of
/// randomness are its full strength).
const KEY_BYTES: usize = 32;

/// Dates move by up to this many days either way.
pub const MAX_SHIFT_DAYS: i64 = 182;

/// The secret the pseudonyms and date shifts come from.
#[derive(Clone)]
pub struct ExportKey {
    bytes: [u8; KEY_BYTES],
}

impl std::fmt::Debug for ExportKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExportKey(…)")
    }
}

impl ExportKey {
    /// A key from its bytes (a test's, or one read from a file).
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        Self { bytes }
    }

    /// The key in `path` (64 hex digits), made there — readable by its owner only — when the
    /// file does not exist yet.
    pub fn load_or_create(path: &Path) -> Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(text.trim()).ok_or_else(|| {
                AppError::Internal(
                    format!("{} does not hold an export key (64 hex digits)", path.display())
                        .into(),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; KEY_BYTES];
                getrandom::fill(&mut bytes)
                    .map_err(|e| AppError::Internal(format!("no randomness: {e}").into()))?;
                let io = |e: std::io::Error| {
                    AppError::Internal(format!("writing {}: {e}", path.display()).into())
                };
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path).map_err(io)?;
                file.write_all(hex::encode(bytes).as_bytes()).map_err(io)?;
                file.sync_all().map_err(io)?;
                Ok(Self { bytes })
            }
            Err(e) => Err(AppError::Internal(format!("reading {}: {e}", path.display()).into())),
        }
    }

    fn parse(hex_text: &str) -> Option<Self> {
        let bytes: [u8; KEY_BYTES] = hex::decode(hex_text).ok()?.try_into().ok()?;
        Some(Self { bytes })
    }

    fn digest(&self, purpose: &str, study: StudyId, subject: uuid::Uuid) -> [u8; 32] {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.bytes).expect("HMAC takes a key of any length");
        // Length-free fields separated by a byte no field holds, so no two inputs collide.
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(study.0.as_bytes());
        mac.update(subject.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A participant's pseudonym in a study's exports: `P` and 16 hex digits (64 bits: no
    /// collision is expected among millions).
    pub fn pseudonym(&self, study: StudyId, participant: ParticipantId) -> String {
        format!("P{}", hex::encode(&self.digest("participant", study, participant.0)[..8]))
    }

    /// A coach's pseudonym in a study's exports.
    pub fn coach_pseudonym(&self, study: StudyId, coach: UserId) -> String {
        format!("C{}", hex::encode(&self.digest("coach", study, coach.0)[..6]))
    }

    /// How far a participant's dates move in a study's exports: between −182 and +182 days,
    /// the same in every export of that study.
    pub fn date_shift_days(&self, study: StudyId, participant: ParticipantId) -> i64 {
        let digest = self.digest("date shift", study, participant.0);
        let n = u64::from_le_bytes(digest[..8].try_into().expect("eight bytes"));
        // The modulo bias over 2^64 is below 10^-16.
        (n % (2 * MAX_SHIFT_DAYS as u64 + 1)) as i64 - MAX_SHIFT_DAYS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_and_shifts_are_stable_per_study_and_differ_between_studies() {
        let key = ExportKey::from_bytes([7; KEY_BYTES]);
        let (a, b) = (StudyId::generate(), StudyId::generate());
        let p = ParticipantId::generate();
        assert_eq!(key.pseudonym(a, p), key.pseudonym(a, p));
        assert_ne!(key.pseudonym(a, p), key.pseudonym(b, p));
        assert_eq!(key.pseudonym(a, p).len(), 17);
        let other = ExportKey::from_bytes([8; KEY_BYTES]);
        assert_ne!(key.pseudonym(a, p), other.pseudonym(a, p), "the key matters");
        let shifts: Vec<i64> =
            (0..500).map(|_| key.date_shift_days(a, ParticipantId::generate())).collect();
        assert!(shifts.iter().all(|d| d.abs() <= MAX_SHIFT_DAYS));
        assert!(shifts.iter().any(|d| *d < -90) && shifts.iter().any(|d| *d > 90), "spread");
    }

    #[test]
    fn a_key_file_is_made_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("kindred-key-{}", uuid::Uuid::now_v7()));
        let path = dir.join("export.key");
        let made = ExportKey::load_or_create(&path).expect("made");
        let read = ExportKey::load_or_create(&path).expect("read");
        assert_eq!(made.bytes, read.bytes);
        std::fs::write(&path, "not a key").expect("overwrite");
        assert!(ExportKey::load_or_create(&path).is_err());
        std::fs::remove_dir_all(dir).ok();
    }
}
