//! A program's follow-up page: its schedule (managers add, change and remove time points) and
//! its follow-up rates, with the headline figure, tables by time point and coach, and the
//! monthly chart against the 80 % target.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::follow_up_rates::{FollowUpRates, TARGET_RATE};
use kindred_app::follow_up_sweep::instrument_names;
use kindred_app::{AppError, policy};
use kindred_domain::FieldErrors;
use kindred_domain::follow_up::FollowUpRate;
use kindred_domain::ids::ProgramId;
use kindred_domain::instruments;
use kindred_domain::schedule::TimePointInput;
use serde::Deserialize;

use super::Chrome;
use crate::AppState;
use crate::charts::percent;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};
use crate::rate_chart::{RateBar, RateChart};

#[derive(Debug, Deserialize)]
pub struct Notice {
    pub saved: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "program_follow_up.html")]
struct Page {
    chrome: Option<Chrome>,
    id: String,
    name: String,
    notice: Option<&'static str>,
    can_manage: bool,
    points: Vec<PointRow>,
    instruments: Vec<(String, String)>,
    problems: Vec<(String, String)>,
    form: PointForm,
    rates: Option<RatesView>,
}

struct PointRow {
    code: String,
    label: String,
    timing: String,
    instruments: String,
}

struct RatesView {
    headline: String,
    detail: String,
    by_time_point: Vec<(String, String, String)>,
    by_coach: Option<Vec<(String, String, String)>>,
    chart: String,
}

/// One time point as the form sends it (numbers as text, so a typo is a field error).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PointForm {
    code: Option<String>,
    label: Option<String>,
    target_day: Option<String>,
    window_start_day: Option<String>,
    window_end_day: Option<String>,
    #[serde(default)]
    instruments: Vec<String>,
}

fn figures(rate: &FollowUpRate) -> (String, String) {
    (format!("{} of {}", rate.completed_in_window, rate.due()), percent(rate.rate()))
}

/// "62% followed up in window (target 80%)" and what it is made of.
pub fn headline(rate: &FollowUpRate) -> (String, String) {
    let target = percent(Some(TARGET_RATE));
    (
        format!("{} followed up in window (target {target})", percent(rate.rate())),
        format!(
            "{} of {} due: {} late, {} missed; {} not counted yet or excluded",
            rate.completed_in_window,
            rate.due(),
            rate.completed_late,
            rate.missed,
            rate.not_counted
        ),
    )
}

fn rates_view(rates: &FollowUpRates) -> RatesView {
    let (headline, detail) = headline(&rates.overall);
    let bars: Vec<RateBar> = rates
        .by_month
        .iter()
        .map(|((year, month), r)| RateBar {
            label: format!("{year:04}-{month:02}"),
            completed_in_window: r.completed_in_window,
            due: r.due(),
            rate: r.rate(),
            interval: None,
        })
        .collect();
    let chart = RateChart::new(
        "follow-up-by-month",
        "Follow-up rate by month the window closed",
        &bars,
        TARGET_RATE,
    );
    let row = |label: &str, r: &FollowUpRate| {
        let (of, rate) = figures(r);
        (label.to_owned(), of, rate)
    };
    RatesView {
        headline,
        detail,
        by_time_point: rates.by_time_point.iter().map(|(_, label, r)| row(label, r)).collect(),
        by_coach: rates
            .by_coach
            .as_ref()
            .map(|coaches| coaches.iter().map(|(_, name, r)| row(name, r)).collect()),
        chart: chart.html(),
    }
}

async fn render(
    state: &AppState,
    signed_in: &SignedIn,
    id: ProgramId,
    notice: Option<&'static str>,
    problems: Vec<(String, String)>,
    form: PointForm,
) -> Result<Page, PageError> {
    let actor = &signed_in.actor;
    let program = state.app.program_detail(actor, id).await?;
    let schedule = state.app.program_schedule(actor, id).await?;
    let rates = match state.app.follow_up_rates(actor, id).await {
        Ok(rates) => Some(rates_view(&rates)),
        Err(AppError::Forbidden(_)) => None,
        Err(other) => return Err(PageError(other)),
    };
    Ok(Page {
        chrome: Chrome::new(signed_in, "/programs"),
        id: id.to_string(),
        name: program.definition.name,
        notice,
        can_manage: policy::capabilities(actor).manage_programs,
        points: schedule
            .points
            .iter()
            .map(|p| {
                let t = &p.time_point;
                PointRow {
                    code: t.code.clone(),
                    label: t.label.clone(),
                    timing: format!(
                        "Day {} from enrolment, window days {} to {}",
                        t.target_day, t.window_start_day, t.window_end_day
                    ),
                    instruments: instrument_names(&p.instruments),
                }
            })
            .collect(),
        instruments: instruments::library()
            .iter()
            .map(|d| (d.code.clone(), d.short_name.clone()))
            .collect(),
        problems,
        form,
        rates,
    })
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ProgramId>,
    Query(query): Query<Notice>,
) -> Result<Response, PageError> {
    let notice = query.saved.is_some().then_some("Schedule saved.");
    Ok(render(&state, &signed_in, id, notice, Vec::new(), PointForm::default())
        .await?
        .into_response())
}

fn day(value: Option<&str>, field: &str, errors: &mut FieldErrors) -> Option<i32> {
    match value.map(str::trim) {
        None | Some("") => None,
        Some(text) => {
            text.parse().map_err(|_| errors.add(field, "must be a whole number of days")).ok()
        }
    }
}

/// Adds a time point, or replaces the one with the same code.
pub async fn save_point(
    State(state): State<AppState>,
    PagePath(id): PagePath<ProgramId>,
    CsrfForm { signed_in, form }: CsrfForm<PointForm>,
) -> Result<Response, PageError> {
    let actor = &signed_in.actor;
    let mut errors = FieldErrors::new();
    let point = TimePointInput {
        code: form.code.clone(),
        label: form.label.clone(),
        target_day: day(form.target_day.as_deref(), "target_day", &mut errors),
        window_start_day: day(form.window_start_day.as_deref(), "window_start_day", &mut errors),
        window_end_day: day(form.window_end_day.as_deref(), "window_end_day", &mut errors),
        instruments: form.instruments.clone(),
    };
    let mut input = state.app.program_schedule(actor, id).await?.to_input();
    let code = point.code.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let index = match input.time_points.iter().position(|p| p.code.as_deref() == Some(&code)) {
        Some(i) => {
            input.time_points[i] = point;
            i
        }
        None => {
            input.time_points.push(point);
            input.time_points.len() - 1
        }
    };
    let result = if errors.is_empty() {
        state.app.set_program_schedule(&policy::manager(actor)?, id, &input).await.map(|_| ())
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/programs/{id}/follow-up?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let prefix = format!("time_points[{index}].");
            let problems = errors
                .iter()
                .map(|e| {
                    let field = e.field.strip_prefix(&prefix).unwrap_or(&e.field);
                    let field = field.split('[').next().unwrap_or(field).to_owned();
                    (field.clone(), format!("{}: {}", field.replace('_', " "), e.message))
                })
                .collect();
            let page = render(&state, &signed_in, id, None, problems, form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(PageError(other)),
    }
}

pub async fn remove_point(
    State(state): State<AppState>,
    PagePath((id, code)): PagePath<(ProgramId, String)>,
    CsrfForm { signed_in, form: _ }: CsrfForm<PointForm>,
) -> Result<Response, PageError> {
    let actor = &signed_in.actor;
    let mut input = state.app.program_schedule(actor, id).await?.to_input();
    input.time_points.retain(|p| p.code.as_deref() != Some(code.as_str()));
    state.app.set_program_schedule(&policy::manager(actor)?, id, &input).await?;
    Ok(Redirect::to(&format!("/programs/{id}/follow-up?saved=1")).into_response())
}
