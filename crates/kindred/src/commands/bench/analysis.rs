//! `kindred bench analysis`: the full analysis set of one study over a seeded database, timed.
//!
//! On the database `bench seed` leaves (10 000 participants, 1 M contacts), an evaluator
//! defines a randomised study over its program — treatment admission within 60 days and the
//! days to it (two in five participants get one, recorded through the API), appointments
//! attended per month, three adjustment covariates and a subgroup — and every participant is
//! enrolled through the API (the app allocates each), then the plan is locked. That is done once: a second run finds the study and reuses it. Then, side by side
//! in one run: `GET /api/v1/studies/{id}/analysis` (the research load of 10 000 participants
//! and their million contacts, outcome derivation, every analysis, the JSON) and the engine
//! alone on the table the API exports; then the evaluation report's page (the same work, then
//! every table and chart) and its rendering alone; each `--runs` times; medians, with min and
//! max.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use kindred_app::{App, Clock};
use kindred_evaluation::analysis::{AnalysisRequest, analyse};
use kindred_evaluation::table::AnalysedTable;
use serde_json::{Value, json};

use super::seed::{Api, credentials, serve, token};
use super::{ORG, load_average};
use crate::cli::{BenchAnalysisArgs, DatabaseArgs};

const TITLE: &str = "Bench: appointments after outreach";
/// The target: the full analysis set of a 10 000-participant study within a second.
const TARGET_S: f64 = 1.0;
/// The target: its full evaluation report within two.
const REPORT_TARGET_S: f64 = 2.0;

pub async fn analysis(
    database: &DatabaseArgs,
    args: &BenchAnalysisArgs,
) -> anyhow::Result<ExitCode> {
    let location = super::bench_location(database, args.dir.as_deref())?;
    let app = App::open(&location, Clock::system()).await.context("opening the database")?;
    let base = serve(&app).await?;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(600)).build()?;
    let evaluator = Api {
        http: http.clone(),
        base: base.clone(),
        token: token(&app, &format!("evaluator@{ORG}.test")).await?,
    };
    let manager = Api { http, base, token: token(&app, &format!("manager@{ORG}.test")).await? };
    let study = match find_study(&evaluator).await? {
        Some(id) => id,
        None => set_up(&app, &evaluator, &manager).await?,
    };
    println!("study {study}; load average at the start: {}", load_average().unwrap_or_default());
    let path = format!("/api/v1/studies/{study}/analysis");
    let (body, served) = timed(args.runs, || evaluator.get(&path)).await?;
    let analysed = body["analysis"]["arms"]
        .as_array()
        .map(|arms| arms.iter().map(|a| a["participants"].as_u64().unwrap_or(0)).sum::<u64>())
        .unwrap_or(0);
    let exported = evaluator.get(&format!("{path}/table")).await?;
    let table: AnalysedTable = serde_json::from_value(exported["table"].clone())?;
    let request: AnalysisRequest = serde_json::from_value(exported["request"].clone())?;
    let contacts: u64 = table.rows.iter().map(|r| u64::from(r.dose.total.contacts)).sum();
    let (_, engine) =
        timed(args.runs, || async { Ok(serde_json::to_value(analyse(&table, &request)?)?) })
            .await?;
    let text = body.to_string();
    println!(
        "{analysed} participants analysed, {contacts} contacts in their dose; {} analyses \
         estimated, {} answered in words",
        text.matches("\"estimable\":true").count(),
        text.matches("\"estimable\":false").count()
    );
    // The evaluation report: the page (the same load and analyses, then every table and
    // chart as HTML), and the rendering alone on the report's content.
    let email = format!("evaluator@{ORG}.test");
    let session = app.sign_in(credentials(&email)).await.context("the evaluator signs in")?;
    let cookie = format!("kindred_session={}", session.cookie_value);
    let page = format!("{}/studies/{study}/report", evaluator.base);
    let (report_bytes, report_page) = timed(args.runs, || async {
        let reply = evaluator.http.get(&page).header(reqwest::header::COOKIE, &cookie).send();
        let reply = reply.await?.error_for_status()?;
        Ok(Value::from(reply.bytes().await?.len()))
    })
    .await?;
    let actor = app.operator_acting_as(ORG, &email).await?;
    let lead = kindred_app::policy::study_lead(&actor)?;
    let content = app.study_report(&lead, study.parse()?).await?;
    let (_, rendering) = timed(args.runs, || async {
        Ok(Value::from(kindred_web::report::EvaluationReport::new(&content).html().len()))
    })
    .await?;
    println!("the report: {} KB", report_bytes.as_u64().unwrap_or(0).div_ceil(1024));
    println!("| path | median s | min | max | target | met |");
    println!("| --- | ---: | ---: | ---: | ---: | :---: |");
    for (name, times, target) in [
        ("GET /api/v1/studies/{id}/analysis", &served, TARGET_S),
        ("engine alone (analyse)", &engine, TARGET_S),
        ("GET /studies/{id}/report (the evaluation report)", &report_page, REPORT_TARGET_S),
        ("report rendering alone", &rendering, REPORT_TARGET_S),
    ] {
        let median = times[times.len() / 2];
        println!(
            "| {name} | {median:.3} | {:.3} | {:.3} | ≤ {target} s | {} |",
            times[0],
            times[times.len() - 1],
            if median <= target { "✓" } else { "✗" }
        );
    }
    println!("load average at the end: {}", load_average().unwrap_or_default());
    app.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Runs `work` `runs` times after one warm-up; the last result and the sorted wall times.
async fn timed<F, Fut>(runs: usize, work: F) -> anyhow::Result<(Value, Vec<f64>)>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Value>>,
{
    let mut last = work().await?;
    let mut times = Vec::with_capacity(runs.max(1));
    for _ in 0..runs.max(1) {
        let began = Instant::now();
        last = work().await?;
        times.push(began.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok((last, times))
}

async fn find_study(evaluator: &Api) -> anyhow::Result<Option<String>> {
    let studies = evaluator.get("/api/v1/studies").await?;
    Ok(studies.as_array().and_then(|all| {
        all.iter()
            .find(|s| s["title"] == TITLE && s["plan_locked"] == true)
            .and_then(|s| s["id"].as_str().map(str::to_owned))
    }))
}

/// Defines, opens and fills the study, then locks its plan.
async fn set_up(app: &App, evaluator: &Api, manager: &Api) -> anyhow::Result<String> {
    let programs = manager.get("/api/v1/programs").await?;
    let program = programs[0]["id"].as_str().context("the seeded program")?.to_owned();
    let today = app.clock().today();
    let attended = json!({"kind": "appointment_attended"});
    let admitted = json!({"kind": "treatment_admission"});
    let study = evaluator
        .post(
            "/api/v1/studies",
            json!({
                "title": TITLE,
                "question": "Do participants offered outreach attend their appointments sooner?",
                "design": "randomised",
                "program_ids": [program],
                "arms": [
                    {"code": "usual", "name": "Usual outreach", "role": "comparison", "ratio": 1,
                     "receives": "The van's usual visits."},
                    {"code": "escort", "name": "Escorted appointments", "role": "intervention",
                     "ratio": 1, "receives": "A peer escort to the first appointment."},
                ],
                "enrolment_from": (today - time::Duration::days(1)).to_string(),
                "enrolment_to": (today + time::Duration::days(365)).to_string(),
                "follow_up_days": 365,
                "randomisation": {"block_sizes": [4, 6], "stratify_by": ["gender"]},
                "outcomes": [
                    {"code": "admitted_60d", "name": "Treatment admission within 60 days",
                     "kind": "event_within", "event": admitted, "days": 60},
                    {"code": "days_to_admission", "name": "Days to treatment admission",
                     "kind": "time_to_event", "event": admitted},
                    {"code": "attended_rate", "name": "Appointments attended per month",
                     "kind": "event_rate", "event": attended},
                ],
                "covariates": [{"field": "age_band"}, {"field": "housing"}, {"field": "gender"}],
                "subgroups": ["gender"],
                "plan": {"primary": "admitted_60d", "secondary": ["days_to_admission", "attended_rate"]},
            }),
        )
        .await?;
    let id = study["id"].as_str().context("a study id")?.to_owned();
    evaluator
        .post(&format!("/api/v1/studies/{id}/open"), json!({"version": study["version"]}))
        .await?;
    let records = evaluator.get("/api/v1/research/participants").await?;
    let records = records.as_array().context("research records")?;
    let began = Instant::now();
    for (n, record) in records.iter().enumerate() {
        let participant = record["id"].as_str().context("a participant id")?;
        manager
            .post(
                &format!("/api/v1/studies/{id}/enrolments"),
                json!({"participant_id": participant}),
            )
            .await?;
        // Two in five are admitted to treatment, on a day spread over their first 200: the
        // outcomes vary, so every model has something to fit.
        let enrolled: time::Date = time::Date::parse(
            record["enrolled_on"].as_str().context("an enrolment date")?,
            &time::format_description::well_known::Iso8601::DATE,
        )?;
        let on = enrolled + time::Duration::days((n as i64 * 37) % 200);
        if n % 5 < 2 && on <= today {
            manager
                .post(
                    &format!("/api/v1/participants/{participant}/outcome-events"),
                    json!({"kind": "treatment_admission", "occurred_on": on.to_string()}),
                )
                .await?;
        }
        if (n + 1) % 1000 == 0 {
            eprintln!(
                "enrolled {} of {} ({:.0} s)",
                n + 1,
                records.len(),
                began.elapsed().as_secs_f64()
            );
        }
    }
    evaluator.post(&format!("/api/v1/studies/{id}/plan/lock"), json!({})).await?;
    Ok(id)
}
