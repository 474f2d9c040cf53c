//! The follow-up rate chart: one bar per period (or time point, or coach) with the 80 % target
//! drawn across, as server-rendered SVG with a title, a description and the same figures in a
//! table, so it reads without sight, colour or JavaScript.

use askama::Template;

use crate::charts::percent;

/// One bar: a label and completed-in-window of due.
#[derive(Debug, Clone)]
pub struct RateBar {
    pub label: String,
    pub completed_in_window: u32,
    pub due: u32,
    pub rate: Option<f64>,
    /// The rate's confidence interval (drawn as a whisker and listed in the table), if any.
    pub interval: Option<(f64, f64)>,
}

#[derive(Template)]
#[template(path = "_rate_chart.html")]
pub struct RateChart {
    id: String,
    title: String,
    /// What a bar stands for, heading the table's first column ("Month", "Time point").
    category: String,
    /// Whether any bar has an interval (the table then lists them).
    intervals: bool,
    desc: String,
    target_percent: String,
    target_y: String,
    bars: Vec<PlacedBar>,
}

struct PlacedBar {
    x: String,
    y: String,
    width: String,
    height: String,
    label_x: String,
    label: String,
    percent: String,
    figures: String,
    met: bool,
    /// The whisker's top and bottom y, and its text ("52% to 78%").
    whisker: Option<(String, String, String)>,
}

/// Plot area: x 34–296, y 8–108 (100 units for 100 %).
const LEFT: f64 = 34.0;
const WIDTH: f64 = 262.0;
const BOTTOM: f64 = 108.0;

impl RateChart {
    pub fn new(id: &str, title: &str, bars: &[RateBar], target: f64) -> Self {
        let slot = WIDTH / bars.len().max(1) as f64;
        let placed = bars
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let height = 100.0 * b.rate.unwrap_or(0.0);
                PlacedBar {
                    x: format!("{:.1}", LEFT + slot * i as f64 + slot * 0.15),
                    y: format!("{:.1}", BOTTOM - height),
                    width: format!("{:.1}", slot * 0.7),
                    height: format!("{height:.1}"),
                    label_x: format!("{:.1}", LEFT + slot * (i as f64 + 0.5)),
                    label: b.label.clone(),
                    percent: percent(b.rate),
                    figures: format!("{} of {}", b.completed_in_window, b.due),
                    met: b.rate.is_some_and(|r| r >= target),
                    whisker: b.interval.map(|(lower, upper)| {
                        (
                            format!("{:.1}", BOTTOM - 100.0 * upper),
                            format!("{:.1}", BOTTOM - 100.0 * lower),
                            format!("{} to {}", percent(Some(lower)), percent(Some(upper))),
                        )
                    }),
                }
            })
            .collect::<Vec<_>>();
        let below: Vec<&str> = placed
            .iter()
            .filter(|b| !b.met && b.percent != "–")
            .map(|b| b.label.as_str())
            .collect();
        let desc = if placed.is_empty() {
            "Nothing is due yet.".to_owned()
        } else if below.is_empty() {
            format!("Every bar with follow-ups due meets the {} target.", percent(Some(target)))
        } else {
            format!("Below the {} target: {}.", percent(Some(target)), below.join(", "))
        };
        Self {
            id: id.to_owned(),
            title: title.to_owned(),
            category: "Month".to_owned(),
            intervals: bars.iter().any(|b| b.interval.is_some()),
            desc,
            target_percent: percent(Some(target)),
            target_y: format!("{:.1}", BOTTOM - 100.0 * target),
            bars: placed,
        }
    }

    /// Names what a bar stands for in the table (by default "Month").
    pub fn by(mut self, category: &str) -> Self {
        self.category = category.to_owned();
        self
    }

    pub fn html(&self) -> String {
        self.render().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_scaled_to_the_rate_and_the_target_line_sits_at_eighty_percent() {
        let bars = [
            RateBar {
                label: "2026-01".into(),
                completed_in_window: 9,
                due: 10,
                rate: Some(0.9),
                interval: None,
            },
            RateBar {
                label: "2026-02".into(),
                completed_in_window: 1,
                due: 2,
                rate: Some(0.5),
                interval: Some((0.1, 0.9)),
            },
        ];
        let chart = RateChart::new("by-month", "By month", &bars, 0.8);
        assert_eq!(chart.target_y, "28.0");
        assert_eq!((chart.bars[0].height.as_str(), chart.bars[0].y.as_str()), ("90.0", "18.0"));
        assert_eq!(chart.desc, "Below the 80% target: 2026-02.");
        let html = chart.html();
        assert!(html.contains("<title id=\"by-month-title\">By month</title>"), "{html}");
        assert!(html.contains("<td>9 of 10</td>") && html.contains("<td>50%</td>"), "{html}");
        assert!(html.contains("<td>10% to 90%</td>") && html.contains("y1=\"18.0\""), "{html}");
    }
}
