//! The stacks side of a snapshot: component instances from the Atmos stacks engine
//! ([`crate::stacks`]), each section as `describe stacks` shows it.
//!
//! Two things make the comparison cheap. Parsed files are shared between the two revisions
//! through a [`NodeCache`] keyed by git blob id, so a file both revisions hold is parsed once.
//! And the base is described only where a change reaches: a stack whose manifest and imports
//! are all unchanged is the same in both revisions, so its instances are taken from the head
//! and its manifests are hidden from the base load.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

use super::hidden::Hiding;
use super::load::{Described, ManifestFiles, StackLoader};
use super::snapshot::{ChangedFiles, Instance, InstanceKey};
use crate::config::Config;
use crate::source::{EntryKind, FileSource, RelPath};
use crate::stacks::{ATMOS_YAML, AtmosConfig, DescribeOptions, LoadOptions, NodeCache, StackSet};

/// The production [`StackLoader`]: loads the stacks repository paved.yaml points at
/// (`stacks.path`, default the root).
#[derive(Debug, Default)]
pub struct Engine {
    /// What `!env`, `{{ env }}` and the `ATMOS_*` overrides see; the same for both revisions.
    pub env: BTreeMap<String, String>,
    /// Parsed files shared by every load through this engine, by blob id.
    pub cache: Arc<NodeCache>,
}

impl Engine {
    pub fn new(env: BTreeMap<String, String>) -> Engine {
        Engine { env, cache: Arc::new(NodeCache::new()) }
    }

    /// The stack set of a revision with the `hidden` manifests left out, or, when there is
    /// none to load, a description saying why (notes, diagnostics).
    fn stack_set(&self, src: &dyn FileSource, cfg: &Config, hidden: BTreeSet<RelPath>) -> Result<StackSet, Described> {
        let mut d = Described::default();
        let dir = cfg.stacks.path.clone();
        if src.kind(&dir) == Some(EntryKind::Submodule) {
            d.notes.push(format!(
                "{}: the stacks path `{dir}` is a git submodule; paved reads the superproject's tree only",
                src.describe()
            ));
            return Err(d);
        }
        let atmos = dir.join(ATMOS_YAML).unwrap_or_else(|_| dir.clone());
        if src.kind(&atmos).is_none() {
            d.notes.push(format!("{}: no {atmos}: no stacks to compare", src.describe()));
            return Err(d);
        }
        let opts = LoadOptions {
            env: self.env.clone(),
            max_file_size: cfg.limits.max_file_size,
            yaml_limits: cfg.limits.yaml,
            node_cache: Some(self.cache.clone()),
            ..LoadOptions::default()
        };
        let acfg = match AtmosConfig::load(src, &dir, &opts.env, &dir, opts.max_file_size) {
            Ok(c) => c,
            Err(diags) => {
                d.diagnostics = diags;
                return Err(d);
            }
        };
        Ok(StackSet::load(&Hiding::new(src, hidden), acfg, opts))
    }

    /// Loads and describes the stacks, with the `hidden` manifests left out.
    fn load_hiding(
        &self,
        src: &dyn FileSource,
        cfg: &Config,
        hidden: BTreeSet<RelPath>,
        abstracts: AbstractSections<'_>,
    ) -> Described {
        let set = match self.stack_set(src, cfg, hidden) {
            Ok(set) => set,
            Err(d) => return d,
        };
        let d = Described {
            instances: instances_except(&set, &BTreeSet::new(), abstracts),
            diagnostics: set.diagnostics.clone(),
            notes: Vec::new(),
        };
        super::load::drop_in_background(set);
        d
    }

    /// How to describe the base given the head's manifests (see [`StackLoader::load_pair`]).
    fn base_plan(
        &self,
        src: &dyn FileSource,
        cfg: &Config,
        head_manifests: &[ManifestFiles],
        changed: &ChangedFiles,
    ) -> BasePlan {
        let dir = &cfg.stacks.path;
        let Ok(atmos) = AtmosConfig::load(src, dir, &self.env, dir, cfg.limits.max_file_size) else {
            return BasePlan::Full;
        };
        let Some(untouched) = untouched_stacks(&atmos, head_manifests, changed) else {
            return BasePlan::Full;
        };
        if head_manifests.iter().all(|m| m.stacks.iter().all(|s| untouched.contains(s)))
            && !changed.iter().any(|p| p.starts_with(&atmos.stacks_base))
        {
            return BasePlan::SameAsHead;
        }
        // Hide the manifests of untouched stacks: unchanged files, so they exist in the base
        // just as in the head. A changed manifest stays even when it yields no stack in the
        // head: in the base it may have (every component of a stack file deleted).
        let hidden = head_manifests
            .iter()
            .filter(|m| !m.files.iter().any(|f| changed.contains(f)))
            .filter(|m| m.stacks.iter().all(|s| untouched.contains(s)))
            .map(|m| m.path.clone())
            .collect();
        BasePlan::Partial { hidden, untouched }
    }

    /// The base described by `plan`, before the head's instances are known.
    fn load_planned(
        &self,
        src: &dyn FileSource,
        cfg: &Config,
        plan: &BasePlan,
        abstracts: AbstractSections<'_>,
    ) -> Described {
        match plan {
            BasePlan::Full => self.load_hiding(src, cfg, BTreeSet::new(), abstracts),
            BasePlan::SameAsHead => Described::default(),
            BasePlan::Partial { hidden, .. } => self.load_hiding(src, cfg, hidden.clone(), abstracts),
        }
    }
}

/// How much of the base to describe.
enum BasePlan {
    /// Everything: the shortcut is not safe.
    Full,
    /// Nothing: no stack file changed, so the base's stacks are the head's.
    SameAsHead,
    /// All but the `hidden` manifests; the `untouched` stacks come from the head.
    Partial { hidden: BTreeSet<RelPath>, untouched: BTreeSet<String> },
}

impl BasePlan {
    /// Completes the base `planned` with what the plan takes from the head.
    fn finish(self, mut planned: Described, head: &Described) -> Described {
        match self {
            BasePlan::Full => planned,
            BasePlan::SameAsHead => Described { instances: head.instances.clone(), ..Described::default() },
            BasePlan::Partial { untouched, .. } => {
                let described: BTreeSet<String> = planned.instances.iter().map(|i| i.stack.clone()).collect();
                planned.instances.extend(
                    head.instances
                        .iter()
                        .filter(|i| untouched.contains(&i.stack) && !described.contains(&i.stack))
                        .cloned(),
                );
                planned
            }
        }
    }
}

impl StackLoader for Engine {
    fn load(&self, src: &dyn FileSource, cfg: &Config) -> Described {
        self.load_hiding(src, cfg, BTreeSet::new(), AbstractSections::All)
    }

    /// The head's stack set first (the base needs its manifests), then the head's
    /// descriptions and the base's load at once.
    fn load_pair(
        &self,
        base: &dyn FileSource,
        base_cfg: &Config,
        head: &dyn FileSource,
        head_cfg: &Config,
        changed: &ChangedFiles,
        include_dependents: bool,
    ) -> (Described, Described) {
        let set = match self.stack_set(head, head_cfg, BTreeSet::new()) {
            Ok(set) => set,
            Err(h) => return (self.load(base, base_cfg), h),
        };
        let manifests = manifests(&set);
        let skip = if include_dependents { BTreeSet::new() } else { narrowed_away(&set.config, &manifests, changed) };
        let plan = self.base_plan(base, base_cfg, &manifests, changed);
        // Neither side describes abstract components in full, except the base where the
        // head has the same component concrete (the head's abstract ones are never compared).
        let concrete = concrete_keys(&set);
        let (instances, planned) = rayon::join(
            || instances_except(&set, &skip, AbstractSections::Only(&BTreeSet::new())),
            || self.load_planned(base, base_cfg, &plan, AbstractSections::Only(&concrete)),
        );
        let h = Described { instances, diagnostics: set.diagnostics.clone(), notes: Vec::new() };
        super::load::drop_in_background(set);
        (plan.finish(planned, &h), h)
    }
}

/// The stacks the head may leave out: those no changed path reaches, when every change is a
/// stack file (then no other stack can be affected: its files, component folders and catalog
/// entities are as they were, and nothing depends on it). Dependents are the caller's to rule
/// out.
fn narrowed_away(atmos: &AtmosConfig, manifests: &[ManifestFiles], changed: &ChangedFiles) -> BTreeSet<String> {
    let only_stack_files = changed.submodules().next().is_none()
        && changed.iter().all(|p| p.starts_with(&atmos.stacks_base) && Some(p) != atmos.file.as_ref());
    if !only_stack_files {
        return BTreeSet::new();
    }
    untouched_stacks(atmos, manifests, changed).unwrap_or_default()
}

/// Stacks no changed path can reach: every manifest yielding them, and every file those
/// import, is unchanged. `None` when the shortcut is not safe: atmos.yaml changed, or a data
/// file under the stacks or components folders that no manifest is known to read (a deleted
/// import a glob used to match, an `!include` target), or the loader did not say which files
/// each manifest reads.
fn untouched_stacks(
    atmos: &AtmosConfig,
    manifests: &[ManifestFiles],
    changed: &ChangedFiles,
) -> Option<BTreeSet<String>> {
    if manifests.is_empty() || atmos.file.as_ref().is_some_and(|f| changed.contains(f)) {
        return None;
    }
    let known: BTreeSet<&RelPath> = manifests.iter().flat_map(|m| m.files.iter()).collect();
    let data_like = |p: &RelPath| {
        let name = p.file_name();
        [".yaml", ".yml", ".json", ".tfvars", ".hcl", ".tmpl"].iter().any(|ext| name.ends_with(ext))
    };
    let inputs = [&atmos.stacks_base, &atmos.terraform_base, &atmos.helmfile_base];
    if changed.iter().any(|p| data_like(p) && !known.contains(p) && inputs.iter().any(|d| p.starts_with(d))) {
        return None;
    }
    let mut touched: BTreeSet<&str> = BTreeSet::new();
    for m in manifests {
        if m.files.iter().any(|f| changed.contains(f)) {
            touched.extend(m.stacks.iter().map(String::as_str));
        }
    }
    Some(manifests.iter().flat_map(|m| m.stacks.iter()).filter(|s| !touched.contains(s.as_str())).cloned().collect())
}

/// Each top-level manifest with the stacks it yields and the files it reads.
fn manifests(set: &StackSet) -> Vec<ManifestFiles> {
    let mut first: BTreeMap<&RelPath, &crate::stacks::Instance> = BTreeMap::new();
    for i in set.instances() {
        first.entry(&i.manifest).or_insert(i);
    }
    set.manifests()
        .iter()
        .map(|m| {
            let mut files: Vec<RelPath> =
                first.get(&m.path).map(|i| set.imports_of(i).into_iter().cloned().collect()).unwrap_or_default();
            files.push(m.path.clone());
            ManifestFiles { path: m.path.clone(), stacks: m.stacks.clone(), files }
        })
        .collect()
}

/// Every instance of a loaded set, with its section as `describe stacks` prints it. A stack
/// that cannot be described (a conflicting definition) is left out; its diagnostics say why.
pub fn instances(set: &StackSet) -> Vec<Instance> {
    instances_except(set, &BTreeSet::new(), AbstractSections::All)
}

/// Which abstract instances get their sections described.
#[derive(Debug, Clone, Copy)]
enum AbstractSections<'a> {
    /// All of them, as `describe stacks` shows them.
    All,
    /// Only those at these keys. Abstract components are never reported: a side needs one's
    /// sections only where the other side has the same component concrete, to compare them.
    /// The others keep just `metadata.type`, so the key still counts (a component made
    /// abstract is not deleted). Unlike a full description, a template error in such a
    /// component's sections then does not leave its whole stack out.
    Only(&'a BTreeSet<InstanceKey>),
}

/// The keys of the concrete instances of a set: the abstract instances the other revision
/// must describe in full.
fn concrete_keys(set: &StackSet) -> BTreeSet<InstanceKey> {
    set.instances()
        .iter()
        .filter(|i| !i.is_abstract)
        .map(|i| (i.stack.clone(), i.component_type.clone(), i.component.clone()))
        .collect()
}

/// [`instances`] without the stacks in `skip`, with the abstract sections `abstracts` asks for.
fn instances_except(set: &StackSet, skip: &BTreeSet<String>, abstracts: AbstractSections<'_>) -> Vec<Instance> {
    let opts = DescribeOptions {
        process_templates: set.options.process_templates,
        process_functions: set.options.process_functions,
    };
    // Stacks are described in parallel; each section is moved, not copied, into its instance.
    let names: Vec<&str> = set.stack_names().filter(|s| !skip.contains(*s)).collect();
    let per_stack: Vec<Vec<Instance>> = names
        .par_iter()
        .map(|stack| {
            let mut out = Vec::new();
            // A conflicting definition leaves the stack out, as describing it in full would.
            if set.stack(stack).any(|i| i.conflict.is_some()) {
                return out;
            }
            let in_full = |i: &crate::stacks::Instance| match abstracts {
                _ if !i.is_abstract => true,
                AbstractSections::All => true,
                AbstractSections::Only(keys) => {
                    keys.contains(&(stack.to_string(), i.component_type.clone(), i.component.clone()))
                }
            };
            let defined: BTreeMap<(&str, &str), &crate::stacks::Instance> =
                set.stack(stack).map(|i| ((i.component_type.as_str(), i.component.as_str()), i)).collect();
            let types = match set.describe_stack_where(stack, in_full, opts) {
                Ok(Some(v)) => match v.to_json() {
                    Value::Object(mut described) => match described.remove("components") {
                        Some(Value::Object(types)) => types,
                        _ => return out,
                    },
                    _ => return out,
                },
                Ok(None) => serde_json::Map::new(),
                Err(_) => return out,
            };
            for (component_type, comps) in types {
                let Value::Object(comps) = comps else { continue };
                for (component, section) in comps {
                    let Value::Object(section) = section else { continue };
                    let component_path = section
                        .get("component_info")
                        .and_then(|c| c.get("component_path"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let def = defined.get(&(component_type.as_str(), component.as_str()));
                    out.push(Instance {
                        stack: stack.to_string(),
                        folder: def.map(|i| set.component_path(i)).unwrap_or_default(),
                        defined_at: def.map(|i| (i.file.clone(), i.line)),
                        component,
                        component_type: component_type.clone(),
                        component_path,
                        section,
                    });
                }
            }
            for i in set.stack(stack).filter(|i| !in_full(i)) {
                let mut section = serde_json::Map::new();
                section.insert("metadata".into(), serde_json::json!({"type": "abstract"}));
                out.push(Instance {
                    stack: stack.to_string(),
                    component: i.component.clone(),
                    component_type: i.component_type.clone(),
                    component_path: String::new(),
                    folder: set.component_path(i),
                    section,
                    defined_at: Some((i.file.clone(), i.line)),
                });
            }
            out
        })
        .collect();
    per_stack.into_iter().flatten().collect()
}
