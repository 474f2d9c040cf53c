//! Consent to disclose: what may be shared, with whom, why and until when. Checked before any
//! referral sharing or identified export; revocable at any time.

use time::{Date, OffsetDateTime};

use crate::fields::{FieldErrors, optional_text, required_date, required_text};
use crate::ids::{ConsentId, ParticipantId, UserId};
use crate::vocabulary::{ConsentPurpose, DisclosureItem, Vocabulary};

/// Raw consent fields from the consent form or a JSON body.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ConsentInput {
    /// What may be disclosed: one or more disclosure-item codes.
    pub disclose: Vec<String>,
    /// To whom: the person or organisation named on the consent.
    pub recipient: Option<String>,
    /// Why: a consent-purpose code.
    pub purpose: Option<String>,
    /// The date the participant signed (ISO 8601); defaults to today.
    pub signed_on: Option<String>,
    /// The date the consent ends (ISO 8601). Required: a consent without an end is not valid.
    pub expires_on: Option<String>,
    pub notes: Option<String>,
}

/// The terms of a consent, already valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentTerms {
    pub disclose: Vec<DisclosureItem>,
    pub recipient: String,
    pub purpose: ConsentPurpose,
    pub signed_on: Date,
    pub expires_on: Date,
    pub notes: Option<String>,
}

impl ConsentTerms {
    pub fn parse(input: &ConsentInput, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut disclose = Vec::new();
        for code in &input.disclose {
            match DisclosureItem::parse(code) {
                Ok(item) if !disclose.contains(&item) => disclose.push(item),
                Ok(_) => {}
                Err(message) => errors.add("disclose", message),
            }
        }
        if input.disclose.is_empty() {
            errors.add("disclose", "choose at least one kind of information");
        }
        disclose.sort();
        let recipient = errors.check("recipient", required_text(input.recipient.as_deref(), 200));
        let purpose = errors.check(
            "purpose",
            match input.purpose.as_deref().map(str::trim) {
                None | Some("") => Err("is required".to_string()),
                Some(code) => ConsentPurpose::parse(code),
            },
        );
        let signed_on = match input.signed_on.as_deref().map(str::trim) {
            None | Some("") => Some(today),
            Some(text) => errors.check("signed_on", required_date(Some(text))),
        };
        let expires_on = errors.check("expires_on", required_date(input.expires_on.as_deref()));
        let notes = errors.check("notes", optional_text(input.notes.as_deref(), 1000));
        if let Some(signed) = signed_on.filter(|signed| *signed > today) {
            errors.add("signed_on", format!("{signed} is in the future"));
        }
        if let (Some(signed), Some(expires)) = (signed_on, expires_on) {
            if expires <= signed {
                errors.add("expires_on", "must be after the date it was signed");
            } else if expires < today {
                errors.add("expires_on", "has already passed; record a current consent");
            }
        }
        errors.into_result(|| {
            Some(ConsentTerms {
                disclose,
                recipient: recipient?,
                purpose: purpose?,
                signed_on: signed_on?,
                expires_on: expires_on?,
                notes: notes?,
            })
        })
    }
}

/// Why and when a consent was withdrawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub at: OffsetDateTime,
    pub by: UserId,
    pub reason: Option<String>,
}

/// A consent as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: ConsentId,
    pub participant_id: ParticipantId,
    pub terms: ConsentTerms,
    pub recorded_by: UserId,
    pub recorded_at: OffsetDateTime,
    pub revocation: Option<Revocation>,
}

/// Whether a consent can be relied on today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    Active,
    Expired,
    Revoked,
}

impl ConsentStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Expired => "Expired",
            Self::Revoked => "Revoked",
        }
    }
}

impl Consent {
    pub fn status(&self, today: Date) -> ConsentStatus {
        if self.revocation.is_some() {
            ConsentStatus::Revoked
        } else if today > self.terms.expires_on {
            ConsentStatus::Expired
        } else {
            ConsentStatus::Active
        }
    }

    /// Whether this consent, today, allows `item` to go to `recipient` for `purpose`.
    /// Recipients match by name, ignoring case and surrounding space.
    pub fn permits(
        &self,
        item: DisclosureItem,
        recipient: &str,
        purpose: ConsentPurpose,
        today: Date,
    ) -> bool {
        self.status(today) == ConsentStatus::Active
            && self.terms.signed_on <= today
            && self.terms.purpose == purpose
            && self.terms.disclose.contains(&item)
            && self.terms.recipient.trim().eq_ignore_ascii_case(recipient.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    const TODAY: Date = date!(2026 - 11 - 23);

    fn input() -> ConsentInput {
        ConsentInput {
            disclose: vec!["referrals".into(), "participation".into()],
            recipient: Some("Eastside Housing Trust".into()),
            purpose: Some("referral".into()),
            expires_on: Some("2027-11-23".into()),
            ..Default::default()
        }
    }

    fn consent(terms: ConsentTerms) -> Consent {
        Consent {
            id: ConsentId::generate(),
            participant_id: ParticipantId::generate(),
            terms,
            recorded_by: UserId::generate(),
            recorded_at: datetime!(2026-11-23 10:00 UTC),
            revocation: None,
        }
    }

    #[test]
    fn a_complete_consent_parses_with_today_as_signing_date() {
        let terms = ConsentTerms::parse(&input(), TODAY).unwrap();
        assert_eq!(terms.signed_on, TODAY);
        assert_eq!(terms.disclose, vec![DisclosureItem::Participation, DisclosureItem::Referrals]);
    }

    #[test]
    fn missing_terms_are_named() {
        let errors = ConsentTerms::parse(&ConsentInput::default(), TODAY).unwrap_err();
        for field in ["disclose", "recipient", "purpose", "expires_on"] {
            assert!(errors.get(field).is_some(), "{field} not reported");
        }
        let mut past = input();
        past.expires_on = Some("2026-01-01".into());
        past.signed_on = Some("2025-01-01".into());
        assert!(
            ConsentTerms::parse(&past, TODAY)
                .unwrap_err()
                .get("expires_on")
                .unwrap()
                .contains("passed")
        );
    }

    #[test]
    fn permits_only_what_it_names_while_current() {
        let mut c = consent(ConsentTerms::parse(&input(), TODAY).unwrap());
        let recipient = " eastside housing trust";
        assert!(c.permits(DisclosureItem::Referrals, recipient, ConsentPurpose::Referral, TODAY));
        assert!(!c.permits(
            DisclosureItem::SubstanceUse,
            recipient,
            ConsentPurpose::Referral,
            TODAY
        ));
        assert!(!c.permits(
            DisclosureItem::Referrals,
            "Other Org",
            ConsentPurpose::Referral,
            TODAY
        ));
        assert!(!c.permits(DisclosureItem::Referrals, recipient, ConsentPurpose::Legal, TODAY));
        assert!(!c.permits(
            DisclosureItem::Referrals,
            recipient,
            ConsentPurpose::Referral,
            date!(2027 - 11 - 24)
        ));
        assert_eq!(c.status(date!(2027 - 11 - 24)), ConsentStatus::Expired);
        c.revocation = Some(Revocation {
            at: datetime!(2026-11-24 9:00 UTC),
            by: c.recorded_by,
            reason: None,
        });
        assert_eq!(c.status(TODAY), ConsentStatus::Revoked);
        assert!(!c.permits(DisclosureItem::Referrals, recipient, ConsentPurpose::Referral, TODAY));
    }
}
