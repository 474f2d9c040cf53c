//! A number shown on a results page or in a report, marked up with where it comes from:
//! `<data value="1.53" data-path="/outcomes/0/…/estimate">1.53</data>`. The value is the
//! exact number of the study's JSON document (the analysis at `/api/v1/studies/{id}/analysis`,
//! or the flow at `…/flow`), the path its JSON pointer there, so a reader can trace a figure
//! and a test can check every one of them against the API.

use std::fmt;

/// Which of the study's JSON documents a figure is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `/api/v1/studies/{id}/analysis`, below its `analysis` member.
    Analysis,
    /// `/api/v1/studies/{id}/flow`.
    Flow,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// What the reader sees.
    text: String,
    /// The exact value, as JSON writes it.
    value: String,
    path: String,
    source: Source,
    /// What the value is multiplied by to give the text (100 for a percentage, 0.01 for
    /// cents shown in dollars); 1 when absent.
    scale: Option<&'static str>,
}

impl Figure {
    fn new(source: Source, path: impl Into<String>, value: String, text: String) -> Self {
        Self { text, value, path: path.into(), source, scale: None }
    }

    /// An estimate, a bound or a mean: two decimals, or three for small ones.
    pub fn number(path: impl Into<String>, value: f64) -> Self {
        Self::new(Source::Analysis, path, value.to_string(), number(value))
    }

    /// A count of participants, contacts or events.
    pub fn count(path: impl Into<String>, count: usize) -> Self {
        Self::new(Source::Analysis, path, count.to_string(), count.to_string())
    }

    /// A count of the study's flow.
    pub fn flow(path: impl Into<String>, count: usize) -> Self {
        Self::new(Source::Flow, path, count.to_string(), count.to_string())
    }

    /// A share (0–1) shown as a percentage with one decimal.
    pub fn percent(path: impl Into<String>, share: f64) -> Self {
        let mut figure =
            Self::new(Source::Analysis, path, share.to_string(), format!("{:.1}%", 100.0 * share));
        figure.scale = Some("100");
        figure
    }

    /// An amount in cents shown in whole dollars.
    pub fn dollars(path: impl Into<String>, cents: f64) -> Self {
        let mut figure = Self::new(Source::Analysis, path, cents.to_string(), dollars(cents));
        figure.scale = Some("0.01");
        figure
    }

    /// A p-value: three decimals, or "< 0.001".
    pub fn p_value(path: impl Into<String>, p: f64) -> Self {
        let text = if p < 0.001 { "< 0.001".to_owned() } else { format!("{p:.3}") };
        Self::new(Source::Analysis, path, p.to_string(), text)
    }

    /// A number of days, whole.
    pub fn days(path: impl Into<String>, days: f64) -> Self {
        Self::new(Source::Analysis, path, days.to_string(), format!("{days:.0}"))
    }

    /// The text alone, for a figure that is not a number of the document.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Figure {
    /// The `<data>` element, its text escaped (the path and value are digits, letters and
    /// `/_.-`, but are escaped all the same).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let attribute = match self.source {
            Source::Analysis => "data-path",
            Source::Flow => "data-flow",
        };
        write!(
            f,
            "<data value=\"{}\" {attribute}=\"{}\"",
            escape(&self.value),
            escape(&self.path)
        )?;
        if let Some(scale) = self.scale {
            write!(f, " data-scale=\"{scale}\"")?;
        }
        write!(f, ">{}</data>", escape(&self.text))
    }
}

/// Two decimals for figures near 1, three for small ones, so a risk difference of 0.004 does
/// not read as 0.00.
pub fn number(value: f64) -> String {
    if value != 0.0 && value.abs() < 0.1 { format!("{value:.3}") } else { format!("{value:.2}") }
}

/// "95%" from a confidence level of 0.95.
pub fn confidence_level(level: f64) -> String {
    format!("{}%", (level * 100.0).round())
}

/// The text with its first letter in upper case (a sentence made from a phrase).
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// "$1,234" from cents (a negative amount as "−$56").
pub fn dollars(cents: f64) -> String {
    let whole = (cents / 100.0).round();
    let digits = format!("{:.0}", whole.abs());
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if whole < 0.0 { format!("−${grouped}") } else { format!("${grouped}") }
}

/// Escapes text for HTML assembled in Rust around figures (the rest goes through templates).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_carries_its_exact_value_and_path_and_escapes_its_text() {
        let figure = Figure::p_value("/outcomes/0/x/p_value", 0.000_123_4);
        assert_eq!(
            figure.to_string(),
            "<data value=\"0.0001234\" data-path=\"/outcomes/0/x/p_value\">&lt; 0.001</data>"
        );
        let share = Figure::percent("/baseline/rows/0/arms/1/mean", 0.456).to_string();
        assert!(share.contains("data-scale=\"100\">45.6%<"), "{share}");
        assert_eq!(Figure::flow("/arms/0/lost", 3).to_string().matches("data-flow").count(), 1);
    }

    #[test]
    fn dollars_are_grouped_and_signed() {
        assert_eq!(dollars(123_456_789.0), "$1,234,568");
        assert_eq!(dollars(-5_600.0), "−$56");
        assert_eq!(dollars(0.0), "$0");
        assert_eq!(number(0.004_2), "0.004");
        assert_eq!(number(1.5), "1.50");
    }
}
