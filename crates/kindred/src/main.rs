//! `kindred`: one binary for every way of running Kindred.
#![allow(clippy::print_stdout, reason = "a command-line tool reports on standard output")]

mod cli;
mod commands;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Serve(args) => commands::serve::serve(&cli.database, args).await,
            Command::Demo(args) => commands::serve::demo(&cli.database, args).await,
            Command::Migrate => commands::admin::migrate(&cli.database).await,
            Command::Org(command) => commands::admin::org(&cli.database, command).await,
            Command::User(command) => commands::admin::user(&cli.database, command).await,
            Command::Audit(command) => commands::audit::run(&cli.database, command).await,
            Command::Import(command) => commands::import::run(&cli.database, command).await,
            Command::Report(cli::ReportCommand::Evaluation(args)) => {
                commands::report::evaluation(&cli.database, args).await
            }
            Command::Report(cli::ReportCommand::Funder(args)) => {
                commands::report::funder(&cli.database, args).await
            }
            Command::Export(cli::ExportCommand::Study(args)) => {
                commands::export::study(&cli.database, args).await
            }
            Command::Export(cli::ExportCommand::Fhir(args)) => {
                commands::export_fhir::fhir(&cli.database, args).await
            }
            Command::Bench(cli::BenchCommand::Contacts(args)) => {
                commands::bench::contacts(args).await
            }
            Command::Bench(cli::BenchCommand::Seed(args)) => {
                commands::bench::seed(&cli.database, args).await
            }
            Command::Bench(cli::BenchCommand::Pages(args)) => {
                commands::bench::pages(&cli.database, args).await
            }
            Command::Bench(cli::BenchCommand::Analysis(args)) => {
                commands::bench::analysis(&cli.database, args).await
            }
        }
    });
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Logs to standard error; `KINDRED_LOG=debug` (or `trace`, `warn`…) sets the level.
fn init_logging() {
    let level = std::env::var("KINDRED_LOG")
        .ok()
        .and_then(|value| value.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt().with_max_level(level).with_writer(std::io::stderr).init();
}
