//! Demo follow-up: for every time point whose window has opened, the coach (a research
//! assessor, in a study that blinds its assessor) tries to reach the participant (logged
//! attempts) and, with realistic attrition, gives the BARC-10 in the window, late, or not at all; two participants are excluded for administrative reasons; most have a
//! phone on the locator, a few a family member named under consent. The demo's follow-up rates
//! are then computed from these records like any others.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kindred_domain::assessment::AssessmentInput;
use kindred_domain::consent::ConsentInput;
use kindred_domain::follow_up::FollowUpStatus;
use kindred_domain::follow_up_log::{
    AttemptInput, Evidence, ExclusionInput, LocatorInput, statuses,
};
use kindred_domain::ids::{ParticipantId, UserId};
use kindred_domain::user::User;
use kindred_domain::vocabulary::{AdministrativeReason, Role, Vocabulary};
use kindred_storage::Tenant;
use rand::{Rng, RngExt};
use time::{Date, Duration};

use crate::{Actor, App, Result};

/// What becomes of a time point whose window has opened.
enum Fate {
    InWindow,
    Late,
    Missed,
}

/// Follow-up is hardest later on: more in-window completions at intake than at 12 months.
fn fate(position: usize, rng: &mut impl Rng) -> Fate {
    let in_window = [0.8, 0.68, 0.62, 0.56].get(position).copied().unwrap_or(0.56);
    let roll: f64 = rng.random();
    if roll < in_window {
        Fate::InWindow
    } else if roll < in_window + 0.12 {
        Fate::Late
    } else {
        Fate::Missed
    }
}

fn day_between(from: Date, to: Date, rng: &mut impl Rng) -> Date {
    let span = (to - from).whole_days().max(0);
    from + Duration::days(rng.random_range(0..=span))
}

/// Who follows each participant up: their coach, or for a participant of a study that blinds
/// its assessor, the research assessor.
pub(super) struct Measurers<'a> {
    pub staff: &'a [User],
    pub assessor: &'a Actor,
    pub blinded: BTreeSet<ParticipantId>,
}

pub(super) async fn populate(
    app: &App,
    tenant: &Tenant,
    measurers: &Measurers<'_>,
    rng: &mut impl Rng,
) -> Result<()> {
    let staff = measurers.staff;
    let today = app.clock().today();
    let subjects = super::follow_up_subjects(app, tenant).await?;
    let schedules = tenant.read().await?.schedules(None).await?;
    let users: HashMap<UserId, &User> = staff.iter().map(|u| (u.id, u)).collect();
    let Some(supervisor) = staff.iter().find(|u| u.roles.has(Role::Supervisor)) else {
        return Ok(());
    };
    let supervisor = Actor::new(supervisor.clone(), tenant.clone());
    let mut excluded = 0;
    for (index, subject) in subjects.iter().enumerate() {
        let (Some(schedule), Some(coach)) =
            (schedules.get(&subject.program_id), subject.coach_id.and_then(|id| users.get(&id)))
        else {
            continue;
        };
        let id = subject.participant_id;
        let coach = Actor::new((*coach).clone(), tenant.clone());
        locator(app, &coach, id, index, subject.enrolled_on).await?;
        let measurer = if measurers.blinded.contains(&id) { measurers.assessor } else { &coach };
        let points = statuses(schedule, subject.enrolled_on, &Evidence::default(), today);
        for (position, point) in points.iter().enumerate() {
            if point.status == FollowUpStatus::NotYetDue {
                continue;
            }
            let w = &point.window;
            // Two people leave the denominator for reasons no coach controls.
            if excluded < 2 && position == 2 && point.status == FollowUpStatus::Missed {
                let reason =
                    [AdministrativeReason::Incarcerated, AdministrativeReason::Deceased][excluded];
                let input = ExclusionInput {
                    time_point: Some(point.code.clone()),
                    reason: Some(reason.code().into()),
                    note: Some("Confirmed by the family".into()),
                };
                app.record_exclusion(&supervisor, id, &input).await?;
                excluded += 1;
                continue;
            }
            let last_open_day = w.closes_on.min(today);
            let completed_on = match fate(position, rng) {
                Fate::InWindow => Some(day_between(w.opens_on, last_open_day, rng)),
                Fate::Late if w.closes_on < today => {
                    Some(day_between(w.closes_on + Duration::days(1), today, rng))
                }
                // Still open: not done yet.
                Fate::Late | Fate::Missed => None,
            };
            let tries = if completed_on.is_some() { 1 } else { rng.random_range(1..4) };
            for attempt in 0..tries {
                let reached = completed_on.is_some() && attempt + 1 == tries;
                let outcome = if reached {
                    "scheduled"
                } else {
                    ["no_answer", "left_message", "wrong_number"][attempt % 3]
                };
                let channel = if attempt == 2 { "through_contact" } else { "phone" };
                let day = match completed_on {
                    Some(done) => {
                        (done - Duration::days((tries - attempt) as i64 * 3)).max(w.opens_on)
                    }
                    None => day_between(w.opens_on, last_open_day, rng),
                };
                let input = AttemptInput {
                    time_point: Some(point.code.clone()),
                    channel: Some(channel.into()),
                    outcome: Some(outcome.into()),
                    note: None,
                    attempted_on: Some(day.min(today).to_string()),
                };
                app.log_contact_attempt(measurer, id, &input).await?;
            }
            if let Some(day) = completed_on {
                let answers: BTreeMap<String, serde_json::Value> = (1..=10)
                    .map(|i| (format!("barc10_{i}"), rng.random_range(2..=6).into()))
                    .collect();
                let input = AssessmentInput {
                    instrument: Some("barc-10".into()),
                    administered_on: Some(day.to_string()),
                    program_id: Some(subject.program_id.to_string()),
                    time_point_code: Some(point.code.clone()),
                    answers,
                    complete: true,
                    version: None,
                };
                app.start_assessment(measurer, id, &input).await?;
            }
        }
    }
    app.sweep_follow_ups().await?;
    Ok(())
}

/// A phone for most; every fifth participant also names a sister, under a family consent.
async fn locator(
    app: &App,
    coach: &Actor,
    participant: kindred_domain::ids::ParticipantId,
    index: usize,
    enrolled_on: Date,
) -> Result<()> {
    if index % 4 != 3 {
        let phone = LocatorInput {
            kind: Some("phone".into()),
            value: Some(format!("555-02{:02}-{:04}", index % 100, (index * 37) % 10_000)),
            relationship: None,
            note: Some("Mobile; texts preferred".into()),
        };
        app.add_locator_entry(coach, participant, &phone).await?;
    }
    if index.is_multiple_of(5) {
        let names = ["Dana Rivera", "Luis Ortega", "Grace Kim", "Tanya Brooks"];
        let name = names[(index / 5) % names.len()].to_owned();
        let consent = ConsentInput {
            disclose: vec!["participation".into()],
            recipient: Some(name.clone()),
            purpose: Some("family".into()),
            signed_on: Some(enrolled_on.to_string()),
            expires_on: Some((enrolled_on + Duration::days(730)).to_string()),
            notes: Some("May be asked to pass on a message for follow-up".into()),
        };
        app.record_consent(coach, participant, &consent).await?;
        let person = LocatorInput {
            kind: Some("person".into()),
            value: Some(format!("{name}, 555-0300-{index:04}")),
            relationship: Some("sister".into()),
            note: None,
        };
        app.add_locator_entry(coach, participant, &person).await?;
    }
    Ok(())
}
