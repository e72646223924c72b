//! The starter policies over fixtures that break them, and over examples/ (which passes).

use std::path::Path;

use assert_cmd::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A temporary repository: `dir` plus the starter policies (the repository's own waivers, if
/// any, are kept).
fn with_policies(dir: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(dir, tmp.path());
    let waivers = std::fs::read(tmp.path().join("policies/waivers.yaml")).ok();
    copy_dir(&repo().join("policies"), &tmp.path().join("policies"));
    if let Some(w) = waivers {
        std::fs::write(tmp.path().join("policies/waivers.yaml"), w).unwrap();
    }
    tmp
}

/// `(severity, rule, file:line)` of the policy findings of `paved validate --format json`.
fn policy_findings(root: &Path) -> (i32, Vec<String>) {
    let out = Command::cargo_bin("paved").unwrap().args(["validate", "--format", "json"]).arg(root).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    let list = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"].as_str().unwrap().starts_with("policy/"))
        .map(|d| {
            format!(
                "{} {} {}:{}",
                d["severity"].as_str().unwrap(),
                d["rule"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"]
            )
        })
        .collect();
    (out.status.code().unwrap(), list)
}

#[test]
fn each_catalog_policy_fails_on_its_fixture() {
    let tmp = with_policies(&repo().join("tests/fixtures/policy/catalog"));
    let (code, found) = policy_findings(tmp.path());
    assert_eq!(code, 1);
    insta::assert_yaml_snapshot!(found);
}

#[test]
fn examples_pass_the_starter_policies_with_their_waiver() {
    let tmp = with_policies(&repo().join("examples"));
    let (_, found) = policy_findings(tmp.path());
    assert!(found.iter().all(|f| !f.starts_with("error ")), "{found:#?}");
    assert!(
        found.iter().any(|f| f.starts_with("note policy/catalog-production-depends-on-experimental ")),
        "the waiver turns the one known violation into a note: {found:#?}"
    );
}
