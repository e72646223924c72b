//! Every bundled golden path, rendered with its example answers into a copy of examples/ (a
//! whole platform repository: catalog, stacks, policies) by `paved new`, leaves a repository
//! that `paved validate` finds clean: no errors and no warnings.

use std::fs;
use std::path::Path;

use crate::repo_support::copy_dir;
use assert_cmd::Command;

/// Exit status, stdout, stderr.
fn paved(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("paved").unwrap().args(args).env_remove("PAVED_GOLDEN_PATHS").output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

#[test]
fn every_golden_path_renders_its_example_into_a_clean_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = fs::read_dir(root.join("golden-paths"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().join("template.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 3, "{names:?}");
    for name in &names {
        let template = root.join("golden-paths").join(name);
        let answers = template.join("example-answers.yaml");
        assert!(answers.is_file(), "{name} has no example-answers.yaml");
        let repo = tempfile::tempdir().unwrap();
        copy_dir(&root.join("examples"), repo.path());
        let out = repo.path().to_str().unwrap();
        let (code, stdout, stderr) = paved(&[
            "new",
            template.to_str().unwrap(),
            "--values",
            answers.to_str().unwrap(),
            "--out",
            out,
            "--no-input",
        ]);
        assert_eq!(code, 0, "{name}: paved new\n{stdout}{stderr}");
        let (code, text, stderr) = paved(&["validate", out, "--format", "json"]);
        assert_eq!(code, 0, "{name}: paved validate\n{text}{stderr}");
        let report: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        assert_eq!(report["summary"]["errors"], 0, "{name}: {text}");
        assert_eq!(report["summary"]["warnings"], 0, "{name}: {text}");
        // The render reached the repository: more descriptors than examples/ alone has.
        let (_, before, _) = paved(&["validate", root.join("examples").to_str().unwrap(), "--format", "json"]);
        let before: serde_json::Value = serde_json::from_str(&before).unwrap();
        assert!(report["summary"]["entities"].as_u64() > before["summary"]["entities"].as_u64(), "{name}: {text}");
    }
}
