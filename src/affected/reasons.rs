//! Why an instance is affected, in Atmos's order: `stack.metadata`, `component.module`,
//! `component`, the compared sections (`stack.vars`, `stack.env`, ...), `stack.settings`,
//! then `file`/`folder` dependencies; and `deleted` for instances only the base has.

use serde_json::Value;

use super::item::Item;
use super::snapshot::{ChangedFiles, Instance, Snapshot};
use crate::source::RelPath;

/// Sections compared verbatim, each with the reason it gives, in Atmos's order (its
/// `componentSectionChecks`). `metadata` and `settings` are handled on their own.
pub const SECTION_CHECKS: &[(&str, &str)] = &[
    ("vars", "stack.vars"),
    ("env", "stack.env"),
    ("providers", "stack.providers"),
    ("required_providers", "stack.required_providers"),
    ("required_version", "stack.required_version"),
    ("generate", "stack.generate"),
    ("backend", "stack.backend"),
    ("backend_type", "stack.backend_type"),
    ("remote_state_backend", "stack.remote_state_backend"),
    ("remote_state_backend_type", "stack.remote_state_backend_type"),
    ("auth", "stack.auth"),
    ("command", "stack.command"),
    ("dependencies", "stack.dependencies"),
    ("source", "stack.source"),
    ("provision", "stack.provision"),
];

/// What to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Add each item's recursive dependents.
    pub include_dependents: bool,
    /// Put each item's `settings` in the output.
    pub include_settings: bool,
    /// Leave out `metadata.locked: true` components.
    pub exclude_locked: bool,
    /// Only this stack.
    pub stack: Option<String>,
}

/// Whether the head's section `name` equals the base's. Like Atmos, a section the base lacks
/// (or an instance the base lacks) counts as changed.
fn same(head: &Instance, base: Option<&Instance>, name: &str) -> bool {
    match (head.section.get(name), base.and_then(|b| b.section.get(name))) {
        (Some(h), Some(b)) => h == b,
        _ => false,
    }
}

/// The reasons `head` is affected (empty when it is not), and the dependency file or
/// folder behind a `file`/`folder` reason.
pub fn reasons(
    head: &Instance,
    base: Option<&Instance>,
    changed: &ChangedFiles,
    modules: &[RelPath],
) -> (Vec<&'static str>, Option<String>, Option<String>) {
    let mut out = Vec::new();
    if head.map("metadata").is_some() && !same(head, base, "metadata") {
        out.push("stack.metadata");
    }
    if modules.iter().any(|m| changed.any_under(m)) {
        out.push("component.module");
    }
    if changed.any_under(&head.folder) {
        out.push("component");
    }
    for (name, reason) in SECTION_CHECKS {
        if head.section.contains_key(*name) && !same(head, base, name) {
            out.push(reason);
        }
    }
    let (mut file, mut folder) = (None, None);
    if head.map("settings").is_some() {
        if !same(head, base, "settings") {
            out.push("stack.settings");
        }
        // Only the first changed dependency is reported, as Atmos does.
        if let Some((kind, path)) = path_dependencies(head).into_iter().find(|(kind, p)| match RelPath::new(p) {
            Ok(rp) if *kind == "file" => changed.contains(&rp),
            Ok(rp) => changed.any_under(&rp),
            Err(_) => false,
        }) {
            out.push(kind);
            if kind == "file" { file = Some(path) } else { folder = Some(path) }
        }
    }
    (out, file, folder)
}

/// File and folder dependencies: `dependencies.files`/`folders`, `dependencies.components`
/// entries with `kind: file|folder`, and legacy `settings.depends_on` entries with `file:` or
/// `folder:`. Paths are relative to the repository root.
pub fn path_dependencies(inst: &Instance) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let strs = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
            .unwrap_or_default()
    };
    if let Some(deps) = inst.map("dependencies") {
        out.extend(strs(deps.get("files")).into_iter().map(|p| ("file", p)));
        out.extend(strs(deps.get("folders")).into_iter().map(|p| ("folder", p)));
        for entry in deps.get("components").and_then(Value::as_array).into_iter().flatten() {
            let (kind, path) = (entry.get("kind").and_then(Value::as_str), entry.get("path").and_then(Value::as_str));
            match (kind, path) {
                (Some("file"), Some(p)) => out.push(("file", p.to_string())),
                (Some("folder"), Some(p)) => out.push(("folder", p.to_string())),
                _ => {}
            }
        }
    }
    if let Some(depends_on) = inst.map("settings").and_then(|s| s.get("depends_on")).and_then(Value::as_object) {
        for entry in depends_on.values() {
            if let Some(p) = entry.get("file").and_then(Value::as_str) {
                out.push(("file", p.to_string()));
            }
            if let Some(p) = entry.get("folder").and_then(Value::as_str) {
                out.push(("folder", p.to_string()));
            }
        }
    }
    out
}

/// Whether an instance takes part at all: abstract and disabled components never do, locked
/// ones only when not excluded.
pub fn eligible(inst: &Instance, opts: &Options) -> bool {
    !inst.is_abstract() && inst.is_enabled() && !(opts.exclude_locked && inst.is_locked())
}

/// The affected items of `head` against `base`, plus the instances `head` lost, unsorted and
/// without dependents.
pub fn items(base: &Snapshot, head: &Snapshot, changed: &ChangedFiles, opts: &Options) -> Vec<Item> {
    let mut out = Vec::new();
    let in_scope = |i: &Instance| opts.stack.as_ref().is_none_or(|s| *s == i.stack);
    for h in head.stacks.iter().filter(|i| in_scope(i) && eligible(i, opts)) {
        let modules = head.modules.get(&h.folder).map(Vec::as_slice).unwrap_or(&[]);
        let (reasons, file, folder) = reasons(h, base.stacks.get(&h.key()), changed, modules);
        let Some(first) = reasons.first() else { continue };
        out.push(Item {
            component: h.component.clone(),
            component_type: h.component_type.clone(),
            component_path: h.component_path.clone(),
            namespace: None,
            tenant: None,
            environment: None,
            stage: None,
            stack: h.stack.clone(),
            stack_slug: h.stack_slug(),
            affected: first.to_string(),
            affected_all: reasons.iter().map(|r| r.to_string()).collect(),
            file,
            folder,
            dependents: None,
            included_in_dependents: false,
            settings: opts.include_settings.then(|| h.section.get("settings").cloned()).flatten(),
            deleted: false,
            deletion_type: None,
        });
    }
    for b in base.stacks.iter().filter(|i| in_scope(i) && !i.is_abstract()) {
        if head.stacks.get(&b.key()).is_some() {
            continue;
        }
        let whole_stack = !head.stacks.has_stack(&b.stack);
        let reason = if whole_stack { "deleted.stack" } else { "deleted" };
        let var = |n: &str| b.context_var(n).map(String::from);
        out.push(Item {
            component: b.component.clone(),
            component_type: b.component_type.clone(),
            component_path: b.component_path.clone(),
            namespace: var("namespace"),
            tenant: var("tenant"),
            environment: var("environment"),
            stage: var("stage"),
            stack: b.stack.clone(),
            stack_slug: b.stack_slug(),
            affected: reason.into(),
            affected_all: vec![reason.into()],
            file: None,
            folder: None,
            dependents: None,
            included_in_dependents: false,
            settings: None,
            deleted: true,
            deletion_type: Some(if whole_stack { "stack" } else { "component" }.into()),
        });
    }
    out
}
