//! ci/github/install.sh: paved on PATH is reused; a release is downloaded, checked against its
//! .sha256 and put on the job's PATH; a bad checksum installs nothing.

use std::path::Path;
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

use crate::support::{clear_ci_env, root, stdout};

fn target() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "aarch64-unknown-linux-gnu",
        _ => "x86_64-unknown-linux-gnu",
    }
}

/// A fake paved that reports `version`.
fn fake_paved(dir: &Path, version: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("paved"), format!("#!/bin/sh\necho 'paved {version}'\n")).unwrap();
    Command::new("chmod").arg("+x").arg(dir.join("paved")).status().unwrap();
}

/// Publishes a release archive of a fake paved under `base/download/v<version>/`.
fn publish(base: &Path, version: &str, corrupt_checksum: bool) {
    let stage = base.join("stage");
    fake_paved(&stage.join(format!("paved-{version}")), version);
    let dir = base.join(format!("download/v{version}"));
    std::fs::create_dir_all(&dir).unwrap();
    let archive = dir.join(format!("paved-{}.tar.gz", target()));
    let ok = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg(format!("paved-{version}"))
        .current_dir(&stage)
        .status()
        .unwrap();
    assert!(ok.success());
    let mut digest = hex::encode(Sha256::digest(std::fs::read(&archive).unwrap()));
    if corrupt_checksum {
        digest = digest.replace(|c: char| c.is_ascii_digit(), "0");
    }
    std::fs::write(dir.join(format!("paved-{}.tar.gz.sha256", target())), format!("{digest}  paved.tar.gz\n")).unwrap();
}

fn install(work: &Path, version: &str, path_dirs: &[&Path]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("ci/github/install.sh")).current_dir(work);
    clear_ci_env(&mut cmd);
    let mut path: Vec<String> = path_dirs.iter().map(|p| p.display().to_string()).collect();
    path.push("/usr/bin:/bin".into());
    cmd.env("PATH", path.join(":"))
        .env("INPUT_PAVED_VERSION", version)
        .env("PAVED_DOWNLOAD_BASE", format!("file://{}", work.join("releases").display()))
        .env("RUNNER_TOOL_CACHE", work.join("tool-cache"))
        .env("RUNNER_TEMP", work)
        .env("GITHUB_PATH", work.join("github-path"));
    cmd.output().unwrap()
}

#[test]
fn reuses_paved_on_path_when_the_version_fits() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    fake_paved(&bin, "1.2.3");
    for version in ["", "1.2.3", "v1.2.3"] {
        let out = install(dir.path(), version, &[&bin]);
        assert!(out.status.success(), "{version:?}");
        assert!(stdout(&out).starts_with("paved 1.2.3 is on PATH"), "{}", stdout(&out));
    }
    assert!(!dir.path().join("github-path").exists(), "nothing added to PATH");
}

#[test]
fn downloads_verifies_and_adds_a_release_to_path() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    publish(&dir.path().join("releases"), "2.0.0", false);
    let old = dir.path().join("old");
    fake_paved(&old, "1.0.0");
    let out = install(dir.path(), "2.0.0", &[&old]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    let added = std::fs::read_to_string(dir.path().join("github-path")).unwrap();
    let bin_dir = dir.path().join("tool-cache/paved/2.0.0/bin");
    assert_eq!(added, format!("{}\n", bin_dir.display()));
    let ran = Command::new(bin_dir.join("paved")).arg("--version").output().unwrap();
    assert_eq!(stdout(&ran), "paved 2.0.0\n");
}

#[test]
fn a_checksum_mismatch_or_missing_release_installs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    publish(&dir.path().join("releases"), "3.0.0", true);
    let out = install(dir.path(), "3.0.0", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("::error title=paved::checksum mismatch"), "{}", stdout(&out));
    assert!(!dir.path().join("tool-cache").exists());
    assert!(!dir.path().join("github-path").exists());

    let out = install(dir.path(), "9.9.9", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("::error title=paved::cannot download"), "{}", stdout(&out));
}
