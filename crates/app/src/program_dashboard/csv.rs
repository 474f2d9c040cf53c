//! The dashboard's figures as CSV: one file, one row per figure, item and measure
//! (`figure,item,measure,value`), so a funder's spreadsheet can filter on `figure`; the
//! dashboard offers each figure's rows alone (`figure=<name>`). Written with the `csv` crate,
//! which quotes what needs quoting (a program named "Peers, together" stays one field).

use kindred_domain::programs::costs::format_amount;
use kindred_domain::vocabulary::Vocabulary;

use super::{ProgramDashboard, RateFigures};
use crate::follow_up_rates::TARGET_RATE;
use crate::{AppError, Result};

/// The figures, by the name the CSV and its links use, with their titles.
pub const FIGURES: [(&str, &str); 7] = [
    ("enrolment", "Enrolled and active participants by month"),
    ("support_kinds", "Contacts and minutes by support kind"),
    ("activities", "Contacts and minutes by activity"),
    ("follow_up", "Follow-up rate by time point"),
    ("fidelity", "Fidelity"),
    ("outcomes", "Outcome events by kind"),
    ("cost", "Cost"),
];

/// Whether `name` is one of [`FIGURES`].
pub fn is_figure(name: &str) -> bool {
    FIGURES.iter().any(|(n, _)| *n == name)
}

/// One CSV row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    pub figure: &'static str,
    pub item: String,
    pub measure: &'static str,
    pub value: String,
}

/// Every figure's rows, in [`FIGURES`] order.
pub fn rows(d: &ProgramDashboard) -> Vec<CsvRow> {
    let mut out = Vec::new();
    let mut push = |figure: &'static str, item: &str, measure: &'static str, value: String| {
        out.push(CsvRow { figure, item: item.to_owned(), measure, value });
    };
    for m in &d.months {
        push("enrolment", &m.label(), "Enrolled", m.enrolled.to_string());
        push("enrolment", &m.label(), "Active", m.active.to_string());
    }
    push("enrolment", "Whole period", "Enrolled", d.enrolled.to_string());
    push("enrolment", "Whole period", "Active", d.active.to_string());
    for (kind, dose) in &d.dose.by_support_kind {
        push("support_kinds", kind.label(), "Contacts", dose.contacts.to_string());
        push("support_kinds", kind.label(), "Minutes", dose.minutes.to_string());
    }
    push("support_kinds", "All contacts", "Contacts", d.dose.total.contacts.to_string());
    push("support_kinds", "All contacts", "Minutes", d.dose.total.minutes.to_string());
    for (activity, dose) in &d.dose.by_activity {
        push("activities", activity.label(), "Contacts", dose.contacts.to_string());
        push("activities", activity.label(), "Minutes", dose.minutes.to_string());
    }
    for rate in d.follow_up_by_time_point.iter().chain([&d.follow_up]) {
        rate_rows(rate, &mut push);
    }
    let f = &d.fidelity;
    push("fidelity", "Protocol steps", "On time", f.steps.on_time.to_string());
    push("fidelity", "Protocol steps", "Late", f.steps.late.to_string());
    push("fidelity", "Protocol steps", "Missed", f.steps.missed.to_string());
    push("fidelity", "Protocol steps", "Not due yet", f.steps.pending.to_string());
    push("fidelity", "Protocol steps", "Share on time", share(f.steps.share_on_time()));
    push("fidelity", "Dose", "Contacts", f.dose.total.contacts.to_string());
    push("fidelity", "Dose", "Minutes", f.dose.total.minutes.to_string());
    push("fidelity", "Dose", "Participants reached", f.dose.participants_reached.to_string());
    let caseload = f.caseload.as_ref().map_or(0, |c| c.current);
    push("fidelity", "Caseload", "Active participants with a coach", caseload.to_string());
    let first = &f.first_contact;
    let median = first.median_days.map(|d| format!("{d:.1}")).unwrap_or_default();
    push("fidelity", "Time to first contact", "Median days", median);
    push("fidelity", "Time to first contact", "Contacted", first.contacted.to_string());
    push(
        "fidelity",
        "Time to first contact",
        "Not yet contacted",
        first.not_yet_contacted.to_string(),
    );
    for (kind, n) in &d.outcomes {
        push("outcomes", kind.label(), "Events", n.to_string());
    }
    if let Some(c) = &d.cost {
        let amount = |cents: Option<i64>| cents.map(format_amount).unwrap_or_default();
        push("cost", "Cost", "Total", format_amount(c.total_cents));
        push("cost", "Cost", "Per participant reached", amount(c.per_participant_cents));
        push("cost", "Cost", "Per contact", amount(c.per_contact_cents));
        push("cost", "Cost", "Participants reached", c.participants.to_string());
        push("cost", "Cost", "Contacts", c.contacts.to_string());
    }
    out
}

fn rate_rows(rate: &RateFigures, push: &mut impl FnMut(&'static str, &str, &'static str, String)) {
    let r = &rate.rate;
    push("follow_up", &rate.label, "Completed in window", r.completed_in_window.to_string());
    push("follow_up", &rate.label, "Due", r.due().to_string());
    push("follow_up", &rate.label, "Rate", share(r.rate()));
    let (lower, upper) = rate.interval.map_or((None, None), |(l, u)| (Some(l), Some(u)));
    push("follow_up", &rate.label, "95% CI lower (Wilson)", share(lower));
    push("follow_up", &rate.label, "95% CI upper (Wilson)", share(upper));
    push("follow_up", &rate.label, "Target", share(Some(TARGET_RATE)));
}

/// A proportion to four places (`0.6667`), blank when there is none.
fn share(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.4}")).unwrap_or_default()
}

/// The CSV file of every figure, or of one (`figure` names one of [`FIGURES`]).
pub fn write(d: &ProgramDashboard, figure: Option<&str>) -> Result<Vec<u8>> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let internal = |e: ::csv::Error| AppError::Internal(Box::new(e));
    writer.write_record(["figure", "item", "measure", "value"]).map_err(internal)?;
    for row in rows(d).iter().filter(|r| figure.is_none_or(|f| f == r.figure)) {
        writer
            .write_record([row.figure, row.item.as_str(), row.measure, row.value.as_str()])
            .map_err(internal)?;
    }
    writer.into_inner().map_err(|e| AppError::Internal(Box::new(e.into_error())))
}
