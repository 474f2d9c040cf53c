//! What an administered assessment shows: the score, band, flags and change since last on
//! its own page, and a summary line plus trajectories in the participant page's section.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use kindred_app::assessments::AdministeredAssessment;
use kindred_domain::assessment::AssessmentStatus;
use kindred_domain::instruments::Trend;
use kindred_domain::instruments::definition::FlagSeverity;
use kindred_domain::instruments::scoring::ScaleStatus;

use crate::charts::trajectory::{Point, Trajectory, number};
use crate::pages::Chrome;

/// The headline of one administration.
pub struct Headline {
    pub id: String,
    pub instrument: String,
    pub on: String,
    pub completed: bool,
    pub status: &'static str,
    /// "12 (of 0–27)".
    pub score: Option<String>,
    pub band: Option<String>,
    pub urgent: bool,
    pub progress: String,
}

pub fn headline(view: &AdministeredAssessment) -> Headline {
    let a = &view.assessment;
    let total = view.result.total();
    let scale = view.definition.scoring.scales.first();
    Headline {
        id: a.id.to_string(),
        instrument: view.definition.short_name.clone(),
        on: a.administered_on.to_string(),
        completed: a.status == AssessmentStatus::Completed,
        status: a.status.label(),
        score: total.and_then(|t| t.value).map(|v| match scale {
            Some(s) => format!("{} (range {}–{})", number(v), number(s.min), number(s.max)),
            None => number(v),
        }),
        band: total.and_then(|t| t.band.as_ref()).map(|b| b.label.clone()),
        urgent: view.result.has_urgent_flag(),
        progress: format!("{} of {} answered", view.result.answered, view.result.expected),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment.html")]
pub struct ResultPage {
    pub chrome: Option<Chrome>,
    pub notice: Option<&'static str>,
    pub participant_id: String,
    pub participant_name: String,
    pub headline: Headline,
    pub title: String,
    pub scales: Vec<ScaleLine>,
    pub flags: Vec<FlagLine>,
    pub changes: Vec<ChangeLine>,
    pub previous_on: Option<String>,
    pub answers: Vec<(String, String)>,
    pub can_continue: bool,
    pub licence: String,
    pub citation: String,
    pub sex_note: bool,
}

pub struct ScaleLine {
    pub title: String,
    pub value: String,
    pub band: String,
    pub note: &'static str,
}

pub struct FlagLine {
    pub urgent: bool,
    pub message: String,
}

pub struct ChangeLine {
    pub scale: String,
    pub previous: String,
    pub current: String,
    pub difference: String,
    pub trend: &'static str,
    pub band_move: Option<String>,
}

pub fn result_page(
    view: &AdministeredAssessment,
    history: &[AdministeredAssessment],
    chrome: Option<Chrome>,
    notice: Option<&'static str>,
    participant_name: String,
    can_continue: bool,
) -> ResultPage {
    let d = &view.definition;
    let scales = view
        .result
        .scales
        .iter()
        .map(|s| ScaleLine {
            title: s.title.clone(),
            value: s.value.map(number).unwrap_or_else(|| "–".into()),
            band: s.band.as_ref().map(|b| b.label.clone()).unwrap_or_default(),
            note: match s.status {
                ScaleStatus::Scored => "",
                ScaleStatus::Prorated => "prorated for missing answers",
                ScaleStatus::TooManyMissing => "too many answers missing to score",
            },
        })
        .collect();
    let flags = view
        .result
        .flags
        .iter()
        .map(|f| FlagLine {
            urgent: f.severity == FlagSeverity::Urgent,
            message: f.message.clone(),
        })
        .collect();
    let titles: BTreeMap<&str, &str> =
        d.scoring.scales.iter().map(|s| (s.id.as_str(), s.title.as_str())).collect();
    let band_label = |code: &Option<String>| {
        let code = code.as_deref()?;
        d.scoring
            .scales
            .iter()
            .flat_map(|s| &s.bands)
            .find(|b| b.code == code)
            .map(|b| b.label.clone())
    };
    let changes = view
        .change
        .iter()
        .flat_map(|c| &c.scales)
        .map(|c| ChangeLine {
            scale: titles.get(c.scale.as_str()).map_or(c.scale.clone(), |t| (*t).to_owned()),
            previous: c.previous.map(number).unwrap_or_else(|| "–".into()),
            current: c.current.map(number).unwrap_or_else(|| "–".into()),
            difference: c
                .difference
                .map(|v| if v > 0.0 { format!("+{}", number(v)) } else { number(v) })
                .unwrap_or_else(|| "–".into()),
            trend: match c.trend {
                Trend::Improved => "improved",
                Trend::Worsened => "worsened",
                Trend::Unchanged => "unchanged",
                Trend::NotComparable => "not comparable",
            },
            band_move: c.band_moved.then(|| {
                format!(
                    "{} → {}",
                    band_label(&c.previous_band).unwrap_or_default(),
                    band_label(&c.current_band).unwrap_or_default()
                )
            }),
        })
        .collect();
    let previous_on = view.previous.and_then(|p| {
        history
            .iter()
            .find(|h| h.assessment.id == p)
            .map(|h| h.assessment.administered_on.to_string())
    });
    let answers = d
        .items
        .iter()
        .filter_map(|item| {
            let value = view.assessment.answers.get(&item.id)?;
            let shown = item.response.label(value).map_or(value.to_string(), str::to_owned);
            Some((item.text.clone(), shown))
        })
        .collect();
    ResultPage {
        chrome,
        notice,
        participant_id: view.assessment.participant_id.to_string(),
        participant_name,
        headline: headline(view),
        title: d.title.clone(),
        scales,
        flags,
        changes,
        previous_on,
        answers,
        can_continue,
        licence: d.licence.summary.clone(),
        citation: d.citation.clone(),
        sex_note: view
            .result
            .total()
            .and_then(|t| t.band.as_ref())
            .is_some_and(|b| b.sex_not_recorded),
    }
}

/// The "Assessments" section of the participant page.
#[derive(Template)]
#[template(path = "_assessments.html")]
pub struct AssessmentsSection {
    pub participant_id: String,
    pub can_administer: bool,
    /// Newest first.
    pub rows: Vec<Headline>,
    /// One chart per instrument with completed scores, as HTML.
    pub charts: Vec<String>,
}

pub fn section(
    participant_id: String,
    views: &[AdministeredAssessment],
    can_administer: bool,
) -> AssessmentsSection {
    let rows = views.iter().rev().map(headline).collect();
    // Instruments in the order first given; each chart from its completed administrations.
    let mut order: Vec<&str> = Vec::new();
    for v in views {
        if !order.contains(&v.assessment.instrument_code.as_str()) {
            order.push(&v.assessment.instrument_code);
        }
    }
    let charts = order
        .iter()
        .filter_map(|code| {
            let of: Vec<&AdministeredAssessment> = views
                .iter()
                .filter(|v| {
                    v.assessment.instrument_code == *code
                        && v.assessment.status == AssessmentStatus::Completed
                })
                .collect();
            let points: Vec<Point> = of
                .iter()
                .filter_map(|v| {
                    let total = v.result.total()?;
                    Some(Point {
                        on: v.assessment.administered_on,
                        score: total.value?,
                        band: total.band.as_ref().map(|b| b.label.clone()),
                    })
                })
                .collect();
            let definition = &of.first()?.definition;
            Trajectory::new(&format!("trajectory-{code}"), definition, &points).map(|c| c.html())
        })
        .collect();
    AssessmentsSection { participant_id, can_administer, rows, charts }
}
