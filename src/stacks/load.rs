//! Building a [`StackSet`]: find the top-level manifests, merge each over its imports,
//! compute every component, name the stacks, and compose manifests that share a name.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::component::{self, ComponentError};
use super::config::AtmosConfig;
use super::files::Reader;
use super::imports::{Importer, Processed};
use super::naming::{Namer, stack_file_name};
use super::value::Val;
use super::{Instance, LoadOptions, Manifest, StackSet, rules};
use crate::gotemplate;
use crate::report::Diagnostic;
use crate::source::{FileSource, RelPath, compile_globs, walk_files};
use rayon::prelude::*;

/// The component types paved computes.
const TYPES: &[&str] = &["terraform", "helmfile"];

/// Whether a component name is one Atmos accepts (`^[/a-zA-Z0-9-_{}. ]+$`) and paved can use
/// safely in paths: no `..` segment, no leading `/`.
pub fn valid_component_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "/-_{}. ".contains(c))
        && !name.starts_with('/')
        && !name.split('/').any(|s| s == ".." || s == ".")
}

/// The top-level manifests: `included_paths` minus `excluded_paths`, sorted.
pub fn find_manifests(src: &dyn FileSource, cfg: &AtmosConfig) -> Result<Vec<RelPath>, String> {
    let base = cfg.stacks_base.as_str();
    let join = |p: &str| {
        let p = p.trim_start_matches("./");
        if base.is_empty() { p.to_string() } else { format!("{base}/{p}") }
    };
    let include: Vec<String> = cfg
        .included_paths
        .iter()
        .map(|p| {
            let last = p.rsplit('/').next().unwrap_or("");
            if last.contains(".y") || last.ends_with(".tmpl") || last.ends_with(".json") {
                join(p)
            } else {
                format!("{}.{{yaml,yml,yaml.tmpl,yml.tmpl}}", join(p))
            }
        })
        .collect();
    let exclude: Vec<String> = cfg.excluded_paths.iter().map(|p| join(p)).collect();
    let inc = compile_globs(&include).map_err(|e| e.to_string())?;
    let exc = compile_globs(&exclude).map_err(|e| e.to_string())?;
    let files = walk_files(src, &cfg.stacks_base).map_err(|e| e.to_string())?;
    Ok(files.into_iter().filter(|f| inc.is_match(f.as_str()) && !exc.is_match(f.as_str())).collect())
}

impl StackSet {
    /// Loads every stack. Problems are collected in [`StackSet::diagnostics`]; the instances
    /// that could be computed are still there.
    pub fn load(src: &dyn FileSource, config: AtmosConfig, options: LoadOptions) -> StackSet {
        let mut diags = Vec::new();
        let manifests = match find_manifests(src, &config) {
            Ok(m) => m,
            Err(e) => {
                diags.push(Diagnostic::error(rules::ATMOS_CONFIG, format!("cannot list stack manifests: {e}")));
                Vec::new()
            }
        };
        if manifests.is_empty() {
            diags.push(
                Diagnostic::error(
                    rules::NO_STACKS,
                    format!("no stack manifests found under {} (stacks.included_paths)", config.stacks_base),
                )
                .in_file(config.file.as_ref().map(|f| f.to_string()).unwrap_or_default()),
            );
        }
        let genv = gotemplate::Options { env: options.env.clone(), missing_key_zero: false };
        let namer = match Namer::new(&config, genv) {
            Ok(n) => Some(n),
            Err(e) => {
                diags.push(
                    Diagnostic::error(rules::TEMPLATE, format!("stacks.name_template: {}", e.message))
                        .in_file(config.file.as_ref().map(|f| f.to_string()).unwrap_or_default()),
                );
                None
            }
        };
        let mut reader = Reader::new(src, &options, config.base_path.clone());
        reader.preparsed = super::files::preparse(src, &config.stacks_base, &options);
        // Imports first (one shared parse and merge cache), then every manifest's components
        // in parallel: they only read the merged trees.
        let processed: Vec<(RelPath, Arc<Processed>)> = {
            let mut importer = Importer::new(&mut reader, config.stacks_base.clone(), config.list_merge_strategy);
            manifests.iter().map(|p| (p.clone(), importer.manifest(p))).collect()
        };
        let files = &reader.files;
        let per_manifest: Vec<(Vec<Instance>, Vec<Diagnostic>, Manifest)> = processed
            .par_iter()
            .map(|(path, processed)| manifest_instances(path, processed, files, &config, namer.as_ref()))
            .collect();
        let mut instances = Vec::new();
        let mut manifest_list = Vec::new();
        for (mut inst, mut d, m) in per_manifest {
            instances.append(&mut inst);
            diags.append(&mut d);
            manifest_list.push(m);
        }
        diags.append(&mut reader.diags);
        instances.sort_by(|a, b| {
            (&a.stack, &a.component_type, &a.component, &a.manifest).cmp(&(
                &b.stack,
                &b.component_type,
                &b.component,
                &b.manifest,
            ))
        });
        compose(&mut instances, &mut diags);
        let mut by_stack: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, inst) in instances.iter().enumerate() {
            by_stack.entry(inst.stack.clone()).or_default().push(i);
        }
        let files_read = reader.reads;
        let parsed = reader.all_parsed();
        let files = std::mem::take(&mut reader.files);
        drop(reader);
        StackSet {
            config,
            options,
            files,
            manifests: manifest_list,
            instances,
            by_stack,
            diagnostics: diags,
            files_read,
            parsed,
        }
    }

    /// The files an instance's manifest imports, directly or not, sorted.
    pub fn imports_of(&self, inst: &Instance) -> Vec<&RelPath> {
        inst.processed.imports.iter().filter_map(|p| self.files.path(p.file)).collect()
    }

    /// Every file parsed (stack manifests and imports), each once per template context.
    pub fn parsed_files(&self) -> impl Iterator<Item = (&RelPath, Option<&crate::yaml::Node>)> {
        self.parsed.iter().filter_map(|p| self.files.path(p.file).map(|path| (path, p.node.as_deref())))
    }
}

/// The component instances of one top-level manifest.
fn manifest_instances(
    path: &RelPath,
    processed: &Arc<Processed>,
    files: &super::files::FileTable,
    config: &AtmosConfig,
    namer: Option<&Namer>,
) -> (Vec<Instance>, Vec<Diagnostic>, Manifest) {
    let mut instances = Vec::new();
    let mut diags = Vec::new();
    let rel = path.strip_prefix(&config.stacks_base).unwrap_or(path.as_str());
    let stack_file = stack_file_name(rel);
    let explicit = processed.own.root.get("name").and_then(Val::as_str).map(str::to_owned);
    let mut stacks = Vec::new();
    for ty in TYPES {
        let Some(comps) = processed.merged.path(&["components", ty]).and_then(Val::as_map) else {
            continue;
        };
        for (name, def) in comps.iter() {
            let at = def.at;
            let def_file = files.path(at.file).cloned().unwrap_or_else(|| path.clone());
            if !valid_component_name(name) {
                diags.push(
                    Diagnostic::error(rules::COMPONENT_NAME, format!("component name `{name}` is not allowed"))
                        .in_file(def_file.as_str())
                        .at(at.line, at.column)
                        .with_help("use letters, digits, `-`, `_`, `.`, `/` (no `..`)"),
                );
                continue;
            }
            let computed = match component::compute(&processed.merged, ty, name, config) {
                Ok(c) => c,
                Err(e) => {
                    let rule = match e {
                        ComponentError::BadSection { .. } => rules::SECTION_TYPE,
                        _ => rules::INHERITANCE,
                    };
                    diags.push(
                        Diagnostic::error(rule, format!("component '{name}' in {}: {e}", path))
                            .in_file(def_file.as_str())
                            .at(at.line, at.column),
                    );
                    continue;
                }
            };
            let (stack, _) = match &namer {
                Some(n) => n.name(explicit.as_deref(), &computed.section, &stack_file),
                None => (stack_file.clone(), super::NameSource::FilePath),
            };
            let meta = computed.section.get("metadata");
            let flag = |k: &str| meta.and_then(|m| m.get(k)).and_then(Val::as_bool);
            let workspace = workspace(config, &computed, name, &stack);
            if !stacks.contains(&stack) {
                stacks.push(stack.clone());
            }
            instances.push(Instance {
                stack,
                component: name.to_string(),
                component_type: ty.to_string(),
                manifest: path.clone(),
                stack_file: stack_file.clone(),
                file: def_file,
                line: at.line,
                column: at.column,
                terraform_component: computed.terraform_component.clone(),
                is_abstract: computed.is_abstract,
                enabled: flag("enabled").unwrap_or(true),
                locked: flag("locked").unwrap_or(false),
                inheritance: computed.inheritance.clone(),
                workspace,
                conflict: None,
                backend_missing: computed.backend_missing,
                backend_type: computed.section.get("backend_type").and_then(Val::as_str).unwrap_or("").to_string(),
                has_validation: computed.section.path(&["settings", "validation"]).is_some(),
                definition: def.clone(),
                inline: processed.own.root.path(&["components", ty, name]).is_some(),
                processed: processed.clone(),
            });
        }
    }
    stacks.sort();
    (instances, diags, Manifest { path: path.clone(), stack_file, stacks })
}

/// Several top-level manifests may yield one stack name: they compose one stack. The same
/// component defined by two of them must be defined the same way.
fn compose(instances: &mut Vec<Instance>, diags: &mut Vec<Diagnostic>) {
    let mut i = 0;
    while i + 1 < instances.len() {
        let (a, b) = (&instances[i], &instances[i + 1]);
        if a.stack == b.stack && a.component == b.component && a.component_type == b.component_type {
            // Each manifest keeps its own globals; only definitions written in both top-level
            // manifests must agree. Otherwise the manifest that writes the component wins.
            if !(a.inline && b.inline) || a.definition.same(&b.definition) {
                let drop = if b.inline && !a.inline { i } else { i + 1 };
                instances.remove(drop);
                continue;
            }
            let msg = format!(
                "Found duplicate config for the component '{}' in the stack '{}' in the manifests {} and {} (defined differently)",
                a.component, a.stack, a.manifest, b.manifest
            );
            diags.push(
                Diagnostic::error(rules::COMPONENT_CONFLICT, msg.clone())
                    .in_file(b.manifest.as_str())
                    .for_entity(format!("{}/{}", a.stack, a.component)),
            );
            instances[i].conflict = Some(msg);
            instances.remove(i + 1);
            continue;
        }
        i += 1;
    }
}

/// Atmos's Terraform workspace rules.
fn workspace(cfg: &AtmosConfig, c: &component::Computed, name: &str, stack: &str) -> String {
    let backend_type = c.section.get("backend_type").and_then(Val::as_str).unwrap_or("");
    if !cfg.workspaces_enabled || backend_type == "http" {
        return "default".into();
    }
    let meta = c.section.get("metadata");
    let get = |k: &str| meta.and_then(|m| m.get(k)).and_then(Val::non_empty_str);
    let ws = if let Some(pattern) = get("terraform_workspace_pattern") {
        let vars = c.section.get("vars");
        let var = |k: &str| vars.and_then(|v| v.get(k)).and_then(Val::as_str).unwrap_or("").to_string();
        pattern
            .replace("{namespace}", &var("namespace"))
            .replace("{tenant}", &var("tenant"))
            .replace("{environment}", &var("environment"))
            .replace("{stage}", &var("stage"))
            .replace("{base-component}", &c.terraform_component)
            .replace("{component}", name)
    } else if let Some(ws) = get("terraform_workspace") {
        ws.to_string()
    } else if !c.has_base {
        stack.to_string()
    } else {
        format!("{stack}-{name}")
    };
    ws.replace('/', "-")
}

impl Reader<'_> {
    fn all_parsed(&self) -> Vec<Arc<super::files::Parsed>> {
        self.cache_values()
    }
}

/// One manifest merged over its imports, before any component processing (Atmos's
/// `ProcessYAMLConfigFile` result), with the problems found on the way.
pub fn merge_manifest(
    src: &dyn FileSource,
    config: &AtmosConfig,
    options: &LoadOptions,
    manifest: &RelPath,
) -> (serde_json::Value, Vec<Diagnostic>) {
    let mut reader = Reader::new(src, options, config.base_path.clone());
    let merged = {
        let mut importer = Importer::new(&mut reader, config.stacks_base.clone(), config.list_merge_strategy);
        importer.manifest(manifest).merged.to_json()
    };
    (merged, reader.diags)
}
