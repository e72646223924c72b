//! Shared helpers: the repository root, the debug paved binary, temp repositories.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn paved() -> &'static str {
    env!("CARGO_BIN_EXE_paved")
}

pub fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Runs paved with `args` in `dir`, with no CI variables from the machine running the tests.
pub fn run_paved(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(paved());
    cmd.args(args).current_dir(dir);
    clear_ci_env(&mut cmd);
    cmd.output().expect("run paved")
}

/// Removes the variables CI systems set, so a test sees only what it sets itself.
pub fn clear_ci_env(cmd: &mut Command) {
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("GITHUB_")
            || k.starts_with("CI_")
            || k.starts_with("RUNNER_")
            || k.starts_with("INPUT_")
            || k.starts_with("PAVED_")
            || k == "GITLAB_CI"
            || k == "CI"
        {
            cmd.env_remove(k.as_ref());
        }
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `git` in `dir` with a fixed identity; panics on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
