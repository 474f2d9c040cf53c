//! Group sessions: one peer-led session, and a contact for each attendee (same time, minutes,
//! support kinds and activities; format `group`), so dose counts everyone who came.

use time::OffsetDateTime;

use crate::contact::{ContactFields, ContactInput};
use crate::fields::{FieldErrors, required_text};
use crate::ids::ParticipantId;
use crate::vocabulary::{ContactFormat, Vocabulary};

const TOPIC_MAX: usize = 200;
/// The largest group one session records.
const MAX_ATTENDEES: usize = 60;

/// Raw group-session fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct GroupSessionInput {
    /// What the group was about. Required.
    pub topic: Option<String>,
    /// When: `YYYY-MM-DDTHH:MM` (wall-clock) or RFC 3339; defaults to now.
    pub occurred_at: Option<String>,
    /// Minutes; defaults to 30.
    #[serde(deserialize_with = "crate::scalar::text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub minutes: Option<String>,
    /// A contact-mode code. Required.
    pub mode: Option<String>,
    /// A setting code, blank for none.
    pub setting: Option<String>,
    /// One or more support-kind codes.
    pub support_kinds: Vec<String>,
    /// Activity codes.
    pub activities: Vec<String>,
    /// The participants who came (at least one).
    pub attendees: Vec<String>,
}

/// A valid group session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGroupSession {
    pub topic: String,
    /// The fields every attendee's contact gets.
    pub fields: ContactFields,
    /// Distinct, in the order given.
    pub attendees: Vec<ParticipantId>,
}

impl NewGroupSession {
    pub fn parse(input: &GroupSessionInput, now: OffsetDateTime) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let topic = errors.check("topic", required_text(input.topic.as_deref(), TOPIC_MAX));
        let contact = ContactInput {
            occurred_at: input.occurred_at.clone(),
            minutes: input.minutes.clone(),
            mode: input.mode.clone(),
            format: Some(ContactFormat::Group.code().into()),
            support_kinds: Some(input.support_kinds.clone()),
            activities: Some(input.activities.clone()),
            setting: input.setting.clone(),
            ..Default::default()
        };
        let fields = match ContactFields::parse(&contact, now) {
            Ok(fields) => Some(fields),
            Err(more) => {
                for e in more.iter() {
                    errors.add(e.field.clone(), e.message.clone());
                }
                None
            }
        };
        let mut attendees = Vec::new();
        for text in input.attendees.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
            match text.parse::<ParticipantId>() {
                Ok(id) if !attendees.contains(&id) => attendees.push(id),
                Ok(_) => {}
                Err(_) => errors.add("attendees", format!("\"{text}\" is not a participant id")),
            }
        }
        if attendees.is_empty() && errors.get("attendees").is_none() {
            errors.add("attendees", "choose who came");
        } else if attendees.len() > MAX_ATTENDEES {
            errors.add("attendees", format!("at most {MAX_ATTENDEES} people in one session"));
        }
        errors.into_result(|| Some(NewGroupSession { topic: topic?, fields: fields?, attendees }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_session_needs_a_topic_and_someone_who_came() {
        let now = datetime!(2026-11-23 15:00 UTC);
        let errors = NewGroupSession::parse(&GroupSessionInput::default(), now).unwrap_err();
        assert_eq!(errors.get("topic"), Some("is required"));
        assert_eq!(errors.get("attendees"), Some("choose who came"));
        assert!(errors.get("support_kinds").is_some());
        let one = ParticipantId::generate().to_string();
        let input = GroupSessionInput {
            topic: Some("Relapse prevention".into()),
            mode: Some("in_person".into()),
            support_kinds: vec!["affiliational".into()],
            attendees: vec![one.clone(), one],
            ..Default::default()
        };
        let session = NewGroupSession::parse(&input, now).unwrap();
        assert_eq!(session.attendees.len(), 1);
        assert_eq!(session.fields.format, ContactFormat::Group);
    }
}
