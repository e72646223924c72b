use serde_json::json;

use super::*;
use crate::source::MemorySource;

const TEMPLATE: &str = r#"apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: svc
spec:
  type: service
  parameters:
    required: [name, stages]
    properties:
      name: {type: string}
      stages: {type: array, items: {type: string}}
      docs: {type: boolean, default: false}
  steps:
    - id: fetch
      action: fetch:template
      input:
        url: ./skeleton
        targetPath: services/${{ parameters.name }}
        values:
          name: ${{ parameters.name }}
    - id: stacks
      action: paved:stack-component
      each: ${{ parameters.stages }}
      input:
        stack: stacks/${{ each.value }}.yaml
        component: ${{ parameters.name }}
        vars:
          name: ${{ parameters.name }}
          stage: ${{ each.value }}
    - id: docs
      if: ${{ parameters.docs }}
      action: fetch:template
      input:
        url: ./docs
        targetPath: ${{ steps.fetch.output.targetPath }}/docs
    - id: register
      action: catalog:register
      input:
        catalogInfoPath: ${{ steps.fetch.output.targetPath }}/catalog-info.yaml
    - id: publish
      action: publish:github:pull-request
      input:
        repoUrl: github.com?owner=acme&repo=platform
        branchName: paved/new-${{ parameters.name }}
        title: Add ${{ parameters.name }}
"#;

fn files() -> TemplateDir {
    let mut d = TemplateDir::default();
    for (p, c) in [
        ("template.yaml", TEMPLATE),
        (
            "skeleton/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {{values.name}}\nspec:\n  type: service\n  owner: group:a\n  lifecycle: production\n",
        ),
        ("skeleton/README.md", "# {{values.name}}\n"),
        ("docs/index.md", "docs\n"),
    ] {
        d.insert(RelPath::new(p).unwrap(), c.as_bytes().to_vec(), FileMode::Regular);
    }
    d
}

fn run(params: serde_json::Value, base: &MemorySource) -> Result<Rendered, Vec<Diagnostic>> {
    let t = Template::parse("gp/svc/template.yaml", TEMPLATE).unwrap();
    let values = t.parameters.with_defaults(params.as_object().unwrap().clone());
    render(&RenderRequest {
        template: &t,
        files: &files(),
        label: "gp/svc",
        parameters: &values,
        base,
        version: "v1",
        source: "gp/svc",
    })
}

fn text(r: &Rendered, p: &str) -> String {
    match &r.changes.files[&RelPath::new(p).unwrap()] {
        FileChange::Write { content, .. } => String::from_utf8(content.clone()).unwrap(),
        FileChange::Delete => panic!(),
    }
}

#[test]
fn runs_every_step() {
    let base = MemorySource::new()
        .with("stacks/dev.yaml", "# dev\nvars:\n  stage: dev\n")
        .with("catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets:\n    - ./teams/catalog-info.yaml\n");
    let r = run(json!({"name": "pay", "stages": ["dev", "prod"]}), &base).unwrap();
    let paths: Vec<_> = r.changes.files.keys().map(|p| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "catalog-info.yaml",
            "services/pay/.paved/answers.yaml",
            "services/pay/README.md",
            "services/pay/catalog-info.yaml",
            "stacks/dev.yaml",
            "stacks/prod.yaml"
        ]
    );
    assert_eq!(
        text(&r, "stacks/dev.yaml"),
        "# dev\nvars:\n  stage: dev\ncomponents:\n  terraform:\n    pay:\n      vars:\n        name: pay\n        stage: dev\n"
    );
    assert!(text(&r, "catalog-info.yaml").ends_with("    - ./services/pay/catalog-info.yaml\n"));
    assert!(text(&r, "services/pay/catalog-info.yaml").contains("  annotations:\n    paved.dev/template: svc@v1\n"));
    assert_eq!(r.answers.project.as_str(), "services/pay");
    assert_eq!(r.answers.parameters["docs"], json!(false));
    assert_eq!(r.publish.len(), 1);
    assert_eq!(r.publish[0].request.branch, "paved/new-pay");
    assert_eq!(r.publish[0].request.title, "Add pay");

    let r = run(json!({"name": "pay", "stages": [], "docs": true}), &MemorySource::new()).unwrap();
    assert!(r.changes.files.contains_key(&RelPath::new("services/pay/docs/index.md").unwrap()));
    assert!(text(&r, "catalog-info.yaml").contains("kind: Location"));
}

#[test]
fn step_problems_name_the_step() {
    let base = MemorySource::new().with("stacks/dev.yaml", "components: {terraform: {x: 1}}\n");
    let errs = run(json!({"name": "Bad Name!", "stages": ["dev"]}), &base).unwrap_err();
    let msgs: Vec<_> = errs.iter().map(|d| d.message.as_str()).collect();
    assert!(
        msgs.iter().any(|m| m.starts_with("step `stacks`:") && m.contains("is not an Atmos component name")),
        "{msgs:#?}"
    );
    assert!(msgs.iter().any(|m| m.starts_with("step `publish`:") && m.contains("branch name")), "{msgs:#?}");
}
