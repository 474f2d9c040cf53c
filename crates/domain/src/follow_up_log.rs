//! What follow-up work records beside the assessments themselves: attempts to reach a
//! participant, their locator record (ways to reach them and people who know how to, kept
//! under consent), administrative exclusions, and where each time point stands.

use std::collections::HashMap;

use time::{Date, OffsetDateTime};

use crate::consent::Consent;
use crate::fields::{FieldErrors, optional_date, optional_text, required_text};
use crate::follow_up::{FollowUpStatus, Window, needs_escalation};
use crate::ids::{ConsentId, ContactAttemptId, LocatorEntryId, ParticipantId, UserId};
use crate::schedule::Schedule;
use crate::vocabulary::{
    AdministrativeReason, AttemptChannel, AttemptOutcome, ConsentPurpose, DisclosureItem,
    LocatorKind, Vocabulary,
};

fn vocab<V: Vocabulary>(value: Option<&str>) -> Result<V, String> {
    match value.map(str::trim) {
        None | Some("") => Err("is required".into()),
        Some(code) => V::parse(code),
    }
}

fn time_point(value: Option<&str>, schedule: &Schedule) -> Result<String, String> {
    let code = required_text(value, 40)?;
    if schedule.point(&code).is_some() {
        Ok(code)
    } else {
        let codes: Vec<&str> = schedule.points.iter().map(|p| p.time_point.code.as_str()).collect();
        if codes.is_empty() {
            Err("the participant's program has no follow-up schedule".into())
        } else {
            Err(format!("must be one of the program's time points: {}", codes.join(", ")))
        }
    }
}

/// An attempt to reach a participant, as sent.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptInput {
    /// The time point it was for (optional: an attempt may be general).
    pub time_point: Option<String>,
    pub channel: Option<String>,
    pub outcome: Option<String>,
    pub note: Option<String>,
    /// ISO 8601 date, when logged afterwards; defaults to now. Not in the future.
    pub attempted_on: Option<String>,
}

/// A checked attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttempt {
    pub time_point_code: Option<String>,
    pub channel: AttemptChannel,
    pub outcome: AttemptOutcome,
    pub note: Option<String>,
    /// `None`: now.
    pub attempted_on: Option<Date>,
}

impl NewAttempt {
    pub fn parse(
        input: &AttemptInput,
        schedule: &Schedule,
        today: Date,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let time_point_code = match input.time_point.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(code) => errors.check("time_point", time_point(Some(code), schedule)).map(Some),
        };
        let channel = errors.check("channel", vocab(input.channel.as_deref()));
        let outcome = errors.check("outcome", vocab(input.outcome.as_deref()));
        let note = errors.check("note", optional_text(input.note.as_deref(), 2000));
        let attempted_on = match optional_date(input.attempted_on.as_deref()) {
            Ok(Some(day)) if day > today => {
                errors.add("attempted_on", "must not be in the future");
                None
            }
            result => errors.check("attempted_on", result),
        };
        errors.into_result(|| {
            Some(Self {
                time_point_code: time_point_code?,
                channel: channel?,
                outcome: outcome?,
                note: note?,
                attempted_on: attempted_on?,
            })
        })
    }
}

/// Whether an attempt with this outcome reached the participant (so no escalation).
pub fn reached(outcome: AttemptOutcome) -> bool {
    matches!(outcome, AttemptOutcome::Reached | AttemptOutcome::Scheduled)
}

/// A logged attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactAttempt {
    pub id: ContactAttemptId,
    pub participant_id: ParticipantId,
    pub time_point_code: Option<String>,
    pub attempted_at: OffsetDateTime,
    pub channel: AttemptChannel,
    pub outcome: AttemptOutcome,
    pub note: Option<String>,
    pub made_by: UserId,
    pub made_by_name: String,
}

/// A locator entry, as sent.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocatorInput {
    pub kind: Option<String>,
    /// The number, address, handle, place, or (for a person) their name and how to reach them.
    pub value: Option<String>,
    /// For a person: how they know the participant ("sister", "probation officer").
    pub relationship: Option<String>,
    pub note: Option<String>,
}

/// A checked locator entry. One naming another person carries the consent that allows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLocatorEntry {
    pub kind: LocatorKind,
    pub value: String,
    pub relationship: Option<String>,
    pub note: Option<String>,
    pub consent_id: Option<ConsentId>,
}

impl NewLocatorEntry {
    /// A person may be named only under a current consent that names them (the recipient),
    /// for family or support-person involvement, and allows disclosing participation: asking
    /// them to pass on a message tells them the participant is in the program.
    pub fn parse(
        input: &LocatorInput,
        consents: &[Consent],
        today: Date,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind: Option<LocatorKind> = errors.check("kind", vocab(input.kind.as_deref()));
        let value = errors.check("value", required_text(input.value.as_deref(), 300));
        let relationship =
            errors.check("relationship", optional_text(input.relationship.as_deref(), 100));
        let note = errors.check("note", optional_text(input.note.as_deref(), 1000));
        let mut consent_id = Some(None);
        if kind == Some(LocatorKind::Person) {
            if relationship.as_ref().is_some_and(Option::is_none) {
                errors.add("relationship", "say how this person knows the participant");
            }
            if let Some(name) = &value {
                consent_id = errors.check("value", person_consent(consents, name, today)).map(Some);
            }
        }
        errors.into_result(|| {
            Some(Self {
                kind: kind?,
                value: value?,
                relationship: relationship?,
                note: note?,
                consent_id: consent_id?,
            })
        })
    }
}

/// The current consent that allows contacting `name` about the participant.
pub fn person_consent(consents: &[Consent], name: &str, today: Date) -> Result<ConsentId, String> {
    let person = name.split([',', ';', '(']).next().unwrap_or(name);
    consents
        .iter()
        .find(|c| {
            c.permits(DisclosureItem::Participation, person, ConsentPurpose::Family, today)
        })
        .map(|c| c.id)
        .ok_or_else(|| {
            format!(
                "no current consent names {}; record the participant's signed consent to involve them \
                 (purpose: family involvement, sharing participation) first",
                person.trim()
            )
        })
}

/// A stored locator entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatorEntry {
    pub id: LocatorEntryId,
    pub participant_id: ParticipantId,
    pub kind: LocatorKind,
    pub value: String,
    pub relationship: Option<String>,
    pub consent_id: Option<ConsentId>,
    pub note: Option<String>,
    pub created_at: OffsetDateTime,
}

impl LocatorEntry {
    /// Whether the entry may be used (and shown) today: an entry naming a person only while
    /// the consent it was recorded under is still current.
    pub fn usable(&self, consents: &[Consent], today: Date) -> bool {
        match self.consent_id {
            None => self.kind != LocatorKind::Person,
            Some(id) => consents.iter().any(|c| {
                c.id == id
                    && c.status(today) == crate::consent::ConsentStatus::Active
                    && c.terms.signed_on <= today
            }),
        }
    }
}

/// An administrative exclusion, as sent.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExclusionInput {
    pub time_point: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
}

/// A checked exclusion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExclusion {
    pub time_point_code: String,
    pub reason: AdministrativeReason,
    pub note: Option<String>,
}

impl NewExclusion {
    pub fn parse(input: &ExclusionInput, schedule: &Schedule) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let code = errors.check("time_point", time_point(input.time_point.as_deref(), schedule));
        let reason = errors.check("reason", vocab(input.reason.as_deref()));
        let note = errors.check("note", optional_text(input.note.as_deref(), 2000));
        if reason == Some(AdministrativeReason::Other) && note.as_ref().is_some_and(Option::is_none)
        {
            errors.add("note", "say which reason the funder accepts");
        }
        errors.into_result(|| Some(Self { time_point_code: code?, reason: reason?, note: note? }))
    }
}

/// A recorded exclusion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub participant_id: ParticipantId,
    pub time_point_code: String,
    pub reason: AdministrativeReason,
    pub note: Option<String>,
    pub recorded_by_name: String,
    pub recorded_at: OffsetDateTime,
}

/// What the status engine needs to know about one participant in one program.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// The dates assessments were completed, per time point code.
    pub completed_on: HashMap<String, Vec<Date>>,
    pub excluded: HashMap<String, AdministrativeReason>,
    /// The dates the participant was reached (or an interview scheduled) per time point code.
    pub reached_on: HashMap<String, Vec<Date>>,
}

/// Where one time point stands for one participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointStatus {
    pub code: String,
    pub label: String,
    pub instruments: Vec<String>,
    pub window: Window,
    pub status: FollowUpStatus,
    pub completed_on: Option<Date>,
    /// Window closes within 14 days and the participant has not been reached since it opened.
    pub escalate: bool,
}

/// Which completion settles a time point: the first one inside the window; failing that, the
/// first after it closed (late). One made before the window opened counts only when nothing
/// came later (it is not a follow-up at that time point, so it cannot hide one that is).
pub fn completion_for(window: &Window, days: &[Date]) -> Option<Date> {
    let first = |keep: &dyn Fn(Date) -> bool| days.iter().copied().filter(|d| keep(*d)).min();
    first(&|d| window.contains(d))
        .or_else(|| first(&|d| d > window.closes_on))
        .or_else(|| first(&|d| d < window.opens_on))
}

/// Every time point of `schedule` for someone enrolled on `enrolled_on`, as of `today`.
pub fn statuses(
    schedule: &Schedule,
    enrolled_on: Date,
    evidence: &Evidence,
    today: Date,
) -> Vec<PointStatus> {
    schedule
        .points
        .iter()
        .map(|p| {
            let code = &p.time_point.code;
            let window = p.time_point.dates(enrolled_on);
            let completed_on =
                evidence.completed_on.get(code).and_then(|days| completion_for(&window, days));
            let status = FollowUpStatus::of(
                &window,
                completed_on,
                evidence.excluded.get(code).copied(),
                today,
            );
            let reached = evidence
                .reached_on
                .get(code)
                .is_some_and(|days| days.iter().any(|d| *d >= window.opens_on));
            PointStatus {
                code: code.clone(),
                label: p.time_point.label.clone(),
                instruments: p.instruments.clone(),
                window,
                status,
                completed_on,
                escalate: needs_escalation(&window, status, reached, today),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
