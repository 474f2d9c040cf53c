//! Tenant binding, checked on the source: every SQL text in the storage crate that names a
//! tenant-owned table constrains it by `org_id`, reached from `$1` (which
//! `TenantConn::query*` always binds to the session's organisation), and no query is built
//! except through those builders.
//!
//! The texts are read from `src/**/*.rs` as Rust string literals; each literal is checked on
//! its own, so a SQL fragment that names a table must also carry its `org_id` condition (a
//! fragment macro binds its own tables, and a caller cannot forget).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Tables no tenant owns: the tenant list itself.
const GLOBAL_TABLES: [&str; 1] = ["organisations"];
/// The files allowed to query without a tenant, each for a table no organisation owns, and the
/// one that defines the builders.
const RAW_QUERY_FILES: [&str; 3] = [
    // The tenant list itself.
    "organisations.rs",
    // Sign-in attempts per client address: an address crosses organisations.
    "address_throttle.rs",
    "session.rs",
];

#[test]
fn every_sql_text_binds_each_tenant_table_to_the_session_organisation() {
    let tenant_tables = tenant_tables();
    assert!(tenant_tables.len() >= 40, "tenant tables found: {tenant_tables:?}");
    let mut offences = Vec::new();
    let mut checked = 0;
    for file in rust_files(&crate_dir().join("src")) {
        let source = std::fs::read_to_string(&file).expect("a source file");
        for (line, text) in string_literals(&source) {
            if !looks_like_sql(&text) {
                continue;
            }
            checked += 1;
            for problem in check(&text, &tenant_tables) {
                offences.push(format!("{}:{line}: {problem}", file.display()));
            }
        }
    }
    assert!(checked > 100, "only {checked} SQL texts found: is the extractor broken?");
    assert!(offences.is_empty(), "tenant tables not bound to $1:\n{}", offences.join("\n"));
}

#[test]
fn queries_are_built_only_through_the_tenant_builders() {
    let mut offences = Vec::new();
    for file in rust_files(&crate_dir().join("src")) {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if RAW_QUERY_FILES.contains(&name) {
            continue;
        }
        let source = std::fs::read_to_string(&file).expect("a source file");
        for (n, line) in source.lines().enumerate() {
            if line.contains("sqlx::query") || line.contains("sqlx::raw_sql") {
                offences.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(offences.is_empty(), "build queries with c.query*(…):\n{}", offences.join("\n"));
}

#[test]
fn the_checker_catches_what_it_should() {
    let tables: BTreeSet<String> =
        ["contacts", "users", "participants"].into_iter().map(String::from).collect();
    let ok = [
        "SELECT c.id FROM contacts c WHERE c.org_id = $1 AND c.id = $2",
        "SELECT c.id FROM contacts c JOIN users u ON u.org_id = c.org_id WHERE c.org_id = $1",
        "UPDATE contacts SET minutes = $2 WHERE org_id = $1 AND id = $3",
        "INSERT INTO contacts (org_id, id) VALUES ($1, $2)",
        "DELETE FROM users WHERE org_id = $1 AND id = $2",
        "SELECT 1 FROM organisations WHERE id = $1",
    ];
    for sql in ok {
        assert!(check(sql, &tables).is_empty(), "{sql}: {:?}", check(sql, &tables));
    }
    let bad = [
        "SELECT c.id FROM contacts c WHERE c.id = $1",
        "SELECT c.id FROM contacts c JOIN users u ON u.id = c.coach_id WHERE c.org_id = $1",
        "SELECT c.id FROM contacts c WHERE c.org_id = $2",
        "UPDATE contacts SET minutes = $2 WHERE id = $1",
        "INSERT INTO contacts (id, org_id) VALUES ($1, $2)",
        "DELETE FROM users WHERE id = $2",
        "SELECT p.id FROM participants p, users u WHERE p.org_id = $1",
    ];
    for sql in bad {
        assert!(!check(sql, &tables).is_empty(), "{sql} passed");
    }
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a directory").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Tables with an `org_id` column, from the SQLite migrations (the PostgreSQL ones create the
/// same tables; the schema test compares their keys).
fn tenant_tables() -> BTreeSet<String> {
    let mut tables = BTreeSet::new();
    let dir = crate_dir().join("migrations/sqlite");
    for file in std::fs::read_dir(dir).expect("migrations").flatten() {
        let sql = std::fs::read_to_string(file.path()).expect("a migration");
        for block in sql.split("CREATE TABLE").skip(1) {
            let name: String = block
                .trim_start()
                .trim_start_matches("IF NOT EXISTS ")
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let body = block.split(";").next().unwrap_or_default();
            if body.contains("org_id") && !GLOBAL_TABLES.contains(&name.as_str()) {
                tables.insert(name);
            }
        }
    }
    tables
}

/// The string literals of a Rust source file with the line each starts on. Comments are
/// skipped; `"…"` (with escapes) and `r"…"`/`r#"…"#` are read.
fn string_literals(source: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = source.chars().collect();
    let mut literals = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => line += 1,
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            'r' if matches!(chars.get(i + 1), Some('"' | '#'))
                && !chars
                    .get(i.wrapping_sub(1))
                    .is_some_and(|p| p.is_alphanumeric() || *p == '_') =>
            {
                let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
                if chars.get(i + 1 + hashes) == Some(&'"') {
                    let start = i + 2 + hashes;
                    let closing: String =
                        std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                    let rest: String = chars[start..].iter().collect();
                    let end = rest.find(&closing).unwrap_or(rest.len());
                    let text = &rest[..end];
                    literals.push((line, text.to_owned()));
                    line += text.matches('\n').count();
                    i = start + text.chars().count() + closing.chars().count();
                    continue;
                }
            }
            '\'' => {
                // A char literal ('x', '\n', '\\', '"'); otherwise a lifetime.
                if chars.get(i + 1) == Some(&'\\') {
                    let close = chars[i + 2..].iter().position(|c| *c == '\'').unwrap_or(0);
                    i += close + 3;
                    continue;
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 3;
                    continue;
                }
            }
            '"' => {
                let mut text = String::new();
                let start_line = line;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                        match chars.get(i) {
                            Some('n') => text.push('\n'),
                            Some('\n') => {
                                line += 1;
                                // A line continuation swallows the next line's indentation.
                                while chars.get(i + 1).is_some_and(|c| c.is_whitespace()) {
                                    i += 1;
                                }
                            }
                            Some(other) => text.push(*other),
                            None => {}
                        }
                    } else {
                        if chars[i] == '\n' {
                            line += 1;
                        }
                        text.push(chars[i]);
                    }
                    i += 1;
                }
                literals.push((start_line, text));
            }
            _ => {}
        }
        i += 1;
    }
    literals
}

fn looks_like_sql(text: &str) -> bool {
    ["SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", " FROM ", "JOIN "]
        .iter()
        .any(|k| text.contains(k))
}

/// Words and the symbols that matter (`$1`, `=`, `(`, `)`, `,`, `.`).
fn tokens(sql: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '\'' {
            // A SQL string constant: skipped whole.
            chars.next();
            for c in chars.by_ref() {
                if c == '\'' {
                    break;
                }
            }
            tokens.push("'…'".into());
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_alphanumeric() || c == '_' || c == '$' {
                    word.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(word);
        } else {
            tokens.push(c.to_string());
            chars.next();
        }
    }
    tokens
}

const KEYWORDS: [&str; 24] = [
    "WHERE",
    "JOIN",
    "LEFT",
    "INNER",
    "ON",
    "SET",
    "GROUP",
    "ORDER",
    "LIMIT",
    "USING",
    "AND",
    "VALUES",
    "SELECT",
    "UNION",
    "HAVING",
    "RETURNING",
    "AS",
    "OFFSET",
    "CROSS",
    "WINDOW",
    "DO",
    "EXCEPT",
    "INTERSECT",
    "OR",
];

/// The problems of one SQL text: each tenant table it names must be tied to `$1` through
/// `alias.org_id = $1` or a chain of `a.org_id = b.org_id`; an insert lists `org_id` first
/// and takes `$1` for it.
fn check(sql: &str, tenant_tables: &BTreeSet<String>) -> Vec<String> {
    let t = tokens(sql);
    let mut problems = Vec::new();
    // alias -> table, for tenant tables named after FROM / JOIN / UPDATE / DELETE FROM / a comma.
    let mut aliases: HashMap<String, String> = HashMap::new();
    let mut i = 0;
    while i < t.len() {
        let word = t[i].to_ascii_uppercase();
        if word == "INTO"
            && t.get(i.wrapping_sub(1)).is_some_and(|w| w.eq_ignore_ascii_case("INSERT"))
        {
            if let Some(table) = t.get(i + 1).filter(|n| tenant_tables.contains(*n)) {
                let first_column = t.get(i + 3).map(String::as_str);
                let values = t.iter().skip(i).position(|w| w.eq_ignore_ascii_case("VALUES"));
                let first_value = values.and_then(|v| t.get(i + v + 2)).map(String::as_str);
                let selected = t.iter().skip(i).position(|w| w.eq_ignore_ascii_case("SELECT"));
                let first_selected = selected.and_then(|s| t.get(i + s + 1)).map(String::as_str);
                let org_first =
                    t.get(i + 2).is_some_and(|p| p == "(") && first_column == Some("org_id");
                if !org_first || !(first_value == Some("$1") || first_selected == Some("$1")) {
                    problems.push(format!("INSERT INTO {table} must give org_id first, as $1"));
                }
            }
            i += 2;
            continue;
        }
        let names_table = matches!(word.as_str(), "FROM" | "JOIN" | "UPDATE")
            || (word == ","
                && !aliases.is_empty()
                && t.get(i + 1).is_some_and(|n| tenant_tables.contains(n)));
        if names_table && let Some(table) = t.get(i + 1).filter(|n| tenant_tables.contains(*n)) {
            let alias = match t.get(i + 2) {
                Some(a) if a.eq_ignore_ascii_case("AS") => t.get(i + 3).cloned(),
                Some(a)
                    if a.chars().all(|c| c.is_alphanumeric() || c == '_')
                        && !KEYWORDS.contains(&a.to_ascii_uppercase().as_str()) =>
                {
                    Some(a.clone())
                }
                _ => None,
            }
            .unwrap_or_else(|| table.clone());
            if aliases.insert(alias.clone(), table.clone()).is_some() {
                problems.push(format!("alias {alias} is used twice; give each table its own"));
            }
        }
        i += 1;
    }
    if aliases.is_empty() {
        return problems;
    }
    // Which aliases are bound to $1, directly or through org_id equalities.
    let qualified = |k: usize| -> Option<String> {
        if t.get(k + 1).is_some_and(|d| d == ".") && t.get(k + 2).is_some_and(|c| c == "org_id") {
            Some(t[k].clone())
        } else {
            None
        }
    };
    let mut bound: BTreeSet<String> = BTreeSet::new();
    let mut links: Vec<(String, String)> = Vec::new();
    for k in 0..t.len() {
        // `a.org_id = X` and `X = a.org_id`, or bare `org_id = $1` (an unaliased table).
        let (left, next) = if let Some(a) = qualified(k) {
            (Some(a), k + 3)
        } else if t[k] == "org_id" && (k == 0 || t[k - 1] != ".") {
            (None, k + 1)
        } else {
            continue;
        };
        if t.get(next).is_none_or(|e| e != "=") {
            continue;
        }
        let right = next + 1;
        let right_alias = qualified(right);
        let right_is_org = t.get(right).is_some_and(|r| r == "$1");
        match (left, right_alias, right_is_org) {
            (Some(a), _, true) => {
                bound.insert(a);
            }
            (None, _, true) => {
                // Bare org_id = $1 binds the unaliased tables.
                bound.extend(aliases.iter().filter(|(a, tb)| a == tb).map(|(a, _)| a.clone()));
            }
            (Some(a), Some(b), _) => links.push((a, b)),
            _ => {}
        }
    }
    loop {
        let before = bound.len();
        for (a, b) in &links {
            if bound.contains(a) || bound.contains(b) {
                bound.insert(a.clone());
                bound.insert(b.clone());
            }
        }
        if bound.len() == before {
            break;
        }
    }
    for (alias, table) in &aliases {
        if !bound.contains(alias) {
            problems.push(format!("{table} ({alias}) is not bound to org_id = $1"));
        }
    }
    problems
}
