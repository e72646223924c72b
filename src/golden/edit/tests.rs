use serde_json::json;

use super::*;

const STACK: &str = "# Dev stack for acme
import:
  - catalog/vpc # shared

components:
  terraform:
    # the network
    vpc:
      vars:
        cidr: 10.0.0.0/16 # keep me
        name: \"vpc\"
        tags:
          team: net
      settings: {}
    dns: {}
# footer comment
";

#[test]
fn adds_a_component_keeping_comments_and_order() {
    let out =
        set(STACK, 0, &["components", "terraform", "payments", "vars"], &json!({"name": "payments", "port": 8080}))
            .unwrap();
    let want = STACK.replace(
        "    dns: {}\n",
        "    dns: {}\n    payments:\n      vars:\n        name: payments\n        port: 8080\n",
    );
    assert_eq!(out, want);
}

#[test]
fn updates_values_in_place() {
    let out = set(STACK, 0, &["components", "terraform", "vpc", "vars", "cidr"], &json!("10.1.0.0/16")).unwrap();
    assert_eq!(out, STACK.replace("10.0.0.0/16 # keep me", "10.1.0.0/16 # keep me"));
    let out = set(STACK, 0, &["components", "terraform", "vpc", "vars", "name"], &json!("x y")).unwrap();
    assert_eq!(out, STACK.replace("name: \"vpc\"", "name: x y"));
    // A block value replaced by a scalar, and a scalar by a block.
    let out = set(STACK, 0, &["components", "terraform", "vpc", "vars", "tags"], &json!(null)).unwrap();
    assert_eq!(out, STACK.replace("        tags:\n          team: net\n", "        tags: null\n"));
    let out = set(STACK, 0, &["components", "terraform", "vpc", "vars", "cidr"], &json!(["a", "b"])).unwrap();
    assert_eq!(out, STACK.replace("cidr: 10.0.0.0/16 # keep me", "cidr: # keep me\n          - a\n          - b"));
    // An empty flow mapping becomes a block.
    let out = set(STACK, 0, &["components", "terraform", "vpc", "settings", "enabled"], &json!(true)).unwrap();
    assert_eq!(out, STACK.replace("      settings: {}", "      settings:\n        enabled: true"));
    // A new key in a nested map goes after its last sibling's deepest line.
    let out = set(STACK, 0, &["components", "terraform", "vpc", "vars", "zones"], &json!(3)).unwrap();
    assert_eq!(out, STACK.replace("          team: net\n", "          team: net\n        zones: 3\n"));
}

#[test]
fn new_files_top_level_keys_and_lists() {
    assert_eq!(set("", 0, &["a", "b"], &json!(1)).unwrap(), "a:\n  b: 1\n");
    assert_eq!(set("# only a comment", 0, &["a"], &json!(1)).unwrap(), "# only a comment\na: 1\n");
    let out = set(STACK, 0, &["vars", "stage"], &json!("dev")).unwrap();
    assert_eq!(out, STACK.replace("# footer comment\n", "vars:\n  stage: dev\n# footer comment\n"));
    let out = append(STACK, 0, &["import"], &json!("catalog/payments")).unwrap();
    assert_eq!(out, STACK.replace("  - catalog/vpc # shared\n", "  - catalog/vpc # shared\n  - catalog/payments\n"));
    let out = append("spec:\n  type: url\n", 0, &["spec", "targets"], &json!("./a.yaml")).unwrap();
    assert_eq!(out, "spec:\n  type: url\n  targets:\n    - ./a.yaml\n");
    let out = append("spec:\n  targets: []\n", 0, &["spec", "targets"], &json!("./a.yaml")).unwrap();
    assert_eq!(out, "spec:\n  targets:\n    - ./a.yaml\n");
    let docs = "a: 1\n---\nkind: Location\nspec:\n  targets:\n  - ./x.yaml\n";
    let out = append(docs, 1, &["spec", "targets"], &json!("./y.yaml")).unwrap();
    assert_eq!(out, format!("{docs}  - ./y.yaml\n"));
}

#[test]
fn refuses_what_it_cannot_edit_in_place() {
    assert!(set("a: {b: 1}\n", 0, &["a", "c"], &json!(1)).is_err());
    assert!(set("a: 1\n", 0, &["a", "c"], &json!(1)).is_err());
    assert!(set("a: [\n", 0, &["a"], &json!(1)).is_err());
}

#[test]
fn flow_lists_get_the_item_before_their_bracket() {
    let t = "spec:\n  children: [a, 'b]''c', \"d]\"] # kept\n  x: 1\n";
    let out = append(t, 0, &["spec", "children"], &json!("e")).unwrap();
    assert_eq!(out, t.replace("\"d]\"]", "\"d]\", e]"));
    let t = "a: [\n  1, # one\n  [2],\n]\n";
    assert_eq!(append(t, 0, &["a"], &json!(3)).unwrap(), "a: [\n  1, # one\n  [2], 3\n]\n");
    assert_eq!(append("a: [x]\n", 0, &["a"], &json!("y, z")).unwrap(), "a: [x, \"y, z\"]\n");
}

#[test]
fn block_scalars_and_no_trailing_newline() {
    let t = "a:\n  s: |\n    x\n    y\n  t: 1";
    assert_eq!(set(t, 0, &["a", "u"], &json!(2)).unwrap(), "a:\n  s: |\n    x\n    y\n  t: 1\n  u: 2\n");
    let t = "a:\n  s: |\n    x\n    y\nb: 1\n";
    assert_eq!(set(t, 0, &["a", "u"], &json!(2)).unwrap(), "a:\n  s: |\n    x\n    y\n  u: 2\nb: 1\n");
}
