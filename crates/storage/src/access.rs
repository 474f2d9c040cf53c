//! Proofs of permission that participant data requires.
//!
//! Storage never decides who may see what; the application's policy does. But storage insists
//! on the policy's answer: every function that reads or writes one participant's data takes a
//! [`Grant`] naming that participant and what it allows, and every list of participant data
//! takes a [`Scope`] saying whose participants it covers. Both have private fields and are
//! made only by a [`PolicyKey`], of which each open [`Database`] hands out exactly one (the
//! application gives it to its policy module and to nothing else). A use case that skips the
//! policy has nothing to pass, so it does not compile.
//!
//! What a grant allows is its type parameter (an [`Access`] marker), so a storage call names
//! the access it needs and the compiler checks the caller was granted it.

use std::marker::PhantomData;
use std::sync::atomic::Ordering;

use kindred_domain::ids::{OrgId, ParticipantId, ProgramId, UserId};
use kindred_domain::vocabulary::ParticipantStatus;

use crate::backend::Database;
use crate::{Result, StorageError};

mod sealed {
    pub trait Sealed {}
}

/// What a [`Grant`] or [`Scope`] allows. Implemented only by the markers below.
pub trait Access: sealed::Sealed + Send + Sync + 'static {
    /// For messages and the audit log.
    const NAME: &'static str;
    /// Whether it sees the identity ([`Identifies`]): queries generic over the access leave
    /// names out when it does not.
    const IDENTIFIED: bool;
}

/// An access that changes the participant's record or the work recorded about them.
pub trait Writes: Access {}

/// An access the policy grants only to people who may see the participant's identity: every
/// one but [`Research`] (the policy's tests hold it to that), so a grant of any of them lets
/// storage return the identified record.
pub trait Identifies: Access {}

macro_rules! access {
    ($($(#[$doc:meta])* $name:ident => $code:literal, $identified:literal $(, $marker:ident)*;)+) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct $name;
            impl sealed::Sealed for $name {}
            impl Access for $name {
                const NAME: &'static str = $code;
                const IDENTIFIED: bool = $identified;
            }
            $(impl $marker for $name {})*
        )+
    };
}

access! {
    /// See the de-identified research record: never names, date of birth, contact details or
    /// free text.
    Research => "research", false;
    /// See the identified record.
    Identified => "identified", true, Identifies;
    /// Enrol new participants (a scope over the organisation: the duplicate check reads it).
    Enrol => "enrol", false, Writes;
    /// Change the record itself (enrolment, baseline, identity, coach).
    Edit => "edit", true, Writes, Identifies;
    /// View, record or revoke consents.
    Consents => "consents", true, Writes, Identifies;
    /// See the identified work recorded about the participant: plans, referrals, appointments,
    /// tasks, contacts, assessments, follow-up.
    SeeWork => "see_work", true, Identifies;
    /// Record that work.
    RecordWork => "record_work", true, Writes, Identifies;
    /// Cancel a task (a protocol step that no longer applies).
    CancelTasks => "cancel_tasks", true, Writes, Identifies;
    /// Take a time point out of the follow-up denominator.
    Exclude => "exclude", true, Writes, Identifies;
}

/// What the policy needs to know about a participant to decide, read without a grant (it is
/// not the participant's data: no identity, no health information). Made only by storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantFacts {
    pub(crate) org_id: OrgId,
    pub(crate) id: ParticipantId,
    pub(crate) reference: String,
    pub(crate) coach_id: Option<UserId>,
    pub(crate) coach_supervisor_id: Option<UserId>,
    pub(crate) program_id: Option<ProgramId>,
    pub(crate) status: ParticipantStatus,
}

impl ParticipantFacts {
    pub fn id(&self) -> ParticipantId {
        self.id
    }
    /// The participant's reference (`P-0042`): what audit events and messages name.
    pub fn reference(&self) -> &str {
        &self.reference
    }
    pub fn coach_id(&self) -> Option<UserId> {
        self.coach_id
    }
    /// The supervisor of the participant's current coach.
    pub fn coach_supervisor_id(&self) -> Option<UserId> {
        self.coach_supervisor_id
    }
    pub fn program_id(&self) -> Option<ProgramId> {
        self.program_id
    }
    pub fn status(&self) -> ParticipantStatus {
        self.status
    }
}

/// The policy's permission for `A` on one participant's record. Cloning one copies the
/// decision, for the same participant and access.
#[derive(Debug, Clone)]
pub struct Grant<A: Access> {
    facts: ParticipantFacts,
    access: PhantomData<A>,
}

impl<A: Access> Grant<A> {
    pub fn participant(&self) -> ParticipantId {
        self.facts.id
    }

    /// What the policy decided on.
    pub fn facts(&self) -> &ParticipantFacts {
        &self.facts
    }

    /// The participant's id, if this grant is for this session's organisation (a grant from
    /// another organisation finds nothing, as a record of another organisation would).
    pub(crate) fn bound_to(&self, org_id: OrgId) -> Result<uuid::Uuid> {
        if self.facts.org_id == org_id { Ok(self.facts.id.0) } else { Err(StorageError::NotFound) }
    }
}

/// Whose participants a list covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every participant of the organisation.
    Organisation,
    /// The participants this coach currently works with.
    Coach(UserId),
    /// A supervisor's own caseload and their coaches' caseloads, as they stand now.
    Team(UserId),
}

/// The policy's permission for `A` on every participant in [`Reach`]: what every list of
/// participant data is filtered by (never "rows I wrote", which a reassignment would leave
/// behind).
#[derive(Debug, Clone, Copy)]
pub struct Scope<A: Access> {
    org_id: OrgId,
    reach: Reach,
    access: PhantomData<A>,
}

impl<A: Access> Scope<A> {
    pub fn reach(&self) -> Reach {
        self.reach
    }

    /// The user a coach or team scope is of (`$2` of a scoped query; NULL for the
    /// organisation), if this scope is for this session's organisation.
    pub(crate) fn bound_to(&self, org_id: OrgId) -> Result<Option<uuid::Uuid>> {
        if self.org_id != org_id {
            return Err(StorageError::NotFound);
        }
        Ok(match self.reach {
            Reach::Organisation => None,
            Reach::Coach(user) | Reach::Team(user) => Some(user.0),
        })
    }
}

/// Which participants a query covers: one granted participant, or every participant in a
/// scope (the follow-up sweep runs over both; lists over a scope).
#[derive(Debug, Clone, Copy)]
pub enum Among<'a, A: Access> {
    One(&'a Grant<A>),
    All(&'a Scope<A>),
}

impl<A: Access> Among<'_, A> {
    /// `$2` of an [`among_sql!`] query: the participant, or the scope's user.
    pub(crate) fn bound_to(&self, org_id: OrgId) -> Result<Option<uuid::Uuid>> {
        match self {
            Among::One(grant) => grant.bound_to(org_id).map(Some),
            Among::All(scope) => scope.bound_to(org_id),
        }
    }

    /// The scope's reach, or `None` for one participant.
    pub(crate) fn reach(&self) -> Option<Reach> {
        match self {
            Among::One(_) => None,
            Among::All(scope) => Some(scope.reach()),
        }
    }
}

/// The right to make grants and scopes. Each [`Database`] hands out one; the application's
/// policy holds it.
#[derive(Debug)]
pub struct PolicyKey {
    _private: (),
}

impl Database {
    /// The database's one [`PolicyKey`]: `Some` the first time only.
    pub fn policy_key(&self) -> Option<PolicyKey> {
        let taken = self.policy_key_taken.swap(true, Ordering::SeqCst);
        (!taken).then_some(PolicyKey { _private: () })
    }
}

impl PolicyKey {
    /// Records the policy's decision that `A` is allowed on this participant.
    pub fn grant<A: Access>(&self, facts: &ParticipantFacts) -> Grant<A> {
        Grant { facts: facts.clone(), access: PhantomData }
    }

    /// Records the policy's decision that `A` is allowed on every participant in `reach`.
    pub fn scope<A: Access>(&self, org_id: OrgId, reach: Reach) -> Scope<A> {
        Scope { org_id, reach, access: PhantomData }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Database, DatabaseLocation};

    /// The key is handed out once: whoever opened the database first (the application) holds
    /// the only one.
    #[tokio::test]
    async fn a_database_hands_out_its_policy_key_once() {
        let dir = tempfile::tempdir().expect("a directory");
        let location = DatabaseLocation::SqliteFile(dir.path().join("k.sqlite3"));
        let database = Database::open(&location).await.expect("a database");
        assert!(database.policy_key().is_some());
        assert!(database.policy_key().is_none());
        assert!(database.clone().policy_key().is_none(), "a clone shares the one key");
        database.close().await;
    }
}
