//! Staff profiles: a peer worker's qualifications (time in recovery, certifications, training
//! hours), whether they are paid, and who supervises them. The recovery start date is health
//! information about the worker: the policy shows it only to their supervisor, admins and the
//! worker themselves.

use time::Date;

use crate::fields::{FieldErrors, optional_date, required_text};
use crate::ids::{CertificationId, UserId};
use crate::programs::Qualifications;
use crate::scalar::{text_or_scalar, whole_number};
use crate::vocabulary::{Employment, Vocabulary};

/// Raw profile fields. Absent fields stay as they are; an empty string clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct StaffProfileInput {
    /// ISO 8601 date the worker's recovery began. Seen only by their supervisor and admins.
    pub recovery_start_date: Option<String>,
    /// An employment code: `paid` or `volunteer`.
    pub employment: Option<String>,
    /// Hours of peer-support training completed.
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "40"))]
    pub training_hours: Option<String>,
    /// The supervisor's user id; empty for none. Only admins change it.
    pub supervisor_id: Option<String>,
}

/// A worker's qualifications as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffProfile {
    pub user_id: UserId,
    pub recovery_start_date: Option<Date>,
    pub employment: Employment,
    pub training_hours: i32,
}

/// What an edit changes: the profile, and the supervisor when it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileChange {
    pub profile: StaffProfile,
    /// `Some(new)` when the input named a supervisor (or cleared it).
    pub supervisor: Option<Option<UserId>>,
    /// The names of the fields that changed, for the audit log (never their values).
    pub changed: Vec<&'static str>,
}

impl StaffProfile {
    /// The profile of someone with nothing recorded yet.
    pub fn empty(user_id: UserId) -> Self {
        Self { user_id, recovery_start_date: None, employment: Employment::Paid, training_hours: 0 }
    }

    /// Applies the fields present in `input`.
    pub fn apply_changes(
        &self,
        input: &StaffProfileInput,
        current_supervisor: Option<UserId>,
        today: Date,
    ) -> Result<ProfileChange, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut next = self.clone();
        if input.recovery_start_date.is_some() {
            let date = errors
                .check("recovery_start_date", optional_date(input.recovery_start_date.as_deref()))
                .flatten();
            if date.is_some_and(|d| d > today) {
                errors.add("recovery_start_date", "must not be in the future");
            }
            next.recovery_start_date = date;
        }
        if let Some(code) = input.employment.as_deref() {
            next.employment =
                errors.check("employment", Employment::parse(code)).unwrap_or(next.employment);
        }
        if let Some(hours) = input.training_hours.as_deref() {
            next.training_hours =
                errors.check("training_hours", whole_number(hours, 0..=10_000)).unwrap_or_default();
        }
        let supervisor = match input.supervisor_id.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(text) => errors
                .check(
                    "supervisor_id",
                    text.parse::<UserId>()
                        .map_err(|_| "must be a user of this organisation".into()),
                )
                .map(Some),
        };
        if supervisor == Some(Some(self.user_id)) {
            errors.add("supervisor_id", "cannot be the person themselves");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let checks = [
            ("recovery_start_date", next.recovery_start_date != self.recovery_start_date),
            ("employment", next.employment != self.employment),
            ("training_hours", next.training_hours != self.training_hours),
            ("supervisor_id", supervisor.is_some_and(|s| s != current_supervisor)),
        ];
        let changed = checks.into_iter().filter(|(_, c)| *c).map(|(name, _)| name).collect();
        Ok(ProfileChange { profile: next, supervisor, changed })
    }

    /// What the eligibility check needs.
    pub fn qualifications(&self, certifications: &[Certification], today: Date) -> Qualifications {
        Qualifications {
            recovery_start_date: self.recovery_start_date,
            training_hours: self.training_hours,
            has_current_certification: certifications.iter().any(|c| c.is_current(today)),
        }
    }
}

/// Raw certification fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CertificationInput {
    /// What the certification is, e.g. "Certified Peer Recovery Specialist (CPRS)".
    pub name: Option<String>,
    /// ISO 8601 date it was issued.
    pub issued_on: Option<String>,
    /// ISO 8601 date it expires; blank if it does not.
    pub expires_on: Option<String>,
}

/// A certification as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certification {
    pub id: CertificationId,
    pub user_id: UserId,
    pub name: String,
    pub issued_on: Option<Date>,
    pub expires_on: Option<Date>,
}

impl Certification {
    pub fn parse(
        input: &CertificationInput,
        user_id: UserId,
        today: Date,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", required_text(input.name.as_deref(), 200));
        let issued_on = errors.check("issued_on", optional_date(input.issued_on.as_deref()));
        let expires_on = errors.check("expires_on", optional_date(input.expires_on.as_deref()));
        if issued_on.flatten().is_some_and(|d| d > today) {
            errors.add("issued_on", "must not be in the future");
        }
        if let (Some(Some(issued)), Some(Some(expires))) = (issued_on, expires_on)
            && expires <= issued
        {
            errors.add("expires_on", "must be after the date it was issued");
        }
        errors.into_result(|| {
            Some(Certification {
                id: CertificationId::generate(),
                user_id,
                name: name?,
                issued_on: issued_on?,
                expires_on: expires_on?,
            })
        })
    }

    /// Whether it counts today: issued (or undated) and not yet expired.
    pub fn is_current(&self, today: Date) -> bool {
        self.issued_on.is_none_or(|d| d <= today) && self.expires_on.is_none_or(|d| d >= today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);

    #[test]
    fn changes_are_named_and_checked() {
        let me = UserId::generate();
        let profile = StaffProfile::empty(me);
        let input = StaffProfileInput {
            recovery_start_date: Some("2019-04-01".into()),
            training_hours: Some("46".into()),
            employment: Some("volunteer".into()),
            ..Default::default()
        };
        let change = profile.apply_changes(&input, None, TODAY).unwrap();
        assert_eq!(change.profile.training_hours, 46);
        assert_eq!(change.profile.employment, Employment::Volunteer);
        assert_eq!(change.changed, vec!["recovery_start_date", "employment", "training_hours"]);
        assert_eq!(change.supervisor, None);

        let bad = StaffProfileInput {
            recovery_start_date: Some("2030-01-01".into()),
            training_hours: Some("-4".into()),
            employment: Some("contractor".into()),
            supervisor_id: Some(me.to_string()),
        };
        let errors = profile.apply_changes(&bad, None, TODAY).unwrap_err();
        assert_eq!(errors.get("recovery_start_date"), Some("must not be in the future"));
        assert!(errors.get("training_hours").is_some() && errors.get("employment").is_some());
        assert_eq!(errors.get("supervisor_id"), Some("cannot be the person themselves"));
    }

    #[test]
    fn a_certification_is_current_until_it_expires() {
        let input = CertificationInput {
            name: Some("CPRS".into()),
            issued_on: Some("2024-01-10".into()),
            expires_on: Some("2026-11-23".into()),
        };
        let cert = Certification::parse(&input, UserId::generate(), TODAY).unwrap();
        assert!(cert.is_current(TODAY));
        assert!(!cert.is_current(date!(2026 - 11 - 24)));
        let backwards = CertificationInput { expires_on: Some("2023-01-01".into()), ..input };
        assert!(Certification::parse(&backwards, UserId::generate(), TODAY).is_err());
    }
}
