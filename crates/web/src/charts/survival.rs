//! Kaplan–Meier curves, one per arm, as SVG: each a step line in its arm's colour and dash with
//! its confidence band shaded behind, a legend above, and the numbers at risk under the time
//! axis (as a KM figure in a journal has them). The same figures follow as tables.

use askama::Template;
use kindred_app::studies::engine::survival::SurvivalCurve;

use super::{Tick, arm_style, linear_ticks};
use crate::figure::Figure;

/// The plot sits between these x bounds of the 360-unit-wide SVG.
const LEFT: f64 = 40.0;
const RIGHT: f64 = 350.0;
/// Where the legend's first line sits; the plot starts below the legend.
const LEGEND_TOP: f64 = 12.0;
const LINE: f64 = 14.0;
const PLOT_HEIGHT: f64 = 150.0;

/// One arm's curve, with the JSON pointer of its result in the study's analysis.
#[derive(Debug, Clone, Copy)]
pub struct SurvivalArm<'a> {
    pub name: &'a str,
    pub curve: &'a SurvivalCurve,
    /// Arm index, for its style.
    pub arm: usize,
}

#[derive(Template)]
#[template(path = "_survival.html")]
pub struct SurvivalChart {
    /// Unique within the page, for `aria-labelledby`.
    pub id: String,
    pub title: String,
    pub description: String,
    pub height: String,
    pub plot_top: String,
    pub plot_bottom: String,
    pub series: Vec<Series>,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    pub x_label_y: String,
    pub risk_heading_y: String,
    /// The days the numbers at risk are given for, placed on the time axis.
    pub risk_days: Vec<Tick>,
    pub risk_rows: Vec<RiskRow>,
    /// The confidence level, "95%".
    pub level: String,
}

#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub colour: &'static str,
    pub dash: &'static str,
    /// The step line's path.
    pub line: String,
    /// The confidence band's polygon.
    pub band: String,
    pub legend_y: String,
    /// Events of participants, median and its CI, for the table.
    pub n: Figure,
    pub events: Figure,
    pub median: String,
}

#[derive(Debug, Clone)]
pub struct RiskRow {
    pub name: String,
    pub colour: &'static str,
    pub dash: &'static str,
    pub name_y: String,
    pub counts_y: String,
    /// Placed under their day: (x, the count).
    pub counts: Vec<(String, Figure)>,
}

impl SurvivalChart {
    /// The curves of `arms`; `at` is the JSON pointer of the outcome's survival analysis
    /// (`/outcomes/{i}/comparison/time_to_event`), arm `k`'s curve at `{at}/arms/{k}/result`.
    pub fn new(id: &str, outcome: &str, level: &str, at: &str, arms: &[SurvivalArm<'_>]) -> Self {
        let plot_top = LEGEND_TOP + LINE * arms.len() as f64;
        let plot_bottom = plot_top + PLOT_HEIGHT;
        let last_day = arms
            .iter()
            .flat_map(|a| {
                a.curve.points.iter().map(|p| p.time).chain(a.curve.at_risk.iter().map(|r| r.day))
            })
            .fold(1.0_f64, f64::max);
        let x_of = |day: f64| LEFT + day.clamp(0.0, last_day) / last_day * (RIGHT - LEFT);
        let y_of = |share: f64| plot_bottom - share.clamp(0.0, 1.0) * PLOT_HEIGHT;
        let series = arms
            .iter()
            .enumerate()
            .map(|(row, arm)| {
                let style = arm_style(arm.arm);
                let result = format!("{at}/arms/{}/result", arm.arm);
                let steps =
                    |value: fn(&kindred_app::studies::engine::survival::CurvePoint) -> f64| {
                        let mut corners: Vec<(f64, f64)> = Vec::new();
                        let mut previous = 1.0;
                        for point in &arm.curve.points {
                            corners.push((x_of(point.time), y_of(previous)));
                            corners.push((x_of(point.time), y_of(value(point))));
                            previous = value(point);
                        }
                        corners
                    };
                let line = steps(|p| p.survival);
                let upper = steps(|p| p.upper);
                let mut lower = steps(|p| p.lower);
                lower.reverse();
                let median = &arm.curve.median;
                Series {
                    name: arm.name.to_owned(),
                    colour: style.colour,
                    dash: style.dash,
                    line: path(&line),
                    band: upper
                        .iter()
                        .chain(lower.iter())
                        .map(|(x, y)| format!("{x:.1},{y:.1}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                    legend_y: format!("{:.1}", LEGEND_TOP + LINE * row as f64),
                    n: Figure::count(format!("{result}/n"), arm.curve.n),
                    events: Figure::count(format!("{result}/events"), arm.curve.events),
                    median: match median.estimate {
                        Some(days) => {
                            let bound = |b: Option<f64>, name: &str| {
                                b.map_or("not reached".to_owned(), |d| {
                                    Figure::days(format!("{result}/median/{name}"), d).to_string()
                                })
                            };
                            format!(
                                "{} ({} to {})",
                                Figure::days(format!("{result}/median/estimate"), days),
                                bound(median.lower, "lower"),
                                bound(median.upper, "upper"),
                            )
                        }
                        None => "not reached".to_owned(),
                    },
                }
            })
            .collect();
        let x_ticks = linear_ticks(0.0, last_day, 5)
            .into_iter()
            .map(|day| Tick { at: format!("{:.1}", x_of(day)), label: format!("{day:.0}") })
            .collect();
        let y_ticks = [0.0, 0.25, 0.5, 0.75, 1.0]
            .into_iter()
            .map(|s| Tick { at: format!("{:.1}", y_of(s)), label: format!("{:.0}%", 100.0 * s) })
            .collect();
        let x_label_y = plot_bottom + 30.0;
        let risk_heading_y = x_label_y + 20.0;
        let days: Vec<f64> = arms
            .first()
            .map(|a| a.curve.at_risk.iter().map(|r| r.day).collect())
            .unwrap_or_default();
        let risk_days = days
            .iter()
            .map(|day| Tick { at: format!("{:.1}", x_of(*day)), label: format!("{day:.0}") })
            .collect();
        let risk_rows: Vec<RiskRow> = arms
            .iter()
            .enumerate()
            .map(|(row, arm)| {
                let name_y = risk_heading_y + 16.0 + 2.0 * LINE * row as f64;
                RiskRow {
                    name: arm.name.to_owned(),
                    colour: arm_style(arm.arm).colour,
                    dash: arm_style(arm.arm).dash,
                    name_y: format!("{name_y:.1}"),
                    counts_y: format!("{:.1}", name_y + LINE),
                    counts: arm
                        .curve
                        .at_risk
                        .iter()
                        .enumerate()
                        .map(|(k, r)| {
                            let path = format!("{at}/arms/{}/result/at_risk/{k}/at_risk", arm.arm);
                            (format!("{:.1}", x_of(r.day)), Figure::count(path, r.at_risk))
                        })
                        .collect(),
                }
            })
            .collect();
        let height = risk_heading_y + 16.0 + 2.0 * LINE * arms.len() as f64;
        let description = format!(
            "Kaplan–Meier estimates of the share of participants yet to have the event ({outcome}), by days \
             since allocation, for {}, with {level} confidence bands; numbers at risk below.",
            arms.iter()
                .map(|a| format!(
                    "{} ({} participants, {} events)",
                    a.name, a.curve.n, a.curve.events
                ))
                .collect::<Vec<_>>()
                .join(" and "),
        );
        Self {
            id: id.to_owned(),
            title: format!("{outcome}: Kaplan–Meier curves by arm"),
            description,
            height: format!("{height:.0}"),
            plot_top: format!("{plot_top:.1}"),
            plot_bottom: format!("{plot_bottom:.1}"),
            series,
            x_ticks,
            y_ticks,
            x_label_y: format!("{x_label_y:.1}"),
            risk_heading_y: format!("{risk_heading_y:.1}"),
            risk_days,
            risk_rows,
            level: level.to_owned(),
        }
    }

    /// The SVG and its tables as HTML (empty if rendering fails, which it cannot for these
    /// types).
    pub fn html(&self) -> String {
        self.render().unwrap_or_default()
    }
}

/// An SVG path through `corners`.
fn path(corners: &[(f64, f64)]) -> String {
    corners
        .iter()
        .enumerate()
        .map(|(i, (x, y))| format!("{}{x:.1} {y:.1}", if i == 0 { "M" } else { " L" }))
        .collect()
}
