use std::sync::Arc;

use paved::git::{Repo, TreeSource};
use paved::source::{EntryKind, FileSource, RelPath, SourceError, glob, walk_files};

use crate::support::{TestRepo, git_in};

fn p(s: &str) -> RelPath {
    RelPath::new(s).unwrap()
}

fn text(src: &dyn FileSource, path: &str) -> String {
    String::from_utf8(src.read(&p(path), 1 << 20).unwrap().to_vec()).unwrap()
}

#[test]
fn reads_an_old_commit_without_touching_the_working_tree() {
    let t = TestRepo::new();
    t.write("stacks/dev.yaml", "vars: {stage: dev}\n").write("README.md", "v1\n");
    let first = t.commit("one");
    t.write("stacks/dev.yaml", "vars: {stage: dev2}\n").write("stacks/prod.yaml", "vars: {}\n");
    t.commit("two");
    let repo = Repo::open(t.path()).unwrap();
    let old = repo.tree_source(&repo.resolve(&first).unwrap()).unwrap();
    assert_eq!(text(&old, "stacks/dev.yaml"), "vars: {stage: dev}\n");
    assert!(matches!(old.read(&p("stacks/prod.yaml"), 100), Err(SourceError::NotFound(_))));
    let head = repo.tree_source(&repo.head().unwrap()).unwrap();
    assert_eq!(text(&head, "stacks/dev.yaml"), "vars: {stage: dev2}\n");
    // The working tree still holds the latest version.
    assert_eq!(std::fs::read_to_string(t.path().join("stacks/dev.yaml")).unwrap(), "vars: {stage: dev2}\n");
    assert_eq!(old.describe(), format!("commit {}", &first[..12]));
}

#[test]
fn lists_walks_and_globs_like_a_directory() {
    let t = TestRepo::new();
    t.write("b.yaml", "b").write("a/x.yaml", "x").write("a/y.yml", "y").write("a/deep/z.yaml", "z");
    t.write("node_modules/m.yaml", "m");
    t.commit("files");
    let repo = Repo::open(t.path()).unwrap();
    let src = repo.tree_source(&repo.head().unwrap()).unwrap();
    let names: Vec<_> = src.list(&RelPath::root()).unwrap().into_iter().map(|e| (e.path.to_string(), e.kind)).collect();
    assert_eq!(
        names,
        vec![("a".into(), EntryKind::Dir), ("b.yaml".into(), EntryKind::File), ("node_modules".into(), EntryKind::Dir)]
    );
    assert_eq!(src.list(&p("missing")).unwrap(), vec![]);
    assert_eq!(src.list(&p("b.yaml")).unwrap(), vec![]);
    let all: Vec<String> = walk_files(&src, &RelPath::root()).unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(all, ["a/deep/z.yaml", "a/x.yaml", "a/y.yml", "b.yaml"]);
    let g = glob(&src, &["a/**/*.yaml".into()]).unwrap();
    assert_eq!(g, vec![p("a/deep/z.yaml"), p("a/x.yaml")]);
    assert_eq!(src.kind(&p("a")), Some(EntryKind::Dir));
    assert_eq!(src.kind(&RelPath::root()), Some(EntryKind::Dir));
    assert_eq!(src.kind(&p("nope")), None);
    assert!(matches!(src.read(&p("a"), 100), Err(SourceError::NotAFile(_))));
}

#[test]
fn content_id_is_the_blob_id_and_is_shared_across_commits() {
    let t = TestRepo::new();
    t.write("same.yaml", "same\n").write("moving.yaml", "1\n");
    let c1 = t.commit("one");
    t.write("moving.yaml", "2\n");
    let c2 = t.commit("two");
    let repo = Repo::open(t.path()).unwrap();
    let s1 = repo.tree_source(&repo.resolve(&c1).unwrap()).unwrap();
    let s2 = repo.tree_source(&repo.resolve(&c2).unwrap()).unwrap();
    assert_eq!(s1.content_id(&p("same.yaml")).unwrap(), t.git(&["rev-parse", "HEAD:same.yaml"]));
    assert_eq!(s1.content_id(&p("same.yaml")), s2.content_id(&p("same.yaml")));
    assert_ne!(s1.content_id(&p("moving.yaml")), s2.content_id(&p("moving.yaml")));
    assert_eq!(s1.content_id(&p("nope.yaml")), None);
}

#[test]
fn refuses_large_blobs_before_reading_them() {
    let t = TestRepo::new();
    t.write("big.yaml", &"a".repeat(10_000));
    t.commit("big");
    let repo = Repo::open(t.path()).unwrap();
    let src = repo.tree_source(&repo.head().unwrap()).unwrap();
    match src.read(&p("big.yaml"), 100) {
        Err(SourceError::TooLarge { size, limit, .. }) => assert_eq!((size, limit), (10_000, 100)),
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[cfg(unix)]
#[test]
fn follows_links_inside_the_tree_and_refuses_links_out_of_it() {
    let t = TestRepo::new();
    t.write("real/target.yaml", "t: 1\n");
    std::os::unix::fs::symlink("real/target.yaml", t.path().join("inside.yaml")).unwrap();
    std::os::unix::fs::symlink("real", t.path().join("dirlink")).unwrap();
    std::os::unix::fs::symlink("../../etc/passwd", t.path().join("escape.yaml")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", t.path().join("absolute.yaml")).unwrap();
    std::os::unix::fs::symlink("loop.yaml", t.path().join("loop.yaml")).unwrap();
    t.commit("links");
    let repo = Repo::open(t.path()).unwrap();
    let src = repo.tree_source(&repo.head().unwrap()).unwrap();
    assert_eq!(text(&src, "inside.yaml"), "t: 1\n");
    assert_eq!(src.kind(&p("inside.yaml")), Some(EntryKind::File));
    assert_eq!(src.kind(&p("dirlink")), Some(EntryKind::Dir));
    assert_eq!(src.content_id(&p("inside.yaml")), src.content_id(&p("real/target.yaml")));
    assert!(matches!(src.read(&p("escape.yaml"), 100), Err(SourceError::OutsideRoot(_))));
    assert!(matches!(src.read(&p("absolute.yaml"), 100), Err(SourceError::OutsideRoot(_))));
    assert!(matches!(src.read(&p("loop.yaml"), 100), Err(SourceError::Io { .. })));
    assert_eq!(src.kind(&p("escape.yaml")), Some(EntryKind::Symlink));
    let listed: Vec<_> =
        src.list(&RelPath::root()).unwrap().into_iter().filter(|e| e.kind == EntryKind::Symlink).collect();
    assert_eq!(listed.len(), 5);
}

#[test]
fn a_submodule_is_listed_never_read() {
    let sub = TestRepo::new();
    sub.write("inner.yaml", "i");
    sub.commit("inner");
    let t = TestRepo::new();
    t.write("top.yaml", "t");
    t.git(&["submodule", "add", "-q", &crate::support::file_url(sub.path()), "vendor/sub"]);
    t.commit("with a submodule");
    let repo = Repo::open(t.path()).unwrap();
    let src = repo.tree_source(&repo.head().unwrap()).unwrap();
    assert_eq!(src.kind(&p("vendor/sub")), Some(EntryKind::Submodule));
    assert!(matches!(src.read(&p("vendor/sub"), 100), Err(SourceError::NotAFile(_))));
    assert!(matches!(src.read(&p("vendor/sub/inner.yaml"), 100), Err(SourceError::NotFound(_))));
    assert_eq!(src.list(&p("vendor/sub")).unwrap(), vec![]);
    let all: Vec<String> = walk_files(&src, &RelPath::root()).unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(all, [".gitmodules", "top.yaml"]);
}

#[test]
fn works_on_a_bare_clone_and_across_threads() {
    let t = TestRepo::new();
    for i in 0..40 {
        t.write(&format!("f/{i}.yaml"), &format!("n: {i}\n"));
    }
    t.commit("many");
    let bare = tempfile::tempdir().unwrap();
    git_in(bare.path(), &["clone", "-q", "--bare", &crate::support::file_url(t.path()), "."]);
    let repo = Repo::open(bare.path()).unwrap();
    assert!(repo.is_bare());
    assert!(repo.workdir().is_none());
    let src: Arc<TreeSource> = Arc::new(repo.tree_source(&repo.resolve("main").unwrap()).unwrap());
    let handles: Vec<_> = (0..4)
        .map(|k| {
            let src = src.clone();
            std::thread::spawn(move || {
                for i in (k..40).step_by(4) {
                    assert_eq!(text(&*src, &format!("f/{i}.yaml")), format!("n: {i}\n"));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}
