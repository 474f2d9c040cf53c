//! A pre-post plot: each arm's mean score at baseline and at follow-up, joined by a line in the
//! arm's colour and dash, so the direction and size of the change read at a glance. The same
//! means, with how many each is of, follow as a table traced to the analysis.

use askama::Template;
use kindred_app::studies::engine::continuous::ArmScores;

use super::{Tick, arm_style, linear_ticks};
use crate::figure::Figure;

const LEGEND_TOP: f64 = 12.0;
const LINE: f64 = 14.0;
const PLOT_HEIGHT: f64 = 140.0;

/// One arm's baseline and follow-up scores, with the JSON pointer of its `ArmScores`.
#[derive(Debug, Clone, Copy)]
pub struct PrePostArm<'a> {
    pub name: &'a str,
    pub arm: usize,
    pub scores: &'a ArmScores,
}

#[derive(Template)]
#[template(path = "_pre_post.html")]
pub struct PrePostChart {
    pub id: String,
    pub title: String,
    pub description: String,
    pub height: String,
    pub plot_top: String,
    pub plot_bottom: String,
    pub ticks: Vec<Tick>,
    pub lines: Vec<PrePostLine>,
}

#[derive(Debug, Clone)]
pub struct PrePostLine {
    pub name: String,
    pub colour: &'static str,
    pub dash: &'static str,
    pub legend_y: String,
    pub y1: String,
    pub y2: String,
    pub baseline: String,
    pub follow_up: String,
}

impl PrePostChart {
    /// The arms with a baseline mean; `at` is the pointer of the outcome's continuous
    /// analysis, arm `k`'s scores at `{at}/arms/{k}/result`. `None` when no arm has both.
    pub fn new(id: &str, outcome: &str, at: &str, arms: &[PrePostArm<'_>]) -> Option<Self> {
        let arms: Vec<_> = arms.iter().filter(|a| a.scores.baseline.is_some()).collect();
        if arms.is_empty() {
            return None;
        }
        let means = arms.iter().flat_map(|a| {
            [a.scores.score.mean].into_iter().chain(a.scores.baseline.map(|b| b.mean))
        });
        let (low, high) =
            means.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), m| (l.min(m), h.max(m)));
        let pad = ((high - low) * 0.15).max(0.5);
        let (low, high) = (low - pad, high + pad);
        let plot_top = LEGEND_TOP + LINE * arms.len() as f64;
        let plot_bottom = plot_top + PLOT_HEIGHT;
        let y_of = |v: f64| plot_bottom - (v - low) / (high - low) * PLOT_HEIGHT;
        let lines = arms
            .iter()
            .enumerate()
            .map(|(row, a)| {
                let style = arm_style(a.arm);
                let result = format!("{at}/arms/{}/result", a.arm);
                let baseline = a.scores.baseline.unwrap_or(a.scores.score);
                let moments =
                    |name: &str, m: &kindred_app::studies::engine::continuous::Moments| {
                        format!(
                            "{} (n = {})",
                            Figure::number(format!("{result}/{name}/mean"), m.mean),
                            Figure::count(format!("{result}/{name}/n"), m.n)
                        )
                    };
                PrePostLine {
                    name: a.name.to_owned(),
                    colour: style.colour,
                    dash: style.dash,
                    legend_y: format!("{:.1}", LEGEND_TOP + LINE * row as f64),
                    y1: format!("{:.1}", y_of(baseline.mean)),
                    y2: format!("{:.1}", y_of(a.scores.score.mean)),
                    baseline: moments("baseline", &baseline),
                    follow_up: moments("score", &a.scores.score),
                }
            })
            .collect();
        let ticks = linear_ticks(low, high, 4)
            .into_iter()
            .map(|v| Tick { at: format!("{:.1}", y_of(v)), label: crate::figure::number(v) })
            .collect();
        Some(Self {
            id: id.to_owned(),
            title: format!("{outcome}: mean at baseline and at follow-up, by arm"),
            description: format!(
                "The mean {outcome} of each arm at baseline and at follow-up, joined by a line: \
                 {}.",
                arms.iter()
                    .map(|a| format!(
                        "{} from {} to {}",
                        a.name,
                        crate::figure::number(a.scores.baseline.map_or(0.0, |b| b.mean)),
                        crate::figure::number(a.scores.score.mean)
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            height: format!("{:.0}", plot_bottom + 24.0),
            plot_top: format!("{plot_top:.1}"),
            plot_bottom: format!("{plot_bottom:.1}"),
            ticks,
            lines,
        })
    }

    /// The SVG and its table as HTML.
    pub fn html(&self) -> String {
        self.render().unwrap_or_default()
    }
}
