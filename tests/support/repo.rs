//! Helpers the process-level tests share: git in a temporary folder, copying a fixture tree,
//! signing GitHub deliveries, and reading a `paved serve` child's log.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

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

/// A `paved serve` child's stderr: the address it listens on, and everything it logged, kept
/// by a thread that drains the pipe so the child never blocks on it.
pub struct ServeLog {
    pub addr: String,
    /// What it logged up to and including the "listening on" line.
    pub early: String,
    text: Arc<Mutex<String>>,
    drain: JoinHandle<()>,
}

impl ServeLog {
    /// Reads `child`'s piped stderr up to its "listening on ADDR" line; panics with what it
    /// logged if the child exits first.
    pub fn wait(child: &mut Child) -> ServeLog {
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr piped"));
        let mut seen = String::new();
        let addr = loop {
            let mut line = String::new();
            assert!(stderr.read_line(&mut line).unwrap() > 0, "paved serve exited before listening:\n{seen}");
            seen.push_str(&line);
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        let text = Arc::new(Mutex::new(seen.clone()));
        let sink = text.clone();
        let drain = std::thread::spawn(move || {
            for l in stderr.lines().map_while(Result::ok) {
                let mut all = sink.lock().unwrap();
                all.push_str(&l);
                all.push('\n');
            }
        });
        ServeLog { addr, early: seen, text, drain }
    }

    /// What the child logged so far.
    pub fn text(&self) -> String {
        self.text.lock().unwrap().clone()
    }

    /// The whole log, once the child has exited.
    pub fn finish(self) -> String {
        let ServeLog { text, drain, .. } = self;
        drain.join().unwrap();
        text.lock().unwrap().clone()
    }
}
