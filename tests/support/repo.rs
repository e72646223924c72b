//! Helpers the process-level tests share: git in a temporary folder, copying a fixture tree,
//! and signing GitHub deliveries.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Stdio};

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// git in `dir` with a fixed identity and `main` as the first branch.
fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.args(["-c", "user.name=Paved Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir);
    cmd
}

/// Runs git in `dir`; panics on failure.
pub fn git(dir: &Path, args: &[&str]) {
    let ok = git_command(dir, args).stdout(Stdio::null()).status().unwrap().success();
    assert!(ok, "git {args:?}");
}

/// git's answer on stdout, trimmed (e.g. `rev-parse`); panics on failure.
pub fn git_out(dir: &Path, args: &[&str]) -> String {
    let out = git_command(dir, args).stderr(Stdio::inherit()).output().unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Copies a tree, leaving out any `.paved` state folder.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == ".paved" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `X-Hub-Signature-256` for `body`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}
