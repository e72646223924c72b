//! Fingerprints that tell findings apart within one report and match them across runs.
//!
//! [`Diagnostic::fingerprint`] leaves the line out so that a finding keeps its identity when
//! lines are added above it. Two findings can then share it (the same duplicate tag twice in
//! one entity). Consumers key on fingerprints — GitLab compares them between the base and the
//! head of a merge request, GitHub merges alerts by them — so repeats get a derived one.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::{Diagnostic, Report};

impl Report {
    /// One fingerprint per diagnostic, in order, unique within the report and stable across
    /// runs: the first finding with a given [`Diagnostic::fingerprint`] keeps it; the n-th
    /// repeat (in the report's sorted order) gets a hash of it and n.
    pub fn fingerprints(&self) -> Vec<String> {
        unique(&self.diagnostics)
    }
}

pub(crate) fn unique(diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let base = d.fingerprint();
            let n = seen.entry(base.clone()).or_insert(0);
            let repeat = *n;
            *n += 1;
            if repeat == 0 { base } else { derive(&base, repeat) }
        })
        .collect()
}

fn derive(base: &str, repeat: u32) -> String {
    let mut h = Sha256::new();
    h.update(base.as_bytes());
    h.update(b"#");
    h.update(repeat.to_string().as_bytes());
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn repeats_get_distinct_deterministic_fingerprints() {
        let a = Diagnostic::error("backstage/tags", "duplicate tag java").in_file("c.yaml").at(4, 5);
        let b = Diagnostic::error("backstage/tags", "duplicate tag java").in_file("c.yaml").at(5, 5);
        let c = Diagnostic::error("backstage/tags", "duplicate tag java").in_file("c.yaml").at(6, 5);
        let other = Diagnostic::warning("catalog/orphan", "x").in_file("c.yaml");
        let report = Report { diagnostics: vec![a.clone(), other.clone(), b, c], ..Default::default() };
        let fps = report.fingerprints();
        assert_eq!(fps[0], a.fingerprint());
        assert_eq!(fps[1], other.fingerprint());
        assert_eq!(fps.iter().collect::<HashSet<_>>().len(), 4);
        assert_eq!(fps, report.fingerprints());
        // Moving the findings down the file keeps every fingerprint.
        let mut moved = report.clone();
        for d in &mut moved.diagnostics {
            d.line += 10;
        }
        assert_eq!(moved.fingerprints(), fps);
    }
}
