//! Reports a person hands on: each one self-contained HTML file (inline CSS and SVG, no
//! script) that reads on a phone and prints to a clean PDF, served by a page and written by
//! `kindred report`.

mod evaluation;

pub use evaluation::EvaluationReport;

/// The reports' stylesheet, inlined into each report so the file stands alone.
pub(crate) const CSS: &str = include_str!("report.css");
