//! `kindred migrate`, `kindred org add`, `kindred user add`.

use std::process::ExitCode;

use anyhow::Context;
use kindred_app::admin::NewAccount;
use kindred_app::{App, AppError, Clock};
use kindred_domain::vocabulary::{Role, Vocabulary};
use tokio::io::AsyncBufReadExt;

use crate::cli::{DatabaseArgs, OrgCommand, UserCommand};

async fn open(database: &DatabaseArgs) -> anyhow::Result<App> {
    let location = database.deployment()?;
    App::open(&location, Clock::system())
        .await
        .with_context(|| format!("cannot open {}", location.describe()))
}

/// Field errors become one line each, so a mistyped flag is obvious.
fn explain(error: AppError) -> anyhow::Error {
    match error {
        AppError::Invalid(errors) => {
            let lines: Vec<String> =
                errors.iter().map(|e| format!("  {}: {}", e.field, e.message)).collect();
            anyhow::anyhow!("nothing was changed:\n{}", lines.join("\n"))
        }
        other => anyhow::anyhow!(other),
    }
}

pub async fn migrate(database: &DatabaseArgs) -> anyhow::Result<ExitCode> {
    let location = database.deployment()?;
    let app = App::open(&location, Clock::system()).await?;
    println!("{} is at the current schema version.", location.describe());
    app.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn org(database: &DatabaseArgs, command: &OrgCommand) -> anyhow::Result<ExitCode> {
    let app = open(database).await?;
    let OrgCommand::Add { slug, name } = command;
    let organisation = app.add_organisation(slug, name).await.map_err(explain)?;
    println!("Created organisation {} ({})", organisation.slug, organisation.name);
    app.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn user(database: &DatabaseArgs, command: &UserCommand) -> anyhow::Result<ExitCode> {
    let UserCommand::Add { organisation, email, roles, name, supervisor } = command;
    let roles = roles
        .iter()
        .map(|code| Role::parse(code).map_err(|message| anyhow::anyhow!("role {code:?} {message}")))
        .collect::<anyhow::Result<Vec<Role>>>()?;
    let password = read_password().await?;
    let app = open(database).await?;
    let account = NewAccount {
        organisation: organisation.clone(),
        email: email.clone(),
        display_name: name.clone(),
        password,
        roles,
        supervisor_email: supervisor.clone(),
    };
    let user = app.add_user(account).await.map_err(explain)?;
    let role_codes: Vec<&str> = user.roles.iter().map(Role::code).collect();
    println!(
        "Created {} ({}) in {organisation} with roles {}",
        user.email,
        user.display_name,
        role_codes.join(", ")
    );
    app.close().await;
    Ok(ExitCode::SUCCESS)
}

/// The first line of standard input (so it can be piped from a secret store, never typed
/// into shell history as an argument).
async fn read_password() -> anyhow::Result<String> {
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprint!("Password (it will show as you type; or pipe it in): ");
    }
    let mut line = String::new();
    tokio::io::BufReader::new(tokio::io::stdin())
        .read_line(&mut line)
        .await
        .context("cannot read the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
