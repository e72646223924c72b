//! The GitLab template: parsed, its jobs' scripts run as a runner would (`set -eo pipefail`,
//! bash and POSIX sh) with the debug paved binary, and the child pipeline they generate.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{clear_ci_env, paved, read, stderr, stdout};

fn template() -> Value {
    yaml_serde::from_str(&read("ci/gitlab/paved.gitlab-ci.yml")).expect("the template parses")
}

fn script(job: &Value) -> String {
    job["script"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect::<Vec<_>>().join("\n")
}

/// Runs a job's script in `dir` the way GitLab's shell executor does, with `bin` first on PATH.
fn run_job(shell: &str, job: &Value, dir: &Path, bin: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(shell);
    cmd.arg("-c").arg(format!("set -e\n{}", script(job))).current_dir(dir);
    clear_ci_env(&mut cmd);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    cmd.env("PATH", path).env("GITLAB_CI", "true").env("PAVED_IMAGE", "registry.example.com/paved:1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// A directory holding `paved`: the debug binary, or a stand-in script.
fn bin_dir(dir: &Path, standin: Option<&str>) -> std::path::PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    match standin {
        None => std::os::unix::fs::symlink(paved(), bin.join("paved")).unwrap(),
        Some(script) => {
            std::fs::write(bin.join("paved"), script).unwrap();
            Command::new("chmod").arg("+x").arg(bin.join("paved")).status().unwrap();
        }
    }
    bin
}

#[test]
fn jobs_rules_and_reports_fit_together() {
    let t = template();
    let validate = &t["paved:validate"];
    assert_eq!(validate["extends"], ".paved");
    let reports = &validate["artifacts"]["reports"];
    let s = script(validate);
    for kind in ["codequality", "junit"] {
        let file = reports[kind].as_str().unwrap();
        assert!(s.contains(&format!("> {file}")), "the script writes the {kind} report {file}");
    }
    assert_eq!(validate["artifacts"]["when"], "always", "reports are kept when validation fails");

    let affected = &t["paved:affected"];
    let plan = &t["paved:plan"];
    let include = &plan["trigger"]["include"][0];
    let child = include["artifact"].as_str().unwrap();
    assert!(script(affected).contains(&format!("> {child}")));
    assert!(affected["artifacts"]["paths"].as_array().unwrap().iter().any(|p| p == child));
    assert_eq!(include["job"], "paved:affected");
    assert_eq!(plan["needs"][0], "paved:affected");
    assert_eq!(plan["trigger"]["strategy"], "depend");

    let apply = &t["paved:apply"];
    let rule = apply["rules"][0]["if"].as_str().unwrap();
    assert!(rule.contains("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"));
    assert!(apply["resource_group"].is_string());
    for job in ["paved:validate", "paved:affected", "paved:plan"] {
        assert!(
            t[job]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["if"] == "$CI_PIPELINE_SOURCE == \"merge_request_event\""),
            "{job} runs on merge requests"
        );
    }
    assert_eq!(t[".paved"]["image"]["entrypoint"][0], "");
}

#[test]
fn validate_job_writes_code_quality_and_junit_and_fails_on_errors() {
    for shell in ["bash", "sh"] {
        let dir = tempfile::tempdir().unwrap();
        let bin = bin_dir(dir.path(), None);
        let repo = dir.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        std::fs::write(repo.join("paved.yaml"), "bogus: 1\n").unwrap();
        let out = run_job(shell, &template()["paved:validate"], &repo, &bin, &[]);
        assert_eq!(out.status.code(), Some(1), "{shell}: {}", stderr(&out));
        assert!(stdout(&out).contains("error[config/invalid]"), "{shell}: the log is readable");
        let cq: Value =
            serde_json::from_slice(&std::fs::read(repo.join("gl-code-quality-report.json")).unwrap()).unwrap();
        assert_eq!(cq[0]["check_name"], "config/invalid");
        let junit = std::fs::read_to_string(repo.join("paved-junit.xml")).unwrap();
        assert!(junit.contains("<failure type=\"config/invalid\""));

        // A clean repository passes and still writes both reports.
        std::fs::remove_file(repo.join("paved.yaml")).unwrap();
        let out = run_job(shell, &template()["paved:validate"], &repo, &bin, &[]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        assert_eq!(std::fs::read_to_string(repo.join("gl-code-quality-report.json")).unwrap(), "[]\n");
        assert!(std::fs::read_to_string(repo.join("paved-junit.xml")).unwrap().contains("no problems found"));
    }
}

#[test]
fn drift_job_runs_on_schedules_and_warns_on_drift() {
    let t = template();
    let drift = &t["paved:drift"];
    assert_eq!(drift["rules"][0]["if"], "$CI_PIPELINE_SOURCE == \"schedule\"");
    assert_eq!(drift["resource_group"], t["paved:apply"]["resource_group"], "never beside an apply");
    assert_eq!(drift["allow_failure"]["exit_codes"][0], 2);
    // paved's exit status reaches GitLab unchanged: 2 (drift) is allowed to fail, 1 (errors) is not.
    for code in [0, 1, 2] {
        let dir = tempfile::tempdir().unwrap();
        let standin = format!("#!/bin/sh\necho \"$@\" > args\nprintf '# drift\\n' > paved-drift.md\nexit {code}\n");
        let bin = bin_dir(dir.path(), Some(&standin));
        let out = run_job("sh", drift, dir.path(), &bin, &[("PAVED_CONFIG", "platform/paved.yaml")]);
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
        assert_eq!(args.trim(), "drift --config platform/paved.yaml --summary paved-drift.md");
    }
}

pub const AFFECTED: &str = r#"[
  {"component": "vpc", "component_type": "terraform", "component_path": "components/terraform/vpc",
   "stack": "plat-ue2-dev", "stack_slug": "plat-ue2-dev-vpc", "affected": "stack.vars", "affected_all": ["stack.vars"]},
  {"component": "eks/cluster", "component_type": "terraform", "component_path": "components/terraform/eks/cluster",
   "stack": "plat-ue2-prod", "stack_slug": "plat-ue2-prod-eks-cluster", "affected": "component", "affected_all": ["component"]},
  {"component": "old-queue", "stack": "plat-ue2-dev", "affected": "deleted", "affected_all": ["deleted"], "deleted": true}
]"#;

#[test]
fn affected_job_writes_a_child_pipeline_with_one_plan_job_per_component() {
    for shell in ["bash", "sh"] {
        let dir = tempfile::tempdir().unwrap();
        let calls = dir.path().join("calls");
        let canned = dir.path().join("affected.json");
        std::fs::write(&canned, AFFECTED).unwrap();
        let standin = format!(
            "#!/bin/sh\nif [ \"$1\" = affected ]; then echo \"$*\" >> '{}'; cat '{}'; else exec '{}' \"$@\"; fi\n",
            calls.display(),
            canned.display(),
            paved()
        );
        let bin = bin_dir(dir.path(), Some(&standin));
        let repo = dir.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        let env = [
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_MERGE_REQUEST_IID", "12"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", "abc123"),
            ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"),
            ("PAVED_CONFIG", "ci/paved.yaml"),
            ("PAVED_RUNNER_TAG", "terraform"),
        ];
        let out = run_job(shell, &template()["paved:affected"], &repo, &bin, &env);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}\n{}", stdout(&out), stderr(&out));
        assert_eq!(std::fs::read_to_string(&calls).unwrap(), "affected --base abc123 --format json\n");
        assert!(stdout(&out).contains("**3 components** in **2 stacks**"), "{shell}: summary in the log");

        let child: Value =
            yaml_serde::from_str(&std::fs::read_to_string(repo.join("paved-plan.gitlab-ci.yml")).unwrap()).unwrap();
        let jobs: Vec<&String> = child.as_object().unwrap().keys().filter(|k| k.starts_with("plan ")).collect();
        assert_eq!(
            jobs,
            ["plan plat-ue2-dev-vpc", "plan plat-ue2-prod-eks-cluster"],
            "deleted components are not planned"
        );
        let job = &child["plan plat-ue2-prod-eks-cluster"];
        assert_eq!(job["variables"]["PAVED_STACK"], "plat-ue2-prod");
        assert_eq!(job["variables"]["PAVED_COMPONENT"], "eks/cluster");
        assert_eq!(job["tags"][0], "terraform");
        assert_eq!(child["default"]["image"]["name"], "registry.example.com/paved:1");
        assert_eq!(child["variables"]["PAVED_CONFIG"], "ci/paved.yaml");
        assert_eq!(child["stages"][0], "plan");
    }
}

/// The child pipeline as GitLab receives it.
#[test]
fn child_pipeline_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("affected.json"), AFFECTED).unwrap();
    let out = crate::support::run_paved(
        dir.path(),
        &[
            "ci",
            "gitlab-pipeline",
            "affected.json",
            "--image",
            "registry.example.com/paved:1",
            "--variable",
            "PAVED_CONFIG=ci/paved.yaml",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!(stdout(&out));

    let out = crate::support::run_paved(dir.path(), &["ci", "gitlab-pipeline", "affected.json", "--variable", "1X=y"]);
    assert_eq!(out.status.code(), Some(2), "a bad variable name is a usage error");
}

/// The affected job with the real `paved affected`, on a merge request made from the examples
/// (GitLab gives the fork point as CI_MERGE_REQUEST_DIFF_BASE_SHA) that changes a variable every
/// stack's vpc inherits: the child pipeline has one plan job per stack's vpc.
#[test]
fn affected_job_on_the_examples_with_the_real_binary() {
    use crate::support::{git, root};
    let dir = tempfile::tempdir().unwrap();
    let bin = bin_dir(dir.path(), None);
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    assert!(Command::new("cp").arg("-R").arg(root().join("examples/.")).arg(&repo).status().unwrap().success());
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "base"]);
    let base = git(&repo, &["rev-parse", "HEAD"]);
    let file = repo.join("catalog/services/billing-service/catalog-info.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("  title: Billing service\n", "  title: Billing\n", 1)).unwrap();
    // A variable of the VPC defaults every stack's vpc inherits.
    let vpc = repo.join("stacks/catalog/vpc/defaults.yaml");
    let text = std::fs::read_to_string(&vpc).unwrap();
    assert!(text.contains("max_subnet_count: 3\n"));
    std::fs::write(&vpc, text.replacen("max_subnet_count: 3\n", "max_subnet_count: 2\n", 1)).unwrap();
    git(&repo, &["commit", "-qam", "retitle billing, fewer subnets"]);
    let env = [
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_IID", "3"),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str()),
    ];
    let out = run_job("sh", &template()["paved:affected"], &repo, &bin, &env);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("component:default/billing-service"), "{}", stdout(&out));
    let affected: Value = serde_json::from_slice(&std::fs::read(repo.join("paved-affected.json")).unwrap()).unwrap();
    let plannable: Vec<&Value> =
        affected["affected"].as_array().unwrap().iter().filter(|i| i["deleted"] != true).collect();
    let child: Value =
        yaml_serde::from_str(&std::fs::read_to_string(repo.join("paved-plan.gitlab-ci.yml")).unwrap()).unwrap();
    let jobs: BTreeSet<&String> = child.as_object().unwrap().keys().filter(|k| k.starts_with("plan ")).collect();
    assert!(!plannable.is_empty(), "the vpc change affects every stack's vpc");
    for item in &plannable {
        assert_eq!(item["component"], "vpc");
        assert_eq!(item["affected"], "stack.vars");
        let name = format!("plan {}", item["stack_slug"].as_str().unwrap());
        assert!(jobs.contains(&name), "no job {name}");
        assert_eq!(child[&name]["variables"]["PAVED_STACK"], item["stack"]);
        assert_eq!(child[&name]["variables"]["PAVED_COMPONENT"], "vpc");
    }
    assert_eq!(jobs.len(), plannable.len());
    assert_eq!(affected["catalog"][0]["ref"], "component:default/billing-service");
}
