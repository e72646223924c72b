//! Agreement with Backstage: a seeded corpus of descriptor files (valid entities of every kind
//! and mutations of every rule family) goes through Backstage's own validator (node, the
//! published `@backstage/catalog-model` and `@backstage/plugin-scaffolder-common`, see
//! tests/backstage/) and through paved; the verdicts must match for every file.
//!
//! `PAVED_AGREEMENT_SEED` and `PAVED_AGREEMENT_ROUNDS` (default 10 rounds, ~2,300 files)
//! explore further corpora.

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
