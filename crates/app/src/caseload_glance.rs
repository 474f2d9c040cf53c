//! The caseload at a glance (PRODUCT §4.1): for each participant of a caseload page, the last
//! and next contact, the next appointment, how many tasks are overdue, and the risk flags a
//! coach should not have to open the record to see.
//!
//! Each figure is read for the whole page at once (one query per figure over the page's ids,
//! `kindred_storage::caseload_glance`), never one query per row.

use std::collections::{BTreeMap, HashMap};

use kindred_domain::follow_up::FollowUpStatus;
use kindred_domain::follow_up_log::statuses;
use kindred_domain::ids::{ParticipantId, ProgramId};
use kindred_domain::vocabulary::{ParticipantStatus, TaskKind, Vocabulary};
use kindred_storage::{Scope, SeeWork, Session};
use time::{Date, Duration, OffsetDateTime, Time};

use crate::Result;
use crate::participants::CaseloadEntry;

/// The PHQ-9 and its item 9 ("thoughts that you would be better off dead, or of hurting
/// yourself"), as the instrument library codes them (`instruments/phq-9.json`).
const PHQ9: &str = "phq-9";
const PHQ9_ITEM_9: &str = "phq9_9";

/// A follow-up window closing within this many days, not yet done, is flagged.
pub const WINDOW_WARNING_DAYS: i64 = 7;

/// What a coach sees of one participant on the caseload, without opening the record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Glance {
    /// The day of the most recent contact.
    pub last_contact: Option<Date>,
    /// The next contact the coach planned: the earliest open follow-up task due today or later
    /// (one already past due counts among [`Glance::overdue_tasks`]). Kindred models a
    /// planned contact that way (the "next follow-up" date of a logged contact makes a
    /// follow-up task, which the next contact closes); appointments are with other services
    /// (treatment, a doctor, court), so they are [`Glance::next_appointment`], not contacts.
    pub next_contact: Option<Date>,
    /// The day of the next scheduled appointment, today or later.
    pub next_appointment: Option<Date>,
    /// Open tasks due before today.
    pub overdue_tasks: u32,
    pub risks: Vec<RiskFlag>,
}

/// Something on a participant's record that needs a coach's attention soon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RiskFlag {
    /// The most recent PHQ-9 that answers item 9 answered it above "Not at all".
    SelfHarmItem { administered_on: Date },
    /// A follow-up window that is open and not yet done closes within
    /// [`WINDOW_WARNING_DAYS`] days (the soonest, if several).
    WindowClosing { time_point: String, closes_on: Date },
}

/// Fills in each entry's [`Glance`]: one query per figure for the whole page, within the scope
/// of work the actor may see.
pub(crate) async fn fill<M>(
    session: &mut Session<M>,
    scope: &Scope<SeeWork>,
    entries: &mut [CaseloadEntry],
    now: OffsetDateTime,
) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let today = now.date();
    let ids: Vec<ParticipantId> = entries.iter().map(|e| e.id).collect();
    let last = session.last_contacts(scope, &ids).await?;
    let planned = session.next_open_tasks(scope, &ids, TaskKind::FollowUp.code(), today).await?;
    let start_of_today = today.with_time(Time::MIDNIGHT).assume_utc();
    let appointments = session.next_appointments(scope, &ids, start_of_today).await?;
    let overdue = session.overdue_task_counts(scope, &ids, today).await?;
    let self_harm = self_harm_items(session.instrument_answers(scope, &ids, PHQ9).await?);
    let closing = closing_windows(session, scope, entries, &ids, today).await?;
    for entry in entries.iter_mut() {
        let id = entry.id;
        let mut risks = Vec::new();
        if let Some(&administered_on) = self_harm.get(&id) {
            risks.push(RiskFlag::SelfHarmItem { administered_on });
        }
        if let Some((time_point, closes_on)) = closing.get(&id) {
            risks.push(RiskFlag::WindowClosing {
                time_point: time_point.clone(),
                closes_on: *closes_on,
            });
        }
        entry.glance = Some(Glance {
            last_contact: last.get(&id).map(|at| at.date()),
            next_contact: planned.get(&id).copied(),
            next_appointment: appointments.get(&id).map(|at| at.date()),
            overdue_tasks: overdue.get(&id).map_or(0, |&n| u32::try_from(n).unwrap_or(u32::MAX)),
            risks,
        });
    }
    Ok(())
}

/// The participants whose most recent PHQ-9 answering item 9 answered it above 0, with that
/// administration's date. `rows` come most recent first for each participant.
fn self_harm_items(rows: Vec<kindred_storage::AnswersRow>) -> HashMap<ParticipantId, Date> {
    let mut latest: HashMap<ParticipantId, Option<Date>> = HashMap::new();
    for row in rows {
        if latest.contains_key(&row.participant_id) {
            continue;
        }
        // Answers the server stored; one it cannot read is no answer to item 9.
        let answers: BTreeMap<String, i64> = serde_json::from_str(&row.answers).unwrap_or_default();
        if let Some(&value) = answers.get(PHQ9_ITEM_9) {
            latest.insert(row.participant_id, (value > 0).then_some(row.administered_on));
        }
    }
    latest.into_iter().filter_map(|(id, on)| Some((id, on?))).collect()
}

/// Each followed participant's soonest open, not yet done follow-up window that closes within
/// [`WINDOW_WARNING_DAYS`] days: its time point's label and closing day.
async fn closing_windows<M>(
    session: &mut Session<M>,
    scope: &Scope<SeeWork>,
    entries: &[CaseloadEntry],
    ids: &[ParticipantId],
    today: Date,
) -> Result<HashMap<ParticipantId, (String, Date)>> {
    // Followed up as the follow-up list does: active or stepped down, in a program.
    let followed: Vec<(ParticipantId, ProgramId, Date)> = entries
        .iter()
        .filter(|e| matches!(e.status, ParticipantStatus::Active | ParticipantStatus::SteppedDown))
        .filter_map(|e| Some((e.id, e.program_id?, e.enrolled_on)))
        .collect();
    if followed.is_empty() {
        return Ok(HashMap::new());
    }
    let schedules = session.schedules(None).await?;
    let evidence = session.page_follow_up_evidence(scope, ids).await?;
    let horizon = today + Duration::days(WINDOW_WARNING_DAYS);
    let mut closing = HashMap::new();
    for (id, program, enrolled_on) in followed {
        let Some(schedule) = schedules.get(&program) else { continue };
        let mine = evidence.get(&id).cloned().unwrap_or_default();
        let soonest = statuses(schedule, enrolled_on, &mine, today)
            .into_iter()
            .filter(|p| p.status == FollowUpStatus::WindowOpen && p.window.closes_on <= horizon)
            .min_by_key(|p| p.window.closes_on);
        if let Some(point) = soonest {
            closing.insert(id, (point.label, point.window.closes_on));
        }
    }
    Ok(closing)
}
