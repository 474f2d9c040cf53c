//! `kindred audit verify`.

use std::process::ExitCode;

use kindred_app::{App, Clock};

use crate::cli::{AuditCommand, DatabaseArgs};

pub async fn run(database: &DatabaseArgs, command: &AuditCommand) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify = command;
    let app = App::open(&database.deployment()?, Clock::system()).await?;
    let reports = app.verify_audit_chains().await?;
    let mut intact = true;
    for report in &reports {
        match &report.outcome {
            Ok(events) => println!("{}: {events} events, chain intact", report.organisation.slug),
            Err(broken) => {
                intact = false;
                println!("{}: BROKEN at {broken}", report.organisation.slug);
            }
        }
    }
    if reports.is_empty() {
        println!("No organisations yet.");
    }
    app.close().await;
    Ok(if intact { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
