//! The demo's studies, each run as an evaluator would run it — replicated or defined, opened,
//! its participants enrolled by their coach (the app allocates the arm), its plan locked —
//! with an effect planted in the generated record, never in the results. Each arm gets the
//! planted share exactly (in a random order), so the effect shows whatever the allocation:
//!
//! - a randomised replication of the brief motivational intervention: abstinence from
//!   cocaine and opioids at 6 months, 25 % with written advice and 40 % with the peer
//!   intervention (a risk ratio of 1.6), read from the 6-month assessments;
//! - a quasi-experimental community-companion study against the After Discharge program:
//!   psychiatric rehospitalisation with a hazard ratio of 0.6, and unstable housing commoner
//!   in the comparison program (the imbalance the weighting balances);
//! - a randomised study of a weekly check-in call with no effect: treatment admission within
//!   60 days is 30 % in both arms.

use std::collections::{BTreeMap, BTreeSet};

use kindred_domain::assessment::AssessmentInput;
use kindred_domain::ids::{ParticipantId, ProgramId, StudyId};
use kindred_domain::outcome_event::OutcomeEventInput;
use kindred_domain::participant::ParticipantInput;
use kindred_domain::study::StudyInput;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, RngExt};
use time::{Date, Duration};

use super::contacts::contact_input;
use super::programs::DemoPrograms;
use super::{FAMILY_NAMES, GIVEN_NAMES};
use crate::policy::StudyLead;
use crate::studies::ReplicationRequest;
use crate::{Actor, App, AppError, Result};

const TRIAL_PARTICIPANTS: usize = 200;
const COMPANION_PARTICIPANTS: usize = 160;
const NULL_PARTICIPANTS: usize = 80;
/// Psychiatric stays a day in the comparison program (a median of about 9 months).
const BASE_HAZARD: f64 = 1.0 / 400.0;
const OVERRIDE: &str = "Demo study cohort: the supervisor coaches it himself";

/// Who enrols and who leads.
pub(super) struct StudyStaff<'a> {
    pub coach: &'a Actor,
    pub evaluator: &'a Actor,
    /// Records the brief-intervention trial's outcomes: its plan blinds the assessor.
    pub assessor: &'a Actor,
}

pub(super) async fn populate(
    app: &App,
    staff: &StudyStaff<'_>,
    programs: &DemoPrograms,
    rng: &mut impl Rng,
) -> Result<BTreeSet<ParticipantId>> {
    let lead = crate::policy::study_lead(staff.evaluator)?;
    let blinded = brief_intervention_trial(app, staff, &lead, programs, rng).await?;
    companion_study(app, staff, &lead, programs, rng).await?;
    check_in_trial(app, staff, &lead, programs, rng).await?;
    Ok(blinded)
}

/// `n` flags of which exactly `share` × n (rounded) are set, in a random order: the planted
/// share holds in every arm whatever the allocation, so the demo's effect does not depend
/// on the seed drawn when the study opens.
fn exact_share(n: usize, share: f64, rng: &mut impl Rng) -> Vec<bool> {
    let set = (share * n as f64).round() as usize;
    let mut flags: Vec<bool> = (0..n).map(|i| i < set).collect();
    flags.shuffle(rng);
    flags
}

/// The members of each arm, in enrolment order.
fn by_arm(arms: &[(ParticipantId, String)]) -> BTreeMap<&str, Vec<ParticipantId>> {
    let mut members: BTreeMap<&str, Vec<ParticipantId>> = BTreeMap::new();
    for (participant, arm) in arms {
        members.entry(arm.as_str()).or_default().push(*participant);
    }
    members
}

fn program(programs: &DemoPrograms, template: &str) -> Result<ProgramId> {
    programs
        .of_template(template)
        .ok_or_else(|| AppError::Internal(format!("the demo has no {template} program").into()))
}

/// A participant of a study's cohort, enrolled in `program` on `enrolled_on`.
struct Newcomer<'a> {
    program: ProgramId,
    enrolled_on: Date,
    substance: &'a str,
    co_occurring: &'a str,
    housing: &'a str,
}

async fn enrol_newcomer(
    app: &App,
    coach: &Actor,
    who: &Newcomer<'_>,
    rng: &mut impl Rng,
) -> Result<ParticipantId> {
    let today = app.clock().today();
    let born = today - Duration::days(rng.random_range(22 * 365..60 * 365));
    let input = ParticipantInput {
        given_name: GIVEN_NAMES.choose(rng).map(|s| (*s).to_owned()),
        family_name: FAMILY_NAMES.choose(rng).map(|s| (*s).to_owned()),
        date_of_birth: Some(born.to_string()),
        program_id: Some(who.program.to_string()),
        enrolled_on: Some(who.enrolled_on.to_string()),
        setting: Some("walk_in_clinic".into()),
        primary_substance: Some(who.substance.into()),
        co_occurring_mental_disorder: Some(who.co_occurring.into()),
        housing: Some(who.housing.into()),
        gender: Some(["woman", "man"].choose(rng).copied().unwrap_or("man").into()),
        coach_override_reason: Some(OVERRIDE.into()),
        ..Default::default()
    };
    Ok(app.enrol(coach, &input, true).await?.participant.id)
}

async fn contact(
    app: &App,
    coach: &Actor,
    participant: ParticipantId,
    day: Date,
    component: Option<&str>,
    rng: &mut impl Rng,
) -> Result<()> {
    let mut input = contact_input(participant, day, rng);
    input.component = component.map(str::to_owned);
    app.log_contact(coach, &input).await?;
    Ok(())
}

async fn event(
    app: &App,
    coach: &Actor,
    participant: ParticipantId,
    kind: &str,
    on: Date,
    hospitalisation: Option<&str>,
) -> Result<()> {
    let input = OutcomeEventInput {
        kind: Some(kind.into()),
        occurred_on: Some(on.to_string()),
        hospitalisation_kind: hospitalisation.map(str::to_owned),
        ..Default::default()
    };
    app.record_outcome_event(coach, participant, &input).await?;
    Ok(())
}

async fn open_and_enrol(
    app: &App,
    lead: &StudyLead<'_>,
    coach: &Actor,
    study: StudyId,
    version: i64,
    participants: &[ParticipantId],
) -> Result<Vec<(ParticipantId, String)>> {
    app.open_study(lead, study, version).await?;
    let mut arms = Vec::with_capacity(participants.len());
    for participant in participants {
        let enrolment = app.enrol_in_study(coach, study, *participant).await?;
        arms.push((*participant, enrolment.arm));
    }
    Ok(arms)
}

/// Bernstein et al.'s trial, replicated at ED Bridge: the 6-month past-30-day use
/// assessments carry the planted abstinence.
async fn brief_intervention_trial(
    app: &App,
    staff: &StudyStaff<'_>,
    lead: &StudyLead<'_>,
    programs: &DemoPrograms,
    rng: &mut impl Rng,
) -> Result<BTreeSet<ParticipantId>> {
    let today = app.clock().today();
    let program = program(programs, "ed_brief_intervention")?;
    let view = app
        .replicate_study(
            lead,
            &ReplicationRequest {
                template_code: "ed_brief_intervention".into(),
                program_id: Some(program),
                comparison_program_id: None,
                enrolment_from: Some(today - Duration::days(300)),
            },
        )
        .await?;
    let six_months = {
        let mut session = staff.coach.tenant().read().await?;
        let schedules = session.schedules(Some(program)).await?;
        schedules
            .get(&program)
            .and_then(|s| s.points.iter().find(|p| p.time_point.code == "6m"))
            .map(|p| p.time_point.target_day)
            .ok_or_else(|| AppError::Internal("ED Bridge's schedule has no 6m point".into()))?
    };
    let mut cohort = Vec::new();
    for _ in 0..TRIAL_PARTICIPANTS {
        let who = Newcomer {
            program,
            enrolled_on: today - Duration::days(rng.random_range(230..300)),
            substance: ["opioids", "cocaine", "polysubstance"]
                .choose(rng)
                .copied()
                .unwrap_or("cocaine"),
            co_occurring: "no",
            housing: ["stable", "unstable"].choose(rng).copied().unwrap_or("stable"),
        };
        cohort.push((enrol_newcomer(app, staff.coach, &who, rng).await?, who.enrolled_on));
    }
    let ids: Vec<ParticipantId> = cohort.iter().map(|(id, _)| *id).collect();
    let arms = open_and_enrol(app, lead, staff.coach, view.id(), view.stored.version, &ids).await?;
    let enrolled_on: BTreeMap<ParticipantId, Date> = cohort.into_iter().collect();
    for (arm, members) in by_arm(&arms) {
        let peer = arm == "peer_intervention";
        // One in ten is not reached at 6 months: their outcome is missing, not "using".
        let reached = exact_share(members.len(), 0.9, rng);
        let reached_count = reached.iter().filter(|r| **r).count();
        let mut abstinent =
            exact_share(reached_count, if peer { 0.40 } else { 0.25 }, rng).into_iter();
        for (participant, reached) in members.into_iter().zip(reached) {
            let start = enrolled_on[&participant];
            if peer {
                let booster = start + Duration::days(10);
                contact(
                    app,
                    staff.coach,
                    participant,
                    start,
                    Some("Brief motivational intervention"),
                    rng,
                )
                .await?;
                contact(app, staff.coach, participant, booster, Some("Telephone booster"), rng)
                    .await?;
            } else {
                contact(app, staff.coach, participant, start, Some("Written advice"), rng).await?;
            }
            // At intake the coach records readiness and drug problems (the trial's baseline);
            // at 6 months the blinded assessor records them again, the peer arm's readiness
            // up by about 2 points and its DAST-10 down by about 2, the other arm's by 1.
            let readiness = rng.random_range(2..8);
            let problems = rng.random_range(3..9);
            let intake = scores(program, start, "intake", readiness, problems, rng);
            for input in intake {
                app.start_assessment(staff.coach, participant, &input).await?;
            }
            if !reached {
                continue;
            }
            let abstinent = abstinent.next().unwrap_or(false);
            let on = start + Duration::days(i64::from(six_months));
            let input = use_assessment(program, on, abstinent, rng);
            app.start_assessment(staff.assessor, participant, &input).await?;
            let gain = if peer { 2 } else { 1 } + rng.random_range(-2..=2);
            let relief = if peer { 2 } else { 1 } + rng.random_range(-1..=1);
            let later = scores(program, on, "6m", readiness + gain, problems - relief, rng);
            for input in later {
                app.start_assessment(staff.assessor, participant, &input).await?;
            }
            contact(app, staff.coach, participant, on, None, rng).await?;
        }
    }
    app.lock_plan(lead, view.id()).await?;
    Ok(ids.into_iter().collect())
}

/// The readiness ruler at `readiness` (0–10) and the DAST-10 with `problems` of its ten
/// items answered yes (the first item always, as everyone in the trial uses drugs).
fn scores(
    program: ProgramId,
    on: Date,
    time_point: &str,
    readiness: i32,
    problems: i32,
    rng: &mut impl Rng,
) -> [AssessmentInput; 2] {
    let input = |instrument: &str, answers: BTreeMap<String, serde_json::Value>| AssessmentInput {
        instrument: Some(instrument.into()),
        administered_on: Some(on.to_string()),
        program_id: Some(program.to_string()),
        time_point_code: Some(time_point.into()),
        answers,
        complete: true,
        version: None,
    };
    let ruler =
        BTreeMap::from([("readiness".to_owned(), serde_json::json!(readiness.clamp(0, 10)))]);
    let mut items: Vec<usize> = (2..=10).collect();
    items.shuffle(rng);
    let yes: BTreeSet<usize> =
        std::iter::once(1).chain(items).take(problems.clamp(1, 10) as usize).collect();
    let dast = (1..=10)
        .map(|i| (format!("dast10_{i}"), serde_json::json!(u8::from(yes.contains(&i)))))
        .collect();
    [input("readiness-ruler", ruler), input("dast-10", dast)]
}

/// A past-30-day use assessment at 6 months: no opioid or cocaine use when `abstinent`.
fn use_assessment(
    program: ProgramId,
    on: Date,
    abstinent: bool,
    rng: &mut impl Rng,
) -> AssessmentInput {
    let mut answers = BTreeMap::new();
    for item in ["use_alcohol", "use_cannabis", "use_stimulants", "use_sedatives", "use_other"] {
        let days = if rng.random_bool(0.3) { rng.random_range(1..12) } else { 0 };
        answers.insert(item.to_owned(), serde_json::json!(days));
    }
    let (opioids, cocaine) = match (abstinent, rng.random_bool(0.5)) {
        (true, _) => (0, 0),
        (false, true) => (rng.random_range(1..20), 0),
        (false, false) => (rng.random_range(0..20), rng.random_range(1..20)),
    };
    answers.insert("use_opioids".into(), serde_json::json!(opioids));
    answers.insert("use_cocaine".into(), serde_json::json!(cocaine));
    let any = answers.values().filter_map(serde_json::Value::as_i64).max().unwrap_or(0);
    answers.insert("use_any".into(), serde_json::json!(any));
    AssessmentInput {
        instrument: Some("use-days-30".into()),
        administered_on: Some(on.to_string()),
        program_id: Some(program.to_string()),
        time_point_code: Some("6m".into()),
        answers,
        complete: true,
        version: None,
    }
}

/// Min et al.'s comparison, replicated at Community Companions against After Discharge.
async fn companion_study(
    app: &App,
    staff: &StudyStaff<'_>,
    lead: &StudyLead<'_>,
    programs: &DemoPrograms,
    rng: &mut impl Rng,
) -> Result<()> {
    let today = app.clock().today();
    let companions = program(programs, "community_companion")?;
    let comparison = program(programs, "post_discharge_engagement")?;
    let view = app
        .replicate_study(
            lead,
            &ReplicationRequest {
                template_code: "community_companion".into(),
                program_id: Some(companions),
                comparison_program_id: Some(comparison),
                enrolment_from: Some(today - Duration::days(730)),
            },
        )
        .await?;
    let mut cohort = Vec::new();
    for i in 0..COMPANION_PARTICIPANTS {
        let with_companion = i % 2 == 0;
        // Unstable housing is commoner in the comparison program: the baseline imbalance the
        // propensity weighting is there to balance.
        let unstable = rng.random_bool(if with_companion { 0.3 } else { 0.5 });
        let who = Newcomer {
            program: if with_companion { companions } else { comparison },
            enrolled_on: today - Duration::days(rng.random_range(380..700)),
            substance: ["alcohol", "opioids", "cannabis"].choose(rng).copied().unwrap_or("alcohol"),
            co_occurring: "yes",
            housing: if unstable { "unstable" } else { "stable" },
        };
        let participant = enrol_newcomer(app, staff.coach, &who, rng).await?;
        // The psychiatric stay that made them eligible.
        let before = who.enrolled_on - Duration::days(rng.random_range(20..350));
        event(app, staff.coach, participant, "hospitalisation", before, Some("psychiatric"))
            .await?;
        cohort.push((participant, who.enrolled_on, with_companion));
    }
    let ids: Vec<ParticipantId> = cohort.iter().map(|c| c.0).collect();
    open_and_enrol(app, lead, staff.coach, view.id(), view.stored.version, &ids).await?;
    for with_companion in [true, false] {
        let mut members: Vec<(ParticipantId, Date)> =
            cohort.iter().filter(|c| c.2 == with_companion).map(|c| (c.0, c.1)).collect();
        members.shuffle(rng);
        let hazard = BASE_HAZARD * if with_companion { 0.6 } else { 1.0 };
        let n = members.len() as f64;
        for (k, (participant, enrolled_on)) in members.into_iter().enumerate() {
            // Each arm's stays fall on its exponential distribution's quantiles, in a random
            // order: the planted hazard ratio holds whoever is in which arm.
            let quantile = (k as f64 + 0.5) / n;
            let stay = (-(1.0 - quantile).ln() / hazard).ceil() as i64;
            // Contacts are logged within the last year, so the last one says they were seen.
            let seen = today - Duration::days(rng.random_range(0..60));
            if stay <= (seen - enrolled_on).whole_days() {
                let on = enrolled_on + Duration::days(stay);
                event(app, staff.coach, participant, "hospitalisation", on, Some("psychiatric"))
                    .await?;
            }
            contact(app, staff.coach, participant, seen, None, rng).await?;
        }
    }
    app.lock_plan(lead, view.id()).await?;
    Ok(())
}

/// A trial whose intervention does nothing: the same chance of treatment entry in both arms.
async fn check_in_trial(
    app: &App,
    staff: &StudyStaff<'_>,
    lead: &StudyLead<'_>,
    programs: &DemoPrograms,
    rng: &mut impl Rng,
) -> Result<()> {
    let today = app.clock().today();
    let program = program(programs, "recovery_community_center")?;
    let input: StudyInput = serde_json::from_value(serde_json::json!({
        "title": "Weekly check-in calls at the Recovery Café",
        "question": "Does a weekly peer check-in call in the first month make treatment entry within 60 days more likely than the café's usual welcome?",
        "design": "randomised",
        "program_ids": [program.to_string()],
        "arms": [
            {"code": "usual_welcome", "name": "Usual welcome", "role": "comparison", "ratio": 1,
             "receives": "The café's usual welcome and open meetings."},
            {"code": "check_in_calls", "name": "Weekly check-in calls", "role": "intervention", "ratio": 1,
             "receives": "A peer's check-in call every week for the first month, besides the usual welcome."},
        ],
        "enrolment_from": (today - Duration::days(300)).to_string(),
        "enrolment_to": (today + Duration::days(65)).to_string(),
        "follow_up_days": 180,
        "randomisation": {"block_sizes": [2, 4]},
        "outcomes": [{"code": "treatment_60d", "name": "Treatment admission within 60 days",
                      "kind": "event_within", "event": {"kind": "treatment_admission"}, "days": 60}],
        "plan": {"primary": "treatment_60d"},
    }))
    .map_err(|e| AppError::Internal(format!("the demo's check-in study: {e}").into()))?;
    let view = app.create_study(lead, &input).await?;
    let mut cohort = Vec::new();
    for _ in 0..NULL_PARTICIPANTS {
        let who = Newcomer {
            program,
            enrolled_on: today - Duration::days(rng.random_range(100..250)),
            substance: ["alcohol", "opioids", "methamphetamine"]
                .choose(rng)
                .copied()
                .unwrap_or("alcohol"),
            co_occurring: "no",
            housing: "stable",
        };
        cohort.push((enrol_newcomer(app, staff.coach, &who, rng).await?, who.enrolled_on));
    }
    let ids: Vec<ParticipantId> = cohort.iter().map(|c| c.0).collect();
    let arms = open_and_enrol(app, lead, staff.coach, view.id(), view.stored.version, &ids).await?;
    let enrolled_on: BTreeMap<ParticipantId, Date> = cohort.into_iter().collect();
    for (arm, members) in by_arm(&arms) {
        let admitted = exact_share(members.len(), 0.3, rng);
        for (participant, admitted) in members.into_iter().zip(admitted) {
            let start = enrolled_on[&participant];
            if arm == "check_in_calls" {
                for week in 1..=4 {
                    let day = start + Duration::days(7 * week);
                    contact(app, staff.coach, participant, day, None, rng).await?;
                }
            }
            if admitted {
                let on = start + Duration::days(rng.random_range(5..60));
                event(app, staff.coach, participant, "treatment_admission", on, None).await?;
            }
            contact(app, staff.coach, participant, start + Duration::days(90), None, rng).await?;
        }
    }
    app.lock_plan(lead, view.id()).await?;
    Ok(())
}
