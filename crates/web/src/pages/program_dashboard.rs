//! A program's dashboard (`/programs/{id}/dashboard`), its CSV (`/programs/{id}/dashboard.csv`,
//! one file with a `figure` column; `figure=<name>` keeps one figure's rows) and its funder
//! report (`/programs/{id}/funder-report`, one self-contained printable HTML file). All three
//! render the one result of `App::program_dashboard`, through [`DashboardView`] for the two
//! HTML forms, so they show the same figures.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_app::AppError;
use kindred_app::follow_up_rates::TARGET_RATE;
use kindred_app::program_dashboard::csv::{self as figures_csv, FIGURES};
use kindred_app::program_dashboard::{PeriodFilter, ProgramDashboard};
use kindred_domain::FieldErrors;
use kindred_domain::ids::ProgramId;
use kindred_domain::programs::costs::format_amount;
use kindred_domain::vocabulary::Vocabulary;
use serde::Deserialize;
use time::Date;

use super::Chrome;
use crate::AppState;
use crate::charts::bars::BarChart;
use crate::charts::percent;
use crate::error::PageError;
use crate::extract::{PagePath, SignedIn};
use crate::forms::{Field, SummaryItem};
use crate::rate_chart::{RateBar, RateChart};

/// The period filter and, for the CSV, the figure.
#[derive(Debug, Default, Deserialize)]
pub struct DashboardParams {
    from: Option<String>,
    to: Option<String>,
    figure: Option<String>,
}

impl DashboardParams {
    fn filter(&self) -> PeriodFilter {
        PeriodFilter { from: self.from.clone(), to: self.to.clone() }
    }
}

/// The figures as both the page and the funder report show them.
pub struct DashboardView {
    pub name: String,
    pub period: String,
    /// `from=…&to=…`, for links to the CSV and the report.
    pub query: String,
    pub tiles: Vec<(String, String, String)>,
    pub enrolment: String,
    pub support_kinds: String,
    pub activities: String,
    pub follow_up: String,
    pub follow_up_note: String,
    pub fidelity: Vec<(String, String, String)>,
    pub outcomes: String,
    pub cost: Vec<(String, String)>,
    pub made: String,
}

fn long_date(d: Date) -> String {
    format!("{} {} {}", d.day(), d.month(), d.year())
}

fn count(n: u32, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

impl DashboardView {
    pub fn new(d: &ProgramDashboard) -> Self {
        let p = &d.period;
        let months: Vec<(String, Vec<u64>)> = d
            .months
            .iter()
            .map(|m| (m.label(), vec![u64::from(m.enrolled), u64::from(m.active)]))
            .collect();
        let enrolment = BarChart::new(
            "enrolment",
            "Enrolled and active participants by month",
            "Month",
            &["Enrolled", "Active"],
            &months,
            2,
        );
        let dose_rows = |rows: &mut dyn Iterator<Item = (String, u32, u32)>| {
            rows.map(|(label, c, m)| (label, vec![u64::from(c), u64::from(m)])).collect::<Vec<_>>()
        };
        let kinds = dose_rows(
            &mut d
                .dose
                .by_support_kind
                .iter()
                .map(|(k, x)| (k.label().to_owned(), x.contacts, x.minutes)),
        );
        let activities = dose_rows(
            &mut d
                .dose
                .by_activity
                .iter()
                .map(|(a, x)| (a.label().to_owned(), x.contacts, x.minutes)),
        );
        let support_kinds = BarChart::new(
            "support-kinds",
            "Contacts by support kind",
            "Support kind",
            &["Contacts", "Minutes"],
            &kinds,
            1,
        );
        let activities = BarChart::new(
            "activities",
            "Contacts by activity",
            "Activity",
            &["Contacts", "Minutes"],
            &activities,
            1,
        );
        let bars: Vec<RateBar> = d
            .follow_up_by_time_point
            .iter()
            .chain([&d.follow_up])
            .map(|r| RateBar {
                label: r.label.clone(),
                completed_in_window: r.rate.completed_in_window,
                due: r.rate.due(),
                rate: r.rate.rate(),
                interval: r.interval,
            })
            .collect();
        let follow_up = RateChart::new(
            "follow-up-by-time-point",
            "Follow-up rate by time point, with 95% Wilson intervals",
            &bars,
            TARGET_RATE,
        )
        .by("Time point");
        let outcome_rows: Vec<(String, Vec<u64>)> =
            d.outcomes.iter().map(|(k, n)| (k.label().to_owned(), vec![u64::from(*n)])).collect();
        let outcomes = BarChart::new(
            "outcomes",
            "Outcome events by kind",
            "Outcome event",
            &["Events"],
            &outcome_rows,
            1,
        );
        let f = &d.fidelity;
        let steps = &f.steps;
        let first = &f.first_contact;
        let fidelity = vec![
            (
                "Protocol steps on time".to_owned(),
                percent(steps.share_on_time()),
                format!(
                    "{} of {} due; {} late, {} missed, {} not due yet",
                    steps.on_time,
                    steps.due(),
                    steps.late,
                    steps.missed,
                    steps.pending
                ),
            ),
            (
                "Dose".to_owned(),
                count(f.dose.total.contacts, "contact", "contacts"),
                format!(
                    "{} minutes; {} reached",
                    f.dose.total.minutes,
                    count(f.dose.participants_reached, "participant", "participants")
                ),
            ),
            (
                "Caseload".to_owned(),
                f.caseload.as_ref().map_or(0, |c| c.current).to_string(),
                "active participants with a coach, today".to_owned(),
            ),
            (
                "Days to first contact".to_owned(),
                first.median_days.map_or("–".to_owned(), |m| format!("{m:.1}")),
                format!(
                    "median over participants enrolled in the period; {} contacted, {} not yet",
                    first.contacted, first.not_yet_contacted
                ),
            ),
        ];
        let cost = match &d.cost {
            None => Vec::new(),
            Some(c) => {
                let amount = |cents: Option<i64>| cents.map_or("–".to_owned(), format_amount);
                vec![
                    ("Total".to_owned(), format_amount(c.total_cents)),
                    ("Per participant reached".to_owned(), amount(c.per_participant_cents)),
                    ("Per contact".to_owned(), amount(c.per_contact_cents)),
                    ("Participants reached".to_owned(), c.participants.to_string()),
                    ("Contacts".to_owned(), c.contacts.to_string()),
                ]
            }
        };
        let rate = &d.follow_up;
        let tiles = vec![
            ("Enrolled".to_owned(), d.enrolled.to_string(), "in the period".to_owned()),
            (
                "Active".to_owned(),
                d.active.to_string(),
                "in the program during the period".to_owned(),
            ),
            (
                "Contacts".to_owned(),
                d.dose.total.contacts.to_string(),
                format!("{} minutes", d.dose.total.minutes),
            ),
            (
                "Follow-up rate".to_owned(),
                percent(rate.rate.rate()),
                format!(
                    "{} of {} due, target {}{}",
                    rate.rate.completed_in_window,
                    rate.rate.due(),
                    percent(Some(TARGET_RATE)),
                    rate.interval.map_or(String::new(), |(l, u)| format!(
                        "; 95% CI {} to {}",
                        percent(Some(l)),
                        percent(Some(u))
                    ))
                ),
            ),
            (
                "Cost per participant".to_owned(),
                d.cost
                    .as_ref()
                    .and_then(|c| c.per_participant_cents)
                    .map_or("–".to_owned(), format_amount),
                "reached in the period".to_owned(),
            ),
        ];
        DashboardView {
            name: d.program.name.clone(),
            period: format!("{} to {}", long_date(p.from), long_date(p.to)),
            query: format!("from={}&to={}", p.from, p.to),
            tiles,
            enrolment: enrolment.html(),
            support_kinds: support_kinds.html(),
            activities: activities.html(),
            follow_up: follow_up.html(),
            follow_up_note: format!(
                "Over everyone ever enrolled in the program, as of {}: funders count every \
                 participant due, whenever they enrolled.",
                long_date(d.today)
            ),
            fidelity,
            outcomes: outcomes.html(),
            cost,
            made: long_date(d.today),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "program_dashboard.html")]
struct Page {
    chrome: Option<Chrome>,
    id: String,
    /// Each figure's own CSV download (from this server).
    figure_links: bool,
    name: String,
    from_field: Field,
    to_field: Field,
    summary: Vec<SummaryItem>,
    view: Option<DashboardView>,
}

#[derive(Template)]
#[template(path = "report/funder.html")]
struct FunderReport<'a> {
    css: &'static str,
    /// The report's figures as CSV, in a `data:` link: the file is read away from the server
    /// (attached to an email, printed from the command line), where a link back to it fails.
    csv_link: String,
    csv_name: String,
    /// The program (the shared figures partial names it).
    id: String,
    /// Always false: no per-figure links back to the server; the one CSV link carries all.
    figure_links: bool,
    view: &'a DashboardView,
}

/// The funder report as one self-contained HTML file (empty if rendering fails, which it
/// cannot for these types).
pub(crate) fn funder_report_html(dashboard: &ProgramDashboard) -> String {
    use base64::Engine;
    let view = DashboardView::new(dashboard);
    let csv = figures_csv::write(dashboard, None).unwrap_or_default();
    let csv_link = format!(
        "data:text/csv;charset=utf-8;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(csv)
    );
    let period = &dashboard.period;
    let csv_name = format!("funder-figures-{}-to-{}.csv", period.from, period.to);
    let id = dashboard.program.id.to_string();
    let report = FunderReport {
        css: crate::report::CSS,
        csv_link,
        csv_name,
        id,
        figure_links: false,
        view: &view,
    };
    report.render().unwrap_or_default()
}

fn period_fields(params: &DashboardParams, errors: Option<&FieldErrors>) -> (Field, Field) {
    let error = |name: &str| errors.and_then(|e| e.get(name)).map(str::to_owned);
    let mut from = Field::new("date", "from", "From")
        .hint("blank: the twelve months up to the end date")
        .value(params.from.as_deref());
    from.error = error("from");
    let mut to = Field::new("date", "to", "To").hint("blank: today").value(params.to.as_deref());
    to.error = error("to");
    (from, to)
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ProgramId>,
    Query(params): Query<DashboardParams>,
) -> Result<Response, PageError> {
    let actor = &signed_in.actor;
    match state.app.program_dashboard(actor, id, &params.filter()).await {
        Ok(dashboard) => {
            let p = dashboard.period;
            let shown = DashboardParams {
                from: Some(p.from.to_string()),
                to: Some(p.to.to_string()),
                figure: None,
            };
            let (from_field, to_field) = period_fields(&shown, None);
            Ok(Page {
                chrome: Chrome::new(&signed_in, "/programs"),
                id: id.to_string(),
                figure_links: true,
                name: dashboard.program.name.clone(),
                from_field,
                to_field,
                summary: Vec::new(),
                view: Some(DashboardView::new(&dashboard)),
            }
            .into_response())
        }
        // A period that does not parse: the filter again, with the errors at their fields.
        Err(AppError::Invalid(errors)) => {
            let program = state.app.program_detail(actor, id).await?;
            let (from_field, to_field) = period_fields(&params, Some(&errors));
            let summary = [&from_field, &to_field]
                .iter()
                .filter_map(|f| {
                    f.error.clone().map(|message| SummaryItem {
                        field: f.name,
                        label: f.label,
                        message,
                    })
                })
                .collect();
            let page = Page {
                chrome: Chrome::new(&signed_in, "/programs"),
                id: id.to_string(),
                figure_links: true,
                name: program.definition.name,
                from_field,
                to_field,
                summary,
                view: None,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(PageError(other)),
    }
}

pub async fn csv(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ProgramId>,
    Query(params): Query<DashboardParams>,
) -> Result<Response, PageError> {
    let figure = params.figure.as_deref().map(str::trim).filter(|f| !f.is_empty());
    let dashboard = state.app.program_dashboard(&signed_in.actor, id, &params.filter()).await?;
    if let Some(name) = figure.filter(|f| !figures_csv::is_figure(f)) {
        let names: Vec<&str> = FIGURES.iter().map(|(n, _)| *n).collect();
        let message = format!("must be one of {}, not \"{name}\"", names.join(", "));
        return Err(PageError(AppError::Invalid(FieldErrors::single("figure", message))));
    }
    let body = figures_csv::write(&dashboard, figure)?;
    let p = dashboard.period;
    let file = format!(
        "attachment; filename=\"program-dashboard-{}-{}-to-{}.csv\"",
        figure.unwrap_or("all"),
        p.from,
        p.to
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, file),
        ],
        body,
    )
        .into_response())
}

pub async fn funder_report(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ProgramId>,
    Query(params): Query<DashboardParams>,
) -> Result<Response, PageError> {
    let dashboard = state.app.program_dashboard(&signed_in.actor, id, &params.filter()).await?;
    let html = funder_report_html(&dashboard);
    let p = dashboard.period;
    let file = format!("inline; filename=\"funder-report-{}-to-{}.html\"", p.from, p.to);
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
            (header::CONTENT_SECURITY_POLICY, crate::report::POLICY.to_owned()),
            (header::CONTENT_DISPOSITION, file),
        ],
        html,
    )
        .into_response())
}
