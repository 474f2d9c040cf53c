//! The program dashboard, its CSV and the funder report over HTTP, on a small scenario with
//! hand-computed figures. With T = today and one follow-up time point (6 months, window days
//! 150–240):
//! - P1 and P2 enrolled T-300 (window T-150…T-60, closed): P1's BARC-10 on T-130 is in the
//!   window, P2 has none (missed). P3 enrolled T-200 (window open), P4 T-10: not counted yet.
//!   So 1 of 2 due: 50 %, Wilson 95 % interval 9.45 % to 90.55 %.
//! - Contacts (all by the coach): P1 T-20 30 min phone, emotional + informational, check-in;
//!   P2 T-40 45 min in person, instrumental, escort; P3 T-100 20 min phone, affiliational,
//!   check-in; P1 T-5 15 min video, emotional, check-in.
//!   Default period: 4 contacts, 110 minutes, 3 participants reached; emotional 2 / 45,
//!   informational 1 / 30, instrumental 1 / 45, affiliational 1 / 20; check-in 3 / 65,
//!   escort 1 / 45.
//! - Costs: staff 30.00 an hour, 7.00 an in-person contact, 1.00 a phone call. Cost =
//!   110 min × 30.00 / 60 = 55.00 + 7.00 + 2 × 1.00 = 64.00; per participant 64.00 / 3 = 21.33;
//!   per contact 16.00.
//! - Outcome events: P1 treatment admission T-30, P2 arrest T-90.
//!
//! From T-60 to T: contacts P1 T-20, P2 T-40, P1 T-5: 3 contacts, 90 minutes, 2 reached;
//! cost 45.00 + 7.00 + 1.00 = 53.00, 26.50 per participant, 17.67 per contact; enrolled 1
//! (P4), active 4; outcome events: the admission only.

use base64::Engine;
use serde_json::json;
use time::{Date, Duration};

use crate::browser::{axe_source, phone};
use crate::follow_up::{complete_barc10, enrol_on, open_program, put_schedule, three_points};
use crate::support::{Api, Browser, PASSWORD, TestApp, World, on_both_backends};

on_both_backends!(the_dashboard_csv_and_funder_report_show_the_hand_computed_figures);

struct Scenario {
    program: String,
    today: Date,
    p1_enrolled: Date,
    p4_enrolled: Date,
}

async fn contact(
    api: &Api,
    participant: &str,
    day: Date,
    minutes: u32,
    mode: &str,
    kinds: &[&str],
    activities: &[&str],
) {
    let body = json!({"participant_id": participant, "occurred_at": format!("{day}T10:00"),
        "minutes": minutes, "mode": mode, "support_kinds": kinds, "activities": activities});
    let reply = api.post("/api/v1/contacts", body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

async fn event(api: &Api, participant: &str, kind: &str, day: Date) {
    let path = format!("/api/v1/participants/{participant}/outcome-events");
    let reply = api.post(&path, json!({"kind": kind, "occurred_on": day.to_string()})).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

async fn scenario(app: &TestApp, world: &World) -> Scenario {
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let program = open_program(&manager, "Outreach, together").await;
    let mut only_six = three_points();
    only_six["time_points"] = json!([only_six["time_points"][2].clone()]);
    put_schedule(&manager, &program, only_six).await;
    let costs = manager
        .patch(
            &format!("/api/v1/programs/{program}"),
            json!({"hourly_staff_cost": "30", "contact_costs": [
                {"mode": "in_person", "cost": "7"}, {"mode": "phone", "cost": "1.00"}]}),
            None,
        )
        .await;
    assert_eq!(costs.status, 200, "{}", costs.body);
    let today = app.app.clock().today();
    let days = Duration::days;
    let coach_id = world.coach_id.to_string();
    let p1 = enrol_on(&manager, "One", &program, today - days(300), &coach_id).await;
    let p2 = enrol_on(&manager, "Two", &program, today - days(300), &coach_id).await;
    let p3 = enrol_on(&manager, "Three", &program, today - days(200), &coach_id).await;
    enrol_on(&manager, "Four", &program, today - days(10), &coach_id).await;
    complete_barc10(&manager, &p1, &program, today - days(130)).await;
    contact(
        &coach,
        &p1,
        today - days(20),
        30,
        "phone",
        &["emotional", "informational"],
        &["check_in"],
    )
    .await;
    contact(&coach, &p2, today - days(40), 45, "in_person", &["instrumental"], &["escort"]).await;
    contact(&coach, &p3, today - days(100), 20, "phone", &["affiliational"], &["check_in"]).await;
    contact(&coach, &p1, today - days(5), 15, "video", &["emotional"], &["check_in"]).await;
    event(&coach, &p1, "treatment_admission", today - days(30)).await;
    event(&coach, &p2, "arrest", today - days(90)).await;
    Scenario { program, today, p1_enrolled: today - days(300), p4_enrolled: today - days(10) }
}

/// The Wilson score interval, written out (z for 95 %), to check the served one against.
fn wilson(successes: f64, n: f64) -> (f64, f64) {
    let z = 1.959_963_984_540_054_f64;
    let p = successes / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    (centre - half, centre + half)
}

fn month_label(d: Date) -> String {
    format!("{} {}", d.month(), d.year())
}

/// A table row as the templates write it: the heading cell, then the values.
fn row(label: &str, values: &[&str]) -> String {
    let cells: String = values.iter().map(|v| format!("<td>{v}</td>")).collect();
    format!("<th scope=\"row\">{label}</th>{cells}")
}

fn has_all(body: &str, rows: &[String]) {
    for r in rows {
        assert!(body.contains(r.as_str()), "missing {r} in:\n{body}");
    }
}

fn csv_has(body: &str, lines: &[&str]) {
    let got: Vec<&str> = body.lines().collect();
    for line in lines {
        assert!(got.contains(line), "missing CSV line {line:?} in:\n{body}");
    }
}

async fn the_dashboard_csv_and_funder_report_show_the_hand_computed_figures(app: TestApp) {
    let world = app.world().await;
    let s = scenario(&app, &world).await;
    let program = &s.program;
    let mut manager = app.browser();
    manager.sign_in(world.org, world.manager, PASSWORD).await;

    // The program page links to the dashboard.
    let page = manager.get(&format!("/programs/{program}")).await;
    assert!(
        page.body.contains(&format!("href=\"/programs/{program}/dashboard\"")),
        "{}",
        page.body
    );

    // The default period: the last 12 months.
    let page = manager.get(&format!("/programs/{program}/dashboard")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let (lower, upper) = wilson(1.0, 2.0);
    let interval = format!("{:.0}% to {:.0}%", 100.0 * lower, 100.0 * upper);
    assert_eq!(interval, "9% to 91%");
    let expected = [
        row("Emotional", &["2", "45"]),
        row("Informational", &["1", "30"]),
        row("Instrumental", &["1", "45"]),
        row("Affiliational", &["1", "20"]),
        row("Check-in", &["3", "65"]),
        row("Escort", &["1", "45"]),
        row("6 months", &["1 of 2", "50%", &interval]),
        row("Treatment admission", &["1"]),
        row("Arrest", &["1"]),
        row("Overdose", &["0"]),
        row("Total", &["64.00"]),
        row("Per participant reached", &["21.33"]),
        row("Per contact", &["16.00"]),
        row("Participants reached", &["3"]),
        row(&month_label(s.p1_enrolled), &["2", "2"]),
    ];
    has_all(&page.body, &expected);
    // The month P4 enrolled in: one more enrolled, all four active.
    has_all(&page.body, &[row(&month_label(s.p4_enrolled), &["1", "4"])]);
    for svg in ["enrolment", "support-kinds", "activities", "follow-up-by-time-point", "outcomes"] {
        assert!(page.body.contains(&format!("<title id=\"{svg}-title\">")), "{svg} chart");
        assert!(page.body.contains(&format!("<desc id=\"{svg}-desc\">")), "{svg} described");
    }
    assert!(!page.body.contains("treatment_admission") && !page.body.contains(">in_person<"));

    // The CSV: the same figures, properly quoted, as an attachment.
    let csv = manager.get(&format!("/programs/{program}/dashboard.csv")).await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(csv.header("content-disposition").is_some_and(|d| d.starts_with("attachment;")));
    let p1_month = month_label(s.p1_enrolled);
    csv_has(
        &csv.body,
        &[
            "figure,item,measure,value",
            "support_kinds,Emotional,Contacts,2",
            "support_kinds,Emotional,Minutes,45",
            "support_kinds,Affiliational,Contacts,1",
            "support_kinds,All contacts,Minutes,110",
            "activities,Check-in,Contacts,3",
            "activities,Escort,Minutes,45",
            "follow_up,6 months,Completed in window,1",
            "follow_up,6 months,Due,2",
            "follow_up,6 months,Rate,0.5000",
            &format!("follow_up,6 months,95% CI lower (Wilson),{lower:.4}"),
            &format!("follow_up,6 months,95% CI upper (Wilson),{upper:.4}"),
            "outcomes,Treatment admission,Events,1",
            "outcomes,Arrest,Events,1",
            "cost,Cost,Total,64.00",
            "cost,Cost,Per participant reached,21.33",
            "cost,Cost,Per contact,16.00",
            "enrolment,Whole period,Enrolled,4",
            &format!("enrolment,{p1_month},Enrolled,2"),
        ],
    );
    let one = manager.get(&format!("/programs/{program}/dashboard.csv?figure=cost")).await;
    assert_eq!(one.status, 200);
    assert!(one.body.lines().skip(1).all(|l| l.starts_with("cost,")), "{}", one.body);
    let bad = manager.get(&format!("/programs/{program}/dashboard.csv?figure=nonsense")).await;
    assert_eq!(bad.status, 422, "{}", bad.body);

    // The funder report: one self-contained file with the same figures.
    let report = manager.get(&format!("/programs/{program}/funder-report")).await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(
        report.header("content-security-policy").is_some_and(|c| c.contains("script-src 'none'"))
    );
    assert!(report.body.contains("<style>") && !report.body.contains("<script"));
    assert!(!report.body.contains("<link rel=\"stylesheet\""));
    assert!(report.body.contains("Funder report: Outreach, together"));
    has_all(&report.body, &expected);
    // Its CSV travels inside it: the link is the dashboard's CSV, read without the server.
    let link = report.body.split("href=\"data:text/csv;charset=utf-8;base64,").nth(1);
    let encoded = link.and_then(|l| l.split('"').next()).expect("a data: link to the CSV");
    let embedded = base64::engine::general_purpose::STANDARD
        .decode(encoded.replace("&#x2f;", "/").replace("&#61;", "=").replace("&#43;", "+"))
        .expect("base64");
    assert_eq!(String::from_utf8(embedded).expect("UTF-8"), csv.body, "the dashboard's CSV");

    // A period that leaves out P3's contact and P2's arrest.
    let from = s.today - Duration::days(60);
    let query = format!("from={from}&to={}", s.today);
    let page = manager.get(&format!("/programs/{program}/dashboard?{query}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let narrowed = [
        row("Emotional", &["2", "45"]),
        row("Informational", &["1", "30"]),
        row("Instrumental", &["1", "45"]),
        row("Affiliational", &["0", "0"]),
        row("Check-in", &["2", "45"]),
        row("Arrest", &["0"]),
        row("Treatment admission", &["1"]),
        row("Total", &["53.00"]),
        row("Per participant reached", &["26.50"]),
        row("Per contact", &["17.67"]),
    ];
    has_all(&page.body, &narrowed);
    let csv = manager.get(&format!("/programs/{program}/dashboard.csv?{query}")).await;
    csv_has(
        &csv.body,
        &[
            "support_kinds,All contacts,Contacts,3",
            "support_kinds,All contacts,Minutes,90",
            "cost,Cost,Total,53.00",
            "enrolment,Whole period,Enrolled,1",
            "enrolment,Whole period,Active,4",
            "outcomes,Arrest,Events,0",
        ],
    );
    let report = manager.get(&format!("/programs/{program}/funder-report?{query}")).await;
    has_all(&report.body, &narrowed);
    // The command line writes the same file (but for the minute it was made).
    let dir = tempfile::tempdir().expect("a directory");
    let out = dir.path().join("funder.html").display().to_string();
    let (to, from) = (s.today.to_string(), from.to_string());
    let written = app.kindred(&[
        "report",
        "funder",
        "--program",
        program,
        "--from",
        &from,
        "--to",
        &to,
        "--org",
        world.org,
        "--as",
        world.manager,
        "--out",
        &out,
    ]);
    let said = String::from_utf8_lossy(&written.stdout);
    assert!(written.status.success(), "{said} {}", String::from_utf8_lossy(&written.stderr));
    assert!(said.contains("the funder report of"), "{said}");
    let made = |html: &str| {
        html.lines().filter(|l| !l.contains("<dt>Made</dt>")).collect::<Vec<_>>().join("\n")
    };
    let file = std::fs::read_to_string(&out).expect("the report");
    assert_eq!(made(&file), made(&report.body), "the file is the page");
    let refused = app.kindred(&[
        "report",
        "funder",
        "--program",
        program,
        "--org",
        world.org,
        "--as",
        world.coach,
        "--out",
        &out,
    ]);
    assert!(!refused.status.success(), "a coach makes no funder report");

    // A bad date: the filter again with the error at its field, not a failure.
    let bad = manager.get(&format!("/programs/{program}/dashboard?from=2026-02-30")).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("href=\"#from\""), "{}", bad.body);
    assert!(bad.body.contains("must be a date written YYYY-MM-DD"), "{}", bad.body);
    let backwards = format!("/programs/{program}/dashboard?from={}&to={from}", s.today);
    let bad = manager.get(&backwards).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("must be on or after the start of the period"), "{}", bad.body);
    let bad = manager.get(&format!("/programs/{program}/funder-report?to=soon")).await;
    assert_eq!(bad.status, 422);

    // Reads are audited.
    let audit = app
        .api(world.org, world.admin)
        .await
        .get("/api/v1/audit-events?record_type=program_dashboard")
        .await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    assert!(audit.body.contains("Outreach, together"), "{}", audit.body);

    // Coaches, evaluators and admins are refused; another organisation finds nothing.
    for user in [world.coach, world.evaluator, world.admin, world.supervisor] {
        let mut browser: Browser = app.browser();
        browser.sign_in(world.org, user, PASSWORD).await;
        for path in ["dashboard", "dashboard.csv", "funder-report"] {
            let reply = browser.get(&format!("/programs/{program}/{path}")).await;
            assert_eq!(reply.status, 403, "{user} {path}: {}", reply.body);
        }
        let page = browser.get(&format!("/programs/{program}")).await;
        assert!(!page.body.contains("/dashboard\""), "{user} is offered the dashboard");
    }
    let mut outsider = app.browser();
    outsider.sign_in(world.other_org, world.other_manager, PASSWORD).await;
    for path in ["dashboard", "dashboard.csv", "funder-report", "dashboard?from=nonsense"] {
        let reply = outsider.get(&format!("/programs/{program}/{path}")).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.body);
        assert!(!reply.body.contains("Outreach"));
    }
}

/// On a 390-px phone the dashboard and the funder report fit the screen (scrollable tables
/// are focusable regions) and axe finds no serious violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_and_the_funder_report_fit_a_phone() {
    let app = TestApp::sqlite().await;
    let world = app.world().await;
    let s = scenario(&app, &world).await;
    let Some(phone) = phone().await else { return };
    let client = &phone.client;
    phone.sign_in(&app.base_url, world.org, world.manager).await;
    for (path, heading, shot) in [
        ("dashboard", "Dashboard: Outreach, together", "program-dashboard"),
        ("funder-report", "Funder report: Outreach, together", "funder-report"),
    ] {
        client
            .goto(&format!("{}/programs/{}/{path}", app.base_url, s.program))
            .await
            .expect("navigates");
        phone.expect_page(heading).await;
        assert!(phone.fits_the_screen().await, "{path} fits a phone");
        phone.screenshot(shot).await;
        if let Some(axe) = axe_source() {
            let violations = phone.serious_accessibility_violations(&axe).await;
            assert!(violations.is_empty(), "{path}: {}", violations.join("\n"));
        }
    }
    let _ = client.clone().close().await;
}
