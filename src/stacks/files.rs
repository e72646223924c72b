//! Reading stack files: each file is read, rendered (when it is a template) and parsed once
//! per template context, however often it is imported.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value as Json;

use super::imports::ImportSpec;
use super::value::{FileId, Kind, Origin, Val, from_node};
use super::{LoadOptions, rules};
use crate::gotemplate::{self, MissingKey, Template};
use crate::report::Diagnostic;
use crate::source::{FileSource, RelPath, SourceError};
use crate::yaml::{Node, ParseOptions, parse_one};

/// Parsed YAML shared between loads (e.g. a base and a head revision), keyed by the file's
/// content id ([`FileSource::content_id`], a git blob id) and the template context it was
/// rendered with. Files without a content id are not cached here.
#[derive(Debug, Default)]
pub struct NodeCache(std::sync::Mutex<HashMap<(String, String), Arc<Node>>>);

impl NodeCache {
    pub fn new() -> NodeCache {
        NodeCache::default()
    }

    fn get(&self, key: &(String, String)) -> Option<Arc<Node>> {
        self.0.lock().ok()?.get(key).cloned()
    }

    fn insert(&self, key: (String, String), node: Arc<Node>) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(key, node);
        }
    }

    /// How many parsed files the cache holds.
    pub fn len(&self) -> usize {
        self.0.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The files a stack set was built from, by id.
#[derive(Debug, Default, Clone)]
pub struct FileTable {
    paths: Vec<RelPath>,
    ids: HashMap<RelPath, FileId>,
}

impl FileTable {
    pub fn intern(&mut self, p: &RelPath) -> FileId {
        if let Some(id) = self.ids.get(p) {
            return *id;
        }
        let id = self.paths.len() as FileId;
        self.paths.push(p.clone());
        self.ids.insert(p.clone(), id);
        id
    }

    /// The path of a file id (`None` for [`super::value::NO_FILE`]).
    pub fn path(&self, id: FileId) -> Option<&RelPath> {
        self.paths.get(id as usize)
    }

    pub fn id(&self, p: &RelPath) -> Option<FileId> {
        self.ids.get(p).copied()
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

/// One stack file as written (after template rendering): its content and its imports.
#[derive(Debug)]
pub struct Parsed {
    pub file: FileId,
    /// The document (an empty map for an empty or broken file).
    pub root: Val,
    pub imports: Vec<ImportSpec>,
    /// The spanned YAML (for schema validation of the file as written).
    pub node: Option<Arc<Node>>,
}

/// How one file should be read.
pub struct ReadRequest<'a> {
    pub file: FileId,
    pub path: &'a RelPath,
    pub context: &'a Json,
    pub skip_templates: bool,
    pub ignore_missing: bool,
    /// Who imports this file, for messages.
    pub imported_by: Option<&'a RelPath>,
}

/// Plain stack files (not templates) read and parsed ahead of the import pass, in parallel;
/// the import pass takes them from here instead of reading them again.
pub type Preparsed = HashMap<RelPath, Result<Node, crate::yaml::YamlError>>;

/// Reads and parses, in parallel, the files under `dir` with a YAML extension. Files that
/// cannot be read are left to the import pass (which reports them where they are imported).
pub fn preparse(src: &dyn FileSource, dir: &RelPath, opts: &LoadOptions) -> Preparsed {
    use rayon::prelude::*;
    let Ok(files) = crate::source::walk_files(src, dir) else { return Preparsed::new() };
    let popts = ParseOptions { limits: opts.yaml_limits, merge_keys: true };
    files
        .into_par_iter()
        .filter(|p| p.as_str().ends_with(".yaml") || p.as_str().ends_with(".yml"))
        // With a shared cache the import pass looks files up by blob id instead.
        .filter(|p| opts.node_cache.is_none() || src.content_id(p).is_none())
        .filter_map(|p| {
            let bytes = src.read(&p, opts.max_file_size).ok()?;
            let parsed = parse_one(&String::from_utf8_lossy(&bytes), &popts);
            Some((p, parsed))
        })
        .collect()
}

pub struct Reader<'a> {
    pub src: &'a dyn FileSource,
    /// Files parsed ahead (see [`preparse`]); each is taken once.
    pub preparsed: Preparsed,
    pub opts: &'a LoadOptions,
    pub base_path: RelPath,
    pub files: FileTable,
    cache: HashMap<(FileId, String), Arc<Parsed>>,
    pub diags: Vec<Diagnostic>,
    /// Files read from the source (each once).
    pub reads: usize,
}

fn is_template_path(p: &RelPath) -> bool {
    p.as_str().ends_with(".tmpl")
}

impl<'a> Reader<'a> {
    pub fn new(src: &'a dyn FileSource, opts: &'a LoadOptions, base_path: RelPath) -> Self {
        Reader {
            src,
            preparsed: Preparsed::new(),
            opts,
            base_path,
            files: FileTable::default(),
            cache: HashMap::new(),
            diags: Vec::new(),
            reads: 0,
        }
    }

    /// Every parsed file, by file id.
    pub fn cache_values(&self) -> Vec<Arc<Parsed>> {
        let mut v: Vec<Arc<Parsed>> = self.cache.values().cloned().collect();
        v.sort_by_key(|p| p.file);
        v.dedup_by_key(|p| p.file);
        v
    }

    /// The parsed file, from the cache when it was read before with the same context.
    pub fn parsed(&mut self, req: &ReadRequest<'_>) -> Arc<Parsed> {
        let has_context = req.context.as_object().is_some_and(|o| !o.is_empty());
        // Import templates are always rendered (Atmos's --process-templates=false only
        // concerns the templates left in component sections after the merge).
        let render = !req.skip_templates && (is_template_path(req.path) || has_context);
        let key = (req.file, if render { req.context.to_string() } else { String::new() });
        if let Some(p) = self.cache.get(&key) {
            return p.clone();
        }
        let parsed = Arc::new(self.read(req, render));
        self.cache.insert(key, parsed.clone());
        parsed
    }

    fn empty(file: FileId) -> Parsed {
        Parsed { file, root: Val::empty_map(), imports: Vec::new(), node: None }
    }

    fn read(&mut self, req: &ReadRequest<'_>, render: bool) -> Parsed {
        let by = req.imported_by.map(|b| format!(" (imported by {b})")).unwrap_or_default();
        let shared = self.opts.node_cache.clone();
        let key = shared
            .as_ref()
            .and_then(|_| self.src.content_id(req.path))
            .map(|id| (id, if render { req.context.to_string() } else { String::new() }));
        let cached = match (&shared, &key) {
            (Some(c), Some(k)) => c.get(k),
            _ => None,
        };
        let node = match cached {
            Some(n) => n,
            None => {
                let Some(n) = self.parse_text(req, render, &by) else { return Self::empty(req.file) };
                let n = Arc::new(n);
                if let (Some(c), Some(k)) = (&shared, key) {
                    c.insert(k, n.clone());
                }
                n
            }
        };
        if !(node.is_null() || node.as_map().is_some()) {
            self.diags.push(
                Diagnostic::error(
                    rules::YAML,
                    format!("a stack manifest must be a mapping, not {}{by}", node.type_name()),
                )
                .in_file(req.path.as_str())
                .at_span(node.span),
            );
            return Self::empty(req.file);
        }
        let file = req.file;
        let dir = req.path.parent();
        let mut include_diags = Vec::new();
        let root = {
            let mut tags = |tag: &str, n: &Node| -> Option<Val> {
                if tag != "!include" && tag != "!include.raw" {
                    return None;
                }
                let at = Origin { file, line: n.span.start.line, column: n.span.start.column };
                match self.include(&dir, n.as_str().unwrap_or(""), tag == "!include.raw", at) {
                    Ok(v) => Some(v),
                    Err(msg) => {
                        include_diags
                            .push(Diagnostic::error(rules::INCLUDE, msg).in_file(req.path.as_str()).at_span(n.span));
                        Some(Val::new(Kind::Null, at))
                    }
                }
            };
            if node.is_null() { Val::empty_map() } else { from_node(&node, file, &mut tags) }
        };
        self.diags.extend(include_diags);
        let imports = super::imports::read_imports(&node, req.path, &mut self.diags);
        Parsed { file, root, imports, node: Some(node) }
    }

    /// Reads, renders (when asked) and parses one file; problems become diagnostics.
    fn parse_text(&mut self, req: &ReadRequest<'_>, render: bool, by: &str) -> Option<Node> {
        self.reads += 1;
        if !render && let Some(parsed) = self.preparsed.remove(req.path) {
            return self.parsed_or_diag(parsed, req, by);
        }
        let bytes = match self.src.read(req.path, self.opts.max_file_size) {
            Ok(b) => b,
            Err(e) => {
                let rule = match e {
                    SourceError::OutsideRoot(_) => rules::PATH_OUTSIDE,
                    _ => rules::FILE_UNREADABLE,
                };
                self.diags.push(Diagnostic::error(rule, format!("{e}{by}")).in_file(req.path.as_str()));
                return None;
            }
        };
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        if render {
            let opts = gotemplate::Options { env: self.opts.env.clone(), missing_key_zero: false };
            let missing = if req.ignore_missing { MissingKey::Default } else { MissingKey::Error };
            match Template::parse(req.path.as_str(), &text).and_then(|t| t.execute_with(req.context, &opts, missing)) {
                Ok(t) => text = t,
                Err(e) => {
                    self.diags.push(
                        Diagnostic::error(rules::TEMPLATE, format!("template error{by}: {}", e.message))
                            .in_file(req.path.as_str())
                            .at(e.line, e.column),
                    );
                    return None;
                }
            }
        }
        let popts = ParseOptions { limits: self.opts.yaml_limits, merge_keys: true };
        self.parsed_or_diag(parse_one(&text, &popts), req, by)
    }

    fn parsed_or_diag(
        &mut self,
        parsed: Result<Node, crate::yaml::YamlError>,
        req: &ReadRequest<'_>,
        by: &str,
    ) -> Option<Node> {
        match parsed {
            Ok(n) => Some(n),
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(rules::YAML, format!("invalid YAML{by}: {}", e.message))
                        .in_file(req.path.as_str())
                        .at(e.line, e.column),
                );
                None
            }
        }
    }

    /// `!include path`: YAML and JSON become values, `.tfvars`/`.hcl` are read as Terraform
    /// variables, anything else (and `!include.raw`) is text.
    fn include(&mut self, dir: &RelPath, arg: &str, raw: bool, at: Origin) -> Result<Val, String> {
        let arg = arg.trim();
        if arg.contains(char::is_whitespace) {
            return Err(format!("`!include {arg}`: queries after the path are not supported"));
        }
        if arg.contains("://") {
            return Err(format!("`!include {arg}`: remote files are not read (validation does no network IO)"));
        }
        let candidates: Vec<RelPath> = if arg.starts_with("./") || arg.starts_with("../") {
            dir.join(arg).into_iter().collect()
        } else {
            [self.base_path.join(arg), dir.join(arg)].into_iter().flatten().collect()
        };
        if candidates.is_empty() {
            return Err(format!("`!include {arg}`: the path leaves the repository"));
        }
        let Some(path) = candidates.iter().find(|p| self.src.kind(p).is_some()).cloned() else {
            return Err(format!("`!include {arg}`: file not found"));
        };
        let bytes = self.src.read(&path, self.opts.max_file_size).map_err(|e| format!("`!include {arg}`: {e}"))?;
        let text = String::from_utf8_lossy(&bytes);
        let id = self.files.intern(&path);
        let file_at = Origin { file: id, line: 1, column: 1 };
        let ext = path.as_str().rsplit('.').next().unwrap_or("");
        if raw {
            return Ok(Val::new(Kind::Str(text.as_ref().into()), at));
        }
        match ext {
            "yaml" | "yml" => {
                let popts = ParseOptions { limits: self.opts.yaml_limits, merge_keys: true };
                let n = parse_one(&text, &popts).map_err(|e| format!("`!include {arg}`: {e}"))?;
                Ok(from_node(&n, id, &mut |_, _| None))
            }
            "json" => {
                let j: Json = serde_json::from_str(&text).map_err(|e| format!("`!include {arg}`: {e}"))?;
                Ok(Val::from_json(&j, file_at))
            }
            "tfvars" | "hcl" => {
                let j = super::tfvars::parse(&text).map_err(|e| format!("`!include {arg}`: {e}"))?;
                Ok(Val::from_json(&j, file_at))
            }
            _ => Ok(Val::new(Kind::Str(text.as_ref().into()), at)),
        }
    }
}
