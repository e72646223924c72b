use serde_json::json;

use super::*;
use crate::changeset::{FileChange, FileMode};
use crate::source::compile_globs;

fn dir(files: &[(&str, &[u8], FileMode)]) -> TemplateDir {
    let mut d = TemplateDir::default();
    for (p, c, m) in files {
        d.insert(RelPath::new(p).unwrap(), c.to_vec(), *m);
    }
    d
}

fn input(values: serde_json::Value) -> FetchInput {
    FetchInput {
        url: RelPath::new("skeleton").unwrap(),
        target: RelPath::new("services/x").unwrap(),
        values,
        copy_without_templating: compile_globs(&[".github/workflows/*".into()]).unwrap(),
        template_extension: None,
        replace: false,
    }
}

fn text(cs: &ChangeSet, p: &str) -> String {
    match &cs.files[&RelPath::new(p).unwrap()] {
        FileChange::Write { content, .. } => String::from_utf8(content.clone()).unwrap(),
        FileChange::Delete => panic!("delete"),
    }
}

#[test]
fn renders_contents_names_binaries_and_modes() {
    let png: &[u8] = &[0x89, b'P', b'N', b'G', 0, 1, 2, 0xff];
    let d = dir(&[
        ("template.yaml", b"x", FileMode::Regular),
        ("skeleton/README.md", b"# {{values.name}} <b>{{values.owner}}</b>\n", FileMode::Regular),
        ("skeleton/src/{{values.name}}/main.rs", b"fn main() {}\n", FileMode::Regular),
        ("skeleton/bin/run.sh", b"#!/bin/sh\necho {{values.name}}\n", FileMode::Executable),
        ("skeleton/logo.png", png, FileMode::Regular),
        ("skeleton/.github/workflows/ci.yml", b"run: ${{ matrix.os }}\n", FileMode::Regular),
        ("skeleton/{{#if values.docs}}docs{{/if}}/index.md", b"docs\n", FileMode::Regular),
    ]);
    let mut cs = ChangeSet::new();
    let diags = fetch(&d, &input(json!({"name": "pay", "owner": "a&b", "docs": false})), "gp", &mut cs);
    assert!(diags.is_empty(), "{diags:#?}");
    let paths: Vec<_> = cs.files.keys().map(|p| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "services/x/.github/workflows/ci.yml",
            "services/x/README.md",
            "services/x/bin/run.sh",
            "services/x/logo.png",
            "services/x/src/pay/main.rs"
        ]
    );
    assert_eq!(text(&cs, "services/x/README.md"), "# pay <b>a&b</b>\n");
    assert_eq!(text(&cs, "services/x/.github/workflows/ci.yml"), "run: ${{ matrix.os }}\n");
    match &cs.files[&RelPath::new("services/x/logo.png").unwrap()] {
        FileChange::Write { content, mode } => assert_eq!((content.as_slice(), *mode), (png, FileMode::Regular)),
        _ => panic!(),
    }
    match &cs.files[&RelPath::new("services/x/bin/run.sh").unwrap()] {
        FileChange::Write { mode, .. } => assert_eq!(*mode, FileMode::Executable),
        _ => panic!(),
    }
}

#[test]
fn strict_mode_names_the_missing_variable_with_its_position() {
    let d = dir(&[
        ("skeleton/a.txt", b"line\n{{values.nmae}}\n", FileMode::Regular),
        ("skeleton/b.txt", b"{{#if values.x}}\n", FileMode::Regular),
        ("skeleton/{{values.dir}}/c.txt", b"c", FileMode::Regular),
    ]);
    let mut cs = ChangeSet::new();
    let diags = fetch(&d, &input(json!({"name": "pay"})), "gp", &mut cs);
    assert_eq!(diags.len(), 3, "{diags:#?}");
    assert_eq!(diags[0].file, "gp/skeleton/a.txt");
    assert_eq!(diags[0].message, "missing variable `values.nmae`");
    assert_eq!(diags[0].line, 2);
    assert!(diags[1].message.starts_with("template syntax"), "{}", diags[1].message);
    assert_eq!(diags[2].message, "in the file name: missing variable `values.dir`");
    assert_eq!(diags[2].file, "gp/skeleton/{{values.dir}}/c.txt");
    assert!(cs.is_empty());
}

#[test]
fn hostile_paths_are_refused() {
    for (name, value) in [
        ("skeleton/{{values.p}}", "../../etc/passwd"),
        ("skeleton/{{values.p}}/x", "/abs"),
        ("skeleton/{{values.p}}", "a\0b"),
        ("skeleton/{{values.p}}/hooks/pre-commit", ".git"),
        ("skeleton/{{values.p}}", "."),
    ] {
        let d = dir(&[(name, b"x", FileMode::Regular)]);
        let mut cs = ChangeSet::new();
        let diags = fetch(&d, &input(json!({"p": value})), "", &mut cs);
        assert_eq!(diags.len(), 1, "{value}: {diags:#?}");
        assert_eq!(diags[0].rule, RULE_PATH, "{value}");
        assert!(cs.is_empty(), "{value}");
    }
    // `..` that stays inside the target is only normalised.
    let d = dir(&[("skeleton/{{values.p}}", b"x", FileMode::Regular)]);
    let mut cs = ChangeSet::new();
    assert!(fetch(&d, &input(json!({"p": "a/../b"})), "", &mut cs).is_empty());
    assert!(cs.files.contains_key(&RelPath::new("services/x/b").unwrap()));
}

#[test]
fn template_extension_and_replace() {
    let d = dir(&[
        ("skeleton/a.txt.hbs", b"{{values.n}}", FileMode::Regular),
        ("skeleton/b.txt", b"{{values.n}}", FileMode::Regular),
    ]);
    let mut inp = input(json!({"n": 1}));
    inp.template_extension = Some(".hbs".into());
    let mut cs = ChangeSet::new();
    assert!(fetch(&d, &inp, "", &mut cs).is_empty());
    assert_eq!(text(&cs, "services/x/a.txt"), "1");
    assert_eq!(text(&cs, "services/x/b.txt"), "{{values.n}}");
    let again = fetch(&d, &inp, "", &mut cs);
    assert_eq!(again.len(), 2);
    inp.replace = true;
    assert!(fetch(&d, &inp, "", &mut cs).is_empty());
}
