//! Reports a person hands on: each one self-contained HTML file (inline CSS and SVG, no
//! script) that reads on a phone and prints to a clean PDF, served by a page and written by
//! `kindred report`.

mod evaluation;

pub use evaluation::EvaluationReport;
pub(crate) use evaluation::{Baseline, baseline, finding};

/// The reports' stylesheet, inlined into each report so the file stands alone.
pub(crate) const CSS: &str = include_str!("report.css");

/// The Content-Security-Policy a served report carries: it runs no script and loads nothing,
/// its one stylesheet being inline.
pub(crate) const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
    script-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// A program's funder report over the dashboard's period: one self-contained HTML file, the
/// one `/programs/{id}/funder-report` serves.
pub fn funder(dashboard: &kindred_app::program_dashboard::ProgramDashboard) -> String {
    crate::pages::funder_report_html(dashboard)
}
