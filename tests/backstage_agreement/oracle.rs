//! Backstage's verdicts, from its own published packages run by node (tests/backstage/verdict.js),
//! for the whole corpus in one batch.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Verdict {
    pub id: usize,
    pub ok: bool,
    pub message: Option<String>,
}

pub fn backstage_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/backstage")
}

/// Runs verdict.js on `(id, text)` pairs. Missing node or node_modules is a failure, not a skip:
/// this test is how paved knows it agrees with Backstage.
pub fn verdicts(files: &[(usize, &str)]) -> Result<Vec<Verdict>, String> {
    let dir = backstage_dir();
    if !dir.join("node_modules/@backstage/catalog-model").is_dir() {
        return Err(format!(
            "{}/node_modules is missing: run `npm ci` there (scripts/test does) so the test can run Backstage's validator",
            dir.display()
        ));
    }
    let input: Vec<serde_json::Value> =
        files.iter().map(|(id, text)| serde_json::json!({ "id": id, "text": text })).collect();
    let input = serde_json::to_vec(&input).map_err(|e| e.to_string())?;
    let mut child = Command::new("node")
        .arg("verdict.js")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run node (needed for Backstage's validator): {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    // Write from a thread so a full stdout pipe cannot deadlock us.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    writer.join().map_err(|_| "writer panicked")?.map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("verdict.js failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr)));
    }
    let verdicts: Vec<Verdict> = serde_json::from_slice(&out.stdout).map_err(|e| format!("verdict.js output: {e}"))?;
    if verdicts.len() != files.len() || verdicts.iter().zip(files).any(|(v, (id, _))| v.id != *id) {
        return Err("verdict.js answered for other documents than it was given".into());
    }
    Ok(verdicts)
}
