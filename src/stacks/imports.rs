//! Imports: reading `import:` entries, resolving them to files (relative and base-relative
//! paths, extension resolution, globs in sorted order), and merging a file over its imports.
//! Each (file, context) is processed once; cycles are reported with the chain.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::Value as Json;

use super::files::{Parsed, ReadRequest, Reader};
use super::merge::{ListStrategy, merge_into};
use super::rules;
use super::value::{FileId, Origin, Val};
use crate::report::Diagnostic;
use crate::source::{RelPath, compile_globs, walk_files};
use crate::yaml::{Node, Span};

/// The most files one glob import may bring in: a pattern matching more is a mistake
/// (and would make every stack enormous).
pub const MAX_GLOB_MATCHES: usize = 1000;

/// Extensions tried, in order, for an import written without one.
const EXTENSIONS: &[&str] = &[".yaml", ".yml", ".yaml.tmpl", ".yml.tmpl"];

/// One `import:` entry.
#[derive(Debug, Clone)]
pub struct ImportSpec {
    pub path: String,
    pub context: Json,
    pub skip_templates: bool,
    pub ignore_missing: bool,
    pub skip_if_missing: bool,
    pub span: Span,
}

/// Reads the `import:` list of a file; malformed entries are diagnostics.
pub fn read_imports(root: &Node, file: &RelPath, diags: &mut Vec<Diagnostic>) -> Vec<ImportSpec> {
    let Some(list) = root.get("import") else { return Vec::new() };
    let bad = |n: &Node, msg: &str| {
        Diagnostic::error(rules::IMPORT_INVALID, msg.to_string()).in_file(file.as_str()).at_span(n.span)
    };
    let Some(items) = list.as_seq() else {
        if !list.is_null() {
            diags.push(bad(list, "`import` must be a list"));
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        if let Some(p) = item.as_str() {
            if p.trim().is_empty() {
                diags.push(bad(item, "an import path is empty"));
                continue;
            }
            out.push(ImportSpec {
                path: p.to_string(),
                context: Json::Null,
                skip_templates: false,
                ignore_missing: false,
                skip_if_missing: false,
                span: item.span,
            });
        } else if item.as_map().is_some() {
            let Some(p) = item.get("path").and_then(Node::as_str).filter(|p| !p.trim().is_empty()) else {
                diags.push(bad(item, "an import entry needs a `path`"));
                continue;
            };
            let flag = |k: &str| item.get(k).and_then(Node::as_bool).unwrap_or(false);
            out.push(ImportSpec {
                path: p.to_string(),
                context: item.get("context").map(Node::to_json).unwrap_or(Json::Null),
                skip_templates: flag("skip_templates_processing"),
                ignore_missing: flag("ignore_missing_template_values"),
                skip_if_missing: flag("skip_if_missing"),
                span: item.span,
            });
        } else {
            diags.push(bad(item, "an import must be a path or a map with `path`"));
        }
    }
    out
}

/// A file merged over its imports.
#[derive(Debug)]
pub struct Processed {
    pub merged: Val,
    /// Every file imported, directly or not, sorted by path, each once, with its content as
    /// written (for `sources`).
    pub imports: Vec<Arc<Parsed>>,
    pub own: Arc<Parsed>,
}

pub struct Importer<'r, 'a> {
    pub reader: &'r mut Reader<'a>,
    pub stacks_base: RelPath,
    pub strategy: ListStrategy,
    memo: HashMap<(FileId, String), Arc<Processed>>,
    globs: HashMap<String, Vec<RelPath>>,
    stack: Vec<FileId>,
}

fn has_known_ext(p: &str) -> bool {
    EXTENSIONS.iter().any(|e| p.ends_with(e)) || p.ends_with(".json") || p.ends_with(".tmpl")
}

fn is_glob(p: &str) -> bool {
    p.contains(['*', '?', '[', '{'])
}

impl<'r, 'a> Importer<'r, 'a> {
    pub fn new(reader: &'r mut Reader<'a>, stacks_base: RelPath, strategy: ListStrategy) -> Self {
        Importer { reader, stacks_base, strategy, memo: HashMap::new(), globs: HashMap::new(), stack: Vec::new() }
    }

    /// A top-level manifest merged over its imports.
    pub fn manifest(&mut self, path: &RelPath) -> Arc<Processed> {
        let id = self.reader.files.intern(path);
        self.process(id, &Json::Null, false, false, None)
    }

    fn process(
        &mut self,
        file: FileId,
        context: &Json,
        skip_templates: bool,
        ignore_missing: bool,
        imported_by: Option<&RelPath>,
    ) -> Arc<Processed> {
        let key = (file, context.to_string());
        if let Some(p) = self.memo.get(&key) {
            return p.clone();
        }
        let path = self.reader.files.path(file).cloned().unwrap_or_default();
        let own = self.reader.parsed(&ReadRequest {
            file,
            path: &path,
            context,
            skip_templates,
            ignore_missing,
            imported_by,
        });
        self.stack.push(file);
        let mut merged = Val::empty_map();
        let mut imports: BTreeMap<RelPath, Arc<Parsed>> = BTreeMap::new();
        for spec in &own.imports {
            for target in self.resolve(&path, spec) {
                let tid = self.reader.files.intern(&target);
                if tid == file {
                    self.diag(rules::IMPORT_SELF, &path, spec.span, format!("`{}` imports itself", path));
                    continue;
                }
                if let Some(pos) = self.stack.iter().position(|f| *f == tid) {
                    let mut chain: Vec<String> = self.stack[pos..]
                        .iter()
                        .filter_map(|f| self.reader.files.path(*f))
                        .map(|p| p.to_string())
                        .collect();
                    chain.push(target.to_string());
                    self.diag(rules::IMPORT_CYCLE, &path, spec.span, format!("import cycle: {}", chain.join(" -> ")));
                    continue;
                }
                // The importing file's context wins over the one its import passes on.
                let mut ctx = spec.context.clone();
                if let (Some(outer), Some(_)) = (context.as_object(), ctx.as_object()) {
                    for (k, v) in outer {
                        ctx.as_object_mut().map(|o| o.insert(k.clone(), v.clone()));
                    }
                } else if ctx.is_null() {
                    ctx = context.clone();
                }
                let sub =
                    self.process(tid, &ctx, spec.skip_templates || skip_templates, spec.ignore_missing, Some(&path));
                merge_into(&mut merged, &sub.merged, self.strategy);
                imports.entry(target.clone()).or_insert_with(|| sub.own.clone());
                for p in &sub.imports {
                    if let Some(ip) = self.reader.files.path(p.file) {
                        imports.entry(ip.clone()).or_insert_with(|| p.clone());
                    }
                }
            }
        }
        self.stack.pop();
        merge_into(&mut merged, &own.root, self.strategy);
        apply_overrides(&mut merged, &own.root, self.strategy);
        let processed = Arc::new(Processed { merged, imports: imports.into_values().collect(), own });
        self.memo.insert(key, processed.clone());
        processed
    }

    fn diag(&mut self, rule: &str, file: &RelPath, span: Span, msg: String) {
        self.reader.diags.push(Diagnostic::error(rule, msg).in_file(file.as_str()).at_span(span));
    }

    /// The files an import entry names, sorted.
    fn resolve(&mut self, from: &RelPath, spec: &ImportSpec) -> Vec<RelPath> {
        let p = spec.path.trim();
        let joined = if p.starts_with("./") || p.starts_with("../") {
            from.parent().join(p)
        } else {
            self.stacks_base.join(p.trim_start_matches('/'))
        };
        let joined = match joined {
            Ok(j) => j,
            Err(e) => {
                self.diag(rules::PATH_OUTSIDE, from, spec.span, format!("import `{p}`: {e}"));
                return Vec::new();
            }
        };
        let found = if is_glob(p) {
            // Like Go's filepath.Ext: a last segment with a dot has an extension (`svc-?.*`).
            let has_ext = p.rsplit('/').next().is_some_and(|l| l.contains('.'));
            let pattern =
                if has_ext { joined.as_str().to_string() } else { format!("{}.{{yaml,yml}}", joined.as_str()) };
            match self.glob(&pattern) {
                Ok(found) if found.len() > MAX_GLOB_MATCHES => {
                    self.diag(
                        rules::IMPORT_GLOB_TOO_BROAD,
                        from,
                        spec.span,
                        format!(
                            "import `{p}` matches {} files, more than the limit of {MAX_GLOB_MATCHES}",
                            found.len()
                        ),
                    );
                    return Vec::new();
                }
                Ok(found) => found,
                Err(msg) => {
                    self.diag(rules::IMPORT_INVALID, from, spec.span, format!("import `{p}`: {msg}"));
                    return Vec::new();
                }
            }
        } else {
            let src = self.reader.src;
            // A symlink counts, so that reading it reports where it points (out of the
            // repository) instead of "not found".
            let is_file = |r: &RelPath| {
                matches!(src.kind(r), Some(crate::source::EntryKind::File | crate::source::EntryKind::Symlink))
            };
            let mut candidates = Vec::new();
            if has_known_ext(p) {
                candidates.push(joined.clone());
                if !p.ends_with(".tmpl") {
                    candidates.extend(RelPath::new(&format!("{}.tmpl", joined.as_str())));
                }
            } else {
                candidates
                    .extend(EXTENSIONS.iter().filter_map(|e| RelPath::new(&format!("{}{e}", joined.as_str())).ok()));
            }
            candidates.into_iter().find(|c| is_file(c)).into_iter().collect()
        };
        if found.is_empty() && !spec.skip_if_missing {
            self.diag(
                rules::IMPORT_NOT_FOUND,
                from,
                spec.span,
                format!("import `{p}` matches no file (looked for {})", joined),
            );
        }
        found
    }

    fn glob(&mut self, pattern: &str) -> Result<Vec<RelPath>, String> {
        if let Some(hit) = self.globs.get(pattern) {
            return Ok(hit.clone());
        }
        let set = compile_globs(&[pattern.to_string()]).map_err(|e| e.to_string())?;
        let dir = literal_dir(pattern);
        let files = walk_files(self.reader.src, &dir).map_err(|e| e.to_string())?;
        let hits: Vec<RelPath> = files.into_iter().filter(|f| set.is_match(f.as_str())).collect();
        self.globs.insert(pattern.to_string(), hits.clone());
        Ok(hits)
    }
}

/// The directory a glob pattern's literal prefix names.
fn literal_dir(pattern: &str) -> RelPath {
    let segs: Vec<&str> = pattern.split('/').collect();
    let lit: Vec<&str> = segs[..segs.len().saturating_sub(1)].iter().take_while(|s| !is_glob(s)).copied().collect();
    RelPath::new(&lit.join("/")).unwrap_or_default()
}

/// A file's own `overrides` (and `terraform.overrides`, `helmfile.overrides`) apply to the
/// components in the file and everything it imports, and win over the overrides those
/// files set themselves.
fn apply_overrides(merged: &mut Val, own: &Val, strategy: ListStrategy) {
    let global = own.get("overrides").filter(|v| v.as_map().is_some_and(|m| !m.is_empty()));
    for ty in ["terraform", "helmfile", "packer"] {
        let typed = own.path(&[ty, "overrides"]).filter(|v| v.as_map().is_some_and(|m| !m.is_empty()));
        if global.is_none() && typed.is_none() {
            continue;
        }
        let mut ov = Val::empty_map();
        for part in [global, typed].into_iter().flatten() {
            merge_into(&mut ov, part, strategy);
        }
        let Some(names): Option<Vec<Arc<str>>> =
            merged.path(&["components", ty]).and_then(Val::as_map).map(|m| m.keys().cloned().collect())
        else {
            continue;
        };
        let Some(components) = merged.get("components").cloned() else { continue };
        let mut components = components;
        let mut typed_map = components.get(ty).cloned().unwrap_or_else(Val::empty_map);
        for name in names {
            let Some(mut comp) = typed_map.get(&name).cloned() else { continue };
            if !comp.is_map() {
                continue;
            }
            let mut current = comp
                .get("overrides")
                .cloned()
                .unwrap_or_else(|| Val::new(super::value::Kind::Map(Default::default()), Origin::NONE));
            merge_into(&mut current, &ov, strategy);
            comp.set("overrides", current);
            typed_map.set(&name, comp);
        }
        components.set(ty, typed_map);
        merged.set("components", components);
    }
}
