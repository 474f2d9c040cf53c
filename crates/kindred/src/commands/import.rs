//! `kindred import hsds DIR --org SLUG [--dry-run]` and `kindred import csv FILE --kind K
//! --org SLUG --as EMAIL [--mapping F] [--dry-run]`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use kindred_app::hsds::{HsdsPackage, ImportReport, ImportedResource};
use kindred_app::import::{ColumnMapping, CsvSource, ImportKind, ImportRequest};
use kindred_app::{App, Clock, policy};

use crate::cli::{CsvImportArgs, DatabaseArgs, ImportCommand};

pub async fn run(database: &DatabaseArgs, command: &ImportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ImportCommand::Hsds { dir, organisation, dry_run } => {
            hsds(database, dir, organisation, *dry_run).await
        }
        ImportCommand::Csv(args) => csv(database, args).await,
    }
}

async fn hsds(
    database: &DatabaseArgs,
    dir: &std::path::Path,
    organisation: &str,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let package = HsdsPackage::from_dir(dir)
        .with_context(|| format!("cannot read the package at {}", dir.display()))?;
    let app = App::open(&database.deployment()?, Clock::system()).await?;
    let report = app.import_hsds_as_operator(organisation, &package, dry_run).await;
    app.close().await;
    let report = report.map_err(|e| anyhow!(e))?;
    print_report(&report);
    Ok(if report.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

async fn csv(database: &DatabaseArgs, args: &CsvImportArgs) -> anyhow::Result<ExitCode> {
    let kind = ImportKind::parse(&args.kind)
        .ok_or_else(|| anyhow!("--kind must be {}", ImportKind::codes()))?;
    let mapping = match &args.mapping {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the column mapping {}", path.display()))?;
            Some(ColumnMapping::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?)
        }
        None => None,
    };
    let source = CsvSource::File(args.file.clone());
    let length = source.size().with_context(|| format!("cannot read {}", args.file.display()))?;
    let request = ImportRequest { kind, source, mapping, dry_run: args.dry_run };
    // Checked once, then (unless a dry run) read again to write: two passes over the file.
    let bar = progress(if args.dry_run { length } else { 2 * length });
    let app = App::open(&database.deployment()?, Clock::system()).await?;
    let report = async {
        let actor = app.operator_acting_as(&args.organisation, &args.as_email).await?;
        let importer = policy::importer(&actor)?;
        app.import_csv(&importer, &request, &|read| bar.set_position(read)).await
    }
    .await;
    bar.finish_and_clear();
    app.close().await;
    let report = report.map_err(|e| anyhow!(e))?;
    print!("{report}");
    Ok(if report.problem_count == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn progress(bytes: u64) -> ProgressBar {
    let bar = ProgressBar::new(bytes).with_style(
        ProgressStyle::with_template(
            "{spinner} [{bar:24}] {bytes}/{total_bytes} ({elapsed}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn print_report(report: &ImportReport) {
    if !report.errors.is_empty() {
        let count = report.errors.len();
        println!(
            "HSDS package \"{}\": {count} {}; nothing was imported.",
            report.package,
            if count == 1 { "problem" } else { "problems" }
        );
        for error in &report.errors {
            println!("  {error}");
        }
        return;
    }
    let (create, update) =
        if report.dry_run { ("Would create", "Would update") } else { ("Created", "Updated") };
    let suffix = if report.dry_run { " (dry run: nothing was changed)" } else { "" };
    println!("HSDS package \"{}\"{suffix}", report.package);
    list(create, &report.created, '+');
    list(update, &report.updated, '~');
}

fn list(verb: &str, items: &[ImportedResource], mark: char) {
    let noun = if items.len() == 1 { "resource" } else { "resources" };
    println!("{verb} {} {noun}", items.len());
    for item in items {
        println!("  {mark} {}  {}", item.service_id, item.label);
    }
}
