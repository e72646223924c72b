//! The stacks engine on small repositories written for one rule each: imports, merge
//! strategies, inheritance, overrides scope, naming, workspaces, backends, and bad input.

use std::collections::BTreeMap;

use paved::source::{MemorySource, RelPath};
use paved::stacks::{AtmosConfig, LoadOptions, StackSet, rules};
use serde_json::{Value as Json, json};

const ATMOS: &str = "base_path: .\nstacks:\n  base_path: stacks\n  included_paths: [\"orgs/**/*\"]\n  excluded_paths: [\"**/_defaults.yaml\"]\n  name_pattern: \"{tenant}-{stage}\"\ncomponents:\n  terraform:\n    base_path: components/terraform\n";

fn load_with(src: &MemorySource, env: &[(&str, &str)]) -> StackSet {
    let opts =
        LoadOptions { env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), ..Default::default() };
    let cfg = AtmosConfig::load(src, &RelPath::root(), &opts.env, &RelPath::root(), 1 << 20).expect("atmos.yaml");
    StackSet::load(src, cfg, opts)
}

fn load(files: &[(&str, &str)]) -> StackSet {
    let mut src = MemorySource::new().with("atmos.yaml", ATMOS);
    for (p, t) in files {
        src = src.with(p, t);
    }
    load_with(&src, &[])
}

fn describe(set: &StackSet, c: &str, s: &str) -> Json {
    set.describe(c, s).unwrap_or_else(|e| panic!("{e}; diagnostics: {:?}", set.diagnostics)).value
}

fn rules_of(set: &StackSet) -> Vec<&str> {
    set.diagnostics.iter().map(|d| d.rule.as_str()).collect()
}

const STACK_VARS: &str = "vars:\n  tenant: t\n  stage: dev\n";

#[test]
fn imports_relative_glob_extension_and_order() {
    let set = load(&[
        ("stacks/catalog/a.yaml", "vars:\n  who: a\n  a: 1\n"),
        ("stacks/catalog/b.yml", "vars:\n  who: b\n"),
        ("stacks/catalog/mixins/m1.yaml", "vars:\n  who: m1\n"),
        ("stacks/catalog/mixins/m2.yaml", "vars:\n  who: m2\n  m2: true\n"),
        ("stacks/orgs/t/_defaults.yaml", "vars:\n  tenant: t\n"),
        (
            "stacks/orgs/t/dev.yaml",
            "import:\n  - ./_defaults\n  - catalog/a\n  - catalog/b\n  - catalog/mixins/*\n  - path: catalog/missing\n    skip_if_missing: true\nvars:\n  stage: dev\ncomponents:\n  terraform:\n    c: {}\n",
        ),
    ]);
    assert!(set.diagnostics.is_empty(), "{:?}", set.diagnostics);
    let d = describe(&set, "c", "t-dev");
    // Globs expand in sorted order; the importing file wins over its imports.
    assert_eq!(d["vars"]["who"], "m2");
    assert_eq!(d["vars"]["a"], 1);
    assert_eq!(
        d["imports"],
        json!(["catalog/a", "catalog/b", "catalog/mixins/m1", "catalog/mixins/m2", "orgs/t/_defaults"])
    );
}

#[test]
fn each_file_is_parsed_once_however_often_imported() {
    let mut files = vec![("stacks/catalog/shared.yaml".to_string(), "vars:\n  shared: true\n".to_string())];
    for i in 0..20 {
        files.push((format!("stacks/orgs/s{i}.yaml"), format!("import:\n  - catalog/shared\n  - catalog/shared\nvars:\n  tenant: t{i}\n  stage: dev\ncomponents:\n  terraform:\n    c: {{}}\n")));
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let set = load(&refs);
    assert_eq!(set.stack_names().count(), 20);
    assert_eq!(set.files_read, 21, "20 manifests and one shared import");
}

#[test]
fn import_cycles_and_self_imports_show_the_chain() {
    let set = load(&[
        ("stacks/catalog/a.yaml", "import:\n  - catalog/b\n"),
        ("stacks/catalog/b.yaml", "import:\n  - catalog/a\n"),
        (
            "stacks/orgs/dev.yaml",
            &format!("import:\n  - catalog/a\n  - orgs/dev\n{STACK_VARS}components:\n  terraform:\n    c: {{}}\n"),
        ),
    ]);
    let cycle = set.diagnostics.iter().find(|d| d.rule == rules::IMPORT_CYCLE).expect("cycle reported");
    assert!(
        cycle.message.contains("stacks/catalog/a.yaml -> stacks/catalog/b.yaml -> stacks/catalog/a.yaml"),
        "{}",
        cycle.message
    );
    assert_eq!((cycle.file.as_str(), cycle.line), ("stacks/catalog/b.yaml", 2));
    assert!(rules_of(&set).contains(&rules::IMPORT_SELF));
    // The stack is still described from what could be read.
    assert!(set.describe("c", "t-dev").is_ok());
}

#[test]
fn missing_imports_and_invalid_yaml_name_both_files() {
    let set = load(&[
        ("stacks/catalog/broken.yaml", "vars:\n  a: [1, 2\n"),
        ("stacks/orgs/dev.yaml", &format!("import:\n  - catalog/broken\n  - catalog/nope\n{STACK_VARS}")),
    ]);
    let yaml = set.diagnostics.iter().find(|d| d.rule == rules::YAML).expect("yaml error");
    assert_eq!(yaml.file, "stacks/catalog/broken.yaml");
    assert!(yaml.message.contains("imported by stacks/orgs/dev.yaml"), "{}", yaml.message);
    let missing = set.diagnostics.iter().find(|d| d.rule == rules::IMPORT_NOT_FOUND).expect("missing import");
    assert_eq!((missing.file.as_str(), missing.line), ("stacks/orgs/dev.yaml", 3));
}

#[test]
fn a_glob_matching_too_many_files_is_refused() {
    let mut src = MemorySource::new().with("atmos.yaml", ATMOS);
    for i in 0..1_200 {
        src = src.with(&format!("stacks/catalog/many/f{i:04}.yaml"), "vars: {}\n");
    }
    src = src.with("stacks/orgs/dev.yaml", format!("import:\n  - catalog/many/*\n{STACK_VARS}"));
    let set = load_with(&src, &[]);
    assert!(rules_of(&set).contains(&rules::IMPORT_GLOB_TOO_BROAD), "{:?}", set.diagnostics);
    assert_eq!(set.files_read, 1, "nothing of the glob is read");
}

#[test]
fn list_merge_strategies_and_the_append_tag() {
    let base = "components:\n  terraform:\n    base:\n      metadata: {type: abstract}\n      vars:\n        l: [1, 2]\n        m: [{a: 1, b: 1}, {a: 2}]\n";
    let stack = |strategy: &str| {
        format!(
            "import:\n  - catalog/base\n{STACK_VARS}components:\n  terraform:\n    c:\n      metadata:\n        inherits: [base]\n      settings:\n        list_merge_strategy: {strategy}\n      vars:\n        l: [3]\n        m: [{{a: 9}}]\n        t: !append [x]\n"
        )
    };
    for (strategy, l, m) in [
        ("replace", json!([3]), json!([{"a": 9}])),
        ("append", json!([1, 2, 3]), json!([{"a": 1, "b": 1}, {"a": 2}, {"a": 9}])),
        ("merge", json!([1, 2]), json!([{"a": 9, "b": 1}, {"a": 2}])),
    ] {
        let set = load(&[("stacks/catalog/base.yaml", base), ("stacks/orgs/dev.yaml", &stack(strategy))]);
        let d = describe(&set, "c", "t-dev");
        assert_eq!(d["vars"]["l"], l, "{strategy}");
        assert_eq!(d["vars"]["m"], m, "{strategy}");
        assert_eq!(d["vars"]["t"], json!(["x"]));
    }
    // `!append` appends whatever the strategy.
    let set = load(&[
        ("stacks/catalog/x.yaml", "vars:\n  l: [1]\n"),
        (
            "stacks/orgs/dev.yaml",
            &format!("import: [catalog/x]\n{STACK_VARS}  l: !append [2]\ncomponents:\n  terraform:\n    c: {{}}\n"),
        ),
    ]);
    assert_eq!(describe(&set, "c", "t-dev")["vars"]["l"], json!([1, 2]));
}

#[test]
fn inheritance_order_metadata_and_errors() {
    let set = load(&[(
        "stacks/orgs/dev.yaml",
        &format!(
            "{STACK_VARS}components:\n  terraform:\n    a:\n      metadata: {{type: abstract, component: tf-a, custom: {{x: 1}}}}\n      vars: {{from: a, a: 1}}\n    b:\n      metadata: {{type: abstract, inherits: [a]}}\n      vars: {{from: b, b: 1}}\n    c:\n      metadata: {{type: abstract}}\n      vars: {{from: c, c: 1}}\n    leaf:\n      metadata: {{inherits: [b, c]}}\n      vars: {{leaf: 1}}\n    bad:\n      metadata: {{inherits: [nope]}}\n    loop1:\n      metadata: {{inherits: [loop2]}}\n    loop2:\n      metadata: {{inherits: [loop3]}}\n    loop3:\n      metadata: {{inherits: [loop2]}}\n"
        ),
    )]);
    let d = describe(&set, "leaf", "t-dev");
    assert_eq!(d["vars"]["from"], "c", "later bases win");
    assert_eq!(
        (d["vars"]["a"].clone(), d["vars"]["b"].clone(), d["vars"]["leaf"].clone()),
        (json!(1), json!(1), json!(1))
    );
    assert_eq!(d["inheritance"], json!(["c", "b", "a"]));
    assert_eq!(d["metadata"]["custom"], json!({"x": 1}), "metadata is inherited");
    assert!(d["metadata"].get("type").is_none(), "type is not");
    let msgs: Vec<&str> =
        set.diagnostics.iter().filter(|x| x.rule == rules::INHERITANCE).map(|x| x.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("'nope'")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("inheritance cycle")), "{msgs:?}");
    let i = set.instance("leaf", "t-dev").unwrap();
    assert_eq!(i.terraform_component, "tf-a", "metadata.component is inherited with the rest of metadata");
}

#[test]
fn a_1000_deep_inheritance_chain_is_a_diagnostic_not_a_crash() {
    let mut text = format!("{STACK_VARS}components:\n  terraform:\n    c0:\n      vars: {{depth: 0}}\n");
    for i in 1..1000 {
        text.push_str(&format!("    c{i}:\n      metadata:\n        inherits: [c{}]\n", i - 1));
    }
    let set = load(&[("stacks/orgs/dev.yaml", &text)]);
    assert!(set.diagnostics.iter().any(|d| d.message.contains("deeper than")), "{:?}", set.diagnostics.first());
    assert_eq!(describe(&set, "c10", "t-dev")["vars"]["depth"], 0);
}

#[test]
fn overrides_reach_only_the_file_and_its_imports() {
    let set = load(&[
        ("stacks/catalog/c1.yaml", "components:\n  terraform:\n    c1:\n      vars: {x: base, y: base}\n"),
        ("stacks/catalog/c2.yaml", "components:\n  terraform:\n    c2:\n      vars: {x: base}\n"),
        ("stacks/teams/t1.yaml", "import: [catalog/c1]\nterraform:\n  overrides:\n    vars: {x: team1, y: team1}\n"),
        (
            "stacks/orgs/dev.yaml",
            &format!("import: [teams/t1, catalog/c2]\n{STACK_VARS}overrides:\n  vars: {{y: stack}}\n"),
        ),
    ]);
    let c1 = describe(&set, "c1", "t-dev");
    assert_eq!((c1["vars"]["x"].clone(), c1["vars"]["y"].clone()), (json!("team1"), json!("stack")));
    let c2 = describe(&set, "c2", "t-dev");
    assert_eq!(c2["vars"]["x"], "base", "team1's overrides do not reach c2");
    assert_eq!(c2["vars"]["y"], "stack");
}

#[test]
fn stack_names_manifest_template_pattern_path() {
    let files = [
        ("stacks/orgs/a.yaml", "name: explicit\nvars: {tenant: t, stage: a}\ncomponents:\n  terraform:\n    c: {}\n"),
        ("stacks/orgs/b.yaml", "vars: {tenant: t, stage: b}\ncomponents:\n  terraform:\n    c: {}\n"),
        ("stacks/orgs/nostage.yaml", "vars: {tenant: t}\ncomponents:\n  terraform:\n    c: {}\n"),
    ];
    let set = load(&files);
    let names: Vec<&str> = set.stack_names().collect();
    assert_eq!(names, ["explicit", "orgs/nostage", "t-b"]);
    // A canonical name replaces the file name: asking for the file gets a hint.
    let err = set.describe("c", "orgs/a").unwrap_err().to_string();
    assert!(err.contains("Did you mean `explicit`"), "{err}");
    let mut src = MemorySource::new().with(
        "atmos.yaml",
        ATMOS.replace("name_pattern: \"{tenant}-{stage}\"", "name_template: \"{{ .vars.stage }}-x\""),
    );
    for (p, t) in files {
        src = src.with(p, t);
    }
    let set = load_with(&src, &[]);
    assert_eq!(set.stack_names().collect::<Vec<_>>(), ["b-x", "explicit", "orgs/nostage"]);
}

#[test]
fn workspaces_and_backends() {
    let set = load(&[(
        "stacks/orgs/dev.yaml",
        &format!(
            "{STACK_VARS}terraform:\n  backend_type: s3\n  backend:\n    s3: {{bucket: b}}\ncomponents:\n  terraform:\n    vpc: {{}}\n    base:\n      metadata: {{type: abstract, component: net/vpc}}\n    vpc/2:\n      metadata: {{component: net/vpc, inherits: [base]}}\n    pinned:\n      metadata: {{terraform_workspace_pattern: \"{{tenant}}-{{stage}}-{{component}}\"}}\n    local:\n      backend_type: http\n      backend:\n        http: {{}}\n    gone:\n      backend_type: gcs\n"
        ),
    )]);
    let d = describe(&set, "vpc", "t-dev");
    assert_eq!(d["workspace"], "t-dev");
    assert_eq!(d["backend"], json!({"bucket": "b", "workspace_key_prefix": "vpc"}));
    let d = describe(&set, "vpc/2", "t-dev");
    assert_eq!(d["workspace"], "t-dev-vpc-2");
    assert_eq!(d["backend"]["workspace_key_prefix"], "net-vpc");
    assert_eq!(d["remote_state_backend"]["workspace_key_prefix"], "net-vpc");
    assert_eq!(describe(&set, "pinned", "t-dev")["workspace"], "t-dev-pinned");
    assert_eq!(describe(&set, "local", "t-dev")["workspace"], "default");
    assert!(set.instance("gone", "t-dev").unwrap().backend_missing);
}

#[test]
fn templates_env_and_opaque_functions() {
    let set = load_with(
        &MemorySource::new().with("atmos.yaml", ATMOS).with(
            "stacks/orgs/dev.yaml",
            format!(
                "{STACK_VARS}env:\n  FROM_ENV: section\ncomponents:\n  terraform:\n    c:\n      vars:\n        stack: \"{{{{ .atmos_stack }}}}-{{{{ .vars.stage }}}}\"\n        e1: !env FROM_ENV\n        e2: !env HOME_DIR\n        e3: !env NOPE fallback\n        out: !terraform.output vpc id\n        st: !store ssm /x\n"
            ),
        ),
        &[("HOME_DIR", "/home/x")],
    );
    let v = &describe(&set, "c", "t-dev")["vars"];
    assert_eq!(v["stack"], "t-dev-dev");
    assert_eq!(
        (v["e1"].as_str(), v["e2"].as_str(), v["e3"].as_str()),
        (Some("section"), Some("/home/x"), Some("fallback"))
    );
    assert_eq!(v["out"], "!terraform.output vpc id");
    assert_eq!(v["st"], "!store ssm /x");
}

#[test]
fn hostile_component_names_are_refused() {
    let set = load(&[(
        "stacks/orgs/dev.yaml",
        &format!(
            "{STACK_VARS}components:\n  terraform:\n    \"../../x\": {{}}\n    \"a;rm -rf\": {{}}\n    \"ok name\": {{}}\n"
        ),
    )]);
    let bad: Vec<&str> =
        set.diagnostics.iter().filter(|d| d.rule == rules::COMPONENT_NAME).map(|d| d.message.as_str()).collect();
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(set.instance("ok name", "t-dev").is_some());
}

#[test]
fn imports_and_includes_cannot_leave_the_repository() {
    let set = load(&[(
        "stacks/orgs/dev.yaml",
        &format!("import:\n  - ../../../../etc/passwd\n{STACK_VARS}  secret: !include ../../../../etc/passwd\n"),
    )]);
    let rules = rules_of(&set);
    assert!(rules.contains(&rules::PATH_OUTSIDE), "{:?}", set.diagnostics);
    assert!(rules.contains(&rules::INCLUDE), "{:?}", set.diagnostics);
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_repository_is_not_read() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.yaml"), "vars:\n  secret: leaked\n").unwrap();
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join("stacks/orgs")).unwrap();
    std::fs::create_dir_all(repo.path().join("stacks/catalog")).unwrap();
    std::fs::write(repo.path().join("atmos.yaml"), ATMOS).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.yaml"), repo.path().join("stacks/catalog/link.yaml"))
        .unwrap();
    std::fs::write(
        repo.path().join("stacks/orgs/dev.yaml"),
        format!("import: [catalog/link]\n{STACK_VARS}components:\n  terraform:\n    c: {{}}\n"),
    )
    .unwrap();
    let tree = paved::source::WorkTree::new(repo.path()).unwrap();
    let opts = LoadOptions::default();
    let cfg = AtmosConfig::load(&tree, &RelPath::root(), &BTreeMap::new(), &RelPath::root(), 1 << 20).unwrap();
    let set = StackSet::load(&tree, cfg, opts);
    assert!(rules_of(&set).contains(&rules::PATH_OUTSIDE), "{:?}", set.diagnostics);
    assert!(describe(&set, "c", "t-dev")["vars"].get("secret").is_none());
}

#[test]
fn provenance_points_at_the_winning_file_and_line() {
    let set = load(&[
        ("stacks/catalog/a.yaml", "components:\n  terraform:\n    c:\n      vars:\n        x: 1\n        y: 1\n"),
        (
            "stacks/orgs/dev.yaml",
            &format!("import: [catalog/a]\n{STACK_VARS}components:\n  terraform:\n    c:\n      vars:\n        y: 2\n"),
        ),
    ]);
    let desc = set.describe("c", "t-dev").unwrap();
    let at = |p: &str| desc.provenance.iter().find(|e| e.pointer == p).map(|e| (e.file.clone(), e.line));
    assert_eq!(at("/vars/x"), Some(("stacks/catalog/a.yaml".into(), 5)));
    assert_eq!(at("/vars/y"), Some(("stacks/orgs/dev.yaml".into(), 9)));
    assert_eq!(at("/vars/tenant"), Some(("stacks/orgs/dev.yaml".into(), 3)));
}

#[test]
fn dependencies_merge_along_the_inheritance_chain() {
    let set = load(&[(
        "stacks/orgs/dev.yaml",
        &format!(
            "{STACK_VARS}components:\n  terraform:\n    base:\n      metadata: {{type: abstract}}\n      dependencies:\n        components:\n          - component: vpc\n    eks:\n      metadata: {{inherits: [base]}}\n      settings:\n        depends_on:\n          1: {{component: dns}}\n    vpc: {{}}\n    dns: {{}}\n"
        ),
    )]);
    assert_eq!(describe(&set, "eks", "t-dev")["dependencies"], json!({"components": [{"component": "vpc"}]}));
    assert!(describe(&set, "vpc", "t-dev").get("dependencies").is_none());
    // describe stacks carries both forms too: reconcile and affected order by them.
    let stacks = set.describe_stacks(None, &[]).unwrap();
    let eks = &stacks["t-dev"]["components"]["terraform"]["eks"];
    assert_eq!(eks["dependencies"]["components"], json!([{"component": "vpc"}]));
    assert_eq!(eks["settings"]["depends_on"]["1"], json!({"component": "dns"}));
    assert_eq!(eks["component_info"]["component_type"], "terraform");
}
