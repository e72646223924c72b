use paved::git::{Change, ChangeKind, Repo};
use paved::source::RelPath;

use crate::support::TestRepo;

fn p(s: &str) -> RelPath {
    RelPath::new(s).unwrap()
}

fn change(path: &str, kind: ChangeKind) -> Change {
    Change { path: p(path), kind, submodule: false }
}

#[test]
fn lists_added_modified_deleted_and_renamed_paths() {
    let t = TestRepo::new();
    let body = "a long enough body so that rename detection has something to compare\n".repeat(5);
    t.write("keep.yaml", "k").write("edit.yaml", "1").write("gone.yaml", "g").write("old/name.yaml", &body);
    let base = t.commit("base");
    t.write("edit.yaml", "2").remove("gone.yaml").write("new.yaml", "n").remove("old/name.yaml");
    t.write("moved/name.yaml", &body);
    let head = t.commit("head");
    let repo = Repo::open(t.path()).unwrap();
    let d = repo.diff(&repo.resolve(&base).unwrap(), &repo.resolve(&head).unwrap()).unwrap();
    assert_eq!(
        d.changes,
        vec![
            change("edit.yaml", ChangeKind::Modified),
            change("gone.yaml", ChangeKind::Deleted),
            change("moved/name.yaml", ChangeKind::Renamed { from: p("old/name.yaml") }),
            change("new.yaml", ChangeKind::Added),
        ]
    );
    let touched: Vec<_> = d.touched().map(ToString::to_string).collect();
    assert!(touched.contains(&"old/name.yaml".to_string()));
    assert_eq!(touched.len(), 5);
    // Same commit: nothing.
    let same = repo.resolve(&head).unwrap();
    assert!(repo.diff(&same, &same).unwrap().is_empty());
}

#[test]
fn the_working_tree_diff_sees_staged_unstaged_and_untracked_changes() {
    let t = TestRepo::new();
    t.write("staged.yaml", "1").write("unstaged.yaml", "1").write("deleted.yaml", "1").write(".gitignore", "*.log\n");
    let base = t.commit("base");
    t.write("staged.yaml", "2");
    t.git(&["add", "staged.yaml"]);
    t.write("unstaged.yaml", "2").remove("deleted.yaml").write("dir/untracked.yaml", "u").write("noise.log", "x");
    let repo = Repo::open(t.path()).unwrap();
    let d = repo.diff_workdir(&repo.resolve(&base).unwrap()).unwrap();
    assert_eq!(
        d.changes,
        vec![
            change("deleted.yaml", ChangeKind::Deleted),
            change("dir/untracked.yaml", ChangeKind::Added),
            change("staged.yaml", ChangeKind::Modified),
            change("unstaged.yaml", ChangeKind::Modified),
        ]
    );
}

#[test]
fn a_moved_submodule_is_flagged() {
    let sub = TestRepo::new();
    sub.write("x", "1");
    sub.commit("one");
    let t = TestRepo::new();
    t.git(&["submodule", "add", "-q", &crate::support::file_url(sub.path()), "sub"]);
    let base = t.commit("add submodule");
    sub.write("x", "2");
    sub.commit("two");
    t.git(&["-C", "sub", "pull", "-q", "origin", "main"]);
    let head = t.commit("bump submodule");
    let repo = Repo::open(t.path()).unwrap();
    let d = repo.diff(&repo.resolve(&base).unwrap(), &repo.resolve(&head).unwrap()).unwrap();
    assert_eq!(d.changes, vec![Change { path: p("sub"), kind: ChangeKind::Modified, submodule: true }]);
}

#[test]
fn a_bare_repository_has_no_working_tree_to_diff() {
    let t = TestRepo::new();
    t.write("a", "1");
    let c = t.commit("one");
    let bare = tempfile::tempdir().unwrap();
    crate::support::git_in(bare.path(), &["clone", "-q", "--bare", &crate::support::file_url(t.path()), "."]);
    let repo = Repo::open(bare.path()).unwrap();
    let err = repo.diff_workdir(&repo.resolve(&c).unwrap()).unwrap_err();
    assert!(err.to_string().contains("bare repository"), "{err}");
}
