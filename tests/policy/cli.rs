use std::path::Path;

use assert_cmd::Command;

fn paved() -> Command {
    Command::cargo_bin("paved").unwrap()
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_starter_policies_pass_their_own_tests() {
    let out = paved().current_dir(repo()).args(["policy", "test", "policies"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains(" 0 failed, 0 errors, 0 files not compiled"), "{text}");
}

#[test]
fn a_failing_test_exits_1_and_a_broken_policy_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.rego"),
        "package paved.catalog.p\n\nimport rego.v1\n\ndeny contains \"x\" if input.bad\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p_test.rego"),
        "package paved.catalog.p_test\n\nimport rego.v1\n\ntest_wrong if {\n\tcount(data.paved.catalog.p.deny) == 1 with input as {}\n}\n",
    )
    .unwrap();
    let out = paved().args(["policy", "test"]).arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL ") && text.contains("test_wrong"), "{text}");

    std::fs::write(dir.path().join("broken.rego"), "package paved.catalog.b\n\ndeny contains msg if {\n").unwrap();
    let out = paved().args(["policy", "test"]).arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("broken.rego:") && text.contains("policy/syntax"), "{text}");
}

#[test]
fn eval_prints_query_results() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("entity.yaml");
    std::fs::write(&input, "kind: Component\nmetadata:\n  name: web\n  tags: [java, java]\nspec: {}\n").unwrap();
    let out = paved()
        .current_dir(repo())
        .args(["policy", "eval", "-p", "policies", "-i"])
        .arg(&input)
        .arg("data.paved.catalog.tags.deny")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("catalog-tags-duplicate"), "{text}");
    assert!(text.contains("/metadata/tags/1"), "{text}");

    let out = paved().args(["policy", "eval", "-i", "/nonexistent.json", "data"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
