//! The loaded model other capabilities read.

use paved::catalog::{self, check_text};
use paved::config::Config;
use paved::source::WorkTree;

use super::fixtures::{config_of, fixture};

#[test]
fn entities_relations_and_positions() {
    let tree = WorkTree::new(fixture("valid")).unwrap();
    let (cat, report) = catalog::load(&tree, &config_of(&tree));
    assert!(report.diagnostics.is_empty());
    assert_eq!(cat.len(), 10);
    let api = cat.get("Component:default/Billing-API").expect("case-insensitive lookup");
    assert_eq!(api.file, "services/billing/catalog-info.yaml");
    assert_eq!((api.document, api.span.start.line), (0, 1));
    assert_eq!(api.owner(), Some("group:default/payments"));
    assert_eq!(api.to_json()["spec"]["lifecycle"], "production");
    let owned: Vec<_> = cat.relations_from("group:default/payments").filter(|r| r.kind == "ownerOf").collect();
    assert_eq!(owned.len(), 3, "{owned:?}");
    assert!(cat.relations_to("component:default/billing-api").any(|r| r.kind == "apiProvidedBy"));
    assert!(cat.files().iter().all(|f| f.reached));
}

#[test]
fn check_text_is_one_file_without_cross_file_rules() {
    let text = b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\nspec:\n  type: service\n  lifecycle: production\n  owner: nobody\n  dependsOn: [db]\n";
    let d = check_text("a.yaml", text, &Config::default());
    let rules: Vec<&str> = d.iter().map(|d| d.rule.as_str()).collect();
    assert_eq!(rules, vec!["backstage/entity-ref"]);
    assert_eq!((d[0].line, d[0].column), (9, 15));
    assert_eq!(d[0].entity.as_deref(), Some("component:default/x"));
    assert_eq!(d[0].document, Some(0));
}

#[test]
fn location_type_file_is_refused_by_default_and_allowed_by_config() {
    let text = b"apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: x\nspec:\n  type: file\n  target: ./a.yaml\n";
    let d = check_text("a.yaml", text, &Config::default());
    assert_eq!(d.iter().map(|d| d.rule.as_str()).collect::<Vec<_>>(), vec!["backstage/location-type"]);
    let cfg = Config::parse("paved.yaml", "catalog:\n  location_types: [url, file]\n").unwrap();
    assert!(check_text("a.yaml", text, &cfg).is_empty());
}

#[test]
fn extra_kinds_need_their_schema() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("paved.yaml"),
        "catalog:\n  kinds:\n    - apiVersion: acme.com/v1\n      kind: Service\n      schema: schemas/service.json\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("schemas")).unwrap();
    std::fs::write(
        dir.path().join("schemas/service.json"),
        r#"{"allOf": [{"$ref": "entity.schema.json"}, {"required": ["spec"], "properties": {"spec": {"required": ["tier"]}}}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("catalog-info.yaml"),
        "apiVersion: acme.com/v1\nkind: Service\nmetadata:\n  name: s\nspec: {}\n---\napiVersion: acme.com/v2\nkind: Service\nmetadata:\n  name: t\n",
    )
    .unwrap();
    let tree = WorkTree::new(dir.path()).unwrap();
    let r = catalog::validate(&tree, &config_of(&tree));
    let got: Vec<(&str, u32)> = r.diagnostics.iter().map(|d| (d.rule.as_str(), d.line)).collect();
    assert_eq!(got, vec![("backstage/spec-required", 5), ("backstage/kind-unknown", 8)], "{:?}", r.diagnostics);
}

#[test]
fn placeholders_resolve_against_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("api")).unwrap();
    std::fs::write(dir.path().join("api/openapi.yaml"), "openapi: 3.0.0\n").unwrap();
    std::fs::write(dir.path().join("api/extra.json"), r#"{"tier": "gold"}"#).unwrap();
    let api = |name: &str, def: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: {name}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: user:ada\n  definition:\n    $text: {def}\n  x-extra:\n    $json: ./api/extra.json\n---\n"
        )
    };
    let text = format!(
        "{}{}apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ada\nspec:\n  memberOf: []\n",
        api("good", "./api/openapi.yaml"),
        api("bad", "./api/missing.yaml")
    );
    std::fs::write(dir.path().join("catalog-info.yaml"), &text).unwrap();
    let tree = WorkTree::new(dir.path()).unwrap();
    let (cat, r) = catalog::load(&tree, &Config::default());
    let got: Vec<(&str, u32, Option<&str>)> =
        r.diagnostics.iter().map(|d| (d.rule.as_str(), d.line, d.entity.as_deref())).collect();
    assert_eq!(got, vec![("backstage/placeholder", 23, Some("api:default/bad"))], "{:?}", r.diagnostics);
    let good = cat.get("api:default/good").unwrap();
    assert_eq!(good.to_json()["spec"]["definition"], "openapi: 3.0.0\n");
    assert_eq!(good.to_json()["spec"]["x-extra"]["tier"], "gold");
    // One file on its own cannot resolve them: Backstage's schema sees an object.
    let d = check_text("catalog-info.yaml", text.as_bytes(), &Config::default());
    assert!(d.iter().any(|d| d.rule == "backstage/spec-type"));
    // Unless it is told where it lives.
    let file = paved::source::RelPath::new("catalog-info.yaml").unwrap();
    let d = catalog::check_text_in(&tree, &file, text.as_bytes(), &Config::default());
    let got: Vec<(&str, u32)> = d.iter().map(|d| (d.rule.as_str(), d.line)).collect();
    assert_eq!(got, vec![("backstage/placeholder", 23)], "{d:?}");
}
