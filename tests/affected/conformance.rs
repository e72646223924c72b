//! Atmos's own describe-affected scenario (from ../shared/conformance/atmos): BASE has
//! `stacks-affected/` as its stacks folder, HEAD has `stacks/`. Built into a git repository
//! (two commits) and compared through `paved affected`, against the items Atmos produced.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::repo_support::copy_dir;
use crate::support::TestRepo;

const SCENARIO: &str = "atmos-describe-affected-with-dependents-and-locked";

fn conformance_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PAVED_ATMOS_CONFORMANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/atmos"));
    dir.join("scenarios").join(SCENARIO).is_dir().then_some(dir)
}

/// The repository: the scenario under `scenarios/<name>` (its atmos.yaml reaches the shared
/// mock component through `../../components/terraform`), with the chosen stacks folder.
fn build(conf: &Path) -> (TestRepo, String, String) {
    let t = TestRepo::new();
    let scen = conf.join("scenarios").join(SCENARIO);
    let dest = t.path().join("scenarios").join(SCENARIO);
    copy_dir(&conf.join("components/terraform/mock"), &t.path().join("components/terraform/mock"));
    std::fs::create_dir_all(&dest).unwrap();
    std::fs::copy(scen.join("atmos.yaml"), dest.join("atmos.yaml")).unwrap();
    t.write("paved.yaml", &format!("stacks:\n  path: scenarios/{SCENARIO}\n"));
    copy_dir(&scen.join("stacks-affected"), &dest.join("stacks"));
    let base = t.commit("base: stacks-affected");
    std::fs::remove_dir_all(dest.join("stacks")).unwrap();
    copy_dir(&scen.join("stacks"), &dest.join("stacks"));
    let head = t.commit("head: stacks");
    (t, base, head)
}

/// Drops `component_path` everywhere (the data set says to) and sorts the top level by
/// `stack_slug` (Atmos does not sort it).
fn normalize(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("component_path");
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    if let Value::Array(a) = &mut v {
        a.sort_by(|x, y| x["stack_slug"].as_str().cmp(&y["stack_slug"].as_str()));
    }
    v
}

fn case(id: &str, flags: &[&str]) {
    let Some(conf) = conformance_dir() else {
        eprintln!("skipped: no conformance data set");
        return;
    };
    let (t, base, head) = build(&conf);
    let mut args = vec!["--base", base.as_str(), "--head", head.as_str(), "--include-settings"];
    args.extend_from_slice(flags);
    let got = crate::catalog::affected(&t, &args);
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(conf.join(format!("expected/{id}.json"))).unwrap()).unwrap();
    assert_eq!(normalize(got["affected"].clone()), normalize(expected), "case {id}");
}

#[test]
fn affected_templates_on() {
    case("affected-templates-on", &[]);
}

#[test]
fn affected_exclude_locked() {
    case("affected-exclude-locked", &["--exclude-locked"]);
}

#[test]
fn affected_include_dependents() {
    case("affected-include-dependents", &["--include-dependents"]);
}
