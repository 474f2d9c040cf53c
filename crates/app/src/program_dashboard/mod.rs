//! A program's dashboard and funder report (issue 12): enrolled and active participants by
//! month, contacts and minutes by support kind and activity, the follow-up rate per time point
//! with its Wilson interval against the 80 % target, the fidelity headline figures, outcome
//! events by kind and the cost per participant and per contact, over one period.
//!
//! One use case computes them ([`App::program_dashboard`]); the dashboard page, the funder
//! report and the CSV ([`csv`]) all render its result, so they cannot disagree. Every figure
//! is an aggregate query (rollups for the dose, see `kindred_storage::program_dashboard`), so
//! the cost is the same at 10 participants as at 10 000.

pub mod csv;

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::fidelity::{Dose, DoseProfile};
use kindred_domain::fields::optional_date;
use kindred_domain::follow_up::FollowUpRate;
use kindred_domain::ids::ProgramId;
use kindred_domain::programs::CostSettings;
use kindred_domain::vocabulary::{ContactMode, OutcomeEventKind, SupportKind, Vocabulary};
use kindred_storage::EnrolmentRow;
use time::{Date, Duration, Month};

use crate::audit::entry;
use crate::fidelity::{self, Figures};
use crate::follow_up_rates::TARGET_RATE;
use crate::programs::ProgramSummary;
use crate::studies::cost_of;
use crate::{Actor, App, AppError, Result};

/// The longest period a dashboard covers: ten years of months is already a long chart.
const MAX_YEARS: i32 = 10;

/// The confidence level of the follow-up rates' intervals.
pub const LEVEL: f64 = 0.95;

/// The period filter as typed (ISO dates; blank or absent takes the default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodFilter {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The period a dashboard covers, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DashboardPeriod {
    pub from: Date,
    pub to: Date,
}

impl DashboardPeriod {
    /// The period from the filter's `from` and `to` (ISO dates; blank takes the default):
    /// by default the last 12 months, from the first day of the month eleven months before
    /// `to`'s month through `to`, which defaults to today. Errors name the field.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        today: Date,
    ) -> std::result::Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let from = errors.check("from", optional_date(from));
        let to = errors.check("to", optional_date(to));
        let (Some(from), Some(to)) = (from, to) else {
            return Err(errors);
        };
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| months_before(first_of_month(to), 11));
        if to < from {
            errors.add("to", "must be on or after the start of the period");
        } else if to.year() - from.year() > MAX_YEARS {
            errors.add("from", format!("a period covers at most {MAX_YEARS} years"));
        }
        errors.into_result(|| Some(DashboardPeriod { from, to }))
    }

    /// The day after `to`: the exclusive end the storage reads take.
    pub fn end(&self) -> Date {
        self.to + Duration::days(1)
    }
}

/// Participants of one month of the period (clipped to the period at either end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthFigures {
    pub year: i32,
    pub month: Month,
    /// Enrolled during the month.
    pub enrolled: u32,
    /// In the program at some time during the month: enrolled by its end and not left
    /// before its start.
    pub active: u32,
}

impl MonthFigures {
    /// "March 2026".
    pub fn label(&self) -> String {
        format!("{} {}", self.month, self.year)
    }
}

/// A follow-up rate with its Wilson interval (`None` while nothing is due).
#[derive(Debug, Clone, PartialEq)]
pub struct RateFigures {
    pub label: String,
    pub rate: FollowUpRate,
    pub interval: Option<(f64, f64)>,
}

impl RateFigures {
    fn new(label: String, rate: FollowUpRate) -> Self {
        let interval = kindred_stats::proportions::wilson_interval(
            u64::from(rate.completed_in_window),
            u64::from(rate.due()),
            LEVEL,
        )
        .ok()
        .map(|p| (p.interval.lower, p.interval.upper));
        RateFigures { label, rate, interval }
    }

    /// Whether the rate reaches the funders' target.
    pub fn meets_target(&self) -> bool {
        self.rate.rate().is_some_and(|r| r >= TARGET_RATE)
    }
}

/// What the program's support cost in the period, from its cost settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostFigures {
    pub total_cents: i64,
    /// Participants reached (one contact or more in the period).
    pub participants: u32,
    pub contacts: u32,
    pub per_participant_cents: Option<i64>,
    pub per_contact_cents: Option<i64>,
}

/// Everything a program's dashboard, funder report and CSV show.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramDashboard {
    pub program: ProgramSummary,
    pub period: DashboardPeriod,
    pub today: Date,
    pub months: Vec<MonthFigures>,
    /// Enrolled during the period.
    pub enrolled: u32,
    /// In the program at some time during the period.
    pub active: u32,
    /// Contacts and minutes in the period; every support kind in the vocabulary's order
    /// (zeros included), the activities that occurred.
    pub dose: DoseProfile,
    /// The follow-up rate over everyone ever enrolled in the program, as of today (funders
    /// count them all), overall and per time point in schedule order.
    pub follow_up: RateFigures,
    pub follow_up_by_time_point: Vec<RateFigures>,
    pub fidelity: Figures,
    /// Every outcome event kind in the vocabulary's order with the events in the period.
    pub outcomes: Vec<(OutcomeEventKind, u32)>,
    /// `None` when the program sets no costs.
    pub cost: Option<CostFigures>,
}

impl App {
    /// A program's dashboard figures over the filter's period (managers only; see the
    /// policy). Whose program first: another organisation's is not found, whatever the dates.
    pub async fn program_dashboard(
        &self,
        actor: &Actor,
        program: ProgramId,
        filter: &PeriodFilter,
    ) -> Result<ProgramDashboard> {
        let scope = self.policy.program_dashboard(actor)?;
        let today = self.clock().today();
        let mut session = actor.tenant().read().await?;
        let stored = session.program_definition(program).await?.ok_or(AppError::NotFound)?;
        let period = DashboardPeriod::parse(filter.from.as_deref(), filter.to.as_deref(), today)?;
        let (from, end) = (period.from, period.end());
        let costs: CostSettings = stored.definition.costs.clone();
        drop(session);
        // The fidelity figures and the follow-up rates on connections of their own, beside
        // these aggregates, so the page waits for the slowest rather than their sum; each
        // takes its connections without holding another (see `fidelity::Raw::load`).
        let program_figures = async {
            let mut session = actor.tenant().read().await?;
            let summary = session.program(program).await?.ok_or(AppError::NotFound)?;
            let enrolments = session.program_enrolments(&scope, program, end).await?;
            let by_mode = session.program_dose_by_mode(&scope, program, from, end).await?;
            let events = session.program_outcome_events(&scope, program, from, end).await?;
            Ok::<_, AppError>((summary, enrolments, by_mode, events))
        };
        let ((summary, enrolments, by_mode, events), figures, rates) = tokio::try_join!(
            program_figures,
            fidelity::program_figures(actor, &scope, program, (from, end), today),
            self.follow_up_rates(actor, program),
        )?;

        let months = months(&period, &enrolments);
        let count = |keep: &dyn Fn(&EnrolmentRow) -> bool| -> u32 {
            clamp_u32(enrolments.iter().filter(|r| keep(r)).map(|r| r.participants).sum())
        };
        let enrolled = count(&|r| r.enrolled_on >= from);
        let active = count(&|r| r.left_on.is_none_or(|left| left >= from));
        let mut dose = figures.dose.clone();
        dose.by_support_kind = SupportKind::ALL
            .iter()
            .map(|kind| {
                let found = dose.by_support_kind.iter().find(|(k, _)| k == kind);
                (*kind, found.map_or(Dose::default(), |(_, d)| *d))
            })
            .collect();
        let outcomes = OutcomeEventKind::ALL
            .iter()
            .map(|kind| {
                let n = events.iter().filter(|e| e.key == *kind).map(|e| e.count).sum();
                (*kind, clamp_u32(n))
            })
            .collect();
        let modes: Vec<(ContactMode, kindred_evaluation::table::Dose)> = by_mode
            .iter()
            .map(|r| {
                let d = Dose { contacts: clamp_u32(r.count), minutes: clamp_u32(r.minutes) };
                (r.key, d.into())
            })
            .collect();
        let cost = cost_of(&costs, dose.total.into(), &modes).map(|total_cents| CostFigures {
            total_cents,
            participants: dose.participants_reached,
            contacts: dose.total.contacts,
            per_participant_cents: per(total_cents, dose.participants_reached),
            per_contact_cents: per(total_cents, dose.total.contacts),
        });
        let dashboard = ProgramDashboard {
            program: summary.into(),
            period,
            today,
            months,
            enrolled,
            active,
            dose,
            follow_up: RateFigures::new("All time points".into(), rates.overall),
            follow_up_by_time_point: rates
                .by_time_point
                .into_iter()
                .map(|(_, label, rate)| RateFigures::new(label, rate))
                .collect(),
            fidelity: figures,
            outcomes,
            cost,
        };
        let detail = format!("{}: {} to {}", dashboard.program.name, period.from, period.to);
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "program_dashboard", Some(program.to_string()), detail),
        )
        .await?;
        Ok(dashboard)
    }
}

/// Enrolled and active per month of the period, from the enrolment rows (one pass each).
fn months(period: &DashboardPeriod, rows: &[EnrolmentRow]) -> Vec<MonthFigures> {
    let mut months = Vec::new();
    let mut start = first_of_month(period.from);
    while start <= period.to {
        let next = months_before(start, -1);
        let (first, last) = (start.max(period.from), (next - Duration::days(1)).min(period.to));
        let mut month =
            MonthFigures { year: start.year(), month: start.month(), enrolled: 0, active: 0 };
        for r in rows {
            let n = clamp_u32(r.participants);
            if r.enrolled_on >= first && r.enrolled_on <= last {
                month.enrolled += n;
            }
            if r.enrolled_on <= last && r.left_on.is_none_or(|left| left >= first) {
                month.active += n;
            }
        }
        months.push(month);
        start = next;
    }
    months
}

fn first_of_month(d: Date) -> Date {
    d.replace_day(1).unwrap_or(d)
}

/// The first of the month `n` months before `first` (after it when `n` is negative).
fn months_before(first: Date, n: i32) -> Date {
    let index = first.year() * 12 + i32::from(u8::from(first.month())) - 1 - n;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    let month = u8::try_from(month).ok().and_then(|m| Month::try_from(m).ok());
    month.and_then(|m| Date::from_calendar_date(year, m, 1).ok()).unwrap_or(first)
}

/// `cents ÷ n`, rounded to the cent; `None` for no one.
fn per(cents: i64, n: u32) -> Option<i64> {
    (n > 0).then(|| (cents as f64 / f64::from(n)).round() as i64)
}

fn clamp_u32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn the_default_period_is_the_last_twelve_months() {
        let today = date!(2026 - 03 - 15);
        let period = DashboardPeriod::parse(None, Some(""), today).expect("valid");
        assert_eq!(period, DashboardPeriod { from: date!(2025 - 04 - 01), to: today });
    }

    #[test]
    fn bad_dates_name_their_field() {
        let today = date!(2026 - 03 - 15);
        let errors = DashboardPeriod::parse(Some("2026-13-01"), None, today).expect_err("bad");
        assert!(errors.get("from").is_some());
        let errors =
            DashboardPeriod::parse(Some("2026-03-01"), Some("2026-02-01"), today).expect_err("");
        assert_eq!(errors.get("to"), Some("must be on or after the start of the period"));
    }

    #[test]
    fn months_count_enrolled_and_active() {
        let period = DashboardPeriod { from: date!(2026 - 01 - 15), to: date!(2026 - 03 - 10) };
        let rows = vec![
            EnrolmentRow { enrolled_on: date!(2025 - 12 - 01), left_on: None, participants: 2 },
            EnrolmentRow {
                enrolled_on: date!(2026 - 01 - 20),
                left_on: Some(date!(2026 - 02 - 10)),
                participants: 1,
            },
            EnrolmentRow { enrolled_on: date!(2026 - 03 - 01), left_on: None, participants: 3 },
        ];
        let figures: Vec<(u32, u32)> =
            months(&period, &rows).iter().map(|m| (m.enrolled, m.active)).collect();
        assert_eq!(figures, vec![(1, 3), (0, 3), (3, 5)]);
    }
}
