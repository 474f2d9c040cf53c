//! The programs pages: the organisation's programs, a program with its protocol and the study
//! behind it, and starting a program from a template or from scratch (managers).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::AppError;
use kindred_app::policy;
use kindred_app::programs::ProgramDetail;
use kindred_domain::ids::ProgramId;
use kindred_domain::programs::costs::format_amount;
use kindred_domain::programs::templates::{self, ProgramTemplate};
use kindred_domain::programs::{EligibilityRules, ProgramInput, ProtocolStep};
use kindred_domain::vocabulary::Vocabulary;
use serde::Deserialize;

use super::{Chrome, notice_text};
use crate::AppState;
use crate::error::{PageError, sentence};
use crate::extract::{CsrfForm, PagePath, SignedIn};

/// `?notice=<code>` after a redirect.
#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "programs.html")]
struct ProgramsPage {
    chrome: Option<Chrome>,
    can_manage: bool,
    rows: Vec<ProgramRow>,
}

struct ProgramRow {
    href: String,
    name: String,
    active: bool,
    detail: String,
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let programs = state.app.program_overviews(&signed_in.actor).await?;
    let rows = programs
        .into_iter()
        .map(|p| {
            let from = p
                .program
                .template_code
                .as_deref()
                .and_then(templates::template)
                .map(|t| format!("after {}", t.study.short()))
                .unwrap_or_else(|| "custom".into());
            let caseload =
                p.target_caseload.map(|c| format!(" · caseload target {c}")).unwrap_or_default();
            ProgramRow {
                href: format!("/programs/{}", p.program.id),
                name: p.program.name,
                active: p.program.active,
                detail: format!(
                    "{from} · {} steps · {} participants{caseload}",
                    p.step_count, p.participant_count
                ),
            }
        })
        .collect();
    Ok(ProgramsPage {
        chrome: Chrome::new(&signed_in, "/programs"),
        can_manage: policy::capabilities(&signed_in.actor).manage_programs,
        rows,
    }
    .into_response())
}

/// A template as shown for choosing one.
struct TemplateCard {
    code: &'static str,
    name: &'static str,
    model: &'static str,
    description: &'static str,
    study: String,
    design: String,
    eligibility: String,
    steps: Vec<String>,
}

impl TemplateCard {
    fn new(t: &ProgramTemplate) -> Self {
        Self {
            code: t.code,
            name: t.name,
            model: t.model,
            description: t.description,
            study: t.study.short(),
            design: format!("{}, {} people", t.study.design.label(), t.study.participants),
            eligibility: eligibility_words(&t.eligibility),
            steps: t
                .definition()
                .map(|d| d.protocol.iter().map(|s| format!("{}: {}", s.name, s.timing())).collect())
                .unwrap_or_default(),
        }
    }
}

fn eligibility_words(rules: &EligibilityRules) -> String {
    let words = rules.describe();
    if words.is_empty() {
        "No peer qualification rules".into()
    } else {
        sentence(&words.join("; "))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "program_new.html")]
struct NewProgramPage {
    chrome: Option<Chrome>,
    templates: Vec<TemplateCard>,
    error: Option<String>,
    name: String,
}

fn new_page(signed_in: &SignedIn, error: Option<String>, name: String) -> NewProgramPage {
    NewProgramPage {
        chrome: Chrome::new(signed_in, "/programs"),
        templates: templates::templates().iter().map(TemplateCard::new).collect(),
        error,
        name,
    }
}

pub async fn new_form(signed_in: SignedIn) -> Result<Response, PageError> {
    policy::manager(&signed_in.actor)?;
    Ok(new_page(&signed_in, None, String::new()).into_response())
}

#[derive(Debug, Deserialize)]
pub struct NewProgramForm {
    template_code: Option<String>,
    name: Option<String>,
    description: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<NewProgramForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let blank_is_absent = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let input = ProgramInput {
        template_code: blank_is_absent(form.template_code),
        name: form.name.clone(),
        description: blank_is_absent(form.description),
        ..Default::default()
    };
    match state.app.create_program(&policy::manager(&signed_in.actor)?, &input).await {
        Ok(program) => {
            Ok(Redirect::to(&format!("/programs/{}?notice=program-created", program.id))
                .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let problems: Vec<String> =
                errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            let page = new_page(
                &signed_in,
                Some(sentence(&problems.join("; "))),
                form.name.unwrap_or_default(),
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        // The name is taken: the form again, with the sentence and what was typed.
        Err(AppError::Conflict(message)) => {
            let page =
                new_page(&signed_in, Some(sentence(&message)), form.name.unwrap_or_default());
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "program.html")]
struct ProgramPage {
    chrome: Option<Chrome>,
    notice: Option<&'static str>,
    id: String,
    name: String,
    active: bool,
    description: String,
    can_manage: bool,
    can_see_dashboard: bool,
    facts: Vec<(&'static str, String)>,
    components: Vec<(usize, String, String)>,
    steps: Vec<StepRow>,
    study: Option<StudyLines>,
    measures: Vec<&'static str>,
    /// The follow-up rate headline and what it is made of, for those who may see rates.
    follow_up: Option<(String, String)>,
}

struct StepRow {
    code: String,
    name: String,
    timing: String,
    activity: String,
    description: String,
}

struct StudyLines {
    model: &'static str,
    citation: String,
    design: String,
}

impl StepRow {
    fn new(s: &ProtocolStep) -> Self {
        Self {
            code: s.code.clone(),
            name: s.name.clone(),
            timing: s.timing(),
            activity: s.activity.map(|a| a.label().to_owned()).unwrap_or_default(),
            description: s.description.clone(),
        }
    }
}

fn program_facts(program: &ProgramDetail) -> Vec<(&'static str, String)> {
    let d = &program.definition;
    let costs: Vec<String> = d
        .costs
        .per_contact
        .iter()
        .map(|(mode, cents)| format!("{} {}", mode.label(), format_amount(*cents)))
        .collect();
    vec![
        ("Status", if d.active { "Enrolling".into() } else { "Not enrolling".into() }),
        (
            "Target caseload",
            d.target_caseload.map(|c| format!("{c} per coach")).unwrap_or_else(|| "Not set".into()),
        ),
        ("Peer eligibility", eligibility_words(&d.eligibility)),
        (
            "Staff cost",
            d.costs
                .hourly_staff_cost_cents
                .map(|c| format!("{} an hour", format_amount(c)))
                .unwrap_or_else(|| "Not set".into()),
        ),
        ("Cost per contact", if costs.is_empty() { "Not set".into() } else { costs.join(" · ") }),
    ]
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ProgramId>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let program = state.app.program_detail(&signed_in.actor, id).await?;
    let d = &program.definition;
    let template = d.template_code.as_deref().and_then(templates::template);
    let follow_up = match state.app.follow_up_rates(&signed_in.actor, id).await {
        Ok(rates) => Some(super::program_follow_up::headline(&rates.overall)),
        Err(AppError::Forbidden(_)) => None,
        Err(other) => return Err(PageError(other)),
    };
    Ok(ProgramPage {
        chrome: Chrome::new(&signed_in, "/programs"),
        notice: notice_text(query.notice.as_deref()),
        id: id.to_string(),
        name: d.name.clone(),
        active: d.active,
        description: d.description.clone(),
        can_manage: policy::capabilities(&signed_in.actor).manage_programs,
        can_see_dashboard: policy::capabilities(&signed_in.actor).program_dashboard,
        facts: program_facts(&program),
        components: d
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.name.clone(), c.description.clone()))
            .collect(),
        steps: d.protocol.iter().map(StepRow::new).collect(),
        study: template.map(|t| StudyLines {
            model: t.model,
            citation: t.study.citation(),
            design: format!(
                "{}, {} people: {}",
                t.study.design.label(),
                t.study.participants,
                t.study.population
            ),
        }),
        measures: template.map(|t| t.measures.to_vec()).unwrap_or_default(),
        follow_up,
    }
    .into_response())
}
