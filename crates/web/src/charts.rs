//! Charts as server-rendered SVG: readable without JavaScript, printable, and labelled for
//! screen readers (every chart carries its figures as text too).

use askama::Template;

pub mod flow;
pub mod trajectory;

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
