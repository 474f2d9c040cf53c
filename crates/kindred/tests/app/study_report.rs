//! The evaluation report (issue 12): for each of the demo's studies, every figure of the
//! report page is the number the API serves at its path (the analysis, or the flow), its text
//! that number rounded as shown, and no numeric table cell goes untraced; the report is one
//! self-contained file (no script, no link out) with its charts; it is refused before the
//! plan is locked and to anyone but the evaluator; a study locked with nobody in it and
//! amended still reports, its amendment listed with its reason and hashes; `kindred report
//! evaluation` writes the same file, refuses what it cannot write and says so when Chromium
//! is missing.

use kindred_app::demo::{DEMO_ORGANISATION, DEMO_PASSWORD, populate};
use serde_json::{Value, json};

use crate::support::{Api, Browser, TestApp, Trial, on_both_backends, open_trial};

on_both_backends!(
    every_figure_of_the_report_is_the_one_the_api_serves,
    the_report_waits_for_the_lock_and_is_the_evaluator_s,
);

const EVALUATOR: &str = "evaluator@riverside.example";

/// One `<data>` element of the report.
#[derive(Debug)]
struct Figure {
    value: String,
    /// `data-path` (the analysis) or `data-flow` (the flow), and the pointer.
    source: &'static str,
    path: String,
    scale: f64,
    text: String,
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_owned())
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

fn figures(html: &str) -> Vec<Figure> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<data ") {
        let tag_end = rest[start..].find('>').expect("the tag ends") + start;
        let tag = &rest[start..tag_end];
        let close = rest[tag_end..].find("</data>").expect("the element ends") + tag_end;
        let (source, path) = match (attribute(tag, "data-path"), attribute(tag, "data-flow")) {
            (Some(path), None) => ("analysis", path),
            (None, Some(path)) => ("flow", path),
            other => panic!("a figure with one source: {tag} ({other:?})"),
        };
        found.push(Figure {
            value: attribute(tag, "value").expect("a value"),
            source,
            path,
            scale: attribute(tag, "data-scale").map_or(1.0, |s| s.parse().expect("a scale")),
            text: unescape(&rest[tag_end + 1..close]),
        });
        rest = &rest[close..];
    }
    found
}

/// The number a figure's text shows, and half a unit of its last digit.
fn shown(text: &str) -> (f64, f64) {
    let cleaned: String = text
        .replace('−', "-")
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    let decimals = cleaned.split_once('.').map_or(0, |(_, d)| d.len());
    let value = cleaned.parse::<f64>().unwrap_or_else(|_| panic!("a number in {text:?}"));
    (value, 0.5 * 10f64.powi(-(decimals as i32)) + 1e-9)
}

/// The cells of the report's tables whose text is a number, with no figure in them.
fn untraced_numeric_cells(html: &str) -> Vec<String> {
    let mut untraced = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<td") {
        let open_end = rest[start..].find('>').expect("the cell opens") + start + 1;
        let end = rest[open_end..].find("</td>").expect("the cell ends") + open_end;
        let cell = &rest[open_end..end];
        let mut text = String::new();
        let mut in_tag = false;
        for c in cell.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        let numeric =
            text.chars().any(|c| c.is_ascii_digit()) && text.chars().all(|c| !c.is_alphabetic());
        if numeric && !cell.contains("<data ") {
            untraced.push(text);
        }
        rest = &rest[end..];
    }
    untraced
}

/// Each figure's value is the served number at its path, and its text that number as shown.
fn assert_figures_are_served(figures: &[Figure], analysis: &Value, flow: &Value) {
    for figure in figures {
        let document = if figure.source == "flow" { flow } else { analysis };
        let served = document
            .pointer(&figure.path)
            .and_then(Value::as_f64)
            .unwrap_or_else(|| panic!("{} is a number of the {}", figure.path, figure.source));
        let value: f64 = figure.value.parse().expect("a number");
        assert_eq!(value, served, "{}", figure.path);
        if figure.text.starts_with('<') {
            assert!(served < 0.001, "{}: {} shown as {}", figure.path, served, figure.text);
            continue;
        }
        let (text, half_unit) = shown(&figure.text);
        let expected = served * figure.scale;
        // Dollars are rounded to whole dollars; everything else to the digits shown.
        assert!(
            (text - expected).abs() <= half_unit.max(if figure.scale < 1.0 { 0.5 } else { 0.0 }),
            "{}: {expected} shown as {:?}",
            figure.path,
            figure.text
        );
    }
}

/// An API client signed in as one of the demo's staff.
async fn demo_api(app: &TestApp, email: &str) -> Api {
    let token = app
        .anonymous_api()
        .post(
            "/api/v1/auth/token",
            json!({"org": DEMO_ORGANISATION, "email": email, "password": DEMO_PASSWORD}),
        )
        .await;
    app.anonymous_api().with_token(token.json()["token"].as_str().expect("a token"))
}

async fn demo_evaluator(app: &TestApp) -> (Api, Browser) {
    populate(&app.app, 30, 2026).await.expect("the demo");
    let api = demo_api(app, EVALUATOR).await;
    let mut browser = app.browser();
    let signed_in = browser.sign_in(DEMO_ORGANISATION, EVALUATOR, DEMO_PASSWORD).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    (api, browser)
}

async fn every_figure_of_the_report_is_the_one_the_api_serves(app: TestApp) {
    let (api, mut browser) = demo_evaluator(&app).await;
    let studies = api.get("/api/v1/studies").await.json();
    let studies = studies.as_array().expect("the demo's studies").clone();
    assert_eq!(studies.len(), 3);
    let mut charts_seen = Vec::new();
    for study in &studies {
        let id = study["id"].as_str().expect("an id");
        let report = browser.get(&format!("/studies/{id}/report")).await;
        assert_eq!(report.status, 200, "{}", report.body);
        assert_eq!(report.header("content-type"), Some("text/html; charset=utf-8"));
        let policy = report.header("content-security-policy").unwrap_or_default();
        assert!(policy.contains("default-src 'none'") && policy.contains("script-src 'none'"));
        let html = &report.body;
        // Self-contained: no script, no stylesheet or image fetched, no link to follow.
        for outside in ["<script", "<link", "src=\"http", "href=\"http", "<img"] {
            assert!(!html.contains(outside), "{outside} in the report");
        }
        assert!(html.contains("<style>") && html.contains("<h2 id=\"summary\">Summary</h2>"));
        assert!(html.contains(study["title"].as_str().expect("a title")));

        let analysis = api.get(&format!("/api/v1/studies/{id}/analysis")).await.json();
        let plan_hash = analysis["plan_hash"].as_str().expect("a locked plan");
        assert!(html.contains(plan_hash), "the plan's hash is in the report");
        let analysis = &analysis["analysis"];
        let flow = api.get(&format!("/api/v1/studies/{id}/flow")).await.json();
        let figures = figures(html);
        assert!(figures.len() > 60, "{} figures in {id}", figures.len());
        assert_figures_are_served(&figures, analysis, &flow);
        assert_eq!(untraced_numeric_cells(html), Vec::<String>::new(), "in {id}");
        // The flow adds up, and every stage is in the report.
        for arm in flow["arms"].as_array().expect("by arm") {
            let of = |k: &str| arm[k].as_u64().unwrap_or(0);
            assert_eq!(of("allocated"), of("followed") + of("lost") + of("withdrew"), "{arm}");
        }
        for stage in ["/assessed", "/excluded", "/arms/0/allocated", "/arms/1/withdrew"] {
            assert!(figures.iter().any(|f| f.source == "flow" && f.path == stage), "{stage}");
        }
        for (needle, chart) in [
            ("class=\"chart survival-chart\"", "survival curves"),
            ("class=\"chart forest-chart\"", "a forest plot"),
            ("class=\"chart pre-post-chart\"", "a pre-post plot"),
            ("<h2 id=\"cost\">Costs</h2>", "the cost table"),
            ("<h2 id=\"baseline\">The arms at baseline</h2>", "the baseline table"),
        ] {
            if html.contains(needle) {
                charts_seen.push(chart);
            }
        }
        if study["design"] == "quasi_experimental" {
            let at_risk = "/outcomes/0/comparison/time_to_event/arms/1/result/at_risk/0/at_risk";
            assert!(figures.iter().any(|f| f.path == at_risk), "numbers at risk");
        }
    }
    for chart in [
        "survival curves",
        "a forest plot",
        "a pre-post plot",
        "the cost table",
        "the baseline table",
    ] {
        assert!(charts_seen.contains(&chart), "no study's report has {chart}: {charts_seen:?}");
    }
    // The command line writes the same file (but for the minute it was made).
    let first = studies[0]["id"].as_str().expect("an id");
    let dir = tempfile::tempdir().expect("a directory");
    let out = dir.path().join("report.html");
    let written = app.kindred(&[
        "report",
        "evaluation",
        "--study",
        first,
        "--org",
        DEMO_ORGANISATION,
        "--as",
        EVALUATOR,
        "--out",
        &out.display().to_string(),
    ]);
    let said = String::from_utf8_lossy(&written.stdout);
    assert!(written.status.success(), "{said} {}", String::from_utf8_lossy(&written.stderr));
    assert!(said.starts_with("Wrote ") && said.contains("the evaluation report of"), "{said}");
    let file = std::fs::read_to_string(&out).expect("the report");
    let page = browser.get(&format!("/studies/{first}/report")).await.body;
    let made = |html: &str| {
        html.lines().filter(|l| !l.contains("<dt>Made</dt>")).collect::<Vec<_>>().join("\n")
    };
    assert_eq!(made(&file), made(&page), "the file is the page");

    // Each report made is audited as the evaluator's export (four: three pages, one file,
    // and the page read again).
    let admin = demo_api(&app, "admin@riverside.example").await;
    let audit = admin.get("/api/v1/audit-events?record_type=study_report").await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    let exports = audit.body.matches("evaluation report: analysis").count();
    assert_eq!(exports, 5, "{}", audit.body);
    assert!(audit.body.contains("\"export\""), "{}", audit.body);
}

async fn the_report_waits_for_the_lock_and_is_the_evaluator_s(app: TestApp) {
    let (api, mut browser) = demo_evaluator(&app).await;
    let studies = api.get("/api/v1/studies").await.json();
    let locked = studies[0]["id"].as_str().expect("an id").to_owned();
    let programs = api.get("/api/v1/programs").await.json();
    let program = programs[0]["id"].as_str().expect("a program").to_owned();
    let today = app.app.clock().today();
    let trial = Trial {
        program: &program,
        eligibility: json!([]),
        enrolment: (today, today + time::Duration::days(90)),
    };
    let open = open_trial(&api, trial).await;
    let refused = browser.get(&format!("/studies/{open}/report")).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("Lock the analysis plan first"), "{}", refused.body);

    // Locked with nobody enrolled and amended to 99 % intervals: the report says what could
    // not be estimated, lists the amendment with its reason and hashes, and its few figures
    // are still the served ones.
    let lock = api.post(&format!("/api/v1/studies/{open}/plan/lock"), json!({})).await;
    assert_eq!(lock.status, 200, "{}", lock.body);
    let lock = lock.json();
    let mut changed = lock["definition"].clone();
    changed["plan"]["alpha"] = json!("0.01");
    let amendment = json!({"version": lock["version"], "reason": "A stricter alpha, as the \
        funder's reviewers <asked>", "study": changed});
    let amended = api.post(&format!("/api/v1/studies/{open}/plan/amendments"), amendment).await;
    assert_eq!(amended.status, 200, "{}", amended.body);
    let plan = &amended.json()["plan"];
    let report = browser.get(&format!("/studies/{open}/report")).await;
    assert_eq!(report.status, 200, "{}", report.body);
    let html = &report.body;
    for hash in [&plan["locked_hash"], &plan["current_hash"]] {
        assert!(html.contains(hash.as_str().expect("a hash")), "{hash} in the report");
    }
    let escaped = ["reviewers &lt;asked&gt;", "reviewers &#60;asked&#62;"];
    assert!(escaped.iter().any(|r| html.contains(r)), "the amendment's reason");
    assert!(!html.contains("<asked>"), "escaped");
    assert!(html.contains("99% confidence intervals throughout"));
    assert!(html.contains("could not be estimated"), "the summary says why");
    let analysis = api.get(&format!("/api/v1/studies/{open}/analysis")).await.json();
    let flow = api.get(&format!("/api/v1/studies/{open}/flow")).await.json();
    let shown = figures(html);
    assert!(shown.iter().any(|f| f.path == "/assessed"), "the flow's counts");
    assert_figures_are_served(&shown, &analysis["analysis"], &flow);
    assert_eq!(untraced_numeric_cells(html), Vec::<String>::new());

    let mut coach = app.browser();
    let signed_in =
        coach.sign_in(DEMO_ORGANISATION, "coach.jamie@riverside.example", DEMO_PASSWORD).await;
    assert_eq!(signed_in.status, 303);
    let refused = coach.get(&format!("/studies/{locked}/report")).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(!refused.body.contains("<data "), "no figure for a coach");

    // The command refuses what it cannot write, and says how to get a PDF without Chromium.
    let run = |out: &str, path: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kindred"))
            .args(&app.database_args)
            .args(["report", "evaluation", "--study", &locked, "--org", DEMO_ORGANISATION])
            .args(["--as", EVALUATOR, "--out", out])
            .env("PATH", path)
            .env_remove("KINDRED_CHROMIUM")
            .env("KINDRED_LOG", "warn")
            .output()
            .expect("kindred runs")
    };
    let dir = tempfile::tempdir().expect("a directory");
    let text = dir.path().join("report.txt").display().to_string();
    let refused = run(&text, &std::env::var("PATH").unwrap_or_default());
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("must name a .html or a .pdf"));
    let pdf = dir.path().join("report.pdf").display().to_string();
    let refused = run(&pdf, "/nonexistent");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(said.contains("headless Chromium, and none is installed here"), "{said}");
    assert!(said.contains("--out report.html"), "{said}");
    assert!(!std::path::Path::new(&pdf).exists(), "nothing written");
    // An id that is none, and an evaluator who is nobody, are named.
    let nobody = app.kindred(&[
        "report",
        "evaluation",
        "--study",
        &locked,
        "--org",
        DEMO_ORGANISATION,
        "--as",
        "nobody@riverside.example",
        "--out",
        &text.replace(".txt", ".html"),
    ]);
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("there is no user"));
}
