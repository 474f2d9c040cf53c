//! Changing a program on a phone: its details (eligibility, caseload, costs) in one form, and
//! its protocol steps and components one at a time. Each form changes one part and sends the
//! whole program through the same use case as the API, so the rules are the API's rules.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::programs::ProgramDetail;
use kindred_app::{AppError, policy};
use kindred_domain::FieldErrors;
use kindred_domain::ids::ProgramId;
use kindred_domain::programs::{ComponentInput, ContactCostInput, ProgramInput, StepInput};
use kindred_domain::vocabulary::{Activity, AppointmentKind, ContactMode, StepAnchor, Vocabulary};
use serde::Deserialize;

use super::form_page::FormPage;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};
use crate::forms::{Choice, Field, Fieldset};

/// A select of fixed options.
fn choose(
    name: &'static str,
    label: &'static str,
    options: &[(&str, &str)],
    selected: &str,
) -> Field {
    let mut field = Field::new("select", name, label);
    field.choices = options
        .iter()
        .map(|(value, text)| Choice {
            value: (*value).into(),
            label: (*text).into(),
            hint: String::new(),
            selected: *value == selected,
        })
        .collect();
    field.value = selected.into();
    field
}

const YES_NO: [(&str, &str); 2] = [("true", "Yes"), ("false", "No")];

/// The cost field of each contact mode on the details form.
fn cost_field_name(mode: ContactMode) -> &'static str {
    match mode {
        ContactMode::InPerson => "cost_in_person",
        ContactMode::Phone => "cost_phone",
        ContactMode::Video => "cost_video",
        ContactMode::Text => "cost_text",
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DetailsForm {
    name: Option<String>,
    description: Option<String>,
    active: Option<String>,
    target_caseload: Option<String>,
    min_months_in_recovery: Option<String>,
    requires_certification: Option<String>,
    min_training_hours: Option<String>,
    hourly_staff_cost: Option<String>,
    cost_in_person: Option<String>,
    cost_phone: Option<String>,
    cost_video: Option<String>,
    cost_text: Option<String>,
}

impl DetailsForm {
    fn from_program(program: &ProgramDetail) -> Self {
        let input = program.definition.to_input();
        let cost = |mode| {
            program
                .definition
                .costs
                .contact_cost(mode)
                .map(kindred_domain::programs::costs::format_amount)
        };
        Self {
            name: input.name,
            description: input.description,
            active: input.active,
            target_caseload: input.target_caseload,
            min_months_in_recovery: input.min_months_in_recovery,
            requires_certification: input.requires_certification,
            min_training_hours: input.min_training_hours,
            hourly_staff_cost: input.hourly_staff_cost,
            cost_in_person: cost(ContactMode::InPerson),
            cost_phone: cost(ContactMode::Phone),
            cost_video: cost(ContactMode::Video),
            cost_text: cost(ContactMode::Text),
        }
    }

    fn cost(&self, mode: ContactMode) -> Option<&str> {
        match mode {
            ContactMode::InPerson => self.cost_in_person.as_deref(),
            ContactMode::Phone => self.cost_phone.as_deref(),
            ContactMode::Video => self.cost_video.as_deref(),
            ContactMode::Text => self.cost_text.as_deref(),
        }
    }

    /// The input, and which mode each contact cost came from (to put errors back).
    fn to_input(&self) -> (ProgramInput, Vec<ContactMode>) {
        let given: Vec<(ContactMode, &str)> = ContactMode::ALL
            .iter()
            .filter_map(|mode| {
                self.cost(*mode).filter(|c| !c.trim().is_empty()).map(|c| (*mode, c))
            })
            .collect();
        let input = ProgramInput {
            name: self.name.clone(),
            description: self.description.clone(),
            active: self.active.clone(),
            target_caseload: self.target_caseload.clone(),
            min_months_in_recovery: self.min_months_in_recovery.clone(),
            requires_certification: self.requires_certification.clone(),
            min_training_hours: self.min_training_hours.clone(),
            hourly_staff_cost: self.hourly_staff_cost.clone(),
            contact_costs: Some(
                given
                    .iter()
                    .map(|(mode, cost)| ContactCostInput {
                        mode: Some(mode.code().into()),
                        cost: Some((*cost).into()),
                    })
                    .collect(),
            ),
            ..Default::default()
        };
        (input, given.into_iter().map(|(mode, _)| mode).collect())
    }

    fn fieldsets(&self) -> Vec<Fieldset> {
        let text = |kind, name, label, value: &Option<String>| {
            Field::new(kind, name, label).value(value.as_deref())
        };
        let mut costs = vec![
            text("text", "hourly_staff_cost", "Staff cost per hour", &self.hourly_staff_cost)
                .hint("An amount like 22.50; blank if not set."),
        ];
        for mode in ContactMode::ALL {
            let mut field =
                Field::new("text", cost_field_name(*mode), mode.label()).value(self.cost(*mode));
            field.hint =
                "Cost of one contact on top of staff time (travel, phone credit); blank if none.";
            costs.push(field);
        }
        vec![
            Fieldset {
                legend: "The program",
                fields: vec![
                    text("text", "name", "Name", &self.name).required(),
                    text("textarea", "description", "Description", &self.description),
                    choose("active", "Enrolling participants", &YES_NO, self.active.as_deref().unwrap_or("true")),
                    text("number", "target_caseload", "Target caseload per coach", &self.target_caseload)
                        .hint("Blank for no target."),
                ],
            },
            Fieldset {
                legend: "Who may coach in it",
                fields: vec![
                    text("number", "min_months_in_recovery", "Months in recovery, at least", &self.min_months_in_recovery)
                        .hint("Blank for no rule. Coaches' recovery dates stay private to their supervisors."),
                    choose(
                        "requires_certification",
                        "A current certification is required",
                        &YES_NO,
                        self.requires_certification.as_deref().unwrap_or("false"),
                    ),
                    text("number", "min_training_hours", "Training hours, at least", &self.min_training_hours)
                        .hint("Blank for no rule."),
                ],
            },
            Fieldset { legend: "Costs", fields: costs },
        ]
    }
}

async fn managed_program(
    state: &AppState,
    signed_in: &SignedIn,
    id: ProgramId,
) -> Result<ProgramDetail, AppError> {
    policy::manager(&signed_in.actor)?;
    state.app.program_detail(&signed_in.actor, id).await
}

fn details_page(signed_in: &SignedIn, id: ProgramId, form: &DetailsForm) -> FormPage {
    FormPage::new(
        signed_in,
        format!("Edit {}", form.name.as_deref().unwrap_or("program")),
        format!("/programs/{id}/edit"),
        format!("/programs/{id}"),
        "Save changes",
        form.fieldsets(),
    )
}

pub async fn edit_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ProgramId>,
) -> Result<Response, PageError> {
    let program = managed_program(&state, &signed_in, id).await?;
    Ok(details_page(&signed_in, id, &DetailsForm::from_program(&program)).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    PagePath(id): PagePath<ProgramId>,
    form: CsrfForm<DetailsForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let (input, cost_modes) = form.to_input();
    match state.app.update_program(&policy::manager(&signed_in.actor)?, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/programs/{id}?notice=saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut shown = FieldErrors::new();
            for e in errors.iter() {
                let cost_of = |index: usize| cost_modes.get(index).map(|m| cost_field_name(*m));
                let field = indexed(&e.field, "contact_costs")
                    .and_then(|(index, _)| cost_of(index))
                    .unwrap_or(e.field.as_str());
                shown.add(field, e.message.clone());
            }
            Ok(details_page(&signed_in, id, &form).refused(&shown))
        }
        Err(other) => Err(other.into()),
    }
}

/// `steps[2].code` → `(2, "code")` for the list `steps`.
fn indexed<'a>(field: &'a str, list: &str) -> Option<(usize, &'a str)> {
    let rest = field.strip_prefix(list)?.strip_prefix('[')?;
    let (index, name) = rest.split_once("].")?;
    Some((index.parse().ok()?, name))
}

fn step_fieldsets(input: &StepInput, editing: bool) -> Vec<Fieldset> {
    let value = |v: &Option<String>| v.clone();
    let mut fields = Vec::new();
    if !editing {
        fields.push(
            Field::new("text", "code", "Code")
                .value(value(&input.code).as_deref())
                .required()
                .hint("A short name that never changes, like telephone_booster (lowercase letters, digits, _)."),
        );
    }
    fields.extend([
        Field::new("text", "name", "Name").value(input.name.as_deref()).required(),
        Field::new("textarea", "description", "What to do").value(input.description.as_deref()),
        Field::vocabulary::<StepAnchor>(
            "anchor",
            "Measured from",
            input.anchor.as_deref().or(Some("enrolment")),
        )
        .required(),
        Field::vocabulary::<AppointmentKind>(
            "appointment_kind",
            "Appointment",
            input.appointment_kind.as_deref(),
        )
        .with_blank("Not measured from an appointment")
        .hint("For steps measured from the first appointment of a kind."),
        Field::new("number", "target_day", "Due on day")
            .value(input.target_day.as_deref())
            .required()
            .hint("Days after the anchor (negative: before it)."),
        Field::new("number", "window_start_day", "On time from day")
            .value(input.window_start_day.as_deref())
            .required(),
        Field::new("number", "window_end_day", "On time until day")
            .value(input.window_end_day.as_deref())
            .required(),
        Field::vocabulary::<Activity>("activity", "Done by", input.activity.as_deref())
            .with_blank("Any activity"),
    ]);
    vec![Fieldset { legend: "Protocol step", fields }]
}

/// The program with `steps` as its protocol, or the step form again with its errors.
async fn save_steps(
    state: &AppState,
    signed_in: &SignedIn,
    id: ProgramId,
    steps: Vec<StepInput>,
    index: usize,
    page: FormPage,
) -> Result<Response, PageError> {
    let input = ProgramInput { steps: Some(steps), ..Default::default() };
    match state.app.update_program(&policy::manager(&signed_in.actor)?, id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/programs/{id}?notice=saved#protocol-heading"))
                .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let mut shown = FieldErrors::new();
            for e in errors.iter() {
                match indexed(&e.field, "steps") {
                    Some((i, name)) if i == index => shown.add(name, e.message.clone()),
                    _ => shown.add(e.field.clone(), e.message.clone()),
                }
            }
            Ok(page.refused(&shown))
        }
        Err(other) => Err(other.into()),
    }
}

fn step_page(
    signed_in: &SignedIn,
    id: ProgramId,
    input: &StepInput,
    code: Option<&str>,
) -> FormPage {
    let (title, action) = match code {
        Some(code) => (format!("Edit step {code}"), format!("/programs/{id}/steps/{code}/edit")),
        None => ("Add a protocol step".into(), format!("/programs/{id}/steps/new")),
    };
    FormPage::new(signed_in, title, action, format!("/programs/{id}"), "Save step", step_fieldsets(input, code.is_some()))
        .lede("A step becomes a task on each participant's due list, on time when done within its window.")
}

pub async fn new_step_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ProgramId>,
) -> Result<Response, PageError> {
    managed_program(&state, &signed_in, id).await?;
    Ok(step_page(&signed_in, id, &StepInput::default(), None).into_response())
}

pub async fn add_step(
    State(state): State<AppState>,
    PagePath(id): PagePath<ProgramId>,
    form: CsrfForm<StepInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let program = managed_program(&state, &signed_in, id).await?;
    let mut steps: Vec<StepInput> =
        program.definition.protocol.iter().map(|s| s.to_input()).collect();
    steps.push(form.clone());
    let index = steps.len() - 1;
    save_steps(&state, &signed_in, id, steps, index, step_page(&signed_in, id, &form, None)).await
}

pub async fn edit_step_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath((id, code)): PagePath<(ProgramId, String)>,
) -> Result<Response, PageError> {
    let program = managed_program(&state, &signed_in, id).await?;
    let step = program.definition.step(&code).ok_or(AppError::NotFound)?;
    Ok(step_page(&signed_in, id, &step.to_input(), Some(&code)).into_response())
}

pub async fn update_step(
    State(state): State<AppState>,
    PagePath((id, code)): PagePath<(ProgramId, String)>,
    form: CsrfForm<StepInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let program = managed_program(&state, &signed_in, id).await?;
    let mut steps: Vec<StepInput> =
        program.definition.protocol.iter().map(|s| s.to_input()).collect();
    let index = steps
        .iter()
        .position(|s| s.code.as_deref() == Some(code.as_str()))
        .ok_or(AppError::NotFound)?;
    // The code is what tasks refer to: it does not change.
    steps[index] = StepInput { code: Some(code.clone()), ..form.clone() };
    save_steps(&state, &signed_in, id, steps, index, step_page(&signed_in, id, &form, Some(&code)))
        .await
}

pub async fn remove_step(
    State(state): State<AppState>,
    PagePath((id, code)): PagePath<(ProgramId, String)>,
    form: CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    let signed_in = form.signed_in;
    let program = managed_program(&state, &signed_in, id).await?;
    program.definition.step(&code).ok_or(AppError::NotFound)?;
    let steps = program
        .definition
        .protocol
        .iter()
        .filter(|s| s.code != code)
        .map(|s| s.to_input())
        .collect();
    let input = ProgramInput { steps: Some(steps), ..Default::default() };
    state.app.update_program(&policy::manager(&signed_in.actor)?, id, &input).await?;
    Ok(Redirect::to(&format!("/programs/{id}?notice=saved#protocol-heading")).into_response())
}

/// A form with nothing but its CSRF token.
#[derive(Debug, Deserialize)]
pub struct EmptyForm {}

fn component_page(signed_in: &SignedIn, id: ProgramId, input: &ComponentInput) -> FormPage {
    let fields = vec![
        Field::new("text", "name", "Name").value(input.name.as_deref()).required(),
        Field::new("textarea", "description", "Description").value(input.description.as_deref()),
    ];
    FormPage::new(
        signed_in,
        "Add a component",
        format!("/programs/{id}/components/new"),
        format!("/programs/{id}"),
        "Add component",
        vec![Fieldset { legend: "Component", fields }],
    )
    .lede("A part of what the program delivers. Contacts record which components they delivered.")
}

pub async fn new_component_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ProgramId>,
) -> Result<Response, PageError> {
    managed_program(&state, &signed_in, id).await?;
    Ok(component_page(&signed_in, id, &ComponentInput::default()).into_response())
}

fn component_inputs(program: &ProgramDetail) -> Vec<ComponentInput> {
    program.definition.to_input().components.unwrap_or_default()
}

pub async fn add_component(
    State(state): State<AppState>,
    PagePath(id): PagePath<ProgramId>,
    form: CsrfForm<ComponentInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let program = managed_program(&state, &signed_in, id).await?;
    let mut components = component_inputs(&program);
    components.push(form.clone());
    let index = components.len() - 1;
    let input = ProgramInput { components: Some(components), ..Default::default() };
    match state.app.update_program(&policy::manager(&signed_in.actor)?, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/programs/{id}?notice=saved#components-heading"))
            .into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut shown = FieldErrors::new();
            for e in errors.iter() {
                match indexed(&e.field, "components") {
                    Some((i, name)) if i == index => shown.add(name, e.message.clone()),
                    _ => shown.add(e.field.clone(), e.message.clone()),
                }
            }
            Ok(component_page(&signed_in, id, &form).refused(&shown))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn remove_component(
    State(state): State<AppState>,
    PagePath((id, position)): PagePath<(ProgramId, usize)>,
    form: CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    let signed_in = form.signed_in;
    let program = managed_program(&state, &signed_in, id).await?;
    let mut components = component_inputs(&program);
    if position >= components.len() {
        return Err(AppError::NotFound.into());
    }
    components.remove(position);
    let input = ProgramInput { components: Some(components), ..Default::default() };
    state.app.update_program(&policy::manager(&signed_in.actor)?, id, &input).await?;
    Ok(Redirect::to(&format!("/programs/{id}?notice=saved#components-heading")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_errors_are_read_back_to_their_row() {
        assert_eq!(indexed("steps[2].window_end_day", "steps"), Some((2, "window_end_day")));
        assert_eq!(indexed("components[0].name", "steps"), None);
        assert_eq!(indexed("name", "steps"), None);
    }
}
