use serde_json::{Value, json};

use super::*;
use crate::source::RelPath;

fn p(s: &str) -> RelPath {
    RelPath::new(s).unwrap()
}

/// An instance whose folder is `components/terraform/<metadata.component or name>`.
fn inst(stack: &str, component: &str, section: Value) -> Instance {
    let section = section.as_object().cloned().unwrap_or_default();
    let folder = section
        .get("metadata")
        .and_then(|m| m.get("component"))
        .and_then(Value::as_str)
        .unwrap_or(component)
        .to_string();
    Instance {
        stack: stack.into(),
        component: component.into(),
        component_type: "terraform".into(),
        component_path: format!("components/terraform/{folder}"),
        folder: p(&format!("components/terraform/{folder}")),
        section,
        defined_at: None,
    }
}

fn snap(instances: Vec<Instance>) -> Snapshot {
    Snapshot { stacks: Stacks::new(instances), ..Default::default() }
}

fn changed(paths: &[&str]) -> ChangedFiles {
    let v: Vec<RelPath> = paths.iter().map(|s| p(s)).collect();
    ChangedFiles::new(&v)
}

fn base_vpc() -> Value {
    json!({"vars": {"cidr": "10.0.0.0/16", "stage": "dev"}, "env": {}, "settings": {}, "metadata": {"component": "vpc"},
           "backend_type": "s3", "backend": {"s3": {"bucket": "b"}}, "providers": {}})
}

fn reasons_for(head: Value, files: &[&str]) -> Vec<String> {
    let base = snap(vec![inst("dev", "vpc", base_vpc())]);
    let head = snap(vec![inst("dev", "vpc", head)]);
    let a = compute(&base, &head, &changed(files), &Options::default());
    a.affected.into_iter().flat_map(|i| i.affected_all).collect()
}

/// `v` with the key at `pointer` set (the parent must exist).
fn with(mut v: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    v.pointer_mut(parent).unwrap().as_object_mut().unwrap().insert(key.to_string(), value);
    v
}

#[test]
fn nothing_changed_means_nothing_affected() {
    assert!(reasons_for(base_vpc(), &[]).is_empty());
    assert!(reasons_for(base_vpc(), &["README.md", "components/terraform/vpc-old/main.tf"]).is_empty());
}

#[test]
fn one_reason_per_changed_section() {
    assert_eq!(reasons_for(with(base_vpc(), "/vars/cidr", json!("10.1.0.0/16")), &[]), ["stack.vars"]);
    assert_eq!(reasons_for(with(base_vpc(), "/env", json!({"A": "1"})), &[]), ["stack.env"]);
    assert_eq!(reasons_for(with(base_vpc(), "/settings", json!({"x": 1})), &[]), ["stack.settings"]);
    assert_eq!(reasons_for(with(base_vpc(), "/backend/s3/bucket", json!("c")), &[]), ["stack.backend"]);
    assert_eq!(reasons_for(with(base_vpc(), "/backend_type", json!("gcs")), &[]), ["stack.backend_type"]);
    assert_eq!(reasons_for(with(base_vpc(), "/providers", json!({"aws": {"region": "x"}})), &[]), ["stack.providers"]);
    assert_eq!(reasons_for(with(base_vpc(), "/metadata/locked", json!(true)), &[]), ["stack.metadata"]);
    assert_eq!(reasons_for(base_vpc(), &["components/terraform/vpc/main.tf"]), ["component"]);
}

#[test]
fn reasons_come_in_atmos_order_and_the_first_is_affected() {
    let mut head = with(base_vpc(), "/vars/cidr", json!("x"));
    head = with(head, "/settings", json!({"a": 1}));
    head = with(head, "/metadata/locked", json!(true));
    let base = snap(vec![inst("dev", "vpc", base_vpc())]);
    let head = snap(vec![inst("dev", "vpc", head)]);
    let a = compute(&base, &head, &changed(&["components/terraform/vpc/main.tf"]), &Options::default());
    assert_eq!(a.affected.len(), 1);
    assert_eq!(a.affected[0].affected, "stack.metadata");
    assert_eq!(a.affected[0].affected_all, ["stack.metadata", "component", "stack.vars", "stack.settings"]);
    assert_eq!(a.affected[0].stack_slug, "dev-vpc");
    assert_eq!(a.affected[0].settings, None);
}

#[test]
fn a_changed_local_module_is_component_module() {
    let base = snap(vec![inst("dev", "vpc", base_vpc())]);
    let mut head = snap(vec![inst("dev", "vpc", base_vpc())]);
    head.modules.insert(p("components/terraform/vpc"), vec![p("components/modules/label")]);
    let a = compute(&base, &head, &changed(&["components/modules/label/main.tf"]), &Options::default());
    assert_eq!(a.affected[0].affected_all, ["component.module"]);
}

#[test]
fn file_and_folder_dependencies() {
    let legacy = with(base_vpc(), "/settings", json!({"depends_on": {"1": {"file": "config/ips.json"}}}));
    let base = snap(vec![inst("dev", "vpc", legacy.clone())]);
    let head = snap(vec![inst("dev", "vpc", legacy)]);
    let a = compute(&base, &head, &changed(&["config/ips.json"]), &Options::default());
    assert_eq!(a.affected[0].affected, "file");
    assert_eq!(a.affected[0].file.as_deref(), Some("config/ips.json"));

    let mut v = base_vpc();
    v["dependencies"] = json!({"folders": ["shared/policies"]});
    let base = snap(vec![inst("dev", "vpc", v.clone())]);
    let head = snap(vec![inst("dev", "vpc", v)]);
    let a = compute(&base, &head, &changed(&["shared/policies/deny.json"]), &Options::default());
    assert_eq!(a.affected[0].affected, "folder");
    assert_eq!(a.affected[0].folder.as_deref(), Some("shared/policies"));
    assert!(compute(&base, &head, &changed(&["shared/other.json"]), &Options::default()).affected.is_empty());
}

#[test]
fn a_new_instance_is_affected_by_every_section_it_has() {
    let a = compute(&snap(vec![]), &snap(vec![inst("dev", "vpc", base_vpc())]), &changed(&[]), &Options::default());
    assert_eq!(
        a.affected[0].affected_all,
        [
            "stack.metadata",
            "stack.vars",
            "stack.env",
            "stack.providers",
            "stack.backend",
            "stack.backend_type",
            "stack.settings"
        ]
    );
}

#[test]
fn abstract_disabled_and_excluded_locked_components_are_skipped() {
    let abs = with(base_vpc(), "/metadata", json!({"type": "abstract"}));
    let off = with(base_vpc(), "/metadata", json!({"enabled": false}));
    let locked = with(base_vpc(), "/metadata", json!({"locked": true}));
    let head = snap(vec![inst("dev", "a", abs), inst("dev", "b", off), inst("dev", "c", locked)]);
    let a = compute(&snap(vec![]), &head, &changed(&[]), &Options::default());
    assert_eq!(a.affected.iter().map(|i| i.component.as_str()).collect::<Vec<_>>(), ["c"]);
    let opts = Options { exclude_locked: true, ..Default::default() };
    assert!(compute(&snap(vec![]), &head, &changed(&[]), &opts).affected.is_empty());
}

#[test]
fn deleted_components_and_stacks() {
    let mut prod = base_vpc();
    prod["vars"] = json!({"stage": "prod", "tenant": "plat"});
    let base = snap(vec![
        inst("dev", "vpc", base_vpc()),
        inst("dev", "eks", base_vpc()),
        inst("prod", "vpc", prod),
        inst("dev", "base", with(base_vpc(), "/metadata", json!({"type": "abstract"}))),
    ]);
    let head = snap(vec![inst("dev", "vpc", base_vpc())]);
    let a = compute(&base, &head, &changed(&[]), &Options::default());
    let got: Vec<_> = a
        .affected
        .iter()
        .map(|i| {
            (i.stack_slug.as_str(), i.affected.as_str(), i.deleted, i.deletion_type.as_deref(), i.stage.as_deref())
        })
        .collect();
    assert_eq!(
        got,
        [
            ("dev-eks", "deleted", true, Some("component"), Some("dev")),
            ("prod-vpc", "deleted.stack", true, Some("stack"), Some("prod"))
        ]
    );
    let json = serde_json::to_value(&a.affected[1]).unwrap();
    assert_eq!(json["tenant"], "plat");
    assert_eq!(json["deleted"], true);
    assert!(
        serde_json::to_value(compute(&base, &base, &changed(&[]), &Options::default())).unwrap()["affected"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_stack_filter_keeps_one_stack() {
    let base = snap(vec![]);
    let head = snap(vec![inst("dev", "vpc", base_vpc()), inst("prod", "vpc", base_vpc())]);
    let opts = Options { stack: Some("prod".into()), ..Default::default() };
    let a = compute(&base, &head, &changed(&[]), &opts);
    assert_eq!(a.affected.iter().map(|i| i.stack.as_str()).collect::<Vec<_>>(), ["prod"]);
}

mod deps;
mod formats;
