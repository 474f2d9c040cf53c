//! Charts as server-rendered SVG: readable without JavaScript, printable, and labelled for
//! screen readers (every chart carries its figures as text too).

use askama::Template;

pub mod bars;
pub mod flow;
pub mod forest;
pub mod pre_post;
pub mod survival;
pub mod trajectory;

/// How each arm is drawn: an Okabe–Ito colour (distinct for the common colour-vision
/// deficiencies, and at least 3:1 against white for the first three) and a dash pattern, so
/// the arms differ in print and in grey too. Arm `i` takes style `i % 6`.
pub const ARM_STYLES: [ArmStyle; 6] = [
    ArmStyle { colour: "#0072B2", dash: "none" },
    ArmStyle { colour: "#D55E00", dash: "6 3" },
    ArmStyle { colour: "#009E73", dash: "2 2" },
    ArmStyle { colour: "#CC79A7", dash: "8 3 2 3" },
    ArmStyle { colour: "#E69F00", dash: "4 4" },
    ArmStyle { colour: "#56B4E9", dash: "1 3" },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArmStyle {
    pub colour: &'static str,
    /// An SVG `stroke-dasharray`.
    pub dash: &'static str,
}

/// The style of arm `index`.
pub fn arm_style(index: usize) -> ArmStyle {
    ARM_STYLES[index % ARM_STYLES.len()]
}

/// A tick on an axis: where (in viewBox units) and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: String,
    pub label: String,
}

/// Round tick values from `low` to `high`: a step of 1, 2 or 5 times a power of ten giving
/// at most `most` intervals.
pub fn linear_ticks(low: f64, high: f64, most: usize) -> Vec<f64> {
    let span = (high - low).abs().max(f64::EPSILON);
    let rough = span / most.max(1) as f64;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| span / step <= most as f64 + 1e-9)
        .unwrap_or(10.0 * power);
    // A tolerance, so -0.3 / 0.1 = -2.9999… still starts at -3.
    let first = (low / step - 1e-9).ceil() as i64;
    let last = (high / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// One segment of a stacked bar.
#[derive(Debug, Clone)]
pub struct Segment {
    pub label: String,
    /// 0–1.
    pub share: f64,
    /// A class from `kindred.css` (`mix-0` … `mix-3`) so colours live in the stylesheet.
    pub class: &'static str,
}

/// A horizontal bar split into shares, with a text legend.
#[derive(Template)]
#[template(path = "_stacked_bar.html")]
pub struct StackedBar {
    pub title: String,
    pub segments: Vec<PlacedSegment>,
}

#[derive(Debug, Clone)]
pub struct PlacedSegment {
    pub label: String,
    pub percent: String,
    pub class: &'static str,
    pub x: String,
    pub width: String,
}

impl StackedBar {
    /// Lays out segments left to right across a 100-unit-wide bar.
    pub fn new(title: impl Into<String>, segments: &[Segment]) -> Self {
        let total: f64 = segments.iter().map(|s| s.share.max(0.0)).sum();
        let mut x = 0.0;
        let placed = segments
            .iter()
            .map(|s| {
                let width = if total > 0.0 { 100.0 * s.share.max(0.0) / total } else { 0.0 };
                let segment = PlacedSegment {
                    label: s.label.clone(),
                    percent: percent(Some(s.share)),
                    class: s.class,
                    x: format!("{x:.2}"),
                    width: format!("{width:.2}"),
                };
                x += width;
                segment
            })
            .collect();
        Self { title: title.into(), segments: placed }
    }

    /// The SVG and legend as HTML (empty if rendering fails, which it cannot for these types).
    pub fn html(&self) -> String {
        self.render().unwrap_or_default()
    }
}

/// "75%" or "–" when there is nothing to divide.
pub fn percent(share: Option<f64>) -> String {
    match share {
        Some(s) if s.is_finite() => format!("{:.0}%", 100.0 * s),
        _ => "–".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ticks_are_round_and_inside_the_range() {
        assert_eq!(linear_ticks(0.0, 365.0, 5), vec![0.0, 100.0, 200.0, 300.0]);
        let ticks: Vec<String> =
            linear_ticks(-0.3, 0.2, 5).iter().map(|t| format!("{t:.1}")).collect();
        assert_eq!(ticks, ["-0.3", "-0.2", "-0.1", "0.0", "0.1", "0.2"]);
        assert_eq!(linear_ticks(0.0, 1.0, 4), vec![0.0, 0.5, 1.0]);
    }

    #[test]
    fn segments_fill_the_bar_in_proportion_and_label_themselves() {
        let bar = StackedBar::new(
            "Support mix",
            &[
                Segment { label: "Emotional".into(), share: 0.75, class: "mix-0" },
                Segment { label: "Instrumental".into(), share: 0.25, class: "mix-2" },
            ],
        );
        assert_eq!(bar.segments[1].x, "75.00");
        assert_eq!(bar.segments[1].width, "25.00");
        let html = bar.html();
        assert!(html.contains("<title") && html.contains("Emotional 75%"), "{html}");
        assert_eq!(percent(None), "–");
    }
}
