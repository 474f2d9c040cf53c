//! `kindred export study --study ID --out DIR [--format csv|parquet|both] [--recipient R
//! --purpose P] --org SLUG --as EMAIL`: a study's analysis-ready tables and data dictionary,
//! the same files as the API's, into a directory. Each file is written under a temporary name
//! and renamed once complete and audited, so a failed export leaves no half file behind.

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use kindred_app::export::{
    ExportFormat, ExportRequest, IdentifiedExport, StudyTable, dictionary_csv,
};
use kindred_app::{App, Clock, policy};
use kindred_domain::ids::StudyId;

use super::serve::export_key;
use crate::cli::{DatabaseArgs, StudyExportArgs};

pub async fn study(database: &DatabaseArgs, args: &StudyExportArgs) -> anyhow::Result<ExitCode> {
    let study: StudyId =
        args.study.trim().parse().map_err(|_| anyhow!("{} is not a study id", args.study))?;
    let formats: Vec<ExportFormat> = match args.format.as_str() {
        "both" => ExportFormat::ALL.to_vec(),
        other => ExportFormat::parse(other).into_iter().collect(),
    };
    let identified = match (&args.recipient, &args.purpose) {
        (Some(recipient), Some(purpose)) => {
            Some(IdentifiedExport { recipient: recipient.clone(), purpose: purpose.clone() })
        }
        _ => None,
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot make {}", args.out.display()))?;
    let location = database.deployment()?;
    let key = export_key(database, &location)?;
    let app = App::open(&location, Clock::system()).await?.with_export_key(key);
    let result = export(&app, study, args, &formats, identified.as_ref()).await;
    app.close().await;
    let written = result?;
    println!(
        "Wrote {} files to {}{}:",
        written.len(),
        args.out.display(),
        if identified.is_some() { " (identified)" } else { " (de-identified)" }
    );
    for (file, rows) in written {
        println!("  {:<40} {rows}", file.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes every table in every format, then the dictionary; (file name, what it holds).
async fn export(
    app: &App,
    study: StudyId,
    args: &StudyExportArgs,
    formats: &[ExportFormat],
    identified: Option<&IdentifiedExport>,
) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let actor = app.operator_acting_as(&args.organisation, &args.as_email).await?;
    let lead = policy::study_lead(&actor)?;
    let mut written = Vec::new();
    for table in StudyTable::ALL {
        for format in formats {
            let name = format!("{}.{}", table.code(), format.extension());
            let path = args.out.join(&name);
            let partial = args.out.join(format!(".{name}.partial"));
            let bar = spinner(&name);
            let file = std::fs::File::create(&partial)
                .with_context(|| format!("cannot write {}", partial.display()))?;
            let shown = bar.clone();
            let progress = Arc::new(move |rows: u64| shown.set_position(rows));
            let request = ExportRequest {
                identified: identified.cloned(),
                progress: Some(progress),
                ..ExportRequest::new(table, *format)
            };
            let exported =
                app.study_export(&lead, study, &request, Box::new(BufWriter::new(file))).await;
            bar.finish_and_clear();
            let summary = match exported {
                Ok(summary) => summary,
                Err(e) => {
                    let _ = std::fs::remove_file(&partial);
                    return Err(anyhow!(e));
                }
            };
            std::fs::rename(&partial, &path)?;
            let rows = format!("{} rows × {} columns", summary.rows, summary.columns);
            written.push((PathBuf::from(name), rows));
        }
    }
    let dictionary = app.study_export_dictionary(&lead, study, identified).await?;
    let columns: usize = dictionary.iter().map(|t| t.columns.len()).sum();
    write_file(&args.out.join("dictionary.csv"), &dictionary_csv(&dictionary))?;
    write_file(&args.out.join("dictionary.json"), &kindred_web::dictionary_json(&dictionary))?;
    for name in ["dictionary.csv", "dictionary.json"] {
        written.push((PathBuf::from(name), format!("{columns} columns described")));
    }
    Ok(written)
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Rows written so far (the contacts' total is not known until they are all read).
fn spinner(name: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {msg}: {pos} rows ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(name.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
