//! The rules that need the whole repository: references resolve to entities of the right
//! kind, both sides of a Group relation agree, no entity is defined twice, every file is
//! reachable, and hierarchies have no cycles.

use std::collections::HashMap;

use rayon::prelude::*;

use super::entity::{Entity, RefUse};
use super::rules::{self, CYCLE, DUPLICATE, ORPHAN, REF_KIND, REF_UNRESOLVED, RELATION_MISMATCH};
use crate::report::Diagnostic;
use crate::yaml::{Node, Span};

fn diag(e: &Entity, rule: &'static str, span: Span, message: String) -> Diagnostic {
    Diagnostic::new(rule, rules::severity(rule), message)
        .in_file(e.file.clone())
        .at_span(span)
        .in_document(e.document)
        .for_entity(e.entity_ref.clone())
}

/// Where to point at an entity as a whole: its name.
pub fn name_span(e: &Entity) -> Span {
    e.node.pointer("/metadata/name").map_or(e.span, |n| n.span)
}

/// Runs every cross-file rule. `index` maps a ref to its first definition; `reached[i]` says
/// whether entity `i` is reachable from a root Location.
pub fn check(entities: &[Entity], index: &HashMap<String, usize>, reached: &[bool]) -> Vec<Diagnostic> {
    // The rules are independent and read-only: run them side by side (this is the sequential
    // tail of a large catalog's run). The findings keep their order.
    let collect = |rule: fn(&[Entity], &HashMap<String, usize>, &mut Vec<Diagnostic>)| {
        let mut found = Vec::new();
        rule(entities, index, &mut found);
        found
    };
    let ((mut out, resolved), (agreed, cycled)) = rayon::join(
        || {
            rayon::join(
                || collect(duplicates),
                || {
                    entities
                        .par_iter()
                        .flat_map_iter(|e| {
                            let mut found = Vec::new();
                            for r in &e.refs {
                                resolve(e, r, entities, index, &mut found);
                            }
                            found
                        })
                        .collect::<Vec<_>>()
                },
            )
        },
        || rayon::join(|| collect(agreement), || collect(cycles)),
    );
    out.extend(resolved);
    out.extend(agreed);
    out.extend(cycled);
    for (e, reached) in entities.iter().zip(reached) {
        if !reached {
            out.push(
                diag(
                    e,
                    ORPHAN,
                    name_span(e),
                    format!("{} is not reachable from any root Location, so Backstage never reads it", e.entity_ref),
                )
                .with_help("add its file (or a glob matching it) to a Location's targets"),
            );
        }
    }
    out
}

fn duplicates(entities: &[Entity], index: &HashMap<String, usize>, out: &mut Vec<Diagnostic>) {
    let mut extra: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in entities.iter().enumerate() {
        if index.get(&e.entity_ref) != Some(&i) {
            extra.entry(e.entity_ref.as_str()).or_default().push(i);
        }
    }
    for (r, dups) in extra {
        let first = index[r];
        let all: Vec<usize> = std::iter::once(first).chain(dups).collect();
        for &i in &all {
            let e = &entities[i];
            let others: Vec<String> = all
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| format!("{}:{}", entities[j].file, name_span(&entities[j]).start.line))
                .collect();
            out.push(
                diag(e, DUPLICATE, name_span(e), format!("{r} is also defined at {}", others.join(", ")))
                    .with_help("entity identity ignores case: kind, namespace and name must be unique together"),
            );
        }
    }
}

fn kind_of(r: &str) -> &str {
    r.split_once(':').map_or("", |(k, _)| k)
}

fn resolve(e: &Entity, r: &RefUse, entities: &[Entity], index: &HashMap<String, usize>, out: &mut Vec<Diagnostic>) {
    if index.contains_key(&r.target) {
        let kind = kind_of(&r.target);
        if !r.target_kinds.is_empty() && !r.target_kinds.contains(&kind) {
            out.push(diag(
                e,
                REF_KIND,
                r.span,
                format!("spec.{} refers to {}, a {kind}; expected {}", r.field, r.target, r.target_kinds.join(" or ")),
            ));
        }
        return;
    }
    // The same namespace/name under a kind that fits is the likely intent.
    let rest = r.target.split_once(':').map_or("", |(_, rest)| rest);
    let hint = entities
        .iter()
        .find(|x| {
            x.entity_ref.split_once(':').map(|(_, n)| n) == Some(rest)
                && (r.target_kinds.is_empty() || r.target_kinds.contains(&kind_of(&x.entity_ref)))
        })
        .map(|x| format!("did you mean `{}`?", x.entity_ref));
    let mut d = diag(
        e,
        REF_UNRESOLVED,
        r.span,
        format!("spec.{} refers to {}, which is not defined in this repository", r.field, r.target),
    );
    d = d.with_help(hint.unwrap_or_else(|| "define the entity, or fix the reference".to_string()));
    out.push(d);
}

/// Both sides of parent/children and members/memberOf.
fn agreement(entities: &[Entity], index: &HashMap<String, usize>, out: &mut Vec<Diagnostic>) {
    let lists = |e: &Entity, field: &str, target: &str| e.refs.iter().any(|r| r.field == field && r.target == target);
    // (field on this side, field on the other side, the other side's kind)
    const PAIRS: &[(&str, &str, &str, &str)] = &[
        ("group", "children", "parent", "group"),
        ("group", "parent", "children", "group"),
        ("group", "members", "memberOf", "user"),
        ("user", "memberOf", "members", "group"),
    ];
    for e in entities {
        let kind = kind_of(&e.entity_ref);
        for &(k, field, back, other_kind) in PAIRS {
            if kind != k {
                continue;
            }
            for r in e.refs.iter().filter(|r| r.field == field) {
                let Some(&j) = index.get(&r.target) else { continue };
                let other = &entities[j];
                if kind_of(&other.entity_ref) != other_kind || lists(other, back, &e.entity_ref) {
                    continue;
                }
                let has_back = other.node.pointer(&format!("/spec/{back}")).is_some_and(|n: &Node| !n.is_null());
                let what = if has_back { "does not list" } else { "has no" };
                out.push(
                    diag(
                        e,
                        RELATION_MISMATCH,
                        r.span,
                        format!(
                            "spec.{field} names {}, but {} {what} {} in spec.{back}",
                            r.target, r.target, e.entity_ref
                        ),
                    )
                    .with_help("Backstage builds the relation from either side; state it on both or neither"),
                );
            }
        }
    }
}

/// parent (Group), subcomponentOf (Component), subdomainOf (Domain).
fn cycles(entities: &[Entity], index: &HashMap<String, usize>, out: &mut Vec<Diagnostic>) {
    for (kind, field) in [("group", "parent"), ("component", "subcomponentOf"), ("domain", "subdomainOf")] {
        let next = |i: usize| -> Option<(usize, &RefUse)> {
            let r = entities[i].refs.iter().find(|r| r.field == field)?;
            let &j = index.get(&r.target)?;
            (kind_of(&entities[j].entity_ref) == kind).then_some((j, r))
        };
        // 0 = unvisited, 1 = on the current path, 2 = done.
        let mut state = vec![0u8; entities.len()];
        for start in 0..entities.len() {
            if kind_of(&entities[start].entity_ref) != kind || state[start] != 0 {
                continue;
            }
            let mut path = vec![start];
            state[start] = 1;
            let mut cur = start;
            while let Some((j, _)) = next(cur) {
                match state[j] {
                    0 => {
                        state[j] = 1;
                        path.push(j);
                        cur = j;
                    }
                    1 => {
                        let pos = path.iter().position(|&p| p == j).unwrap_or(0);
                        let members = &path[pos..];
                        // Report at the cycle's smallest ref, so the finding is stable.
                        let &at = members.iter().min_by_key(|&&m| &entities[m].entity_ref).unwrap_or(&j);
                        let chain: Vec<&str> =
                            members.iter().chain([&j]).map(|&m| entities[m].entity_ref.as_str()).collect();
                        let span = next(at).map_or(entities[at].span, |(_, r)| r.span);
                        out.push(diag(
                            &entities[at],
                            CYCLE,
                            span,
                            format!("spec.{field} forms a cycle: {}", chain.join(" -> ")),
                        ));
                        break;
                    }
                    _ => break,
                }
            }
            for p in path {
                state[p] = 2;
            }
        }
    }
}
