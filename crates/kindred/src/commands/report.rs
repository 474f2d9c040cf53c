//! `kindred report evaluation --study ID --out FILE --org SLUG --as EMAIL`: the study's
//! evaluation report — the same file its report page serves — as HTML, or as a PDF printed by
//! headless Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use kindred_app::{App, Clock, policy};
use kindred_domain::ids::StudyId;
use kindred_web::report::EvaluationReport;

use crate::cli::{DatabaseArgs, EvaluationReportArgs};

/// What the command can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Html,
    Pdf,
}

pub async fn evaluation(
    database: &DatabaseArgs,
    args: &EvaluationReportArgs,
) -> anyhow::Result<ExitCode> {
    let format = match args.out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm") => Format::Html,
        Some(e) if e.eq_ignore_ascii_case("pdf") => Format::Pdf,
        _ => bail!("--out must name a .html or a .pdf file, not {}", args.out.display()),
    };
    // Before any work: a PDF needs Chromium, and the study id must be one.
    let chromium = match format {
        Format::Pdf => Some(chromium().ok_or_else(|| {
            anyhow!(
                "a PDF is printed by headless Chromium, and none is installed here (looked for \
                 $KINDRED_CHROMIUM, then chromium, chromium-browser, google-chrome and \
                 google-chrome-stable on the PATH). Install it (on Debian: apt-get install \
                 chromium), or write --out report.html and print that from any browser."
            )
        })?),
        Format::Html => None,
    };
    let study: StudyId =
        args.study.trim().parse().map_err(|_| anyhow!("{} is not a study id", args.study))?;

    let steps = if format == Format::Pdf { 4 } else { 3 };
    let bar = ProgressBar::new(steps).with_style(
        ProgressStyle::with_template("{spinner} [{bar:24}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar.set_message("opening the database");
    let app = App::open(&database.deployment()?, Clock::system()).await?;
    bar.inc(1);
    bar.set_message("analysing the study");
    let report = async {
        let actor = app.operator_acting_as(&args.organisation, &args.as_email).await?;
        let lead = policy::study_lead(&actor)?;
        app.study_report(&lead, study).await
    }
    .await;
    app.close().await;
    let report = report.map_err(|e| anyhow!(e))?;
    bar.inc(1);
    bar.set_message("writing the report");
    let html = EvaluationReport::new(&report).html();
    match chromium {
        None => std::fs::write(&args.out, &html)
            .with_context(|| format!("cannot write {}", args.out.display()))?,
        Some(chromium) => {
            bar.inc(1);
            bar.set_message("printing the PDF with Chromium");
            print_pdf(&chromium, &html, &args.out)?;
        }
    }
    bar.inc(1);
    bar.finish_and_clear();
    let bytes = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    println!(
        "Wrote {} ({} KB): the evaluation report of \"{}\", data up to {}.",
        args.out.display(),
        bytes.div_ceil(1024),
        report.study.definition.title,
        report.analysed.data_cut_off
    );
    Ok(ExitCode::SUCCESS)
}

/// The Chromium to print with: `$KINDRED_CHROMIUM`, or the first of the usual names on the
/// PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os("KINDRED_CHROMIUM") {
        return Some(PathBuf::from(named));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"].iter().find_map(
        |name| std::env::split_paths(&path).map(|dir| dir.join(name)).find(|file| file.is_file()),
    )
}

/// Prints `html` to `out` with headless Chromium, in a private temporary directory (the
/// page, a fresh browser profile and the PDF, copied to `out` only once printed, so a failed
/// print leaves `out` as it was), with no header or footer.
fn print_pdf(chromium: &Path, html: &str, out: &Path) -> anyhow::Result<()> {
    let scratch = tempfile::tempdir().context("cannot make a temporary directory")?;
    let page = scratch.path().join("report.html");
    std::fs::write(&page, html).context("cannot write the report for Chromium")?;
    let target = scratch.path().join("report.pdf");
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", scratch.path().join("profile").display()))
        .arg(format!("--print-to-pdf={}", target.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", chromium.display()))?;
    let written = std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
    if !output.status.success() || written == 0 {
        bail!(
            "{} did not print the PDF ({}): {}",
            chromium.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).lines().last().unwrap_or("no message")
        );
    }
    std::fs::copy(&target, out).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(())
}
