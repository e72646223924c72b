//! Hostile input: each case is a finding that names the file, the run goes on with the other
//! files, and nothing panics.

use std::fs;
use std::path::Path;

use paved::catalog;
use paved::config::Config;
use paved::source::WorkTree;

const GOOD: &str =
    "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: fine\nspec:\n  type: team\n  children: []\n";

/// A repository whose root Location points at `bad.yaml` and at a good file.
fn repo(write_bad: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets: [./bad.yaml, ./good.yaml]\n",
    )
    .unwrap();
    fs::write(dir.path().join("good.yaml"), GOOD).unwrap();
    write_bad(&dir.path().join("bad.yaml"));
    dir
}

/// The findings about bad.yaml, after checking that good.yaml was still read.
fn findings(dir: &tempfile::TempDir) -> Vec<(String, u32)> {
    let tree = WorkTree::new(dir.path()).unwrap();
    let (cat, report) = catalog::load(&tree, &Config::default());
    assert!(cat.get("group:default/fine").is_some(), "the good file was not read: {:?}", report.diagnostics);
    report.diagnostics.iter().filter(|d| d.file == "bad.yaml").map(|d| (d.rule.clone(), d.line)).collect()
}

fn has(found: &[(String, u32)], rule: &str) -> bool {
    found.iter().any(|(r, _)| r == rule)
}

#[test]
fn malformed_yaml() {
    let f = findings(&repo(|p| fs::write(p, "kind: [a\n  b: {\n").unwrap()));
    assert!(has(&f, "backstage/yaml-syntax"), "{f:?}");
    assert!(f.iter().all(|(_, line)| *line > 0));
}

#[test]
fn alias_bomb() {
    let mut text = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let mut prev = 'a';
    for c in 'b'..='j' {
        text.push_str(&format!(
            "{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = c;
    }
    let f = findings(&repo(|p| fs::write(p, &text).unwrap()));
    assert!(has(&f, "backstage/yaml-syntax"), "{f:?}");
}

#[test]
fn deep_nesting() {
    // paved's own depth limit: Backstage has none (node's stack gives out somewhere instead).
    let text = format!("{}1{}", "[".repeat(1000), "]".repeat(1000));
    let f = findings(&repo(|p| fs::write(p, &text).unwrap()));
    assert_eq!(f, vec![("catalog/yaml-limit".to_string(), 1)]);
    let block: String = (0..1000).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
    let f = findings(&repo(|p| fs::write(p, &block).unwrap()));
    assert!(has(&f, "catalog/yaml-limit"), "{f:?}");
}

#[test]
fn huge_file_is_refused_without_reading_it() {
    // Sparse: 200 MB on paper, no disk used; the size check happens before any read.
    let f = findings(&repo(|p| fs::File::create(p).unwrap().set_len(200 << 20).unwrap()));
    assert_eq!(f, vec![("catalog/file-unreadable".to_string(), 0)]);
}

#[test]
fn invalid_utf8_and_binary() {
    let f = findings(&repo(|p| fs::write(p, b"apiVersion: v1\nkind: \xff\xfe\n").unwrap()));
    assert_eq!(f, vec![("backstage/yaml-syntax".to_string(), 2)]);
    let f = findings(&repo(|p| fs::write(p, [0u8, 1, 2, 3, 0x7f, 0x10, 0, 0, 9, 10, 0x1b]).unwrap()));
    assert!(has(&f, "backstage/yaml-syntax") || has(&f, "backstage/yaml-root"), "{f:?}");
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_repository() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.yaml"), GOOD).unwrap();
    let target = outside.path().join("secret.yaml");
    let f = findings(&repo(|p| std::os::unix::fs::symlink(&target, p).unwrap()));
    assert_eq!(f, vec![("catalog/file-unreadable".to_string(), 0)]);
}

#[cfg(unix)]
#[test]
fn unreadable_file() {
    // Root reads through permissions, so a dangling link and a directory stand in for a file
    // that cannot be opened.
    let f = findings(&repo(|p| std::os::unix::fs::symlink("/nonexistent/x.yaml", p).unwrap()));
    assert_eq!(f, vec![("catalog/file-unreadable".to_string(), 0)]);
    let dir = repo(|p| fs::create_dir(p).unwrap());
    let tree = WorkTree::new(dir.path()).unwrap();
    let r = catalog::validate(&tree, &Config::default());
    assert!(r.diagnostics.iter().any(|d| d.rule == "backstage/location-target" && d.message.contains("directory")));
}
