//! ci/github/entrypoint.sh run as the Actions runner would: GitHub's variables set, the debug
//! paved binary, real git repositories. `paved affected`, `plan` and `apply` come from other
//! capabilities: a stand-in wraps the real binary, answers those with canned output and
//! records its arguments.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{clear_ci_env, git, paved, root, stderr, stdout};

/// A job's environment: outputs, summary and temp under `dir`.
struct Job {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    bin: String,
}

impl Job {
    fn new() -> Job {
        let dir = tempfile::tempdir().unwrap();
        for d in ["repo", "runner-temp"] {
            std::fs::create_dir(dir.path().join(d)).unwrap();
        }
        std::fs::write(dir.path().join("outputs"), "").unwrap();
        std::fs::write(dir.path().join("summary"), "").unwrap();
        let p = |n: &str| dir.path().join(n).display().to_string();
        let env = vec![
            ("GITHUB_ACTIONS".into(), "true".into()),
            ("GITHUB_OUTPUT".into(), p("outputs")),
            ("GITHUB_STEP_SUMMARY".into(), p("summary")),
            ("RUNNER_TEMP".into(), p("runner-temp")),
            ("GITHUB_WORKSPACE".into(), p("repo")),
        ];
        Job { dir, env, bin: paved().to_string() }
    }

    fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    fn set(&mut self, k: &str, v: &str) -> &mut Self {
        self.env.push((k.into(), v.into()));
        self
    }

    /// Puts the stand-in in front of the real binary: `affected` prints `affected_json`,
    /// `plan`/`apply`/`drift` exit with `status`; every call's arguments go to `calls`.
    fn stand_in(&mut self, affected_json: &str, status: i32) -> &mut Self {
        let script = self.dir.path().join("paved-standin");
        std::fs::write(self.dir.path().join("affected.json"), affected_json).unwrap();
        std::fs::write(
            &script,
            format!(
                "#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" >> '{calls}'\nif [ -n \"${{GITHUB_TOKEN:-}}\" ]; then echo token-set >> '{calls}'; fi\ncase \"$1\" in\n  affected) cat '{json}' ;;\n  plan|apply|drift) echo \"$1 ran\"; exit {status} ;;\n  *) exec '{real}' \"$@\" ;;\nesac\n",
                calls = self.dir.path().join("calls").display(),
                json = self.dir.path().join("affected.json").display(),
                real = paved(),
            ),
        )
        .unwrap();
        Command::new("chmod").arg("+x").arg(&script).status().unwrap();
        self.bin = script.display().to_string();
        self
    }

    fn run(&self) -> Output {
        let mut cmd = Command::new("bash");
        cmd.arg(root().join("ci/github/entrypoint.sh")).current_dir(self.repo());
        clear_ci_env(&mut cmd);
        cmd.env("PAVED_BIN", &self.bin);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn outputs(&self) -> BTreeMap<String, String> {
        parse_outputs(&std::fs::read_to_string(self.dir.path().join("outputs")).unwrap())
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("summary")).unwrap()
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("calls")).unwrap_or_default().lines().map(String::from).collect()
    }
}

/// Reads `$GITHUB_OUTPUT` as the runner does: `name=value` lines and `name<<DELIM` blocks.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delim)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            out.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_string(), value.to_string());
        } else {
            panic!("malformed output line {line:?}");
        }
    }
    out
}

#[test]
fn validate_writes_annotations_sarif_summary_and_outputs() {
    let mut job = Job::new();
    std::fs::write(job.repo().join("paved.yaml"), "bogus: 1\n").unwrap();
    job.set("INPUT_COMMAND", "validate").set("INPUT_FORMAT", "human");
    let out = job.run();
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    let log = stdout(&out);
    let annotation = log.lines().find(|l| l.starts_with("::error ")).expect("an annotation");
    assert!(annotation.starts_with("::error file=paved.yaml,line=1,col=1,"), "{annotation}");
    assert!(annotation.contains("title=config/invalid::"));
    assert!(log.contains("error[config/invalid]"), "the human rendering is in the log");

    let o = job.outputs();
    assert_eq!(o["error-count"], "1");
    assert_eq!(o["exit-code"], "1");
    let sarif: Value = serde_json::from_slice(&std::fs::read(&o["sarif-file"]).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "config/invalid");
    assert!(o["sarif-file"].starts_with(&job.env.iter().find(|(k, _)| k == "RUNNER_TEMP").unwrap().1));

    let summary = job.summary();
    assert!(summary.starts_with("## paved validate\n"), "{summary}");
    assert!(summary.contains("`config/invalid`"));
}

#[test]
fn a_clean_validation_exits_0_with_no_errors() {
    let mut job = Job::new();
    job.set("INPUT_COMMAND", "validate").set("INPUT_FORMAT", "github");
    let out = job.run();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stdout(&out).contains("::error"));
    let o = job.outputs();
    assert_eq!(o["error-count"], "0");
    assert_eq!(o["exit-code"], "0");
    assert!(job.summary().contains("✅ **0 errors, 0 warnings**"));
}

#[test]
fn an_explicit_config_is_passed_on() {
    let mut job = Job::new();
    std::fs::write(job.repo().join("strict.yaml"), "nonsense: true\n").unwrap();
    job.set("INPUT_COMMAND", "validate").set("INPUT_CONFIG", "strict.yaml");
    let out = job.run();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(job.outputs()["error-count"], "1");
}

/// paved's shape: Atmos's items under `affected`, catalog changes beside them.
const AFFECTED: &str = r#"{"affected": [
  {"component": "vpc", "component_type": "terraform", "component_path": "components/terraform/vpc",
   "stack": "plat-ue2-dev", "stack_slug": "plat-ue2-dev-vpc", "affected": "stack.vars", "affected_all": ["stack.vars"]},
  {"component": "eks/cluster", "component_type": "terraform", "component_path": "components/terraform/eks/cluster",
   "stack": "plat-ue2-dev", "stack_slug": "plat-ue2-dev-eks-cluster", "affected": "component", "affected_all": ["component", "stack.vars"]}
], "catalog": [
  {"ref": "group:default/platform", "change": "modified", "file": "catalog/groups.yaml", "fields": ["spec"],
   "components": [{"stack": "plat-ue2-dev", "component": "vpc", "stack_slug": "plat-ue2-dev-vpc"}]}
]}"#;

/// upstream: main A-B, feature A-C. The job's clone has only `feature`, as actions/checkout
/// leaves it; the entrypoint fetches main and diffs against the fork point A.
fn pull_request_clone(job: &mut Job) -> String {
    let upstream = job.dir.path().join("upstream");
    std::fs::create_dir(&upstream).unwrap();
    git(&upstream, &["init", "-q"]);
    std::fs::write(upstream.join("a"), "a").unwrap();
    git(&upstream, &["add", "a"]);
    git(&upstream, &["commit", "-qm", "A"]);
    let fork_point = git(&upstream, &["rev-parse", "HEAD"]);
    git(&upstream, &["checkout", "-qb", "feature"]);
    std::fs::write(upstream.join("c"), "c").unwrap();
    git(&upstream, &["add", "c"]);
    git(&upstream, &["commit", "-qm", "C"]);
    git(&upstream, &["checkout", "-q", "main"]);
    std::fs::write(upstream.join("b"), "b").unwrap();
    git(&upstream, &["add", "b"]);
    git(&upstream, &["commit", "-qm", "B"]);
    std::fs::remove_dir(job.repo()).unwrap();
    git(job.dir.path(), &["clone", "-q", "--single-branch", "--branch", "feature", upstream.to_str().unwrap(), "repo"]);
    fork_point
}

#[test]
fn affected_on_a_pull_request_diffs_against_the_fork_point() {
    let mut job = Job::new();
    let fork_point = pull_request_clone(&mut job);
    let event = job.dir.path().join("event.json");
    std::fs::write(&event, r#"{"pull_request": {"number": 5, "head": {"sha": "x"}}}"#).unwrap();
    job.stand_in(AFFECTED, 0)
        .set("INPUT_COMMAND", "affected")
        .set("GITHUB_EVENT_NAME", "pull_request")
        .set("GITHUB_BASE_REF", "main")
        .set("GITHUB_HEAD_REF", "feature")
        .set("GITHUB_EVENT_PATH", event.to_str().unwrap());
    let out = job.run();
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    let calls = job.calls();
    assert!(calls.contains(&format!("affected --base {fork_point} --format json")), "{calls:?}");

    let o = job.outputs();
    assert_eq!(o["has-affected"], "true");
    let affected: Value = serde_json::from_str(&o["affected"]).unwrap();
    assert_eq!(affected["affected"].as_array().unwrap().len(), 2);
    let matrix: Value = serde_json::from_str(&o["matrix"]).unwrap();
    let include = matrix["include"].as_array().unwrap();
    assert_eq!(include.len(), 2);
    // Sorted by stack slug.
    assert_eq!(include[0]["component"], "eks/cluster");
    assert_eq!(include[0]["component_path"], "components/terraform/eks/cluster");
    assert_eq!(include[1]["stack"], "plat-ue2-dev");

    let summary = job.summary();
    assert!(summary.contains("**2 components** in **1 stack**"), "{summary}");
    assert!(summary.contains("| `plat-ue2-dev` | `eks/cluster` | component, stack.vars |"), "{summary}");
    assert!(
        summary.contains("| `group:default/platform` | modified | `catalog/groups.yaml` | `vpc` in `plat-ue2-dev` |"),
        "{summary}"
    );
}

#[test]
fn affected_on_a_push_diffs_against_before_and_explicit_refs_win() {
    let mut job = Job::new();
    git(&job.repo(), &["init", "-q"]);
    git(&job.repo(), &["commit", "-q", "--allow-empty", "-m", "one"]);
    let before = git(&job.repo(), &["rev-parse", "HEAD"]);
    git(&job.repo(), &["commit", "-q", "--allow-empty", "-m", "two"]);
    let event = job.dir.path().join("event.json");
    std::fs::write(&event, format!(r#"{{"before": "{before}"}}"#)).unwrap();
    job.stand_in("[]", 0)
        .set("INPUT_COMMAND", "affected")
        .set("GITHUB_EVENT_NAME", "push")
        .set("GITHUB_REF", "refs/heads/main")
        .set("GITHUB_EVENT_PATH", event.to_str().unwrap());
    let out = job.run();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(job.calls()[1], format!("affected --base {before} --format json"));
    let o = job.outputs();
    assert_eq!(o["has-affected"], "false");
    assert_eq!(o["matrix"], r#"{"include":[]}"#);
    assert!(job.summary().contains("No component is affected"));

    let mut job2 = Job::new();
    job2.stand_in("[]", 0).set("INPUT_COMMAND", "affected").set("INPUT_BASE_REF", "v1").set("INPUT_HEAD_REF", "v2");
    let out = job2.run();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(job2.calls()[0], "affected --base v1 --head v2 --format json");
}

#[test]
fn plan_passes_stack_component_and_args_and_keeps_the_token_out_of_the_log() {
    let mut job = Job::new();
    job.stand_in("[]", 1)
        .set("INPUT_COMMAND", "plan")
        .set("INPUT_STACK", "plat-ue2-dev")
        .set("INPUT_COMPONENT", "eks/cluster")
        .set("INPUT_CONFIG", "paved.yaml")
        .set("INPUT_ARGS", "--dry-run\n--label\nsome value\n")
        .set("INPUT_GITHUB_TOKEN", "ghs_secretvalue123");
    let out = job.run();
    assert_eq!(out.status.code(), Some(1), "paved's exit status is the step's");
    assert_eq!(
        job.calls(),
        [
            "plan --config paved.yaml --stack plat-ue2-dev --component eks/cluster --dry-run --label some value",
            "token-set"
        ]
    );
    let o = job.outputs();
    assert_eq!(o["exit-code"], "1");
    let summary = job.summary();
    assert!(summary.contains("## paved plan") && summary.contains("found problems"), "{summary}");
    for text in [stdout(&out), stderr(&out), summary, std::fs::read_to_string(job.dir.path().join("outputs")).unwrap()]
    {
        assert!(!text.contains("ghs_secretvalue123"));
    }
}

#[test]
fn an_unknown_command_is_a_usage_error() {
    let mut job = Job::new();
    job.set("INPUT_COMMAND", "destroy-everything");
    let out = job.run();
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("::error title=paved::unknown command 'destroy-everything'"));
    assert_eq!(job.outputs()["exit-code"], "2");
}

/// A value holding a line that looks like another output cannot set it.
#[test]
fn output_values_cannot_forge_other_outputs() {
    let mut job = Job::new();
    let evil = r#"[{"component": "x\nhas-affected<<EOF\nfalse\nEOF", "stack": "s"}]"#;
    job.stand_in(evil, 0).set("INPUT_COMMAND", "affected").set("INPUT_BASE_REF", "b");
    let out = job.run();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let o = job.outputs();
    assert_eq!(o["has-affected"], "true");
    assert!(o["affected"].contains("has-affected<<EOF"));
}

/// The Action on the bundled examples, with one descriptor broken: the annotation, the SARIF
/// result and the summary point at the broken line.
#[test]
fn validate_on_the_examples_points_at_the_broken_descriptor() {
    let mut job = Job::new();
    let copy = Command::new("cp").arg("-R").arg(root().join("examples/.")).arg(job.repo()).status().unwrap();
    assert!(copy.success());
    let file = "catalog/services/billing-service/catalog-info.yaml";
    let path = job.repo().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("  name: billing-service\n", "  name: Billing Service!\n", 1)).unwrap();
    job.set("INPUT_COMMAND", "validate");
    let out = job.run();
    assert_eq!(out.status.code(), Some(1), "{}\n{}", stdout(&out), stderr(&out));
    let log = stdout(&out);
    let annotation = log
        .lines()
        .find(|l| l.starts_with("::error ") && l.contains(&format!("file={file},line=4,")))
        .unwrap_or_else(|| panic!("no annotation on {file}:4 in\n{log}"));
    assert!(annotation.contains("col=9"), "{annotation}");
    let o = job.outputs();
    assert!(o["error-count"].parse::<u32>().unwrap() >= 1);
    let sarif: Value = serde_json::from_slice(&std::fs::read(&o["sarif-file"]).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == file));
    assert!(job.summary().contains(&format!("`{file}:4`")));
}

/// The real `paved affected` on a repository made from the examples: a pull request that
/// edits a catalog entity and a variable every stack's vpc inherits. The Action's matrix holds
/// each stack's vpc; its outputs and summary carry the catalog change too.
#[test]
fn affected_on_the_examples_with_the_real_binary() {
    let mut job = Job::new();
    let repo = job.repo();
    let copy = Command::new("cp").arg("-R").arg(root().join("examples/.")).arg(&repo).status().unwrap();
    assert!(copy.success());
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "base"]);
    let base = git(&repo, &["rev-parse", "HEAD"]);
    git(&repo, &["checkout", "-qb", "feature"]);
    let file = "catalog/services/billing-service/catalog-info.yaml";
    let text = std::fs::read_to_string(repo.join(file)).unwrap();
    std::fs::write(repo.join(file), text.replacen("  title: Billing service\n", "  title: Billing\n", 1)).unwrap();
    let vpc = repo.join("stacks/catalog/vpc/defaults.yaml");
    let text = std::fs::read_to_string(&vpc).unwrap();
    std::fs::write(&vpc, text.replacen("max_subnet_count: 3\n", "max_subnet_count: 2\n", 1)).unwrap();
    git(&repo, &["commit", "-qam", "retitle billing, fewer subnets"]);
    job.set("INPUT_COMMAND", "affected").set("INPUT_BASE_REF", &base);
    let out = job.run();
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    let o = job.outputs();
    let affected: Value = serde_json::from_str(&o["affected"]).unwrap();
    assert_eq!(affected["catalog"][0]["ref"], "component:default/billing-service");
    assert_eq!(affected["catalog"][0]["change"], "modified");
    let items = affected["affected"].as_array().unwrap();
    assert!(!items.is_empty() && items.iter().all(|i| i["component"] == "vpc" && i["deleted"] != true));
    assert_eq!(o["has-affected"], "true");
    let matrix: Value = serde_json::from_str(&o["matrix"]).unwrap();
    let include = matrix["include"].as_array().unwrap();
    assert_eq!(include.len(), items.len());
    for (entry, item) in include.iter().zip(items) {
        assert_eq!(entry["stack"], item["stack"]);
        assert_eq!(entry["component"], "vpc");
        assert_eq!(entry["component_path"], "components/terraform/vpc");
    }
    let summary = job.summary();
    assert!(summary.contains(&format!("| `component:default/billing-service` | modified | `{file}` |")), "{summary}");
    assert!(summary.contains(&format!("**{} components**", items.len())), "{summary}");
    assert!(summary.contains("| `plat-ue2-dev` | `vpc` | stack.vars |"), "{summary}");
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let mut job = Job::new();
    job.set("INPUT_COMMAND", "validate").set("INPUT_FORMAT", "xml");
    let out = job.run();
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("::error title=paved::unknown format 'xml'"));
    assert_eq!(job.outputs()["exit-code"], "2");
}

/// paved affected that prints something other than affected JSON fails the step.
#[test]
fn unreadable_affected_output_fails_the_step() {
    let mut job = Job::new();
    job.stand_in("not json", 0).set("INPUT_COMMAND", "affected").set("INPUT_BASE_REF", "b");
    let out = job.run();
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).contains("::error title=paved::cannot read the output of paved affected"));
    assert!(!job.outputs().contains_key("has-affected"));
}

/// drift: exit 2 is "drift found" (has-drift, no failure annotation), 1 is errors; paved's own
/// table goes into the job summary.
#[test]
fn drift_reports_drift_as_an_output_and_errors_as_a_failure() {
    for (status, has_drift, annotated) in [(0, "false", false), (2, "true", false), (1, "false", true)] {
        let mut job = Job::new();
        job.stand_in("[]", status).set("INPUT_COMMAND", "drift").set("INPUT_ARGS", "--repo\nplatform\n");
        let out = job.run();
        assert_eq!(out.status.code(), Some(status), "{}", stderr(&out));
        let summary_file = job.dir.path().join("summary").display().to_string();
        assert_eq!(job.calls()[0], format!("drift --summary {summary_file} --repo platform"));
        let o = job.outputs();
        assert_eq!((o["has-drift"].as_str(), o["exit-code"].as_str()), (has_drift, status.to_string().as_str()));
        assert_eq!(stdout(&out).contains("::error title=paved::paved drift: errors"), annotated, "{}", stdout(&out));
    }
}

/// The real binary: `paved drift --dry-run` through the action on the examples.
#[test]
fn drift_on_the_examples_with_the_real_binary() {
    let mut job = Job::new();
    let repo = job.repo();
    let copy = Command::new("cp").arg("-R").arg(root().join("examples/.")).arg(&repo).status().unwrap();
    assert!(copy.success());
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "base"]);
    job.set("INPUT_COMMAND", "drift").set("INPUT_STACK", "plat-ue2-dev").set("INPUT_ARGS", "--dry-run\n");
    let out = job.run();
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("atmos terraform plan vpc -s plat-ue2-dev -input=false -detailed-exitcode"));
    assert_eq!(job.outputs()["has-drift"], "false");
    let summary = job.summary();
    assert!(
        summary.contains("## paved drift: no drift") && summary.contains("| ⏭️ skipped | `plat-ue2-dev` | `vpc` |"),
        "{summary}"
    );
}
