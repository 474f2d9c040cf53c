//! Why a write was refused as a conflict, classified in this one place so no database text
//! reaches people: a unique index names what already exists, a version check says the record
//! changed, and a few rules of the record say what state it is in.
//!
//! Every unique index and constraint of the schema is listed in [`UNIQUE_RULES`] by table and
//! columns (what SQLite's message gives: `UNIQUE constraint failed: programs.org_id,
//! programs.name`) and by PostgreSQL constraint name. A conformance test reads the live schema
//! of both databases and fails when an index is missing here, so a new unique index needs its
//! sentence before it ships. Primary keys (`_pkey`, SQLite's extended code 1555) are ids the
//! application generates: a clash there is [`Conflict::Duplicate`].

/// A refused write, in terms the application turns into a sentence.
/// The application writes the sentence for each (`kindred_app`'s error module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// `organisations.slug`.
    OrganisationSlug,
    /// `users (org_id, email)`.
    UserEmail,
    ApiToken,
    ProgramName,
    ParticipantReference,
    ProtocolStepTask,
    FollowUpTask,
    ResourceSource,
    /// A unique rule this table does not name (or a primary key): still a sentence.
    Duplicate,
    /// A save from a stale version: someone else saved in between.
    Changed,
    /// A rule of the record, written here for people ("the task is no longer open").
    Refused(String),
}

impl From<&str> for Conflict {
    fn from(message: &str) -> Self {
        Conflict::Refused(message.to_owned())
    }
}

impl From<String> for Conflict {
    fn from(message: String) -> Self {
        Conflict::Refused(message)
    }
}

/// One unique index or constraint of the schema and what its refusal means.
#[derive(Debug, Clone, Copy)]
pub struct UniqueRule {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    /// PostgreSQL's name for it (the default `{table}_{columns}_key`, or the index's own name).
    pub postgres_name: &'static str,
    pub conflict: fn() -> Conflict,
}

/// Every unique index and constraint besides primary keys, in migration order.
pub const UNIQUE_RULES: &[UniqueRule] = &[
    UniqueRule {
        table: "organisations",
        columns: &["slug"],
        postgres_name: "organisations_slug_key",
        conflict: || Conflict::OrganisationSlug,
    },
    UniqueRule {
        table: "users",
        columns: &["org_id", "email"],
        postgres_name: "users_org_id_email_key",
        conflict: || Conflict::UserEmail,
    },
    UniqueRule {
        table: "api_tokens",
        columns: &["org_id", "token_hash"],
        postgres_name: "api_tokens_org_id_token_hash_key",
        conflict: || Conflict::ApiToken,
    },
    UniqueRule {
        table: "programs",
        columns: &["org_id", "name"],
        postgres_name: "programs_org_id_name_key",
        conflict: || Conflict::ProgramName,
    },
    UniqueRule {
        table: "participants",
        columns: &["org_id", "reference"],
        postgres_name: "participants_org_id_reference_key",
        conflict: || Conflict::ParticipantReference,
    },
    UniqueRule {
        table: "tasks",
        columns: &["org_id", "participant_id", "program_id", "step_code"],
        postgres_name: "tasks_org_id_participant_id_program_id_step_code_key",
        conflict: || Conflict::ProtocolStepTask,
    },
    UniqueRule {
        table: "resources",
        columns: &["org_id", "source", "source_id"],
        postgres_name: "resources_org_id_source_source_id_key",
        conflict: || Conflict::ResourceSource,
    },
    UniqueRule {
        table: "tasks",
        columns: &["org_id", "participant_id", "program_id", "time_point_code", "kind"],
        postgres_name: "tasks_one_per_time_point",
        conflict: || Conflict::FollowUpTask,
    },
];

/// The rule for SQLite's table and columns, if listed.
pub fn rule_for_columns(table: &str, columns: &[&str]) -> Option<&'static UniqueRule> {
    UNIQUE_RULES.iter().find(|r| r.table == table && r.columns == columns)
}

/// The rule for a PostgreSQL constraint or index name, if listed.
pub fn rule_for_postgres(name: &str) -> Option<&'static UniqueRule> {
    UNIQUE_RULES.iter().find(|r| r.postgres_name == name)
}

/// SQLite's extended result code for a primary key violation.
const SQLITE_CONSTRAINT_PRIMARYKEY: &str = "1555";

/// What a unique violation means, from what the database said about it.
pub(crate) fn classify(db: &dyn sqlx::error::DatabaseError) -> Conflict {
    if let Some(name) = db.constraint() {
        return match rule_for_postgres(name) {
            Some(rule) => (rule.conflict)(),
            None => Conflict::Duplicate,
        };
    }
    if db.code().as_deref() == Some(SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Conflict::Duplicate;
    }
    // "UNIQUE constraint failed: programs.org_id, programs.name"
    let Some(list) = db.message().strip_prefix("UNIQUE constraint failed: ") else {
        return Conflict::Duplicate;
    };
    let mut table = None;
    let mut columns = Vec::new();
    for qualified in list.split(", ") {
        let Some((t, column)) = qualified.trim().split_once('.') else {
            return Conflict::Duplicate;
        };
        if *table.get_or_insert(t) != t {
            return Conflict::Duplicate;
        }
        columns.push(column);
    }
    match table.and_then(|t| rule_for_columns(t, &columns)) {
        Some(rule) => (rule.conflict)(),
        None => Conflict::Duplicate,
    }
}
