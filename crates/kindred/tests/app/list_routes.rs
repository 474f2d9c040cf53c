//! Every list the API has, read by every role of both organisations: each shows only what the
//! policy's scope covers. The routes come from the OpenAPI document (every `GET` without a
//! path parameter), so a new list cannot be added without this test reading it.

use serde_json::json;

use crate::support::{Api, TestApp, World, minimal_participant, on_both_backends};

on_both_backends!(every_list_shows_only_what_the_readers_scope_covers);

/// The `GET` routes without a path parameter, from the served document.
async fn list_routes(app: &TestApp) -> Vec<String> {
    let document = app.anonymous_api().get("/api/v1/openapi.json").await.json();
    let paths = document["paths"].as_object().expect("paths");
    let mut routes: Vec<String> = paths
        .iter()
        .filter(|(path, item)| !path.contains('{') && item.get("get").is_some())
        .map(|(path, _)| path.clone())
        .filter(|path| path != "/api/v1/openapi.json")
        .collect();
    routes.sort();
    routes
}

/// One participant per caseload (each with a contact, a task and an open referral window's
/// worth of work), so any list that leaks shows a name it should not.
struct Seeded {
    /// (given name, family name, id) of the participant on each caseload.
    on_coach: (String, String),
    on_lone_coach: (String, String),
    elsewhere: (String, String),
}

async fn enrol_with_work(
    api: &Api,
    program: &str,
    given: &str,
    family: &str,
    coach: Option<String>,
) -> String {
    let mut body = minimal_participant(given, family);
    body["program_id"] = json!(program);
    if let Some(coach) = coach {
        body["coach_id"] = json!(coach);
    }
    let reply = api.post("/api/v1/participants", body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let id = reply.json()["id"].as_str().expect("an id").to_owned();
    let contact = api
        .post(
            "/api/v1/contacts",
            json!({"participant_id": id, "minutes": 15, "mode": "phone", "format": "one_to_one",
                   "support_kinds": ["emotional"], "note": format!("Note about {given}")}),
        )
        .await;
    assert_eq!(contact.status, 201, "{}", contact.body);
    id
}

async fn program(api: &Api) -> String {
    let reply = api.post("/api/v1/programs", json!({"template_code": "mobile_outreach"})).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().expect("a program").to_owned()
}

async fn seed(app: &TestApp, world: &World) -> Seeded {
    let manager = app.api(world.org, world.manager).await;
    let acme = program(&manager).await;
    let coach = Some(world.coach_id.to_string());
    let lone = Some(world.lone_coach_id.to_string());
    let on_coach = enrol_with_work(&manager, &acme, "Quilla", "Marchetti", coach).await;
    let on_lone = enrol_with_work(&manager, &acme, "Zebulon", "Achterberg", lone).await;
    let other = app.api(world.other_org, world.other_manager).await;
    let elsewhere_program = program(&other).await;
    let other_coach = Some(world.other_coach_id.to_string());
    let elsewhere =
        enrol_with_work(&other, &elsewhere_program, "Yusra", "Oyelaran", other_coach).await;
    Seeded {
        on_coach: ("Marchetti".into(), on_coach),
        on_lone_coach: ("Achterberg".into(), on_lone),
        elsewhere: ("Oyelaran".into(), elsewhere),
    }
}

/// A participant (family name, id) the reader must not see in this list. The audit log is the
/// exception for ids: an admin sees which record was touched (never a name).
fn expect_absent(body: &str, route: &str, who: &str, (name, id): &(String, String)) {
    assert!(!body.contains(name.as_str()), "{who} sees {name} in {route}: {body}");
    if route != "/api/v1/audit-events" {
        assert!(!body.contains(id.as_str()), "{who} sees {name}'s id in {route}");
    }
}

/// A reader (organisation, email) and the participants (family name, id) hidden from them.
type Reader<'a> = (&'a str, &'a str, Vec<&'a (String, String)>);

async fn every_list_shows_only_what_the_readers_scope_covers(app: TestApp) {
    let world = app.world().await;
    let seeded = seed(&app, &world).await;
    let routes = list_routes(&app).await;
    for must in ["/api/v1/participants", "/api/v1/contacts", "/api/v1/tasks", "/api/v1/follow-up"] {
        assert!(routes.iter().any(|r| r == must), "{must} is not in the document: {routes:?}");
    }
    // Who reads, and whom they may not see in any list.
    let readers: [Reader; 7] = [
        (world.org, world.coach, vec![&seeded.on_lone_coach, &seeded.elsewhere]),
        (world.org, world.lone_coach, vec![&seeded.on_coach, &seeded.elsewhere]),
        (world.org, world.supervisor, vec![&seeded.on_lone_coach, &seeded.elsewhere]),
        (world.org, world.manager, vec![&seeded.elsewhere]),
        // Evaluators see research records: never a name (ids of research records are fine).
        (world.org, world.evaluator, vec![&seeded.elsewhere]),
        (world.org, world.admin, vec![&seeded.on_coach, &seeded.on_lone_coach, &seeded.elsewhere]),
        (world.other_org, world.other_manager, vec![&seeded.on_coach, &seeded.on_lone_coach]),
    ];
    for (org, email, hidden) in readers {
        let api = app.api(org, email).await;
        for route in &routes {
            let reply = api.get(route).await;
            assert!(
                [200, 403].contains(&reply.status),
                "{email} GET {route}: {} {}",
                reply.status,
                reply.body
            );
            for participant in &hidden {
                expect_absent(&reply.body, route, email, participant);
            }
            if email == world.evaluator {
                for (name, _) in [&seeded.on_coach, &seeded.on_lone_coach] {
                    assert!(
                        !reply.body.contains(name.as_str()),
                        "the evaluator sees {name} in {route}"
                    );
                }
                assert!(!reply.body.contains("Note about"), "the evaluator sees a note in {route}");
            }
        }
    }
    // And the readers who should see a participant do (so the lists are not simply empty).
    let coach = app.api(world.org, world.coach).await;
    for route in ["/api/v1/participants", "/api/v1/contacts"] {
        assert!(coach.get(route).await.body.contains(&seeded.on_coach.1), "{route}");
    }
    let manager = app.api(world.org, world.manager).await;
    let everyone = manager.get("/api/v1/contacts").await.body;
    assert!(everyone.contains(&seeded.on_coach.1) && everyone.contains(&seeded.on_lone_coach.1));
}
