//! A study's CONSORT-style flow over HTTP (issue 12): a randomised trial with every kind of
//! exit — participants refused by its eligibility rule, one who had withdrawn before, one
//! eligible but never enrolled; and among the allocated, some never contacted, some lost,
//! some withdrawn, some missing the primary outcome. Each count is exact; per arm, the
//! allocated are the followed, the lost and the withdrawn; the analysed counts equal the
//! analysis's; nothing is by arm before the lock; only the evaluator reads it; and nothing
//! names a participant.

use std::collections::BTreeMap;

use serde_json::json;
use time::Duration;

use crate::support::{PASSWORD, TestApp, Trial, on_both_backends, open_trial};

on_both_backends!(
    the_flow_counts_every_exit_and_adds_up_per_arm,
    a_cohort_by_component_received_flows_from_membership,
);

/// How each allocated participant leaves the study (or does not), and what the test expects.
struct Exit {
    status: Option<&'static str>,
    contacted: bool,
    admitted: bool,
}

impl Exit {
    /// Missing the primary outcome: no admission and never seen after enrolment.
    fn missing(&self) -> bool {
        !self.admitted && !self.contacted
    }
}

const EXITS: [Exit; 12] = {
    const fn exit(status: Option<&'static str>, contacted: bool, admitted: bool) -> Exit {
        Exit { status, contacted, admitted }
    }
    [
        exit(Some("withdrawn"), true, false),
        exit(Some("withdrawn"), false, false),
        exit(Some("lost_to_follow_up"), true, false),
        exit(Some("lost_to_follow_up"), false, false),
        exit(None, false, true),
        exit(None, false, false),
        exit(None, true, true),
        exit(None, true, false),
        exit(None, true, false),
        exit(None, true, false),
        exit(Some("completed"), true, false),
        exit(None, true, false),
    ]
};

const INELIGIBLE: &str = "Setting is Emergency department, not one of: Walk-in clinic";

async fn the_flow_counts_every_exit_and_adds_up_per_arm(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let evaluator = app.api(world.org, world.evaluator).await;
    let today = app.app.clock().today();
    let program =
        manager.post("/api/v1/programs", json!({"template_code": "ed_brief_intervention"})).await;
    assert_eq!(program.status, 201, "{}", program.body);
    let program = program.json()["id"].as_str().expect("a program").to_owned();
    let eligibility = json!([{"rule": "field", "field": "setting", "any_of": ["walk_in_clinic"]}]);
    let enrolment = (today - Duration::days(200), today + Duration::days(60));
    let id = open_trial(&evaluator, Trial { program: &program, eligibility, enrolment }).await;
    let enrolments = format!("/api/v1/studies/{id}/enrolments");
    let enrolled_on = today - Duration::days(100);
    let mut n = 0;
    let mut new_participant = async |setting: &str| {
        n += 1;
        let reply = manager
            .post(
                "/api/v1/participants",
                json!({"given_name": format!("Ysolde{n}"), "family_name": "Marchbanks",
                       "date_of_birth": "1979-03-14", "program_id": program,
                       "coach_id": world.coach_id.to_string(), "setting": setting,
                       "primary_substance": "alcohol", "enrolled_on": enrolled_on.to_string(),
                       "coach_override_reason": "The study's coach is still training"}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        let body = reply.json();
        (
            body["id"].as_str().expect("an id").to_owned(),
            body["reference"].as_str().expect("a reference").to_owned(),
        )
    };
    let mut people = Vec::new();
    // Refused by the rule, with the reason the flow gives.
    for _ in 0..3 {
        let (ineligible, reference) = new_participant("emergency_department").await;
        let refused = coach.post(&enrolments, json!({"participant_id": ineligible})).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body.contains(INELIGIBLE), "{}", refused.body);
        people.push((ineligible, reference));
    }
    // Withdrew from the program before anyone asked; eligible but never enrolled.
    let (withdrew_before, reference) = new_participant("walk_in_clinic").await;
    let path = format!("/api/v1/participants/{withdrew_before}");
    let patched = manager.patch(&path, json!({"status": "withdrawn"}), None).await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    people.push((withdrew_before, reference));
    people.push(new_participant("walk_in_clinic").await);

    let mut arm_of = Vec::new();
    for exit in &EXITS {
        let (participant, reference) = new_participant("walk_in_clinic").await;
        let enrolment = coach.post(&enrolments, json!({"participant_id": participant})).await;
        assert_eq!(enrolment.status, 201, "{}", enrolment.body);
        arm_of.push(enrolment.json()["arm"].as_str().expect("an arm").to_owned());
        if exit.contacted {
            let seen = crate::contacts::contact(&participant, today);
            let logged = coach.post("/api/v1/contacts", seen).await;
            assert_eq!(logged.status, 201, "{}", logged.body);
        }
        if exit.admitted {
            let on = (enrolled_on + Duration::days(5)).to_string();
            let reply = coach
                .post(
                    &format!("/api/v1/participants/{participant}/outcome-events"),
                    json!({"kind": "treatment_admission", "occurred_on": on}),
                )
                .await;
            assert_eq!(reply.status, 201, "{}", reply.body);
        }
        if let Some(status) = exit.status {
            let path = format!("/api/v1/participants/{participant}");
            let patched = manager.patch(&path, json!({"status": status}), None).await;
            assert_eq!(patched.status, 200, "{}", patched.body);
        }
        people.push((participant, reference));
    }

    // Before the lock: pooled counts, nothing by arm.
    let flow_path = format!("/api/v1/studies/{id}/flow");
    let pooled = evaluator.get(&flow_path).await;
    assert_eq!(pooled.status, 200, "{}", pooled.body);
    let body = pooled.json();
    assert_eq!(body["state"], "pooled", "{body}");
    assert!(body["arms"].is_null(), "arms before the lock: {body}");
    for arm in ["Usual care", "Peer support", "usual", "peer"] {
        assert!(!pooled.body.contains(arm), "the pooled flow names an arm: {}", pooled.body);
    }
    assert_eq!(body["assessed"], 17, "{body}");
    assert_eq!(body["excluded"], 5, "{body}");
    assert_eq!(
        body["exclusions"],
        json!([
            {"reason": INELIGIBLE, "count": 3},
            {"reason": "eligible, not enrolled in the study", "count": 1},
            {"reason": "has withdrawn", "count": 1},
        ]),
        "{body}"
    );
    let expected_total = json!({
        "allocated": 12, "received": 8, "followed": 8, "lost": 2, "withdrew": 2,
        "analysed": 9, "missing": 3,
    });
    assert_eq!(body["total"], expected_total, "{body}");
    let results = evaluator.get(&format!("/api/v1/studies/{id}/analysis")).await.json();
    assert_eq!(results["pooled"]["outcomes"][0]["observed"], 9, "the flow is the analysis's");
    let mut browser = app.browser();
    browser.sign_in(world.org, world.evaluator, PASSWORD).await;
    let page = browser.get(&format!("/studies/{id}/results")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let figure = flow_figure(&page.body);
    assert!(figure.contains("Enrolled, all arms together (n = 12)"), "{figure}");
    assert!(!figure.contains("Usual care") && !figure.contains("Peer support"), "{figure}");

    // Only the evaluator reads the flow.
    for who in [world.coach, world.supervisor, world.manager] {
        let api = app.api(world.org, who).await;
        assert_eq!(api.get(&flow_path).await.status, 403, "{who}");
    }
    let theirs = app.api(world.other_org, world.other_manager).await;
    assert!([403, 404].contains(&theirs.get(&flow_path).await.status));
    let mut coach_browser = app.browser();
    coach_browser.sign_in(world.org, world.coach, PASSWORD).await;
    assert_eq!(coach_browser.get(&format!("/studies/{id}/results")).await.status, 403);

    let locked = evaluator.post(&format!("/api/v1/studies/{id}/plan/lock"), json!({})).await;
    assert_eq!(locked.status, 200, "{}", locked.body);
    let served = evaluator.get(&flow_path).await;
    assert_eq!(served.status, 200, "{}", served.body);
    let body = served.json();
    assert_eq!(body["state"], "by_arm", "{body}");
    assert_eq!(body["total"], expected_total, "{body}");
    assert_eq!(body["assessed"], 17);
    assert_eq!(body["excluded"], 5);
    let arms = body["arms"].as_array().expect("arms after the lock");
    assert_eq!(arms.len(), 2, "{body}");
    let analysis = evaluator.get(&format!("/api/v1/studies/{id}/analysis")).await.json();
    let sample = analysis["analysis"]["outcomes"][0]["sample"].as_array().expect("a sample");
    for (i, arm) in arms.iter().enumerate() {
        let code = arm["code"].as_str().expect("a code");
        let members: Vec<&Exit> =
            EXITS.iter().zip(&arm_of).filter(|(_, a)| *a == code).map(|(e, _)| e).collect();
        let count = |f: &dyn Fn(&Exit) -> bool| members.iter().filter(|e| f(e)).count();
        let expected: BTreeMap<&str, usize> = BTreeMap::from([
            ("allocated", members.len()),
            ("received", count(&|e| e.contacted)),
            ("lost", count(&|e| e.status == Some("lost_to_follow_up"))),
            ("withdrew", count(&|e| e.status == Some("withdrawn"))),
            ("followed", count(&|e| !matches!(e.status, Some("withdrawn" | "lost_to_follow_up")))),
            ("analysed", count(&|e| !e.missing())),
            ("missing", count(&|e| e.missing())),
        ]);
        for (field, n) in &expected {
            assert_eq!(arm[*field], *n, "{code} {field}: {arm}");
        }
        let of = |f: &str| arm[f].as_u64().expect("a count");
        assert_eq!(of("allocated"), of("followed") + of("lost") + of("withdrew"), "{arm}");
        // The analysed counts are the analysis's own.
        assert_eq!(sample[i]["analysed"], arm["analysed"], "{code}");
        assert_eq!(sample[i]["missing"], arm["missing"], "{code}");
    }

    // The page draws it by arm, with its title, description and tables.
    let page = browser.get(&format!("/studies/{id}/results")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let figure = flow_figure(&page.body);
    for needle in [
        "<svg viewBox=\"0 0 360 ",
        "role=\"img\"",
        "aria-labelledby=\"study-flow-title study-flow-desc\"",
        "<title id=\"study-flow-title\">",
        "<desc id=\"study-flow-desc\">17 assessed for eligibility, 5 excluded",
        "Assessed for eligibility (n = 17)",
        "Excluded (n = 5)",
        "Allocated to Usual care",
        "Allocated to Peer support",
        "<th scope=\"row\">Allocated</th>",
        "<th scope=\"col\">Peer support</th>",
    ] {
        assert!(figure.contains(needle), "{needle} not in {figure}");
    }
    assert!(figure.contains("Setting is Emergency department"), "{figure}");

    // Counts only: no name, date of birth, reference or id.
    for reply in [&pooled.body, &served.body, &figure.to_owned()] {
        for secret in ["Ysolde", "Marchbanks", "1979-03-14"] {
            assert!(!reply.contains(secret), "{secret} in the flow");
        }
        for (participant, reference) in &people {
            assert!(!reply.contains(participant.as_str()), "a participant id in the flow");
            assert!(!reply.contains(reference.as_str()), "{reference} in the flow");
        }
    }
    let audit = app
        .api(world.org, world.admin)
        .await
        .get("/api/v1/audit-events?record_type=study_analysis")
        .await;
    assert!(audit.body.contains("flow of 17 assessed, 12 allocated, by arm"), "{}", audit.body);
}

/// The flow's figure of the results page (its SVG and tables).
fn flow_figure(page: &str) -> &str {
    let start = page.find("<figure class=\"flow-chart\">").expect("the flow's figure");
    let end = page[start..].find("</figure>").expect("its end") + start;
    &page[start..end]
}

/// A comparison cohort whose arms are who received the brief intervention and who did not:
/// nobody is enrolled one by one, so the assessed are the program's participants enrolled in
/// the period, and each arm's allocated are the ones the analysis places there.
async fn a_cohort_by_component_received_flows_from_membership(app: TestApp) {
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
    let created = evaluator
        .post(
            "/api/v1/studies",
            json!({
                "title": "Who had the conversation",
                "question": "Are people who had the brief intervention admitted more often?",
                "design": "quasi_experimental", "comparison": "component_not_received",
                "program_ids": [program],
                "arms": [
                    {"code": "without", "name": "Without the conversation", "role": "comparison",
                     "receives": "Written advice only", "membership": membership(false)},
                    {"code": "with", "name": "With the conversation", "role": "intervention",
                     "receives": "The brief motivational intervention",
                     "membership": membership(true)},
                ],
                "enrolment_from": (today - Duration::days(200)).to_string(),
                "enrolment_to": (today - Duration::days(100)).to_string(),
                "follow_up_days": 90,
                "outcomes": [{"code": "admitted_30d", "name": "Treatment admission within 30 days",
                              "kind": "event_within", "event": {"kind": "treatment_admission"},
                              "days": 30}],
                "plan": {"primary": "admitted_30d"},
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().expect("an id").to_owned();
    for n in 0..8 {
        // Two enrolled after the study's period: not assessed.
        let days_ago = if n < 6 { 150 } else { 20 };
        let enrolled_on = today - Duration::days(days_ago);
        let reply = manager
            .post(
                "/api/v1/participants",
                json!({"given_name": format!("Tamsin{n}"), "family_name": "Oakhurst",
                       "date_of_birth": "1985-07-01", "program_id": program,
                       "coach_id": world.coach_id.to_string(), "setting": "walk_in_clinic",
                       "primary_substance": "alcohol", "enrolled_on": enrolled_on.to_string(),
                       "coach_override_reason": "The study's coach is still training"}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        let participant = reply.json()["id"].as_str().expect("an id").to_owned();
        let mut first = crate::contacts::contact(&participant, enrolled_on);
        if n % 2 == 0 {
            first["component"] = json!("Brief motivational intervention");
        }
        assert_eq!(coach.post("/api/v1/contacts", first).await.status, 201);
        if n == 1 {
            let path = format!("/api/v1/participants/{participant}");
            let left = (enrolled_on + Duration::days(10)).to_string();
            let patched =
                manager.patch(&path, json!({"status": "withdrawn", "left_on": left}), None).await;
            assert_eq!(patched.status, 200, "{}", patched.body);
        }
    }
    let flow_path = format!("/api/v1/studies/{id}/flow");
    let pooled = evaluator.get(&flow_path).await.json();
    assert_eq!(pooled["assessed"], 6, "{pooled}");
    assert_eq!(pooled["excluded"], 0, "{pooled}");
    assert_eq!(pooled["total"]["allocated"], 6, "{pooled}");
    assert!(pooled["arms"].is_null(), "{pooled}");
    let locked = evaluator.post(&format!("/api/v1/studies/{id}/plan/lock"), json!({})).await;
    assert_eq!(locked.status, 200, "{}", locked.body);
    let flow = evaluator.get(&flow_path).await.json();
    let arms = flow["arms"].as_array().expect("arms after the lock");
    let by_code = |code: &str| arms.iter().find(|a| a["code"] == code).expect("the arm").clone();
    let (without, with) = (by_code("without"), by_code("with"));
    assert_eq!((without["allocated"].as_u64(), with["allocated"].as_u64()), (Some(3), Some(3)));
    // Every contact was on the day of enrolment, which counts as receiving the support.
    assert_eq!(flow["total"]["received"], 6, "{flow}");
    assert_eq!(without["withdrew"], 1, "{without}");
    for arm in arms {
        let of = |f: &str| arm[f].as_u64().expect("a count");
        assert_eq!(of("allocated"), of("followed") + of("lost") + of("withdrew"), "{arm}");
    }
}
