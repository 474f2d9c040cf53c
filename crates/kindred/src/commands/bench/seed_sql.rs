//! The seed's SQL: the generated rows of the scale database, written set-based for either
//! backend, and the raw connection that runs them outside the application.

use kindred_app::DatabaseLocation;
use sqlx::{AssertSqlSafe, Connection, PgConnection, SqliteConnection};
use uuid::Uuid;

use super::seed::Accounts;
use crate::cli::BenchSeedArgs;

/// The SQL that differs between the two databases.
pub(super) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    fn new_id(&self) -> &'static str {
        match self {
            Dialect::Sqlite => "randomblob(16)",
            Dialect::Postgres => "gen_random_uuid()",
        }
    }

    /// `n` numbered rows `i` (1…n), as a temporary table's source.
    fn numbers(&self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!(
                "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})
                 SELECT i FROM s"
            ),
            Dialect::Postgres => format!("SELECT i FROM generate_series(1::bigint, {n}) i"),
        }
    }

    /// The date `days` (an SQL integer, may be negative) after `date` (`'now'` for today).
    fn date_plus(&self, date: &str, days: &str) -> String {
        match self {
            Dialect::Sqlite => format!("date({date}, ({days}) || ' days')"),
            Dialect::Postgres => {
                let date = if date == "'now'" { "current_date" } else { date };
                format!("({date} + CAST({days} AS integer))")
            }
        }
    }

    /// The instant `days` after `at` (`'now'` for now).
    fn instant_plus_days(&self, at: &str, days: &str) -> String {
        match self {
            Dialect::Sqlite => {
                format!("strftime('%Y-%m-%dT%H:%M:%S', {at}, ({days}) || ' days') || '.000000Z'")
            }
            Dialect::Postgres => {
                let at = if at == "'now'" { "now()" } else { at };
                format!("({at} + CAST({days} AS integer) * interval '1 day')")
            }
        }
    }

    /// `minutes` before now.
    fn minutes_ago(&self, minutes: &str) -> String {
        match self {
            Dialect::Sqlite => format!(
                "strftime('%Y-%m-%dT%H:%M:%S', 'now', '-' || ({minutes}) || ' minutes') || '.000000Z'"
            ),
            Dialect::Postgres => {
                format!("(now() - CAST({minutes} AS bigint) * interval '1 minute')")
            }
        }
    }

    /// Noon UTC of a date column, as an instant.
    fn noon_of(&self, date: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{date} || 'T12:00:00.000000Z'"),
            Dialect::Postgres => format!("({date} + time '12:00') AT TIME ZONE 'UTC'"),
        }
    }

    fn uuid_type(&self) -> &'static str {
        match self {
            Dialect::Sqlite => "BLOB",
            Dialect::Postgres => "UUID",
        }
    }
}

/// Columns of the template's rows moved to each clone's enrolment (the template was enrolled
/// today, so by `-p.back` days), or given to the clone's coach, or not carried over.
const DATE_COLUMNS: [&str; 6] =
    ["opens_on", "due_on", "closes_on", "completed_on", "made_on", "administered_on"];
const INSTANT_COLUMNS: [&str; 5] =
    ["created_at", "updated_at", "completed_at", "cancelled_at", "scheduled_for"];
const PERSON_COLUMNS: [&str; 6] =
    ["assignee_id", "created_by", "made_by", "administered_by", "completed_by", "cancelled_by"];
const DROPPED_COLUMNS: [&str; 3] = ["contact_id", "consent_id", "appointment_id"];

/// The steps, each one statement (`$1`, where used, is the template participant).
pub(super) fn generate(
    d: &Dialect,
    args: &BenchSeedArgs,
    accounts: &Accounts,
) -> Vec<(String, String)> {
    let seed = args.seed % 1_000_003;
    let coaches = accounts.coaches.len();
    let clones = args.participants.saturating_sub(1).max(1);
    let mut steps: Vec<(String, String)> = Vec::new();
    let mut step = |name: &str, sql: String| steps.push((name.to_owned(), sql));
    let uuid = d.uuid_type();
    step(
        "coaches",
        format!("CREATE TEMP TABLE bench_coaches (n BIGINT PRIMARY KEY, id {uuid} NOT NULL)"),
    );
    let values: Vec<String> = accounts
        .coaches
        .iter()
        .enumerate()
        .map(|(n, (_, id))| match d {
            Dialect::Sqlite => format!("({n}, X'{}')", id.simple()),
            Dialect::Postgres => format!("({n}, '{id}'::uuid)"),
        })
        .collect();
    step("coaches", format!("INSERT INTO bench_coaches (n, id) VALUES {}", values.join(", ")));
    // The clones: a number, an id, a coach and how many days ago they enrolled (0…729).
    step(
        "participant numbers",
        format!(
            "CREATE TEMP TABLE bench_seq AS SELECT i, {id} AS id, (i * 7919 + {seed}) % 730 AS back
             FROM ({numbers}) n",
            id = d.new_id(),
            numbers = d.numbers(clones)
        ),
    );
    step(
        "participants",
        clone_columns_sql(
            "participants",
            &[
                ("id", "s.id".into()),
                ("reference", "'B' || s.i".into()),
                ("coach_id", format!("(SELECT id FROM bench_coaches WHERE n = s.i % {coaches})")),
                ("enrolled_on", d.date_plus("'now'", "-s.back")),
            ],
            "bench_seq s JOIN participants t ON t.id = $1",
        ),
    );
    let given = "CASE s.i % 12 WHEN 0 THEN 'Ana' WHEN 1 THEN 'Ben' WHEN 2 THEN 'Élodie'
        WHEN 3 THEN 'Şükrü' WHEN 4 THEN 'İlknur' WHEN 5 THEN 'Dmitri' WHEN 6 THEN 'Grace'
        WHEN 7 THEN 'Hamid' WHEN 8 THEN 'Ines' WHEN 9 THEN 'Jonah' WHEN 10 THEN 'Keiko'
        ELSE 'Luis' END";
    let family = "CASE (s.i / 12) % 16 WHEN 0 THEN 'Okafor' WHEN 1 THEN 'Nguyễn'
        WHEN 2 THEN 'Reyes' WHEN 3 THEN 'Ærø' WHEN 4 THEN 'Marchetti' WHEN 5 THEN 'Kowalski'
        WHEN 6 THEN 'Haddad' WHEN 7 THEN 'Lindqvist' WHEN 8 THEN 'Mensah' WHEN 9 THEN 'Novak'
        WHEN 10 THEN 'Osei' WHEN 11 THEN 'Petrov' WHEN 12 THEN 'Quinn' WHEN 13 THEN 'Rossi'
        WHEN 14 THEN 'Silva' ELSE 'Tanaka' END || ' ' || s.i";
    step(
        "identities",
        clone_columns_sql(
            "participant_identities",
            &[
                ("participant_id", "s.id".into()),
                ("given_name", given.into()),
                ("family_name", family.into()),
                ("date_of_birth", d.date_plus("t.date_of_birth", "-(s.i * 13 % 9000)")),
                // Filled from the new names by `fill_search_keys` when the database next opens.
                ("search_key", "NULL".into()),
                ("sort_key", "NULL".into()),
            ],
            "bench_seq s JOIN participant_identities t ON t.participant_id = $1",
        ),
    );
    step(
        "people",
        "CREATE TEMP TABLE bench_people AS
         SELECT row_number() OVER (ORDER BY p.id) - 1 AS n, p.org_id, p.id, p.coach_id,
                COALESCE(s.back, 0) AS back
         FROM participants p LEFT JOIN bench_seq s ON s.id = p.id"
            .into(),
    );
    step("people", "CREATE INDEX bench_people_n ON bench_people (n)".into());
    // The template's dated work, moved to each clone's enrolment.
    for table in ["tasks", "appointments", "assessments", "referrals"] {
        step(table, format!("@clone {table}"));
    }
    // Program steps that fell due more than a week ago are mostly done, on time.
    step(
        "tasks done",
        format!(
            "UPDATE tasks SET status = 'done', completed_on = due_on, completed_at = {at},
                 completed_by = assignee_id
             WHERE status = 'open' AND due_on < {week_ago}
               AND participant_id IN (SELECT id FROM bench_people WHERE (n + {seed}) % 5 <> 0)",
            at = d.noon_of("due_on"),
            week_ago = d.date_plus("'now'", "-7"),
        ),
    );
    step(
        "appointments attended",
        format!(
            "UPDATE appointments SET status = 'attended' WHERE status = 'scheduled'
             AND scheduled_for < {now}",
            now = d.instant_plus_days("'now'", "0")
        ),
    );
    // Follow-up work: one done at the participant's midpoint, one open (overdue, due today
    // or in the next few weeks).
    for (name, due, status, completed) in [
        ("follow-ups done", "-(p.back / 2)", "'done'", true),
        ("follow-ups open", "((p.n * 31 + {seed}) % 45) - 15", "'open'", false),
    ] {
        let due = due.replace("{seed}", &seed.to_string());
        let due_on = d.date_plus("'now'", &due);
        let (on, at, by) = if completed {
            (due_on.clone(), d.noon_of(&due_on), "p.coach_id".to_owned())
        } else {
            ("NULL".into(), "NULL".into(), "NULL".into())
        };
        step(
            name,
            format!(
                "INSERT INTO tasks (org_id, id, participant_id, kind, assignee_id, title, opens_on,
                     due_on, status, completed_on, completed_at, completed_by, created_at)
                 SELECT p.org_id, {id}, p.id, 'follow_up', p.coach_id, 'Follow-up contact',
                     {due_on}, {due_on}, {status}, {on}, {at}, {by}, {created}
                 FROM bench_people p",
                id = d.new_id(),
                created = d.instant_plus_days("'now'", "-p.back"),
            ),
        );
    }
    // Contacts over each participant's time in the program (its enrolment day to now).
    let people = args.participants.max(1);
    step(
        "contacts",
        format!(
            "INSERT INTO contacts (org_id, id, participant_id, coach_id, occurred_at, minutes, mode,
                format, note, version, created_at, updated_at)
             SELECT p.org_id, {id}, p.id, p.coach_id, {occurred},
                10 + s.i % 50,
                CASE s.i % 4 WHEN 0 THEN 'phone' WHEN 1 THEN 'in_person' WHEN 2 THEN 'text'
                    ELSE 'video' END,
                'one_to_one', 'Talked through the week ahead', 1, {now}, {now}
             FROM ({numbers}) s JOIN bench_people p ON p.n = s.i % {people}",
            id = d.new_id(),
            occurred = d.minutes_ago(&format!(
                "(s.i * 15485863 + {seed}) % (p.back * 1440 + 1440)"
            )),
            now = d.instant_plus_days("'now'", "0"),
            numbers = d.numbers(args.contacts),
        ),
    );
    let kind = |k: &str| {
        format!(
            "CASE ({k}) % 4 WHEN 0 THEN 'emotional' WHEN 1 THEN 'informational'
                 WHEN 2 THEN 'instrumental' ELSE 'affiliational' END"
        )
    };
    step(
        "support kinds",
        format!(
            "INSERT INTO contact_support_kinds (org_id, contact_id, kind)
             SELECT org_id, id, {} FROM contacts WHERE group_session_id IS NULL",
            kind("minutes")
        ),
    );
    step(
        "second support kinds",
        format!(
            "INSERT INTO contact_support_kinds (org_id, contact_id, kind)
             SELECT org_id, id, {} FROM contacts
             WHERE group_session_id IS NULL AND (minutes / 4) % 3 = 0",
            kind("minutes + 1")
        ),
    );
    step(
        "activities",
        "INSERT INTO contact_activities (org_id, contact_id, activity)
         SELECT org_id, id, CASE minutes % 8 WHEN 0 THEN 'check_in'
             WHEN 1 THEN 'motivational_conversation' WHEN 2 THEN 'recovery_planning'
             WHEN 3 THEN 'resource_navigation' WHEN 4 THEN 'mutual_help_meeting'
             WHEN 5 THEN 'housing_support' WHEN 6 THEN 'employment_support'
             ELSE 'skill_coaching' END
         FROM contacts WHERE group_session_id IS NULL"
            .into(),
    );
    steps
}

/// `INSERT INTO table (every column) SELECT (override or t.column) FROM source`; the column
/// list is read from the schema when the step runs (`@columns` is replaced).
fn clone_columns_sql(table: &str, overrides: &[(&str, String)], source: &str) -> String {
    let encoded: Vec<String> = overrides.iter().map(|(c, e)| format!("{c}\u{1}{e}")).collect();
    format!("@insert {table}\u{2}{}\u{2}{source}", encoded.join("\u{3}"))
}

/// A connection of the seeded database's own backend, outside the application.
pub(super) enum RawConn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl RawConn {
    pub(super) async fn open(location: &DatabaseLocation) -> anyhow::Result<RawConn> {
        Ok(match location {
            DatabaseLocation::SqliteFile(file) => {
                let mut c =
                    SqliteConnection::connect(&format!("sqlite://{}", file.display())).await?;
                sqlx::query("PRAGMA busy_timeout = 30000").execute(&mut c).await?;
                RawConn::Sqlite(c)
            }
            DatabaseLocation::Postgres(url) => RawConn::Postgres(PgConnection::connect(url).await?),
        })
    }

    pub(super) fn dialect(&self) -> Dialect {
        match self {
            RawConn::Sqlite(_) => Dialect::Sqlite,
            RawConn::Postgres(_) => Dialect::Postgres,
        }
    }

    async fn columns(&mut self, table: &str) -> anyhow::Result<Vec<String>> {
        Ok(match self {
            RawConn::Sqlite(c) => {
                sqlx::query_scalar(AssertSqlSafe(format!(
                    "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
                )))
                .fetch_all(c)
                .await?
            }
            RawConn::Postgres(c) => {
                sqlx::query_scalar(
                    "SELECT column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1
                 ORDER BY ordinal_position",
                )
                .bind(table)
                .fetch_all(c)
                .await?
            }
        })
    }

    /// Runs one step; `$1` is bound to the template when the text uses it.
    pub(super) async fn execute(&mut self, sql: &str, template: Uuid) -> anyhow::Result<()> {
        let text = if let Some(table) = sql.strip_prefix("@clone ") {
            self.clone_sql(table).await?
        } else if let Some(spec) = sql.strip_prefix("@insert ") {
            self.insert_sql(spec).await?
        } else {
            sql.to_owned()
        };
        let binds = text.contains("$1");
        match self {
            RawConn::Sqlite(c) => {
                let query = sqlx::query(AssertSqlSafe(text));
                if binds { query.bind(template) } else { query }.execute(c).await?;
            }
            RawConn::Postgres(c) => {
                let query = sqlx::query(AssertSqlSafe(text));
                if binds { query.bind(template) } else { query }.execute(c).await?;
            }
        }
        Ok(())
    }

    async fn insert_sql(&mut self, spec: &str) -> anyhow::Result<String> {
        let mut parts = spec.split('\u{2}');
        let (table, overrides, source) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        let overrides: Vec<(&str, &str)> =
            overrides.split('\u{3}').filter_map(|o| o.split_once('\u{1}')).collect();
        let columns = self.columns(table).await?;
        let picks: Vec<String> = columns
            .iter()
            .map(|c| {
                overrides
                    .iter()
                    .find(|(name, _)| name == c)
                    .map_or_else(|| format!("t.{c}"), |(_, e)| (*e).to_owned())
            })
            .collect();
        Ok(format!(
            "INSERT INTO {table} ({}) SELECT {} FROM {source}",
            columns.join(", "),
            picks.join(", ")
        ))
    }

    /// The template's rows of a participant table, one copy per clone, dates moved.
    async fn clone_sql(&mut self, table: &str) -> anyhow::Result<String> {
        let d = self.dialect();
        let columns = self.columns(table).await?;
        let picks: Vec<String> = columns
            .iter()
            .map(|c| {
                let c = c.as_str();
                if c == "id" {
                    d.new_id().to_owned()
                } else if c == "participant_id" {
                    "p.id".to_owned()
                } else if DATE_COLUMNS.contains(&c) {
                    d.date_plus(&format!("t.{c}"), "-p.back")
                } else if INSTANT_COLUMNS.contains(&c) {
                    d.instant_plus_days(&format!("t.{c}"), "-p.back")
                } else if PERSON_COLUMNS.contains(&c) {
                    format!("CASE WHEN t.{c} IS NULL THEN NULL ELSE p.coach_id END")
                } else if DROPPED_COLUMNS.contains(&c) {
                    "NULL".to_owned()
                } else {
                    format!("t.{c}")
                }
            })
            .collect();
        Ok(format!(
            "INSERT INTO {table} ({}) SELECT {} FROM bench_people p
             JOIN {table} t ON t.org_id = p.org_id AND t.participant_id = $1
             WHERE p.id <> $1",
            columns.join(", "),
            picks.join(", ")
        ))
    }

    pub(super) async fn finish(self) -> anyhow::Result<()> {
        match self {
            RawConn::Sqlite(mut c) => {
                sqlx::query("ANALYZE").execute(&mut c).await?;
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut c).await?;
                c.close().await?;
            }
            RawConn::Postgres(mut c) => {
                // The seed updates each rollup row once per contact in one go, leaving tens of
                // dead versions per live row that a year of the same writes under autovacuum
                // never would: the dashboard then read 27 000 pages for 5 000 month rows (160 ms
                // instead of 6). Compact the tables the triggers keep, then analyse it all.
                sqlx::query(
                    "VACUUM (FULL) contact_pairs, contact_day_totals, contact_day_support_kinds,
                     contact_day_activities, contact_day_modes, contact_month_totals,
                     contact_month_support_kinds, contact_month_activities, contact_month_modes,
                     participant_dose_totals, participant_dose_support_kinds,
                     participant_dose_modes, participant_dose_components, participants, tasks",
                )
                .execute(&mut c)
                .await?;
                sqlx::query("ANALYZE").execute(&mut c).await?;
                c.close().await?;
            }
        }
        Ok(())
    }

    /// Up to `limit` participants of a coach's caseload.
    pub(super) async fn caseload(&mut self, coach: Uuid, limit: i64) -> anyhow::Result<Vec<Uuid>> {
        let sql = "SELECT id FROM participants WHERE coach_id = $1 ORDER BY id LIMIT $2";
        Ok(match self {
            RawConn::Sqlite(c) => {
                sqlx::query_scalar(sql).bind(coach).bind(limit).fetch_all(c).await?
            }
            RawConn::Postgres(c) => {
                sqlx::query_scalar(sql).bind(coach).bind(limit).fetch_all(c).await?
            }
        })
    }
}
