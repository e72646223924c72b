//! The templates of Atmos's own test scenarios (`../shared/conformance/atmos/scenarios`),
//! rendered with the data Atmos gives them and checked against the values Atmos produced
//! (the conformance set's expected outputs). The snippets are embedded so the tests run
//! without the conformance folder; `conformance_files_parse` reads the folder when present.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value as J, json};

use crate::gotemplate::{MissingKey, Options, Template, render};

fn yaml(text: &str) -> J {
    yaml_serde::from_str(text).unwrap_or_else(|e| panic!("rendered text is not YAML: {e}\n{text}"))
}

fn env(pairs: &[(&str, &str)]) -> Options {
    let env: BTreeMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Options { env, missing_key_zero: false }
}

#[test]
fn stack_name_templates() {
    // `stacks.name_template` of the scenarios' atmos.yaml files; Atmos renders them with
    // missingkey=error over the component section.
    let vars = json!({"vars": {"namespace": "cp", "tenant": "tenant1", "environment": "ue2", "stage": "dev", "region": "us-east-2"}});
    for (t, want) in [
        ("{{ .vars.stage }}", "dev"),
        ("{{.vars.stage}}", "dev"),
        ("{{ .vars.environment }}-{{ .vars.stage }}", "ue2-dev"),
        ("{{.vars.environment}}-{{.vars.stage}}", "ue2-dev"),
        ("{{.vars.tenant}}-{{.vars.environment}}-{{.vars.stage}}", "tenant1-ue2-dev"),
        ("{{ .vars.tenant }}-{{ .vars.environment }}-{{ .vars.stage }}", "tenant1-ue2-dev"),
        ("{{.vars.namespace}}-{{.vars.tenant}}-{{.vars.stage}}", "cp-tenant1-dev"),
        ("{{ .vars.tenant }}-{{ .vars.stage }}-{{ .vars.region }}", "tenant1-dev-us-east-2"),
    ] {
        let tmpl = Template::parse("name_template", t).unwrap();
        assert_eq!(tmpl.execute_with(&vars, &Options::default(), MissingKey::Error).unwrap(), want);
    }
    let tmpl = Template::parse("atmos.yaml", "{{ .vars.tenant }}-{{ .vars.stage }}").unwrap();
    let err =
        tmpl.execute_with(&json!({"vars": {"stage": "dev"}}), &Options::default(), MissingKey::Error).unwrap_err();
    assert_eq!(
        err.to_string(),
        "atmos.yaml:1:4: executing \"atmos.yaml\" at <.vars.tenant>: map has no entry for key \"tenant\""
    );
}

#[test]
fn stack_templates_scenario() {
    // scenarios/stack-templates/stacks/deploy/nonprod.yaml, rendered after the merge over
    // component-1's section; expected/describe-component-stack-templates.json has the results.
    let section = json!({
        "vars": {"stage": "nonprod", "foo": "{{ .settings.config.a }}"},
        "metadata": {"component": "mock"},
        "settings": {"config": {"a": "component-1-a", "b": "component-1-b", "c": "component-1-c"}}
    });
    let text = "backend:\n  s3:\n    bucket: '{{ .vars.stage }}-tfstate'\n    dynamodb_table: '{{ .vars.stage }}-tfstate-lock'\n    workspace_key_prefix: '{{ .metadata.component }}'\nvars:\n  foo: '{{ .settings.config.a }}'\n  bar: '{{ .settings.config.b }}'\n  baz: '{{ .settings.config.c }}'\n";
    let out = Template::parse("deploy/nonprod.yaml", text)
        .unwrap()
        .execute_with(&section, &Options::default(), MissingKey::Error)
        .unwrap();
    assert_eq!(
        yaml(&out),
        json!({
            "backend": {"s3": {"bucket": "nonprod-tfstate", "dynamodb_table": "nonprod-tfstate-lock", "workspace_key_prefix": "mock"}},
            "vars": {"foo": "component-1-a", "bar": "component-1-b", "baz": "component-1-c"}
        })
    );
}

#[test]
fn complete_defaults_tags() {
    // scenarios/complete/stacks/orgs/cp/_defaults.yaml `terraform.vars.tags`, as Atmos
    // serializes the merged section before rendering; expected values from
    // expected/describe-component-complete-top-level-component1.yaml.
    let text = r#"tags:
  atmos_component: '{{`{{ .atmos_component }}`}}'
  atmos_stack: '{{ .atmos_stack }}'
  atmos_manifest: '{{ .atmos_stack_file }}'
  terraform_workspace: '{{ .workspace }}'
  terraform_component: '{{ .component }}'
  provisioned_by_user: '{{ env "USER" | default (env "USERNAME") }}'
  atmos_component_description: '{{ strings.Title .atmos_component }} component provisioned in the stack {{ .atmos_stack | strings.Quote }}'
  spacelift_stack: '{{ .spacelift_stack }}'
  atlantis_project: '{{ .atlantis_project }}'
  region: '{{ .vars.region }}'
"#;
    let section = json!({
        "atmos_component": "top-level-component1", "atmos_stack": "tenant1-ue2-dev",
        "atmos_stack_file": "orgs/cp/tenant1/dev/us-east-2", "workspace": "tenant1-ue2-dev",
        "component": "top-level-component1",
        "spacelift_stack": "tenant1-ue2-dev-top-level-component1",
        "atlantis_project": "tenant1-ue2-dev-top-level-component1",
        "vars": {"region": "us-east-2"}
    });
    let out = render("orgs/cp/_defaults.yaml", text, &section, &env(&[("USER", "user")])).unwrap();
    assert_eq!(
        yaml(&out)["tags"],
        json!({
            "atlantis_project": "tenant1-ue2-dev-top-level-component1",
            "atmos_component": "{{ .atmos_component }}",
            "atmos_component_description": "Top-Level-Component1 component provisioned in the stack \"tenant1-ue2-dev\"",
            "atmos_manifest": "orgs/cp/tenant1/dev/us-east-2",
            "atmos_stack": "tenant1-ue2-dev",
            "provisioned_by_user": "user",
            "region": "us-east-2",
            "spacelift_stack": "tenant1-ue2-dev-top-level-component1",
            "terraform_component": "top-level-component1",
            "terraform_workspace": "tenant1-ue2-dev"
        })
    );
    // Windows sets USERNAME instead of USER: the default picks it up.
    let out = render("d", "{{ env \"USER\" | default (env \"USERNAME\") }}", &json!({}), &env(&[("USERNAME", "win")]))
        .unwrap();
    assert_eq!(out, "win");
}

const SERVICE_IAM_ROLE: &str = r#"components:
  terraform:
    service-iam-role/{{ .app_name }}/{{ .service_environment }}:
      metadata:
        component: infra/service-iam-role
      settings:
        spacelift:
          workspace_enabled: false
      vars:
        enabled: {{ .enabled }}
        tags:
          Service: {{ .app_name }}
        service_account_name: {{ .app_name }}
        service_account_namespace: {{ .service_account_namespace }}
        {{ if hasKey . "iam_managed_policy_arns" }}
        iam_managed_policy_arns:
          {{ range $i, $iam_managed_policy_arn := .iam_managed_policy_arns }}
          - '{{ $iam_managed_policy_arn }}'
          {{ end }}
        {{ end }}
        {{ if hasKey . "iam_source_policy_documents" }}
        iam_source_policy_documents:
          {{ range $i, $iam_source_policy_document := .iam_source_policy_documents }}
          - '{{ $iam_source_policy_document }}'
          {{ end }}
        {{ end }}
"#;

#[test]
fn import_with_context() {
    // catalog/terraform/service-iam-role/defaults.tmpl, imported with the context of
    // webservices/defaults.tmpl (plus the fields the importing stack adds).
    let context = json!({
        "enabled": true, "app_name": "webservices", "service_environment": "prod",
        "service_account_namespace": "webservices",
        "iam_managed_policy_arns": ["arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess", "arn:aws:iam::aws:policy/AmazonKinesisFullAccess"],
        "iam_source_policy_documents": ["{\"Version\": \"2012-10-17\"}"]
    });
    let out =
        render("catalog/terraform/service-iam-role/defaults.tmpl", SERVICE_IAM_ROLE, &context, &Options::default())
            .unwrap();
    let doc = yaml(&out);
    let c = &doc["components"]["terraform"]["service-iam-role/webservices/prod"];
    assert_eq!(c["vars"]["enabled"], json!(true));
    assert_eq!(c["vars"]["tags"]["Service"], json!("webservices"));
    assert_eq!(c["vars"]["iam_managed_policy_arns"], context["iam_managed_policy_arns"]);
    assert_eq!(c["vars"]["iam_source_policy_documents"], context["iam_source_policy_documents"]);
    // Without the optional lists the blocks disappear.
    let out = render(
        "t",
        SERVICE_IAM_ROLE,
        &json!({"enabled": false, "app_name": "a", "service_environment": "b", "service_account_namespace": "n"}),
        &Options::default(),
    )
    .unwrap();
    let doc = yaml(&out);
    assert!(doc["components"]["terraform"]["service-iam-role/a/b"]["vars"].get("iam_managed_policy_arns").is_none());
    // With missingkey=error (no ignore_missing_template_values) a missing key is an error.
    let err = Template::parse("t", SERVICE_IAM_ROLE)
        .unwrap()
        .execute_with(&json!({"app_name": "a"}), &Options::default(), MissingKey::Error)
        .unwrap_err();
    assert_eq!((err.line, err.column), (3, 41));
    assert!(err.message.ends_with("map has no entry for key \"service_environment\""));
}

#[test]
fn generated_components_with_ignore_missing_template_values() {
    // catalog/terraform/eks_cluster_tmpl.yaml imported by orgs/cp/tenant1/test1/us-west-2.yaml
    // with `ignore_missing_template_values: true` (missingkey=default).
    let text = r#"components:
  terraform:
    "eks-{{ .flavor }}/cluster":
      metadata:
        component: "test/test-component"
      vars:
        enabled: '{{ .enabled }}'
        name: 'eks-{{ .flavor | default "foo" }}'
        service_1_name: '{{ env "service_1_name" }}'
        service_2_name: '{{ expandenv "Service 2 name is $service_2_name" }}'
        tags:
          flavor: '{{ .flavor }}'
          missing: '{{ .not_in_context }}'
"#;
    let opts = env(&[("service_1_name", "svc-1"), ("service_2_name", "svc-2")]);
    let ctx = json!({"flavor": "blue", "enabled": true, "service_1_name": "blue-service-1", "service_2_name": "blue-service-2"});
    let doc = yaml(&render("eks_cluster_tmpl.yaml", text, &ctx, &opts).unwrap());
    let c = &doc["components"]["terraform"]["eks-blue/cluster"];
    assert_eq!(
        c["vars"],
        json!({"enabled": "true", "name": "eks-blue", "service_1_name": "svc-1",
               "service_2_name": "Service 2 name is svc-2", "tags": {"flavor": "blue", "missing": "<no value>"}})
    );
    let doc = yaml(&render("eks_cluster_tmpl.yaml", text, &json!({"enabled": false}), &opts).unwrap());
    assert_eq!(doc["components"]["terraform"]["eks-<no value>/cluster"]["vars"]["name"], json!("eks-foo"));
}

#[test]
fn helmfile_values() {
    // components/helmfile/echo-server/helmfile.yaml (a helmfile template, Sprig included).
    let text = r#"  - name: {{ .Values.server_name }}
    installed: {{ .Values.installed }}
              type: {{ index .Values "service_type" | default "NodePort" }}
                kubernetes.io/ingress.class: {{ .Values.ingress_class | quote }}
                {{- if eq (printf "%v" .Values.aws_load_balancer_controller_enabled) "true" }}
                alb.ingress.kubernetes.io/group.name: {{ index .Values "alb_group_name" | default "common" }}
                {{- if eq (printf "%v" .Values.tls_enabled) "true" }}
                alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80},{"HTTPS":443}]'
                {{- else }}
                alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80}]'
                {{- end }}
                {{- end }}
                {{- if (index .Values "tls_certificate_cluster_issuer") }}
                cert-manager.io/cluster-issuer: {{ .Values.tls_certificate_cluster_issuer | quote }}
                {{- end }}
                - host: {{ printf .Values.hostname_template .Values.stage .Values.environment }}
                  {{- with .Values.tls_secret_name }}
                  secretName: {{ . | quote }}
                  {{- end }}
"#;
    let values = json!({"Values": {
        "server_name": "echo", "installed": true, "ingress_class": "alb",
        "aws_load_balancer_controller_enabled": true, "tls_enabled": false,
        "hostname_template": "echo.%s.%s.example.com", "stage": "dev", "environment": "ue2",
        "tls_secret_name": "echo-tls"
    }});
    let out = render("helmfile.yaml", text, &values, &Options::default()).unwrap();
    let want = r#"  - name: echo
    installed: true
              type: NodePort
                kubernetes.io/ingress.class: "alb"
                alb.ingress.kubernetes.io/group.name: common
                alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80}]'
                - host: echo.dev.ue2.example.com
                  secretName: "echo-tls"
"#;
    assert_eq!(out, want);
}

#[test]
fn atmos_yaml_commands() {
    // Custom commands in scenarios/complete/atmos.yaml render over Arguments/Flags/ComponentConfig.
    let data = json!({"Arguments": {"component": "eks"}, "Flags": {"stack": "tenant1-ue2-dev", "role": "admin"},
                      "ComponentConfig": {"vars": {"namespace": "cp", "tenant": "tenant1", "stage": "dev"}, "deps": ["a", "b"]}});
    let t = "atmos terraform plan {{ .Arguments.component }} -s {{ .Flags.stack }} --profile {{ .ComponentConfig.vars.namespace }}-{{if (index .ComponentConfig.vars \"tenant\") }}{{ .ComponentConfig.vars.tenant }}-gbl-{{ .ComponentConfig.vars.stage }}{{else}}gbl-{{ .ComponentConfig.vars.stage }}{{end}}-${role} deps={{ .ComponentConfig.deps }}";
    assert_eq!(
        render("atmos.yaml", t, &data, &Options::default()).unwrap(),
        "atmos terraform plan eks -s tenant1-ue2-dev --profile cp-tenant1-gbl-dev-${role} deps=[a b]"
    );
    // vendor.yaml / component.yaml source URIs.
    let uri = "github.com/cloudposse/terraform-aws-components.git//modules/vpc?ref={{.Version}}";
    assert_eq!(
        render("vendor.yaml", uri, &json!({"Version": "1.398.0"}), &Options::default()).unwrap(),
        "github.com/cloudposse/terraform-aws-components.git//modules/vpc?ref=1.398.0"
    );
}

#[test]
fn functions_that_need_atmos_state_are_reported_in_place() {
    // catalog/terraform/template-functions-test2/defaults.yaml and packer/aws/bastion/defaults.yaml.
    let text = "vars:\n  test_10: '!terraform.output template-functions-test {{ .stack }} test_label_id'\n  test_1: '{{ (atmos.Component \"template-functions-test\" .stack).outputs.test_label_id }}'\n";
    let err = render(
        "template-functions-test2/defaults.yaml",
        text,
        &json!({"stack": "tenant1-ue2-dev"}),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!((err.line, err.column), (3, 16));
    assert!(err.to_string().starts_with("template-functions-test2/defaults.yaml:3:16: executing"), "{err}");
    assert!(err.message.contains("function \"atmos.Component\" is not supported by paved"));
    let ok =
        render("t", "x: '!terraform.output c {{ .stack }} id'", &json!({"stack": "s1"}), &Options::default()).unwrap();
    assert_eq!(ok, "x: '!terraform.output c s1 id'");
    let err = render(
        "bastion/defaults.yaml",
        "ami_name: \"bastion-al2023-{{ now | unixEpoch }}\"",
        &json!({}),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!((err.line, err.column), (1, 30));
    assert!(err.message.contains("depends on the clock"));
}

/// Where Atmos's conformance scenarios live, if this checkout has them.
fn conformance_dir() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("PAVED_ATMOS_CONFORMANCE").map(PathBuf::from),
        Some(manifest.join("../shared/conformance/atmos")),
        Some(manifest.join("../../shared/conformance/atmos")),
    ];
    candidates.into_iter().flatten().map(|p| p.join("scenarios")).find(|p| p.is_dir())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml" | "tmpl")) {
            out.push(p);
        }
    }
}

#[test]
fn conformance_files_parse() {
    let Some(dir) = conformance_dir() else {
        eprintln!("Atmos conformance scenarios not found; skipping");
        return;
    };
    let mut files = Vec::new();
    walk(&dir, &mut files);
    files.sort();
    let mut templated = 0;
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else { continue };
        // Atmos renders manifests without their comments (after the YAML round trip), and
        // `.tmpl` files as they are; comment lines never reach the template engine.
        let body: String =
            text.lines().filter(|l| !l.trim_start().starts_with('#')).map(|l| format!("{l}\n")).collect();
        if !body.contains("{{") {
            continue;
        }
        templated += 1;
        let name = f.strip_prefix(&dir).unwrap_or(f).display().to_string();
        let t = Template::parse(&name, &body).unwrap_or_else(|e| panic!("{e}"));
        // Any data: it must render or fail with a positioned error, never panic.
        let _ = t.execute(&json!({}), &Options::default());
    }
    eprintln!("{templated} templated Atmos scenario files parse");
    assert!(templated >= 30, "only {templated} templated files under {}", dir.display());
}
