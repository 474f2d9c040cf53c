//! Fidelity: how closely a program was delivered as designed, computed from the record and
//! never self-reported (the reviews behind Kindred found fidelity rarely measured).
//!
//! Definitions, used everywhere fidelity is shown:
//! - A protocol step is **on time** when it was completed inside its window
//!   (`opens_on <= completed_on <= closes_on`), **late** when completed outside it (after, or
//!   before it opened),
//!   **missed** when its window has closed and it is still open. A step whose window is still
//!   open and not yet done is **pending** and counts in neither numerator nor denominator;
//!   cancelled steps (the participant left) are not counted at all.
//!   *Share on time* = on time ÷ (on time + late + missed).
//! - **Dose** is what participants received: contacts and minutes, in total and by support
//!   kind and activity (a contact with two support kinds counts toward both).
//! - **Time to first contact** is the days from enrolment to the first contact; participants
//!   not yet contacted are counted separately, not as zero.
//! - **Caseload** is the number of active or stepped-down participants a coach holds,
//!   against the program's target.

use time::Date;

use crate::vocabulary::{Activity, SupportKind};

/// How one protocol step instance came out, as of `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    OnTime,
    Late,
    Missed,
    Pending,
}

/// What a protocol-step task says about timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepRecord {
    pub opens_on: Date,
    pub closes_on: Date,
    pub completed_on: Option<Date>,
}

impl StepRecord {
    pub fn outcome(&self, today: Date) -> StepOutcome {
        match self.completed_on {
            // Done *before* the window opened (a booster on day 3 of an 8–12 window) was not
            // delivered as designed either: it is not on time, like a late one.
            Some(done) if done < self.opens_on => StepOutcome::Late,
            Some(done) if done <= self.closes_on => StepOutcome::OnTime,
            Some(_) => StepOutcome::Late,
            None if today > self.closes_on => StepOutcome::Missed,
            None => StepOutcome::Pending,
        }
    }
}

/// Counts of step outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepTally {
    pub on_time: u32,
    pub late: u32,
    pub missed: u32,
    pub pending: u32,
}

impl StepTally {
    pub fn add(&mut self, outcome: StepOutcome) {
        match outcome {
            StepOutcome::OnTime => self.on_time += 1,
            StepOutcome::Late => self.late += 1,
            StepOutcome::Missed => self.missed += 1,
            StepOutcome::Pending => self.pending += 1,
        }
    }

    /// Adds another tally's counts (of another coach or step).
    pub fn merge(&mut self, other: StepTally) {
        self.on_time += other.on_time;
        self.late += other.late;
        self.missed += other.missed;
        self.pending += other.pending;
    }

    /// Steps whose outcome is settled (the denominator).
    pub fn due(&self) -> u32 {
        self.on_time + self.late + self.missed
    }

    /// On time ÷ due, or `None` when nothing is due yet (not 0 %: nothing was missed).
    pub fn share_on_time(&self) -> Option<f64> {
        let due = self.due();
        (due > 0).then(|| f64::from(self.on_time) / f64::from(due))
    }
}

impl FromIterator<StepOutcome> for StepTally {
    fn from_iter<I: IntoIterator<Item = StepOutcome>>(iter: I) -> Self {
        let mut tally = StepTally::default();
        iter.into_iter().for_each(|o| tally.add(o));
        tally
    }
}

/// Contacts and minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dose {
    pub contacts: u32,
    pub minutes: u32,
}

/// Dose in total and broken down, as delivered in some scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DoseProfile {
    pub total: Dose,
    pub by_support_kind: Vec<(SupportKind, Dose)>,
    pub by_activity: Vec<(Activity, Dose)>,
    /// Participants who received at least one contact.
    pub participants_reached: u32,
}

impl DoseProfile {
    /// Each support kind's share of contacts (0–1), in the vocabulary's order; kinds with no
    /// contacts show as 0.
    pub fn support_mix(&self) -> Vec<(SupportKind, f64)> {
        use crate::vocabulary::Vocabulary;
        SupportKind::ALL
            .iter()
            .map(|kind| {
                let contacts = self
                    .by_support_kind
                    .iter()
                    .find(|(k, _)| k == kind)
                    .map(|(_, d)| d.contacts)
                    .unwrap_or(0);
                let share = if self.total.contacts == 0 {
                    0.0
                } else {
                    f64::from(contacts) / f64::from(self.total.contacts)
                };
                (*kind, share)
            })
            .collect()
    }

    /// Mean contacts per participant reached, or `None` with no one reached.
    pub fn contacts_per_participant(&self) -> Option<f64> {
        (self.participants_reached > 0)
            .then(|| f64::from(self.total.contacts) / f64::from(self.participants_reached))
    }
}

/// Days from enrolment to first contact across participants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimeToFirstContact {
    /// Median days, over participants who have been contacted.
    pub median_days: Option<f64>,
    pub contacted: u32,
    pub not_yet_contacted: u32,
}

impl TimeToFirstContact {
    /// From each participant's enrolment date and first contact date (if any). A contact
    /// before enrolment (outreach) counts as day 0.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Date, Option<Date>)>) -> Self {
        let mut days = Vec::new();
        let mut not_yet_contacted = 0;
        for (enrolled, first) in pairs {
            match first {
                Some(first) => days.push((first - enrolled).whole_days().max(0)),
                None => not_yet_contacted += 1,
            }
        }
        days.sort_unstable();
        let median_days = median(&days);
        Self { median_days, contacted: days.len() as u32, not_yet_contacted }
    }
}

fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let middle = n / 2;
    let upper = *sorted.get(middle)? as f64;
    if n % 2 == 1 { Some(upper) } else { Some((*sorted.get(middle - 1)? as f64 + upper) / 2.0) }
}

/// A coach's caseload against the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caseload {
    pub current: u32,
    pub target: Option<u32>,
}

impl Caseload {
    /// Current ÷ target, or `None` without a target.
    pub fn ratio(&self) -> Option<f64> {
        self.target.filter(|t| *t > 0).map(|t| f64::from(self.current) / f64::from(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn step(opens: Date, closes: Date, done: Option<Date>) -> StepRecord {
        StepRecord { opens_on: opens, closes_on: closes, completed_on: done }
    }

    #[test]
    fn a_step_is_on_time_only_inside_its_window_including_both_edges() {
        let (opens, closes, today) =
            (date!(2026 - 01 - 09), date!(2026 - 01 - 13), date!(2026 - 03 - 01));
        assert_eq!(step(opens, closes, Some(opens)).outcome(today), StepOutcome::OnTime);
        assert_eq!(step(opens, closes, Some(closes)).outcome(today), StepOutcome::OnTime);
        assert_eq!(
            step(opens, closes, Some(date!(2026 - 01 - 14))).outcome(today),
            StepOutcome::Late
        );
        assert_eq!(
            step(opens, closes, Some(date!(2026 - 01 - 08))).outcome(today),
            StepOutcome::Late
        );
        assert_eq!(step(opens, closes, None).outcome(today), StepOutcome::Missed);
        assert_eq!(
            step(opens, closes, None).outcome(closes),
            StepOutcome::Pending,
            "the last day still counts"
        );
    }

    #[test]
    fn the_share_on_time_ignores_pending_steps() {
        use StepOutcome::*;
        let tally: StepTally = [OnTime, OnTime, Late, Missed, Pending].into_iter().collect();
        assert_eq!(tally.due(), 4);
        assert_eq!(tally.share_on_time(), Some(0.5));
        assert_eq!([Pending].into_iter().collect::<StepTally>().share_on_time(), None);
    }

    #[test]
    fn time_to_first_contact_takes_the_median_and_counts_the_uncontacted_apart() {
        let enrolled = date!(2026 - 01 - 01);
        let pairs = [
            (enrolled, Some(date!(2026 - 01 - 01))),
            (enrolled, Some(date!(2026 - 01 - 04))),
            (enrolled, Some(date!(2026 - 01 - 11))),
            (enrolled, Some(date!(2026 - 01 - 21))),
            (enrolled, None),
            (date!(2026 - 02 - 01), Some(date!(2026 - 01 - 30))),
        ];
        let ttfc = TimeToFirstContact::from_pairs(pairs);
        assert_eq!(ttfc.contacted, 5);
        assert_eq!(ttfc.not_yet_contacted, 1);
        assert_eq!(ttfc.median_days, Some(3.0), "days 0, 0, 3, 10, 20");
    }

    #[test]
    fn support_mix_shares_contacts_by_kind() {
        let profile = DoseProfile {
            total: Dose { contacts: 4, minutes: 120 },
            by_support_kind: vec![(SupportKind::Emotional, Dose { contacts: 3, minutes: 90 })],
            by_activity: Vec::new(),
            participants_reached: 2,
        };
        let mix = profile.support_mix();
        assert_eq!(mix[0], (SupportKind::Emotional, 0.75));
        assert_eq!(mix[1], (SupportKind::Informational, 0.0));
        assert_eq!(profile.contacts_per_participant(), Some(2.0));
    }

    #[test]
    fn caseload_ratio_needs_a_target() {
        assert_eq!(Caseload { current: 30, target: Some(25) }.ratio(), Some(1.2));
        assert_eq!(Caseload { current: 30, target: None }.ratio(), None);
    }
}
