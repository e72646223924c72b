//! YAML faults and empty documents: what the parser itself accepts, refuses or ignores.

use super::corpus::Gen;
use super::rng::Rng;
use super::tree::{Y, raw, s};
use super::valid::{self, Kind};

fn entity(rng: &mut Rng) -> (Kind, Y) {
    let kind = valid::any_kind(rng);
    (kind, valid::entity(kind, rng))
}

fn text(rng: &mut Rng) -> String {
    entity(rng).1.render(false)
}

/// Inserts `line` right after the first line that equals `after` (or at the end).
fn insert_after(text: &str, after: &str, line: &str) -> String {
    match text.find(&format!("{after}\n")) {
        Some(i) => {
            let at = i + after.len() + 1;
            format!("{}{line}\n{}", &text[..at], &text[at..])
        }
        None => format!("{text}{line}\n"),
    }
}

fn aliases(n: usize) -> String {
    let list: Vec<&str> = (0..n).map(|_| "*a").collect();
    format!("[{}]", list.join(", "))
}

pub fn yaml_faults(rng: &mut Rng) -> Gen {
    match rng.below(30) {
        0 => {
            let t = text(rng);
            let dup = t.lines().next().unwrap_or("kind: x").to_string();
            Gen::text("a root key twice", format!("{t}{dup}\n"), false)
        }
        1 => Gen::text("metadata.name twice", insert_after(&text(rng), "metadata:", "  name: twice"), false),
        2 => Gen::text("a key twice, once quoted", insert_after(&text(rng), "metadata:", "  \"name\": twice"), false),
        3 => {
            let (_, mut e) = entity(rng);
            e.set(&["metadata", "description"], raw("\"unterminated"));
            Gen::tree("an unterminated quote", e, false)
        }
        4 => {
            let t = text(rng).replacen("\n  name:", "\n\tname:", 1);
            Gen::text("a tab as indentation", t, false)
        }
        5 => {
            let (_, mut e) = entity(rng);
            e.set(&["spec", "x-ref"], raw("*nope"));
            Gen::tree("an alias to no anchor", e, false)
        }
        6 => {
            let (_, mut e) = entity(rng);
            e.set(&["metadata", "x-a"], raw("&a hello"));
            e.set(&["spec", "x-b"], raw("*a"));
            Gen::tree("an anchor and an alias", e, true)
        }
        7 => {
            // Backstage reads with merge: false, so `<<` is an ordinary key and does not supply fields.
            let (kind, mut e) = entity(rng);
            let required = kind.required();
            let mut base = Vec::new();
            for f in required {
                if let Some(v) = e.remove(&["spec", f]) {
                    base.push((s(*f), v));
                }
            }
            e.set(&["metadata", "x-base"], Y::Map(base));
            let rendered = e.render(false).replacen("  x-base:", "  x-base: &base", 1);
            let t = if rendered.contains("\nspec:\n") {
                rendered.replacen("\nspec:\n", "\nspec:\n  <<: *base\n", 1)
            } else {
                rendered.replacen("\nspec: {}", "\nspec:\n  <<: *base", 1)
            };
            let ok = required.is_empty();
            Gen::text(format!("{} spec fields only through a merge key", kind.name()), t, ok)
        }
        8 => {
            let (_, mut e) = entity(rng);
            e.push_entry(&[], raw("<<"), raw("{a: b}"));
            Gen::tree("a merge key at the root", e, false)
        }
        9 => {
            let (t, note) = *rng.each(&[
                ("hello\n", "a scalar root"),
                ("- a\n- b\n", "a list root"),
                ("42\n", "a number root"),
                ("\"str\"\n", "a string root"),
                ("[]\n", "an empty list root"),
                ("true\n", "a boolean root"),
                ("{}\n", "an empty mapping"),
                ("--- |\n  text\n", "a block scalar root"),
            ]);
            Gen::text(note, t, false)
        }
        10 => {
            let (_, e) = entity(rng);
            match to_json(&e) {
                Some(j) => Gen::text("the entity as JSON", serde_json::to_string_pretty(&j).expect("json"), true),
                None => Gen::tree("valid (no JSON form)", e, true),
            }
        }
        11 => Gen::text("a document end marker", format!("{}...\n", text(rng)), true),
        12 => Gen::text("a %YAML 1.2 directive", format!("%YAML 1.2\n---\n{}", text(rng)), true),
        13 => {
            // Under a `%YAML 1.1` directive yaml v2 resolves scalars with the YAML 1.1 schema, for
            // that document and the ones after it.
            const FORMS_1_1: &[(&str, bool)] = &[
                ("yes", false),
                ("on", false),
                ("off", false),
                ("y", false),
                ("NO", false),
                ("0b101", false),
                ("017", false),
                ("0o17", true),
                ("0x1F", false),
                ("190:20:30", false),
                ("1_000", false),
                ("2001-12-14", true),
                ("plain", true),
                ("1.5e3", false),
                ("+12", false),
                ("=", true),
            ];
            let (kind, mut e) = entity(rng);
            let (v, ok) = *rng.each(FORMS_1_1);
            e.set(&["metadata", "title"], raw(v));
            let later = rng.chance(30);
            let t = if later {
                format!("%YAML 1.1\n---\n{}---\n{}", text(rng), e.render(false))
            } else {
                format!("%YAML 1.1\n---\n{}", e.render(false))
            };
            Gen::text(format!("{} under %YAML 1.1 with title {v} (later document: {later})", kind.name()), t, ok)
        }
        14 => {
            let t = text(rng);
            let mut out = String::new();
            for line in t.lines() {
                if !line.starts_with(' ') && rng.chance(50) {
                    out.push_str("# a comment\n");
                }
                out.push_str(line);
                if line.ends_with(':') && rng.chance(30) {
                    out.push_str(" # trailing comment");
                }
                out.push('\n');
            }
            Gen::text("comments", out, true)
        }
        15 => Gen::text("CRLF line endings", text(rng).replace('\n', "\r\n"), true),
        16 => Gen::text("a byte order mark", format!("\u{feff}{}", text(rng)), true),
        17 => {
            let good = text(rng);
            let bad = insert_after(&text(rng), "metadata:", "  name: twice");
            Gen::text("a good document, then a broken one", format!("{good}---\n{bad}"), false)
        }
        18 => {
            let (_, mut e) = entity(rng);
            e.set(&["metadata", "description"], raw("\"bad \\q escape\""));
            Gen::tree("an invalid escape", e, false)
        }
        19 => {
            let (_, mut e) = entity(rng);
            let (t, ok) = *rng.each(&[
                ("[java, go,]", true),
                ("[java,, go]", false),
                ("[java, go", false),
                ("[java, [go]]", false),
            ]);
            e.set(&["metadata", "tags"], raw(t));
            Gen::tree(format!("tags written {t}"), e, ok)
        }
        20 => Gen::text("a key without a colon", insert_after(&text(rng), "metadata:", "  justtext"), false),
        21 => {
            let (_, mut e) = entity(rng);
            e.set(&["metadata", "description"], raw("first\n    second line"));
            Gen::tree("a plain scalar over two lines", e, true)
        }
        22 => {
            let t = text(rng);
            let t = match t.find("\n  name: ") {
                Some(i) => {
                    let end = t[i + 1..].find('\n').map_or(t.len(), |j| i + 1 + j);
                    format!("{}\n   title: over-indented{}", &t[..end], &t[end..])
                }
                None => t,
            };
            Gen::text("an over-indented key after a plain value", t, false)
        }
        23 => {
            let (_, mut e) = entity(rng);
            e.set(&["spec", "x-extra"], raw("{a: 1, a: 2}"));
            Gen::tree("a duplicate key in a flow mapping", e, false)
        }
        24 => {
            let (_, mut e) = entity(rng);
            e.set(&["metadata", "x-a"], raw("&a {b: c}"));
            e.push_entry(&["spec"], raw("<<"), raw("*a"));
            e.push_entry(&["spec"], raw("<<"), raw("*a"));
            Gen::tree("two merge keys (ordinary keys, so duplicates)", e, false)
        }
        25 => {
            // yaml v2 refuses an anchor once (1 + its aliases) × (its own alias weight) passes 100 (maxAliasCount).
            let (_, mut e) = entity(rng);
            let n = *rng.pick(&[3, 50, 99, 100, 150]);
            e.set(&["metadata", "x-a"], raw("&a x"));
            e.set(&["spec", "x-list"], raw(aliases(n)));
            Gen::tree(format!("{n} aliases of one scalar"), e, n < 100)
        }
        26 => {
            // A billion-laughs shape: each level ten aliases of the one before.
            let (_, mut e) = entity(rng);
            e.set(&["spec", "x-l0"], raw("&l0 [x, x, x, x, x, x, x, x, x, x]"));
            for i in 1..=5 {
                let refs: Vec<String> = (0..10).map(|_| format!("*l{}", i - 1)).collect();
                e.set(&["spec", &format!("x-l{i}")], raw(format!("&l{i} [{}]", refs.join(", "))));
            }
            Gen::tree("an alias bomb", e, false)
        }
        27 => {
            let (_, mut e) = entity(rng);
            e.set(&["metadata", "description"], raw("!!binary aGVsbG8="));
            Gen::tree("a !!binary description", e, false)
        }
        28 => {
            let (_, mut e) = entity(rng);
            e.set(&["spec", "x-set"], raw("!!set {a, b}"));
            Gen::tree("a !!set in a free spec field", e, true)
        }
        _ => {
            let (_, mut e) = entity(rng);
            e.set(&["metadata", "annotations"], raw("{? complex-key : v}"));
            Gen::tree("an explicit key in a flow mapping", e, true)
        }
    }
}

pub fn empty_documents(rng: &mut Rng) -> Gen {
    const EMPTY: &[(&str, bool)] = &[
        ("", true),
        ("\n\n", true),
        ("  \n", true),
        ("# only a comment\n", true),
        ("---\n", true),
        ("---\n---\n", true),
        ("~\n", true),
        ("null\n", true),
        ("--- ~\n", true),
        ("--- # comment\n", true),
        ("%YAML 1.2\n---\n", true),
        ("...\n", true),
        ("''\n", false),
        ("--- ''\n", false),
        ("0\n", false),
    ];
    let (t, ok) = *rng.each(EMPTY);
    let bare = t.trim().is_empty() || t.starts_with('#') || t == "...\n";
    match rng.below(3) {
        0 => Gen::text(format!("only {t:?}"), t, ok),
        1 => {
            let e = text(rng);
            let after = if t.starts_with('%') {
                // A directive may only follow a document after `...`.
                format!("...\n{t}")
            } else if bare || t.starts_with("---") {
                t.to_string()
            } else {
                format!("---\n{t}")
            };
            Gen::text(format!("an entity, then {t:?}"), format!("{e}{after}"), ok)
        }
        _ => {
            let e = text(rng);
            let sep = if bare || t.ends_with("---\n") || t == "--- # comment\n" { "" } else { "---\n" };
            Gen::text(format!("{t:?}, then an entity"), format!("{t}{sep}{e}"), ok)
        }
    }
}

fn to_json(y: &Y) -> Option<serde_json::Value> {
    Some(match y {
        Y::Str(t) => serde_json::Value::String(t.clone()),
        Y::Raw(_) => return None,
        Y::Seq(items) => serde_json::Value::Array(items.iter().map(to_json).collect::<Option<_>>()?),
        Y::Map(entries) => {
            let mut m = serde_json::Map::new();
            for (k, v) in entries {
                let Y::Str(k) = k else { return None };
                m.insert(k.clone(), to_json(v)?);
            }
            serde_json::Value::Object(m)
        }
    })
}
