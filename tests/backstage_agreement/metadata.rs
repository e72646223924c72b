//! Families over the envelope and metadata: names, namespaces, tags, labels, annotations,
//! links, the other metadata fields and the root keys.

use super::corpus::Gen;
use super::rng::Rng;
use super::tree::{Y, map, raw, s, strs};
use super::valid;

/// A valid entity of a random kind.
pub fn base(rng: &mut Rng) -> Y {
    let kind = valid::any_kind(rng);
    valid::entity(kind, rng)
}

/// A valid entity with `path` set to `value`.
pub fn with(rng: &mut Rng, path: &[&str], value: Y, accept: bool) -> Gen {
    let mut e = base(rng);
    let note = format!("{} = {value:?}", path.join("."));
    e.set(path, value);
    Gen::tree(note, e, accept)
}

/// A case from a table of string values and their verdicts, or one of the typed extras.
fn pick_value(
    rng: &mut Rng,
    table: &'static [(&'static str, bool)],
    typed: &'static [(&'static str, bool)],
) -> (Y, bool) {
    if !typed.is_empty() && rng.chance(20) {
        let (t, ok) = *rng.each(typed);
        return (raw(t), ok);
    }
    let (t, ok) = *rng.each(table);
    (s(t), ok)
}

/// Scalars of other types than string, written plain: none is a string.
const NOT_STRINGS: &[(&str, bool)] = &[
    ("123", false),
    ("1.5", false),
    ("true", false),
    ("~", false),
    ("[a]", false),
    ("{a: b}", false),
    ("0x1F", false),
];

fn long(c: char, n: usize) -> String {
    std::iter::repeat_n(c, n).collect()
}

pub fn names(rng: &mut Rng) -> Gen {
    const TABLE: &[(&str, bool)] = &[
        ("a", true),
        ("A", true),
        ("7", true),
        ("a1", true),
        ("my.service_v2", true),
        ("x--y", true),
        ("a..b", true),
        ("a__b", true),
        ("CamelCase", true),
        ("-a", false),
        ("a-", false),
        ("_a", false),
        ("a_", false),
        (".a", false),
        ("a.", false),
        ("a b", false),
        ("ä", false),
        ("naïve", false),
        ("a/b", false),
        ("a:b", false),
        ("a@b", false),
        ("", false),
        (" a", false),
        ("a\n", false),
    ];
    const TYPED: &[(&str, bool)] = &[
        ("123", false),
        ("'123'", true),
        ("\"007\"", true),
        ("!!str 42", true),
        ("1e3", false),
        ("true", false),
        ("~", false),
        ("[a]", false),
        ("{a: b}", false),
    ];
    if rng.chance(15) {
        let n = *rng.pick(&[62, 63, 64, 65]);
        let v = format!("a{}", long('b', n - 1));
        return with(rng, &["metadata", "name"], s(v), n <= 63);
    }
    if rng.chance(5) {
        let mut e = base(rng);
        e.remove(&["metadata", "name"]);
        return Gen::tree("metadata.name missing", e, false);
    }
    let (v, ok) = pick_value(rng, TABLE, TYPED);
    with(rng, &["metadata", "name"], v, ok)
}

pub fn namespaces(rng: &mut Rng) -> Gen {
    const TABLE: &[(&str, bool)] = &[
        ("default", true),
        ("team-a", true),
        ("a--b", true),
        ("0", true),
        ("123abc", true),
        ("Default", false),
        ("TEAM", false),
        ("a_b", false),
        ("a.b", false),
        ("-a", false),
        ("a-", false),
        ("", false),
        (" a", false),
        ("a/b", false),
    ];
    if rng.chance(15) {
        let n = *rng.pick(&[63, 64]);
        return with(rng, &["metadata", "namespace"], s(long('n', n)), n <= 63);
    }
    let (v, ok) = pick_value(rng, TABLE, NOT_STRINGS);
    with(rng, &["metadata", "namespace"], v, ok)
}

pub fn tags(rng: &mut Rng) -> Gen {
    const TABLE: &[(&str, bool)] = &[
        ("java", true),
        ("c++", true),
        ("c#", true),
        ("a:b", true),
        ("node-js", true),
        ("123", true),
        ("a-b-c", true),
        ("+", true),
        ("node.js", false),
        ("Java", false),
        ("a--b", false),
        ("-a", false),
        ("a-", false),
        ("", false),
        ("a b", false),
        ("a_b", false),
        ("ä", false),
        ("a/b", false),
    ];
    match rng.below(10) {
        0 => {
            let (t, ok) =
                *rng.each(&[("java", false), ("{a: b}", false), ("[]", true), ("~", false), ("[java, go]", true)]);
            with(rng, &["metadata", "tags"], raw(t), ok)
        }
        1 => {
            let n = *rng.pick(&[63, 64]);
            with(rng, &["metadata", "tags"], Y::Seq(vec![s(long('t', n))]), n <= 63)
        }
        2 => {
            let (t, ok) = *rng.each(&[("1", false), ("true", false), ("~", false), ("[a]", false)]);
            with(rng, &["metadata", "tags"], Y::Seq(vec![s("java"), raw(t)]), ok)
        }
        _ => {
            let (t, ok) = *rng.each(TABLE);
            let mut items = vec![s("java"), s(t)];
            if rng.chance(50) {
                items.reverse();
            }
            with(rng, &["metadata", "tags"], Y::Seq(items), ok)
        }
    }
}

/// Keys for labels and annotations (the same rule) and whether they are valid.
const KEYS: &[(&str, bool)] = &[
    ("a", true),
    ("app", true),
    ("App.Name_1", true),
    ("example.com/a", true),
    ("a.b-c.d/e_f.G", true),
    ("a--b.com/x", true),
    ("backstage.io/managed-by-location", true),
    ("1.2.3/x", true),
    ("Example.com/x", false),
    ("a/b/c", false),
    ("example.com/", false),
    ("/a", false),
    ("bad key", false),
    ("-a", false),
    ("a..b/c", false),
    ("a_b.com/x", false),
    ("example.com/-x", false),
    ("ä", false),
    ("a:b", false),
];

fn long_key(rng: &mut Rng) -> (String, bool) {
    match rng.below(3) {
        0 => {
            let n = *rng.pick(&[63, 64]);
            (format!("example.com/{}", long('k', n)), n <= 63)
        }
        1 => {
            let n = *rng.pick(&[63, 64]);
            (format!("{}.com/k", long('p', n)), n <= 63)
        }
        _ => {
            // A prefix of four labels: 4 × 63 + 3 dots = 255 > 253; 4 × 62 + 3 = 251.
            let n = *rng.pick(&[62, 63]);
            let label = long('p', n);
            (format!("{label}.{label}.{label}.{label}/k"), n == 62)
        }
    }
}

fn keyed(rng: &mut Rng, field: &str, key: Y, value: Y, accept: bool) -> Gen {
    let mut e = base(rng);
    let note = format!("metadata.{field}: {key:?} = {value:?}");
    e.remove(&["metadata", field]);
    e.set(&["metadata", field], map(vec![("ok", s("fine"))]));
    e.push_entry(&["metadata", field], key, value);
    Gen::tree(note, e, accept)
}

pub fn labels(rng: &mut Rng) -> Gen {
    const VALUES: &[(&str, bool)] = &[
        ("", true),
        ("abc", true),
        ("A.b_c-9", true),
        ("7", true),
        ("a b", false),
        ("-a", false),
        ("a-", false),
        ("a/b", false),
        ("a:b", false),
        ("ä", false),
    ];
    match rng.below(8) {
        0..=2 => {
            let (k, ok) = *rng.each(KEYS);
            keyed(rng, "labels", s(k), s("v"), ok)
        }
        3 => {
            let (k, ok) = long_key(rng);
            keyed(rng, "labels", s(k), s("v"), ok)
        }
        4 => {
            let (t, ok) = *rng.each(&[("1", false), ("true", false), ("~", false), ("[a]", false), ("'1'", true)]);
            keyed(rng, "labels", s("tier"), raw(t), ok)
        }
        5 => {
            let (t, ok) = *rng.each(&[("x", false), ("[]", false), ("[a]", false), ("{}", true), ("~", false)]);
            with(rng, &["metadata", "labels"], raw(t), ok)
        }
        6 => {
            let n = *rng.pick(&[63, 64]);
            keyed(rng, "labels", s("tier"), s(long('v', n)), n <= 63)
        }
        _ => {
            let (v, ok) = *rng.each(VALUES);
            keyed(rng, "labels", s("tier"), s(v), ok)
        }
    }
}

pub fn annotations(rng: &mut Rng) -> Gen {
    const VALUES: &[&str] = &[
        "",
        "a b c",
        "https://example.com/x?y=1#z",
        "multi\nline\n",
        "ünïcödé",
        "  padded  ",
        "{not: a map}",
        "- not a list",
    ];
    match rng.below(8) {
        0..=2 => {
            let (k, ok) = *rng.each(KEYS);
            keyed(rng, "annotations", s(k), s("v"), ok)
        }
        3 => {
            let (k, ok) = long_key(rng);
            keyed(rng, "annotations", s(k), s("v"), ok)
        }
        4 => {
            let (t, ok) = *rng.each(&[
                ("1", false),
                ("false", false),
                ("~", false),
                ("[a]", false),
                ("{a: b}", false),
                ("'1'", true),
            ]);
            keyed(rng, "annotations", s("example.com/x"), raw(t), ok)
        }
        5 => {
            let (t, ok) =
                *rng.each(&[("x", false), ("[]", false), ("[a]", false), ("{}", true), ("~", false), ("1", false)]);
            with(rng, &["metadata", "annotations"], raw(t), ok)
        }
        _ => {
            let v = *rng.each(VALUES);
            keyed(rng, "annotations", s("example.com/x"), s(v), true)
        }
    }
}

pub fn links(rng: &mut Rng) -> Gen {
    const URLS: &[(&str, bool)] = &[
        ("https://example.com", true),
        ("mailto:team@example.com", true),
        ("http://localhost:7007/catalog", true),
        ("foo:bar", true),
        (" https://example.com ", true),
        ("https://example.com/a b", true),
        ("HTTPS://EXAMPLE.COM", true),
        ("http://[::1]:8080/", true),
        ("https://bücher.example/", true),
        ("https://xn--bcher-kva.example/", true),
        ("file:///etc/hosts", true),
        ("https://example.com:443/", true),
        ("urn:isbn:0451450523", true),
        ("not a url", false),
        ("/relative/path", false),
        ("example.com", false),
        ("http://", false),
        ("https://exa mple.com", false),
        ("http://256.256.256.256/", false),
        ("https://example.com:65536/", false),
        ("1http://example.com", false),
        ("//example.com", false),
        ("http://[::1/", false),
        ("", false),
    ];
    const OPTIONAL: &[(&str, &str, bool)] = &[
        ("title", "Dashboard", true),
        ("title", "", false),
        ("title", "   ", false),
        ("icon", "dashboard", true),
        ("icon", "", false),
        ("icon", " ", false),
        ("type", "runbook", true),
        ("type", "", false),
        ("type", "  ", true),
    ];
    match rng.below(8) {
        0..=2 => {
            let (u, ok) = *rng.each(URLS);
            with(rng, &["metadata", "links"], Y::Seq(vec![map(vec![("url", s(u)), ("title", s("A link"))])]), ok)
        }
        3 | 4 => {
            let (f, v, ok) = *rng.each(OPTIONAL);
            with(rng, &["metadata", "links"], Y::Seq(vec![map(vec![("url", s("https://example.com")), (f, s(v))])]), ok)
        }
        5 => {
            let (f, t, ok) =
                *rng.each(&[("url", "1", false), ("title", "1", false), ("icon", "true", false), ("type", "~", false)]);
            let mut link = map(vec![("url", s("https://example.com"))]);
            link.set(&[f], raw(t));
            with(rng, &["metadata", "links"], Y::Seq(vec![link]), ok)
        }
        6 => {
            let (t, ok) = *rng.each(&[
                ("https://example.com", false),
                ("{url: https://example.com}", false),
                ("[]", true),
                ("~", false),
            ]);
            with(rng, &["metadata", "links"], raw(t), ok)
        }
        _ => {
            let items = match rng.below(3) {
                0 => (Y::Seq(vec![s("https://example.com")]), false),
                1 => (Y::Seq(vec![map(vec![("title", s("No url"))])]), false),
                _ => (Y::Seq(vec![map(vec![("url", s("https://a.example")), ("extra", strs(&["x"]))])]), true),
            };
            with(rng, &["metadata", "links"], items.0, items.1)
        }
    }
}

pub fn other_fields(rng: &mut Rng) -> Gen {
    const CASES: &[(&str, &str, bool)] = &[
        ("title", "'A title'", true),
        ("title", "''", false),
        ("title", "' '", true),
        ("title", "1", false),
        ("title", "~", false),
        ("description", "''", true),
        ("description", "1", false),
        ("description", "[a]", false),
        ("description", "~", false),
        ("uid", "'abc'", true),
        ("uid", "''", false),
        ("uid", "1", false),
        ("etag", "'abc'", true),
        ("etag", "''", false),
        ("generation", "1", true),
        ("x-anything", "[1, {a: ~}]", true),
        ("owner", "someone", true),
        ("spec", "{}", true),
    ];
    if rng.chance(15) {
        let (t, ok) = *rng.each(&[("[]", false), ("x", false), ("~", false), ("{}", false), ("1", false)]);
        let mut e = base(rng);
        e.set(&["metadata"], raw(t));
        return Gen::tree(format!("metadata = {t}"), e, ok);
    }
    let (f, t, ok) = *rng.each(CASES);
    with(rng, &["metadata", f], raw(t), ok)
}

pub fn root_fields(rng: &mut Rng) -> Gen {
    let mut e = base(rng);
    match rng.below(7) {
        0 => {
            let (k, v) = *rng.each(&[
                ("status", "{}"),
                ("relations", "[]"),
                ("foo", "bar"),
                ("Spec", "{}"),
                ("metadata2", "{}"),
            ]);
            e.push_entry(&[], s(k), raw(v));
            Gen::tree(format!("root key {k}"), e, false)
        }
        1 => {
            let f = *rng.pick(&["apiVersion", "kind", "metadata"]);
            e.remove(&[f]);
            Gen::tree(format!("{f} missing"), e, false)
        }
        2 => {
            e.remove(&["spec"]);
            Gen::tree("spec missing", e, false)
        }
        3 => {
            let (t, ok) = *rng.each(&[("[]", false), ("x", false), ("~", false), ("1", false), ("[{}]", false)]);
            e.set(&["spec"], raw(t));
            Gen::tree(format!("spec = {t}"), e, ok)
        }
        4 => {
            // Key order does not matter.
            if let Y::Map(entries) = &mut e {
                entries.reverse();
            }
            Gen::tree("root keys reversed", e, true)
        }
        5 => {
            let (t, ok) = *rng.each(&[("~", false), ("''", false), ("[a]", false), ("1", false)]);
            let f = *rng.pick(&["apiVersion", "kind"]);
            e.set(&[f], raw(t));
            Gen::tree(format!("{f} = {t}"), e, ok)
        }
        _ => {
            e.push_entry(&[], raw("\"relations\""), raw("[{type: ownedBy, targetRef: 'group:default/x'}]"));
            Gen::tree("relations given by hand", e, false)
        }
    }
}
