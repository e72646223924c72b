//! `fetch:template`: renders a skeleton folder of the template into the change set.
//!
//! Contents and paths are handlebars templates rendered in strict mode (a missing variable is
//! an error naming it) with `values` as the data, so `{{values.name}}` works as Backstage's
//! `${{ values.name }}` does. HTML escaping is off. Binary files, and files matched by
//! `copyWithoutTemplating`, are copied byte for byte; modes are kept. A path segment that
//! renders empty drops the file (conditional files and folders).

use globset::GlobSet;
use handlebars::{Context, Handlebars, RenderError, RenderErrorReason};
use serde_json::Value as Json;

use super::tree::TemplateDir;
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

/// Renders the skeleton into `out`. `label` prefixes template paths in diagnostics.
pub fn fetch(dir: &TemplateDir, input: &FetchInput, label: &str, out: &mut ChangeSet) -> Vec<Diagnostic> {
    let hb = registry();
    let data = serde_json::json!({ "values": input.values });
    let ctx = match Context::wraps(&data) {
        Ok(c) => c,
        Err(e) => return vec![Diagnostic::error(RULE_RENDER, e.to_string())],
    };
    let mut diags = Vec::new();
    let mut any = false;
    for (rel, file) in dir.under(&input.url) {
        any = true;
        let shown = join_label(label, &input.url.join(rel).map(|p| p.to_string()).unwrap_or_default());
        let path_text = match render_path(&hb, &ctx, rel) {
            Ok(Some(p)) => p,
            Ok(None) => continue, // a segment rendered empty: the file is switched off
            Err((rule, msg)) => {
                diags.push(Diagnostic::error(rule, msg).in_file(&shown));
                continue;
            }
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
                diags.push(path_diag(format!("`{path_text}` renders to the output folder itself"), &shown));
                continue;
            }
            Err(e) => {
                diags.push(path_diag(format!("`{path_text}`: {e}"), &shown));
                continue;
            }
        };
        let verbatim = !strip_ok || is_binary(&file.content) || copied_as_is(&input.copy_without_templating, rel);
        let content: Vec<u8> = if verbatim {
            file.content.to_vec()
        } else {
            // Checked by is_binary: valid UTF-8.
            let text = String::from_utf8_lossy(&file.content);
            match hb.render_template_with_context(&text, &ctx) {
                Ok(t) => t.into_bytes(),
                Err(e) => {
                    diags.push(render_diag(&reason(&e), &shown, position(&e)));
                    continue;
                }
            }
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
    if !any {
        diags.push(Diagnostic::error(RULE_RENDER, format!("the skeleton folder `{}` is empty or missing", input.url)));
    }
    diags
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
