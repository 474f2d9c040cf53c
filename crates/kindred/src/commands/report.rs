//! `kindred report evaluation --study ID …` and `kindred report funder --program ID [--from D]
//! [--to D] …` (both `--out FILE --org SLUG --as EMAIL`): a study's evaluation report or a
//! program's funder report — the same files their pages serve — as HTML, or as a PDF printed
//! by headless Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use kindred_app::program_dashboard::PeriodFilter;
use kindred_app::{App, Clock, policy};
use kindred_domain::ids::{ProgramId, StudyId};
use kindred_web::report::EvaluationReport;

use crate::cli::{DatabaseArgs, EvaluationReportArgs, FunderReportArgs};

pub async fn evaluation(
    database: &DatabaseArgs,
    args: &EvaluationReportArgs,
) -> anyhow::Result<ExitCode> {
    let chromium = printer(&args.out)?;
    let study: StudyId =
        args.study.trim().parse().map_err(|_| anyhow!("{} is not a study id", args.study))?;
    let bar = progress(if chromium.is_some() { 4 } else { 3 });
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
    write(&EvaluationReport::new(&report).html(), &args.out, chromium.as_deref(), &bar)?;
    println!(
        "Wrote {} ({} KB): the evaluation report of \"{}\", data up to {}.",
        args.out.display(),
        kilobytes(&args.out),
        report.study.definition.title,
        report.analysed.data_cut_off
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn funder(database: &DatabaseArgs, args: &FunderReportArgs) -> anyhow::Result<ExitCode> {
    let chromium = printer(&args.out)?;
    let program: ProgramId =
        args.program.trim().parse().map_err(|_| anyhow!("{} is not a program id", args.program))?;
    let bar = progress(if chromium.is_some() { 4 } else { 3 });
    bar.set_message("opening the database");
    let app = App::open(&database.deployment()?, Clock::system()).await?;
    bar.inc(1);
    bar.set_message("counting the program's figures");
    let period = PeriodFilter { from: args.from.clone(), to: args.to.clone() };
    let dashboard = async {
        let actor = app.operator_acting_as(&args.organisation, &args.as_email).await?;
        app.program_dashboard(&actor, program, &period).await
    }
    .await;
    app.close().await;
    let dashboard = dashboard.map_err(|e| anyhow!(e))?;
    write(&kindred_web::report::funder(&dashboard), &args.out, chromium.as_deref(), &bar)?;
    println!(
        "Wrote {} ({} KB): the funder report of {}, {} to {}.",
        args.out.display(),
        kilobytes(&args.out),
        dashboard.program.name,
        dashboard.period.from,
        dashboard.period.to
    );
    Ok(ExitCode::SUCCESS)
}

/// Before any work: `--out` must be a file we can make, and a PDF needs Chromium (its path).
fn printer(out: &Path) -> anyhow::Result<Option<PathBuf>> {
    match out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm") => Ok(None),
        Some(e) if e.eq_ignore_ascii_case("pdf") => chromium().map(Some).ok_or_else(|| {
            anyhow!(
                "a PDF is printed by headless Chromium, and none is installed here (looked for \
                 $KINDRED_CHROMIUM, then chromium, chromium-browser, google-chrome and \
                 google-chrome-stable on the PATH). Install it (on Debian: apt-get install \
                 chromium), or write --out report.html and print that from any browser."
            )
        }),
        _ => bail!("--out must name a .html or a .pdf file, not {}", out.display()),
    }
}

fn progress(steps: u64) -> ProgressBar {
    let bar = ProgressBar::new(steps).with_style(
        ProgressStyle::with_template("{spinner} [{bar:24}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Writes the report as HTML, or prints it to a PDF with `chromium`.
fn write(html: &str, out: &Path, chromium: Option<&Path>, bar: &ProgressBar) -> anyhow::Result<()> {
    bar.inc(1);
    bar.set_message("writing the report");
    match chromium {
        None => {
            std::fs::write(out, html).with_context(|| format!("cannot write {}", out.display()))?
        }
        Some(chromium) => {
            bar.inc(1);
            bar.set_message("printing the PDF with Chromium");
            print_pdf(chromium, html, out)?;
        }
    }
    bar.inc(1);
    bar.finish_and_clear();
    Ok(())
}

fn kilobytes(file: &Path) -> u64 {
    std::fs::metadata(file).map(|m| m.len()).unwrap_or(0).div_ceil(1024)
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
