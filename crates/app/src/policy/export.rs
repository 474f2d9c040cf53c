//! Identified exports: the one way an evaluator, who otherwise never sees a name, gets one.
//! Every participant of the export must hold a current consent that names the recipient, is
//! for program evaluation, and lets out who they are (contact details), their participation
//! and their assessment results. Only then does the policy hand out the identified scope the
//! names are read under; one participant without it refuses the whole export, with the
//! reason, so nothing identified leaves for people who did not agree to it.

use std::collections::BTreeSet;

use kindred_domain::consent::Consent;
use kindred_domain::ids::ParticipantId;
use kindred_domain::vocabulary::{ConsentPurpose, DisclosureItem, Vocabulary};
use kindred_storage::{Identified, Reach, Scope};
use time::Date;

use super::{Policy, StudyLead};
use crate::{AppError, Result};

/// What an identified study export must be allowed to disclose.
pub const IDENTIFIED_EXPORT_ITEMS: [DisclosureItem; 3] =
    [DisclosureItem::ContactDetails, DisclosureItem::Participation, DisclosureItem::Assessments];

/// Proof that every member of an export consented to it: made only by [`consented`].
#[derive(Debug)]
pub struct ConsentedExport {
    _private: (),
}

/// Checks that each of `members` (id, the reference shown when refusing) holds a consent
/// that allows an identified evaluation export to `recipient` today.
pub fn consented(
    members: &[(ParticipantId, &str)],
    consents: &[Consent],
    recipient: &str,
    today: Date,
) -> Result<ConsentedExport> {
    let covered: BTreeSet<ParticipantId> = consents
        .iter()
        .filter(|c| {
            IDENTIFIED_EXPORT_ITEMS
                .iter()
                .all(|item| c.permits(*item, recipient, ConsentPurpose::Evaluation, today))
        })
        .map(|c| c.participant_id)
        .collect();
    let missing: Vec<&str> =
        members.iter().filter(|(id, _)| !covered.contains(id)).map(|(_, r)| *r).collect();
    if missing.is_empty() {
        return Ok(ConsentedExport { _private: () });
    }
    const SHOWN: usize = 10;
    let more = missing.len().saturating_sub(SHOWN);
    let items: Vec<&str> = IDENTIFIED_EXPORT_ITEMS.iter().map(|i| i.label()).collect();
    Err(AppError::NoConsent(format!(
        "an identified export needs every participant's current consent naming {recipient:?} \
         for {} and covering {}; {} of {} have none ({}{}). Nothing was exported: a \
         de-identified export needs no consent.",
        ConsentPurpose::Evaluation.label().to_lowercase(),
        items.join(", ").to_lowercase(),
        missing.len(),
        members.len(),
        missing[..missing.len().min(SHOWN)].join(", "),
        if more > 0 { format!(" and {more} more") } else { String::new() },
    )))
}

impl Policy {
    /// The identified scope an export reads its members' names under, for the study lead
    /// whose members all consented.
    pub(crate) fn identified_export(
        &self,
        lead: &StudyLead<'_>,
        _consented: &ConsentedExport,
    ) -> Scope<Identified> {
        self.key.scope(lead.actor().org_id(), Reach::Organisation)
    }
}
