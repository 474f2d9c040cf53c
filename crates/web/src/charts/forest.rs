//! A forest plot: one row per estimate (a subgroup level's effect, a dose's slope), a square
//! at the estimate and a line across its confidence interval, against the line of no effect;
//! ratios on a log scale. Labels sit on their own line above each row, so long names fit a
//! phone. The same figures follow as a table, every figure traced to the analysis.

use askama::Template;

use super::{Tick, linear_ticks};
use crate::figure::{Figure, escape};

const LEFT: f64 = 12.0;
const RIGHT: f64 = 348.0;
const TOP: f64 = 6.0;
/// A row: its label line, then its interval.
const ROW: f64 = 30.0;

/// One estimate to draw, or the reason there is none.
#[derive(Debug, Clone)]
pub struct ForestInput {
    pub label: String,
    pub estimate: Result<ForestEstimate, String>,
}

/// An estimate with its interval, each with the JSON pointer it is read from.
#[derive(Debug, Clone)]
pub struct ForestEstimate {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    /// The pointer of the effect object (`…/estimate`, `…/ci/lower` below it).
    pub path: String,
    pub p_value: Option<f64>,
}

#[derive(Template)]
#[template(path = "_forest.html")]
pub struct ForestChart {
    pub id: String,
    pub title: String,
    pub description: String,
    /// What the x axis measures ("risk difference", "odds ratio per contact").
    pub measure: String,
    pub height: String,
    pub plot_bottom: String,
    pub null_x: String,
    pub rows: Vec<ForestRow>,
    pub ticks: Vec<Tick>,
    pub level: String,
}

#[derive(Debug, Clone)]
pub struct ForestRow {
    pub label: String,
    pub label_y: String,
    pub y: String,
    /// Placed: (x of the estimate, x of the lower and upper bounds), when estimated.
    pub placed: Option<(String, String, String)>,
    /// "1.50 (1.05 to 2.14)" as figures, or the reason.
    pub value: String,
    pub p_value: String,
}

impl ForestChart {
    /// The rows on the scale of `measure`; `ratio` draws a log scale around 1, otherwise a
    /// linear one around 0.
    pub fn new(
        id: &str,
        title: String,
        measure: &str,
        ratio: bool,
        level: &str,
        inputs: &[ForestInput],
    ) -> Self {
        let null = if ratio { 1.0 } else { 0.0 };
        // Ratios are drawn on the log scale; the range always holds the line of no effect.
        let to_axis = |v: f64| if ratio { v.max(1e-6).ln() } else { v };
        let (mut low, mut high) = (to_axis(null), to_axis(null));
        for input in inputs {
            if let Ok(e) = &input.estimate {
                low = low.min(to_axis(e.lower));
                high = high.max(to_axis(e.upper));
            }
        }
        if high - low < 1e-9 {
            (low, high) = (low - 1.0, high + 1.0);
        }
        let pad = 0.05 * (high - low);
        let (low, high) = (low - pad, high + pad);
        let x_of = |v: f64| LEFT + (to_axis(v) - low) / (high - low) * (RIGHT - LEFT);
        let rows: Vec<ForestRow> = inputs
            .iter()
            .enumerate()
            .map(|(i, input)| {
                let label_y = TOP + ROW * i as f64 + 10.0;
                let (placed, value, p_value) = match &input.estimate {
                    Ok(e) => (
                        Some((
                            format!("{:.1}", x_of(e.estimate)),
                            format!("{:.1}", x_of(e.lower)),
                            format!("{:.1}", x_of(e.upper)),
                        )),
                        format!(
                            "{} ({} to {})",
                            Figure::number(format!("{}/estimate", e.path), e.estimate),
                            Figure::number(format!("{}/ci/lower", e.path), e.lower),
                            Figure::number(format!("{}/ci/upper", e.path), e.upper),
                        ),
                        e.p_value.map_or("–".to_owned(), |p| {
                            Figure::p_value(format!("{}/p_value", e.path), p).to_string()
                        }),
                    ),
                    Err(reason) => {
                        (None, format!("Not estimated: {}", escape(reason)), "–".to_owned())
                    }
                };
                ForestRow {
                    label: input.label.clone(),
                    label_y: format!("{label_y:.1}"),
                    y: format!("{:.1}", label_y + 12.0),
                    placed,
                    value,
                    p_value,
                }
            })
            .collect();
        let plot_bottom = TOP + ROW * inputs.len() as f64 + 4.0;
        let ticks = if ratio {
            [0.1_f64, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0]
                .into_iter()
                .filter(|v| (low..=high).contains(&v.ln()))
                .map(|v| Tick { at: format!("{:.1}", x_of(v)), label: format!("{v}") })
                .collect()
        } else {
            linear_ticks(low, high, 4)
                .into_iter()
                .map(|v| Tick { at: format!("{:.1}", x_of(v)), label: crate::figure::number(v) })
                .collect()
        };
        let estimated = inputs.iter().filter(|i| i.estimate.is_ok()).count();
        let description = format!(
            "{estimated} of {} estimates of the {measure} with {level} confidence intervals, \
             against the line of no effect at {null}{}.",
            inputs.len(),
            if ratio { " (log scale)" } else { "" }
        );
        Self {
            id: id.to_owned(),
            title,
            description,
            measure: measure.to_owned(),
            height: format!("{:.0}", plot_bottom + 34.0),
            plot_bottom: format!("{plot_bottom:.1}"),
            null_x: format!("{:.1}", x_of(null)),
            rows,
            ticks,
            level: level.to_owned(),
        }
    }

    /// The SVG and its table as HTML (empty if rendering fails, which it cannot for these
    /// types).
    pub fn html(&self) -> String {
        self.render().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(label: &str, estimate: f64, lower: f64, upper: f64) -> ForestInput {
        let path = "/outcomes/0/subgroups/0/levels/0/effects/result/0".to_owned();
        ForestInput {
            label: label.into(),
            estimate: Ok(ForestEstimate { estimate, lower, upper, path, p_value: Some(0.04) }),
        }
    }

    #[test]
    fn ratios_are_placed_on_a_log_scale_around_one() {
        let chart = ForestChart::new(
            "f",
            "By sex".into(),
            "odds ratio",
            true,
            "95%",
            &[input("Women", 2.0, 1.0, 4.0), input("Men", 0.5, 0.25, 1.0)],
        );
        let x = |row: usize| {
            chart.rows[row].placed.as_ref().map(|(e, _, _)| e.parse::<f64>().unwrap_or(0.0))
        };
        let null: f64 = chart.null_x.parse().unwrap_or(0.0);
        // 2 and 0.5 lie equally far either side of 1 on a log scale.
        let (women, men) = (x(0).unwrap_or(0.0), x(1).unwrap_or(0.0));
        assert!(((women - null) - (null - men)).abs() < 0.2, "{women} {null} {men}");
        assert!(
            chart.html().contains(
                "data-path=\"/outcomes/0/subgroups/0/levels/0/effects/result/0/ci/upper\""
            )
        );
    }

    #[test]
    fn a_row_not_estimated_says_why() {
        let chart = ForestChart::new(
            "f",
            "By age".into(),
            "risk difference",
            false,
            "95%",
            &[ForestInput { label: "Under 25".into(), estimate: Err("too few events".into()) }],
        );
        assert!(chart.rows[0].placed.is_none());
        assert!(chart.html().contains("Not estimated: too few events"));
    }
}
