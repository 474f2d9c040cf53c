//! Typed identifiers, so a participant id can never be passed where a user id is expected.
//!
//! Ids are UUIDv7: time-ordered, so inserts append to B-tree indexes, and globally unique, so a
//! sharded deployment needs no central sequence.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

typed_id!(
    /// An organisation: the tenant every other record belongs to.
    OrgId
);
typed_id!(
    /// A staff member's account.
    UserId
);
typed_id!(
    /// A participant (the research record and, apart from it, the identity).
    ParticipantId
);
typed_id!(
    /// A consent to disclose.
    ConsentId
);
typed_id!(
    /// A program an organisation delivers.
    ProgramId
);
typed_id!(
    /// A bearer token for the JSON API.
    ApiTokenId
);
typed_id!(
    /// A goal of a participant's recovery plan.
    GoalId
);
typed_id!(
    /// A step towards a recovery goal.
    GoalStepId
);
typed_id!(
    /// A service in the community resource directory.
    ResourceId
);
typed_id!(
    /// A referral of a participant to a resource.
    ReferralId
);
typed_id!(
    /// A task: a protocol step or follow-up that is due for a participant.
    TaskId
);
typed_id!(
    /// A participant's appointment with another service.
    AppointmentId
);
typed_id!(
    /// A staff member's certification.
    CertificationId
);
typed_id!(
    /// One entry of a participant's coach-assignment history.
    CoachAssignmentId
);
typed_id!(
    /// One encounter between a peer and a participant.
    ContactId
);
typed_id!(
    /// A group session; each attendee has a contact.
    GroupSessionId
);
typed_id!(
    /// A dated outcome event of a participant (an admission, an arrest, a new job).
    OutcomeEventId
);
typed_id!(
    /// One administration of an instrument to a participant.
    AssessmentId
);
typed_id!(
    /// One attempt to reach a participant for a follow-up.
    ContactAttemptId
);
typed_id!(
    /// One way to reach a participant, on their locator record.
    LocatorEntryId
);
typed_id!(
    /// A study: an evaluation of one or more programs, run from the record.
    StudyId
);
