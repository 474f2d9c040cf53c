//! `kindred serve` and `kindred demo`.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use kindred_app::auth::SignInLimits;
use kindred_app::demo::{self, DEMO_ORGANISATION, DEMO_PASSWORD};
use kindred_app::export::ExportKey;
use kindred_app::{App, Clock, DatabaseLocation};
use kindred_web::ClientAddresses;
use tokio::net::TcpListener;

use crate::cli::{DatabaseArgs, DemoArgs, ListenArgs, ServeArgs};

pub async fn serve(database: &DatabaseArgs, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let location = database.deployment()?;
    let app = open(&location, database, &args.listen).await?;
    let listener = listen(&args.listen).await?;
    println!("Kindred is running at {} ({})", url(&listener)?, location.describe());
    run(listener, app, &args.listen).await
}

pub async fn demo(database: &DatabaseArgs, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    // Without --data-dir or --database-url, a fresh temporary directory, removed on exit.
    let mut temporary = None;
    let location = database.location(|| {
        let dir = tempfile::Builder::new().prefix("kindred-demo-").tempdir()?;
        let path = dir.path().to_path_buf();
        temporary = Some(dir);
        Ok(path)
    })?;
    let app = open(&location, database, &args.listen).await?;
    let listener = listen(&args.listen).await?;
    let already_there = app.organisation_exists(DEMO_ORGANISATION).await?;
    let logins = if already_there {
        None
    } else {
        println!("Creating the demo organisation…");
        Some(demo::populate(&app, args.participants, 2026).await?)
    };
    println!();
    println!("Kindred demo is running at {}", url(&listener)?);
    println!("Organisation: {DEMO_ORGANISATION}    Password for every account: {DEMO_PASSWORD}");
    match logins {
        Some(logins) => {
            for login in logins {
                println!("  {:<32} {}", login.email, login.roles);
            }
        }
        None => println!("  (the demo organisation was already in this database)"),
    }
    match &temporary {
        Some(_) => println!("Data: {} (deleted when the demo stops)", location.describe()),
        None => println!("Data: {}", location.describe()),
    }
    println!("Press Ctrl+C to stop.");
    run(listener, app, &args.listen).await
}

async fn open(
    location: &DatabaseLocation,
    database: &DatabaseArgs,
    args: &ListenArgs,
) -> anyhow::Result<App> {
    let key = export_key(database, location)?;
    let app = App::open(location, Clock::system())
        .await
        .with_context(|| format!("cannot open {}", location.describe()))?
        .with_export_key(key);
    let limits = SignInLimits {
        failures_per_address: args.failed_sign_ins_per_address,
        ..SignInLimits::default()
    };
    Ok(app.with_sign_in_limits(limits))
}

/// The export key (made on first start), beside the database unless named.
pub fn export_key(
    database: &DatabaseArgs,
    location: &DatabaseLocation,
) -> anyhow::Result<ExportKey> {
    let path = database.export_key_file(location)?;
    ExportKey::load_or_create(&path).map_err(|e| anyhow::Error::new(e).context("the export key"))
}

async fn listen(args: &ListenArgs) -> anyhow::Result<TcpListener> {
    let address = SocketAddr::new(args.bind, args.port);
    TcpListener::bind(address).await.with_context(|| format!("cannot listen on {address}"))
}

fn url(listener: &TcpListener) -> anyhow::Result<String> {
    Ok(format!("http://{}/", listener.local_addr()?))
}

async fn run(listener: TcpListener, app: App, args: &ListenArgs) -> anyhow::Result<ExitCode> {
    let sweeper = tokio::spawn(sweep_follow_ups_daily(app.clone()));
    let client_addresses =
        if args.behind_proxy { ClientAddresses::ForwardedByProxy } else { ClientAddresses::Peer };
    kindred_web::serve(listener, app.clone(), client_addresses, shutdown_signal()).await?;
    sweeper.abort();
    app.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Makes follow-up tasks and escalations at start and then once a day (windows open and near
/// their close by the calendar, not by anyone's action).
async fn sweep_follow_ups_daily(app: App) {
    let mut daily = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
    loop {
        daily.tick().await;
        match app.sweep_follow_ups().await {
            Ok(report) => tracing::info!(?report, "follow-up sweep"),
            Err(error) => tracing::warn!(%error, "follow-up sweep failed"),
        }
    }
}

/// Ctrl+C or SIGTERM: stop accepting, finish what is in flight, close the database cleanly.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
