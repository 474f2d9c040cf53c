//! Programs' follow-up rates kept for the day they were computed. They read every
//! participant's schedule and evidence (tens of milliseconds at 10 000 participants), yet
//! change only when the data they are computed from does: the database keeps a version per
//! program of that data, raised by triggers on each write of it from any process (see
//! `Session::follow_up_version`), so a kept result is used only while its day and version are
//! current. Contacts do not touch the version, so the rates stay kept while coaches log them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kindred_domain::ids::{OrgId, ProgramId};
use time::Date;

use super::FollowUpRates;

/// More programs than any deployment has: past it, the cache starts again rather than grow.
const MAX_PROGRAMS: usize = 4096;

#[derive(Debug, Default)]
pub(crate) struct RatesCache {
    kept: Mutex<HashMap<(OrgId, ProgramId), Kept>>,
}

#[derive(Debug)]
struct Kept {
    today: Date,
    version: i64,
    rates: Arc<FollowUpRates>,
}

impl RatesCache {
    /// The rates kept for `program`, if computed today at this version.
    pub(crate) fn get(
        &self,
        program: (OrgId, ProgramId),
        today: Date,
        version: i64,
    ) -> Option<Arc<FollowUpRates>> {
        let kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        kept.get(&program)
            .filter(|k| k.today == today && k.version == version)
            .map(|k| Arc::clone(&k.rates))
    }

    /// Keeps rates computed today at `version` (read before the data they were computed from).
    pub(crate) fn put(
        &self,
        program: (OrgId, ProgramId),
        today: Date,
        version: i64,
        rates: Arc<FollowUpRates>,
    ) {
        let mut kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if kept.len() >= MAX_PROGRAMS && !kept.contains_key(&program) {
            kept.clear();
        }
        kept.insert(program, Kept { today, version, rates });
    }
}
