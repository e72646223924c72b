//! Arbitrary bytes and mutations of a valid descriptor never make the checker panic, and every
//! finding points inside the file.

use paved::catalog::check_text;
use paved::config::Config;
use proptest::prelude::*;

const BASE: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: billing\n  tags: [java]\n  labels: {tier: gold}\n  links:\n    - url: https://example.com\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n  dependsOn: [resource:db]\n---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: l}\nspec: {targets: [./a.yaml]}\n";

fn check(bytes: &[u8]) {
    let lines = bytes.split(|b| *b == b'\n').count() as u32 + 1;
    for d in check_text("f.yaml", bytes, &Config::default()) {
        assert!(d.line <= lines, "{d:?} beyond {lines} lines");
        assert_eq!(d.file, "f.yaml");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(&bytes);
    }

    #[test]
    fn mutated_descriptor(edits in proptest::collection::vec((0usize..400, any::<u8>(), 0u8..3), 1..8)) {
        let mut b = BASE.as_bytes().to_vec();
        for (at, byte, op) in edits {
            let at = at % (b.len() + 1);
            match op {
                0 => b.insert(at, byte),
                1 if at < b.len() => { b.remove(at); }
                _ if at < b.len() => b[at] = byte,
                _ => {}
            }
        }
        check(&b);
    }

    #[test]
    fn structural_characters(s in "[-:\\[\\]{}&*!|>'\"#%@` \n a-z0-9]{0,300}") {
        check(s.as_bytes());
    }
}
