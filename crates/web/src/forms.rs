//! Form fields as data, rendered by one template partial (`_field.html`), so every form gets
//! labels, hints, error messages, an error summary and ARIA wiring the same way.

use kindred_domain::FieldErrors;
use kindred_domain::consent::ConsentInput;
use kindred_domain::participant::{Participant, ParticipantInput};
use kindred_domain::user::User;
use kindred_domain::vocabulary::{
    ConsentPurpose, DisclosureItem, Gender, Housing, JusticeInvolvement, ParticipantStatus,
    PrimarySubstance, ReferralSource, Setting, TreatmentPhase, Vocabulary, YesNoUnknown,
};

/// One input.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    /// `text`, `date`, `tel`, `email`, `password`, `select`, `checkboxes` or `textarea`.
    pub kind: &'static str,
    pub value: String,
    pub error: Option<String>,
    pub required: bool,
    pub autocomplete: &'static str,
    pub choices: Vec<Choice>,
}

/// One option of a select or checkbox group.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: String,
    pub selected: bool,
}

/// A titled group of fields.
#[derive(Debug, Clone)]
pub struct Fieldset {
    pub legend: &'static str,
    pub fields: Vec<Field>,
}

/// A line of the error summary at the top of a form, linking to the field.
#[derive(Debug, Clone)]
pub struct SummaryItem {
    pub field: &'static str,
    pub label: &'static str,
    pub message: String,
}

impl Field {
    pub fn new(kind: &'static str, name: &'static str, label: &'static str) -> Self {
        Self {
            name,
            label,
            hint: "",
            kind,
            value: String::new(),
            error: None,
            required: false,
            autocomplete: "off",
            choices: Vec::new(),
        }
    }

    /// A select over a vocabulary (add a blank option with [`Field::with_blank`]).
    pub fn vocabulary<V: Vocabulary>(
        name: &'static str,
        label: &'static str,
        selected: Option<&str>,
    ) -> Self {
        let mut field = Self::new("select", name, label);
        field.choices = V::ALL
            .iter()
            .map(|term| Choice {
                value: term.code().to_owned(),
                label: term.label().to_owned(),
                hint: term.description().to_owned(),
                selected: selected == Some(term.code()),
            })
            .collect();
        field.value = selected.unwrap_or_default().to_owned();
        field
    }

    pub fn with_blank(mut self, label: &str) -> Self {
        let selected = self.value.is_empty();
        self.choices.insert(
            0,
            Choice { value: String::new(), label: label.into(), hint: String::new(), selected },
        );
        self
    }

    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn value(mut self, value: Option<&str>) -> Self {
        self.value = value.unwrap_or_default().to_owned();
        self
    }

    /// The ids of the hint and error, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}

/// Attaches each field's error and lists them all for the summary, in form order.
pub fn attach_errors(fieldsets: &mut [Fieldset], errors: &FieldErrors) -> Vec<SummaryItem> {
    let mut summary = Vec::new();
    for field in fieldsets.iter_mut().flat_map(|set| set.fields.iter_mut()) {
        if let Some(message) = errors.get(field.name) {
            field.error = Some(message.to_owned());
            summary.push(SummaryItem {
                field: field.name,
                label: field.label,
                message: message.to_owned(),
            });
        }
    }
    // Errors about fields the form does not show (none expected) still reach the person.
    let unshown: Vec<SummaryItem> = errors
        .iter()
        .filter(|e| !summary.iter().any(|s| s.field == e.field))
        .map(|e| SummaryItem {
            field: "",
            label: "",
            message: format!("{}: {}", e.field, e.message),
        })
        .collect();
    summary.extend(unshown);
    summary
}

pub fn select_from(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    selected: Option<&str>,
) -> Field {
    let mut field = Field::new("select", name, label);
    field.choices = options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: selected == Some(value.as_str()),
            value,
            label,
            hint: String::new(),
        })
        .collect();
    field.value = selected.unwrap_or_default().to_owned();
    field
}

/// The enrolment and edit form. `editing` adds the status field.
pub fn participant_fieldsets(
    input: &ParticipantInput,
    programs: Vec<(String, String)>,
    coaches: &[User],
    editing: bool,
) -> Vec<Fieldset> {
    let i = input;
    let coach_options =
        coaches.iter().map(|c| (c.id.to_string(), c.display_name.clone())).collect();
    let mut enrolment = vec![
        select_from("program_id", "Program", programs, i.program_id.as_deref())
            .with_blank("No program yet"),
        Field::new("date", "enrolled_on", "Enrolled on")
            .value(i.enrolled_on.as_deref())
            .hint("Leave blank for today."),
        select_from("coach_id", "Coach", coach_options, i.coach_id.as_deref())
            .with_blank("Unassigned")
            .hint("Only coaches you may assign are listed."),
        Field::vocabulary::<Setting>("setting", "Setting", i.setting.as_deref())
            .with_blank("Not recorded"),
        Field::vocabulary::<ReferralSource>(
            "referral_source",
            "Referred by",
            i.referral_source.as_deref(),
        )
        .with_blank("Not recorded"),
        Field::vocabulary::<TreatmentPhase>(
            "treatment_phase",
            "Treatment phase",
            i.treatment_phase.as_deref(),
        )
        .with_blank("Not recorded"),
    ];
    if editing {
        enrolment.push(
            Field::vocabulary::<ParticipantStatus>("status", "Status", i.status.as_deref())
                .required(),
        );
        enrolment.push(
            Field::new("date", "left_on", "Left on")
                .value(i.left_on.as_deref())
                .hint("The day they withdrew or were lost to follow-up; blank for today."),
        );
    }
    vec![
        Fieldset {
            legend: "Who they are",
            fields: vec![
                Field::new("text", "given_name", "Given name")
                    .value(i.given_name.as_deref())
                    .required(),
                Field::new("text", "family_name", "Family name")
                    .value(i.family_name.as_deref())
                    .required(),
                Field::new("text", "preferred_name", "Preferred name")
                    .value(i.preferred_name.as_deref())
                    .hint("What they like to be called, if different."),
                Field::new("date", "date_of_birth", "Date of birth")
                    .value(i.date_of_birth.as_deref())
                    .required(),
                Field::new("tel", "phone", "Phone").value(i.phone.as_deref()),
                Field::new("email", "email", "Email").value(i.email.as_deref()),
            ],
        },
        Fieldset { legend: "Enrolment", fields: enrolment },
        Fieldset {
            legend: "About them at enrolment (for reports)",
            fields: vec![
                Field::vocabulary::<Gender>("gender", "Gender", i.gender.as_deref())
                    .with_blank("Not recorded"),
                Field::vocabulary::<PrimarySubstance>(
                    "primary_substance",
                    "Primary substance",
                    i.primary_substance.as_deref(),
                )
                .with_blank("Not recorded"),
                Field::vocabulary::<YesNoUnknown>(
                    "co_occurring_mental_disorder",
                    "Co-occurring mental health condition",
                    i.co_occurring_mental_disorder.as_deref(),
                )
                .with_blank("Not recorded"),
                Field::vocabulary::<Housing>("housing", "Housing", i.housing.as_deref())
                    .with_blank("Not recorded"),
                Field::vocabulary::<JusticeInvolvement>(
                    "justice_involvement",
                    "Justice involvement",
                    i.justice_involvement.as_deref(),
                )
                .with_blank("Not recorded"),
                Field::vocabulary::<YesNoUnknown>("pregnant", "Pregnant", i.pregnant.as_deref())
                    .with_blank("Not recorded"),
                Field::vocabulary::<YesNoUnknown>("veteran", "Veteran", i.veteran.as_deref())
                    .with_blank("Not recorded"),
            ],
        },
    ]
}

/// A stored participant as form input (to fill the edit form).
pub fn participant_input(p: &Participant) -> ParticipantInput {
    let code = |v: Option<&'static str>| v.map(str::to_owned);
    let (i, e, b) = (&p.identity, &p.enrolment, &p.baseline);
    ParticipantInput {
        given_name: Some(i.given_name.clone()),
        family_name: Some(i.family_name.clone()),
        preferred_name: i.preferred_name.clone(),
        date_of_birth: Some(i.date_of_birth.to_string()),
        phone: i.phone.clone(),
        email: i.email.as_ref().map(|e| e.to_string()),
        program_id: e.program_id.map(|p| p.to_string()),
        enrolled_on: Some(e.enrolled_on.to_string()),
        setting: code(e.setting.map(|v| v.code())),
        referral_source: code(e.referral_source.map(|v| v.code())),
        treatment_phase: code(e.treatment_phase.map(|v| v.code())),
        coach_id: e.coach_id.map(|c| c.to_string()),
        coach_override_reason: None,
        status: Some(e.status.code().to_owned()),
        left_on: e.left_on.map(|d| d.to_string()),
        gender: code(b.gender.map(|v| v.code())),
        primary_substance: code(b.primary_substance.map(|v| v.code())),
        co_occurring_mental_disorder: Some(b.co_occurring_mental_disorder.code().to_owned()),
        housing: code(b.housing.map(|v| v.code())),
        justice_involvement: code(b.justice_involvement.map(|v| v.code())),
        pregnant: Some(b.pregnant.code().to_owned()),
        veteran: Some(b.veteran.code().to_owned()),
    }
}

/// The consent form.
pub fn consent_fieldsets(input: &ConsentInput, today: &str) -> Vec<Fieldset> {
    let mut disclose = Field::new("checkboxes", "disclose", "What may be shared").required();
    disclose.choices = DisclosureItem::ALL
        .iter()
        .map(|item| Choice {
            value: item.code().to_owned(),
            label: item.label().to_owned(),
            hint: item.description().to_owned(),
            selected: input.disclose.iter().any(|c| c == item.code()),
        })
        .collect();
    vec![Fieldset {
        legend: "Consent to share",
        fields: vec![
            disclose,
            Field::new("text", "recipient", "Shared with")
                .value(input.recipient.as_deref())
                .required()
                .hint("The person or organisation named on the signed form."),
            Field::vocabulary::<ConsentPurpose>("purpose", "Purpose", input.purpose.as_deref())
                .with_blank("Choose a purpose")
                .required(),
            Field::new("date", "signed_on", "Signed on")
                .value(input.signed_on.as_deref().or(Some(today))),
            Field::new("date", "expires_on", "Ends on")
                .value(input.expires_on.as_deref())
                .required()
                .hint("The end date written on the form. A consent must end."),
            Field::new("textarea", "notes", "Notes").value(input.notes.as_deref()),
        ],
    }]
}
