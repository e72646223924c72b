//! The container image: its scripts run here (no container engine is needed), the Dockerfile
//! checked for what must hold (stages, pinned and verified downloads, non-root, labels,
//! health check, files it copies exist).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

use crate::support::{clear_ci_env, paved, read, root, stderr, stdout};

fn sh(script: &str, args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg(root().join(script)).args(args).current_dir(dir);
    clear_ci_env(&mut cmd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[test]
fn fetch_tool_installs_only_what_matches_its_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fetch = |args: &[&str]| sh("ci/docker/fetch-tool.sh", args, d, &[]);
    let artifact = b"#!/bin/sh\necho atmos 1.0\n";
    std::fs::write(d.join("atmos_1.0_linux_amd64"), artifact).unwrap();
    let url = format!("file://{}", d.join("atmos_1.0_linux_amd64").display());
    let good = sha256(artifact);

    // A plain binary.
    let out = fetch(&["ATMOS_SHA256", &url, &good, d.join("atmos").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(d.join("atmos")).unwrap(), artifact);
    let ran = Command::new(d.join("atmos")).output().unwrap();
    assert_eq!(stdout(&ran), "atmos 1.0\n", "installed executable");

    // A wrong checksum installs nothing and says what it expected.
    let bad = sha256(b"something else");
    let out = fetch(&["ATMOS_SHA256", &url, &bad, d.join("atmos-bad").to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains(&format!("checksum mismatch for {url}: expected {bad}, got {good}")));
    assert!(!d.join("atmos-bad").exists());

    // A missing or malformed checksum is refused before downloading.
    for sha in ["", "abc", &good.to_uppercase()] {
        let out = fetch(&["ATMOS_SHA256", &url, sha, d.join("atmos-none").to_str().unwrap()]);
        assert!(!out.status.success(), "{sha:?}");
        assert!(stderr(&out).contains("ATMOS_SHA256: a SHA-256 checksum (64 hex digits) is required"));
        assert!(!d.join("atmos-none").exists());
    }

    // A file that cannot be downloaded.
    let out = fetch(&["ATMOS_SHA256", "file:///nonexistent/x", &good, d.join("x").to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("cannot download file:///nonexistent/x"));
}

#[test]
fn fetch_tool_unpacks_one_member_of_tar_gz_and_zip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = d.join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("tofu"), "#!/bin/sh\necho tofu\n").unwrap();
    std::fs::write(src.join("LICENSE"), "MPL").unwrap();
    let tar =
        Command::new("tar").args(["-czf", "../tofu.tar.gz", "tofu", "LICENSE"]).current_dir(&src).status().unwrap();
    assert!(tar.success());
    let zip = Command::new("zip").args(["-q", "../terraform.zip", "tofu", "LICENSE"]).current_dir(&src).status();
    for (archive, available) in [("tofu.tar.gz", true), ("terraform.zip", zip.is_ok_and(|s| s.success()))] {
        if !available {
            eprintln!("zip is not installed; the .zip case is skipped");
            continue;
        }
        let bytes = std::fs::read(d.join(archive)).unwrap();
        let url = format!("file://{}", d.join(archive).display());
        let dest = d.join(format!("installed-{archive}"));
        let out = sh("ci/docker/fetch-tool.sh", &["X", &url, &sha256(&bytes), dest.to_str().unwrap(), "tofu"], d, &[]);
        assert!(out.status.success(), "{archive}: {}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "#!/bin/sh\necho tofu\n");
    }
}

/// A stand-in paved that prints its arguments and knows `validate` and `serve`.
fn standin(dir: &Path) -> String {
    let path = dir.join("paved-standin");
    std::fs::write(
        &path,
        "#!/bin/sh\nif [ \"$1\" = help ]; then case \"$2\" in validate|serve) exit 0 ;; *) exit 2 ;; esac; fi\necho \"paved $*\"\n",
    )
    .unwrap();
    Command::new("chmod").arg("+x").arg(&path).status().unwrap();
    path.display().to_string()
}

#[test]
fn entrypoint_routes_subcommands_options_and_programs() {
    let dir = tempfile::tempdir().unwrap();
    let bin = standin(dir.path());
    let run = |args: &[&str]| stdout(&sh("ci/docker/entrypoint.sh", args, dir.path(), &[("PAVED_BIN", &bin)]));
    assert_eq!(run(&[]), "paved serve\n");
    assert_eq!(run(&["serve", "--port", "9"]), "paved serve --port 9\n");
    assert_eq!(run(&["validate", "."]), "paved validate .\n");
    assert_eq!(run(&["--version"]), "paved --version\n");
    assert_eq!(run(&["paved", "anything"]), "paved anything\n");
    assert_eq!(run(&["echo", "a program"]), "a program\n");
    assert_eq!(run(&["sh", "-c", "echo from a shell"]), "from a shell\n");
}

#[test]
fn entrypoint_runs_the_real_paved() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("paved.yaml"), "bogus: 1\n").unwrap();
    let out = sh("ci/docker/entrypoint.sh", &["validate", "--format", "json"], dir.path(), &[("PAVED_BIN", paved())]);
    assert_eq!(out.status.code(), Some(1), "paved's exit status passes through");
    assert!(stdout(&out).contains("\"config/invalid\""));
    let out = sh("ci/docker/entrypoint.sh", &["--version"], dir.path(), &[("PAVED_BIN", paved())]);
    assert!(stdout(&out).starts_with("paved "));
}

/// Serves one HTTP request with `status` on a free port; returns the URL.
fn serve_once(status: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/healthz", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = write!(s, "HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    url
}

#[test]
fn healthcheck_passes_only_when_serve_answers_ok() {
    let dir = tempfile::tempdir().unwrap();
    let check = |url: &str| sh("ci/docker/entrypoint.sh", &["healthcheck"], dir.path(), &[("PAVED_HEALTH_URL", url)]);
    assert_eq!(check(&serve_once("200 OK")).status.code(), Some(0));
    assert_ne!(check(&serve_once("503 Service Unavailable")).status.code(), Some(0));
    // Nothing listening.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    assert_ne!(check(&format!("http://127.0.0.1:{port}/healthz")).status.code(), Some(0));
}

#[test]
fn dockerfile_is_multi_stage_pinned_verified_and_non_root() {
    let df = read("Dockerfile");
    let froms: Vec<&str> = df.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert!(froms.len() >= 3, "build, tools and the final stage");
    assert!(froms.last().unwrap().contains("-slim"), "a small final image");
    for arg in [
        "ATMOS_VERSION",
        "ATMOS_SHA256",
        "TERRAFORM_VERSION",
        "TERRAFORM_SHA256",
        "OPENTOFU_VERSION",
        "OPENTOFU_SHA256",
    ] {
        assert!(df.lines().any(|l| l.starts_with(&format!("ARG {arg}="))), "build argument {arg}");
    }
    // Every download goes through fetch-tool with its checksum.
    assert!(!df.contains("curl -") && !df.contains("wget "), "no download bypasses fetch-tool");
    for (tool, sha) in [("atmos", "ATMOS_SHA256"), ("terraform", "TERRAFORM_SHA256"), ("tofu", "OPENTOFU_SHA256")] {
        let call = format!("fetch-tool {sha}");
        assert!(df.contains(&call), "{tool} is fetched with {sha}");
        assert!(df.contains(&format!("\"${{{sha}}}\" /opt/tools/bin/{tool}")), "{tool} is verified by {sha}");
    }
    // The last USER of the final stage is numeric and not root.
    let final_stage = &df[df.rfind("\nFROM ").unwrap()..];
    let user = final_stage.lines().filter_map(|l| l.strip_prefix("USER ")).next_back().expect("USER");
    let uid: u32 = user.split(':').next().unwrap().parse().expect("numeric uid");
    assert_ne!(uid, 0);
    assert!(final_stage.contains("HEALTHCHECK ") && final_stage.contains("docker-entrypoint\", \"healthcheck\""));
    for label in ["title", "description", "licenses", "version", "revision", "created", "source"] {
        assert!(final_stage.contains(&format!("org.opencontainers.image.{label}=")), "OCI label {label}");
    }
    // Files the Dockerfile copies from the context exist.
    for line in df.lines().filter(|l| l.starts_with("COPY ") && !l.contains("--from=")) {
        let src = line.split_whitespace().nth(1).unwrap();
        if src != "." {
            assert!(root().join(src).exists(), "{src} is copied but missing");
        }
    }
    assert!(read(".dockerignore").lines().any(|l| l == "target"), "the build context leaves target/ out");
}

#[test]
fn docker_scripts_are_posix_and_shellcheck_clean() {
    for s in ["ci/docker/entrypoint.sh", "ci/docker/fetch-tool.sh"] {
        assert!(read(s).starts_with("#!/bin/sh\n"), "{s} runs under /bin/sh");
        let out = Command::new("dash").arg("-n").arg(root().join(s)).output();
        if let Ok(o) = out {
            assert!(o.status.success(), "{s} is not POSIX sh: {}", stderr(&o));
        }
        match Command::new("shellcheck").arg("--shell=sh").arg(root().join(s)).output() {
            Ok(o) => assert!(o.status.success(), "{s}:\n{}", stdout(&o)),
            Err(_) => eprintln!("shellcheck is not installed; skipped"),
        }
    }
}
