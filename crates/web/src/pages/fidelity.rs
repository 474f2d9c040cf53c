//! The fidelity page: coaches side by side (caseload, dose, support mix, protocol steps on
//! time, time to first contact, supervision), with the team's open boundary concerns and
//! recent supervision sessions.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use kindred_app::fidelity::{Figures, Period};
use kindred_app::policy::{self, FidelityView};
use kindred_domain::ids::ProgramId;
use kindred_domain::vocabulary::{SupportKind, Vocabulary};
use serde::Deserialize;

use super::{Chrome, notice_text};
use crate::AppState;
use crate::charts::{Segment, StackedBar, percent};
use crate::error::PageError;
use crate::extract::SignedIn;
use crate::forms::{Choice, Field};

#[derive(Debug, Deserialize, Default)]
pub struct FidelityParams {
    program: Option<String>,
    period: Option<String>,
    notice: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "fidelity.html")]
struct FidelityPage {
    chrome: Option<Chrome>,
    notice: Option<&'static str>,
    heading: String,
    program_field: Field,
    period_field: Field,
    overall: FigureCard,
    coaches: Vec<CoachCard>,
    steps: Vec<StepLine>,
    can_supervise: bool,
    concerns: Vec<ConcernLine>,
    sessions: Vec<SessionLine>,
    shows_supervision: bool,
}

/// One scope's figures, formatted.
struct FigureCard {
    caseload: String,
    contacts: String,
    minutes: String,
    per_participant: String,
    steps_on_time: String,
    steps_detail: String,
    first_contact: String,
    first_contact_detail: String,
    support_mix: String,
}

struct CoachCard {
    id: String,
    name: String,
    figures: FigureCard,
    last_supervision: String,
    open_concerns: u32,
}

struct StepLine {
    name: String,
    on_time: u32,
    late: u32,
    missed: u32,
    pending: u32,
    share: String,
}

pub struct ConcernLine {
    pub id: String,
    pub coach: String,
    pub participant: Option<String>,
    pub raised_on: String,
    pub category: &'static str,
    pub description: String,
    pub open: bool,
    pub resolution: Option<String>,
}

struct SessionLine {
    held_on: String,
    coach: String,
    supervisor: String,
    minutes: i32,
    format: &'static str,
    topics: String,
}

fn figure_card(f: &Figures) -> FigureCard {
    let mix: Vec<Segment> = f
        .dose
        .support_mix()
        .into_iter()
        .enumerate()
        .map(|(i, (kind, share))| Segment {
            label: kind.label().into(),
            share,
            class: MIX_CLASSES[i % 4],
        })
        .collect();
    let steps = &f.steps;
    FigureCard {
        caseload: match f.caseload {
            Some(c) => match c.target {
                Some(t) => format!("{} of {t}", c.current),
                None => c.current.to_string(),
            },
            None => "–".into(),
        },
        contacts: f.dose.total.contacts.to_string(),
        minutes: f.dose.total.minutes.to_string(),
        per_participant: f
            .dose
            .contacts_per_participant()
            .map(|v| format!("{v:.1}"))
            .unwrap_or_else(|| "–".into()),
        steps_on_time: percent(steps.share_on_time()),
        steps_detail: format!(
            "{} of {} due on time ({} late, {} missed); {} pending",
            steps.on_time,
            steps.due(),
            steps.late,
            steps.missed,
            steps.pending
        ),
        first_contact: f
            .first_contact
            .median_days
            .map(|d| format!("{d:.0} days"))
            .unwrap_or_else(|| "–".into()),
        first_contact_detail: format!(
            "median over {} contacted; {} not yet contacted",
            f.first_contact.contacted, f.first_contact.not_yet_contacted
        ),
        support_mix: if f.dose.total.contacts == 0 {
            String::new()
        } else {
            StackedBar::new("Support mix", &mix).html()
        },
    }
}

/// Stylesheet classes for the four support kinds, in `SupportKind::ALL` order.
const MIX_CLASSES: [&str; 4] = ["mix-0", "mix-1", "mix-2", "mix-3"];
const _: () = assert!(SupportKind::ALL.len() == MIX_CLASSES.len());

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(params): Query<FidelityParams>,
) -> Result<Response, PageError> {
    let actor = &signed_in.actor;
    let program = params
        .program
        .as_deref()
        .filter(|p| !p.is_empty())
        .and_then(|p| p.parse::<ProgramId>().ok());
    let period = params.period.as_deref().and_then(Period::from_code).unwrap_or_default();
    let report = state.app.fidelity(actor, program, period).await?;
    let programs = state.app.programs(actor).await?;

    let mut program_field = Field::new("select", "program", "Program");
    program_field.choices = std::iter::once(Choice {
        value: String::new(),
        label: "All programs".into(),
        hint: String::new(),
        selected: program.is_none(),
    })
    .chain(programs.iter().map(|p| Choice {
        value: p.id.to_string(),
        label: p.name.clone(),
        hint: String::new(),
        selected: Some(p.id) == program,
    }))
    .collect();
    let mut period_field = Field::new("select", "period", "Period");
    period_field.choices = Period::ALL
        .iter()
        .map(|p| Choice {
            value: p.code().into(),
            label: p.label().into(),
            hint: String::new(),
            selected: *p == period,
        })
        .collect();

    let shows_supervision = !matches!(report.view, FidelityView::ProgramsOnly);
    let concerns = if policy::capabilities(actor).boundary_concerns {
        state.app.boundary_concerns(actor, None).await?.into_iter().map(concern_line).collect()
    } else {
        Vec::new()
    };
    let sessions = if shows_supervision {
        state
            .app
            .supervision_sessions(actor, None)
            .await?
            .into_iter()
            .take(20)
            .map(|s| SessionLine {
                held_on: s.held_on.to_string(),
                coach: s.coach_name,
                supervisor: s.supervisor_name,
                minutes: s.minutes,
                format: s.format.label(),
                topics: s.topics,
            })
            .collect()
    } else {
        Vec::new()
    };
    let heading = match &report.program {
        Some(p) => format!("Fidelity: {}", p.name),
        None => "Fidelity".into(),
    };
    Ok(FidelityPage {
        chrome: Chrome::new(&signed_in, "/fidelity"),
        notice: notice_text(params.notice.as_deref()),
        heading,
        program_field,
        period_field,
        overall: figure_card(&report.overall),
        coaches: report
            .coaches
            .iter()
            .map(|c| CoachCard {
                id: c.coach_id.to_string(),
                name: c.coach_name.clone(),
                figures: figure_card(&c.figures),
                last_supervision: c
                    .last_supervision
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "none recorded".into()),
                open_concerns: c.open_concerns,
            })
            .collect(),
        steps: report
            .steps
            .iter()
            .map(|s| StepLine {
                name: s.name.clone(),
                on_time: s.tally.on_time,
                late: s.tally.late,
                missed: s.tally.missed,
                pending: s.tally.pending,
                share: percent(s.tally.share_on_time()),
            })
            .collect(),
        can_supervise: !state.app.supervisable_coaches(actor).await?.is_empty(),
        concerns,
        sessions,
        shows_supervision,
    }
    .into_response())
}

pub fn concern_line(c: kindred_app::supervision::BoundaryConcern) -> ConcernLine {
    ConcernLine {
        id: c.id.to_string(),
        coach: c.coach_name,
        participant: c.participant_reference,
        raised_on: c.raised_on.to_string(),
        category: c.category.label(),
        description: c.description,
        open: c.status == kindred_domain::vocabulary::ConcernStatus::Open,
        resolution: c.resolution.map(|r| match c.resolved_on {
            Some(on) => format!("Resolved {on}: {r}"),
            None => r,
        }),
    }
}
