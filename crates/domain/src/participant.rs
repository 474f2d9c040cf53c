//! Participants: the identity (who they are) kept apart from the research record (what the
//! program and the evaluation need). Evaluators see only the research record.

use time::Date;

use crate::fields::{FieldErrors, optional_date, optional_text, required_date, required_text};
use crate::ids::{ParticipantId, ProgramId, UserId};
use crate::user::EmailAddress;
use crate::vocabulary::{
    AgeBand, Gender, Housing, JusticeInvolvement, ParticipantStatus, PrimarySubstance,
    ReferralSource, Setting, TreatmentPhase, Vocabulary, YesNoUnknown,
};

/// Raw participant fields as typed into the enrolment form or sent as JSON. Every field is
/// optional text so that parsing can report every problem at once, with the field's name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ParticipantInput {
    /// Required when enrolling.
    pub given_name: Option<String>,
    /// Required when enrolling.
    pub family_name: Option<String>,
    pub preferred_name: Option<String>,
    /// Required when enrolling; ISO 8601 date (`1984-03-07`).
    pub date_of_birth: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub program_id: Option<String>,
    /// ISO 8601 date; defaults to today.
    pub enrolled_on: Option<String>,
    pub setting: Option<String>,
    pub referral_source: Option<String>,
    pub treatment_phase: Option<String>,
    /// The coach's user id. Defaults to the enrolling coach.
    pub coach_id: Option<String>,
    /// Why the coach may take this participant although they do not meet the program's
    /// eligibility rules. Only supervisors and managers may override; the reason is recorded.
    pub coach_override_reason: Option<String>,
    /// Defaults to `active`.
    pub status: Option<String>,
    /// ISO 8601 date they withdrew or were lost to follow-up; only with those statuses, and
    /// today when the status changes to one of them without it. Survival and exposure
    /// outcomes end here.
    pub left_on: Option<String>,
    pub gender: Option<String>,
    pub primary_substance: Option<String>,
    pub co_occurring_mental_disorder: Option<String>,
    pub housing: Option<String>,
    pub justice_involvement: Option<String>,
    pub pregnant: Option<String>,
    pub veteran: Option<String>,
}

/// Who the participant is. Stored apart from the research record and never shown to
/// evaluators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub given_name: String,
    pub family_name: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: Date,
    pub phone: Option<String>,
    pub email: Option<EmailAddress>,
}

impl Identity {
    /// The name to greet them by.
    pub fn display_name(&self) -> String {
        display_name(&self.given_name, self.preferred_name.as_deref(), &self.family_name)
    }
}

/// The name to greet someone by: the preferred name, else the given name, then the family
/// name (for lists that read the name columns without the whole identity).
pub fn display_name(given: &str, preferred: Option<&str>, family: &str) -> String {
    format!("{} {family}", preferred.unwrap_or(given))
}

/// Characteristics at enrolment, used for subgroup and moderator analyses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    pub age_band: AgeBand,
    pub gender: Option<Gender>,
    pub primary_substance: Option<PrimarySubstance>,
    pub co_occurring_mental_disorder: YesNoUnknown,
    pub housing: Option<Housing>,
    pub justice_involvement: Option<JusticeInvolvement>,
    pub pregnant: YesNoUnknown,
    pub veteran: YesNoUnknown,
}

/// The participant's place in the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub program_id: Option<ProgramId>,
    pub enrolled_on: Date,
    pub setting: Option<Setting>,
    pub referral_source: Option<ReferralSource>,
    pub treatment_phase: Option<TreatmentPhase>,
    pub coach_id: Option<UserId>,
    pub status: ParticipantStatus,
    /// The day they withdrew or were lost to follow-up, while their status says so.
    pub left_on: Option<Date>,
}

/// A participant ready to be enrolled: every field already valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParticipant {
    pub identity: Identity,
    pub enrolment: Enrolment,
    pub baseline: Baseline,
}

/// A participant as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub id: ParticipantId,
    /// A short, human reference (`P-0042`) used on screens and in de-identified data.
    pub reference: String,
    pub identity: Identity,
    pub enrolment: Enrolment,
    pub baseline: Baseline,
    /// Incremented on every change, so concurrent edits are detected rather than lost.
    pub version: i64,
}

/// The youngest and oldest age accepted at enrolment; outside it, the date is almost surely
/// mistyped.
const AGE_LIMITS: (i32, i32) = (12, 110);

impl NewParticipant {
    /// Parses an enrolment. `today` bounds the dates; `default_coach` is used when no coach
    /// is named (a coach enrolling someone takes them on).
    pub fn parse(
        input: &ParticipantInput,
        today: Date,
        default_coach: Option<UserId>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let given_name =
            errors.check("given_name", required_text(input.given_name.as_deref(), 100));
        let family_name =
            errors.check("family_name", required_text(input.family_name.as_deref(), 100));
        let preferred_name =
            errors.check("preferred_name", optional_text(input.preferred_name.as_deref(), 100));
        let date_of_birth =
            errors.check("date_of_birth", required_date(input.date_of_birth.as_deref()));
        let phone = errors.check("phone", parse_phone(input.phone.as_deref()));
        let email = errors.check("email", parse_optional_email(input.email.as_deref()));
        let enrolled_on = errors
            .check("enrolled_on", optional_date(input.enrolled_on.as_deref()))
            .map(|d| d.unwrap_or(today));
        let enrolment_fields = parse_enrolment_fields(input, &mut errors);
        let baseline_fields = parse_baseline_fields(input, &mut errors);

        if let (Some(born), Some(enrolled)) = (date_of_birth, enrolled_on) {
            check_dates(born, enrolled, today, &mut errors);
        }

        errors.into_result(|| {
            let born = date_of_birth?;
            let enrolled_on = enrolled_on?;
            let fields = enrolment_fields?;
            Some(NewParticipant {
                identity: Identity {
                    given_name: given_name?,
                    family_name: family_name?,
                    preferred_name: preferred_name?,
                    date_of_birth: born,
                    phone: phone?,
                    email: email?,
                },
                enrolment: Enrolment {
                    program_id: fields.program_id.flatten(),
                    enrolled_on,
                    setting: fields.setting.flatten(),
                    referral_source: fields.referral_source.flatten(),
                    treatment_phase: fields.treatment_phase.flatten(),
                    coach_id: fields.coach_id.flatten().or(default_coach),
                    status: fields.status.flatten().unwrap_or(ParticipantStatus::Active),
                    left_on: None,
                },
                baseline: baseline_fields?.into_baseline(age_in_years(born, enrolled_on), None),
            })
        })
    }
}

impl Participant {
    /// Applies the fields present in `input` (absent fields are unchanged; an empty string
    /// clears an optional field). Returns the changed participant and the names of the fields
    /// that changed, for the audit log.
    pub fn apply_changes(
        &self,
        input: &ParticipantInput,
        today: Date,
    ) -> Result<(Participant, Vec<&'static str>), FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut next = self.clone();
        if input.given_name.is_some() {
            next.identity.given_name = errors
                .check("given_name", required_text(input.given_name.as_deref(), 100))
                .unwrap_or_default();
        }
        if input.family_name.is_some() {
            next.identity.family_name = errors
                .check("family_name", required_text(input.family_name.as_deref(), 100))
                .unwrap_or_default();
        }
        if input.preferred_name.is_some() {
            next.identity.preferred_name = errors
                .check("preferred_name", optional_text(input.preferred_name.as_deref(), 100))
                .flatten();
        }
        if let Some(born) =
            errors.check("date_of_birth", optional_date(input.date_of_birth.as_deref())).flatten()
        {
            next.identity.date_of_birth = born;
        }
        if input.phone.is_some() {
            next.identity.phone =
                errors.check("phone", parse_phone(input.phone.as_deref())).flatten();
        }
        if input.email.is_some() {
            next.identity.email =
                errors.check("email", parse_optional_email(input.email.as_deref())).flatten();
        }
        if let Some(enrolled) =
            errors.check("enrolled_on", optional_date(input.enrolled_on.as_deref())).flatten()
        {
            next.enrolment.enrolled_on = enrolled;
        }
        if let Some(fields) = parse_enrolment_fields(input, &mut errors) {
            let e = &mut next.enrolment;
            fields.program_id.inspect(|v| e.program_id = *v);
            fields.setting.inspect(|v| e.setting = *v);
            fields.referral_source.inspect(|v| e.referral_source = *v);
            fields.treatment_phase.inspect(|v| e.treatment_phase = *v);
            fields.coach_id.inspect(|v| e.coach_id = *v);
            if let Some(Some(status)) = fields.status {
                e.status = status;
            } else if fields.status.is_some() {
                errors.add("status", "cannot be cleared");
            }
        }
        apply_departure(&mut next.enrolment, self.enrolment.status, input, today, &mut errors);
        check_dates(next.identity.date_of_birth, next.enrolment.enrolled_on, today, &mut errors);
        let age = age_in_years(next.identity.date_of_birth, next.enrolment.enrolled_on);
        if let Some(baseline) = parse_baseline_fields(input, &mut errors) {
            next.baseline = baseline.into_baseline(age, Some(&self.baseline));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let changed = changed_fields(self, &next);
        Ok((next, changed))
    }
}

/// Optional coded enrolment fields: `None` = not given, `Some(None)` = cleared.
struct EnrolmentFields {
    program_id: Option<Option<ProgramId>>,
    setting: Option<Option<Setting>>,
    referral_source: Option<Option<ReferralSource>>,
    treatment_phase: Option<Option<TreatmentPhase>>,
    coach_id: Option<Option<UserId>>,
    status: Option<Option<ParticipantStatus>>,
}

fn parse_enrolment_fields(
    input: &ParticipantInput,
    errors: &mut FieldErrors,
) -> Option<EnrolmentFields> {
    let before = errors.iter().count();
    let fields = EnrolmentFields {
        program_id: parse_id(errors, "program_id", input.program_id.as_deref(), ProgramId),
        setting: code(errors, "setting", input.setting.as_deref()),
        referral_source: code(errors, "referral_source", input.referral_source.as_deref()),
        treatment_phase: code(errors, "treatment_phase", input.treatment_phase.as_deref()),
        coach_id: parse_id(errors, "coach_id", input.coach_id.as_deref(), UserId),
        status: code(errors, "status", input.status.as_deref()),
    };
    (errors.iter().count() == before).then_some(fields)
}

/// Optional coded baseline fields, as given.
struct BaselineFields {
    gender: Option<Option<Gender>>,
    primary_substance: Option<Option<PrimarySubstance>>,
    co_occurring_mental_disorder: Option<Option<YesNoUnknown>>,
    housing: Option<Option<Housing>>,
    justice_involvement: Option<Option<JusticeInvolvement>>,
    pregnant: Option<Option<YesNoUnknown>>,
    veteran: Option<Option<YesNoUnknown>>,
}

impl BaselineFields {
    /// Merges the given fields over `previous` (or over "unknown" when enrolling).
    fn into_baseline(self, age: i32, previous: Option<&Baseline>) -> Baseline {
        let unknown = YesNoUnknown::Unknown;
        Baseline {
            age_band: AgeBand::for_age(age),
            gender: self.gender.unwrap_or(previous.and_then(|p| p.gender)),
            primary_substance: self
                .primary_substance
                .unwrap_or(previous.and_then(|p| p.primary_substance)),
            co_occurring_mental_disorder: self
                .co_occurring_mental_disorder
                .map(|v| v.unwrap_or(unknown))
                .or(previous.map(|p| p.co_occurring_mental_disorder))
                .unwrap_or(unknown),
            housing: self.housing.unwrap_or(previous.and_then(|p| p.housing)),
            justice_involvement: self
                .justice_involvement
                .unwrap_or(previous.and_then(|p| p.justice_involvement)),
            pregnant: self
                .pregnant
                .map(|v| v.unwrap_or(unknown))
                .or(previous.map(|p| p.pregnant))
                .unwrap_or(unknown),
            veteran: self
                .veteran
                .map(|v| v.unwrap_or(unknown))
                .or(previous.map(|p| p.veteran))
                .unwrap_or(unknown),
        }
    }
}

fn parse_baseline_fields(
    input: &ParticipantInput,
    errors: &mut FieldErrors,
) -> Option<BaselineFields> {
    let before = errors.iter().count();
    let fields = BaselineFields {
        gender: code(errors, "gender", input.gender.as_deref()),
        primary_substance: code(errors, "primary_substance", input.primary_substance.as_deref()),
        co_occurring_mental_disorder: code(
            errors,
            "co_occurring_mental_disorder",
            input.co_occurring_mental_disorder.as_deref(),
        ),
        housing: code(errors, "housing", input.housing.as_deref()),
        justice_involvement: code(
            errors,
            "justice_involvement",
            input.justice_involvement.as_deref(),
        ),
        pregnant: code(errors, "pregnant", input.pregnant.as_deref()),
        veteran: code(errors, "veteran", input.veteran.as_deref()),
    };
    (errors.iter().count() == before).then_some(fields)
}

/// A coded field: absent → `None`; blank → `Some(None)` (cleared); a code → `Some(Some(term))`.
fn code<V: Vocabulary>(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
) -> Option<Option<V>> {
    match value.map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(text) => errors.check(field, V::parse(text)).map(Some),
    }
}

fn parse_id<T>(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    wrap: fn(uuid::Uuid) -> T,
) -> Option<Option<T>> {
    match value.map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(text) => errors
            .check(
                field,
                uuid::Uuid::parse_str(text)
                    .map_err(|_| "must be an id from this organisation".into()),
            )
            .map(|id| Some(wrap(id))),
    }
}

/// Keeps the day of leaving in step with the status: given with a departure, today by
/// default when the status changes to one, and cleared when they return.
fn apply_departure(
    e: &mut Enrolment,
    before: ParticipantStatus,
    input: &ParticipantInput,
    today: Date,
    errors: &mut FieldErrors,
) {
    let departed = |s: ParticipantStatus| {
        matches!(s, ParticipantStatus::Withdrawn | ParticipantStatus::LostToFollowUp)
    };
    let given = errors.check("left_on", optional_date(input.left_on.as_deref())).flatten();
    if !departed(e.status) {
        if given.is_some() {
            errors.add("left_on", "only for a participant who withdrew or was lost to follow-up");
        }
        e.left_on = None;
        return;
    }
    match given {
        Some(day) if day > today => errors.add("left_on", "must not be in the future"),
        Some(day) if day < e.enrolled_on => errors.add("left_on", "must not be before enrolment"),
        Some(day) => e.left_on = Some(day),
        None if !departed(before) || e.left_on.is_none() => e.left_on = Some(today),
        None => {}
    }
}

fn check_dates(born: Date, enrolled: Date, today: Date, errors: &mut FieldErrors) {
    if born > today {
        errors.add("date_of_birth", "must not be in the future");
    } else if !(AGE_LIMITS.0..=AGE_LIMITS.1).contains(&age_in_years(born, enrolled)) {
        errors.add(
            "date_of_birth",
            format!(
                "gives an age at enrolment outside {}–{}; check the year",
                AGE_LIMITS.0, AGE_LIMITS.1
            ),
        );
    }
    if enrolled > today {
        errors.add("enrolled_on", "must not be in the future");
    }
}

/// Whole years between `born` and `on`.
pub fn age_in_years(born: Date, on: Date) -> i32 {
    let mut years = on.year() - born.year();
    if (on.month() as u8, on.day()) < (born.month() as u8, born.day()) {
        years -= 1;
    }
    years
}

fn parse_phone(value: Option<&str>) -> Result<Option<String>, String> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let allowed = text.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if allowed && (7..=15).contains(&digits) {
        Ok(Some(text.to_owned()))
    } else {
        Err("must be a phone number of 7 to 15 digits".into())
    }
}

fn parse_optional_email(value: Option<&str>) -> Result<Option<EmailAddress>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => EmailAddress::parse(text).map(Some),
    }
}

fn changed_fields(before: &Participant, after: &Participant) -> Vec<&'static str> {
    let (a, b) = (&before.identity, &after.identity);
    let (e, f) = (&before.enrolment, &after.enrolment);
    let (x, y) = (&before.baseline, &after.baseline);
    let checks = [
        ("given_name", a.given_name != b.given_name),
        ("family_name", a.family_name != b.family_name),
        ("preferred_name", a.preferred_name != b.preferred_name),
        ("date_of_birth", a.date_of_birth != b.date_of_birth),
        ("phone", a.phone != b.phone),
        ("email", a.email != b.email),
        ("program_id", e.program_id != f.program_id),
        ("enrolled_on", e.enrolled_on != f.enrolled_on),
        ("setting", e.setting != f.setting),
        ("referral_source", e.referral_source != f.referral_source),
        ("treatment_phase", e.treatment_phase != f.treatment_phase),
        ("coach_id", e.coach_id != f.coach_id),
        ("status", e.status != f.status),
        ("left_on", e.left_on != f.left_on),
        ("baseline", x != y),
    ];
    checks.into_iter().filter(|(_, changed)| *changed).map(|(name, _)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);

    fn minimal() -> ParticipantInput {
        ParticipantInput {
            given_name: Some("Ana".into()),
            family_name: Some("Reyes".into()),
            date_of_birth: Some("1988-06-15".into()),
            ..Default::default()
        }
    }

    #[test]
    fn three_fields_enrol_with_sensible_defaults() {
        let coach = UserId::generate();
        let p = NewParticipant::parse(&minimal(), TODAY, Some(coach)).unwrap();
        assert_eq!(p.enrolment.enrolled_on, TODAY);
        assert_eq!(p.enrolment.status, ParticipantStatus::Active);
        assert_eq!(p.enrolment.coach_id, Some(coach));
        assert_eq!(p.baseline.age_band, AgeBand::From35To44);
        assert_eq!(p.baseline.veteran, YesNoUnknown::Unknown);
    }

    #[test]
    fn every_problem_is_reported_by_field() {
        let input = ParticipantInput {
            given_name: Some("  ".into()),
            date_of_birth: Some("15/06/1988".into()),
            treatment_phase: Some("sometimes".into()),
            email: Some("not-an-email".into()),
            ..Default::default()
        };
        let errors = NewParticipant::parse(&input, TODAY, None).unwrap_err();
        assert_eq!(errors.get("given_name"), Some("is required"));
        assert_eq!(errors.get("family_name"), Some("is required"));
        assert!(errors.get("date_of_birth").unwrap().contains("YYYY-MM-DD"));
        assert!(errors.get("treatment_phase").unwrap().contains("in_lieu"));
        assert!(errors.get("email").is_some());
    }

    #[test]
    fn implausible_dates_are_refused() {
        let mut input = minimal();
        input.date_of_birth = Some("2030-01-01".into());
        assert!(
            NewParticipant::parse(&input, TODAY, None).unwrap_err().get("date_of_birth").is_some()
        );
        input.date_of_birth = Some("1890-01-01".into());
        assert!(
            NewParticipant::parse(&input, TODAY, None).unwrap_err().get("date_of_birth").is_some()
        );
        input.date_of_birth = Some("1990-01-01".into());
        input.enrolled_on = Some("2027-01-01".into());
        assert!(
            NewParticipant::parse(&input, TODAY, None).unwrap_err().get("enrolled_on").is_some()
        );
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_in_years(date!(1990 - 06 - 15), date!(2020 - 06 - 14)), 29);
        assert_eq!(age_in_years(date!(1990 - 06 - 15), date!(2020 - 06 - 15)), 30);
    }

    fn stored() -> Participant {
        let new = NewParticipant::parse(&minimal(), TODAY, None).unwrap();
        Participant {
            id: ParticipantId::generate(),
            reference: "P-0001".into(),
            identity: new.identity,
            enrolment: new.enrolment,
            baseline: new.baseline,
            version: 1,
        }
    }

    #[test]
    fn changes_touch_only_given_fields_and_are_named() {
        let before = stored();
        let input = ParticipantInput {
            status: Some("withdrawn".into()),
            housing: Some("shelter".into()),
            ..Default::default()
        };
        let (after, changed) = before.apply_changes(&input, TODAY).unwrap();
        assert_eq!(after.enrolment.status, ParticipantStatus::Withdrawn);
        assert_eq!(after.baseline.housing, Some(Housing::Shelter));
        assert_eq!(after.identity, before.identity);
        // Withdrawing without a day records today as the day they left.
        assert_eq!(after.enrolment.left_on, Some(TODAY));
        assert_eq!(changed, vec!["status", "left_on", "baseline"]);
    }

    #[test]
    fn blank_clears_optional_fields_but_not_required_ones() {
        let mut before = stored();
        before.identity.phone = Some("555 0100 200".into());
        let clear_phone = ParticipantInput { phone: Some(String::new()), ..Default::default() };
        assert_eq!(before.apply_changes(&clear_phone, TODAY).unwrap().0.identity.phone, None);
        let clear_name =
            ParticipantInput { family_name: Some(String::new()), ..Default::default() };
        assert!(before.apply_changes(&clear_name, TODAY).unwrap_err().get("family_name").is_some());
        let clear_status = ParticipantInput { status: Some(String::new()), ..Default::default() };
        assert!(before.apply_changes(&clear_status, TODAY).is_err());
    }
}
