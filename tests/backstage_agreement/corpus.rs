//! The corpus: valid entities of every kind and mutations of every rule family, each case a
//! whole file labelled with the verdict its family intends.

use super::rng::Rng;
use super::tree::Y;
use super::valid::{self, Kind};
use super::{chars, faults, fields, metadata, spec};

/// One generated descriptor file.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: usize,
    pub family: &'static str,
    /// What was done to the document, for the failure report.
    pub note: String,
    pub text: String,
    /// The verdict the family intends: whether Backstage accepts the file.
    pub accept: bool,
}

/// What a family returns: a tree (rendered later) or a text.
pub enum Doc {
    Tree(Y),
    Text(String),
}

pub struct Gen {
    pub note: String,
    pub doc: Doc,
    pub accept: bool,
}

impl Gen {
    pub fn tree(note: impl Into<String>, doc: Y, accept: bool) -> Gen {
        Gen { note: note.into(), doc: Doc::Tree(doc), accept }
    }

    pub fn text(note: impl Into<String>, text: impl Into<String>, accept: bool) -> Gen {
        Gen { note: note.into(), doc: Doc::Text(text.into()), accept }
    }
}

type Family = fn(&mut Rng) -> Gen;

/// Every family and how many cases it contributes per round.
pub const FAMILIES: &[(&str, Family, usize)] = &[
    ("valid", valid_files, 30),
    ("names", metadata::names, 12),
    ("namespaces", metadata::namespaces, 10),
    ("tags", metadata::tags, 10),
    ("labels", metadata::labels, 12),
    ("annotations", metadata::annotations, 10),
    ("links", metadata::links, 12),
    ("metadata-fields", metadata::other_fields, 8),
    ("root-fields", metadata::root_fields, 8),
    ("api-version", fields::api_version, 10),
    ("kind", fields::kind, 10),
    ("missing-spec-fields", fields::missing_spec_fields, 12),
    ("wrong-types", fields::wrong_types, 14),
    ("scalar-forms", fields::scalar_forms, 12),
    ("refs", spec::refs, 14),
    ("bare-depends-on", spec::bare_depends_on, 8),
    ("location", spec::location, 8),
    ("template", spec::template, 10),
    ("yaml-faults", faults::yaml_faults, 14),
    ("empty-documents", faults::empty_documents, 8),
    ("mixed-files", mixed_files, 10),
    ("keys", chars::keys, 6),
    ("characters", chars::characters, 10),
];

/// The corpus for `seed`: `rounds` passes over the families.
pub fn corpus(seed: u64, rounds: usize) -> Vec<Case> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for _ in 0..rounds {
        for (family, make, n) in FAMILIES {
            for _ in 0..*n {
                let g = make(&mut rng);
                let text = match g.doc {
                    Doc::Tree(y) => {
                        let flow = rng.chance(30);
                        y.render(flow)
                    }
                    Doc::Text(t) => t,
                };
                out.push(Case { id: out.len(), family, note: g.note, text, accept: g.accept });
            }
        }
    }
    out
}

/// One to four valid entities of random kinds in one file, with the separators, comments and
/// empty documents people leave in multi-document files.
fn valid_files(rng: &mut Rng) -> Gen {
    let n = 1 + rng.below(4);
    let mut text = String::new();
    let mut kinds = Vec::new();
    if rng.chance(20) {
        text.push_str("# Catalog descriptors.\n");
    }
    if rng.chance(30) {
        text.push_str("---\n");
    }
    for i in 0..n {
        let kind: Kind = if i == 0 { valid::KINDS[rng.below(9)] } else { valid::any_kind(rng) };
        kinds.push(kind.name());
        if i > 0 {
            text.push_str("---\n");
            if rng.chance(10) {
                text.push_str("# (an empty document)\n---\n");
            }
        }
        let flow = rng.chance(30);
        text.push_str(&valid::entity(kind, rng).render(flow));
    }
    if rng.chance(10) {
        text.push_str("---\n");
    }
    Gen::text(format!("valid {}", kinds.join(" + ")), text, true)
}

/// A case of another family placed among valid entities of one file: Backstage's verdict is
/// the file's, so one bad document rejects the file wherever it stands.
fn mixed_files(rng: &mut Rng) -> Gen {
    const INNER: &[(&str, Family)] = &[
        ("names", metadata::names),
        ("tags", metadata::tags),
        ("labels", metadata::labels),
        ("links", metadata::links),
        ("api-version", fields::api_version),
        ("kind", fields::kind),
        ("missing-spec-fields", fields::missing_spec_fields),
        ("wrong-types", fields::wrong_types),
        ("refs", spec::refs),
        ("bare-depends-on", spec::bare_depends_on),
        ("template", spec::template),
    ];
    let (family, make) = *rng.pick(INNER);
    let inner = make(rng);
    let Doc::Tree(doc) = inner.doc else { return inner };
    let before = rng.below(3);
    let after = rng.below(2);
    let mut docs: Vec<String> = (0..before).map(|_| valid::entity(valid::any_kind(rng), rng).render(false)).collect();
    docs.push(doc.render(rng.chance(30)));
    docs.extend((0..after).map(|_| valid::entity(valid::any_kind(rng), rng).render(false)));
    let note = format!("{family} case as document {} of {}: {}", before + 1, docs.len(), inner.note);
    Gen::text(note, docs.join("---\n"), inner.accept)
}
