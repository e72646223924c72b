//! `fetch:template`: renders a skeleton folder of the template into the change set.
//!
//! Contents and paths are handlebars templates rendered in strict mode (a missing variable is
//! an error naming it) with `values` as the data, so `{{values.name}}` works as Backstage's
//! `${{ values.name }}` does. HTML escaping is off. Binary files, and files matched by
//! `copyWithoutTemplating`, are copied byte for byte; modes are kept. A path segment that
//! renders empty drops the file (conditional files and folders).

use globset::GlobSet;
use handlebars::{
    Context, Handlebars, RenderContext, RenderError, RenderErrorReason, Renderable, StringOutput, Template,
};
use rayon::prelude::*;
use serde_json::Value as Json;

use super::tree::{CompileError, TemplateDir, TemplateFile};
use crate::changeset::ChangeSet;
use crate::report::Diagnostic;
use crate::source::RelPath;

const RULE_RENDER: &str = "golden/render";
/// A rendered path that is not safe to write.
pub const RULE_PATH: &str = "golden/unsafe-path";

/// The checked inputs of one `fetch:template` step.
#[derive(Debug, Clone)]
pub struct FetchInput {
    /// The skeleton folder, relative to the template folder.
    pub url: RelPath,
    /// Where the files go, relative to the output root.
    pub target: RelPath,
    pub values: Json,
    /// Globs (relative to the skeleton) whose files and folders are copied as they are.
    pub copy_without_templating: GlobSet,
    /// When set, only files with this extension are rendered (and lose it).
    pub template_extension: Option<String>,
    /// Whether this step may replace files an earlier step wrote.
    pub replace: bool,
}

/// A handlebars registry as paved configures it: strict, no escaping, no partials or files.
pub fn registry() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb
}

/// Whether bytes are treated as binary (never templated).
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8000)].contains(&0) || std::str::from_utf8(bytes).is_err()
}

/// What one skeleton file becomes, decided before any content is rendered.
enum Planned<'a> {
    /// A segment of its path rendered empty: the file is switched off.
    Off,
    Problem(Diagnostic),
    File {
        dest: RelPath,
        shown: String,
        file: &'a TemplateFile,
        verbatim: bool,
    },
}

/// Renders the skeleton into `out`. `label` prefixes template paths in diagnostics.
///
/// Paths are rendered first, in order; contents (the expensive part) are rendered in
/// parallel, each file's template compiled once per [`TemplateDir`]; the results go into
/// `out` in the skeleton's order, so diagnostics and overwrite checks come out the same as a
/// sequential render.
pub fn fetch(dir: &TemplateDir, input: &FetchInput, label: &str, out: &mut ChangeSet) -> Vec<Diagnostic> {
    let hb = registry();
    let data = serde_json::json!({ "values": input.values });
    let ctx = match Context::wraps(&data) {
        Ok(c) => c,
        Err(e) => return vec![Diagnostic::error(RULE_RENDER, e.to_string())],
    };
    let planned: Vec<Planned> =
        dir.under(&input.url).map(|(rel, file)| plan(&hb, &ctx, input, label, rel, file)).collect();
    if planned.is_empty() {
        return vec![Diagnostic::error(
            RULE_RENDER,
            format!("the skeleton folder `{}` is empty or missing", input.url),
        )];
    }
    let contents: Vec<Option<Result<Vec<u8>, Box<Diagnostic>>>> = planned
        .par_iter()
        .with_min_len(8)
        .map(|p| match p {
            Planned::File { file, verbatim: true, .. } => Some(Ok(file.content.to_vec())),
            Planned::File { file, shown, .. } => Some(render_content(&hb, &ctx, file, shown)),
            _ => None,
        })
        .collect();
    let mut diags = Vec::new();
    for (p, content) in planned.into_iter().zip(contents) {
        let (dest, shown, file) = match p {
            Planned::Off => continue,
            Planned::Problem(d) => {
                diags.push(d);
                continue;
            }
            Planned::File { dest, shown, file, .. } => (dest, shown, file),
        };
        let content = match content {
            Some(Ok(c)) => c,
            Some(Err(d)) => {
                diags.push(*d);
                continue;
            }
            None => continue,
        };
        if out.files.contains_key(&dest) && !input.replace {
            diags.push(path_diag(
                format!("`{dest}` is written by an earlier step; set `replace: true` to overwrite it"),
                &shown,
            ));
            continue;
        }
        if let Err(e) = out.write(dest, content, file.mode) {
            diags.push(path_diag(e.to_string(), &shown));
        }
    }
    diags
}

/// Where a skeleton file goes and whether it is templated.
fn plan<'a>(
    hb: &Handlebars<'_>,
    ctx: &Context,
    input: &FetchInput,
    label: &str,
    rel: &str,
    file: &'a TemplateFile,
) -> Planned<'a> {
    let shown = join_label(label, &input.url.join(rel).map(|p| p.to_string()).unwrap_or_default());
    let path_text = match render_path(hb, ctx, rel) {
        Ok(Some(p)) => p,
        Ok(None) => return Planned::Off,
        Err((rule, msg)) => return Planned::Problem(Diagnostic::error(rule, msg).in_file(&shown)),
    };
    let (path_text, strip_ok) = match &input.template_extension {
        Some(ext) => match path_text.strip_suffix(ext.as_str()) {
            Some(p) => (p.to_string(), true),
            None => (path_text, false),
        },
        None => (path_text, true),
    };
    let dest = match RelPath::new(&path_text).and_then(|p| input.target.join(p.as_str())) {
        Ok(p) if !p.is_root() && RelPath::new(&path_text).is_ok_and(|p| !p.is_root()) => p,
        Ok(_) => {
            return Planned::Problem(path_diag(format!("`{path_text}` renders to the output folder itself"), &shown));
        }
        Err(e) => return Planned::Problem(path_diag(format!("`{path_text}`: {e}"), &shown)),
    };
    let verbatim = !strip_ok || is_binary(&file.content) || copied_as_is(&input.copy_without_templating, rel);
    Planned::File { dest, shown, file, verbatim }
}

/// A text file's content rendered with the values.
fn render_content(
    hb: &Handlebars<'_>,
    ctx: &Context,
    file: &TemplateFile,
    shown: &str,
) -> Result<Vec<u8>, Box<Diagnostic>> {
    // Checked by is_binary: valid UTF-8.
    let text = std::str::from_utf8(&file.content).unwrap_or_default();
    if !text.contains("{{") {
        // Nothing for handlebars to do (an escaped `\{{` contains `{{` too).
        return Ok(file.content.to_vec());
    }
    let compiled = file.compiled.0.get_or_init(|| {
        Template::compile(text)
            .map_err(|e| CompileError { message: format!("template syntax: {}", e.reason()), pos: e.pos() })
    });
    let tpl = compiled.as_ref().map_err(|e| Box::new(render_diag(&e.message, shown, e.pos)))?;
    let mut output = StringOutput::new();
    tpl.render(hb, ctx, &mut RenderContext::new(None), &mut output)
        .and_then(|()| output.into_string().map_err(RenderError::from))
        .map(String::into_bytes)
        .map_err(|e| Box::new(render_diag(&reason(&e), shown, position(&e))))
}

/// Renders a path one segment at a time: `None` when a segment renders empty. A segment that
/// renders to an absolute path or holds NUL is refused here; `..` is judged on the whole path.
fn render_path(hb: &Handlebars<'_>, ctx: &Context, rel: &str) -> Result<Option<String>, (&'static str, String)> {
    let mut out = String::with_capacity(rel.len());
    for seg in split_segments(rel) {
        let r = if seg.contains("{{") {
            hb.render_template_with_context(seg, ctx)
                .map_err(|e| (RULE_RENDER, format!("in the file name: {}", reason(&e))))?
        } else {
            seg.to_string()
        };
        if r.is_empty() {
            return Ok(None);
        }
        if r.starts_with('/') || r.contains('\0') {
            return Err((RULE_PATH, format!("`{}` is not a relative path", r.escape_debug())));
        }
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(&r);
    }
    Ok(Some(out))
}

/// Splits at `/` outside `{{ }}` (so `{{/if}}` stays whole).
fn split_segments(path: &str) -> Vec<&str> {
    let (mut out, mut start, mut depth, b) = (Vec::new(), 0, 0usize, path.as_bytes());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"{{") {
            depth += 1;
            i += 2;
        } else if b[i..].starts_with(b"}}") && depth > 0 {
            depth -= 1;
            i += 2;
        } else {
            if b[i] == b'/' && depth == 0 {
                out.push(&path[start..i]);
                start = i + 1;
            }
            i += 1;
        }
    }
    out.push(&path[start..]);
    out
}

fn join_label(label: &str, path: &str) -> String {
    if label.is_empty() { path.to_string() } else { format!("{}/{path}", label.trim_end_matches('/')) }
}

/// A file is copied as is when a glob matches it or one of its folders.
fn copied_as_is(globs: &GlobSet, rel: &str) -> bool {
    if globs.is_empty() {
        return false;
    }
    let mut p = rel;
    loop {
        if globs.is_match(p) {
            return true;
        }
        match p.rfind('/') {
            Some(i) => p = &p[..i],
            None => return false,
        }
    }
}

fn reason(e: &RenderError) -> String {
    match e.reason() {
        RenderErrorReason::MissingVariable(Some(v)) => format!("missing variable `{v}`"),
        RenderErrorReason::MissingVariable(None) => "missing variable".into(),
        RenderErrorReason::TemplateError(t) => format!("template syntax: {}", t.reason()),
        other => other.to_string(),
    }
}

fn position(e: &RenderError) -> Option<(usize, usize)> {
    match e.reason() {
        RenderErrorReason::TemplateError(t) => t.pos(),
        _ => e.line_no.zip(e.column_no),
    }
}

fn render_diag(msg: &str, file: &str, pos: Option<(usize, usize)>) -> Diagnostic {
    let d = Diagnostic::error(RULE_RENDER, msg.to_string()).in_file(file);
    match pos {
        Some((l, c)) => d.at(l as u32, c as u32),
        None => d,
    }
}

fn path_diag(msg: String, file: &str) -> Diagnostic {
    Diagnostic::error(RULE_PATH, msg).in_file(file)
}

#[cfg(test)]
mod tests;
