//! `paved validate` and `paved rules` as a user runs them: exit codes and every output format.

use assert_cmd::Command;

use super::fixtures::fixture;

fn paved() -> Command {
    let mut c = Command::cargo_bin("paved").unwrap();
    c.env_remove("PAVED_FORMAT").env("NO_COLOR", "1");
    c
}

#[test]
fn clean_repository_exits_zero() {
    let out = paved().arg("validate").arg(fixture("valid")).assert().code(0);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("0 errors"), "{text}");
}

#[test]
fn problems_exit_one_in_every_format() {
    for format in ["human", "json", "sarif", "github", "gitlab"] {
        let out = paved().args(["validate", "--format", format]).arg(fixture("refs")).assert().code(1);
        let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        assert!(text.contains("catalog/ref-unresolved"), "{format}: {text}");
        match format {
            "json" | "sarif" | "gitlab" => {
                serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| panic!("{format}: {e}"));
            }
            "github" => assert!(text.lines().any(|l| l.starts_with("::error file=catalog-info.yaml,line="))),
            _ => assert!(text.contains("--> catalog-info.yaml:")),
        }
    }
}

#[test]
fn json_has_the_documented_keys() {
    let out = paved().args(["validate", "-f", "json"]).arg(fixture("spec")).assert().code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let d = &v["diagnostics"][0];
    for key in ["rule", "severity", "message", "file", "line", "column", "document", "entity"] {
        assert!(d.get(key).is_some(), "{key} missing in {d}");
    }
    assert_eq!(v["summary"]["entities"], 8);
}

#[test]
fn usage_errors_exit_two() {
    paved().args(["validate", "--format", "nope"]).assert().code(2);
    paved().args(["validate", "/definitely/not/here"]).assert().code(2);
}

#[test]
fn warnings_alone_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: a\nspec:\n  type: team\n  children: [b]\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: b\nspec:\n  type: team\n  children: []\n",
    )
    .unwrap();
    let out = paved().arg("validate").arg(dir.path()).assert().code(0);
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("catalog/relation-mismatch"));
}

#[test]
fn rules_lists_every_rule() {
    let out = paved().arg("rules").assert().code(0);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for r in paved::catalog::rule_infos() {
        assert!(text.contains(r.id), "{} missing", r.id);
    }
    let out = paved().args(["rules", "catalog/orphan"]).assert().code(0);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("Why:") && text.contains("Example:"), "{text}");
    let out = paved().args(["rules", "--json", "backstage/"]).assert().code(0);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(v.as_array().unwrap().iter().all(|r| r["id"].as_str().unwrap().starts_with("backstage/")));
    paved().args(["rules", "nope/"]).assert().code(2);
}
