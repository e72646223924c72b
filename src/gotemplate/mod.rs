//! A Go `text/template` engine for Atmos stack manifests.
//!
//! Atmos renders `.tmpl` stack files, imports with `context`, `name_template` and the
//! `{{ … }}` in merged component sections as Go templates with the Sprig and Gomplate function
//! libraries. paved renders the same templates natively, without IO: the data is a
//! `serde_json::Value`, `env` reads [`Options::env`] (never the process environment), and
//! functions that need IO or state (`atmos.Component`, `atmos.Store`, data sources, the clock,
//! randomness) fail with an error at their position instead of producing a guess.
//!
//! The pipeline is lexer → parser → AST → evaluator, following Go's `text/template` closely:
//! same trim markers, scoping, truthiness, `missingkey` behaviour, value printing and error
//! texts where practical. Everything it does not support is an [`Error`] with line and column;
//! it never renders silently wrong output. Hostile templates are bounded (see the `MAX_*`
//! constants): nesting, template recursion, output size and an evaluation budget.
//!
//! `docs/go-templates.md` lists what is supported.

mod ast;
mod exec;
mod fmt;
mod funcs;
mod lexer;
mod literal;
mod parser;
mod strconv;
mod value;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

/// Largest output (and largest string any function may build), in bytes.
pub const MAX_OUTPUT_BYTES: usize = 16 << 20;
/// Deepest nesting of `{{template}}`/`{{block}}` calls at execution time.
pub const MAX_TEMPLATE_DEPTH: usize = 100;
/// Deepest nesting of control structures and parentheses in the source.
pub const MAX_NESTING: usize = 100;
/// Deepest nesting at execution time, counting every control structure, parenthesized
/// pipeline and template call on the way (a recursive template multiplies source nesting).
pub const MAX_EXEC_NESTING: usize = 400;
/// Deepest nesting of data values (input data, printing, JSON/YAML encoding).
pub const MAX_VALUE_DEPTH: usize = 200;
/// Evaluation budget: one unit per command, loop iteration and list element built, one per 16
/// bytes of string built. Bounds CPU time and memory of a hostile template.
pub const MAX_STEPS: u64 = 4_000_000;

/// How rendering treats data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// What the `env`, `expandenv` and `env.Getenv` functions see. The engine never reads the
    /// process environment.
    pub env: BTreeMap<String, String>,
    /// Go's `missingkey=zero`: a missing map key yields the zero value of the map's element
    /// type. With `false` it is Go's default (`missingkey=default`): the missing value, which
    /// prints as `<no value>`. For `map[string]any` data both print `<no value>` (Go's zero
    /// `interface{}` is nil, which an action prints as `<no value>`); they differ when a field
    /// of the missing value is taken (`.a.b`): the default yields `<no value>`, zero is an
    /// error. Atmos itself uses [`MissingKey::Error`] unless an import sets
    /// `ignore_missing_template_values`; use [`Template::execute_with`] for that.
    pub missing_key_zero: bool,
}

impl Options {
    /// The `missingkey` mode these options select.
    pub fn missing_key(&self) -> MissingKey {
        if self.missing_key_zero { MissingKey::Zero } else { MissingKey::Default }
    }
}

/// Go's `missingkey` template option: what taking a key that is not in a map does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default`: the missing value (prints `<no value>`).
    #[default]
    Default,
    /// `missingkey=zero`: the zero value of the map's element type.
    Zero,
    /// `missingkey=error`: execution stops with `map has no entry for key "k"` (what Atmos
    /// uses by default).
    Error,
}

/// A template that could not be parsed or executed: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}:{line}:{column}: {message}")]
pub struct Error {
    /// The template's name (the file name).
    pub name: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    pub message: String,
}

impl Error {
    /// An error at byte offset `pos` of `text`.
    pub(crate) fn at(name: &str, text: &str, pos: usize, message: impl Into<String>) -> Error {
        let (line, column) = line_column(text, pos);
        Error { name: name.to_string(), line, column, message: message.into() }
    }
}

/// 1-based line and character column of byte offset `pos`.
fn line_column(text: &str, pos: usize) -> (u32, u32) {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &text[..pos];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(u32::MAX))
}

/// Whether `text` contains template actions at all (`{{`), the quick check Atmos makes before
/// rendering a value.
pub fn is_template(text: &str) -> bool {
    text.contains("{{")
}

/// Parses and executes `text` in one go. `name` is the file name used in errors.
pub fn render(name: &str, text: &str, data: &serde_json::Value, opts: &Options) -> Result<String, Error> {
    Template::parse(name, text)?.execute(data, opts)
}

/// A parsed template, reusable across executions (e.g. a `name_template` applied to every
/// component).
///
/// Cheap to clone and `Send + Sync`: parse once, execute from any thread.
#[derive(Debug, Clone)]
pub struct Template {
    name: Arc<str>,
    text: Arc<str>,
    /// The main body and every `{{define}}`/`{{block}}`, by name.
    trees: Arc<BTreeMap<String, Arc<ast::List>>>,
}

impl Template {
    /// Parses `text` with the standard `{{` `}}` delimiters.
    pub fn parse(name: &str, text: &str) -> Result<Template, Error> {
        Template::parse_with_delims(name, text, "{{", "}}")
    }

    /// Parses `text` with other action delimiters (Atmos's `templates.settings.delimiters`).
    pub fn parse_with_delims(name: &str, text: &str, left: &str, right: &str) -> Result<Template, Error> {
        if left.is_empty() || right.is_empty() {
            return Err(Error::at(name, text, 0, "template delimiters must not be empty"));
        }
        let tokens = lexer::lex(text, left, right).map_err(|e| Error::at(name, text, e.pos, e.msg))?;
        let trees = parser::parse(name, &tokens).map_err(|e| Error::at(name, text, e.pos, e.msg))?;
        Ok(Template { name: name.into(), text: text.into(), trees: Arc::new(trees) })
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Executes the template over `data` with the `missingkey` mode of `opts`.
    pub fn execute(&self, data: &serde_json::Value, opts: &Options) -> Result<String, Error> {
        self.execute_with(data, opts, opts.missing_key())
    }

    /// Executes the template with an explicit `missingkey` mode.
    pub fn execute_with(&self, data: &serde_json::Value, opts: &Options, missing: MissingKey) -> Result<String, Error> {
        exec::execute(self, data, &opts.env, missing).map_err(|e| Error::at(&self.name, &self.text, e.pos, e.msg))
    }
}
