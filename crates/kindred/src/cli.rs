//! The command line.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use kindred_app::DatabaseLocation;

#[derive(Debug, Parser)]
#[command(
    name = "kindred",
    version,
    about = "Peer recovery support services, and the evidence of whether they work."
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data lives: an SQLite file in a data directory (the default) or PostgreSQL.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Directory holding the SQLite database [default: the per-user data directory]
    #[arg(long, global = true, env = "KINDRED_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// A PostgreSQL URL (postgres://user@host/db) instead of the embedded SQLite database
    #[arg(
        long,
        global = true,
        env = "KINDRED_DATABASE_URL",
        value_name = "URL",
        conflicts_with = "data_dir"
    )]
    pub database_url: Option<String>,
    /// The secret that export pseudonyms and date shifts are derived from, kept outside the
    /// database (made on first use) [default: export.key in the data directory, or in the
    /// per-user data directory with --database-url]
    #[arg(long, global = true, env = "KINDRED_EXPORT_KEY_FILE", value_name = "FILE")]
    pub export_key_file: Option<PathBuf>,
}

/// The SQLite file's name inside the data directory.
pub const SQLITE_FILE: &str = "kindred.sqlite3";

/// The export key's file name beside it.
pub const EXPORT_KEY_FILE: &str = "export.key";

impl DatabaseArgs {
    /// The database these arguments name, with `default_dir` when neither is given.
    pub fn location(
        &self,
        default_dir: impl FnOnce() -> anyhow::Result<PathBuf>,
    ) -> anyhow::Result<DatabaseLocation> {
        if let Some(url) = &self.database_url {
            return Ok(DatabaseLocation::parse(url)?);
        }
        let dir = match &self.data_dir {
            Some(dir) => dir.clone(),
            None => default_dir()?,
        };
        Ok(DatabaseLocation::SqliteFile(dir.join(SQLITE_FILE)))
    }

    /// Where the export key is: `--export-key-file`, or beside the SQLite file, or in the
    /// per-user data directory.
    pub fn export_key_file(&self, location: &DatabaseLocation) -> anyhow::Result<PathBuf> {
        if let Some(file) = &self.export_key_file {
            return Ok(file.clone());
        }
        let dir = match location {
            DatabaseLocation::SqliteFile(path) => path.parent().map(PathBuf::from),
            DatabaseLocation::Postgres(_) => dirs::data_dir().map(|dir| dir.join("kindred")),
        };
        dir.map(|dir| dir.join(EXPORT_KEY_FILE)).ok_or_else(|| {
            anyhow::anyhow!("no per-user data directory here; pass --export-key-file")
        })
    }

    /// The database for a real deployment (default: the per-user data directory).
    pub fn deployment(&self) -> anyhow::Result<DatabaseLocation> {
        self.location(|| {
            dirs::data_dir()
                .map(|dir| dir.join("kindred"))
                .ok_or_else(|| anyhow::anyhow!("no per-user data directory here; pass --data-dir"))
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run Kindred
    Serve(ServeArgs),
    /// Run Kindred with a synthetic demo organisation (a fresh temporary database unless --data-dir is given)
    Demo(DemoArgs),
    /// Bring the database schema up to date (also done on every start)
    Migrate,
    /// Manage organisations
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage user accounts
    #[command(subcommand)]
    User(UserCommand),
    /// Check the audit log
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Import data from files
    #[command(subcommand)]
    Import(ImportCommand),
    /// Make a report as a file
    #[command(subcommand)]
    Report(ReportCommand),
    /// Export data as files
    #[command(subcommand)]
    Export(ExportCommand),
    /// Measure performance on a fresh, seeded database
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A study's analysis-ready tables (participants, person-periods, contacts, counts by arm)
    /// and data dictionary into a directory; de-identified unless --recipient is given
    Study(StudyExportArgs),
    /// A program's (or one participant's) record as a FHIR R4 Bundle for a recipient and a
    /// purpose, with only the participants whose current consent names both; the same bundle
    /// as `GET /api/v1/programs/{id}/fhir`
    Fhir(FhirExportArgs),
}

#[derive(Debug, Args)]
pub struct StudyExportArgs {
    /// The study's id
    #[arg(long)]
    pub study: String,
    /// The directory to write the files into (made if missing)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// csv, parquet or both
    #[arg(long, default_value = "csv", value_parser = ["csv", "parquet", "both"])]
    pub format: String,
    /// An identified export for this recipient (as the participants' consents name them);
    /// needs --purpose
    #[arg(long, requires = "purpose")]
    pub recipient: Option<String>,
    /// Why the recipient needs identified data (recorded with the export)
    #[arg(long, requires = "recipient")]
    pub purpose: Option<String>,
    /// The organisation's short name
    #[arg(long = "org")]
    pub organisation: String,
    /// The email of the evaluator the export is made as (audited under their name)
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_email: String,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("whose").required(true).args(["program", "participant"]))]
pub struct FhirExportArgs {
    /// The program's id: every consenting participant enrolled in it (managers)
    #[arg(long)]
    pub program: Option<String>,
    /// One participant's id (their coach, the coach's supervisor or a manager)
    #[arg(long)]
    pub participant: Option<String>,
    /// To whom, as the participants' consents name them
    #[arg(long)]
    pub recipient: String,
    /// Why: a consent-purpose code (referral, treatment, payment, evaluation, legal, family)
    #[arg(long)]
    pub purpose: String,
    /// The file to write the bundle to (FHIR JSON)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The organisation's short name
    #[arg(long = "org")]
    pub organisation: String,
    /// The email of the person exporting (their access applies, and the export is audited
    /// under their name)
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_email: String,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// A study's evaluation report, as one self-contained HTML file or (printed by headless
    /// Chromium, when installed) a PDF; the same file as the study's report page
    Evaluation(EvaluationReportArgs),
    /// A program's funder report over a period (the dashboard's figures), as HTML or PDF;
    /// the same file as the program's funder-report page
    Funder(FunderReportArgs),
}

#[derive(Debug, Args)]
pub struct FunderReportArgs {
    /// The program's id
    #[arg(long)]
    pub program: String,
    /// The period's first day (YYYY-MM-DD) [default: the first of the month eleven months
    /// before --to's, so twelve calendar months]
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// The period's last day (YYYY-MM-DD) [default: today]
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// The file to write: .html, or .pdf to print it with Chromium
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The organisation's short name
    #[arg(long = "org")]
    pub organisation: String,
    /// The email of the manager the report is made as (their access applies, and the read
    /// is audited under their name)
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_email: String,
}

#[derive(Debug, Args)]
pub struct EvaluationReportArgs {
    /// The study's id
    #[arg(long)]
    pub study: String,
    /// The file to write: .html, or .pdf to print it with Chromium
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The organisation's short name
    #[arg(long = "org")]
    pub organisation: String,
    /// The email of the evaluator the report is made as (their access applies, and the
    /// report is audited as their export)
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_email: String,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Contact logging: seed participants and contacts into a fresh SQLite file, then POST
    /// /api/v1/contacts from concurrent clients over HTTP, and insert straight through storage
    Contacts(BenchContactsArgs),
    /// Leave the scale database (participants, contacts over two years, tasks, appointments,
    /// assessments, referrals, group sessions) in --dir (SQLite) or --database-url, and print
    /// the accounts to sign in with
    Seed(BenchSeedArgs),
    /// Serve a seeded database in-process and time every list and page as each role, with one
    /// reader and with many, against the 50 ms p99 target
    Pages(BenchPagesArgs),
    /// On a seeded database, define a randomised study, enrol every participant (once; a
    /// second run reuses it) and time its full analysis set, served and engine alone
    Analysis(BenchAnalysisArgs),
}

#[derive(Debug, Args)]
pub struct BenchAnalysisArgs {
    /// The directory holding a seeded SQLite database; without it, the global --data-dir or
    /// --database-url
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Timed runs of each path, after one warm-up
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
}

#[derive(Debug, Args)]
pub struct BenchSeedArgs {
    /// The directory to leave the SQLite database in (what `kindred serve --data-dir` opens);
    /// without it, the global --data-dir or --database-url
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    #[arg(long, default_value_t = 10_000)]
    pub participants: usize,
    #[arg(long, default_value_t = 1_000_000)]
    pub contacts: usize,
    #[arg(long, default_value_t = 50)]
    pub coaches: usize,
    /// The generator's seed: the same seed gives the same data (row ids aside)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct BenchPagesArgs {
    /// The directory holding a seeded SQLite database; without it, the global --data-dir or
    /// --database-url
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Concurrent readers in the second phase
    #[arg(long, default_value_t = 50)]
    pub readers: usize,
    /// Requests of the one-reader phase, per route and role
    #[arg(long, default_value_t = 30)]
    pub single: usize,
    /// Requests of the concurrent phase, per route and role
    #[arg(long, default_value_t = 300)]
    pub requests: usize,
    /// Each phase stops after this many seconds even if requests remain
    #[arg(long, default_value_t = 4.0)]
    pub seconds: f64,
    /// A request not answered in this many seconds counts as failed
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Only the routes containing this text
    #[arg(long)]
    pub only: Option<String>,
}

#[derive(Debug, Args)]
pub struct BenchContactsArgs {
    #[arg(long, default_value_t = 10_000)]
    pub participants: usize,
    #[arg(long, default_value_t = 1_000_000)]
    pub contacts: usize,
    #[arg(long, default_value_t = 50)]
    pub coaches: usize,
    /// Concurrent HTTP clients (and storage tasks)
    #[arg(long, default_value_t = 50)]
    pub clients: usize,
    /// Length of each run
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
}

#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Kindred sits behind one reverse proxy that appends the client's address to
    /// X-Forwarded-For: limit failed sign-ins by that address. Leave off otherwise — anyone
    /// can send the header — and turn on behind a proxy, or every client shares its address
    #[arg(long, env = "KINDRED_BEHIND_PROXY")]
    pub behind_proxy: bool,
    /// Failed sign-ins one client address may make per 15 minutes, across all accounts
    #[arg(long, env = "KINDRED_FAILED_SIGN_INS_PER_ADDRESS", value_name = "N",
          default_value_t = kindred_app::auth::address_throttle::FAILURES_PER_ADDRESS,
          value_parser = clap::value_parser!(i32).range(1..))]
    pub failed_sign_ins_per_address: i32,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub listen: ListenArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub listen: ListenArgs,
    /// How many participants the demo organisation has
    #[arg(long, default_value_t = 60)]
    pub participants: usize,
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organisation
    Add {
        /// Short name used at sign-in (lowercase letters, digits, hyphens)
        slug: String,
        /// Full name
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input
    Add {
        /// The organisation's short name
        #[arg(long = "org")]
        organisation: String,
        #[arg(long)]
        email: String,
        /// coach, supervisor, manager, evaluator or admin (repeat for several)
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Display name [default: the part of the email before @]
        #[arg(long)]
        name: Option<String>,
        /// The email of this coach's supervisor
        #[arg(long)]
        supervisor: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check every organisation's audit chain; name the first broken link
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import the resource directory from an Open Referral HSDS tabular data package (a
    /// directory with datapackage.json and CSV files). All or nothing: any row error imports
    /// nothing. Importing the same package again updates its resources.
    Hsds {
        /// The package's directory
        dir: PathBuf,
        /// The organisation's short name
        #[arg(long = "org")]
        organisation: String,
        /// Check every row and report what would be created or updated; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Import participants, contacts, outcome events or completed assessments from a
    /// spreadsheet saved as CSV. Columns are named after Kindred's fields (or mapped with
    /// --mapping), an assessment's answers one column per item id; terms by code or label;
    /// dates YYYY-MM-DD. All or nothing: any problem imports nothing and lists every one by row,
    /// column and value. Importing the same file again adds nothing.
    Csv(CsvImportArgs),
}

#[derive(Debug, Args)]
pub struct CsvImportArgs {
    /// The spreadsheet, saved as CSV (UTF-8)
    pub file: PathBuf,
    /// What the rows are: participants, contacts, outcome_events or assessments
    #[arg(long, value_parser = ["participants", "contacts", "outcome_events", "assessments"])]
    pub kind: String,
    /// A saved column mapping: a JSON object from the spreadsheet's headings to Kindred's
    /// fields, null to leave a column out ({"Client ID": "reference", "Notes": null})
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// The organisation's short name
    #[arg(long = "org")]
    pub organisation: String,
    /// The email of the manager the import is made as (their access applies, and the import
    /// is audited under their name)
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_email: String,
    /// Check every row and report what would be added; change nothing
    #[arg(long)]
    pub dry_run: bool,
}
