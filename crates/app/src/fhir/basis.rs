//! Which consent an export relies on, what it lets out, and, when no consent will do, why not
//! in words a coach can act on. The decision is [`Consent::permits`]'s; the rest explains it.

use kindred_domain::consent::{Consent, ConsentStatus};
use kindred_domain::vocabulary::{ConsentPurpose, DisclosureItem, Vocabulary};
use time::Date;

/// The consent relied on and the items it lets go to the recipient for the purpose today.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Basis<'a> {
    pub consent: &'a Consent,
    recipient: &'a str,
    purpose: ConsentPurpose,
    today: Date,
}

impl Basis<'_> {
    /// Whether the consent lets `item` out.
    pub fn allows(&self, item: DisclosureItem) -> bool {
        self.consent.permits(item, self.recipient, self.purpose, self.today)
    }

    /// The items it lets out, in vocabulary order.
    pub fn items(&self) -> Vec<DisclosureItem> {
        DisclosureItem::ALL.iter().copied().filter(|item| self.allows(*item)).collect()
    }
}

/// Of the participant's consents that let anything go to `recipient` for `purpose` today, the
/// one that lets the most go (the newest of those alike); or why none does.
pub(crate) fn consent_relied_on<'a>(
    consents: &'a [Consent],
    recipient: &'a str,
    purpose: ConsentPurpose,
    today: Date,
) -> Result<Basis<'a>, String> {
    let basis = |consent| Basis { consent, recipient, purpose, today };
    let best = consents
        .iter()
        .map(basis)
        .map(|b| (b.items().len(), b.consent.recorded_at, b))
        .filter(|(items, _, _)| *items > 0)
        .max_by_key(|(items, recorded_at, _)| (*items, *recorded_at));
    if let Some((_, _, basis)) = best {
        return Ok(basis);
    }
    Err(why_none(consents, recipient, purpose, today))
}

/// Why no consent lets anything go to `recipient` for `purpose` today.
fn why_none(consents: &[Consent], recipient: &str, purpose: ConsentPurpose, today: Date) -> String {
    let naming: Vec<&Consent> = consents
        .iter()
        .filter(|c| c.terms.recipient.trim().eq_ignore_ascii_case(recipient.trim()))
        .collect();
    if naming.is_empty() {
        return format!(
            "no consent on file names {recipient}; record the participant's signed consent to disclose to them first"
        );
    }
    let for_purpose: Vec<&Consent> =
        naming.iter().copied().filter(|c| c.terms.purpose == purpose).collect();
    if for_purpose.is_empty() {
        let mut purposes: Vec<&str> = naming.iter().map(|c| c.terms.purpose.label()).collect();
        purposes.sort_unstable();
        purposes.dedup();
        return format!(
            "the consent naming {recipient} is for {}, not for {}",
            purposes.join(", ").to_lowercase(),
            purpose.label().to_lowercase()
        );
    }
    let latest = for_purpose.iter().max_by_key(|c| c.terms.expires_on).copied();
    match latest {
        Some(c) if c.status(today) == ConsentStatus::Revoked => format!(
            "the consent to disclose to {recipient} for {} was revoked{}",
            purpose.label().to_lowercase(),
            c.revocation.as_ref().map(|r| format!(" on {}", r.at.date())).unwrap_or_default()
        ),
        Some(c) if c.status(today) == ConsentStatus::Expired => format!(
            "the consent to disclose to {recipient} for {} expired on {}",
            purpose.label().to_lowercase(),
            c.terms.expires_on
        ),
        Some(c) => format!(
            "the consent to disclose to {recipient} for {} takes effect on {}",
            purpose.label().to_lowercase(),
            c.terms.signed_on
        ),
        None => format!("no current consent names {recipient}"),
    }
}

#[cfg(test)]
mod tests {
    use kindred_domain::consent::{ConsentInput, ConsentTerms, Revocation};
    use kindred_domain::ids::{ConsentId, ParticipantId, UserId};
    use time::macros::{date, datetime};

    use super::*;

    const TODAY: Date = date!(2026 - 11 - 23);

    fn consent(recipient: &str, purpose: &str, items: &[&str]) -> Consent {
        let input = ConsentInput {
            disclose: items.iter().map(|i| (*i).to_owned()).collect(),
            recipient: Some(recipient.into()),
            purpose: Some(purpose.into()),
            signed_on: Some("2026-10-01".into()),
            expires_on: Some("2027-10-01".into()),
            notes: None,
        };
        Consent {
            id: ConsentId::generate(),
            participant_id: ParticipantId::generate(),
            terms: ConsentTerms::parse(&input, TODAY).expect("valid terms"),
            recorded_by: UserId::generate(),
            recorded_at: datetime!(2026-10-01 10:00 UTC),
            revocation: None,
        }
    }

    #[test]
    fn the_consent_that_lets_out_the_most_is_relied_on() {
        let narrow = consent("Harbor Clinic", "treatment", &["participation"]);
        let wide = consent("harbor clinic ", "treatment", &["participation", "assessments"]);
        let other =
            consent("Harbor Clinic", "legal", &["participation", "assessments", "referrals"]);
        let consents = [narrow, wide.clone(), other];
        let basis = consent_relied_on(&consents, "Harbor Clinic", ConsentPurpose::Treatment, TODAY)
            .expect("a basis");
        assert_eq!(basis.consent.id, wide.id);
        assert_eq!(basis.items(), vec![DisclosureItem::Participation, DisclosureItem::Assessments]);
        assert!(!basis.allows(DisclosureItem::Referrals));
    }

    #[test]
    fn a_refusal_says_what_is_missing() {
        let treatment = ConsentPurpose::Treatment;
        let none = consent_relied_on(&[], "Harbor Clinic", treatment, TODAY).unwrap_err();
        assert!(none.contains("no consent on file names Harbor Clinic"), "{none}");

        let legal = [consent("Harbor Clinic", "legal", &["participation"])];
        let reason = consent_relied_on(&legal, "Harbor Clinic", treatment, TODAY).unwrap_err();
        assert_eq!(
            reason,
            "the consent naming Harbor Clinic is for court or probation reporting, not for treatment"
        );

        let mut revoked = consent("Harbor Clinic", "treatment", &["participation"]);
        revoked.revocation = Some(Revocation {
            at: datetime!(2026-11-02 9:00 UTC),
            by: revoked.recorded_by,
            reason: None,
        });
        let reason = consent_relied_on(&[revoked], "Harbor Clinic", treatment, TODAY).unwrap_err();
        assert!(reason.contains("was revoked on 2026-11-02"), "{reason}");

        let current = [consent("Harbor Clinic", "treatment", &["participation"])];
        let reason = consent_relied_on(&current, "Harbor Clinic", treatment, date!(2027 - 10 - 02))
            .unwrap_err();
        assert!(reason.contains("expired on 2027-10-01"), "{reason}");
    }
}
