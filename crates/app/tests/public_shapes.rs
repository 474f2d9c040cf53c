//! The application layer owns the shapes it hands out: no storage type may appear in the app
//! crate's public surface, so the web layer never learns storage's rows (and a storage change
//! cannot ripple into pages and API bodies unnoticed).
//!
//! The check reads the source: for each file of `crates/app/src`, the names it imports from
//! `kindred_storage`, then every `pub fn` signature, `pub` field, `pub type` and `pub use`
//! (not `pub(crate)`/`pub(super)`); naming one of those imports, or `kindred_storage::`
//! itself, fails. `Backend` and `DatabaseLocation` are configuration and may be re-exported.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const ALLOWED: [&str; 2] = ["Backend", "DatabaseLocation"];

#[test]
fn no_storage_type_in_the_apps_public_surface() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    for file in rust_files(&src) {
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        for item in violations_in(&text) {
            violations.push(format!("{}: {item}", file.display()));
        }
    }
    assert!(
        violations.is_empty(),
        "storage types in the app's public surface (define an app-owned type instead):\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_check_finds_a_planted_violation() {
    let planted = "use kindred_storage::{Session, StoredProgram};\n\
        pub struct Shown { pub program: StoredProgram, hidden: Session }\n\
        pub async fn detail(&self) -> Result<Vec<StoredProgram>> { todo() }\n\
        pub(crate) fn inside(s: &mut Session) {}\n\
        pub fn direct() -> kindred_storage::ContactRow { x }\n\
        pub use kindred_storage::{Backend, DatabaseLocation};\n";
    let found = violations_in(planted);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].contains("pub program: StoredProgram"), "{found:#?}");
    assert!(found[1].contains("fn detail"), "{found:#?}");
    assert!(found[2].contains("fn direct"), "{found:#?}");
}

#[test]
fn the_web_crate_does_not_depend_on_storage() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/Cargo.toml");
    let text = std::fs::read_to_string(manifest).expect("the web crate's manifest");
    assert!(
        !text.contains("kindred-storage"),
        "crates/web must reach storage only through the app"
    );
}

/// The public items of one file that name a storage type.
fn violations_in(text: &str) -> Vec<String> {
    let text = without_comments(text);
    let imported = storage_imports(&text);
    let mut found = Vec::new();
    for item in public_items(&text) {
        let names_storage = item.contains("kindred_storage::")
            || identifiers(&item).any(|id| imported.contains(id) && !ALLOWED.contains(&id));
        let allowed_reexport = item.starts_with("pub use kindred_storage::")
            && identifiers(&item).skip(3).all(|id| ALLOWED.contains(&id));
        if names_storage && !allowed_reexport {
            found.push(item.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    found
}

/// The names a file brings in with `use kindred_storage::…;` (the last segment, or the alias).
fn storage_imports(text: &str) -> BTreeSet<&str> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("use kindred_storage::") {
        let body = &rest[at + "use kindred_storage::".len()..];
        let end = body.find(';').unwrap_or(body.len());
        for part in body[..end].split([',', '{', '}']) {
            let part = part.trim();
            let name = match part.split_once(" as ") {
                Some((_, alias)) => alias.trim(),
                None => part.rsplit("::").next().unwrap_or(part).trim(),
            };
            if !name.is_empty() && name != "self" {
                names.insert(name);
            }
        }
        rest = &body[end..];
    }
    names
}

/// `pub fn`/`pub async fn` signatures (to the body), `pub` fields, `pub type` and `pub use`.
fn public_items(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut rest = text;
    while let Some(at) = find_word(rest, "pub") {
        let after = &rest[at + 3..];
        let trimmed = after.trim_start();
        let stop: &[char] = if trimmed.starts_with("fn ") || trimmed.starts_with("async fn ") {
            &['{', ';']
        } else if trimmed.starts_with("type ") || trimmed.starts_with("use ") {
            &[';']
        } else if is_field(trimmed) {
            &[',', '\n', '}']
        } else {
            rest = after;
            continue;
        };
        let end = after.find(stop).unwrap_or(after.len());
        items.push(format!("pub{}", &after[..end]));
        rest = &after[end..];
    }
    items
}

/// `name: Type` (a public field), not `pub(crate)`, `pub struct`, `pub mod`….
fn is_field(text: &str) -> bool {
    let name: String = text.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    !name.is_empty() && text[name.len()..].trim_start().starts_with(':')
}

fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = text[from..].find(word).map(|i| i + from) {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        if boundary(before) && boundary(after) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|s| !s.is_empty())
}

/// The text without `//` comments (doc comments name storage types freely).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|l| l.split_once("//").map_or(l, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}
