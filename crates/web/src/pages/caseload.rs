//! The caseload: the participants a person may see, searchable, a page at a time. With htmx,
//! typing in the search box replaces only the results.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use kindred_app::caseload_glance::{Glance, RiskFlag};
use kindred_app::participants::{CaseloadEntries, CaseloadFilter};
use kindred_app::policy;
use kindred_domain::vocabulary::{ParticipantStatus, Vocabulary};
use serde::Deserialize;
use time::Date;

use super::{Chrome, caseload_title, notice_text};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{SignedIn, is_htmx};
use crate::forms::Field;

#[derive(Debug, Deserialize, Default)]
pub struct CaseloadParams {
    q: Option<String>,
    status: Option<String>,
    page: Option<i64>,
    notice: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "caseload.html")]
struct CaseloadPage {
    chrome: Option<Chrome>,
    title: &'static str,
    can_enrol: bool,
    q: String,
    status: Field,
    results: Results,
    notice: Option<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "_caseload_results.html")]
struct Results {
    rows: Vec<Row>,
    total: i64,
    /// "12", or "500+" past the count's cap.
    count: String,
    identified: bool,
    previous: Option<String>,
    next: Option<String>,
    page: i64,
    page_count: i64,
}

struct Row {
    href: String,
    name: String,
    reference: String,
    status_code: &'static str,
    status_label: &'static str,
    detail: String,
    glance: Option<GlanceLine>,
}

/// A participant's figures at a glance, as short labelled text and worded badges (never
/// colour alone): "Last contact 3 Nov · Next contact 12 Nov · 2 overdue tasks".
struct GlanceLine {
    facts: String,
    risks: Vec<RiskBadge>,
}

struct RiskBadge {
    text: String,
    /// Said to screen readers after the badge's text.
    more: String,
}

/// "3 Nov", with the year when it is not this year's.
fn short_date(day: Date, today: Date) -> String {
    let month = &day.month().to_string()[..3];
    if day.year() == today.year() {
        format!("{} {month}", day.day())
    } else {
        format!("{} {month} {}", day.day(), day.year())
    }
}

fn glance_line(g: Glance, today: Date) -> GlanceLine {
    let day = |d: Date| short_date(d, today);
    let mut facts = vec![match g.last_contact {
        Some(d) => format!("Last contact {}", day(d)),
        None => "No contact yet".to_owned(),
    }];
    facts.extend(g.next_contact.map(|d| format!("Next contact {}", day(d))));
    facts.extend(g.next_appointment.map(|d| format!("Appointment {}", day(d))));
    match g.overdue_tasks {
        0 => {}
        1 => facts.push("1 overdue task".to_owned()),
        n => facts.push(format!("{n} overdue tasks")),
    }
    let risks = g
        .risks
        .into_iter()
        .map(|r| match r {
            RiskFlag::SelfHarmItem { administered_on } => RiskBadge {
                text: "PHQ-9 item 9".to_owned(),
                more: format!("answered above 0 on {}", day(administered_on)),
            },
            RiskFlag::WindowClosing { time_point, closes_on } => RiskBadge {
                text: format!("Window closes {}", day(closes_on)),
                more: format!("({time_point} follow-up, not yet done)"),
            },
        })
        .collect();
    GlanceLine { facts: facts.join(" · "), risks }
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Query(params): Query<CaseloadParams>,
) -> Response {
    let status = params.status.as_deref().and_then(ParticipantStatus::from_code);
    let filter = CaseloadFilter {
        status,
        search: params.q.clone(),
        page: params.page.unwrap_or(1),
        at_a_glance: true,
    };
    let caseload = match state.app.caseload(&signed_in.actor, &filter).await {
        Ok(caseload) => caseload,
        Err(error) => return PageError(error).into_response(),
    };
    let today = state.app.clock().today();
    let (rows, identified) = match caseload.entries {
        CaseloadEntries::Identified(entries) => (
            entries
                .into_iter()
                .map(|p| Row {
                    glance: p.glance.map(|g| glance_line(g, today)),
                    href: format!("/participants/{}", p.id),
                    name: p.display_name,
                    reference: p.reference,
                    status_code: p.status.code(),
                    status_label: p.status.label(),
                    detail: [p.program_name, p.coach_name.map(|c| format!("coach {c}"))]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" · "),
                })
                .collect(),
            true,
        ),
        CaseloadEntries::Research(entries) => (
            entries
                .into_iter()
                .map(|r| Row {
                    href: format!("/participants/{}", r.id),
                    name: r.reference.clone(),
                    reference: r.reference,
                    status_code: r.enrolment.status.code(),
                    status_label: r.enrolment.status.label(),
                    detail: format!(
                        "{} · enrolled {}",
                        r.program_name.unwrap_or_default(),
                        r.enrolment.enrolled_on
                    ),
                    glance: None,
                })
                .collect(),
            false,
        ),
    };
    let link = |page: i64| {
        let query = [
            ("q", params.q.clone().unwrap_or_default()),
            ("status", params.status.clone().unwrap_or_default()),
            ("page", page.to_string()),
        ];
        format!("/caseload?{}", serde_html_form::to_string(query).unwrap_or_default())
    };
    let results = Results {
        rows,
        total: caseload.total,
        count: if caseload.capped {
            format!("{}+", caseload.total)
        } else {
            caseload.total.to_string()
        },
        identified,
        previous: (caseload.page > 1).then(|| link(caseload.page - 1)),
        next: (caseload.page < caseload.page_count).then(|| link(caseload.page + 1)),
        page: caseload.page,
        page_count: caseload.page_count.max(1),
    };
    let wants_fragment = is_htmx(&headers)
        && headers.get("hx-target").is_some_and(|t| t == "results")
        && headers.get("hx-history-restore-request").is_none();
    if wants_fragment {
        return results.into_response();
    }
    CaseloadPage {
        chrome: Chrome::new(&signed_in, "/caseload"),
        title: caseload_title(&signed_in.actor),
        can_enrol: policy::capabilities(&signed_in.actor).enrol,
        q: params.q.unwrap_or_default(),
        status: Field::vocabulary::<ParticipantStatus>(
            "status",
            "Status",
            status.map(|s| s.code()),
        )
        .with_blank("Any status"),
        results,
        notice: notice_text(params.notice.as_deref()),
    }
    .into_response()
}
