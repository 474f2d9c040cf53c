//! The resource directory: searched by everyone who refers, kept by supervisors and managers,
//! and imported from Open Referral HSDS packages (all or nothing, re-imports update).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::{Api, PASSWORD, TestApp, on_both_backends};

on_both_backends!(
    the_directory_is_searched_by_coaches_and_kept_by_supervisors_and_managers,
    an_hsds_package_is_dry_run_imported_and_re_imported_without_duplicates,
    a_broken_hsds_package_reports_every_row_and_imports_nothing,
    a_manager_keeps_the_directory_from_its_page,
);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hsds").join(name)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn listing(api: &Api, query: &str) -> Value {
    let reply = api.get(&format!("/api/v1/resources{query}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

fn services(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["service_name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn the_directory_is_searched_by_coaches_and_kept_by_supervisors_and_managers(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    for (organisation, service, category, city) in [
        ("Eastside Housing Trust", "Housing navigation", "Housing", "Harbor City"),
        (
            "County Outpatient Services",
            "Intensive outpatient (100% covered)",
            "Treatment",
            "Harbor City",
        ),
        ("Northgate Food Bank", "Weekly food parcels", "Food", "Northgate"),
    ] {
        let reply = manager
            .post("/api/v1/resources", json!({"organisation_name": organisation, "service_name": service, "category": category, "city": city}))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    let invalid = manager
        .post(
            "/api/v1/resources",
            json!({"service_name": "X", "email": "nope", "website": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(invalid.status, 422);
    let fields = &invalid.json()["error"]["fields"];
    assert_eq!(fields["organisation_name"], "is required");
    assert!(fields["email"].is_string() && fields["website"].is_string());

    // Coaches read and search, but do not change the directory.
    let coach = app.api(world.org, world.coach).await;
    assert_eq!(listing(&coach, "").await["total"], 3);
    assert_eq!(services(&listing(&coach, "?q=HOUSING").await), ["Housing navigation"]);
    assert_eq!(services(&listing(&coach, "?city=northgate").await), ["Weekly food parcels"]);
    assert_eq!(
        services(&listing(&coach, "?category=treatment").await),
        ["Intensive outpatient (100% covered)"]
    );
    // LIKE wildcards in the search are taken literally.
    assert_eq!(
        services(&listing(&coach, "?q=100%25").await),
        ["Intensive outpatient (100% covered)"]
    );
    assert_eq!(listing(&coach, "?q=%25%25").await["total"], 0);
    assert_eq!(listing(&coach, "?q=_").await["total"], 0);
    let refused = coach
        .post("/api/v1/resources", json!({"organisation_name": "Mine", "service_name": "Mine"}))
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("ask your supervisor"))
    );

    // A supervisor edits and deactivates; deactivated ones leave the default list.
    let supervisor = app.api(world.org, world.supervisor).await;
    let food = listing(&coach, "?q=food").await["items"][0]["id"].as_str().expect("id").to_owned();
    assert_eq!(
        coach.post(&format!("/api/v1/resources/{food}/deactivate"), json!({})).await.status,
        403
    );
    let edited = supervisor
        .patch(
            &format!("/api/v1/resources/{food}"),
            json!({"phone": "555-0177", "hours": "Saturdays 10:00–13:00"}),
            None,
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.json()["phone"], "555-0177");
    assert_eq!(edited.json()["city"], "Northgate", "fields not sent stay");
    let off = supervisor.post(&format!("/api/v1/resources/{food}/deactivate"), json!({})).await;
    assert_eq!(off.json()["active"], false);
    assert_eq!(listing(&coach, "").await["total"], 2);
    assert_eq!(listing(&coach, "?include_inactive=true").await["total"], 3);

    // Evaluators and other organisations do not see it.
    let evaluator = app.api(world.org, world.evaluator).await;
    assert_eq!(evaluator.get("/api/v1/resources").await.status, 403);
    let outsider = app.api(world.other_org, world.other_manager).await;
    assert_eq!(listing(&outsider, "").await["total"], 0);
    assert_eq!(outsider.get(&format!("/api/v1/resources/{food}")).await.status, 404);
    assert_eq!(
        outsider
            .patch(&format!("/api/v1/resources/{food}"), json!({"phone": "555-0100"}), None)
            .await
            .status,
        404
    );
}

fn find<'v>(list: &'v Value, service: &str) -> &'v Value {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["service_name"] == service)
        .unwrap_or_else(|| panic!("{service} not imported: {list}"))
}

async fn an_hsds_package_is_dry_run_imported_and_re_imported_without_duplicates(app: TestApp) {
    let world = app.world().await;
    let valid = fixture("valid");
    let dir = valid.to_str().expect("path");
    let coach = app.api(world.org, world.coach).await;

    let dry = app.kindred(&["import", "hsds", dir, "--org", world.org, "--dry-run"]);
    let report = text(&dry.stdout);
    assert!(dry.status.success(), "{report}{}", text(&dry.stderr));
    assert!(
        report.contains("HSDS package \"harbor-county-services\" (dry run: nothing was changed)"),
        "{report}"
    );
    assert!(report.contains("Would create 5 resources"), "{report}");
    assert!(
        report.contains(
            "+ svc-moud  Medication for opioid use disorder — County Outpatient Services"
        ),
        "{report}"
    );
    assert_eq!(listing(&coach, "").await["total"], 0, "a dry run changes nothing");

    let real = app.kindred(&["import", "hsds", dir, "--org", world.org]);
    let report = text(&real.stdout);
    assert!(real.status.success(), "{report}{}", text(&real.stderr));
    assert!(
        report.contains("Created 5 resources") && report.contains("Updated 0 resources"),
        "{report}"
    );
    let list = listing(&coach, "").await;
    assert_eq!(list["total"], 5);
    let navigation = find(&list, "Housing navigation");
    assert_eq!(navigation["organisation_name"], "Eastside Housing Trust");
    assert_eq!(
        navigation["address"], "210 Market Street, Suite 4",
        "the physical address, not the PO box"
    );
    assert_eq!(navigation["city"], "Harbor City");
    assert_eq!(navigation["postal_code"], "98101");
    assert_eq!(navigation["phone"], "555-0142", "the service's own phone before the office's");
    assert_eq!(navigation["email"], "navigators@eastsidehousing.example");
    assert_eq!(navigation["website"], "https://eastsidehousing.example", "the organisation's site");
    assert_eq!(navigation["hours"], "Mon, Tue, Wed, Thu, Fri 09:00–17:00");
    assert_eq!(navigation["source"], "hsds:harbor-county-services");
    assert_eq!(navigation["source_id"], "svc-housing-nav");
    let moud = find(&list, "Medication for opioid use disorder");
    assert_eq!(moud["address"], "4400 North Road", "its first location");
    assert_eq!(moud["phone"], "555-0195 ext. 2");
    assert_eq!(moud["hours"], "Weekdays 7am to 3pm, walk-ins until noon");
    let outpatient = find(&list, "Intensive outpatient program");
    assert_eq!(outpatient["phone"], "555-0190", "the organisation's switchboard");
    assert_eq!(outpatient["hours"], "Mon, Wed, Thu 17:30–20:30");
    let jobs = find(&list, "Job readiness workshop");
    assert_eq!(jobs["phone"], "555-0166");
    assert_eq!(jobs["hours"], "Tue, Thu 10:00–14:00");
    assert_eq!(jobs["email"], "jobs@secondchance.example");

    // A manager files it under a category; the publisher changes a phone; the package is
    // imported again: updated in place, nothing duplicated, the category kept.
    let manager = app.api(world.org, world.manager).await;
    let id = navigation["id"].as_str().expect("id").to_owned();
    manager.patch(&format!("/api/v1/resources/{id}"), json!({"category": "Housing"}), None).await;
    let changed = tempfile::tempdir().expect("a directory");
    for entry in std::fs::read_dir(&valid).expect("fixture") {
        let path = entry.expect("entry").path();
        let mut contents = std::fs::read_to_string(&path).expect("text");
        contents = contents.replace("555-0142", "555-0148");
        std::fs::write(changed.path().join(path.file_name().expect("name")), contents)
            .expect("copy");
    }
    let again = app.kindred(&[
        "import",
        "hsds",
        changed.path().to_str().expect("path"),
        "--org",
        world.org,
    ]);
    let report = text(&again.stdout);
    assert!(again.status.success(), "{report}");
    assert!(
        report.contains("Created 0 resources") && report.contains("Updated 5 resources"),
        "{report}"
    );
    let list = listing(&coach, "").await;
    assert_eq!(list["total"], 5, "re-importing updates, never duplicates");
    let navigation = find(&list, "Housing navigation");
    assert_eq!(navigation["id"], id.as_str());
    assert_eq!(navigation["phone"], "555-0148");
    assert_eq!(navigation["category"], "Housing");

    // The import is audited as the operator's.
    let admin = app.api(world.org, world.admin).await;
    let events = admin.get("/api/v1/audit-events?record_type=resource&action=create").await.json();
    assert!(
        events.as_array().expect("events").iter().any(|e| e["actor"] == "operator (command line)"
            && e["detail"] == "HSDS import of harbor-county-services: 0 created, 5 updated"),
        "{events}"
    );
}

/// The package's files as the API takes them.
fn package_body(dir: &Path, dry_run: bool) -> Value {
    let mut files = serde_json::Map::new();
    for entry in std::fs::read_dir(dir).expect("fixture") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_owned();
        if name.ends_with(".csv") || name.ends_with(".json") {
            files.insert(name, Value::String(std::fs::read_to_string(&path).expect("text")));
        }
    }
    json!({"files": files, "dry_run": dry_run})
}

async fn a_broken_hsds_package_reports_every_row_and_imports_nothing(app: TestApp) {
    let world = app.world().await;
    let broken = fixture("broken");
    let dir = broken.to_str().expect("path");
    let expected = [
        "organizations.csv row 3: website must be a web address starting with https://",
        "services.csv row 2: email \"navigators at eastside\" is not an email address",
        "services.csv row 4: name is required but empty",
        "services.csv row 6: organization_id unknown organisation id \"org-nowhere\"",
        "phones.csv row 4: number \"call the front desk\" must be a phone number",
        "schedules.csv row 3: opens_at \"5:30pm\" is not a time",
    ];
    for args in [vec!["--dry-run"], vec![]] {
        let mut command = vec!["import", "hsds", dir, "--org", world.org];
        command.extend(args);
        let run = app.kindred(&command);
        let report = text(&run.stdout);
        assert!(!run.status.success(), "a broken package fails: {report}");
        assert!(report.contains("6 problems; nothing was imported."), "{report}");
        for line in expected {
            assert!(report.contains(line), "missing {line:?} in:\n{report}");
        }
    }
    let coach = app.api(world.org, world.coach).await;
    assert_eq!(listing(&coach, "?include_inactive=true").await["total"], 0, "nothing was imported");

    // The same over the API: a manager gets every error and a 422; a coach may not import.
    let manager = app.api(world.org, world.manager).await;
    let reply = manager.post("/api/v1/resources/hsds-import", package_body(&broken, false)).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["applied"], false);
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(6));
    assert_eq!(body["errors"][0]["file"], "organizations.csv");
    assert_eq!(body["errors"][0]["row"], 3);
    assert_eq!(body["errors"][0]["field"], "website");
    assert_eq!(listing(&coach, "").await["total"], 0);
    assert_eq!(
        coach
            .post("/api/v1/resources/hsds-import", package_body(&fixture("valid"), true))
            .await
            .status,
        403
    );
    let dry =
        manager.post("/api/v1/resources/hsds-import", package_body(&fixture("valid"), true)).await;
    assert_eq!(dry.status, 200);
    assert_eq!(dry.json()["created"].as_array().map(Vec::len), Some(5));
    assert_eq!(dry.json()["applied"], false);
    assert_eq!(listing(&coach, "").await["total"], 0);
    let missing = manager
        .post("/api/v1/resources/hsds-import", json!({"files": {"services.csv": "id\n"}}))
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(missing.json()["errors"][0]["file"], "datapackage.json");
}

async fn a_manager_keeps_the_directory_from_its_page(app: TestApp) {
    let world = app.world().await;
    let imported = app.kindred(&[
        "import",
        "hsds",
        fixture("valid").to_str().expect("path"),
        "--org",
        world.org,
    ]);
    assert!(imported.status.success());
    let mut browser = app.browser();
    browser.sign_in(world.org, world.manager, PASSWORD).await;
    let page = browser.get("/resources?q=outpatient").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Intensive outpatient program") && page.body.contains("2 services"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Housing navigation"));

    let refused = browser
        .submit("/resources/new", &[("service_name", "Drop-in"), ("website", "not a site")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("value=\"Drop-in\""));
    let added = browser
        .submit(
            "/resources/new",
            &[
                ("organisation_name", "Northgate Food Bank"),
                ("service_name", "Weekly food parcels"),
                ("city", "Northgate"),
            ],
        )
        .await;
    assert_eq!(added.status, 303);
    let page = browser.get("/resources").await;
    assert!(page.body.contains("Weekly food parcels") && page.body.contains("6 services"));

    // A coach reads the directory but sees no way to change it, and cannot post one.
    let mut coach = app.browser();
    coach.sign_in(world.org, world.coach, PASSWORD).await;
    let page = coach.get("/resources").await;
    assert!(page.body.contains("Weekly food parcels") && !page.body.contains("Add a resource"));
    assert_eq!(coach.get("/resources/new").await.status, 403);
}
