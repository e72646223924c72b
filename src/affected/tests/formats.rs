//! Output formats, and catalog changes linked to stack components.

use serde_json::json;

use super::*;

fn owned(stack: &str, component: &str, owner: &str) -> Instance {
    inst(stack, component, json!({"vars": {"stage": stack}, "settings": {"catalog": {"owner": owner}}, "metadata": {}}))
}

fn entity(r: &str, file: &str, content: Value) -> Entity {
    Entity { entity_ref: r.into(), file: p(file), content }
}

fn sample() -> Affected {
    let base = Snapshot {
        stacks: Stacks::new(vec![owned("dev", "vpc", "group:platform-networking"), owned("dev", "old", "group:gone")]),
        catalog: Catalog::new(vec![
            entity(
                "group:default/platform-networking",
                "org/groups.yaml",
                json!({"kind": "Group", "spec": {"members": ["a"]}}),
            ),
            entity("group:default/gone", "org/groups.yaml", json!({"kind": "Group"})),
            entity("component:default/same", "svc/catalog-info.yaml", json!({"kind": "Component"})),
        ]),
        ..Default::default()
    };
    let mut vpc = owned("dev", "vpc", "group:Platform-Networking");
    vpc.section["vars"]["cidr"] = json!("10.0.0.0/8");
    let head = Snapshot {
        stacks: Stacks::new(vec![vpc, owned("dev", "eks|x", "group:platform-networking")]),
        catalog: Catalog::new(vec![
            entity(
                "group:default/platform-networking",
                "org/groups.yaml",
                json!({"kind": "Group", "spec": {"members": ["a", "b"]}}),
            ),
            entity("component:default/same", "moved/catalog-info.yaml", json!({"kind": "Component"})),
            entity("api:default/new", "svc/api.yaml", json!({"kind": "API"})),
        ]),
        ..Default::default()
    };
    compute(&base, &head, &changed(&[]), &Options::default())
}

#[test]
fn catalog_changes_list_owned_components() {
    let a = sample();
    let got: Vec<_> = a.catalog.iter().map(|c| (c.entity_ref.as_str(), c.change, c.components.len())).collect();
    assert_eq!(
        got,
        [
            ("api:default/new", EntityChangeKind::Added, 0),
            ("group:default/gone", EntityChangeKind::Deleted, 1),
            ("group:default/platform-networking", EntityChangeKind::Modified, 2),
        ]
    );
    assert_eq!(a.catalog[2].fields, ["spec"]);
    let linked: Vec<_> = a.catalog[2].components.iter().map(|l| l.stack_slug.as_str()).collect();
    assert_eq!(linked, ["dev-eks|x", "dev-vpc"]);
}

#[test]
fn every_format_renders() {
    let a = sample();
    insta::assert_snapshot!("json", render(&a, Format::Json));
    insta::assert_snapshot!("matrix", render(&a, Format::Matrix));
    insta::assert_snapshot!("gitlab_matrix", render(&a, Format::GitlabMatrix));
    insta::assert_snapshot!("markdown", render(&a, Format::Markdown));
    let empty = Affected::default();
    assert_eq!(render(&empty, Format::Matrix), "{\"include\":[]}\n");
    assert_eq!(render(&empty, Format::GitlabMatrix), "parallel:\n  matrix: []\n");
    assert_eq!(render(&empty, Format::Markdown), "No stack components affected.\n");
}
