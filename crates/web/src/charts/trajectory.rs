//! Score trajectories: one instrument's headline score over time for one participant, as a
//! small SVG with the interpretation bands shaded behind the line. The chart has a title and
//! a description, and the template shows the same figures as a table, so nothing depends on
//! seeing the picture.

use askama::Template;
use kindred_domain::instruments::bands::applicable_bands;
use kindred_domain::instruments::{InstrumentDefinition, Sex};
use time::Date;

use super::Tick;

/// Plot area inside the SVG's 320 × 170 viewBox (left margin for the axis labels).
const LEFT: f64 = 34.0;
const RIGHT: f64 = 312.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 150.0;

/// One completed administration.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub on: Date,
    pub score: f64,
    pub band: Option<String>,
}

#[derive(Template)]
#[template(path = "_trajectory.html")]
pub struct Trajectory {
    /// Unique within the page, for `aria-labelledby`.
    pub id: String,
    pub title: String,
    pub description: String,
    pub bands: Vec<BandStripe>,
    pub points: Vec<PlacedPoint>,
    /// The polyline's `points` attribute.
    pub line: String,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
}

#[derive(Debug, Clone)]
pub struct BandStripe {
    pub label: String,
    pub class: String,
    pub y: String,
    pub height: String,
    /// Where the band's label sits.
    pub label_y: String,
}

#[derive(Debug, Clone)]
pub struct PlacedPoint {
    pub x: String,
    pub y: String,
    pub on: String,
    pub score: String,
    pub band: String,
}

impl Trajectory {
    /// The chart of `points` (oldest first) on `definition`'s headline scale, or `None` when
    /// there is nothing to plot. `sex` picks the cut-offs of instruments that have
    /// sex-specific ones (AUDIT-C), as the scores were banded.
    pub fn new(
        id: &str,
        definition: &InstrumentDefinition,
        points: &[Point],
        sex: Option<Sex>,
    ) -> Option<Self> {
        let scale = definition.scoring.scales.first()?;
        if points.is_empty() || scale.max <= scale.min {
            return None;
        }
        let (low, high) = (scale.min, scale.max);
        let y_of =
            |value: f64| BOTTOM - (value.clamp(low, high) - low) / (high - low) * (BOTTOM - TOP);
        let first = points.first()?.on;
        let last = points.last()?.on;
        let span = (last - first).whole_days().max(1) as f64;
        let x_of = |on: Date| {
            if points.len() == 1 {
                (LEFT + RIGHT) / 2.0
            } else {
                LEFT + (on - first).whole_days() as f64 / span * (RIGHT - LEFT)
            }
        };
        let (bands, _) = applicable_bands(scale, sex);
        let stripes = bands
            .iter()
            .enumerate()
            .map(|(i, band)| {
                let upper = bands.get(i + 1).map_or(high, |next| next.min);
                let (top, bottom) = (y_of(upper), y_of(band.min.max(low)));
                BandStripe {
                    label: band.label.clone(),
                    class: format!("band-{}", i.min(4)),
                    y: format!("{top:.1}"),
                    height: format!("{:.1}", (bottom - top).max(0.0)),
                    label_y: format!("{:.1}", top + 10.0),
                }
            })
            .collect();
        let placed: Vec<PlacedPoint> = points
            .iter()
            .map(|p| PlacedPoint {
                x: format!("{:.1}", x_of(p.on)),
                y: format!("{:.1}", y_of(p.score)),
                on: p.on.to_string(),
                score: number(p.score),
                band: p.band.clone().unwrap_or_default(),
            })
            .collect();
        let line = placed.iter().map(|p| format!("{},{}", p.x, p.y)).collect::<Vec<_>>().join(" ");
        let y_ticks = [low, (low + high) / 2.0, high]
            .iter()
            .map(|v| Tick { at: format!("{:.1}", y_of(*v)), label: number(*v) })
            .collect();
        let mut x_ticks =
            vec![Tick { at: format!("{:.1}", x_of(first)), label: first.to_string() }];
        if last != first {
            x_ticks.push(Tick { at: format!("{:.1}", x_of(last)), label: last.to_string() });
        }
        let latest = points.last()?;
        let description = format!(
            "{} administrations from {first} to {last}; latest score {}{} (range {}–{}, {}).",
            points.len(),
            number(latest.score),
            latest.band.as_ref().map(|b| format!(", {b}")).unwrap_or_default(),
            number(low),
            number(high),
            match scale.direction {
                kindred_domain::instruments::definition::Direction::HigherIsBetter =>
                    "higher is better",
                kindred_domain::instruments::definition::Direction::HigherIsWorse =>
                    "higher is worse",
            }
        );
        Some(Self {
            id: id.to_owned(),
            title: format!("{} over time", scale.title),
            description,
            bands: stripes,
            points: placed,
            line,
            y_ticks,
            x_ticks,
        })
    }

    /// The SVG and its table as HTML (rendering these types cannot fail).
    pub fn html(&self) -> String {
        self.render().unwrap_or_default()
    }
}

/// A score as people write it: 12, 3.5, 4.25.
pub fn number(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn phq9() -> &'static InstrumentDefinition {
        kindred_domain::instruments::find("phq-9").expect("PHQ-9 ships")
    }

    #[test]
    fn points_are_placed_by_date_and_score_and_every_band_is_shaded() {
        let points = [
            Point { on: date!(2026 - 01 - 01), score: 27.0, band: Some("Severe".into()) },
            Point { on: date!(2026 - 01 - 11), score: 0.0, band: Some("Minimal".into()) },
        ];
        let chart = Trajectory::new("t", phq9(), &points, None).expect("a chart");
        assert_eq!(chart.points[0].x, "34.0");
        assert_eq!(chart.points[0].y, "8.0", "the maximum at the top");
        assert_eq!(chart.points[1].x, "312.0");
        assert_eq!(chart.points[1].y, "150.0", "the minimum at the bottom");
        assert_eq!(chart.bands.len(), 5);
        assert!(chart.description.contains("latest score 0, Minimal"));
        assert!(chart.description.contains("higher is worse"));
        let html = chart.html();
        assert!(html.contains("<title id=\"t-title\">"), "{html}");
        assert!(html.contains("<table"));
    }

    #[test]
    fn sex_specific_cut_offs_shade_where_the_scores_were_banded() {
        let audit_c = kindred_domain::instruments::find("audit-c").expect("AUDIT-C ships");
        let one = [Point { on: date!(2026 - 01 - 01), score: 3.0, band: None }];
        let boundary = |sex| {
            let chart = Trajectory::new("t", audit_c, &one, sex).expect("a chart");
            assert_eq!(chart.bands.len(), 2);
            chart.bands[0].y.clone()
        };
        // The positive band starts at 3 for women and at 4 for men: a higher stripe edge.
        assert_ne!(boundary(Some(Sex::Female)), boundary(Some(Sex::Male)));
        assert_eq!(boundary(Some(Sex::Female)), boundary(None));
    }

    #[test]
    fn a_single_point_sits_in_the_middle_and_nothing_is_no_chart() {
        let one = [Point { on: date!(2026 - 01 - 01), score: 12.5, band: None }];
        let chart = Trajectory::new("t", phq9(), &one, None).expect("a chart");
        assert_eq!(chart.points[0].x, "173.0");
        assert_eq!(chart.points[0].score, "12.5");
        assert!(Trajectory::new("t", phq9(), &[], None).is_none());
    }
}
