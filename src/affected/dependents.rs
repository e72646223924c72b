//! Dependents: which components depend on an affected one, from `dependencies.components`
//! and legacy `settings.depends_on`, recursively; and Atmos's `included_in_dependents` marks.

use std::collections::HashMap;

use serde_json::Value;

use super::item::{Dependent, Item};
use super::reasons::{Options, eligible};
use super::snapshot::{Instance, InstanceKey, Stacks};

const CONTEXT: [&str; 4] = ["namespace", "tenant", "environment", "stage"];

/// Past this many dependents in one item's tree, expansion stops: a dense graph would
/// otherwise print the same subtrees exponentially often.
const MAX_TREE_NODES: usize = 20_000;

/// Who depends on whom among the head's instances: target → its direct dependents.
pub struct Graph<'a> {
    stacks: &'a Stacks,
    dependents: HashMap<InstanceKey, Vec<&'a Instance>>,
    opts: Options,
}

/// A component dependency as written.
struct Edge<'v> {
    component: &'v str,
    stack: Option<&'v str>,
    /// Legacy `settings.depends_on` entries also match on context vars.
    legacy: Option<&'v serde_json::Map<String, Value>>,
}

fn edges(inst: &Instance) -> Vec<Edge<'_>> {
    let mut out = Vec::new();
    if let Some(list) = inst.map("dependencies").and_then(|d| d.get("components")).and_then(Value::as_array) {
        for e in list {
            let kind = e.get("kind").and_then(Value::as_str);
            if matches!(kind, Some("file" | "folder")) {
                continue;
            }
            if let Some(component) = e.get("component").and_then(Value::as_str) {
                out.push(Edge { component, stack: e.get("stack").and_then(Value::as_str), legacy: None });
            }
        }
    }
    if let Some(map) = inst.map("settings").and_then(|s| s.get("depends_on")).and_then(Value::as_object) {
        for e in map.values().filter_map(Value::as_object) {
            if let Some(component) = e.get("component").and_then(Value::as_str) {
                out.push(Edge { component, stack: e.get("stack").and_then(Value::as_str), legacy: Some(e) });
            }
        }
    }
    out
}

/// Whether `edge`, written in `dependent`, points at `target`.
fn points_at(edge: &Edge<'_>, dependent: &Instance, target: &Instance) -> bool {
    if edge.component != target.component {
        return false;
    }
    let Some(ctx) = edge.legacy else {
        return target.stack == edge.stack.unwrap_or(&dependent.stack);
    };
    let has_ctx = CONTEXT.iter().any(|k| ctx.contains_key(*k));
    match edge.stack {
        Some(s) if s != target.stack => return false,
        None if !has_ctx && target.stack != dependent.stack => return false,
        _ => {}
    }
    // A context field given must equal the target's var; one left out must be the same on
    // both sides (Atmos checks this even when `stack:` is given).
    CONTEXT.iter().all(|k| match ctx.get(*k).and_then(Value::as_str) {
        Some(v) => target.context_var(k) == Some(v),
        None => target.context_var(k) == dependent.context_var(k),
    })
}

impl<'a> Graph<'a> {
    pub fn new(stacks: &'a Stacks, opts: &Options) -> Graph<'a> {
        let mut by_name: HashMap<&str, Vec<&Instance>> = HashMap::new();
        for i in stacks.iter() {
            by_name.entry(i.component.as_str()).or_default().push(i);
        }
        let mut dependents: HashMap<InstanceKey, Vec<&Instance>> = HashMap::new();
        for d in stacks.iter().filter(|i| eligible(i, opts)) {
            for edge in edges(d) {
                for t in by_name.get(edge.component).into_iter().flatten() {
                    if t.key() != d.key() && points_at(&edge, d, t) {
                        let list = dependents.entry(t.key()).or_default();
                        if !list.iter().any(|x| x.key() == d.key()) {
                            list.push(d);
                        }
                    }
                }
            }
        }
        for list in dependents.values_mut() {
            list.sort_by_key(|i| i.stack_slug());
        }
        Graph { stacks, dependents, opts: opts.clone() }
    }

    /// The dependents tree of the instance at `key`, sorted by `stack_slug` at every level.
    pub fn tree(&self, key: &InstanceKey) -> Vec<Dependent> {
        let mut path = vec![key.clone()];
        let mut budget = MAX_TREE_NODES;
        self.expand(key, &mut path, &mut budget)
    }

    fn expand(&self, key: &InstanceKey, path: &mut Vec<InstanceKey>, budget: &mut usize) -> Vec<Dependent> {
        let mut out = Vec::new();
        for d in self.dependents.get(key).into_iter().flatten() {
            let dk = d.key();
            if path.contains(&dk) || *budget == 0 {
                continue; // a cycle, or a tree too large to print
            }
            *budget -= 1;
            path.push(dk.clone());
            let nested = self.expand(&dk, path, budget);
            path.pop();
            let var = |n: &str| d.context_var(n).map(String::from);
            out.push(Dependent {
                component: d.component.clone(),
                component_type: d.component_type.clone(),
                component_path: d.component_path.clone(),
                namespace: var("namespace"),
                tenant: var("tenant"),
                environment: var("environment"),
                stage: var("stage"),
                stack: d.stack.clone(),
                stack_slug: d.stack_slug(),
                dependents: nested,
                included_in_dependents: false,
                settings: self.opts.include_settings.then(|| d.section.get("settings").cloned()).flatten(),
            });
        }
        out
    }

    pub fn stacks(&self) -> &Stacks {
        self.stacks
    }
}

fn tree_has(deps: &[Dependent], slug: &str) -> bool {
    deps.iter().any(|d| d.stack_slug == slug || tree_has(&d.dependents, slug))
}

/// Atmos's `included_in_dependents`: a top-level item is marked when it shows up in another
/// item's dependents tree; within an unmarked item, a dependent is marked when it shows up
/// under one of its siblings, level by level.
pub fn mark_included(items: &mut [Item]) {
    let marks: Vec<bool> = (0..items.len())
        .map(|i| {
            items.iter().enumerate().any(|(j, other)| {
                j != i && other.dependents.as_deref().is_some_and(|d| tree_has(d, &items[i].stack_slug))
            })
        })
        .collect();
    for (item, marked) in items.iter_mut().zip(marks) {
        item.included_in_dependents = marked;
        if !marked && let Some(deps) = item.dependents.as_mut() {
            mark_siblings(deps);
        }
    }
}

fn mark_siblings(deps: &mut [Dependent]) {
    let marks: Vec<bool> = (0..deps.len())
        .map(|i| deps.iter().enumerate().any(|(j, s)| j != i && tree_has(&s.dependents, &deps[i].stack_slug)))
        .collect();
    for (d, m) in deps.iter_mut().zip(marks) {
        d.included_in_dependents = m;
        mark_siblings(&mut d.dependents);
    }
}
