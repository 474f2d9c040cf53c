//! The system's own grants (the follow-up sweep's, the demo generator's) cover every
//! participant with any access, so they must stay where they are: a use case acting for a
//! person asks the policy about that person instead. This reads the application's source and
//! fails on a use of them anywhere else.

use std::path::{Path, PathBuf};

/// Where the system acts for itself, and why.
const ALLOWED: [(&str, &str); 3] = [
    ("policy/mod.rs", "defines them"),
    ("follow_up_sweep.rs", "the sweep runs over every participant, on their coaches' behalf"),
    ("demo/mod.rs", "the demo reads back what it generated"),
];

#[test]
fn only_the_sweep_and_the_demo_use_the_system_grants() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offences = Vec::new();
    for file in rust_files(&src) {
        let relative =
            file.strip_prefix(&src).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        if ALLOWED.iter().any(|(allowed, _)| *allowed == relative) {
            continue;
        }
        let source = std::fs::read_to_string(&file).expect("a source file");
        for (n, line) in source.lines().enumerate() {
            if line.contains("system_scope") || line.contains("system_grant") {
                offences.push(format!("{relative}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "system grants used outside {ALLOWED:?}:\n{}",
        offences.join("\n")
    );
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
    files
}
