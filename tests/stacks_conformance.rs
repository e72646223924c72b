//! Runs every case of Atmos's conformance set (../shared/conformance/atmos, or
//! $PAVED_ATMOS_CONFORMANCE) through the `paved` binary and compares with what Atmos
//! produced. Each case passes, or is listed in `UNSUPPORTED` with the exact reason; a listed
//! case that starts passing fails the test too, so the list stays true.

#[path = "stacks/compare.rs"]
mod compare;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

/// Cases paved does not pass, and why.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("affected-templates-on", "describe affected is the `affected` capability (src/affected), not the stacks engine"),
    ("affected-templates-off", "describe affected is the `affected` capability (src/affected), not the stacks engine"),
    ("affected-exclude-locked", "describe affected is the `affected` capability (src/affected), not the stacks engine"),
    (
        "affected-include-dependents",
        "describe affected is the `affected` capability (src/affected), not the stacks engine",
    ),
    (
        "affected-include-dependents-templates-off",
        "describe affected is the `affected` capability (src/affected), not the stacks engine",
    ),
    (
        "affected-include-dependents-only-in-ue1-network",
        "describe affected is the `affected` capability (src/affected), not the stacks engine",
    ),
    (
        "affected-include-dependents-only-in-uw2-network",
        "describe affected is the `affected` capability (src/affected), not the stacks engine",
    ),
];

fn conformance_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PAVED_ATMOS_CONFORMANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/atmos"));
    dir.join("cases.yaml").is_file().then(|| std::fs::canonicalize(&dir).unwrap_or(dir))
}

/// `atmos <args>` as the equivalent paved command line.
fn paved_args(case: &Json) -> Option<Vec<String>> {
    let args: Vec<String> = case["args"].as_array()?.iter().filter_map(|a| a.as_str().map(str::to_owned)).collect();
    let env = &case["env"];
    let mut out = args.clone();
    match (args.first().map(String::as_str), args.get(1).map(String::as_str)) {
        (Some("describe"), Some("component")) => {
            // Atmos's 2026-07 edition defaults print provenance unless
            // ATMOS_DESCRIBE_PROVENANCE=false; paved's equivalent is --provenance.
            let json = args.windows(2).any(|w| w[0] == "--format" && w[1] == "json");
            if env["ATMOS_DESCRIBE_PROVENANCE"].as_str() != Some("false")
                && !json
                && !args.contains(&"--provenance".to_string())
            {
                out.push("--provenance".into());
            }
        }
        (Some("validate"), Some("stacks")) => {
            // `paved validate` over the repository, with a paved.yaml naming the scenario as
            // the stacks repository, no catalog, and no policies (`atmos validate stacks` does
            // not run the OPA `settings.validation` entries).
            out = vec!["validate".into(), "--format".into(), "json".into()];
        }
        _ => {}
    }
    Some(out)
}

fn run_case(root: &Path, bin: &Path, case: &Json) -> Result<(), Vec<String>> {
    if case["kind"] == "manifest-merge" {
        return manifest_merge(root, case);
    }
    if case["kind"] != "cli" {
        return Err(vec![format!("kind {} is not run by this test", case["kind"])]);
    }
    let scenario = root.join("scenarios").join(case["scenario"].as_str().unwrap_or(""));
    let cwd = scenario.join(case["cwd"].as_str().unwrap_or("."));
    let args = paved_args(case).ok_or_else(|| vec!["no args".to_string()])?;
    let mut cmd = Command::new(bin);
    cmd.current_dir(&cwd).args(&args).env_clear();
    for key in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(key) {
            cmd.env(key, v);
        }
    }
    for (k, v) in case["env"].as_object().into_iter().flatten() {
        cmd.env(k, v.as_str().unwrap_or(""));
    }
    cmd.env("PAVED_ROOT", root);
    let tmp = tempfile::tempdir().map_err(|e| vec![e.to_string()])?;
    if args.first().map(String::as_str) == Some("validate") {
        let rel = cwd.strip_prefix(root).map_err(|e| vec![e.to_string()])?;
        let cfg = tmp.path().join("paved.yaml");
        std::fs::write(
            &cfg,
            format!("catalog:\n  roots: []\nstacks:\n  path: {}\nrules:\n  \"policy/*\": \"off\"\n", rel.display()),
        )
        .map_err(|e| vec![e.to_string()])?;
        cmd.arg(root).arg("--config").arg(&cfg);
    }
    let out = cmd.output().map_err(|e| vec![e.to_string()])?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let expected = case["expected"].as_str().map(|f| {
        let text = std::fs::read_to_string(root.join(f)).unwrap_or_default();
        let r = root.display();
        text.replace("/absolute/path/to/repo/tests/fixtures/scenarios/", &format!("{r}/scenarios/"))
            .replace("/absolute/path/to/repo/tests/fixtures/", &format!("{r}/"))
            .replace("/absolute/path/to/repo/examples/", &format!("{r}/scenarios/examples-"))
    });
    // paved validate prints its report on stdout; Atmos prints nothing there.
    let stdout_for_compare = if args.first().map(String::as_str) == Some("validate") { String::new() } else { stdout };
    // ... and its findings through its report, not Atmos's stderr wording.
    let mut case = case.clone();
    if args.first().map(String::as_str) == Some("validate") {
        case["stderr_contains"] = Json::Null;
    }
    let errs =
        compare::check(&case, expected.as_deref(), &stdout_for_compare, out.status.code().unwrap_or(-1), &stderr);
    if errs.is_empty() {
        Ok(())
    } else {
        let mut errs = errs;
        errs.push(format!("stderr: {}", stderr.chars().take(800).collect::<String>()));
        Err(errs)
    }
}

/// `kind: manifest-merge`: one manifest merged over its imports, through the library.
fn manifest_merge(root: &Path, case: &Json) -> Result<(), Vec<String>> {
    use paved::source::{RelPath, WorkTree};
    use paved::stacks::{AtmosConfig, LoadOptions, merge_manifest};
    let scenario = format!("scenarios/{}", case["scenario"].as_str().unwrap_or(""));
    let rel = |p: &str| RelPath::new(&format!("{scenario}/{p}")).map_err(|e| vec![e.to_string()]);
    let tree = WorkTree::new(root).map_err(|e| vec![e.to_string()])?;
    let mut cfg = AtmosConfig::defaults();
    cfg.base_path = rel(".")?;
    cfg.stacks_base = rel(case["args"]["stacks_base_path"].as_str().unwrap_or("stacks"))?;
    let opts = LoadOptions { process_templates: false, ..LoadOptions::default() };
    let (merged, diags) = merge_manifest(&tree, &cfg, &opts, &rel(case["args"]["manifest"].as_str().unwrap_or(""))?);
    if !diags.is_empty() {
        return Err(diags.iter().map(|d| d.message.clone()).collect());
    }
    let expected =
        std::fs::read_to_string(root.join(case["expected"].as_str().unwrap_or(""))).map_err(|e| vec![e.to_string()])?;
    let errs = compare::check(case, Some(&expected), &merged.to_string(), 0, "");
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

#[test]
fn atmos_conformance_cases() {
    let Some(root) = conformance_dir() else {
        eprintln!("conformance set not found; skipping");
        return;
    };
    let text = std::fs::read_to_string(root.join("cases.yaml")).unwrap();
    let doc = paved::yaml::parse_one(&text, &Default::default()).unwrap().to_json();
    let cases = doc["cases"].as_array().unwrap();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_paved"));
    let unsupported: BTreeMap<&str, &str> = UNSUPPORTED.iter().copied().collect();
    let only = std::env::var("PAVED_CASE").ok();
    let (mut passed, mut failures, mut surprises) = (0, Vec::new(), Vec::new());
    for case in cases {
        let id = case["id"].as_str().unwrap_or("?");
        if only.as_deref().is_some_and(|o| o != id) {
            continue;
        }
        match (run_case(&root, &bin, case), unsupported.get(id)) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => surprises.push(id.to_string()),
            (Err(_), Some(_)) => {}
            (Err(errs), None) => failures.push(format!("{id}:\n  {}", errs.join("\n  "))),
        }
    }
    eprintln!(
        "atmos conformance: {passed} passed, {} unsupported (listed), {} failed",
        unsupported.len(),
        failures.len()
    );
    assert!(surprises.is_empty(), "listed as unsupported but passing: {surprises:?}");
    assert!(failures.is_empty(), "{} cases failed:\n{}", failures.len(), failures.join("\n"));
}
