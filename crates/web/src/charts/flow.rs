//! A study's CONSORT-style flow as SVG: enrolment at the top (assessed, with the excluded
//! branching off), then each arm's allocation, follow-up and analysis, one arm under another
//! so the boxes stay wide enough to read on a 390-pixel phone. The template escapes every
//! label and shows the same numbers as a table below the picture.

use askama::Template;
use kindred_app::studies::{FlowCounts, StudyFlow};

use crate::figure::Figure;

/// The SVG's width in viewBox units: about a phone's width, so text at 11 units reads at
/// roughly 11 pixels there and scales up on wider screens.
const WIDTH: f64 = 360.0;
const LINE: f64 = 15.0;
const PAD: f64 = 8.0;
const GAP: f64 = 22.0;
/// The spine's x, from which the excluded box branches to the right.
const SPINE: f64 = 24.0;
/// The rail from which the arms branch, when they are shown.
const RAIL: f64 = 10.0;
/// Characters per line in a box (11-unit text in a box of about 300 units).
const WRAP: usize = 46;

#[derive(Template)]
#[template(path = "_flow.html")]
pub struct FlowChart {
    /// Unique within the page, for `aria-labelledby` and the arrow marker.
    pub id: String,
    pub title: String,
    pub description: String,
    pub height: String,
    pub boxes: Vec<PlacedBox>,
    pub arrows: Vec<Arrow>,
    pub rails: Vec<Arrow>,
    /// The table fallback: enrolment, then one column per arm (or all arms together), each
    /// count traced to the flow's JSON.
    pub enrolment: Vec<(String, Figure)>,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<Figure>)>,
}

#[derive(Debug, Clone)]
pub struct PlacedBox {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub class: &'static str,
    pub lines: Vec<PlacedLine>,
}

#[derive(Debug, Clone)]
pub struct PlacedLine {
    pub x: String,
    pub y: String,
    pub text: String,
    /// The first line of a box is its heading.
    pub heading: bool,
}

#[derive(Debug, Clone)]
pub struct Arrow {
    pub x1: String,
    pub y1: String,
    pub x2: String,
    pub y2: String,
}

/// Lays out boxes top to bottom.
struct Layout {
    y: f64,
    boxes: Vec<PlacedBox>,
    arrows: Vec<Arrow>,
    /// Lines without an arrowhead.
    rails: Vec<Arrow>,
}

impl Layout {
    /// A box of `lines` (each wrapped) at `x` of `width`; returns its top and bottom.
    fn place(&mut self, x: f64, width: f64, class: &'static str, lines: &[String]) -> (f64, f64) {
        let top = self.y;
        let mut placed = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            for (j, part) in wrap(line, WRAP).into_iter().enumerate() {
                let n = placed.len() as f64;
                placed.push(PlacedLine {
                    x: format!("{:.1}", x + PAD),
                    y: format!("{:.1}", top + PAD + 11.0 + n * LINE),
                    text: part,
                    heading: i == 0 && j == 0,
                });
            }
        }
        let height = 2.0 * PAD + placed.len() as f64 * LINE - 4.0;
        self.boxes.push(PlacedBox {
            x: format!("{x:.1}"),
            y: format!("{top:.1}"),
            width: format!("{width:.1}"),
            height: format!("{height:.1}"),
            class,
            lines: placed,
        });
        self.y = top + height;
        (top, top + height)
    }

    fn arrow(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64)) {
        self.arrows.push(Arrow {
            x1: format!("{x1:.1}"),
            y1: format!("{y1:.1}"),
            x2: format!("{x2:.1}"),
            y2: format!("{y2:.1}"),
        });
    }

    /// A downward arrow from the current bottom to the next box, at `x`.
    fn down(&mut self, x: f64) {
        let from = self.y;
        self.y += GAP;
        self.arrow((x, from), (x, self.y - 1.0));
    }
}

/// Greedy word wrap at `width` characters (a longer word keeps its own line).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    lines.push(current);
    lines
}

fn n(label: &str, count: usize) -> String {
    format!("{label} (n = {count})")
}

impl FlowChart {
    pub fn new(id: &str, flow: &StudyFlow) -> Self {
        let mut layout =
            Layout { y: 1.0, boxes: Vec::new(), arrows: Vec::new(), rails: Vec::new() };
        let full = WIDTH - 2.0;
        layout.place(1.0, full, "flow-box", &[n("Assessed for eligibility", flow.assessed)]);
        // The spine runs from the assessed box past the excluded branch to the allocation.
        let spine_top = layout.y;
        layout.y += GAP;
        let mut excluded = vec![n("Excluded", flow.excluded)];
        excluded.extend(flow.exclusions.iter().map(|(reason, count)| format!("{reason}: {count}")));
        let branch_x = SPINE + 26.0;
        let (top, _) =
            layout.place(branch_x, WIDTH - branch_x - 1.0, "flow-box flow-excluded", &excluded);
        layout.arrow((SPINE, top + PAD + 7.0), (branch_x - 1.0, top + PAD + 7.0));
        let spine_bottom = layout.y + GAP - 1.0;
        layout.arrow((SPINE, spine_top), (SPINE, spine_bottom));
        layout.y += GAP;
        let outcome = flow.primary_outcome.as_deref().unwrap_or("the primary outcome");
        let mut columns = Vec::new();
        // Each column's counts, with the pointer of its counts in the flow's JSON.
        let mut counts: Vec<(FlowCounts, String)> = Vec::new();
        let groups: Vec<(String, FlowCounts, String)> = match &flow.arms {
            Some(arms) => arms
                .iter()
                .enumerate()
                .map(|(i, a)| (a.name.clone(), a.counts, format!("/arms/{i}")))
                .collect(),
            None => vec![("all arms together".to_owned(), flow.total, "/total".to_owned())],
        };
        // By arm: an allocation box, then a rail down the left from which each arm's column
        // (stacked, one under another) branches; pooled, the one column follows the spine.
        let (x, spine, rail_top) = if flow.arms.is_some() {
            layout.place(1.0, full, "flow-box", &[n("Allocated", flow.total.allocated)]);
            let top = layout.y;
            layout.y += GAP;
            (RAIL + 12.0, RAIL + 12.0 + SPINE, Some(top))
        } else {
            (1.0, SPINE, None)
        };
        let width = WIDTH - x - 1.0;
        let mut rail_bottom = None;
        for (i, (name, c, at)) in groups.iter().enumerate() {
            if i > 0 {
                layout.y += GAP;
            }
            let allocation = match &flow.arms {
                Some(_) => n(&format!("Allocated to {name}"), c.allocated),
                None => n("Enrolled, all arms together", c.allocated),
            };
            let (top, _) = layout.place(
                x,
                width,
                "flow-box",
                &[
                    allocation,
                    n("Received the allocated support", c.received),
                    n("Did not receive it", c.allocated - c.received.min(c.allocated)),
                ],
            );
            if rail_top.is_some() {
                let at = top + PAD + 7.0;
                layout.arrow((RAIL, at), (x - 1.0, at));
                rail_bottom = Some(at);
            }
            layout.down(spine);
            layout.place(
                x,
                width,
                "flow-box",
                &[
                    n("Follow-up", c.allocated),
                    n("Lost to follow-up", c.lost),
                    n("Withdrew", c.withdrew),
                    n("Followed to the data cut-off", c.followed),
                ],
            );
            layout.down(spine);
            layout.place(
                x,
                width,
                "flow-box",
                &[
                    n("Analysed", c.analysed),
                    format!("for {outcome}"),
                    n("Outcome missing", c.missing),
                ],
            );
            columns.push(name.clone());
            counts.push((*c, at.clone()));
        }
        if let (Some(top), Some(bottom)) = (rail_top, rail_bottom) {
            layout.rails.push(Arrow {
                x1: format!("{RAIL:.1}"),
                y1: format!("{top:.1}"),
                x2: format!("{RAIL:.1}"),
                y2: format!("{bottom:.1}"),
            });
        }
        let row = |label: &str, field: &str, pick: fn(&FlowCounts) -> usize| {
            let figures = counts
                .iter()
                .map(|(c, at)| Figure::flow(format!("{at}/{field}"), pick(c)))
                .collect::<Vec<_>>();
            (label.to_owned(), figures)
        };
        let rows = vec![
            row("Allocated", "allocated", |c| c.allocated),
            row("Received the allocated support", "received", |c| c.received),
            row("Lost to follow-up", "lost", |c| c.lost),
            row("Withdrew", "withdrew", |c| c.withdrew),
            row("Followed to the data cut-off", "followed", |c| c.followed),
            row("Analysed", "analysed", |c| c.analysed),
            row("Outcome missing", "missing", |c| c.missing),
        ];
        let mut enrolment = vec![
            ("Assessed for eligibility".to_owned(), Figure::flow("/assessed", flow.assessed)),
            ("Excluded".to_owned(), Figure::flow("/excluded", flow.excluded)),
        ];
        enrolment.extend(flow.exclusions.iter().enumerate().map(|(k, (r, c))| {
            (format!("Excluded: {r}"), Figure::flow(format!("/exclusions/{k}/count"), *c))
        }));
        let t = &flow.total;
        let description = format!(
            "{} assessed for eligibility, {} excluded; {} allocated{}, {} received the allocated \
             support, {} lost to follow-up, {} withdrew, {} analysed for {outcome} ({} missing), \
             counted up to {}.",
            flow.assessed,
            flow.excluded,
            t.allocated,
            match &flow.arms {
                Some(arms) => format!(
                    " ({})",
                    arms.iter()
                        .map(|a| format!("{}: {}", a.name, a.counts.allocated))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => String::new(),
            },
            t.received,
            t.lost,
            t.withdrew,
            t.analysed,
            t.missing,
            flow.data_cut_off,
        );
        Self {
            id: id.to_owned(),
            title: "Flow of participants through the study".to_owned(),
            description,
            height: format!("{:.0}", layout.y + 2.0),
            boxes: layout.boxes,
            arrows: layout.arrows,
            rails: layout.rails,
            enrolment,
            columns,
            rows,
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
    use kindred_app::studies::ArmFlow;
    use time::macros::date;

    use super::*;

    fn counts(allocated: usize, lost: usize, withdrew: usize) -> FlowCounts {
        FlowCounts {
            allocated,
            received: allocated - 1,
            followed: allocated - lost - withdrew,
            lost,
            withdrew,
            analysed: allocated - 2,
            missing: 2,
        }
    }

    #[test]
    fn every_label_is_escaped_and_every_arm_has_its_boxes_and_column() {
        let arm = |code: &str, name: &str, c| ArmFlow {
            code: code.to_owned(),
            name: name.to_owned(),
            counts: c,
        };
        let flow = StudyFlow {
            data_cut_off: date!(2026 - 06 - 30),
            assessed: 30,
            excluded: 4,
            exclusions: vec![("Setting is <b>elsewhere</b> & more".to_owned(), 4)],
            total: counts(26, 3, 2),
            primary_outcome: Some("Admission \"within\" 30 days".to_owned()),
            arms: Some(vec![
                arm("a", "Usual <care>", counts(13, 1, 1)),
                arm("b", "Peer & friends", counts(13, 2, 1)),
            ]),
        };
        let html = FlowChart::new("f", &flow).html();
        assert!(
            html.contains("Usual &#60;care&#62;") || html.contains("Usual &lt;care&gt;"),
            "{html}"
        );
        assert!(!html.contains("<care>") && !html.contains("<b>"), "{html}");
        assert!(!html.contains("Peer & friends"), "an unescaped ampersand: {html}");
        // Assessed, excluded, allocated, and three boxes per arm.
        assert_eq!(html.matches("<rect").count(), 3 + 3 * 2, "{html}");
        // Stage and count of the enrolment table; stage and each arm of the other.
        assert_eq!(html.matches("<th scope=\"col\">").count(), 2 + 3, "{html}");
        assert!(html.contains("aria-labelledby=\"f-title f-desc\""), "{html}");
    }

    #[test]
    fn words_wrap_at_the_width_and_long_words_keep_their_line() {
        assert_eq!(wrap("a bb ccc", 4), vec!["a bb", "ccc"]);
        assert_eq!(wrap("abcdefgh ij", 4), vec!["abcdefgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
    }
}
