use super::*;

const GOOD: &str = r#"apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: rust-http-service
  title: Rust HTTP service
spec:
  owner: group:platform
  type: service
  parameters:
    - title: Basics
      required: [name]
      properties:
        name: {type: string}
        stages: {type: array, items: {type: string}}
  steps:
    - id: fetch
      name: Render
      action: fetch:template
      input:
        url: ./skeleton
        targetPath: services/${{ parameters.name }}
        values:
          name: ${{ parameters.name | lower }}
    - id: stack
      action: paved:stack-component
      each: ${{ parameters.stages }}
      input:
        stack: stacks/${{ each.value }}.yaml
        component: ${{ parameters.name }}
        note: ${{ steps.fetch.output.x }}
"#;

#[test]
fn reads_a_good_template() {
    let t = Template::parse("gp/template.yaml", GOOD).unwrap();
    assert_eq!(t.name, "rust-http-service");
    assert_eq!(t.title.as_deref(), Some("Rust HTTP service"));
    assert_eq!(t.steps.len(), 2);
    assert_eq!(t.steps[0].action, Action::FetchTemplate);
    assert_eq!(t.steps[0].name, "Render");
    assert_eq!(t.steps[1].name, "stack");
    assert!(t.steps[1].each.is_some());
    assert_eq!(t.parameters.params.len(), 2);
}

#[test]
fn every_problem_is_reported_with_its_line() {
    let bad = GOOD
        .replace("kind: Template", "kind: Component")
        .replace("action: paved:stack-component", "action: fetch:plain")
        .replace("${{ parameters.name | lower }}", "${{ parameters.nmae | shout }}")
        .replace("targetPath: services/${{ parameters.name }}", "targetPath: ${{ parameters.name ")
        .replace("url: ./skeleton", "uri: ./skeleton");
    let diags = Template::parse("gp/template.yaml", &bad).unwrap_err();
    let got: Vec<(&str, u32, &str)> = diags.iter().map(|d| (d.rule.as_str(), d.line, d.message.as_str())).collect();
    assert_eq!(
        got,
        [
            ("golden/template-invalid", 2, "kind must be `Template`"),
            ("golden/step-input", 20, "`fetch:template` needs input `url`"),
            ("golden/unknown-action", 25, "unknown action `fetch:plain`"),
        ],
    );
    // Expressions are checked once the steps themselves read.
    let bad = GOOD
        .replace("${{ parameters.name | lower }}", "${{ parameters.nmae | shout }}")
        .replace("stack: stacks/${{ each.value }}.yaml", "stack: ${{ steps.later.output }}${{ user.entity }}");
    let diags = Template::parse("gp/template.yaml", &bad).unwrap_err();
    let got: Vec<(u32, &str)> = diags.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert_eq!(
        got,
        [
            (23, "`parameters.nmae` is not a declared parameter"),
            (23, "unknown filter `shout`"),
            (28, "`steps.later` does not name an earlier step"),
            (28, "unknown name `user` (expressions read parameters, steps, each)"),
        ]
    );
    let each_outside = GOOD.replace("      each: ${{ parameters.stages }}\n", "");
    let diags = Template::parse("gp/template.yaml", &each_outside).unwrap_err();
    assert_eq!(diags[0].message, "`each` is only defined in a step with `each:`");
}

#[test]
fn not_yaml_or_no_steps() {
    assert_eq!(Template::parse("t.yaml", "a: [").unwrap_err()[0].rule, "golden/template-invalid");
    let d = Template::parse(
        "t.yaml",
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: x}\nspec: {}\n",
    )
    .unwrap_err();
    assert_eq!(d[0].message, "spec.steps must be a non-empty list");
}
