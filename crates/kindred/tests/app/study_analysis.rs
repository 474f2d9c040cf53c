//! A study's analysis over HTTP (issue 11): an evaluator defines a randomised trial, staff
//! enrol participants (the app allocates them), outcomes are recorded through the API with a
//! planted effect — treatment admission within 30 days with a risk ratio of 1.5, time to
//! psychiatric rehospitalisation with a hazard ratio of 0.6 — and, once the plan is locked,
//! the analysis the API serves holds each planted value inside its CI. Before the lock only
//! pooled figures are served; the numbers equal the engine's on the exported table; the same
//! analysis twice is the same JSON; degenerate studies answer in words; coaches and
//! supervisors see none of it, nothing names a participant, nothing crosses organisations.

use serde_json::{Value, json};
use time::{Date, Duration};

use crate::support::{Api, PASSWORD, TestApp, World, on_both_backends};

on_both_backends!(
    a_planted_effect_lies_inside_the_served_intervals,
    a_study_that_cannot_be_estimated_says_so_in_words,
    arms_by_a_component_received_are_read_from_the_contacts,
    a_withdrawal_ends_follow_up_on_its_day,
);

const PER_STUDY: usize = 120;
/// Every participant is followed for this many days: a contact on that day says they were
/// seen, and rehospitalisations later than it are not recorded.
const SEEN_ON_DAY: i64 = 300;
const BASE_HAZARD: f64 = 1.0 / 250.0;
const HAZARD_RATIO: f64 = 0.6;
const RISKS: (f64, f64) = (0.4, 0.6);

fn trial(program: &str, today: Date) -> Value {
    json!({
        "title": "Peer support after a walk-in visit",
        "question": "Does a peer coach raise treatment entry and lower psychiatric rehospitalisation?",
        "design": "randomised",
        "program_ids": [program],
        "arms": [
            {"code": "usual", "name": "Usual care", "role": "comparison", "ratio": 1,
             "receives": "written advice and a referral list only"},
            {"code": "peer", "name": "Peer support", "role": "intervention", "ratio": 1,
             "receives": "a peer recovery coach for six months"},
        ],
        "enrolment_from": (today - Duration::days(400)).to_string(),
        "enrolment_to": (today + Duration::days(60)).to_string(),
        "follow_up_days": 365,
        "randomisation": {"block_sizes": [2, 4]},
        "outcomes": [
            {"code": "admitted_30d", "name": "Treatment admission within 30 days",
             "kind": "event_within", "event": {"kind": "treatment_admission"}, "days": 30},
            {"code": "rehospitalised", "name": "Days to psychiatric rehospitalisation",
             "kind": "time_to_event",
             "event": {"kind": "hospitalisation", "hospitalisation_kinds": ["psychiatric"]}},
        ],
        "plan": {"primary": "admitted_30d", "secondary": ["rehospitalised"]},
    })
}

/// A participant of `program` on the world's coach's caseload, enrolled on `enrolled_on`;
/// the names and date of birth are ones the tests scan the results for.
async fn participant(
    manager: &Api,
    world: &World,
    program: &str,
    (given, family, born): (String, &str, &str),
    enrolled_on: Date,
) -> String {
    let reply = manager
        .post(
            "/api/v1/participants",
            json!({"given_name": given, "family_name": family, "date_of_birth": born,
                   "program_id": program, "coach_id": world.coach_id.to_string(),
                   "setting": "walk_in_clinic", "primary_substance": "alcohol",
                   "enrolled_on": enrolled_on.to_string(),
                   "coach_override_reason": "The study's coach is still training"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().expect("an id").to_owned()
}

struct Trial {
    evaluator: Api,
    id: String,
    study: Value,
}

/// Creates and opens the trial, then enrols `PER_STUDY` participants through the API, each
/// enrolled in the program 330 days ago, and records their follow-up contact on day 300.
/// Returns the trial and each participant with their allocated arm.
async fn enrolled_trial(app: &TestApp, world: &World) -> (Trial, Vec<(String, String)>) {
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let evaluator = app.api(world.org, world.evaluator).await;
    let today = app.app.clock().today();
    let program =
        manager.post("/api/v1/programs", json!({"template_code": "ed_brief_intervention"})).await;
    assert_eq!(program.status, 201, "{}", program.body);
    let program = program.json()["id"].as_str().expect("a program").to_owned();
    let created = evaluator.post("/api/v1/studies", trial(&program, today)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let study = created.json();
    let id = study["id"].as_str().expect("an id").to_owned();
    let opened = evaluator
        .post(&format!("/api/v1/studies/{id}/open"), json!({"version": study["version"]}))
        .await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    let enrolled_on = today - Duration::days(330);
    let mut people = Vec::new();
    for n in 0..PER_STUDY {
        let names = (format!("Quennell{n}"), "Atherbury", "1984-02-29");
        let participant = participant(&manager, world, &program, names, enrolled_on).await;
        let enrolment = coach
            .post(
                &format!("/api/v1/studies/{id}/enrolments"),
                json!({"participant_id": participant}),
            )
            .await;
        assert_eq!(enrolment.status, 201, "{}", enrolment.body);
        let arm = enrolment.json()["arm"].as_str().expect("an arm").to_owned();
        let seen =
            crate::contacts::contact(&participant, enrolled_on + Duration::days(SEEN_ON_DAY));
        assert_eq!(coach.post("/api/v1/contacts", seen).await.status, 201);
        people.push((participant, arm));
    }
    let study = evaluator.get(&format!("/api/v1/studies/{id}")).await.json();
    (Trial { evaluator, id, study }, people)
}

/// Records the planted outcomes: within each arm, participant k of n is admitted within 30
/// days when k mod 5 falls under the arm's risk (exactly 40 % and 60 %), and is
/// rehospitalised on the day the arm's exponential distribution puts quantile (k + ½)/n at,
/// when that is by day 300.
async fn plant(app: &TestApp, world: &World, people: &[(String, String)]) {
    let coach = app.api(world.org, world.coach).await;
    let enrolled_on = app.app.clock().today() - Duration::days(330);
    for arm in ["usual", "peer"] {
        let members: Vec<&String> =
            people.iter().filter(|(_, a)| a == arm).map(|(p, _)| p).collect();
        let (risk, hazard) = if arm == "peer" {
            (RISKS.1, BASE_HAZARD * HAZARD_RATIO)
        } else {
            (RISKS.0, BASE_HAZARD)
        };
        let n = members.len();
        for (k, participant) in members.iter().enumerate() {
            let path = format!("/api/v1/participants/{participant}/outcome-events");
            if ((k % 5) as f64) < risk * 5.0 {
                let on = enrolled_on + Duration::days(10);
                let reply = coach
                    .post(
                        &path,
                        json!({"kind": "treatment_admission", "occurred_on": on.to_string()}),
                    )
                    .await;
                assert_eq!(reply.status, 201, "{}", reply.body);
            }
            let quantile = (k as f64 + 0.5) / n as f64;
            let day = (-(1.0 - quantile).ln() / hazard).ceil() as i64;
            if day <= SEEN_ON_DAY {
                let on = enrolled_on + Duration::days(day);
                let reply = coach
                    .post(
                        &path,
                        json!({"kind": "hospitalisation", "occurred_on": on.to_string(),
                                        "hospitalisation_kind": "psychiatric"}),
                    )
                    .await;
                assert_eq!(reply.status, 201, "{}", reply.body);
            }
        }
    }
}

fn effect<'a>(analysis: &'a Value, outcome: usize, kind: &str, pick: &str) -> &'a Value {
    let comparison = &analysis["outcomes"][outcome]["comparison"][kind];
    match kind {
        "binary" => &comparison["comparisons"][0][pick]["result"],
        _ => &comparison["cox"]["result"]["hazard_ratios"][0],
    }
}

fn inside(effect: &Value, planted: f64) -> bool {
    let (lower, upper) = (effect["ci"]["lower"].as_f64(), effect["ci"]["upper"].as_f64());
    lower.zip(upper).is_some_and(|(l, u)| l <= planted && planted <= u)
}

async fn a_planted_effect_lies_inside_the_served_intervals(app: TestApp) {
    let world = app.world().await;
    let (trial, people) = enrolled_trial(&app, &world).await;
    let Trial { evaluator, id, study } = trial;
    let results = format!("/api/v1/studies/{id}/analysis");
    let table = format!("/api/v1/studies/{id}/analysis/table");
    plant(&app, &world, &people).await;
    let arms = study["arms"].as_array().expect("arms");
    let per_arm: Vec<i64> = arms.iter().map(|a| a["enrolled"].as_i64().unwrap_or(0)).collect();
    assert_eq!(per_arm.iter().sum::<i64>(), PER_STUDY as i64);

    // Before the lock: pooled figures only, nothing by arm.
    let pooled = evaluator.get(&results).await;
    assert_eq!(pooled.status, 200, "{}", pooled.body);
    let body = pooled.json();
    assert_eq!(body["state"], "pooled");
    assert!(body["analysis"].is_null());
    assert_eq!(body["pooled"]["enrolled"], PER_STUDY);
    assert_eq!(body["pooled"]["outcomes"][0]["observed"], PER_STUDY, "{body}");
    for arm in ["Usual care", "Peer support", "usual", "peer"] {
        assert!(!pooled.body.contains(arm), "the pooled figures name an arm: {}", pooled.body);
    }
    assert_eq!(evaluator.get(&table).await.status, 409, "the table holds outcomes by arm");
    let mut browser = app.browser();
    browser.sign_in(world.org, world.evaluator, PASSWORD).await;
    let page = browser.get(&format!("/studies/{id}/results")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("nothing is shown by arm"), "{}", page.body);
    assert!(!page.body.contains("Usual care"), "the pooled page names an arm");
    // The research view names the study but keeps the arm until the lock.
    let research = evaluator.get("/api/v1/research/participants").await.json();
    let enrolled: Vec<&Value> = research
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| !r["studies"].as_array().is_none_or(Vec::is_empty))
        .collect();
    assert_eq!(enrolled.len(), PER_STUDY);
    assert!(enrolled.iter().all(|r| r["studies"][0]["arm"].is_null()), "an arm before the lock");

    // Coaches and supervisors never see results; another organisation does not find them.
    for who in [world.coach, world.supervisor, world.manager] {
        let api = app.api(world.org, who).await;
        assert_eq!(api.get(&results).await.status, 403, "{who}");
        assert_eq!(api.get(&table).await.status, 403, "{who}");
    }
    let theirs = app.api(world.other_org, world.other_manager).await;
    assert!([403, 404].contains(&theirs.get(&results).await.status));

    let locked = evaluator.post(&format!("/api/v1/studies/{id}/plan/lock"), json!({})).await;
    assert_eq!(locked.status, 200, "{}", locked.body);
    let hash = locked.json()["plan"]["locked_hash"].as_str().expect("a hash").to_owned();
    let served = evaluator.get(&results).await;
    assert_eq!(served.status, 200, "{}", served.body);
    let body = served.json();
    assert_eq!(body["state"], "analysed");
    assert_eq!(body["plan_hash"], hash.as_str());
    let analysis = &body["analysis"];
    assert_eq!(analysis["analysis_version"], kindred_evaluation::analysis::ANALYSIS_VERSION);
    assert_eq!(analysis["reference_arm"], 0, "usual care is the comparison");

    let ratio = effect(analysis, 0, "binary", "risk_ratio");
    assert!(inside(ratio, RISKS.1 / RISKS.0), "risk ratio 1.5 outside {ratio}");
    assert!(ratio["estimate"].as_f64().is_some_and(|e| (e - 1.5).abs() < 0.2), "{ratio}");
    let hazard = effect(analysis, 1, "time_to_event", "");
    assert!(inside(hazard, HAZARD_RATIO), "hazard ratio 0.6 outside {hazard}");
    assert!(hazard["ci"]["upper"].as_f64().is_some_and(|u| u < 1.0), "no evidence: {hazard}");
    // Each result names its sample: everyone analysed, no one missing.
    let sample = &analysis["outcomes"][0]["sample"];
    let analysed: u64 = sample
        .as_array()
        .expect("a sample")
        .iter()
        .map(|s| s["analysed"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(analysed, PER_STUDY as u64, "{sample}");
    assert!(sample.as_array().expect("a sample").iter().all(|s| s["missing"] == 0));
    assert!(!served.body.contains("NaN") && !served.body.contains("null"), "a number failed");

    // The results page shows the effects; the research view now shows each arm.
    let page = browser.get(&format!("/studies/{id}/results")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("risk ratio, Peer support vs Usual care"), "{}", page.body);
    assert!(page.body.contains("hazard ratio"), "{}", page.body);
    // The summary reads the hazard ratio's interval, wholly below 1 (asserted above), as such.
    assert!(page.body.contains(r#"<h2 id="summary-heading">Summary</h2>"#), "{}", page.body);
    assert!(
        page.body.contains("came later in Peer support than in Usual care (hazard ratio "),
        "{}",
        page.body
    );
    let mut coach_browser = app.browser();
    coach_browser.sign_in(world.org, world.coach, PASSWORD).await;
    assert_eq!(coach_browser.get(&format!("/studies/{id}/results")).await.status, 403);
    let research = evaluator.get("/api/v1/research/participants").await.json();
    for (participant, arm) in &people {
        let record = research
            .as_array()
            .and_then(|r| r.iter().find(|r| r["id"] == participant.as_str()))
            .expect("a research record");
        assert_eq!(record["studies"][0]["arm"], arm.as_str(), "{record}");
    }

    // The same analysis twice is the same JSON.
    let again = evaluator.get(&results).await;
    assert_eq!(again.body, served.body, "the analysis changed between two runs");

    // The numbers served equal the engine's on the exported table.
    let exported = evaluator.get(&table).await;
    assert_eq!(exported.status, 200, "{}", exported.body);
    let exported = exported.json();
    let table: kindred_evaluation::table::AnalysedTable =
        serde_json::from_value(exported["table"].clone()).expect("the table reads back");
    let request: kindred_evaluation::analysis::AnalysisRequest =
        serde_json::from_value(exported["request"].clone()).expect("the request reads back");
    assert_eq!(table.rows.len(), PER_STUDY);
    let recomputed = kindred_evaluation::analysis::analyse(&table, &request).expect("analysed");
    assert_eq!(serde_json::to_value(&recomputed).expect("json"), *analysis);

    // Nothing served names a participant or their date of birth.
    for reply in [&served.body, &serde_json::to_string(&exported).expect("json")] {
        for secret in ["Quennell", "Atherbury", "1984-02-29"] {
            assert!(!reply.contains(secret), "{secret} in the results");
        }
        for (participant, _) in &people {
            assert!(!reply.contains(participant.as_str()), "a participant id in the results");
        }
    }
    // Every read of the results is audited.
    let audit = app
        .api(world.org, world.admin)
        .await
        .get("/api/v1/audit-events?record_type=study_analysis")
        .await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    assert!(audit.json().as_array().is_some_and(|entries| entries.len() >= 4), "{}", audit.body);
}

/// A trial with one arm empty and no event at all: each analysis says why it has no
/// estimate, in words, and no number is NaN.
async fn a_study_that_cannot_be_estimated_says_so_in_words(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let evaluator = app.api(world.org, world.evaluator).await;
    let today = app.app.clock().today();
    let program =
        manager.post("/api/v1/programs", json!({"template_code": "ed_brief_intervention"})).await;
    let program = program.json()["id"].as_str().expect("a program").to_owned();
    let created = evaluator.post("/api/v1/studies", trial(&program, today)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().expect("an id").to_owned();
    // Locked with no one enrolled: both arms empty.
    let locked = evaluator.post(&format!("/api/v1/studies/{id}/plan/lock"), json!({})).await;
    assert_eq!(locked.status, 200, "{}", locked.body);
    let served = evaluator.get(&format!("/api/v1/studies/{id}/analysis")).await;
    assert_eq!(served.status, 200, "{}", served.body);
    assert!(!served.body.contains("NaN") && !served.body.contains("null"), "{}", served.body);
    let body = served.json();
    let binary = &body["analysis"]["outcomes"][0]["comparison"]["binary"];
    let ratio = &binary["comparisons"][0]["risk_ratio"];
    assert_eq!(ratio["estimable"], false, "{ratio}");
    assert!(ratio["reason"].as_str().is_some_and(|r| r.len() > 20), "no reason in words: {ratio}");
    let cox = &body["analysis"]["outcomes"][1]["comparison"]["time_to_event"]["cox"];
    assert_eq!(cox["estimable"], false, "{cox}");
    assert!(cox["reason"].is_string());
}

/// A quasi-experimental study whose arms are who received the brief intervention and who did
/// not: nobody is enrolled one by one; the analysis reads each participant's arm from the
/// components their contacts delivered.
async fn arms_by_a_component_received_are_read_from_the_contacts(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let evaluator = app.api(world.org, world.evaluator).await;
    let today = app.app.clock().today();
    let program =
        manager.post("/api/v1/programs", json!({"template_code": "ed_brief_intervention"})).await;
    let program = program.json()["id"].as_str().expect("a program").to_owned();
    let membership = |received: bool| {
        json!({"by": "component", "program_id": program,
               "component": "Brief motivational intervention", "received": received})
    };
    let study = json!({
        "title": "Who had the conversation",
        "question": "Are people who had the brief intervention admitted to treatment more often?",
        "design": "quasi_experimental", "comparison": "component_not_received",
        "program_ids": [program],
        "arms": [
            {"code": "without", "name": "Without the conversation", "role": "comparison",
             "receives": "Written advice only", "membership": membership(false)},
            {"code": "with", "name": "With the conversation", "role": "intervention",
             "receives": "The brief motivational intervention", "membership": membership(true)},
        ],
        "enrolment_from": (today - Duration::days(200)).to_string(),
        "enrolment_to": (today - Duration::days(100)).to_string(),
        "follow_up_days": 90,
        "outcomes": [{"code": "admitted_30d", "name": "Treatment admission within 30 days",
                      "kind": "event_within", "event": {"kind": "treatment_admission"}, "days": 30}],
        "plan": {"primary": "admitted_30d"},
    });
    let created = evaluator.post("/api/v1/studies", study).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().expect("an id").to_owned();
    for n in 0..12 {
        // Two enrolled outside the study's period, who are not in it.
        let days_ago = if n < 10 { 150 } else { 20 };
        let enrolled_on = today - Duration::days(days_ago);
        let names = (format!("Corvina{n}"), "Paxley", "1980-01-01");
        let participant = participant(&manager, &world, &program, names, enrolled_on).await;
        let mut first = crate::contacts::contact(&participant, enrolled_on);
        if n % 2 == 0 {
            first["component"] = json!("Brief motivational intervention");
        }
        let logged = coach.post("/api/v1/contacts", first).await;
        assert_eq!(logged.status, 201, "{}", logged.body);
        let later = crate::contacts::contact(&participant, enrolled_on + Duration::days(10));
        assert_eq!(coach.post("/api/v1/contacts", later).await.status, 201);
    }
    let locked = evaluator.post(&format!("/api/v1/studies/{id}/plan/lock"), json!({})).await;
    assert_eq!(locked.status, 200, "{}", locked.body);
    let served = evaluator.get(&format!("/api/v1/studies/{id}/analysis")).await;
    assert_eq!(served.status, 200, "{}", served.body);
    let arms = served.json()["analysis"]["arms"].clone();
    let counts: Vec<u64> = arms
        .as_array()
        .expect("arms")
        .iter()
        .map(|a| a["participants"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(counts, vec![5, 5], "five with and five without the conversation: {arms}");
}

/// A participant who withdraws on day 100 is censored there, not at their last contact; the
/// day is recorded with the status, refused without it, and cleared when they come back.
async fn a_withdrawal_ends_follow_up_on_its_day(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let evaluator = app.api(world.org, world.evaluator).await;
    let today = app.app.clock().today();
    let program =
        manager.post("/api/v1/programs", json!({"template_code": "ed_brief_intervention"})).await;
    let program = program.json()["id"].as_str().expect("a program").to_owned();
    let created = evaluator.post("/api/v1/studies", trial(&program, today)).await;
    let study = created.json();
    let id = study["id"].as_str().expect("an id").to_owned();
    let opened = evaluator
        .post(&format!("/api/v1/studies/{id}/open"), json!({"version": study["version"]}))
        .await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    let enrolled_on = today - Duration::days(330);
    let mut people = Vec::new();
    for n in 0..4 {
        let names = (format!("Wren{n}"), "Halloway", "1990-05-05");
        let participant = participant(&manager, &world, &program, names, enrolled_on).await;
        let enrolment = coach
            .post(
                &format!("/api/v1/studies/{id}/enrolments"),
                json!({"participant_id": participant}),
            )
            .await;
        assert_eq!(enrolment.status, 201, "{}", enrolment.body);
        let seen =
            crate::contacts::contact(&participant, enrolled_on + Duration::days(SEEN_ON_DAY));
        assert_eq!(coach.post("/api/v1/contacts", seen).await.status, 201);
        people.push(participant);
    }
    let path = format!("/api/v1/participants/{}", people[0]);
    let refused = manager.patch(&path, json!({"left_on": today.to_string()}), None).await;
    assert_eq!(refused.status, 422, "a day of leaving for someone still active: {}", refused.body);
    assert!(refused.json()["error"]["fields"]["left_on"].is_string());
    let left = (enrolled_on + Duration::days(100)).to_string();
    let withdrawn =
        manager.patch(&path, json!({"status": "withdrawn", "left_on": left}), None).await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!(withdrawn.json()["left_on"], left.as_str());
    // Lost without a day given: today.
    let lost_path = format!("/api/v1/participants/{}", people[1]);
    let lost = manager.patch(&lost_path, json!({"status": "lost_to_follow_up"}), None).await;
    assert_eq!(lost.json()["left_on"], today.to_string().as_str(), "{}", lost.body);
    let back = manager.patch(&lost_path, json!({"status": "active"}), None).await;
    assert!(back.json()["left_on"].is_null(), "{}", back.body);

    let locked = evaluator.post(&format!("/api/v1/studies/{id}/plan/lock"), json!({})).await;
    assert_eq!(locked.status, 200, "{}", locked.body);
    let exported = evaluator.get(&format!("/api/v1/studies/{id}/analysis/table")).await.json();
    let rows = exported["table"]["rows"].as_array().expect("rows");
    let days = |key: &str| {
        let row = rows.iter().find(|r| r["key"] == key).expect("the row");
        (row["outcomes"][1]["days"].as_f64(), row["outcomes"][1]["event"].as_bool())
    };
    assert_eq!(days("S0001"), (Some(100.0), Some(false)), "censored on the day they withdrew");
    assert_eq!(days("S0002"), (Some(SEEN_ON_DAY as f64), Some(false)), "back, followed to day 300");
    assert_eq!(days("S0003"), (Some(SEEN_ON_DAY as f64), Some(false)));
}
