//! `kindred import hsds DIR --org SLUG [--dry-run]`.

use std::process::ExitCode;

use anyhow::Context;
use kindred_app::hsds::{HsdsPackage, ImportReport, ImportedResource};
use kindred_app::{App, Clock};

use crate::cli::{DatabaseArgs, ImportCommand};

pub async fn run(database: &DatabaseArgs, command: &ImportCommand) -> anyhow::Result<ExitCode> {
    let ImportCommand::Hsds { dir, organisation, dry_run } = command;
    let package = HsdsPackage::from_dir(dir)
        .with_context(|| format!("cannot read the package at {}", dir.display()))?;
    let app = App::open(&database.deployment()?, Clock::system()).await?;
    let report = app.import_hsds_as_operator(organisation, &package, *dry_run).await;
    app.close().await;
    let report = report.map_err(|e| anyhow::anyhow!(e))?;
    print_report(&report);
    Ok(if report.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
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
