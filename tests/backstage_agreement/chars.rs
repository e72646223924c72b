//! Families over what JavaScript makes of YAML: mapping keys that are not strings (yaml v2
//! stringifies them as JavaScript would), and characters — tabs, line breaks, control
//! characters, escapes, Unicode whitespace that JavaScript's `trim` does or does not remove.

use super::corpus::Gen;
use super::metadata::{base, with};
use super::rng::Rng;
use super::tree::{Y, map, raw, s};

/// Keys written plain in a flow mapping, and whether the label/annotation key JavaScript makes
/// of them (`String(value)`) is valid.
const KEYS: &[(&str, bool)] = &[
    ("1", true),
    ("-1", false),
    ("1.0", true),
    ("1.5", true),
    ("0.5", true),
    ("1e3", true),
    ("1e21", false),
    ("1e-7", true),
    ("0x1F", true),
    ("0o17", true),
    ("01", true),
    (".inf", true),
    ("-.inf", false),
    (".nan", true),
    ("true", true),
    ("False", true),
    ("~", false),
    ("null", false),
    ("''", false),
    ("'1'", true),
    ("[a]", false),
    ("{a: b}", false),
    ("!!str 1", true),
    ("12345678901234567890", true),
];

pub fn keys(rng: &mut Rng) -> Gen {
    match rng.below(6) {
        0..=3 => {
            let (k, ok) = *rng.each(KEYS);
            let field = if rng.chance(50) { "labels" } else { "annotations" };
            with(rng, &["metadata", field], raw(format!("{{{k}: v}}")), ok)
        }
        4 => {
            // yaml v2 compares keys by value: 1 and 1.0 and 0x1 are the same key, 1 and '1' are not
            // (the last one wins).
            let (m, ok) = *rng.each(&[
                ("{1: a, '1': b}", true),
                ("{true: a, 'true': b}", true),
                ("{null: a, ~: b}", false),
                ("{1: a, 1: b}", false),
                ("{1: a, 1.0: b}", false),
                ("{0x1: a, 1: b}", false),
            ]);
            with(rng, &["metadata", "labels"], raw(m), ok)
        }
        _ => {
            // Where keys are free (metadata, spec) any scalar key goes. A flow collection as a key
            // of a nested block mapping is refused by yaml v2 after an entry with a plain value,
            // but not as the mapping's first key.
            let (k, flow) =
                *rng.each(&[("1", false), ("~", false), ("[a, b]", true), ("{a: b}", true), ("true", false)]);
            let path = if rng.chance(50) { "metadata" } else { "spec" };
            let first = rng.chance(50);
            let mut e = base(rng);
            if let Some(Y::Map(entries)) = e.get_mut(&[path]) {
                if first {
                    entries.insert(0, (raw(k), s("v")));
                } else {
                    entries.push((s("x-before"), s("plain")));
                    entries.push((raw(k), s("v")));
                }
            }
            let where_ = if first { "first" } else { "after a plain value" };
            Gen::tree(format!("{path} key {k} ({where_})"), e, !flow || first)
        }
    }
}

/// Strings for a link's title: JavaScript's `trim` removes U+FEFF but not U+0085; Rust's
/// removes U+0085 but not U+FEFF.
const BLANKS: &[(&str, bool)] = &[
    ("\u{a0}", false),
    ("\u{2003}", false),
    ("\u{3000}", false),
    ("\u{feff}", false),
    ("\u{85}", true),
    ("\u{200b}", true),
    ("\u{180e}", true),
    ("\u{2028}", false),
    ("\u{b}", false),
    ("\u{c}", false),
    ("\t", false),
    (" \u{a0}x ", true),
];

pub fn characters(rng: &mut Rng) -> Gen {
    match rng.below(10) {
        0 | 1 => {
            let (t, ok) = *rng.each(BLANKS);
            let field = if rng.chance(50) { "title" } else { "icon" };
            let link = map(vec![("url", s("https://example.com")), (field, s(t))]);
            let note = format!("link {field} {t:?}");
            let mut e = base(rng);
            e.set(&["metadata", "links"], Y::Seq(vec![link]));
            Gen::tree(note, e, ok)
        }
        2 => {
            // WHATWG URL parsing strips C0 controls and spaces at the ends, and tabs and newlines
            // anywhere; nothing else.
            let (u, ok) = *rng.each(&[
                ("https://exa\tmple.com/", true),
                ("https://example.com/a\nb", true),
                ("\u{1}https://example.com", true),
                ("\u{a0}https://example.com", false),
                ("https://example.com\u{a0}", false),
                ("https://exa\u{a0}mple.com", false),
                ("https://example.com/\u{feff}", true),
            ]);
            with(rng, &["metadata", "links"], Y::Seq(vec![map(vec![("url", s(u))])]), ok)
        }
        3 => {
            let (d, ok) = *rng.each(&[
                ("\"a\u{7}b\"", true),
                ("\"a\u{0}b\"", true),
                ("\"a\u{1b}b\"", true),
                ("\"\\ud800\"", true),
                ("\"\\N\\_\\L\\P\"", true),
                ("\"\\x41\\u0042\\U00000043\"", true),
                ("\"\\/\"", true),
                ("\"\\e\\a\\0\"", true),
                ("\"\\U0011FFFF\"", false),
            ]);
            with(rng, &["metadata", "description"], raw(d), ok)
        }
        4 => {
            let t = base(rng).render(false);
            let (from, to, ok, note) = *rng.each(&[
                (": ", ":\t", true, "tabs after colons"),
                ("\n", "\t\n", true, "trailing tabs"),
                ("\n", "\r", false, "CR-only line endings"),
                ("\n", " \n", true, "trailing spaces"),
            ]);
            Gen::text(note, t.replace(from, to), ok)
        }
        5 => {
            let (n, ok) = *rng.each(&[(100, true), (200, true), (300, true)]);
            let mut e = base(rng);
            e.set(&["spec", "x-deep"], raw(format!("{}{}", "[".repeat(n), "]".repeat(n))));
            Gen::tree(format!("{n} nested lists"), e, ok)
        }
        6 => {
            // Below yaml v2's alias limit, but the expansion is large.
            let (size, aliases) = *rng.each(&[(10, 10), (200, 60), (1000, 99)]);
            let mut e = base(rng);
            let list: Vec<&str> = (0..size).map(|_| "x").collect();
            let refs: Vec<&str> = (0..aliases).map(|_| "*big").collect();
            e.set(&["metadata", "x-big"], raw(format!("&big [{}]", list.join(", "))));
            e.set(&["spec", "x-many"], raw(format!("[{}]", refs.join(", "))));
            Gen::tree(format!("{aliases} aliases of a {size}-item list"), e, true)
        }
        7 => {
            let t = base(rng).render(false);
            let (t, ok, note) = match rng.below(3) {
                0 => (format!("{t}\u{feff}\n"), false, "a byte order mark on a later line"),
                1 => (format!("\u{feff}{t}---\n\u{feff}{t}"), false, "a byte order mark before each document"),
                _ => (t.replacen("metadata:", "metadata :", 1), true, "a space before a colon"),
            };
            Gen::text(note, t, ok)
        }
        8 => {
            let (v, ok) = *rng.each(&[
                ("-x", true),
                ("a: b", false),
                ("a:b", true),
                ("a #b", true),
                ("'a' b", false),
                ("\"a\" b", false),
                ("a\\nb", true),
                ("? x", false),
                ("[a]x", false),
            ]);
            let mut e = base(rng);
            e.set(&["metadata", "description"], raw(v));
            Gen::tree(format!("description written {v}"), e, ok)
        }
        _ => {
            let (name, ok) = *rng.each(&[
                ("\"\u{fb01}le\"", false),
                ("\"\u{ff21}\"", false),
                ("\"\u{130}\"", false),
                ("\"a\u{301}\"", false),
            ]);
            with(rng, &["metadata", "name"], raw(name), ok)
        }
    }
}
