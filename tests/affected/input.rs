//! Bad input: clear messages and exit status 2, never a panic.

use std::io::Write;
use std::process::Stdio;

use assert_cmd::Command;

use crate::support::{TestRepo, file_url, git_in};

fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("paved").unwrap().arg("affected").args(args).current_dir(dir).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_unknown_ref_is_a_usage_failure() {
    let t = TestRepo::new();
    t.write("a", "1");
    t.commit("one");
    let (code, out, err) = run(t.path(), &["--base", "no-such-branch"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("unknown revision `no-such-branch`"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn a_shallow_clone_without_the_base_says_how_to_fetch_more() {
    let t = TestRepo::new();
    t.write("a", "1");
    let old = t.commit("one");
    t.write("a", "2");
    t.commit("two");
    let clone = tempfile::tempdir().unwrap();
    git_in(clone.path(), &["clone", "-q", "--depth", "1", &file_url(t.path()), "."]);
    let (code, _, err) = run(clone.path(), &["--base", &old]);
    assert_eq!(code, 2);
    assert!(err.contains("shallow clone") && err.contains("git fetch --unshallow"), "{err}");
}

#[test]
fn outside_a_repository_and_without_a_default_branch() {
    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = run(empty.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a git repository"), "{err}");

    let t = TestRepo::new();
    t.git(&["checkout", "-q", "-b", "develop"]);
    t.write("a", "1");
    t.commit("one");
    let (code, _, err) = run(t.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("pass --base"), "{err}");
}

#[test]
fn a_repository_without_atmos_yaml_compares_the_catalog_only() {
    let t = TestRepo::new();
    t.write("README.md", "x");
    let base = t.commit("one");
    let (code, out, err) = run(t.path(), &["--base", &base]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("no atmos.yaml"), "{err}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["affected"], serde_json::json!([]));
}

/// 50,000 changed files (written with git fast-import, which takes a second) are compared
/// without trouble.
#[test]
fn a_diff_of_fifty_thousand_files() {
    let t = TestRepo::new();
    t.write("a", "1");
    let base = t.commit("one");
    let mut stream = String::from("blob\nmark :1\ndata 2\nx\n\ncommit refs/heads/main\nmark :2\n");
    stream.push_str("committer T <t@example.com> 0 +0000\ndata 4\nbig\n");
    stream.push_str(&format!("from {base}\n"));
    for i in 0..50_000 {
        stream.push_str(&format!("M 100644 :1 gen/d{}/f{i}.yaml\n", i % 100));
    }
    stream.push('\n');
    let mut child = std::process::Command::new("git")
        .args(["fast-import", "--quiet", "--force"])
        .current_dir(t.path())
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    let (code, _, err) = run(t.path(), &["--base", &base, "--head", "main"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("50000 changed paths"), "{err}");
}

#[test]
fn a_moved_submodule_is_noted() {
    let sub = TestRepo::new();
    sub.write("x", "1");
    sub.commit("one");
    let t = TestRepo::new();
    t.git(&["submodule", "add", "-q", &file_url(sub.path()), "components/terraform"]);
    let base = t.commit("add");
    sub.write("x", "2");
    sub.commit("two");
    t.git(&["-C", "components/terraform", "pull", "-q", "origin", "main"]);
    let head = t.commit("bump");
    let (code, _, err) = run(t.path(), &["--base", &base, "--head", &head]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("components/terraform is a submodule whose commit moved"), "{err}");
}
