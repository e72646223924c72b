//! Families over references and the two kinds with their own rules: Location and Template.

use super::corpus::Gen;
use super::rng::Rng;
use super::tree::{Y, map, raw, s, strs};
use super::valid::{self, Kind};

/// Refs that do not parse, whatever the field.
const MALFORMED: &[&str] = &["group:", ":x", "/x", "default/", "a:/b", "group:/x", "group:x/", ":", "/", "a:b/", "k:/"];
/// Refs that parse (kind, namespace and name are not format-checked in refs).
const ODD_BUT_FINE: &[&str] = &[
    "a/b/c",
    "a:b:c",
    "group:default/x",
    "user:x",
    "component:x",
    "Group:Default/X",
    "x y",
    "ns/x:y",
    "a:b/c/d",
    "ä",
    "-x-",
    "group:a/b",
    "1",
];

pub fn refs(rng: &mut Rng) -> Gen {
    let candidates: Vec<Kind> = valid::KINDS.iter().copied().filter(|k| !k.relations().is_empty()).collect();
    let kind = *rng.pick(&candidates);
    let mut e = valid::entity(kind, rng);
    let fields: Vec<_> = kind.relations().iter().filter(|r| r.default_kind.is_some()).collect();
    let f = *rng.pick(&fields);
    let (r, ok) = if rng.chance(50) { (*rng.each(MALFORMED), false) } else { (*rng.each(ODD_BUT_FINE), true) };
    let value = if f.list {
        let mut items = vec![s(valid::reference(rng, f.default_kind)), s(r)];
        if rng.chance(50) {
            items.reverse();
        }
        Y::Seq(items)
    } else {
        s(r)
    };
    e.set(&["spec", f.field], value);
    Gen::tree(format!("{} spec.{} ref {r:?}", kind.name(), f.field), e, ok)
}

/// `dependsOn` and `dependencyOf` have no default kind: a bare name fails.
pub fn bare_depends_on(rng: &mut Rng) -> Gen {
    let kind = *rng.pick(&[Kind::Component, Kind::Resource]);
    let mut e = valid::entity(kind, rng);
    let field = if rng.chance(75) { "dependsOn" } else { "dependencyOf" };
    let (items, ok): (Vec<&str>, bool) = match rng.below(8) {
        0 => (vec!["db"], false),
        1 => (vec!["default/db"], false),
        2 => (vec!["resource:db", "cache"], false),
        3 => (vec!["resource:db"], true),
        4 => (vec!["component:default/api-gateway", "Resource:ops/queue"], true),
        5 => (vec!["resource:"], false),
        6 => (vec!["ns/resource:db"], false),
        _ => (vec![], true),
    };
    let value = if field == "dependencyOf" && items.len() == 1 && rng.chance(50) {
        s(items[0])
    } else if field == "dependencyOf" && rng.chance(20) {
        // parseEntityRef also takes the object form, reachable only through dependencyOf.
        let ok_obj = rng.chance(50);
        let obj =
            if ok_obj { map(vec![("kind", s("component")), ("name", s("x"))]) } else { map(vec![("name", s("x"))]) };
        e.set(&["spec", field], Y::Seq(vec![obj]));
        return Gen::tree(format!("{} spec.{field} as an object (kind given: {ok_obj})", kind.name()), e, ok_obj);
    } else {
        strs(&items)
    };
    e.set(&["spec", field], value);
    Gen::tree(format!("{} spec.{field} = {items:?}", kind.name()), e, ok)
}

pub fn location(rng: &mut Rng) -> Gen {
    let mut e = valid::entity(Kind::Location, rng);
    let (path, v, ok): (&str, Y, bool) = match rng.below(12) {
        0 => ("type", s("url"), true),
        1 => ("type", s("file"), false),
        2 => ("type", s(*rng.pick(&["github-discovery", "URL", "gitlab-discovery", "bitbucket"])), false),
        3 => ("presence", s(*rng.pick(&["required", "optional"])), true),
        4 => ("presence", s(*rng.pick(&["maybe", "Required", ""])), false),
        5 => ("target", s(*rng.pick(&["./dir/", "https://github.com/o/r/tree/main/", "*.yaml", "../x.yaml"])), true),
        6 => ("target", raw(*rng.pick(&["''", "1", "[a]", "~"])), false),
        7 => ("targets", raw(*rng.pick(&["x", "[1]", "['']", "{a: b}"])), false),
        8 => ("targets", strs(&["./a.yaml", "./b.yaml"]), true),
        9 => ("targets", Y::Seq(vec![]), true),
        10 => {
            // A file-type target ending in a slash: refused for the type before the slash counts.
            e.set(&["spec", "target"], s("./dir/"));
            ("type", s("file"), false)
        }
        _ => ("x-rules", raw("[{allow: [Component]}]"), true),
    };
    let note = format!("Location spec.{path} = {v:?}");
    e.set(&["spec", path], v);
    Gen::tree(note, e, ok)
}

pub fn template(rng: &mut Rng) -> Gen {
    let mut e = valid::entity(Kind::Template, rng);
    let step = |extra: Vec<(&str, Y)>| {
        let mut m = map(vec![("id", s("fetch")), ("action", s("fetch:template"))]);
        for (k, v) in extra {
            m.set(&[k], v);
        }
        m
    };
    let (note, ok): (String, bool) = match rng.below(14) {
        0 => {
            e.remove(&["spec", "steps"]);
            ("steps missing".into(), false)
        }
        1 => {
            e.set(&["spec", "steps"], Y::Seq(vec![map(vec![("id", s("fetch")), ("name", s("No action"))])]));
            ("a step without action".into(), false)
        }
        2 => {
            e.set(&["spec", "steps"], Y::Seq(vec![step(vec![("action", raw("''"))])]));
            ("a step with an empty action".into(), true)
        }
        3 => {
            let (t, ok) = *rng.each(&[("1", false), ("true", false), ("[a]", false), ("'1'", true)]);
            e.set(&["spec", "steps"], Y::Seq(vec![step(vec![("action", raw(t))])]));
            (format!("step action = {t}"), ok)
        }
        4 => {
            let (t, ok) = *rng.each(&[("x", false), ("{}", false), ("[x]", false), ("[[]]", false), ("~", false)]);
            e.set(&["spec", "steps"], raw(t));
            (format!("steps = {t}"), ok)
        }
        5 => {
            let (k, t, ok) = *rng.each(&[
                ("if", "1", false),
                ("if", "true", true),
                ("if", "'${{ parameters.x }}'", true),
                ("id", "1", false),
                ("name", "~", false),
                ("input", "x", false),
                ("input", "{}", true),
                ("input", "[]", false),
                ("x-other", "1", true),
            ]);
            e.set(&["spec", "steps"], Y::Seq(vec![step(vec![(k, raw(t))])]));
            (format!("step {k} = {t}"), ok)
        }
        6 => {
            let (t, ok) = *rng.each(&[
                ("x", false),
                ("[x]", false),
                ("~", false),
                ("1", false),
                ("{}", true),
                ("[]", true),
                ("[{title: A}, {title: B, when: true}]", true),
                ("[{when: 1}]", false),
                ("{'backstage:permissions': {tags: [a]}}", true),
                ("{'backstage:permissions': {tags: [1]}}", false),
            ]);
            e.set(&["spec", "parameters"], raw(t));
            (format!("parameters = {t}"), ok)
        }
        7 => {
            let (t, ok) = *rng.each(&[
                ("{links: [{url: 'https://x'}]}", true),
                ("{links: [{url: ''}]}", false),
                ("{links: [{title: ''}]}", false),
                ("{links: [{entityRef: x, if: 1}]}", false),
                ("{links: x}", false),
                ("{text: [{title: T, content: c}]}", true),
                ("{text: [{content: 1}]}", false),
                ("{foo: bar}", true),
                ("{foo: 1}", false),
                ("[]", false),
                ("~", false),
            ]);
            e.set(&["spec", "output"], raw(t));
            (format!("output = {t}"), ok)
        }
        8 => {
            let (f, ok) = *rng.each(&[
                ("type", false),
                ("owner", true),
                ("lifecycle", true),
                ("parameters", true),
                ("output", true),
            ]);
            e.remove(&["spec", f]);
            (format!("{f} missing"), ok)
        }
        9 => {
            let (f, t, ok) = *rng.each(&[
                ("type", "''", false),
                ("type", "1", false),
                ("owner", "''", false),
                ("owner", "'group:'", false),
                ("owner", "'user:default/ada'", true),
                ("lifecycle", "''", false),
                ("lifecycle", "[a]", false),
            ]);
            e.set(&["spec", f], raw(t));
            (format!("spec.{f} = {t}"), ok)
        }
        10 => {
            let (f, t, ok) = *rng.each(&[
                ("secrets", "{schema: {}}", true),
                ("secrets", "x", false),
                ("secrets", "{schema: x}", false),
                ("presentation", "{buttonLabels: {createButtonText: Go}}", true),
                ("presentation", "{buttonLabels: {createButtonText: 1}}", false),
                ("formDecorators", "[{id: x, input: {}}]", true),
                ("formDecorators", "[{id: 1}]", false),
                ("EXPERIMENTAL_recovery", "{EXPERIMENTAL_strategy: startOver}", true),
                ("EXPERIMENTAL_recovery", "x", false),
            ]);
            e.set(&["spec", f], raw(t));
            (format!("spec.{f} = {t}"), ok)
        }
        11 => {
            e.set(&["apiVersion"], s("scaffolder.backstage.io/v1beta2"));
            ("apiVersion v1beta2".into(), false)
        }
        12 => {
            e.set(&["spec", "steps"], Y::Seq(vec![]));
            ("no steps".into(), true)
        }
        _ => {
            e.set(&["spec", "steps"], Y::Seq(vec![s("fetch:template")]));
            ("a step written as a string".into(), false)
        }
    };
    Gen::tree(format!("Template {note}"), e, ok)
}
