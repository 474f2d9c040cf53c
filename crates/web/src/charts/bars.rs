//! Horizontal grouped bars: one group per category (a month, a support kind, an activity),
//! one bar per plotted series, each coloured from the Okabe–Ito palette ([`ARM_STYLES`]) with
//! its value written beside it, a legend, and the same figures (with any unplotted columns,
//! such as minutes beside contacts) in a table below. Horizontal, so long labels read on a
//! 390-pixel phone; colours are attributes, so the chart looks the same in the app and in a
//! self-contained report.

use askama::Template;

use super::ARM_STYLES;

/// The widest bar, leaving room for its value.
const BAR_SPACE: f64 = 290.0;
const LABEL: f64 = 14.0;
const BAR: f64 = 10.0;
const GAP: f64 = 2.0;
const GROUP_GAP: f64 = 8.0;
const LEGEND: f64 = 18.0;

#[derive(Template)]
#[template(path = "_bars.html")]
pub struct BarChart {
    id: String,
    title: String,
    desc: String,
    category: String,
    columns: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
    height: String,
    legend: Vec<LegendEntry>,
    labels: Vec<(String, String)>,
    bars: Vec<PlacedBar>,
}

struct LegendEntry {
    x: String,
    text_x: String,
    colour: &'static str,
    name: String,
}

struct PlacedBar {
    y: String,
    width: String,
    colour: &'static str,
    value_x: String,
    value_y: String,
    value: String,
}

impl BarChart {
    /// `columns` names each value of a row; the first `plotted` are drawn, all are tabled.
    pub fn new(
        id: &str,
        title: &str,
        category: &str,
        columns: &[&str],
        rows: &[(String, Vec<u64>)],
        plotted: usize,
    ) -> Self {
        let plotted = plotted.min(columns.len()).max(1);
        let max = rows.iter().flat_map(|(_, v)| v.iter().take(plotted)).copied().max().unwrap_or(0);
        let scale = if max > 0 { BAR_SPACE / max as f64 } else { 0.0 };
        let mut y = LEGEND;
        let mut labels = Vec::new();
        let mut bars = Vec::new();
        for (label, values) in rows {
            labels.push((format!("{:.1}", y + LABEL - 4.0), label.clone()));
            y += LABEL;
            for (j, value) in values.iter().take(plotted).enumerate() {
                let width = *value as f64 * scale;
                bars.push(PlacedBar {
                    y: format!("{y:.1}"),
                    width: format!("{width:.1}"),
                    colour: ARM_STYLES[j % ARM_STYLES.len()].colour,
                    value_x: format!("{:.1}", width + 3.0),
                    value_y: format!("{:.1}", y + BAR - 2.0),
                    value: value.to_string(),
                });
                y += BAR + GAP;
            }
            y += GROUP_GAP;
        }
        let legend = columns
            .iter()
            .take(plotted)
            .enumerate()
            .map(|(j, name)| LegendEntry {
                x: format!("{:.1}", j as f64 * 120.0),
                text_x: format!("{:.1}", j as f64 * 120.0 + 14.0),
                colour: ARM_STYLES[j % ARM_STYLES.len()].colour,
                name: (*name).to_owned(),
            })
            .collect();
        let desc = describe(category, columns.first().copied().unwrap_or(""), rows);
        BarChart {
            id: id.to_owned(),
            title: title.to_owned(),
            desc,
            category: category.to_owned(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: rows
                .iter()
                .map(|(label, v)| (label.clone(), v.iter().map(u64::to_string).collect()))
                .collect(),
            height: format!("{:.0}", y.max(LEGEND + LABEL)),
            legend,
            labels,
            bars,
        }
    }

    pub fn html(&self) -> String {
        self.render().unwrap_or_default()
    }
}

/// "12 months; most enrolled: March 2026 (4). The table lists every figure."
fn describe(category: &str, first: &str, rows: &[(String, Vec<u64>)]) -> String {
    let most = rows
        .iter()
        .filter_map(|(label, v)| v.first().map(|n| (label, *n)))
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n);
    let category = category.to_lowercase();
    match most {
        None => format!("Nothing recorded in the period for any {category}."),
        Some((label, n)) => format!(
            "{} rows by {category}; the most {}: {label} ({n}). The table lists every figure.",
            rows.len(),
            first.to_lowercase()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_the_table_keeps_every_column() {
        let rows =
            vec![("Emotional".to_owned(), vec![4, 120]), ("Informational".to_owned(), vec![2, 30])];
        let chart =
            BarChart::new("kinds", "By kind", "Support kind", &["Contacts", "Minutes"], &rows, 1);
        assert_eq!(chart.bars.len(), 2);
        assert_eq!(
            (chart.bars[0].width.as_str(), chart.bars[1].width.as_str()),
            ("290.0", "145.0")
        );
        assert_eq!(chart.bars[0].colour, ARM_STYLES[0].colour);
        let html = chart.html();
        assert!(html.contains("<title id=\"kinds-title\">By kind</title>"), "{html}");
        assert!(html.contains("<td>120</td>"), "{html}");
        assert!(chart.desc.contains("Emotional (4)"), "{}", chart.desc);
    }
}
