//! In a real browser on a phone-sized screen: the demo's comparison-cohort report renders, fits
//! the screen and passes the axe-core check; a screenshot of its survival chart shows a curve
//! per arm (pixels in each arm's stroke colour); and `kindred report evaluation --out x.pdf`
//! prints it with headless Chromium to a PDF whose first page, rendered by poppler, is not
//! blank.

use std::process::Command;

use fantoccini::Locator;
use kindred_app::demo::{DEMO_ORGANISATION, DEMO_PASSWORD, populate};
use serde_json::json;

use crate::browser::{axe_source, phone};
use crate::support::TestApp;

const EVALUATOR: &str = "evaluator@riverside.example";

/// The Okabe–Ito colours of the first two arms (`kindred_web` charts).
const ARM_COLOURS: [(&str, [u8; 3]); 2] =
    [("blue", [0x00, 0x72, 0xB2]), ("vermillion", [0xD5, 0x5E, 0x00])];

/// Pixels of an RGBA or RGB PNG within a small distance of `colour`.
fn pixels_near(png: &[u8], colour: [u8; 3]) -> usize {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buffer = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buffer).expect("a frame");
    let channels = info.color_type.samples();
    buffer[..info.buffer_size()]
        .chunks(channels)
        .filter(|p| {
            let distance: i32 =
                (0..3).map(|i| (i32::from(p[i]) - i32::from(colour[i])).pow(2)).sum();
            distance < 45 * 45
        })
        .count()
}

/// The share of a binary PPM's pixels that are not near white.
fn inked_share(ppm: &[u8]) -> f64 {
    // "P6\n<width> <height>\n255\n" then RGB bytes.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while ppm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !ppm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&ppm[start..at]).into_owned());
    }
    assert_eq!(fields[0], "P6", "a binary PPM");
    let pixels = &ppm[at + 1..];
    let inked = pixels.chunks(3).filter(|p| p.iter().any(|c| *c < 200)).count();
    inked as f64 / (pixels.len() / 3) as f64
}

fn installed(program: &str) -> bool {
    Command::new(program).arg("-v").output().is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_reads_on_a_phone_draws_a_curve_per_arm_and_prints_to_pdf() {
    let app = TestApp::sqlite().await;
    populate(&app.app, 30, 2026).await.expect("the demo");
    let Some(phone) = phone().await else { return };
    let token = app
        .anonymous_api()
        .post(
            "/api/v1/auth/token",
            json!({"org": DEMO_ORGANISATION, "email": EVALUATOR, "password": DEMO_PASSWORD}),
        )
        .await;
    let api = app.anonymous_api().with_token(token.json()["token"].as_str().expect("a token"));
    let studies = api.get("/api/v1/studies").await.json();
    let cohort = studies
        .as_array()
        .and_then(|s| s.iter().find(|s| s["design"] == "quasi_experimental"))
        .and_then(|s| s["id"].as_str())
        .expect("the demo's comparison cohort")
        .to_owned();

    phone.sign_in_with(&app.base_url, DEMO_ORGANISATION, EVALUATOR, DEMO_PASSWORD).await;
    phone.client.goto(&format!("{}/studies/{cohort}/report", app.base_url)).await.expect("goes");
    phone.wait_for(Locator::Css("#survival-0 svg"), "the survival chart").await;
    assert!(phone.fits_the_screen().await, "the report fits a phone");
    if let Some(axe) = axe_source() {
        let violations = phone.serious_accessibility_violations(&axe).await;
        assert!(violations.is_empty(), "{violations:#?}");
    }
    let chart = phone.client.find(Locator::Css("#survival-0 svg")).await.expect("the chart");
    let shot = chart.screenshot().await.expect("a screenshot of the chart");
    for (name, colour) in ARM_COLOURS {
        let seen = pixels_near(&shot, colour);
        assert!(seen > 300, "the {name} arm's curve: {seen} pixels of its colour");
    }
    phone.screenshot("evaluation-report").await;

    // The results page offers the analysis-ready files, on a phone, accessibly.
    phone.client.goto(&format!("{}/studies/{cohort}/results", app.base_url)).await.expect("goes");
    phone.wait_for(Locator::Css("#export-heading"), "the analysis-ready data").await;
    phone.screenshot("study-results").await;
    assert!(phone.fits_the_screen().await, "the results page fits a phone");
    if let Some(axe) = axe_source() {
        let violations = phone.serious_accessibility_violations(&axe).await;
        assert!(violations.is_empty(), "{violations:#?}");
    }

    if !installed("pdftoppm") {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true requires pdftoppm (Debian package poppler-utils)");
        }
        eprintln!("SKIPPING the PDF check: pdftoppm is not installed (scripts/test installs it)");
        return;
    }
    let dir = tempfile::tempdir().expect("a directory");
    let pdf = dir.path().join("report.pdf");
    let printed = app.kindred(&[
        "report",
        "evaluation",
        "--study",
        &cohort,
        "--org",
        DEMO_ORGANISATION,
        "--as",
        EVALUATOR,
        "--out",
        &pdf.display().to_string(),
    ]);
    assert!(printed.status.success(), "{}", String::from_utf8_lossy(&printed.stderr));
    let bytes = std::fs::read(&pdf).expect("the PDF");
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    let first_page = dir.path().join("first");
    let rendered = Command::new("pdftoppm")
        .args(["-r", "40", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(&first_page)
        .output()
        .expect("pdftoppm runs");
    assert!(rendered.status.success(), "{}", String::from_utf8_lossy(&rendered.stderr));
    let ppm = std::fs::read(first_page.with_extension("ppm")).expect("the first page's image");
    let inked = inked_share(&ppm);
    assert!(inked > 0.02, "the first page is blank: {:.2}% inked", 100.0 * inked);
}
