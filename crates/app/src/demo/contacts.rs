//! A year of contacts for the demo: each participant is seen from enrolment on, more often
//! early and by some coaches more than others, and some stop coming (attrition). Contacts
//! close the protocol steps that are due when they happen (so some are late), the last one
//! sets a follow-up, coaches run monthly groups, and some participants have outcome events.

use std::collections::HashMap;

use kindred_domain::contact::ContactInput;
use kindred_domain::group_session::GroupSessionInput;
use kindred_domain::ids::{ParticipantId, UserId};
use kindred_domain::outcome_event::OutcomeEventInput;
use kindred_domain::tasks::Task;
use kindred_domain::vocabulary::{
    Activity, ContactMode, HospitalisationKind, OutcomeEventKind, Role, SupportKind, TaskKind,
    TaskStatus, Vocabulary,
};
use kindred_storage::Tenant;
use rand::seq::IndexedRandom;
use rand::{Rng, RngExt};
use time::{Date, Duration};

use crate::{Actor, App, Result};

const NOTES: &[&str] = &[
    "Checked in after the weekend",
    "Drove to the clinic intake",
    "Talked through the week's plan",
    "Went to a meeting together",
    "Helped with the housing form",
    "Quick text check-in",
    "",
    "",
];

pub(super) async fn populate(app: &App, tenant: &Tenant, rng: &mut impl Rng) -> Result<()> {
    let users = tenant.read().await?.users().await?;
    let coaches: HashMap<UserId, Actor> = users
        .iter()
        .filter(|u| u.roles.has(Role::Coach))
        .map(|u| (u.id, Actor::new(u.clone(), tenant.clone())))
        .collect();
    let participants = super::all_participants(app, tenant).await?;
    let today = app.clock().today();
    let mut caseloads: HashMap<UserId, Vec<ParticipantId>> = HashMap::new();
    for participant in &participants {
        let Some(coach) = participant.coach_id else { continue };
        let Some(actor) = coaches.get(&coach) else { continue };
        caseloads.entry(coach).or_default().push(participant.id);
        // Coaches differ: the first ones in the list see people more often.
        let coach_rank = users.iter().position(|u| u.id == coach).unwrap_or(0) % 3;
        let mut tasks = super::tasks_of(app, tenant, participant.id).await?;
        let stays = rng.random_bool(0.7);
        let last_day = if stays {
            today
        } else {
            // Attrition: they stop coming somewhere in their first months.
            participant.enrolled_on + Duration::days(rng.random_range(14..120))
        };
        let mut day = participant.enrolled_on + Duration::days(rng.random_range(0..4));
        let mut contacts = 0;
        while day <= last_day.min(today) {
            let task = due_step(&tasks, day);
            let mut input = contact_input(participant.id, day, rng);
            if let Some(task) = task {
                input.task_id = Some(tasks[task].id.to_string());
                tasks[task].status = TaskStatus::Done;
            }
            let next_gap = gap(contacts, coach_rank, rng);
            if day + Duration::days(next_gap) > last_day.min(today) && stays {
                input.next_follow_up_on = Some((day + Duration::days(next_gap)).to_string());
            }
            app.log_contact(actor, &input).await?;
            contacts += 1;
            day += Duration::days(next_gap);
        }
        if rng.random_bool(0.4) {
            for _ in 0..rng.random_range(1..=3) {
                let span = (today - participant.enrolled_on).whole_days().max(1);
                let on = participant.enrolled_on + Duration::days(rng.random_range(0..span));
                let kind = OutcomeEventKind::ALL.choose(rng).copied();
                let kind = kind.filter(|k| {
                    !matches!(
                        k,
                        OutcomeEventKind::AppointmentAttended | OutcomeEventKind::AppointmentMissed
                    )
                });
                let Some(kind) = kind else { continue };
                let input = OutcomeEventInput {
                    kind: Some(kind.code().into()),
                    occurred_on: Some(on.to_string()),
                    substance: None,
                    // Drawn from the date, not the generator, so the rest of the demo stays as
                    // it was.
                    hospitalisation_kind: (kind == OutcomeEventKind::Hospitalisation).then(|| {
                        let kinds = HospitalisationKind::ALL;
                        kinds[on.day() as usize % kinds.len()].code().into()
                    }),
                    detail: None,
                };
                app.record_outcome_event(actor, participant.id, &input).await?;
            }
        }
    }
    // A peer group each month of the last quarter, per coach, with some of their people.
    for (coach, people) in &caseloads {
        let Some(actor) = coaches.get(coach) else { continue };
        for month in 0..3 {
            let size = people.len().min(rng.random_range(3..=6));
            let attendees: Vec<String> = people.sample(rng, size).map(|p| p.to_string()).collect();
            let day = today - Duration::days(30 * month + 3);
            let input = GroupSessionInput {
                topic: Some(
                    ["Relapse prevention", "Sober fun planning", "Family and recovery"]
                        [month as usize % 3]
                        .into(),
                ),
                occurred_at: Some(format!("{day}T18:00")),
                minutes: Some("90".into()),
                mode: Some(ContactMode::InPerson.code().into()),
                setting: None,
                support_kinds: vec![
                    SupportKind::Affiliational.code().into(),
                    SupportKind::Informational.code().into(),
                ],
                activities: vec![Activity::PeerGroup.code().into()],
                attendees,
            };
            app.record_group_session(actor, &input).await?;
        }
    }
    Ok(())
}

/// The open protocol step a contact on `day` would do: the earliest due whose window has
/// opened.
fn due_step(tasks: &[Task], day: Date) -> Option<usize> {
    tasks
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            t.kind == TaskKind::ProtocolStep && t.status == TaskStatus::Open && t.opens_on <= day
        })
        .min_by_key(|(_, t)| t.due_on)
        .map(|(i, _)| i)
}

/// Days to the next contact: weekly at first, then less often; some coaches more often.
fn gap(contacts: usize, coach_rank: usize, rng: &mut impl Rng) -> i64 {
    let base = if contacts < 6 { 5 } else { 12 };
    base + 2 * coach_rank as i64 + rng.random_range(0..6)
}

pub(super) fn contact_input(
    participant: ParticipantId,
    day: Date,
    rng: &mut impl Rng,
) -> ContactInput {
    let mode = [ContactMode::InPerson, ContactMode::Phone, ContactMode::Phone, ContactMode::Text]
        .choose(rng)
        .copied()
        .unwrap_or(ContactMode::Phone);
    let (kind_count, activity_count) = (rng.random_range(1..=2), rng.random_range(1..=2));
    let kinds: Vec<String> =
        SupportKind::ALL.sample(rng, kind_count).map(|k| k.code().to_owned()).collect();
    let activities: Vec<String> =
        Activity::ALL.sample(rng, activity_count).map(|a| a.code().to_owned()).collect();
    let minutes = match mode {
        ContactMode::Text => rng.random_range(5..15),
        ContactMode::Phone => rng.random_range(10..40),
        _ => rng.random_range(30..120),
    };
    let note = NOTES.choose(rng).copied().unwrap_or_default();
    ContactInput {
        participant_id: Some(participant.to_string()),
        occurred_at: Some(format!(
            "{day}T{:02}:{:02}",
            rng.random_range(9..18),
            rng.random_range(0..4) * 15
        )),
        minutes: Some(minutes.to_string()),
        mode: Some(mode.code().into()),
        format: None,
        support_kinds: Some(kinds),
        activities: Some(activities),
        task_id: None,
        setting: None,
        component: None,
        note: Some(note.into()),
        next_follow_up_on: None,
    }
}
