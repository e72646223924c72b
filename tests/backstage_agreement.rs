//! Agreement with Backstage: a seeded corpus of descriptor files (valid entities of every kind
//! and mutations of every rule family) goes through Backstage's own validator (node, the
//! published `@backstage/catalog-model` and `@backstage/plugin-scaffolder-common`, see
//! tests/backstage/) and through paved; the verdicts must match for every file.
//!
//! `PAVED_AGREEMENT_SEED` and `PAVED_AGREEMENT_ROUNDS` (default 10 rounds, ~2,300 files)
//! explore further corpora.

#[path = "backstage_agreement/chars.rs"]
mod chars;
#[path = "backstage_agreement/corpus.rs"]
mod corpus;
#[path = "backstage_agreement/faults.rs"]
mod faults;
#[path = "backstage_agreement/fields.rs"]
mod fields;
#[path = "backstage_agreement/metadata.rs"]
mod metadata;
#[path = "backstage_agreement/oracle.rs"]
mod oracle;
#[path = "backstage_agreement/rng.rs"]
mod rng;
#[path = "backstage_agreement/spec.rs"]
mod spec;
#[path = "backstage_agreement/tree.rs"]
mod tree;
#[path = "backstage_agreement/valid.rs"]
mod valid;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::OnceLock;

use corpus::Case;
use oracle::Verdict;
use paved::config::Config;
use paved::report::{Diagnostic, Severity};

const DEFAULT_SEED: u64 = 0x7ADE_0002;
const DEFAULT_ROUNDS: usize = 10;

fn env_num(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

struct Run {
    seed: u64,
    cases: Vec<Case>,
    /// Backstage's verdict per case, same order.
    verdicts: Result<Vec<Verdict>, String>,
}

/// The corpus and Backstage's verdicts on it, computed once for all tests of this binary.
fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let seed = env_num("PAVED_AGREEMENT_SEED").unwrap_or(DEFAULT_SEED);
        let rounds = env_num("PAVED_AGREEMENT_ROUNDS").map_or(DEFAULT_ROUNDS, |r| r as usize);
        let mut cases = corpus::corpus(seed, rounds);
        for (path, text) in example_files() {
            let id = cases.len();
            cases.push(Case { id, family: "examples", note: path, text, accept: true });
        }
        let files: Vec<(usize, &str)> = cases.iter().map(|c| (c.id, c.text.as_str())).collect();
        let verdicts = oracle::verdicts(&files);
        Run { seed, cases, verdicts }
    })
}

fn verdicts(run: &Run) -> &[Verdict] {
    match &run.verdicts {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

/// The catalog descriptors of examples/: the root catalog-info.yaml and everything under
/// examples/catalog/.
fn example_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut out = Vec::new();
    let mut dirs = vec![root.join("catalog")];
    out.push(("examples/catalog-info.yaml".to_string(), root.join("catalog-info.yaml")));
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let rel = p.strip_prefix(root.parent().unwrap_or(&root)).unwrap_or(&p);
                out.push((rel.to_string_lossy().into_owned(), p));
            }
        }
    }
    out.sort();
    out.into_iter().map(|(rel, p)| (rel, std::fs::read_to_string(&p).expect("examples are readable"))).collect()
}

fn verdict_word(ok: bool) -> &'static str {
    if ok { "accepts" } else { "rejects" }
}

fn show(case: &Case, extra: &str) -> String {
    let mut s = format!("--- case {} [{}] {}\n{extra}\n", case.id, case.family, case.note);
    for line in case.text.lines() {
        let _ = writeln!(s, "    | {line}");
    }
    s
}

#[test]
fn corpus_is_large_and_covers_every_family_and_kind() {
    let cases = corpus::corpus(DEFAULT_SEED, DEFAULT_ROUNDS);
    assert!(cases.len() >= 2000, "only {} documents", cases.len());
    let mut by_family: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for c in &cases {
        let e = by_family.entry(c.family).or_default();
        if c.accept { e.0 += 1 } else { e.1 += 1 }
    }
    for (family, _, _) in corpus::FAMILIES {
        let (acc, rej) = by_family.get(family).copied().unwrap_or_default();
        assert!(acc > 0 || rej > 0, "family {family} produced nothing");
        if *family != "valid" {
            assert!(acc > 0 && rej > 0, "family {family} should produce both verdicts: {acc} accepted, {rej} rejected");
        }
    }
    for kind in valid::KINDS {
        let needle = format!("kind: {}\n", kind.name());
        assert!(
            cases.iter().any(|c| c.family == "valid" && c.text.contains(&needle)),
            "no valid {} in the corpus",
            kind.name()
        );
    }
    // Same seed, same bytes.
    let again = corpus::corpus(DEFAULT_SEED, DEFAULT_ROUNDS);
    assert!(cases.iter().zip(&again).all(|(a, b)| a.text == b.text));
}

#[test]
fn backstage_gives_every_case_the_verdict_its_family_intends() {
    let run = run();
    let verdicts = verdicts(run);
    let mut report = String::new();
    let mut wrong = 0;
    for (case, v) in run.cases.iter().zip(verdicts) {
        if case.accept != v.ok {
            wrong += 1;
            if wrong <= 40 {
                let extra = format!(
                    "intended: Backstage {}; Backstage {}: {}",
                    verdict_word(case.accept),
                    verdict_word(v.ok),
                    v.message.as_deref().unwrap_or("-")
                );
                report.push_str(&show(case, &extra));
            }
        }
    }
    assert!(
        wrong == 0,
        "{wrong} of {} cases (seed {:#x}) did not get the verdict their family intends:\n{report}",
        run.cases.len(),
        run.seed
    );
}

/// The configuration verdict.js models: Backstage's defaults for a repository registered by
/// URL (only `url` Location targets), all nine kinds allowed.
fn backstage_config() -> Config {
    let mut cfg = Config::default();
    cfg.catalog.location_types = vec!["url".into()];
    cfg
}

/// paved's verdict: a file is rejected when any `backstage/*` rule reports an error.
fn paved_rejections(case: &Case, cfg: &Config) -> Vec<Diagnostic> {
    let file = format!("corpus/{}-{}.yaml", case.family, case.id);
    paved::catalog::check_text(&file, case.text.as_bytes(), cfg)
        .into_iter()
        .filter(|d| d.rule.starts_with("backstage/") && d.severity == Severity::Error)
        .collect()
}

/// Disagreements the catalog rules do not handle yet, each reported in
/// /work/brief/catalog-disagreements.md: (text in the case's note, why). Empty means 100%.
const KNOWN: &[(&str, &str)] = &[];

fn known(case: &Case) -> Option<&'static str> {
    KNOWN.iter().find(|(needle, _)| case.note.contains(needle)).map(|(_, why)| *why)
}

#[test]
fn paved_agrees_with_backstage_on_every_document() {
    let run = run();
    let verdicts = verdicts(run);
    let cfg = backstage_config();
    let mut report = String::new();
    let mut per_family: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut wrong = 0;
    let mut known_left = BTreeMap::new();
    for (case, v) in run.cases.iter().zip(verdicts) {
        let found = paved_rejections(case, &cfg);
        let entry = per_family.entry(case.family).or_default();
        entry.0 += 1;
        if found.is_empty() != v.ok
            && let Some(why) = known(case)
        {
            known_left.entry(why).or_insert_with(Vec::new).push(format!("{} [{}] {}", case.id, case.family, case.note));
            continue;
        }
        if found.is_empty() != v.ok {
            entry.1 += 1;
            wrong += 1;
            if wrong <= 60 {
                let paved: Vec<String> =
                    found.iter().map(|d| format!("{} {}:{} {}", d.rule, d.line, d.column, d.message)).collect();
                let extra = format!(
                    "Backstage {}: {}\npaved {}: {}",
                    verdict_word(v.ok),
                    v.message.as_deref().unwrap_or("-"),
                    verdict_word(found.is_empty()),
                    if paved.is_empty() { "no backstage/* error".to_string() } else { paved.join(" | ") }
                );
                report.push_str(&show(case, &extra));
            }
        }
    }
    let summary: Vec<String> =
        per_family.iter().filter(|(_, (_, w))| *w > 0).map(|(f, (n, w))| format!("{f}: {w} of {n}")).collect();
    if !known_left.is_empty() {
        eprintln!("known disagreements still open:");
        for (why, cases) in &known_left {
            eprintln!("  {why}: {}", cases.join("; "));
        }
    }
    assert!(
        wrong == 0,
        "paved and Backstage disagree on {wrong} of {} documents (seed {:#x}); by family: {}\n{report}",
        run.cases.len(),
        run.seed,
        summary.join(", ")
    );
}

/// examples/ is the catalog users copy from: paved finds nothing wrong with it (cross-file
/// rules included), and it holds every kind. (Backstage's side is the `examples` family above.)
#[test]
fn examples_catalog_is_clean_and_complete() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let tree = paved::source::WorkTree::new(&root).expect("examples/ exists");
    let cfg = match std::fs::read_to_string(root.join("paved.yaml")) {
        Ok(text) => Config::parse("paved.yaml", &text).expect("examples/paved.yaml is valid"),
        Err(_) => Config::default(),
    };
    let (catalog, report) = paved::catalog::load(&tree, &cfg);
    let problems: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| format!("{}:{}:{} {} {}", d.file, d.line, d.column, d.rule, d.message))
        .collect();
    assert!(problems.is_empty(), "paved finds problems in examples/:\n{}", problems.join("\n"));
    assert!(catalog.len() >= 40, "examples/ has only {} entities", catalog.len());
    for kind in valid::KINDS {
        assert!(catalog.entities().iter().any(|e| e.kind == kind.name()), "examples/ has no {}", kind.name());
    }
    let examples = run().cases.iter().filter(|c| c.family == "examples").count();
    assert!(examples >= 20, "only {examples} example files reached the Backstage comparison");
}

/// paved checks most documents against the kinds' schemas on the YAML tree and asks the
/// `jsonschema` crate only about the rest; on every document of the corpus (mutations of every
/// rule family) and of examples/, the quick check must never call valid what jsonschema rejects.
/// Needs no node.
#[test]
fn quick_schema_check_never_accepts_what_jsonschema_rejects() {
    let mut cases = corpus::corpus(DEFAULT_SEED, DEFAULT_ROUNDS);
    cases.extend(example_files().into_iter().map(|(note, text)| Case {
        id: 0,
        family: "examples",
        note,
        text,
        accept: true,
    }));
    let mut report = String::new();
    let mut wrong = 0;
    for case in &cases {
        if let Err(e) = paved::catalog::quick_check_agrees(&case.text) {
            wrong += 1;
            if wrong <= 20 {
                report.push_str(&show(case, &e));
            }
        }
    }
    assert!(wrong == 0, "{wrong} of {} cases:\n{report}", cases.len());
}
