//! action.yml against the scripts it runs: every input reaches the script that reads it, every
//! output is one the entrypoint writes, and no step interpolates an input into shell.

use std::collections::BTreeSet;
use std::process::Command;

use regex::Regex;
use serde_json::Value;

use crate::support::{read, root};

fn action() -> Value {
    yaml_serde::from_str(&read("action.yml")).expect("action.yml parses")
}

/// `INPUT_*` variables a script reads.
fn inputs_read_by(script: &str) -> BTreeSet<String> {
    let re = Regex::new(r"\$\{?(INPUT_[A-Z0-9_]+)").unwrap();
    re.captures_iter(&read(script)).map(|c| c[1].to_string()).collect()
}

fn env_name(input: &str) -> String {
    format!("INPUT_{}", input.to_ascii_uppercase().replace('-', "_"))
}

/// The step that runs `script`.
fn step_running<'a>(action: &'a Value, script: &str) -> &'a Value {
    action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["run"].as_str().is_some_and(|r| r.contains(script)))
        .unwrap_or_else(|| panic!("no step runs {script}"))
}

#[test]
fn declares_what_the_issue_asks_for() {
    let a = action();
    assert_eq!(a["runs"]["using"], "composite");
    for input in
        ["command", "base-ref", "head-ref", "config", "format", "working-directory", "paved-version", "github-token"]
    {
        assert!(a["inputs"][input]["description"].is_string(), "input {input}");
    }
    for output in ["affected", "has-affected", "matrix", "sarif-file", "error-count"] {
        assert!(a["outputs"][output]["description"].is_string(), "output {output}");
    }
    assert_eq!(a["inputs"]["command"]["default"], "validate");
}

#[test]
fn every_input_reaches_the_script_that_reads_it() {
    let a = action();
    let mut mapped = BTreeSet::new();
    for (script, path) in [("ci/github/entrypoint.sh", "entrypoint.sh"), ("ci/github/install.sh", "install.sh")] {
        let step = step_running(&a, path);
        let env = step["env"].as_object().unwrap();
        let read_here = inputs_read_by(script);
        for var in &read_here {
            let value = env.get(var).and_then(Value::as_str).unwrap_or_else(|| panic!("{script} reads {var}, unset"));
            let input = value.trim_start_matches("${{ inputs.").trim_end_matches(" }}");
            assert_eq!(env_name(input), *var, "{var} is set from the wrong input: {value}");
            assert!(a["inputs"][input].is_object(), "{var} comes from undeclared input {input}");
            mapped.insert(input.to_string());
        }
        for (var, _) in env.iter().filter(|(k, _)| k.starts_with("INPUT_")) {
            assert!(read_here.contains(var), "{var} is passed to {script}, which never reads it");
        }
    }
    // working-directory is used by the step itself rather than read as a variable.
    let run_step = step_running(&a, "entrypoint.sh");
    assert_eq!(run_step["working-directory"], "${{ inputs.working-directory }}");
    mapped.insert("working-directory".into());
    let declared: BTreeSet<String> = a["inputs"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(declared, mapped, "inputs declared but never used");
}

#[test]
fn every_output_is_written_by_the_entrypoint_and_back() {
    let a = action();
    let script = read("ci/github/entrypoint.sh");
    let written: BTreeSet<String> =
        Regex::new(r"set_output ([a-z-]+) ").unwrap().captures_iter(&script).map(|c| c[1].to_string()).collect();
    let id = step_running(&a, "entrypoint.sh")["id"].as_str().unwrap().to_string();
    let mut declared = BTreeSet::new();
    for (name, o) in a["outputs"].as_object().unwrap() {
        assert_eq!(o["value"], format!("${{{{ steps.{id}.outputs.{name} }}}}"), "output {name}");
        declared.insert(name.clone());
    }
    assert_eq!(declared, written);
}

/// `${{ inputs.x }}` inside `run:` is pasted into the script before bash reads it: a crafted
/// value would run as code. Inputs go through `env:` only.
#[test]
fn no_step_interpolates_expressions_into_shell() {
    let a = action();
    for step in a["runs"]["steps"].as_array().unwrap() {
        let run = step["run"].as_str().unwrap();
        assert!(!run.contains("${{"), "expression in run: {run}");
        assert_eq!(step["shell"], "bash");
    }
}

/// The scripts are shellcheck-clean (skipped where shellcheck is not installed).
#[test]
fn scripts_pass_shellcheck() {
    let scripts = ["ci/github/entrypoint.sh", "ci/github/install.sh"];
    for s in scripts {
        let out = match Command::new("shellcheck").arg("--severity=style").arg(root().join(s)).output() {
            Ok(o) => o,
            Err(_) => {
                eprintln!("shellcheck is not installed; skipped");
                return;
            }
        };
        assert!(out.status.success(), "{s}:\n{}", String::from_utf8_lossy(&out.stdout));
    }
}
