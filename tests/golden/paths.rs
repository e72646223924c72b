//! Every golden path in golden-paths/ renders into a repository and the result validates clean.

use std::path::Path;

use paved::changeset::{ChangeSet, FileChange};
use paved::config::Config;
use paved::golden::check::{CheckContext, check_result};
use paved::golden::{RenderRequest, Rendered, Template, TemplateDir, render};
use paved::source::{MemorySource, RelPath};
use serde_json::{Value as Json, json};

/// A repository with a root Location, the groups and the system the paths refer to, and a stack.
fn repo() -> MemorySource {
    MemorySource::new()
        .with(
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets:\n    - ./org/catalog-info.yaml\n",
        )
        .with(
            "org/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: payments\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: platform\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: billing\nspec:\n  owner: group:payments\n",
        )
        .with("stacks/orgs/acme/plat/dev/us-east-2.yaml", "# dev, us-east-2\nimport:\n  - mixins/region/us-east-2\nvars:\n  stage: dev\n")
        .with("stacks/mixins/region/us-east-2.yaml", "vars:\n  region: us-east-2\n  environment: ue2\n")
        .with(
            "atmos.yaml",
            "base_path: .\ncomponents:\n  terraform:\n    base_path: components/terraform\nstacks:\n  base_path: stacks\n  included_paths: [\"orgs/**/*\"]\n  excluded_paths: [\"**/_defaults.yaml\"]\n  name_pattern: \"{environment}-{stage}\"\n",
        )
}

pub fn render_path(name: &str, params: Json, base: &MemorySource) -> Rendered {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden-paths").join(name);
    let files = TemplateDir::load(&dir).unwrap();
    let label = format!("golden-paths/{name}");
    let template = Template::parse(&format!("{label}/template.yaml"), files.text("template.yaml").unwrap())
        .unwrap_or_else(|d| panic!("{name}: {d:#?}"));
    let values = template.parameters.with_defaults(params.as_object().unwrap().clone());
    let problems = template.parameters.validate(&values, "");
    assert!(problems.is_empty(), "{name}: {problems:#?}");
    render(&RenderRequest {
        template: &template,
        files: &files,
        label: &label,
        parameters: &values,
        base,
        version: "v1.0.0",
        source: &label,
    })
    .unwrap_or_else(|d| panic!("{name}: {d:#?}"))
}

fn assert_clean(name: &str, base: &MemorySource, changes: &ChangeSet) {
    let report = check_result(base, changes, &Config::default(), &ctx());
    assert!(report.diagnostics.is_empty(), "{name}: {:#?}", report.diagnostics);
}

fn ctx() -> CheckContext {
    CheckContext { env: Default::default(), today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap() }
}

pub fn text(changes: &ChangeSet, p: &str) -> String {
    match changes.files.get(&RelPath::new(p).unwrap()) {
        Some(FileChange::Write { content, .. }) => String::from_utf8(content.clone()).unwrap(),
        other => panic!("{p}: {other:?}"),
    }
}

#[test]
fn rust_http_service() {
    let base = repo();
    let r = render_path(
        "rust-http-service",
        json!({"name": "payments-api", "owner": "group:payments", "system": "billing", "port": 9000}),
        &base,
    );
    assert_clean("rust-http-service", &base, &r.changes);
    let paths: Vec<_> = r.changes.files.keys().map(|p| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            ".github/workflows/payments-api.yml",
            "catalog-info.yaml",
            "services/payments-api/.paved/answers.yaml",
            "services/payments-api/Cargo.toml",
            "services/payments-api/Dockerfile",
            "services/payments-api/README.md",
            "services/payments-api/catalog-info.yaml",
            "services/payments-api/openapi.yaml",
            "services/payments-api/src/main.rs",
        ]
    );
    let ci = text(&r.changes, ".github/workflows/payments-api.yml");
    assert!(ci.contains("docker build -t payments-api:${{ github.sha }} ."), "{ci}");
    assert!(text(&r.changes, "services/payments-api/Dockerfile").contains("EXPOSE 9000"));
    let entity = text(&r.changes, "services/payments-api/catalog-info.yaml");
    assert_eq!(entity.matches("paved.dev/template: rust-http-service@v1.0.0").count(), 2, "{entity}");
    assert_eq!(r.publish[0].request.branch, "paved/new-service-payments-api");
    assert_eq!(r.publish[0].repo, "acme/platform");
}

#[test]
fn atmos_terraform_component() {
    let base = repo();
    let r = render_path(
        "atmos-terraform-component",
        json!({"name": "queue", "owner": "group:platform", "stages": ["dev", "prod"]}),
        &base,
    );
    assert_clean("atmos-terraform-component", &base, &r.changes);
    let dev = text(&r.changes, "stacks/orgs/acme/plat/dev/us-east-2.yaml");
    assert_eq!(
        dev,
        "# dev, us-east-2\nimport:\n  - mixins/region/us-east-2\n  - catalog/queue/defaults\nvars:\n  stage: dev\ncomponents:\n  terraform:\n    queue:\n      metadata:\n        component: queue\n        inherits:\n          - queue/defaults\n      vars:\n        enabled: true\n"
    );
    assert!(r.edited.contains(&RelPath::new("stacks/orgs/acme/plat/dev/us-east-2.yaml").unwrap()));
    let prod = text(&r.changes, "stacks/orgs/acme/plat/prod/us-east-2.yaml");
    assert!(prod.starts_with("import:\n  - catalog/queue/defaults\ncomponents:\n"), "{prod}");
    for f in ["main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md", "catalog-info.yaml"] {
        text(&r.changes, &format!("components/terraform/queue/{f}"));
    }
    assert!(text(&r.changes, "stacks/catalog/queue/defaults.yaml").contains("    queue/defaults:\n"));
    assert!(r.publish[0].request.body.contains("in dev, prod."));
    // The stack rules run on the render: a broken instance is reported before writing.
    let mut broken = r.changes.clone();
    let bad = dev.replace("          - queue/defaults\n", "          - queue/missing\n");
    broken.write(RelPath::new("stacks/orgs/acme/plat/dev/us-east-2.yaml").unwrap(), bad, Default::default()).unwrap();
    let report = check_result(&base, &broken, &Config::default(), &ctx());
    assert!(report.has_errors(), "{:#?}", report.diagnostics);
    assert!(
        report.diagnostics.iter().all(|d| d.file == "stacks/orgs/acme/plat/dev/us-east-2.yaml"),
        "{:#?}",
        report.diagnostics
    );
}

#[test]
fn team_onboarding() {
    let base = repo();
    let r = render_path(
        "team-onboarding",
        json!({"name": "data", "displayName": "Data team", "email": "data@example.com"}),
        &base,
    );
    assert_clean("team-onboarding", &base, &r.changes);
    let group = text(&r.changes, "teams/data/catalog-info.yaml");
    assert!(group.contains("    email: data@example.com\n  children: []\n---\n"), "{group}");
    // Under a parent, with members: the parent lists the team and the members list it too, so
    // both sides of each relation agree (no catalog/relation-mismatch).
    let base = repo().with(
        "org/users.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ana\nspec:\n  memberOf: [] # none yet\n",
    );
    let base = base.with(
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets:\n    - ./org/catalog-info.yaml\n    - ./org/users.yaml\n",
    );
    let nested = render_path(
        "team-onboarding",
        json!({"name": "data", "displayName": "Data team", "email": "data@example.com", "parent": "platform", "members": ["ana"]}),
        &base,
    );
    assert_clean("team-onboarding under a parent", &base, &nested.changes);
    let org = text(&nested.changes, "org/catalog-info.yaml");
    assert!(org.contains("  name: platform\nspec:\n  type: team\n  children:\n    - data\n"), "{org}");
    assert_eq!(
        text(&nested.changes, "org/users.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ana\nspec:\n  memberOf: # none yet\n    - data\n"
    );
    assert!(nested.edited.contains(&RelPath::new("org/catalog-info.yaml").unwrap()));
    assert_eq!(r.publish[0].forge, paved::golden::ForgeFlavor::GitLab);
    assert_eq!(r.publish[0].repo, "acme/platform/catalog");
}
