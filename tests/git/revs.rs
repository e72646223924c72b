use paved::git::{GitError, Repo};

use crate::support::{TestRepo, file_url, git_in};

#[test]
fn resolves_branches_tags_short_ids_and_expressions() {
    let t = TestRepo::new();
    t.write("a", "1");
    let first = t.commit("first commit\n\nbody");
    t.git(&["tag", "-a", "v1", "-m", "annotated"]);
    t.write("a", "2");
    let second = t.commit("second");
    let repo = Repo::open(t.path()).unwrap();
    assert_eq!(repo.resolve("main").unwrap().id.to_string(), second);
    assert_eq!(repo.resolve("v1").unwrap().id.to_string(), first);
    assert_eq!(repo.resolve(&first[..8]).unwrap().id.to_string(), first);
    assert_eq!(repo.resolve("HEAD~1").unwrap().id.to_string(), first);
    assert_eq!(repo.resolve("v1").unwrap().summary, "first commit");
    assert_eq!(repo.head().unwrap().id.to_string(), second);
}

#[test]
fn unknown_revisions_and_non_commits_are_clear_errors() {
    let t = TestRepo::new();
    t.write("a", "1");
    t.commit("one");
    let repo = Repo::open(t.path()).unwrap();
    let e = repo.resolve("no-such-branch").unwrap_err();
    assert_eq!(e, GitError::UnknownRevision { rev: "no-such-branch".into() });
    assert!(e.to_string().contains("unknown revision `no-such-branch`"), "{e}");
    assert!(matches!(repo.resolve("0123456789abcdef0123456789abcdef01234567"), Err(GitError::UnknownRevision { .. })));
    assert!(matches!(repo.resolve("HEAD^{tree}"), Err(GitError::NotACommit { .. })));
    assert!(matches!(repo.resolve("HEAD~5"), Err(GitError::UnknownRevision { .. })));
}

#[test]
fn the_fork_point_is_the_merge_base_not_the_tip_of_main() {
    let t = TestRepo::new();
    t.write("a", "1");
    let fork = t.commit("base");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.write("b", "feature");
    let feature = t.commit("feature work");
    t.git(&["checkout", "-q", "main"]);
    t.write("c", "main moved on");
    let main_tip = t.commit("main moves on");
    t.git(&["checkout", "-q", "feature"]);
    let repo = Repo::open(t.path()).unwrap();
    assert_eq!(repo.default_branch().unwrap(), "main");
    let fp = repo.fork_point().unwrap();
    assert_eq!(fp.id.to_string(), fork);
    assert_ne!(fp.id.to_string(), main_tip);
    let (f, m) = (repo.resolve(&feature).unwrap().id, repo.resolve(&main_tip).unwrap().id);
    assert_eq!(repo.merge_base(f, m).unwrap().to_string(), fork);
    assert!(repo.is_ancestor(fp.id, f).unwrap());
    assert!(!repo.is_ancestor(m, f).unwrap());
}

#[test]
fn unrelated_histories_have_no_merge_base() {
    let t = TestRepo::new();
    t.write("a", "1");
    let one = t.commit("one");
    t.git(&["checkout", "-q", "--orphan", "other"]);
    t.write("b", "2");
    let two = t.commit("two");
    let repo = Repo::open(t.path()).unwrap();
    let e = repo.merge_base(repo.resolve(&one).unwrap().id, repo.resolve(&two).unwrap().id).unwrap_err();
    assert!(matches!(e, GitError::NoMergeBase { shallow: false, .. }), "{e}");
}

#[test]
fn the_default_branch_comes_from_origin_head_then_main_then_master() {
    let upstream = TestRepo::new();
    upstream.git(&["checkout", "-q", "-b", "trunk"]);
    upstream.write("a", "1");
    upstream.commit("one");
    let clone = tempfile::tempdir().unwrap();
    git_in(clone.path(), &["clone", "-q", &file_url(upstream.path()), "."]);
    let repo = Repo::open(clone.path()).unwrap();
    assert_eq!(repo.default_branch().unwrap(), "origin/trunk");

    let m = TestRepo::new();
    m.git(&["checkout", "-q", "-b", "master"]);
    m.write("a", "1");
    m.commit("one");
    assert_eq!(Repo::open(m.path()).unwrap().default_branch().unwrap(), "master");

    let none = TestRepo::new();
    none.git(&["checkout", "-q", "-b", "develop"]);
    none.write("a", "1");
    none.commit("one");
    assert_eq!(Repo::open(none.path()).unwrap().default_branch().unwrap_err(), GitError::NoDefaultBranch);
}

#[test]
fn a_shallow_clone_without_the_base_says_how_to_fetch_more() {
    let t = TestRepo::new();
    t.write("a", "1");
    let old = t.commit("old");
    t.write("a", "2");
    t.commit("new");
    let clone = tempfile::tempdir().unwrap();
    git_in(clone.path(), &["clone", "-q", "--depth", "1", &file_url(t.path()), "."]);
    let repo = Repo::open(clone.path()).unwrap();
    assert!(repo.is_shallow());
    let e = repo.resolve(&old).unwrap_err();
    assert!(matches!(e, GitError::NotInShallowClone { .. }), "{e:?}");
    assert!(e.to_string().contains("git fetch --unshallow"), "{e}");
    assert!(e.to_string().contains("fetch-depth: 0"), "{e}");
    assert!(matches!(repo.resolve("HEAD~1"), Err(GitError::NotInShallowClone { .. })));
}

#[test]
fn discovers_from_a_subdirectory_and_names_a_missing_repository() {
    let t = TestRepo::new();
    t.write("deep/er/file", "1");
    t.commit("one");
    let repo = Repo::discover(t.path().join("deep/er")).unwrap();
    assert_eq!(repo.workdir().unwrap().canonicalize().unwrap(), t.path().canonicalize().unwrap());
    assert!(Repo::open(t.path().join("deep")).is_err());
    let empty = tempfile::tempdir().unwrap();
    let e = Repo::open(empty.path()).unwrap_err();
    assert!(matches!(e, GitError::NotARepository { .. }));
    assert!(e.to_string().contains("is not a git repository"), "{e}");
}
