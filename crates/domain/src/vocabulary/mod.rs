//! The shared taxonomy: one definition of every coded term, with a plain-language description.
//!
//! The reviews behind Kindred blame inconsistent definitions of peer roles, support and settings
//! for weak evidence; so each term is defined once here and every form, API, export and
//! analysis uses the same codes. Codes are stable (stored in the database); labels and
//! descriptions are what people read.

mod coach_work;
mod consent;
mod follow_up;
mod participant;
mod staff;
mod study;

pub use coach_work::{
    Activity, AppointmentKind, AppointmentStatus, ConcernCategory, ConcernStatus, ContactFormat,
    ContactMode, Employment, GoalStatus, OutcomeDomain, OutcomeEventKind, ReferralStatus,
    StepAnchor, SupervisionFormat, SupportKind, TaskKind, TaskStatus,
};
pub use consent::{ConsentPurpose, DisclosureItem};
pub use follow_up::{AdministrativeReason, AttemptChannel, AttemptOutcome, LocatorKind};
pub use participant::{
    AgeBand, Gender, Housing, JusticeInvolvement, ParticipantStatus, PrimarySubstance,
    ReferralSource, Setting, TreatmentPhase, YesNoUnknown,
};
pub use staff::Role;
pub use study::{
    ArmRole, BaselineField, Comparator, ComparisonKind, HospitalisationKind, StudyDesign,
};

/// A closed list of coded terms.
pub trait Vocabulary: Sized + Copy + 'static {
    /// The list's name in code (`referral_source`).
    const NAME: &'static str;
    /// The list's name for people ("Referral source").
    const TITLE: &'static str;
    /// Every term, in the order forms show them.
    const ALL: &'static [Self];

    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
    fn description(self) -> &'static str;

    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|term| term.code() == code)
    }

    /// Parses a code from a form or JSON body, naming the allowed codes when it is wrong.
    fn parse(code: &str) -> Result<Self, String> {
        Self::from_code(code.trim()).ok_or_else(|| {
            let allowed: Vec<&str> = Self::ALL.iter().map(|t| t.code()).collect();
            format!("must be one of: {}", allowed.join(", "))
        })
    }

    /// Matches what a person typed into a spreadsheet: the code or the label, in any case,
    /// trimmed, with spaces or hyphens for the code's underscores ("Phone call", "phone-call"
    /// and "phone_call" are one term). Spreadsheets kept by hand say "Drug court", not
    /// `drug_court`, and refusing that would make every import a cleaning job.
    fn matching(text: &str) -> Result<Self, String> {
        let typed = text.trim().to_lowercase();
        let as_code: String = typed
            .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        Self::ALL
            .iter()
            .copied()
            .find(|term| term.code() == as_code || term.label().to_lowercase() == typed)
            .ok_or_else(|| {
                let allowed: Vec<&str> = Self::ALL.iter().map(|t| t.label()).collect();
                format!(
                    "is not a {}: use one of {}",
                    Self::NAME.replace('_', " "),
                    allowed.join(", ")
                )
            })
    }
}

/// Defines a vocabulary enum: variant, stable code, label and description per term.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $code_name:literal, $title:literal {
            $( $variant:ident => $code:literal, $label:literal, $description:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $( #[doc = $description] #[serde(rename = $code)] $variant, )+
        }

        impl $crate::vocabulary::Vocabulary for $name {
            const NAME: &'static str = $code_name;
            const TITLE: &'static str = $title;
            const ALL: &'static [Self] = &[$($name::$variant),+];

            fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            fn description(self) -> &'static str {
                match self { $($name::$variant => $description),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::vocabulary::Vocabulary::label(*self))
            }
        }
    };
}
pub(crate) use vocabulary;

/// One term as data, for listings (`GET /api/v1/taxonomy`) and form options.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Term {
    pub code: &'static str,
    pub label: &'static str,
    pub description: &'static str,
}

/// Every term of one vocabulary, in display order.
pub fn terms<V: Vocabulary>() -> Vec<Term> {
    V::ALL
        .iter()
        .map(|t| Term { code: t.code(), label: t.label(), description: t.description() })
        .collect()
}

/// One vocabulary as data.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Listing {
    pub name: &'static str,
    pub title: &'static str,
    pub terms: Vec<Term>,
}

fn listing<V: Vocabulary>() -> Listing {
    Listing { name: V::NAME, title: V::TITLE, terms: terms::<V>() }
}

/// The whole shared taxonomy, for `GET /api/v1/taxonomy` and exports.
pub fn taxonomy() -> Vec<Listing> {
    vec![
        listing::<Role>(),
        listing::<SupportKind>(),
        listing::<Activity>(),
        listing::<ContactMode>(),
        listing::<ContactFormat>(),
        listing::<Setting>(),
        listing::<ReferralSource>(),
        listing::<TreatmentPhase>(),
        listing::<OutcomeDomain>(),
        listing::<OutcomeEventKind>(),
        listing::<GoalStatus>(),
        listing::<AppointmentKind>(),
        listing::<AppointmentStatus>(),
        listing::<ReferralStatus>(),
        listing::<TaskKind>(),
        listing::<TaskStatus>(),
        listing::<StepAnchor>(),
        listing::<ParticipantStatus>(),
        listing::<AgeBand>(),
        listing::<Gender>(),
        listing::<PrimarySubstance>(),
        listing::<YesNoUnknown>(),
        listing::<Housing>(),
        listing::<JusticeInvolvement>(),
        listing::<ConsentPurpose>(),
        listing::<DisclosureItem>(),
        listing::<Employment>(),
        listing::<SupervisionFormat>(),
        listing::<ConcernCategory>(),
        listing::<ConcernStatus>(),
        listing::<AdministrativeReason>(),
        listing::<AttemptChannel>(),
        listing::<AttemptOutcome>(),
        listing::<LocatorKind>(),
        listing::<StudyDesign>(),
        listing::<ComparisonKind>(),
        listing::<ArmRole>(),
        listing::<HospitalisationKind>(),
        listing::<BaselineField>(),
        listing::<Comparator>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes_are_unique_and_round_trip<
        V: Vocabulary + PartialEq + std::fmt::Debug + serde::Serialize,
    >() {
        let mut seen = std::collections::HashSet::new();
        for term in V::ALL {
            assert!(seen.insert(term.code()), "{} repeats code {}", V::NAME, term.code());
            assert_eq!(V::from_code(term.code()), Some(*term));
            assert!(!term.description().is_empty());
            let json = serde_json::to_string(term).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", term.code()), "serde uses the stable code");
        }
    }

    #[test]
    fn a_term_is_matched_by_its_code_or_label_in_any_case() {
        use crate::vocabulary::ContactMode;
        for typed in ["phone", "Phone", " PHONE ", ContactMode::Phone.label()] {
            assert_eq!(ContactMode::matching(typed), Ok(ContactMode::Phone), "{typed}");
        }
        assert_eq!(ReferralSource::matching("Drug court"), Ok(ReferralSource::DrugCourt));
        assert_eq!(ReferralSource::matching("drug-court"), Ok(ReferralSource::DrugCourt));
        let refused = ContactMode::matching("telepathy").unwrap_err();
        assert!(refused.starts_with("is not a contact mode: use one of"), "{refused}");
    }

    #[test]
    fn every_vocabulary_is_well_formed() {
        codes_are_unique_and_round_trip::<Role>();
        codes_are_unique_and_round_trip::<ReferralSource>();
        codes_are_unique_and_round_trip::<Setting>();
        codes_are_unique_and_round_trip::<TreatmentPhase>();
        codes_are_unique_and_round_trip::<ParticipantStatus>();
        codes_are_unique_and_round_trip::<AgeBand>();
        codes_are_unique_and_round_trip::<Gender>();
        codes_are_unique_and_round_trip::<PrimarySubstance>();
        codes_are_unique_and_round_trip::<YesNoUnknown>();
        codes_are_unique_and_round_trip::<Housing>();
        codes_are_unique_and_round_trip::<JusticeInvolvement>();
        codes_are_unique_and_round_trip::<ConsentPurpose>();
        codes_are_unique_and_round_trip::<DisclosureItem>();
        codes_are_unique_and_round_trip::<SupportKind>();
        codes_are_unique_and_round_trip::<Activity>();
        codes_are_unique_and_round_trip::<ContactMode>();
        codes_are_unique_and_round_trip::<ContactFormat>();
        codes_are_unique_and_round_trip::<OutcomeDomain>();
        codes_are_unique_and_round_trip::<GoalStatus>();
        codes_are_unique_and_round_trip::<OutcomeEventKind>();
        codes_are_unique_and_round_trip::<AppointmentKind>();
        codes_are_unique_and_round_trip::<AppointmentStatus>();
        codes_are_unique_and_round_trip::<ReferralStatus>();
        codes_are_unique_and_round_trip::<TaskKind>();
        codes_are_unique_and_round_trip::<TaskStatus>();
        codes_are_unique_and_round_trip::<StepAnchor>();
        codes_are_unique_and_round_trip::<Employment>();
        codes_are_unique_and_round_trip::<SupervisionFormat>();
        codes_are_unique_and_round_trip::<ConcernCategory>();
        codes_are_unique_and_round_trip::<ConcernStatus>();
        codes_are_unique_and_round_trip::<AdministrativeReason>();
        codes_are_unique_and_round_trip::<AttemptChannel>();
        codes_are_unique_and_round_trip::<AttemptOutcome>();
        codes_are_unique_and_round_trip::<LocatorKind>();
        codes_are_unique_and_round_trip::<StudyDesign>();
        codes_are_unique_and_round_trip::<ComparisonKind>();
        codes_are_unique_and_round_trip::<ArmRole>();
        codes_are_unique_and_round_trip::<HospitalisationKind>();
        codes_are_unique_and_round_trip::<BaselineField>();
        codes_are_unique_and_round_trip::<Comparator>();
    }

    #[test]
    fn a_wrong_code_names_the_allowed_ones() {
        let message = TreatmentPhase::parse("sometimes").unwrap_err();
        assert!(message.contains("before, during, after, in_lieu"), "{message}");
    }
}
