use serde_json::json;

use super::*;
use crate::source::MemorySource;
use crate::yaml::Span;

// Atmos's own example policy (v0 syntax), from its test scenarios.
const VALIDATE: &str = r#"# 'package atmos' is required in all `atmos` OPA policies
package atmos

import data.atmos.constants

errors["'service_1_name' variable length must be greater than 10 chars"] {
    count(input.vars.service_1_name) <= 10
}

errors[message] {
    not input.vars.region in constants.allowed_regions
    message = sprintf("region %s is not allowed", [input.vars.region])
}
"#;

const CONSTANTS: &str = "package atmos.constants\n\nallowed_regions := [\"us-east-2\"]\n";

fn instance(vars: serde_json::Value, validation: serde_json::Value) -> InstanceInput {
    InstanceInput {
        stack: "tenant1-ue2-dev".into(),
        component: "test/test-component".into(),
        describe: json!({"vars": vars, "settings": {"validation": validation}}),
        file: "stacks/orgs/dev.yaml".into(),
        span: Span::point(12, 5),
        locator: None,
    }
}

fn source() -> MemorySource {
    MemorySource::new()
        .with("stacks/schemas/opa/test-component/validate.rego", VALIDATE)
        .with("stacks/schemas/opa/test-component/validate_test.rego", "package atmos\n\nthis is not rego")
        .with("stacks/schemas/opa/catalog/constants/constants.rego", CONSTANTS)
}

fn step(extra: serde_json::Value) -> serde_json::Value {
    let mut v = json!({
        "schema_type": "opa",
        "schema_path": "test-component/validate.rego",
        "module_paths": ["catalog/constants"],
        "description": "Check the component"
    });
    v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    json!({"check-test-component": v, "check-schema": {"schema_type": "jsonschema", "schema_path": "x.json"}})
}

#[test]
fn atmos_errors_become_diagnostics_at_the_component() {
    let base = RelPath::new("stacks/schemas/opa").unwrap();
    let insts = vec![
        instance(json!({"service_1_name": "short", "region": "eu-west-1"}), step(json!({}))),
        instance(json!({"service_1_name": "long-enough-name", "region": "us-east-2"}), step(json!({}))),
        instance(json!({"service_1_name": "short", "region": "us-east-2"}), step(json!({"disabled": true}))),
    ];
    let diags = check(&source(), &base, &insts);
    let got: Vec<(&str, &str, u32)> = diags.iter().map(|d| (d.rule.as_str(), d.message.as_str(), d.line)).collect();
    assert_eq!(
        got,
        [
            (RULE, "'service_1_name' variable length must be greater than 10 chars", 12),
            (RULE, "region eu-west-1 is not allowed", 12),
        ]
    );
    assert_eq!(diags[0].entity.as_deref(), Some("tenant1-ue2-dev/test/test-component"));
}

#[test]
fn missing_policies_and_slow_ones_are_reported() {
    let base = RelPath::new("stacks/schemas/opa").unwrap();
    let insts = vec![instance(json!({}), step(json!({"schema_path": "nope.rego", "module_paths": []})))];
    let diags = check(&source(), &base, &insts);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].rule, rules::MISSING);

    let slow = "package atmos\n\nerrors[m] {\n  count([x | some a in numbers.range(1, 3000); some b in numbers.range(1, 3000); x := a * b]) < 0\n  m := \"never\"\n}\n";
    let src = source().with("stacks/schemas/opa/slow.rego", slow);
    let insts =
        vec![instance(json!({}), step(json!({"schema_path": "slow.rego", "module_paths": [], "timeout": 0.05})))];
    let diags = check(&src, &base, &insts);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].rule, rules::TIMEOUT, "{diags:?}");
}

#[test]
fn validation_entries_are_read_like_atmos() {
    let v = validations(&json!({"settings": {"validation": step(json!({"timeout": 10}))}}));
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].timeout, Duration::from_secs(10));
    assert_eq!(v[0].module_paths, ["catalog/constants"]);
    assert!(validations(&json!({"settings": {"validation": "junk"}})).is_empty());
}
