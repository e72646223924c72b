//! `paved completions`, `paved man` and the `paved ci` helpers, run as the binary.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::{run_paved, stdout};

/// Runs `tool -n` (syntax check without running) on `script`, when the shell is installed.
fn syntax_ok(tool: &str, script: &Path) -> Option<bool> {
    let out = Command::new(tool).arg("-n").arg(script).output().ok()?;
    if !out.status.success() {
        eprintln!("{tool}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Some(out.status.success())
}

#[test]
fn completions_are_valid_scripts_for_each_shell_and_name_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, checker) in [("bash", "bash"), ("zsh", "zsh"), ("fish", "fish")] {
        let out = run_paved(dir.path(), &["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = stdout(&out);
        for sub in ["validate", "completions", "man", "ci", "gitlab-pipeline"] {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
        let path = dir.path().join(format!("paved.{shell}"));
        std::fs::write(&path, &script).unwrap();
        match syntax_ok(checker, &path) {
            Some(ok) => assert!(ok, "{shell} completion script does not parse"),
            // bash is always there; zsh and fish only where scripts/test installed them.
            None => assert_ne!(shell, "bash", "bash is missing"),
        }
    }
    let out = run_paved(dir.path(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "an unknown shell is a usage error");
}

#[test]
fn man_page_documents_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_paved(dir.path(), &["man"]);
    assert!(out.status.success());
    let page = stdout(&out);
    assert!(page.contains(".TH paved 1"));
    assert!(page.contains(".SH SUBCOMMANDS"));
    assert!(page.contains("paved\\-validate") && page.contains("paved\\-completions"));

    let out = run_paved(dir.path(), &["man", "--out-dir", "man1"]);
    assert!(out.status.success());
    for page in ["paved.1", "paved-validate.1", "paved-ci.1", "paved-ci-gitlab-pipeline.1", "paved-completions.1"] {
        let text =
            std::fs::read_to_string(dir.path().join("man1").join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH "), "{page}");
    }
}

/// Validation once as JSON, then the same findings in every other format.
#[test]
fn ci_render_turns_a_saved_report_into_each_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("paved.yaml"), "bogus: 1\n").unwrap();
    let json = run_paved(dir.path(), &["validate", "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    std::fs::write(dir.path().join("report.json"), &json.stdout).unwrap();

    same_as_validate(dir.path());
    let out = run_paved(dir.path(), &["ci", "count", "--report", "report.json", "--severity", "error"]);
    assert_eq!(stdout(&out), "1\n");
    let out = run_paved(dir.path(), &["ci", "count", "--report", "report.json", "--severity", "warning"]);
    assert_eq!(stdout(&out), "0\n");
    let out = run_paved(dir.path(), &["ci", "summary", "--report", "report.json"]);
    assert!(stdout(&out).starts_with("## paved validate\n\n❌ **1 error, 0 warnings**"), "{}", stdout(&out));
    assert!(stdout(&out).contains("| ❌ | `config/invalid` | `paved.yaml:1` |"));

    std::fs::write(dir.path().join("broken.json"), "{\"diagnostics\": 3}").unwrap();
    let out = run_paved(dir.path(), &["ci", "render", "broken.json", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a paved JSON report"));
}

#[test]
fn ci_env_reports_the_detected_base() {
    let dir = tempfile::tempdir().unwrap();
    let event = dir.path().join("event.json");
    std::fs::write(&event, r#"{"pull_request":{"number":9,"head":{"sha":"h"}}}"#).unwrap();
    let mut cmd = Command::new(crate::support::paved());
    crate::support::clear_ci_env(&mut cmd);
    let out = cmd
        .args(["ci", "env", "--format", "json"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_BASE_REF", "main")
        .env("GITHUB_EVENT_PATH", &event)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["provider"], "github-actions");
    assert_eq!(v["format"], "github");
    assert_eq!(v["base_kind"], "merge-base");
    assert_eq!(v["base"], "origin/main");
    assert_eq!(v["pull_request"], "9");
    assert_eq!(v["sha"], "h");

    let out = run_paved(dir.path(), &["ci", "env"]);
    assert_eq!(stdout(&out), "PAVED_CI_PROVIDER=''\n");
}

/// On real catalog findings (with described rules) too, re-rendering equals a direct run.
#[test]
fn ci_render_matches_validate_on_the_examples() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let ok = Command::new("cp").arg("-R").arg(crate::support::root().join("examples/.")).arg(repo).status().unwrap();
    assert!(ok.success());
    let file = repo.join("catalog/services/billing-service/catalog-info.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("  name: billing-service\n", "  name: Billing Service!\n", 1)).unwrap();
    let json = run_paved(repo, &["validate", "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    std::fs::write(repo.join("report.json"), &json.stdout).unwrap();
    let sarif = same_as_validate(repo);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let name = rules.iter().find(|r| r["id"] == "backstage/metadata-name").expect("the raised rule is described");
    assert!(name["fullDescription"]["text"].as_str().unwrap().contains("Backstage rejects the entity"));
}

/// `paved ci render report.json` prints what `paved validate` prints, in every format. SARIF's
/// rule table holds only the rules raised (validate lists every rule of the capabilities that
/// ran), so for SARIF the results are compared. Returns the re-rendered SARIF.
fn same_as_validate(repo: &Path) -> Value {
    let mut sarif = Value::Null;
    for format in ["json", "sarif", "github", "gitlab", "junit", "human"] {
        let direct = run_paved(repo, &["validate", "--format", format]);
        let rendered = run_paved(repo, &["ci", "render", "report.json", "--format", format]);
        assert!(rendered.status.success(), "{format}");
        if format == "sarif" {
            let (d, r): (Value, Value) =
                (serde_json::from_slice(&direct.stdout).unwrap(), serde_json::from_slice(&rendered.stdout).unwrap());
            let results = |v: &Value| {
                let mut rs = v["runs"][0]["results"].as_array().unwrap().clone();
                for x in &mut rs {
                    x.as_object_mut().unwrap().remove("ruleIndex");
                }
                rs
            };
            assert_eq!(results(&r), results(&d));
            for result in r["runs"][0]["results"].as_array().unwrap() {
                let index = result["ruleIndex"].as_u64().unwrap() as usize;
                assert_eq!(r["runs"][0]["tool"]["driver"]["rules"][index]["id"], result["ruleId"]);
            }
            sarif = r;
        } else {
            assert_eq!(stdout(&rendered), stdout(&direct), "{format}: re-rendered differs from a direct run");
        }
    }
    sarif
}
