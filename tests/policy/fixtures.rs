//! The starter policies over fixtures that break them, and over examples/ (which passes).

use std::path::Path;

use assert_cmd::Command;

use crate::repo_support::copy_dir;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary repository: `dir` plus the starter policies (the repository's own waivers, if
/// any, are kept).
fn with_policies(dir: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(dir, tmp.path());
    let waivers = std::fs::read(tmp.path().join("policies/waivers.yaml")).ok();
    copy_dir(&repo().join("policies"), &tmp.path().join("policies"));
    if let Some(w) = waivers {
        std::fs::write(tmp.path().join("policies/waivers.yaml"), w).unwrap();
    }
    tmp
}

/// `(severity, rule, file:line)` of the policy findings of `paved validate --format json`.
fn policy_findings(root: &Path) -> (i32, Vec<String>) {
    let out = Command::cargo_bin("paved").unwrap().args(["validate", "--format", "json"]).arg(root).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    let list = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"].as_str().unwrap().starts_with("policy/"))
        .map(|d| {
            format!(
                "{} {} {}:{}",
                d["severity"].as_str().unwrap(),
                d["rule"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"]
            )
        })
        .collect();
    (out.status.code().unwrap(), list)
}

#[test]
fn each_catalog_policy_fails_on_its_fixture() {
    let tmp = with_policies(&repo().join("tests/fixtures/policy/catalog"));
    let (code, found) = policy_findings(tmp.path());
    assert_eq!(code, 1);
    let found: Vec<String> = found.into_iter().filter(|f| f.contains(" stacks/")).collect();
    insta::assert_yaml_snapshot!(found);
}

/// examples/paved.yaml turns on the built-in starter set (`policy.starter: true`), so
/// `paved validate examples` runs it as is.
#[test]
fn examples_pass_the_starter_policies_with_their_waiver() {
    let (_, found) = policy_findings(&repo().join("examples"));
    assert!(found.iter().all(|f| !f.starts_with("error ")), "{found:#?}");
    assert!(
        found.iter().any(|f| f.starts_with("note policy/catalog-production-depends-on-experimental ")),
        "the waiver turns the one known violation into a note: {found:#?}"
    );
}

/// Components appended to examples' core-ue2-prod stack, each breaking stack policies.
const BROKEN_COMPONENTS: &str = "
    bad-bucket:
      metadata:
        component: s3-bucket
      settings:
        catalog:
          owner: group:nobody
        validation:
          check-bucket-with-opa:
            schema_type: opa
            schema_path: bucket/validate-bucket.rego
            module_paths: [lib]
            timeout: 5
      vars:
        region: eu-west-1
        versioning_enabled: false
        tags:
          Team: storage
          CostCenter: \"\"
    big-cluster:
      metadata:
        component: eks
      settings:
        catalog:
          owner: user:sam.okafor
      vars:
        instance_types: [m6i.large, p4d.24xlarge]
        instance_type: m6i.2xlarge
        instance_count: 40
";

/// An Atmos-style policy (v0 syntax, `in` without imports, deprecated `re_match`).
const ATMOS_POLICY: &str = "package atmos

errors[message] {
    not re_match(\"^[a-z0-9-]+$\", input.vars.name)
    message = sprintf(\"bucket name %v is not lower-case kebab\", [input.vars.name])
}

errors[message] {
    some tag in data.atmos.lib.required
    not input.vars.tags[tag]
    message = sprintf(\"tag %s is required by the storage team\", [tag])
}
";

#[test]
fn each_stack_policy_fails_on_a_broken_copy_of_examples() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("examples"), tmp.path());
    let stack = tmp.path().join("stacks/orgs/acme/core/prod/us-east-2.yaml");
    let mut text = std::fs::read_to_string(&stack).unwrap();
    text.push_str(BROKEN_COMPONENTS);
    std::fs::write(&stack, text).unwrap();
    let opa = tmp.path().join("stacks/schemas/opa");
    std::fs::create_dir_all(opa.join("bucket")).unwrap();
    std::fs::create_dir_all(opa.join("lib")).unwrap();
    std::fs::write(opa.join("bucket/validate-bucket.rego"), ATMOS_POLICY).unwrap();
    std::fs::write(opa.join("lib/lib.rego"), "package atmos.lib\n\nrequired := [\"Team\", \"DataClass\"]\n").unwrap();
    std::fs::write(opa.join("lib/lib_test.rego"), "this is excluded, as Atmos excludes *_test.rego").unwrap();
    let (code, found) = policy_findings(tmp.path());
    assert_eq!(code, 1);
    let found: Vec<String> = found.into_iter().filter(|f| f.contains(" stacks/")).collect();
    insta::assert_yaml_snapshot!(found);
}
