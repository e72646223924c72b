//! `paved policy test`: runs the `test_*` rules of `*_test.rego` files as `opa test` does. A
//! test passes when its rule is defined and true.

use std::time::{Duration, Instant};

use serde_json::Value as Json;

use super::compile::PolicySet;
use super::eval::timer;
use super::files::{PolicyFile, is_test_path};
use crate::report::Diagnostic;

/// How one test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// Undefined or not `true`.
    Fail,
    /// The evaluation itself failed (a runtime error or the timeout).
    Error(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    pub file: String,
    /// `data.<package>.<rule>`.
    pub name: String,
    pub outcome: Outcome,
    pub duration: Duration,
}

/// All results, plus files that did not compile.
#[derive(Debug, Default)]
pub struct TestRun {
    pub results: Vec<TestResult>,
    pub diagnostics: Vec<Diagnostic>,
}

impl TestRun {
    pub fn passed(&self) -> bool {
        self.diagnostics.is_empty() && self.results.iter().all(|r| r.outcome == Outcome::Pass)
    }
}

/// Compiles `files` (policies and tests together, as `opa test DIR` does), adds `data`, and
/// evaluates each `test_*` rule of the test files, each with `timeout`.
pub fn run_tests(files: &[PolicyFile], data: Json, timeout: Duration) -> TestRun {
    let (set, diagnostics) = PolicySet::compile(files);
    let mut engine = set.engine().clone();
    engine.set_execution_timer_config(timer(timeout));
    let mut run = TestRun { results: Vec::new(), diagnostics };
    if let Err(e) = engine.add_data(regorus::Value::from(data)) {
        run.diagnostics.push(Diagnostic::error(super::rules::DATA_INVALID, e.to_string()));
        return run;
    }
    let packages = engine.get_policy_package_components().unwrap_or_default();
    for f in files.iter().filter(|f| is_test_path(f.path.as_str())) {
        let Some(pkg) = packages.iter().find(|p| p.source_file == f.path.as_str()) else { continue };
        let package = pkg.components.join(".");
        for name in test_names(&f.text) {
            let path = format!("data.{package}.{name}");
            let start = Instant::now();
            let outcome = match engine.eval_rule(path.clone()) {
                Ok(regorus::Value::Bool(true)) => Outcome::Pass,
                Ok(_) => Outcome::Fail,
                Err(e) => Outcome::Error(super::compile::short(&e.to_string())),
            };
            run.results.push(TestResult { file: f.path.to_string(), name: path, outcome, duration: start.elapsed() });
        }
    }
    run
}

/// Names of the top-level `test_*` rules, in order, once each. Rules start at column 1 in
/// every formatted policy (`opa fmt` writes them so), which keeps this lexical.
fn test_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("test_") else { continue };
        let ident: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let name = format!("test_{ident}");
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Text for people: one line per test, then a summary.
pub fn render(run: &TestRun, verbose: bool) -> String {
    let mut out = String::new();
    for d in &run.diagnostics {
        out.push_str(&format!("{}:{}:{}: {}: {}\n", d.file, d.line, d.column, d.rule, d.message));
    }
    for r in &run.results {
        let (word, detail) = match &r.outcome {
            Outcome::Pass if !verbose => continue,
            Outcome::Pass => ("PASS", String::new()),
            Outcome::Fail => ("FAIL", String::new()),
            Outcome::Error(e) => ("ERROR", format!(": {e}")),
        };
        out.push_str(&format!("{word} {}: {} ({:.1?}){detail}\n", r.file, r.name, r.duration));
    }
    let pass = run.results.iter().filter(|r| r.outcome == Outcome::Pass).count();
    let fail = run.results.iter().filter(|r| r.outcome == Outcome::Fail).count();
    let error = run.results.len() - pass - fail;
    out.push_str(&format!(
        "{pass} passed, {fail} failed, {error} errors, {} files not compiled\n",
        run.diagnostics.len()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "package paved.catalog.tags\n\nimport rego.v1\n\ndeny contains \"too many tags\" if count(input.metadata.tags) > 2\n";
    const TESTS: &str = "package paved.catalog.tags_test\n\nimport rego.v1\n\nimport data.paved.catalog.tags\n\ntest_many_tags_denied if {\n\ttags.deny with input as {\"metadata\": {\"tags\": [\"a\", \"b\", \"c\"]}}\n}\n\ntest_few_tags_allowed if {\n\tcount(tags.deny) == 0 with input as {\"metadata\": {\"tags\": []}}\n}\n\ntest_wrong_expectation if {\n\tcount(tags.deny) == 1 with input as {\"metadata\": {\"tags\": []}}\n}\n";

    #[test]
    fn runs_test_rules_like_opa_test() {
        let files = vec![PolicyFile::new("p/tags.rego", POLICY), PolicyFile::new("p/tags_test.rego", TESTS)];
        let run = run_tests(&files, Json::Object(Default::default()), Duration::from_secs(5));
        assert!(run.diagnostics.is_empty(), "{:?}", run.diagnostics);
        let got: Vec<(&str, &Outcome)> = run.results.iter().map(|r| (r.name.as_str(), &r.outcome)).collect();
        assert_eq!(
            got,
            [
                ("data.paved.catalog.tags_test.test_many_tags_denied", &Outcome::Pass),
                ("data.paved.catalog.tags_test.test_few_tags_allowed", &Outcome::Pass),
                ("data.paved.catalog.tags_test.test_wrong_expectation", &Outcome::Fail),
            ]
        );
        assert!(!run.passed());
        let text = render(&run, false);
        assert!(text.contains("FAIL p/tags_test.rego: data.paved.catalog.tags_test.test_wrong_expectation"), "{text}");
        assert!(text.ends_with("2 passed, 1 failed, 0 errors, 0 files not compiled\n"), "{text}");
    }
}
