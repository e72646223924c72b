use serde_json::json;

use super::*;
use crate::policy::{EvalOptions, Origin, Subject, evaluate};

fn subject(scope: Scope, target: &str, input: serde_json::Value) -> Subject {
    Subject {
        scope,
        target: target.into(),
        input: input.into(),
        origin: Origin { file: "c.yaml".into(), ..Default::default() },
    }
}

const OWNER: &str = r#"package paved.catalog.ownership

import rego.v1

deny contains {"msg": sprintf("%s has no owner", [input.metadata.name]), "path": "/spec", "id": "owner-required"} if {
    not input.spec.owner
}

warn contains msg if {
    owner := input.spec.owner
    not data.paved.catalog.entities[sprintf("group:default/%s", [owner])]
    msg := sprintf("owner %s is not a known group", [owner])
}
"#;

const ATMOS_V0: &str = r#"package atmos

errors["'service_1_name' variable length must be greater than 10 chars"] {
    count(input.vars.service_1_name) <= 10
}
"#;

#[test]
fn v1_and_v0_modules_load_and_entries_follow_packages() {
    let files = vec![
        PolicyFile::new("policies/owner.rego", OWNER),
        PolicyFile::new("policies/atmos.rego", ATMOS_V0),
        PolicyFile::new(
            "policies/lib.rego",
            "package paved.lib\n\nimport rego.v1\n\nis_prod(e) if e.spec.lifecycle == \"production\"\n",
        ),
    ];
    let (set, diags) = PolicySet::compile(&files);
    assert!(diags.is_empty(), "{diags:?}");
    let names: Vec<String> = set.entries().iter().map(|e| e.rule_id()).collect();
    assert_eq!(names, ["policy/paved.catalog.ownership/deny", "policy/paved.catalog.ownership/warn"]);
    assert_eq!(set.entries()[0].scope, Scope::Catalog);
}

#[test]
fn syntax_errors_point_at_their_line_and_the_rest_still_runs() {
    let files = vec![
        PolicyFile::new("policies/owner.rego", OWNER),
        PolicyFile::new(
            "policies/broken.rego",
            "package paved.catalog.broken\n\nimport rego.v1\n\ndeny contains msg if {\n  msg := \n}\n",
        ),
        PolicyFile::new(
            "policies/unsafe.rego",
            "package paved.stacks.unsafe\n\nimport rego.v1\n\ndeny contains msg if {\n  x == 1\n}\n",
        ),
    ];
    let (set, diags) = PolicySet::compile(&files);
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert_eq!(diags[0].file, "policies/broken.rego");
    assert_eq!(diags[0].rule, rules::SYNTAX);
    assert!(diags[0].line >= 6, "{diags:?}");
    assert_eq!(diags[1].file, "policies/unsafe.rego");
    assert!(diags[1].line > 0, "{diags:?}");
    assert_eq!(set.entries().len(), 2);
}

#[test]
fn data_and_rules_share_the_paved_catalog_package() {
    let (set, diags) = PolicySet::compile(&[PolicyFile::new("policies/owner.rego", OWNER)]);
    assert!(diags.is_empty());
    let data = json!({"paved": {"catalog": {"entities": {"group:default/team-a": {"kind": "Group"}}}}});
    let bound = set.bind(data, EvalOptions::default()).unwrap();
    let subjects = vec![
        subject(Scope::Catalog, "component:default/a", json!({"metadata": {"name": "a"}, "spec": {}})),
        subject(Scope::Catalog, "component:default/b", json!({"metadata": {"name": "b"}, "spec": {"owner": "team-a"}})),
        subject(Scope::Catalog, "component:default/c", json!({"metadata": {"name": "c"}, "spec": {"owner": "ghosts"}})),
        subject(Scope::Stacks, "s/c", json!({})),
    ];
    let out = evaluate(&bound, &subjects);
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    let got: Vec<(String, String, String)> =
        out.findings.iter().map(|d| (d.rule.clone(), d.message.clone(), d.entity.clone().unwrap())).collect();
    assert_eq!(
        got,
        [
            ("policy/owner-required".into(), "a has no owner".into(), "component:default/a".into()),
            (
                "policy/paved.catalog.ownership/warn".into(),
                "owner ghosts is not a known group".into(),
                "component:default/c".into()
            ),
        ]
    );
}

#[test]
fn a_slow_policy_times_out_and_the_others_still_run() {
    let slow = "package paved.catalog.slow\n\nimport rego.v1\n\ndeny contains \"never\" if {\n  count([x | some a in numbers.range(1, 3000); some b in numbers.range(1, 3000); x := a * b]) < 0\n}\n";
    let (set, diags) = PolicySet::compile(&[
        PolicyFile::new("policies/owner.rego", OWNER),
        PolicyFile::new("policies/slow.rego", slow),
    ]);
    assert!(diags.is_empty(), "{diags:?}");
    let opts = EvalOptions { timeout: std::time::Duration::from_millis(50), max_messages: 10 };
    let bound = set.bind(json!({}), opts).unwrap();
    let subjects: Vec<Subject> = (0..5)
        .map(|i| {
            subject(Scope::Catalog, &format!("component:default/x{i}"), json!({"metadata": {"name": "x"}, "spec": {}}))
        })
        .collect();
    let t = std::time::Instant::now();
    let out = evaluate(&bound, &subjects);
    assert!(t.elapsed() < std::time::Duration::from_secs(5), "{:?}", t.elapsed());
    assert_eq!(out.findings.len(), 5);
    assert!(!out.problems.is_empty() && out.problems.len() <= 4, "{:?}", out.problems);
    assert!(out.problems.iter().all(|d| d.rule == rules::TIMEOUT), "{:?}", out.problems);
}

#[test]
fn non_string_messages_are_reported() {
    let odd = "package paved.stacks.odd\n\nimport rego.v1\n\ndeny contains 42 if true\n\nwarn contains {\"msg\": {\"nested\": true}} if true\n";
    let (set, diags) = PolicySet::compile(&[PolicyFile::new("policies/odd.rego", odd)]);
    assert!(diags.is_empty(), "{diags:?}");
    let bound = set.bind(json!({}), EvalOptions::default()).unwrap();
    let out = evaluate(&bound, &[subject(Scope::Stacks, "dev/vpc", json!({}))]);
    assert!(out.findings.is_empty());
    assert_eq!(out.problems.len(), 2, "{:?}", out.problems);
    assert!(out.problems.iter().all(|d| d.rule == rules::BAD_MESSAGE && d.file == "c.yaml"));
}

#[test]
fn error_locations_are_read_from_regorus_text() {
    let t = "\n--> policies/a.rego:7:3\n  |\n7 |   msg :=\n  |   ^\nerror: unexpected token";
    assert_eq!(error_location(t), Some(("policies/a.rego".into(), 7, 3)));
    assert_eq!(short(t), "unexpected token");
}

#[test]
fn atmos_v0_policies_with_in_compile() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/conformance/atmos/scenarios/complete/stacks/schemas/opa");
    let Ok(text) = std::fs::read_to_string(dir.join("examples/example1.rego")) else { return };
    let (_, diags) = PolicySet::compile(&[PolicyFile::new("example1.rego", text)]);
    assert!(diags.is_empty(), "{diags:?}");
}

fn packages(engine: &Engine) -> Vec<String> {
    let mut names: Vec<String> =
        engine.get_policy_package_components().unwrap().into_iter().map(|p| p.components.join(".")).collect();
    names.sort();
    names
}

#[test]
fn per_item_scopes_get_engines_without_the_other_scopes_packages_unless_named() {
    let files = vec![
        PolicyFile::new("policies/lib.rego", "package paved.lib.util\n\nimport rego.v1\n\ndouble(x) := x * 2\n"),
        PolicyFile::new(
            "policies/limits.rego",
            "package paved.stacks.limits\n\nimport rego.v1\n\nmax_replicas := 3\n\ndeny contains \"too many\" if input.replicas > max_replicas\n",
        ),
        PolicyFile::new(
            "policies/regions.rego",
            "package paved.stacks.regions\n\nimport rego.v1\n\ndeny contains \"region\" if input.region == \"mars\"\n",
        ),
        PolicyFile::new(
            "policies/replicas.rego",
            "package paved.catalog.replicas\n\nimport data.paved.lib.util\nimport rego.v1\n\n# Reads a rule of a stacks package, so that package stays in the catalog's engine.\ndeny contains \"over the stacks limit\" if util.double(input.spec.replicas) > data.paved.stacks.limits.max_replicas\n",
        ),
        PolicyFile::new(
            "policies/quota.rego",
            "package paved.tenants.quota\n\nimport rego.v1\n\ndeny contains \"quota\" if count(input.components) > 100\n",
        ),
    ];
    let (set, diags) = PolicySet::compile(&files);
    assert!(diags.is_empty(), "{diags:?}");
    let engines = set.scoped_engines(&[Scope::Catalog, Scope::Stacks, Scope::Tenants]);
    let scoped = |scope| engines.iter().find(|(s, _)| *s == scope).map(|(_, e)| packages(e));
    assert_eq!(
        scoped(Scope::Catalog).unwrap(),
        ["paved.catalog.replicas", "paved.lib.util", "paved.stacks.limits"],
        "the named stacks package stays; the other one and the tenants package go"
    );
    assert_eq!(scoped(Scope::Stacks).unwrap(), ["paved.lib.util", "paved.stacks.limits", "paved.stacks.regions"]);
    assert_eq!(scoped(Scope::Tenants), None, "evaluated a few times: the full engine does");
    assert_eq!(packages(&set.engine).len(), 5);

    let bound = set.bind_scoped(json!({}).into(), EvalOptions::default(), &[Scope::Catalog, Scope::Stacks]).unwrap();
    assert_eq!(bound.engine_for(Scope::Catalog).get_policy_package_components().unwrap().len(), 3);
    let out = evaluate(
        &bound,
        &[
            subject(Scope::Catalog, "component:default/a", json!({"spec": {"replicas": 2}})),
            subject(Scope::Catalog, "component:default/b", json!({"spec": {"replicas": 1}})),
            subject(Scope::Stacks, "dev/eks", json!({"replicas": 4, "region": "mars"})),
            subject(Scope::Tenants, "plat", json!({"components": []})),
        ],
    );
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    let mut found: Vec<(String, String)> =
        out.findings.iter().map(|d| (d.entity.clone().unwrap_or_default(), d.message.clone())).collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("component:default/a".into(), "over the stacks limit".into()),
            ("dev/eks".into(), "region".into()),
            ("dev/eks".into(), "too many".into()),
        ]
    );
}

#[test]
fn a_package_is_named_by_its_path_or_by_a_root_above_it() {
    let regions = ["paved".to_string(), "stacks".to_string(), "regions".to_string()];
    assert!(names_package("x := data.paved.stacks.regions.deny", &regions));
    assert!(names_package("import data.paved.stacks\n", &regions));
    assert!(names_package("some p in data.paved.stacks[name]", &regions));
    assert!(names_package("walk(data.paved, x)", &regions));
    assert!(!names_package("some s in data.paved.stacks.stacks", &regions));
    assert!(!names_package("import data.paved.lib.stacks\n", &regions));
    assert!(!names_package("data.paved.stacks_extra.x", &regions));
}

/// Items come back in the order given, then the aggregates in theirs, however many threads
/// evaluate them and wherever the aggregates stand in the list.
#[test]
fn findings_keep_their_order_whatever_the_pool() {
    let files = [
        PolicyFile::new(
            "policies/all.rego",
            "package paved.catalog.all\n\nimport rego.v1\n\ndeny contains input.name\n",
        ),
        PolicyFile::new("policies/q.rego", "package paved.tenants.q\n\nimport rego.v1\n\ndeny contains input.tenant\n"),
    ];
    let (set, diags) = PolicySet::compile(&files);
    assert!(diags.is_empty(), "{diags:?}");
    let bound = set.bind(json!({}), EvalOptions::default()).unwrap();
    let mut subjects: Vec<Subject> =
        (0..300).map(|i| subject(Scope::Catalog, &format!("c{i}"), json!({"name": format!("c{i}")}))).collect();
    for (at, tenant) in [(0, "t1"), (150, "t2"), (302, "t3")] {
        subjects.insert(at, subject(Scope::Tenants, tenant, json!({"tenant": tenant})));
    }
    let expected: Vec<String> = (0..300).map(|i| format!("c{i}")).chain(["t1", "t2", "t3"].map(String::from)).collect();
    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let out = pool.install(|| evaluate(&bound, &subjects));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let got: Vec<String> = out.findings.iter().map(|d| d.message.clone()).collect();
        assert_eq!(got, expected, "{threads} thread(s)");
    }
    // Called from outside any pool, too.
    assert_eq!(evaluate(&bound, &subjects).findings.len(), 303);
}
