//! Runs a template's steps into a change set: pure, given the template's files, the parameter
//! values and the repository the result lands in.

use std::collections::BTreeSet;

use serde_json::{Map as JsonMap, Value as Json, json};

use super::answers::{ANSWERS_FILE, Answers, annotate};
use super::append::AppendInput;
use super::expr::{self, truthy};
use super::fetch::{FetchInput, fetch};
use super::overlay::Overlay;
use super::publish::{ForgeFlavor, PublishRequest};
use super::register::{DEFAULT_LOCATION_FILE, register};
use super::stack::StackInput;
use super::template::{Action, Step, Template};
use super::tree::TemplateDir;
use crate::changeset::{ChangeSet, FileChange, FileMode};
use crate::report::Diagnostic;
use crate::source::{FileSource, RelPath, SourceError, compile_globs, walk_files};

const RULE_INPUT: &str = "golden/step-input";
const RULE_EXPR: &str = "golden/expression";
/// Largest existing file an editing step reads.
const MAX_EDIT: u64 = 16 << 20;

/// What to render.
pub struct RenderRequest<'a> {
    pub template: &'a Template,
    pub files: &'a TemplateDir,
    /// The template folder as the user named it (prefixes template paths in diagnostics).
    pub label: &'a str,
    /// Checked values, defaults filled.
    pub parameters: &'a JsonMap<String, Json>,
    /// The repository (or folder) the result lands in, as it is now.
    pub base: &'a dyn FileSource,
    /// Template version recorded in the answers and the annotation.
    pub version: &'a str,
    /// The template folder's path inside its repository (recorded in the answers).
    pub source: &'a str,
}

/// The result of a render.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub changes: ChangeSet,
    pub publish: Vec<PublishRequest>,
    pub answers: Answers,
    /// Existing files the render edited in place (stack manifests, Location files): writing
    /// them is the point, not an overwrite.
    pub edited: BTreeSet<RelPath>,
}

/// Runs every step, gathering all problems.
pub fn render(req: &RenderRequest) -> Result<Rendered, Vec<Diagnostic>> {
    let mut state = State {
        changes: ChangeSet::new(),
        publish: Vec::new(),
        fetched: BTreeSet::new(),
        edited: BTreeSet::new(),
        project: None,
    };
    let mut ctx = json!({ "parameters": req.parameters, "steps": {} });
    let mut diags = Vec::new();
    for step in &req.template.steps {
        let at = |rule: &str, msg: String| {
            Diagnostic::error(rule, format!("step `{}`: {msg}", step.name))
                .in_file(&req.template.file)
                .at_span(step.span)
        };
        match step_items(step, &ctx) {
            Err(msg) => diags.push(at(RULE_EXPR, msg)),
            Ok(items) => {
                let mut output = Json::Null;
                for item in items {
                    let mut c = ctx.clone();
                    if let Some(item) = item {
                        c["each"] = item;
                    }
                    let input = match expr::render_value(&step.input, &c) {
                        Ok(i) => i,
                        Err(e) => {
                            diags.push(at(RULE_EXPR, e.0));
                            continue;
                        }
                    };
                    match state.run(req, step.action, &input) {
                        Ok(o) => output = o,
                        Err(StepError::Input(msg)) => diags.push(at(RULE_INPUT, msg)),
                        Err(StepError::Found(d)) => diags.extend(d),
                    }
                }
                if let Some(id) = &step.id {
                    ctx["steps"][id] = json!({ "output": output });
                }
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let answers = Answers {
        template: req.template.name.clone(),
        version: req.version.to_string(),
        source: req.source.to_string(),
        project: state.project.clone().unwrap_or_default(),
        parameters: req.parameters.clone(),
    };
    state.provenance(&answers)?;
    Ok(Rendered { changes: state.changes, publish: state.publish, answers, edited: state.edited })
}

/// `None` for a plain step; one `{key, value}` per item for an `each:` step. An `if:` that is
/// false gives no items.
fn step_items(step: &Step, ctx: &Json) -> Result<Vec<Option<Json>>, String> {
    if let Some(cond) = &step.condition {
        let v = expr::render_value(cond, ctx).map_err(|e| e.0)?;
        if !truthy(&v) {
            return Ok(Vec::new());
        }
    }
    let Some(each) = &step.each else { return Ok(vec![None]) };
    match expr::render_value(each, ctx).map_err(|e| e.0)? {
        Json::Array(a) => Ok(a.into_iter().enumerate().map(|(i, v)| Some(json!({"key": i, "value": v}))).collect()),
        Json::Object(m) => Ok(m.into_iter().map(|(k, v)| Some(json!({"key": k, "value": v}))).collect()),
        Json::Null => Ok(Vec::new()),
        other => Err(format!("`each` must give a list or a mapping, not {other}")),
    }
}

enum StepError {
    Input(String),
    Found(Vec<Diagnostic>),
}

impl From<String> for StepError {
    fn from(s: String) -> Self {
        StepError::Input(s)
    }
}

impl From<&str> for StepError {
    fn from(s: &str) -> Self {
        StepError::Input(s.to_string())
    }
}

struct State {
    changes: ChangeSet,
    publish: Vec<PublishRequest>,
    /// Files fetch:template wrote (their catalog entities get the annotation).
    fetched: BTreeSet<RelPath>,
    edited: BTreeSet<RelPath>,
    /// The first fetch:template's target: the project folder.
    project: Option<RelPath>,
}

impl State {
    fn run(&mut self, req: &RenderRequest, action: Action, input: &Json) -> Result<Json, StepError> {
        match action {
            Action::FetchTemplate => {
                let fi = fetch_input(input)?;
                let before: BTreeSet<RelPath> = self.changes.files.keys().cloned().collect();
                let d = fetch(req.files, &fi, req.label, &mut self.changes);
                if !d.is_empty() {
                    return Err(StepError::Found(d));
                }
                self.fetched.extend(self.changes.files.keys().filter(|p| !before.contains(*p)).cloned());
                self.project.get_or_insert_with(|| fi.target.clone());
                Ok(json!({ "targetPath": fi.target.as_str() }))
            }
            Action::StackComponent => {
                let si = StackInput::from_json(input)?;
                let current = self.read(req, &si.stack)?;
                let new = si.apply(current.as_deref().unwrap_or("")).map_err(|e| format!("{}: {e}", si.stack))?;
                if current.as_deref() != Some(new.as_str()) {
                    self.write_edit(req, si.stack.clone(), new)?;
                }
                Ok(json!({ "stack": si.stack.as_str() }))
            }
            Action::CatalogRegister => {
                let path = |k: &str| -> Result<Option<RelPath>, String> {
                    match input.get(k).and_then(Json::as_str) {
                        None => Ok(None),
                        Some(s) => RelPath::new(s).map(Some).map_err(|e| format!("`{k}`: {e}")),
                    }
                };
                let entity = path("catalogInfoPath")?.ok_or("`catalogInfoPath` must be a path")?;
                let overlay = Overlay { base: req.base, changes: &self.changes };
                if overlay.kind(&entity) != Some(crate::source::EntryKind::File) {
                    return Err(format!("`{entity}` is not a file the template wrote or the repository has").into());
                }
                let location =
                    path("locationFile")?.unwrap_or_else(|| RelPath::new(DEFAULT_LOCATION_FILE).unwrap_or_default());
                let current = self.read(req, &location)?;
                if let Some(new) = register(&location, current.as_deref(), &entity)? {
                    self.write_edit(req, location.clone(), new)?;
                }
                Ok(json!({ "catalogInfoPath": entity.as_str(), "locationFile": location.as_str() }))
            }
            Action::CatalogAppend => {
                let ai = AppendInput::from_json(input)?;
                let (file, doc, text) = self.find_entity(req, &ai)?;
                if let Some(new) = ai.apply(&text, doc).map_err(|e| format!("{file}: {e}"))? {
                    self.write_edit(req, file.clone(), new)?;
                }
                Ok(json!({ "file": file.as_str() }))
            }
            Action::PublishGitHub | Action::PublishGitLab => {
                let flavor = if action == Action::PublishGitHub { ForgeFlavor::GitHub } else { ForgeFlavor::GitLab };
                let p = PublishRequest::from_json(flavor, input)?;
                let out = json!({ "repo": p.repo, "branchName": p.request.branch });
                self.publish.push(p);
                Ok(out)
            }
        }
    }

    /// The descriptor defining the entity `ai` edits: the `file` input, or the one YAML file
    /// of the repository (as the earlier steps left it) that defines it.
    fn find_entity(&self, req: &RenderRequest, ai: &AppendInput) -> Result<(RelPath, usize, String), String> {
        let entity = ai.entity.canonical();
        let candidates = match &ai.file {
            Some(f) => vec![f.clone()],
            None => {
                let overlay = Overlay { base: req.base, changes: &self.changes };
                walk_files(&overlay, &RelPath::root())
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .filter(|p| p.as_str().ends_with(".yaml") || p.as_str().ends_with(".yml"))
                    .collect()
            }
        };
        let mut found = Vec::new();
        for path in candidates {
            // Files that are not text, or too large to edit, cannot hold it.
            let Ok(Some(text)) = self.read(req, &path) else { continue };
            if !text.to_lowercase().contains(&ai.entity.name.to_lowercase()) {
                continue;
            }
            if let Some(doc) = ai.find(&text) {
                found.push((path, doc, text));
            }
        }
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(format!("`{entity}` is not defined in the repository")),
            _ => {
                let files: Vec<&str> = found.iter().map(|(p, _, _)| p.as_str()).collect();
                Err(format!("`{entity}` is defined in several files ({}); set `file`", files.join(", ")))
            }
        }
    }

    /// A file as the earlier steps left it (`None` when it does not exist).
    fn read(&self, req: &RenderRequest, path: &RelPath) -> Result<Option<String>, String> {
        let overlay = Overlay { base: req.base, changes: &self.changes };
        match overlay.read(path, MAX_EDIT) {
            Ok(b) => String::from_utf8(b.to_vec()).map(Some).map_err(|_| format!("`{path}` is not UTF-8 text")),
            Err(SourceError::NotFound(_)) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Writes an edit of `path`, remembering when it changed an existing file of the base.
    fn write_edit(&mut self, req: &RenderRequest, path: RelPath, text: String) -> Result<(), String> {
        if req.base.kind(&path).is_some() {
            self.edited.insert(path.clone());
        }
        self.write(path, text)
    }

    fn write(&mut self, path: RelPath, text: String) -> Result<(), String> {
        self.changes.write(path, text, FileMode::Regular).map(|_| ()).map_err(|e| e.to_string())
    }

    /// Writes the answers file and annotates the catalog entities the skeletons produced.
    fn provenance(&mut self, answers: &Answers) -> Result<(), Vec<Diagnostic>> {
        let annotation = answers.annotation();
        for path in &self.fetched {
            let name = path.file_name();
            if !(name == "catalog-info.yaml" || name == "catalog-info.yml") {
                continue;
            }
            if let Some(FileChange::Write { content, mode }) = self.changes.files.get_mut(path)
                && let Ok(text) = std::str::from_utf8(content)
            {
                let new = annotate(text, &annotation).map_err(|e| {
                    vec![Diagnostic::error(RULE_INPUT, format!("cannot annotate: {e}")).in_file(path.as_str())]
                })?;
                *content = new.into_bytes();
                *mode = FileMode::Regular;
            }
        }
        let file =
            answers.project.join(ANSWERS_FILE).map_err(|e| vec![Diagnostic::error(RULE_INPUT, e.to_string())])?;
        self.write(file, answers.to_yaml()).map_err(|e| vec![Diagnostic::error(RULE_INPUT, e)])
    }
}

fn fetch_input(input: &Json) -> Result<FetchInput, String> {
    let text = |k: &str| input.get(k).and_then(Json::as_str).unwrap_or_default().to_string();
    let url = text("url");
    if url.contains("://") {
        return Err(format!("`url` must be a folder of the template, not `{url}`"));
    }
    let url = RelPath::new(&url).map_err(|e| format!("`url`: {e}"))?;
    let target = RelPath::new(&text("targetPath")).map_err(|e| format!("`targetPath`: {e}"))?;
    let values = match input.get("values") {
        None | Some(Json::Null) => json!({}),
        Some(v @ Json::Object(_)) => v.clone(),
        Some(_) => return Err("`values` must be a mapping".into()),
    };
    let globs: Vec<String> = match input.get("copyWithoutTemplating") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Array(a)) => a
            .iter()
            .map(|g| {
                g.as_str()
                    .map(|s| s.trim_start_matches("./").to_string())
                    .ok_or("`copyWithoutTemplating` must be strings")
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("`copyWithoutTemplating` must be a list of globs".into()),
    };
    let copy_without_templating = compile_globs(&globs).map_err(|e| format!("`copyWithoutTemplating`: {e}"))?;
    let template_extension = match input.get("templateFileExtension") {
        None | Some(Json::Null) | Some(Json::Bool(false)) => None,
        Some(Json::Bool(true)) => Some(".hbs".to_string()),
        Some(Json::String(s)) if !s.is_empty() => Some(if s.starts_with('.') { s.clone() } else { format!(".{s}") }),
        Some(_) => return Err("`templateFileExtension` must be a boolean or an extension".into()),
    };
    let replace = input.get("replace").and_then(Json::as_bool).unwrap_or(false);
    Ok(FetchInput { url, target, values, copy_without_templating, template_extension, replace })
}

#[cfg(test)]
mod tests;
