use assert_cmd::Command;
use serde_json::Value;

use crate::support::TestRepo;

fn group(name: &str, description: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\n  description: {description}\nspec:\n  type: team\n  children: []\n"
    )
}

fn root(targets: &[&str]) -> String {
    let t: Vec<String> = targets.iter().map(|t| format!("    - ./{t}\n")).collect();
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets:\n{}",
        t.concat()
    )
}

pub fn affected(repo: &TestRepo, args: &[&str]) -> Value {
    let out =
        Command::cargo_bin("paved").unwrap().arg("affected").args(args).current_dir(repo.path()).output().unwrap();
    assert!(out.status.success(), "paved affected failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn changes(v: &Value) -> Vec<(String, String)> {
    v["catalog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["ref"].as_str().unwrap().to_string(), c["change"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn catalog_entities_added_modified_and_deleted_between_commits() {
    let t = TestRepo::new();
    t.write("catalog-info.yaml", &root(&["a.yaml", "b.yaml", "c.yaml"]));
    t.write("a.yaml", &group("alpha", "one"))
        .write("b.yaml", &group("beta", "one"))
        .write("c.yaml", &group("gamma", "x"));
    let base = t.commit("base");
    t.write("catalog-info.yaml", &root(&["a.yaml", "b.yaml", "d.yaml"]));
    t.write("b.yaml", &group("beta", "two")).remove("c.yaml").write("d.yaml", &group("delta", "new"));
    let head = t.commit("head");
    let v = affected(&t, &["--base", &base, "--head", &head]);
    assert_eq!(
        changes(&v),
        [
            ("group:default/beta".into(), "modified".into()),
            ("group:default/delta".into(), "added".into()),
            ("group:default/gamma".into(), "deleted".into()),
            ("location:default/root".into(), "modified".into()),
        ]
    );
    assert_eq!(v["catalog"][0]["fields"], serde_json::json!(["metadata"]));
    assert_eq!(v["catalog"][2]["file"], "c.yaml");
    assert_eq!(v["affected"], serde_json::json!([]));
}

/// The default base is the fork point: an entity added on main after the branch forked is
/// not this branch's change (the false positive Atmos users hit comparing with main's tip).
#[test]
fn the_default_base_is_the_fork_point_and_the_head_is_the_working_tree() {
    let t = TestRepo::new();
    t.write("catalog-info.yaml", &root(&["a.yaml"])).write("a.yaml", &group("alpha", "one"));
    t.commit("base");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.write("a.yaml", &group("alpha", "feature edit"));
    t.commit("feature");
    t.git(&["checkout", "-q", "main"]);
    t.write("catalog-info.yaml", &root(&["a.yaml", "m.yaml"])).write("m.yaml", &group("main-only", "x"));
    t.commit("main moves on");
    t.git(&["checkout", "-q", "feature"]);
    // Uncommitted: a new entity in the working tree.
    t.write("catalog-info.yaml", &root(&["a.yaml", "w.yaml"])).write("w.yaml", &group("wip", "x"));
    let v = affected(&t, &[]);
    assert_eq!(
        changes(&v),
        [
            ("group:default/alpha".into(), "modified".into()),
            ("group:default/wip".into(), "added".into()),
            ("location:default/root".into(), "modified".into()),
        ]
    );
    // Against main's tip instead, main's own entity would show up as deleted.
    let tip = affected(&t, &["--base", "main"]);
    assert!(changes(&tip).contains(&("group:default/main-only".into(), "deleted".into())));
}

#[test]
fn markdown_for_a_pull_request_comment() {
    let t = TestRepo::new();
    t.write("catalog-info.yaml", &root(&["a.yaml"])).write("a.yaml", &group("alpha", "one"));
    let base = t.commit("base");
    t.write("a.yaml", &group("alpha", "two"));
    let out = Command::cargo_bin("paved")
        .unwrap()
        .args(["affected", "--base", &base, "--format", "markdown"])
        .current_dir(t.path())
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("| `group:default/alpha` | modified (metadata) | `a.yaml` |"), "{md}");
}
