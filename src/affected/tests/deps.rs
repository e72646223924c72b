//! Dependents and `included_in_dependents`, on the shape of Atmos's own affected scenario.

use serde_json::json;

use super::*;

fn ctx(env: &str, stage: &str, extra: Value) -> Value {
    let mut v = json!({"vars": {"environment": env, "stage": stage}, "settings": {}, "metadata": {}});
    if let Some(m) = extra.as_object() {
        for (k, x) in m {
            v[k] = x.clone();
        }
    }
    v
}

/// vpc ← tgw/hub (legacy, stack given) ← tgw/attachment (legacy, same stack), attachment
/// also on vpc; a prod attachment naming the stack but a different stage is no dependent.
fn network() -> Vec<Instance> {
    vec![
        inst("ue1-network", "vpc", ctx("ue1", "network", json!({}))),
        inst(
            "ue1-network",
            "tgw/hub",
            ctx(
                "ue1",
                "network",
                json!({"settings": {"depends_on": {"1": {"component": "vpc", "stack": "ue1-network"}}}}),
            ),
        ),
        inst(
            "ue1-network",
            "tgw/attachment",
            ctx(
                "ue1",
                "network",
                json!({"settings": {"depends_on": {"1": {"component": "vpc"}, "2": {"component": "tgw/hub"}}}}),
            ),
        ),
        inst(
            "ue1-prod",
            "tgw/attachment",
            ctx(
                "ue1",
                "prod",
                json!({"settings": {"depends_on": {"1": {"component": "tgw/hub", "stack": "ue1-network"}}}}),
            ),
        ),
        inst(
            "ue1-network",
            "off",
            ctx(
                "ue1",
                "network",
                json!({"metadata": {"enabled": false}, "settings": {"depends_on": {"1": {"component": "vpc"}}}}),
            ),
        ),
        inst(
            "ue1-dev",
            "app",
            ctx("ue1", "dev", json!({"dependencies": {"components": [{"component": "vpc", "stack": "ue1-network"}]}})),
        ),
    ]
}

#[test]
fn dependents_are_recursive_sorted_and_marked_like_atmos() {
    let base_instances: Vec<Instance> = network();
    let mut head_instances = network();
    head_instances[0].section["vars"]["name"] = json!("new-name");
    head_instances[1].section["settings"]["team"] = json!("network");
    let (base, head) = (snap(base_instances), snap(head_instances));
    let opts = Options { include_dependents: true, include_settings: true, ..Default::default() };
    let a = compute(&base, &head, &changed(&[]), &opts);
    let slugs: Vec<_> = a.affected.iter().map(|i| (i.stack_slug.as_str(), i.included_in_dependents)).collect();
    assert_eq!(slugs, [("ue1-network-tgw-hub", true), ("ue1-network-vpc", false)]);

    let vpc = &a.affected[1];
    let deps = vpc.dependents.as_ref().unwrap();
    let top: Vec<_> = deps.iter().map(|d| (d.stack_slug.as_str(), d.included_in_dependents)).collect();
    // The new-format dependency from another stack, then the two same-stack ones.
    assert_eq!(top, [("ue1-dev-app", false), ("ue1-network-tgw-attachment", true), ("ue1-network-tgw-hub", false)]);
    let hub = &deps[2];
    assert_eq!(
        hub.dependents.iter().map(|d| d.stack_slug.as_str()).collect::<Vec<_>>(),
        ["ue1-network-tgw-attachment"]
    );
    assert_eq!(hub.environment.as_deref(), Some("ue1"));
    assert_eq!(hub.dependents[0].dependents, vec![]);
    assert!(hub.settings.is_some());
    // Top-level items carry no context fields; dependents do.
    let v = serde_json::to_value(vpc).unwrap();
    assert!(v.get("environment").is_none());
    assert_eq!(v["dependents"][0]["stage"], "dev");
}

#[test]
fn without_the_flag_dependents_are_null_and_cycles_terminate() {
    let a_dep = json!({"settings": {"depends_on": {"1": {"component": "b"}}}});
    let b_dep = json!({"settings": {"depends_on": {"1": {"component": "a"}}}});
    let head = snap(vec![inst("s", "a", ctx("e", "s", a_dep)), inst("s", "b", ctx("e", "s", b_dep))]);
    let a = compute(&snap(vec![]), &head, &changed(&[]), &Options::default());
    assert_eq!(serde_json::to_value(&a.affected[0]).unwrap()["dependents"], Value::Null);
    let opts = Options { include_dependents: true, ..Default::default() };
    let a = compute(&snap(vec![]), &head, &changed(&[]), &opts);
    let d = a.affected[0].dependents.as_ref().unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].stack_slug, "s-b");
    assert!(d[0].dependents.is_empty(), "the cycle back to a stops");
}
