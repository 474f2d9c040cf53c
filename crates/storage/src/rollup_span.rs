//! A period split for the contact rollups: its whole months, read from the month rollups
//! (migration `0019_fidelity_by_month`), and the partial months at either end, read from
//! the day rollups (`0014`, `0018`). A year then reads twelve month rows and up to a month of
//! day rows per coach and caseload, instead of 365 day rows.

use time::macros::date;
use time::{Date, Month};

/// The far ends of an open period: bound as dates (never `NULL`), so each arm of a rollup
/// query is a plain range the planner reads from the primary key.
const EARLIEST: Date = date!(1900 - 01 - 01);
const LATEST: Date = date!(9999 - 01 - 01);

/// `[from, to)` as three half-open ranges: days `head`, months `months` (first days of
/// months), days `tail`. An empty range has equal ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RollupSpan {
    pub head: (Date, Date),
    pub months: (Date, Date),
    pub tail: (Date, Date),
}

impl RollupSpan {
    /// The split of `[from, to)`; an absent bound is open.
    pub(crate) fn new(from: Option<Date>, to: Option<Date>) -> Self {
        let from = from.unwrap_or(EARLIEST);
        let to = to.unwrap_or(LATEST).max(from);
        let first_whole = if from.day() == 1 { from } else { next_month(from) };
        let last_start = to.replace_day(1).unwrap_or(to);
        if first_whole >= last_start {
            return RollupSpan { head: (from, to), months: (from, from), tail: (to, to) };
        }
        RollupSpan {
            head: (from, first_whole),
            months: (first_whole, last_start),
            tail: (last_start, to),
        }
    }
}

/// The first day of the month after `day`'s.
fn next_month(day: Date) -> Date {
    let (year, month) = match day.month() {
        Month::December => (day.year() + 1, Month::January),
        month => (day.year(), month.next()),
    };
    Date::from_calendar_date(year, month, 1).unwrap_or(LATEST)
}

/// The sum of contacts and minutes by `$columns` (of the rollup `r`) over a [`RollupSpan`],
/// from the month rollup `contact_month_$name` and the day rollup `contact_day_$name`, within
/// the policy's scope `$scope` (a [`rollup_scoped_sql!`](crate::session::rollup_scoped_sql)
/// filter on `r`, bound as `$2`) and program `$3` (`NULL` for all). Bind with
/// [`bind_span!`] after `$3`: `$4`–`$5` the head's days, `$6`–`$7` the months, `$8`–`$9` the
/// tail's days. Groups whose contacts sum to zero (edited away) are left out.
macro_rules! rollup_sum {
    ($name:literal, $columns:literal, $scope:literal) => {
        concat!(
            "SELECT ", $columns, ", SUM(r.contacts), SUM(r.minutes) FROM (
               SELECT ", $columns, ", r.contacts, r.minutes FROM contact_month_", $name, " r
               WHERE r.org_id = $1 AND ", $scope, "
                 AND ($3 IS NULL OR r.participant_program_id = $3) AND r.month >= $6 AND r.month < $7
               UNION ALL
               SELECT ", $columns, ", r.contacts, r.minutes FROM contact_day_", $name, " r
               WHERE r.org_id = $1 AND ", $scope, "
                 AND ($3 IS NULL OR r.participant_program_id = $3) AND r.day >= $4 AND r.day < $5
               UNION ALL
               SELECT ", $columns, ", r.contacts, r.minutes FROM contact_day_", $name, " r
               WHERE r.org_id = $1 AND ", $scope, "
                 AND ($3 IS NULL OR r.participant_program_id = $3) AND r.day >= $8 AND r.day < $9
             ) r GROUP BY ", $columns, " HAVING SUM(r.contacts) <> 0"
        )
    };
}
pub(crate) use rollup_sum;

/// Binds a [`RollupSpan`] as `$4`–`$9` of a [`rollup_sum!`] query.
macro_rules! bind_span {
    ($query:expr, $span:expr) => {{
        let span: $crate::rollup_span::RollupSpan = $span;
        $query
            .bind(span.head.0)
            .bind(span.head.1)
            .bind(span.months.0)
            .bind(span.months.1)
            .bind(span.tail.0)
            .bind(span.tail.1)
    }};
}
pub(crate) use bind_span;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_of_whole_months_reads_no_days() {
        let span = RollupSpan::new(Some(date!(2025 - 12 - 01)), Some(date!(2026 - 12 - 01)));
        assert_eq!(span.months, (date!(2025 - 12 - 01), date!(2026 - 12 - 01)));
        assert_eq!(span.head.0, span.head.1);
        assert_eq!(span.tail.0, span.tail.1);
    }

    #[test]
    fn partial_months_at_the_ends_read_their_days() {
        let span = RollupSpan::new(Some(date!(2026 - 09 - 09)), Some(date!(2026 - 12 - 08)));
        assert_eq!(span.head, (date!(2026 - 09 - 09), date!(2026 - 10 - 01)));
        assert_eq!(span.months, (date!(2026 - 10 - 01), date!(2026 - 12 - 01)));
        assert_eq!(span.tail, (date!(2026 - 12 - 01), date!(2026 - 12 - 08)));
    }

    #[test]
    fn a_period_inside_one_month_reads_only_days() {
        let span = RollupSpan::new(Some(date!(2026 - 12 - 02)), Some(date!(2026 - 12 - 20)));
        assert_eq!(span.head, (date!(2026 - 12 - 02), date!(2026 - 12 - 20)));
        assert_eq!(span.months.0, span.months.1);
        assert_eq!(span.tail.0, span.tail.1);
        // Across a year's end, with no whole month between.
        let span = RollupSpan::new(Some(date!(2026 - 12 - 15)), Some(date!(2027 - 01 - 10)));
        assert_eq!(span.head, (date!(2026 - 12 - 15), date!(2027 - 01 - 10)));
        assert_eq!(span.months.0, span.months.1);
    }

    #[test]
    fn an_open_period_is_all_months() {
        let span = RollupSpan::new(None, None);
        assert_eq!(span.months, (EARLIEST, LATEST));
        let span = RollupSpan::new(None, Some(date!(2026 - 12 - 08)));
        assert_eq!(span.months, (EARLIEST, date!(2026 - 12 - 01)));
        assert_eq!(span.tail, (date!(2026 - 12 - 01), date!(2026 - 12 - 08)));
    }
}
