//! Reading a commit's tree without a checkout: open a `TreeSource`, walk it, read every
//! file, and the same through the working tree for comparison.

use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};
use paved::git::Repo;
use paved::source::{FileSource, RelPath, WorkTree, walk_files};

/// A repository of `n` small YAML files in 20 directories, committed once.
fn fixture(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..n {
        let p = dir.path().join(format!("stacks/d{}/f{i}.yaml", i % 20));
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, format!("vars:\n  index: {i}\n  name: component-{i}\n")).expect("write");
    }
    for args in [&["init", "-q", "-b", "main"][..], &["add", "-A"], &["commit", "-q", "-m", "fixture"]] {
        let ok = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "b")
            .env("GIT_AUTHOR_EMAIL", "b@example.com")
            .env("GIT_COMMITTER_NAME", "b")
            .env("GIT_COMMITTER_EMAIL", "b@example.com")
            .status()
            .expect("git runs")
            .success();
        assert!(ok, "git {args:?}");
    }
    dir
}

fn read_all(src: &dyn FileSource) -> usize {
    let files = walk_files(src, &RelPath::root()).expect("walk");
    files.iter().map(|f| src.read(f, 1 << 20).expect("read").len()).sum()
}

fn bench(c: &mut Criterion) {
    let dir = fixture(1000);
    let repo = Repo::open(dir.path()).expect("repo");
    let head = repo.head().expect("head");
    let mut g = c.benchmark_group("tree_1000_files");
    g.bench_function("tree_source_open", |b| b.iter(|| repo.tree_source(&head).expect("tree")));
    let src = repo.tree_source(&head).expect("tree");
    g.bench_function("tree_source_walk_and_read", |b| b.iter(|| read_all(&src)));
    g.bench_function("tree_source_content_ids", |b| {
        let files = walk_files(&src, &RelPath::root()).expect("walk");
        b.iter(|| files.iter().filter_map(|f| src.content_id(f)).count())
    });
    let wt = WorkTree::new(dir.path()).expect("worktree");
    g.bench_function("worktree_walk_and_read", |b| b.iter(|| read_all(&wt)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
