//! Families over apiVersion, kind and the spec's fields: formats, case, required fields, types,
//! and how plain scalars resolve.

use super::corpus::Gen;
use super::rng::Rng;
use super::tree::{Y, map, raw, s};
use super::valid::{self, Kind};

pub fn api_version(rng: &mut Rng) -> Gen {
    const BUILTIN: &[(&str, bool)] = &[
        ("backstage.io/v1alpha1", true),
        ("backstage.io/v1beta1", true),
        ("backstage.io/v1", false),
        ("backstage.io/v1beta2", false),
        ("backstage.io/V1alpha1", false),
        ("Backstage.io/v1alpha1", false),
        ("backstage.io/v1alpha1/x", false),
        ("v1alpha1", false),
        ("backstage.io/", false),
        ("/v1alpha1", false),
        ("backstage.io/v1alpha1 ", false),
        ("backstage.io/v1-alpha1", false),
        ("scaffolder.backstage.io/v1beta3", false),
        ("example.com/v1", false),
        ("", false),
    ];
    const TEMPLATE: &[(&str, bool)] = &[
        ("scaffolder.backstage.io/v1beta3", true),
        ("scaffolder.backstage.io/v1beta2", false),
        ("backstage.io/v1alpha1", false),
        ("backstage.io/v1beta3", false),
        ("scaffolder.backstage.io/v1beta3/", false),
    ];
    let kind = valid::any_kind(rng);
    let mut e = valid::entity(kind, rng);
    let (v, ok) = if kind == Kind::Template { *rng.each(TEMPLATE) } else { *rng.each(BUILTIN) };
    if rng.chance(10) {
        e.set(&["apiVersion"], raw("1"));
        return Gen::tree(format!("{} apiVersion = 1", kind.name()), e, false);
    }
    e.set(&["apiVersion"], s(v));
    Gen::tree(format!("{} apiVersion = {v:?}", kind.name()), e, ok)
}

pub fn kind(rng: &mut Rng) -> Gen {
    let kind = valid::any_kind(rng);
    let mut e = valid::entity(kind, rng);
    let name = kind.name();
    let v = match rng.below(9) {
        0 => name.to_string(),
        1 => name.to_lowercase(),
        2 => name.to_uppercase(),
        3 => {
            let mut c = name.chars();
            let first = c.next().unwrap_or('X');
            format!("{first}{}", c.as_str().to_lowercase())
        }
        4 => format!("{name}s"),
        5 => rng.pick(&["Widget", "Service", "Team", "Website", "Kind"]).to_string(),
        6 => rng.pick(&["1Component", "Comp-onent", "Comp onent", "Component!", " Component"]).to_string(),
        7 => String::new(),
        _ => {
            // The kind of a different entity: the apiVersion may fit, the spec does not.
            let other = valid::any_kind(rng);
            other.name().to_string()
        }
    };
    let ok = v == name || (kind != Kind::Template && valid_spec_for(&e, &v));
    e.set(&["kind"], s(v.clone()));
    Gen::tree(format!("{name} written as kind {v:?}"), e, ok)
}

/// Whether an entity built for one kind also passes as `kind` (a kind swapped for another
/// whose required fields the spec happens to have).
fn valid_spec_for(e: &Y, kind: &str) -> bool {
    let Some(k) = valid::KINDS.iter().find(|k| k.name() == kind) else { return false };
    if *k == Kind::Template {
        return false;
    }
    let spec = e.get(&["spec"]);
    let has = |f: &str| spec.and_then(|sp| sp.get(&[f])).is_some();
    if !k.required().iter().all(|f| has(f)) {
        return false;
    }
    // Every field the other kind's schema types must have that type here, and its relation
    // fields must parse under its defaults.
    let Some(Y::Map(entries)) = spec else { return false };
    for (key, value) in entries {
        let Y::Str(key) = key else { continue };
        let is_str = matches!(value, Y::Str(t) if !t.is_empty());
        let is_list = matches!(value, Y::Seq(items) if items.iter().all(|i| matches!(i, Y::Str(t) if !t.is_empty())));
        if k.string_fields().contains(&key.as_str()) && !is_str {
            return false;
        }
        if k.list_fields().contains(&key.as_str()) && !is_list {
            return false;
        }
        if let Some(r) = k.relations().iter().find(|r| r.field == key.as_str()) {
            let refs: Vec<&str> = match value {
                Y::Str(t) => vec![t.as_str()],
                Y::Seq(items) => {
                    items.iter().filter_map(|i| if let Y::Str(t) = i { Some(t.as_str()) } else { None }).collect()
                }
                _ => vec![],
            };
            if r.default_kind.is_none() && refs.iter().any(|t| !has_kind(t)) {
                return false;
            }
        }
        // Fields of other kinds' schemas with their own types (profile, steps, presence...).
        let typed_elsewhere = matches!(key.as_str(), "profile" | "presence" | "steps" | "parameters" | "output");
        if typed_elsewhere && !other_typed_ok(*k, key, value) {
            return false;
        }
    }
    if *k == Kind::Location {
        // The Location step: a spec.type other than url is refused.
        if let Some(Y::Str(t)) = spec.and_then(|sp| sp.get(&["type"]))
            && t != "url"
        {
            return false;
        }
    }
    true
}

fn other_typed_ok(kind: Kind, key: &str, value: &Y) -> bool {
    match (kind, key) {
        (Kind::Group | Kind::User, "profile") => matches!(value, Y::Map(_)),
        (Kind::Location, "presence") => matches!(value, Y::Str(t) if t == "required" || t == "optional"),
        _ => true,
    }
}

fn has_kind(r: &str) -> bool {
    let colon = r.find(':');
    let slash = r.find('/');
    matches!((colon, slash), (Some(c), None) if c > 0)
        || matches!((colon, slash), (Some(c), Some(sl)) if c < sl && c > 0)
}

pub fn missing_spec_fields(rng: &mut Rng) -> Gen {
    let kind = valid::any_kind(rng);
    let mut e = valid::entity(kind, rng);
    let required = kind.required();
    if !required.is_empty() && rng.chance(70) {
        let f = *rng.pick(required);
        if rng.chance(70) {
            e.remove(&["spec", f]);
            return Gen::tree(format!("{} without spec.{f}", kind.name()), e, false);
        }
        // Present but empty: a string field needs at least one character; a list may be empty.
        let list = kind.list_fields().contains(&f) || f == "steps";
        e.set(&["spec", f], if list { Y::Seq(vec![]) } else { s("") });
        return Gen::tree(format!("{} with empty spec.{f}", kind.name()), e, list);
    }
    // Optional fields may go.
    let optional = [
        "system",
        "subcomponentOf",
        "providesApis",
        "dependsOn",
        "profile",
        "parent",
        "members",
        "target",
        "targets",
        "owner",
        "lifecycle",
        "parameters",
        "domain",
        "subdomainOf",
        "presence",
    ];
    let f = *rng.pick(&optional);
    let ok = !required.contains(&f);
    e.remove(&["spec", f]);
    if kind == Kind::Location && rng.chance(50) {
        e.remove(&["spec", "target"]);
        e.remove(&["spec", "targets"]);
        return Gen::tree("Location without target or targets", e, true);
    }
    Gen::tree(format!("{} without spec.{f}", kind.name()), e, ok)
}

pub fn wrong_types(rng: &mut Rng) -> Gen {
    let kind = valid::any_kind(rng);
    let mut e = valid::entity(kind, rng);
    match rng.below(6) {
        0 | 1 if !kind.string_fields().is_empty() => {
            let f = *rng.pick(kind.string_fields());
            let (t, ok) = *rng.each(&[
                ("123", false),
                ("1.5", false),
                ("true", false),
                ("~", false),
                ("", false),
                ("[a]", false),
                ("{a: b}", false),
                ("'123'", true),
                ("[]", false),
            ]);
            // A Location's type must also be allowed, and a quoted number is not `url`.
            let ok = ok && !(kind == Kind::Location && f == "type");
            e.set(&["spec", f], raw(t));
            Gen::tree(format!("{} spec.{f} = {t:?}", kind.name()), e, ok)
        }
        2 if !kind.list_fields().is_empty() => {
            let f = *rng.pick(kind.list_fields());
            let (v, ok) = match rng.below(5) {
                0 => (s("x:y"), false),
                1 => (raw("1"), false),
                2 => (map(vec![("a", s("b"))]), false),
                3 => (Y::Seq(vec![raw("1")]), false),
                _ => (Y::Seq(vec![s("")]), false),
            };
            let note = format!("{} spec.{f} = {v:?}", kind.name());
            e.set(&["spec", f], v);
            Gen::tree(note, e, ok)
        }
        3 if matches!(kind, Kind::Group | Kind::User) => {
            let (path, t, ok): (&[&str], &str, bool) = *rng.each(&[
                (&["spec", "profile"] as &[&str], "x", false),
                (&["spec", "profile"] as &[&str], "[]", false),
                (&["spec", "profile"] as &[&str], "{}", true),
                (&["spec", "profile", "email"] as &[&str], "1", false),
                (&["spec", "profile", "email"] as &[&str], "''", false),
                (&["spec", "profile", "displayName"] as &[&str], "'Ada'", true),
                (&["spec", "profile", "picture"] as &[&str], "~", false),
                (&["spec", "profile", "nickname"] as &[&str], "1", true),
            ]);
            e.set(path, raw(t));
            Gen::tree(format!("{} {} = {t}", kind.name(), path.join(".")), e, ok)
        }
        4 => {
            let (t, ok) = *rng.each(&[("[]", false), ("x", false), ("1", false), ("~", false)]);
            e.set(&["spec"], raw(t));
            Gen::tree(format!("{} spec = {t}", kind.name()), e, ok)
        }
        _ => {
            // Unknown spec keys are free, whatever their type.
            let (t, ok) = *rng.each(&[("1", true), ("[a, 1]", true), ("{deep: {er: ~}}", true), ("~", true)]);
            e.set(&["spec", "x-extra"], raw(t));
            Gen::tree(format!("{} spec.x-extra = {t}", kind.name()), e, ok)
        }
    }
}

/// How a scalar resolves (YAML 1.2 core schema; yaml v2 also resolves its known tags
/// `!!binary`, `!!set`, `!!omap`, `!!pairs`, `!!timestamp` and leaves a tagged scalar that does
/// not fit its tag as a string) decides whether a field holds a string.
pub fn scalar_forms(rng: &mut Rng) -> Gen {
    const FORMS: &[(&str, bool)] = &[
        ("yes", true),
        ("no", true),
        ("on", true),
        ("Off", true),
        ("y", true),
        ("0x1F", false),
        ("0X1F", true),
        ("0o17", false),
        ("0o8", true),
        ("017", false),
        ("-1", false),
        ("+1", false),
        ("1_000", true),
        ("1e3", false),
        ("1E-3", false),
        ("1e", true),
        ("1.", false),
        (".5", false),
        ("-.5", false),
        ("0.", false),
        ("1.2.3", true),
        (".inf", false),
        ("-.Inf", false),
        ("+.INF", false),
        (".NaN", false),
        ("NaN", true),
        ("Infinity", true),
        ("0b101", true),
        ("12:30", true),
        ("2024-01-01", true),
        ("2024-01-01T10:00:00Z", true),
        ("~", false),
        ("null", false),
        ("Null", false),
        ("NULL", false),
        ("nULL", true),
        ("true", false),
        ("True", false),
        ("TRUE", false),
        ("tRUE", true),
        ("False", false),
        ("'true'", true),
        ("\"1\"", true),
        ("''", false),
        ("!!str 1", true),
        ("!!str true", true),
        ("!!str", false),
        ("!!int 1", false),
        ("!!float 1", true),
        ("!!float 1.5", false),
        ("!!bool yes", true),
        ("!!int x", true),
        ("!!int 0x10", false),
        ("!!timestamp 2001-12-14", true),
        ("!!binary aGVsbG8=", false),
        ("!!set {a, b}", false),
        ("!!omap [a: 1]", false),
        ("!!pairs [a: 1]", false),
        ("!!map {a: 1}", false),
        ("!!seq [a]", false),
        ("!!foo x", true),
        ("!<tag:yaml.org,2002:str> 1", true),
        ("!<tag:example.com,2000:x> y", true),
        ("!!bool true", false),
        ("!!null ''", false),
        ("!custom value", true),
        ("!!str ~", true),
        ("99999999999999999999", false),
        ("0x", true),
        ("- ", false),
        ("\"\\u00e9\"", true),
        ("'it''s'", true),
        ("\"tab\\there\"", true),
        ("a #comment", true),
        ("a#b", true),
        ("@x", false),
        ("`x", false),
        ("%x", false),
        ("|\n    block\n", true),
        (">-\n    folded\n    text\n", true),
        ("|-\n", false),
        ("*undefined", false),
        ("&anchor value", true),
        ("&anchor", false),
    ];
    let kind = valid::any_kind(rng);
    let mut e = valid::entity(kind, rng);
    // A required or free-text string field of the kind, or the entity's title.
    let field: Vec<&str> = match kind {
        Kind::Component | Kind::Api => vec!["spec", "lifecycle"],
        Kind::Resource | Kind::Group | Kind::Template => vec!["spec", "type"],
        _ => vec!["metadata", "title"],
    };
    let (t, ok) = *rng.each(FORMS);
    e.set(&field, raw(t));
    Gen::tree(format!("{} {} = {t:?}", kind.name(), field.join(".")), e, ok)
}
