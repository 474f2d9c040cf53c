//! Referrals to community resources, with a closed loop and consent-checked sharing.
//!
//! The loop: a referral is **sent**; the service **accepts** or **declines** it; once accepted
//! the participant **attended** or **did not attend** (or it is declined after all). Attended,
//! not attended and declined are final: a second try is a new referral, so the record shows
//! how many tries it took.
//!
//! | from      | to                                 |
//! |-----------|------------------------------------|
//! | sent      | accepted, declined                 |
//! | accepted  | attended, not attended, declined   |
//! | attended, not attended, declined | (final) |
//!
//! Sharing the participant's details with the service is a disclosure: it needs one current
//! consent that names the service's organisation, for referral, and includes every item
//! shared. A referral that shares nothing (the participant takes the details themselves)
//! needs no consent.

use time::{Date, OffsetDateTime};

use crate::consent::{Consent, ConsentStatus};
use crate::fields::{FieldErrors, optional_date, optional_text};
use crate::ids::{ConsentId, ResourceId, UserId};
use crate::vocabulary::{ConsentPurpose, DisclosureItem, ReferralStatus, Vocabulary};

/// Raw referral fields from the referral form or a JSON body.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ReferralInput {
    /// The resource's id. Required.
    pub resource_id: Option<String>,
    /// ISO 8601 date; defaults to today.
    pub made_on: Option<String>,
    /// What to share with the service (disclosure-item codes). Empty: nothing is shared and no
    /// consent is needed.
    pub share: Vec<String>,
    pub note: Option<String>,
}

/// A change along the referral's loop.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ReferralStatusInput {
    /// The new referral-status code. Required.
    pub status: Option<String>,
    pub note: Option<String>,
}

/// A referral ready to be checked against consent and saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReferral {
    pub resource_id: ResourceId,
    pub made_on: Date,
    pub share: Vec<DisclosureItem>,
    pub note: Option<String>,
}

/// One step of a referral's loop, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralEvent {
    pub status: ReferralStatus,
    pub changed_by: UserId,
    pub changed_by_name: String,
    pub changed_at: OffsetDateTime,
    pub note: Option<String>,
}

/// What was shared with the service, and the consent that allowed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sharing {
    pub consent_id: ConsentId,
    pub items: Vec<DisclosureItem>,
}

const NOTE_MAX: usize = 1000;

impl NewReferral {
    pub fn parse(input: &ReferralInput, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let resource_id = match input.resource_id.as_deref().map(str::trim) {
            None | Some("") => {
                errors.add("resource_id", "choose the service to refer to");
                None
            }
            Some(text) => errors.check(
                "resource_id",
                uuid::Uuid::parse_str(text)
                    .map(ResourceId)
                    .map_err(|_| "is not a resource of this organisation".to_string()),
            ),
        };
        let made_on = errors
            .check("made_on", optional_date(input.made_on.as_deref()))
            .map(|d| d.unwrap_or(today));
        if made_on.is_some_and(|d| d > today) {
            errors.add("made_on", "must not be in the future");
        }
        let mut share = Vec::new();
        for code in input.share.iter().filter(|c| !c.trim().is_empty()) {
            match DisclosureItem::parse(code) {
                Ok(item) if !share.contains(&item) => share.push(item),
                Ok(_) => {}
                Err(message) => errors.add("share", message),
            }
        }
        share.sort();
        let note = errors.check("note", optional_text(input.note.as_deref(), NOTE_MAX));
        errors.into_result(|| {
            Some(NewReferral { resource_id: resource_id?, made_on: made_on?, share, note: note? })
        })
    }
}

/// Where the loop may go from `from`.
pub fn next_statuses(from: ReferralStatus) -> &'static [ReferralStatus] {
    use ReferralStatus::*;
    match from {
        Sent => &[Accepted, Declined],
        Accepted => &[Attended, NotAttended, Declined],
        Attended | NotAttended | Declined => &[],
    }
}

/// Whether a referral in this status still needs someone to follow it up.
pub fn is_open(status: ReferralStatus) -> bool {
    !next_statuses(status).is_empty()
}

/// Parses a move along the loop from `from`, saying why it is refused.
pub fn parse_transition(
    from: ReferralStatus,
    input: &ReferralStatusInput,
) -> Result<(ReferralStatus, Option<String>), FieldErrors> {
    let mut errors = FieldErrors::new();
    let to = match input.status.as_deref().map(str::trim) {
        None | Some("") => {
            errors.add("status", "is required");
            None
        }
        Some(code) => errors.check("status", ReferralStatus::parse(code)),
    };
    let note = errors.check("note", optional_text(input.note.as_deref(), NOTE_MAX));
    if let Some(to) = to
        && !next_statuses(from).contains(&to)
    {
        let allowed: Vec<&str> = next_statuses(from).iter().map(|s| s.label()).collect();
        let message = if allowed.is_empty() {
            format!(
                "the referral is {} and its loop is closed; make a new referral to try again",
                from.label().to_lowercase()
            )
        } else {
            format!(
                "a {} referral can only become {}",
                from.label().to_lowercase(),
                allowed.join(" or ").to_lowercase()
            )
        };
        errors.add("status", message);
    }
    errors.into_result(|| Some((to?, note?)))
}

/// The consent that allows sharing every item of `items` with `recipient` for referral today,
/// or exactly why none does. The decision is [`Consent::permits`]'s; the rest only explains a
/// refusal in words a coach can act on.
pub fn covering_consent(
    consents: &[Consent],
    items: &[DisclosureItem],
    recipient: &str,
    today: Date,
) -> Result<ConsentId, String> {
    let purpose = ConsentPurpose::Referral;
    if let Some(consent) = consents
        .iter()
        .find(|c| items.iter().all(|item| c.permits(*item, recipient, purpose, today)))
    {
        return Ok(consent.id);
    }
    let naming: Vec<&Consent> = consents
        .iter()
        .filter(|c| c.terms.recipient.trim().eq_ignore_ascii_case(recipient.trim()))
        .collect();
    if naming.is_empty() {
        return Err(format!(
            "no consent on file names {recipient}; record the participant's signed consent to share with them, or share nothing"
        ));
    }
    let for_referral: Vec<&Consent> =
        naming.iter().copied().filter(|c| c.terms.purpose == purpose).collect();
    if for_referral.is_empty() {
        let purposes: Vec<&str> = naming.iter().map(|c| c.terms.purpose.label()).collect();
        return Err(format!(
            "the consent naming {recipient} is for {}, not for {}",
            purposes.join(", ").to_lowercase(),
            purpose.label().to_lowercase()
        ));
    }
    let current: Vec<&Consent> = for_referral
        .iter()
        .copied()
        .filter(|c| c.status(today) == ConsentStatus::Active && c.terms.signed_on <= today)
        .collect();
    if current.is_empty() {
        let latest = for_referral.iter().max_by_key(|c| c.terms.expires_on).copied();
        return Err(match latest {
            Some(c) if c.status(today) == ConsentStatus::Revoked => format!(
                "the consent to share with {recipient} was revoked{}",
                c.revocation.as_ref().map(|r| format!(" on {}", r.at.date())).unwrap_or_default()
            ),
            Some(c) if c.status(today) == ConsentStatus::Expired => {
                format!("the consent to share with {recipient} expired on {}", c.terms.expires_on)
            }
            Some(c) => format!(
                "the consent to share with {recipient} takes effect on {}",
                c.terms.signed_on
            ),
            None => format!("no current consent names {recipient}"),
        });
    }
    // The current consent that covers the most of what was asked, and what it lacks.
    let missing = current
        .iter()
        .map(|c| items.iter().filter(|i| !c.terms.disclose.contains(i)).collect::<Vec<_>>())
        .min_by_key(Vec::len)
        .unwrap_or_default();
    let names: Vec<String> = missing.iter().map(|i| format!("\"{}\"", i.label())).collect();
    Err(format!(
        "the consent to share with {recipient} does not include {}; share only what it allows",
        names.join(" or ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{ConsentInput, ConsentTerms, Revocation};
    use crate::ids::ParticipantId;
    use time::macros::{date, datetime};

    const TODAY: Date = date!(2026 - 11 - 23);

    fn consent(recipient: &str, purpose: &str, items: &[&str], expires: &str) -> Consent {
        let input = ConsentInput {
            disclose: items.iter().map(|s| (*s).to_owned()).collect(),
            recipient: Some(recipient.into()),
            purpose: Some(purpose.into()),
            signed_on: Some("2026-01-01".into()),
            expires_on: Some(expires.into()),
            notes: None,
        };
        Consent {
            id: ConsentId::generate(),
            participant_id: ParticipantId::generate(),
            terms: ConsentTerms::parse(&input, date!(2026 - 01 - 01)).unwrap(),
            recorded_by: UserId::generate(),
            recorded_at: datetime!(2026-01-01 9:00 UTC),
            revocation: None,
        }
    }

    const SHARE: &[DisclosureItem] = &[DisclosureItem::ContactDetails, DisclosureItem::Referrals];

    #[test]
    fn a_covering_consent_is_found() {
        let good = consent(
            "Eastside Housing Trust",
            "referral",
            &["contact_details", "referrals"],
            "2027-01-01",
        );
        let other = consent(
            "Harbor Medical Clinic",
            "referral",
            &["contact_details", "referrals"],
            "2027-01-01",
        );
        let found =
            covering_consent(&[other, good.clone()], SHARE, "eastside housing trust", TODAY);
        assert_eq!(found, Ok(good.id));
    }

    #[test]
    fn each_refusal_says_why() {
        let reason = |consents: &[Consent]| {
            covering_consent(consents, SHARE, "Eastside Housing Trust", TODAY).unwrap_err()
        };
        assert!(reason(&[]).contains("no consent on file names Eastside Housing Trust"));
        let elsewhere = consent(
            "Harbor Medical Clinic",
            "referral",
            &["contact_details", "referrals"],
            "2027-01-01",
        );
        assert!(reason(&[elsewhere]).contains("no consent on file names"));
        let legal = consent(
            "Eastside Housing Trust",
            "legal",
            &["contact_details", "referrals"],
            "2027-01-01",
        );
        assert!(reason(&[legal]).contains("is for court or probation reporting, not for referral"));
        let expired = consent(
            "Eastside Housing Trust",
            "referral",
            &["contact_details", "referrals"],
            "2026-06-30",
        );
        assert!(reason(&[expired]).contains("expired on 2026-06-30"));
        let mut revoked = consent(
            "Eastside Housing Trust",
            "referral",
            &["contact_details", "referrals"],
            "2027-01-01",
        );
        revoked.revocation = Some(Revocation {
            at: datetime!(2026-11-20 9:00 UTC),
            by: UserId::generate(),
            reason: None,
        });
        assert!(reason(&[revoked]).contains("was revoked on 2026-11-20"));
        let narrow = consent("Eastside Housing Trust", "referral", &["referrals"], "2027-01-01");
        assert!(reason(&[narrow]).contains("does not include \"Contact details\""));
    }

    #[test]
    fn the_loop_moves_forward_only() {
        use ReferralStatus::*;
        let to = |status: &str| ReferralStatusInput { status: Some(status.into()), note: None };
        assert_eq!(parse_transition(Sent, &to("accepted")).unwrap().0, Accepted);
        assert_eq!(parse_transition(Accepted, &to("not_attended")).unwrap().0, NotAttended);
        let refused = parse_transition(Attended, &to("sent")).unwrap_err();
        assert!(refused.get("status").unwrap().contains("loop is closed"));
        let skipped = parse_transition(Sent, &to("attended")).unwrap_err();
        assert!(skipped.get("status").unwrap().contains("can only become accepted or declined"));
        assert!(is_open(Sent) && is_open(Accepted) && !is_open(Declined));
    }

    #[test]
    fn a_referral_needs_a_resource_and_a_past_date() {
        let errors = NewReferral::parse(
            &ReferralInput {
                made_on: Some("2026-12-01".into()),
                share: vec!["gossip".into()],
                ..Default::default()
            },
            TODAY,
        )
        .unwrap_err();
        assert!(errors.get("resource_id").is_some());
        assert!(errors.get("made_on").is_some());
        assert!(errors.get("share").is_some());
    }
}
