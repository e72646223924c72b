//! `template.yaml`: a Backstage Template entity (`scaffolder.backstage.io/v1beta3`) read into
//! a [`Template`], with every problem of the template reported as a diagnostic.

use serde_json::Value as Json;

use super::expr::{self, Piece, Segment};
use super::params::Parameters;
use crate::report::Diagnostic;
use crate::yaml::{Node, ParseOptions, Span, parse_one};

/// The file that makes a folder a golden path.
pub const TEMPLATE_FILE: &str = "template.yaml";
pub const API_VERSION: &str = "scaffolder.backstage.io/v1beta3";

const RULE_INVALID: &str = "golden/template-invalid";
const RULE_ACTION: &str = "golden/unknown-action";
const RULE_EXPR: &str = "golden/expression";
const RULE_INPUT: &str = "golden/step-input";

/// The actions paved runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    FetchTemplate,
    StackComponent,
    PublishGitHub,
    PublishGitLab,
    CatalogRegister,
    CatalogAppend,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::FetchTemplate,
        Action::StackComponent,
        Action::PublishGitHub,
        Action::PublishGitLab,
        Action::CatalogRegister,
        Action::CatalogAppend,
    ];

    /// The action id as templates write it.
    pub fn id(self) -> &'static str {
        match self {
            Action::FetchTemplate => "fetch:template",
            Action::StackComponent => "paved:stack-component",
            Action::PublishGitHub => "publish:github:pull-request",
            Action::PublishGitLab => "publish:gitlab:merge-request",
            Action::CatalogRegister => "catalog:register",
            Action::CatalogAppend => "paved:catalog-append",
        }
    }

    pub fn from_id(id: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.id() == id)
    }

    /// Inputs the action cannot run without.
    pub fn required_inputs(self) -> &'static [&'static str] {
        match self {
            Action::FetchTemplate => &["url"],
            Action::StackComponent => &["stack", "component"],
            Action::PublishGitHub | Action::PublishGitLab => &["repoUrl", "branchName", "title"],
            Action::CatalogRegister => &["catalogInfoPath"],
            Action::CatalogAppend => &["entityRef", "field", "value"],
        }
    }
}

/// One entry of `spec.steps`.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub id: Option<String>,
    pub name: String,
    pub action: Action,
    /// The `input` mapping as written (strings may hold `${{ }}` expressions).
    pub input: Json,
    /// `if:` (a boolean or an expression); the step is skipped when it is false.
    pub condition: Option<Json>,
    /// `each:` (an expression giving a list or an object); the step runs once per item.
    pub each: Option<Json>,
    pub span: Span,
}

/// A parsed golden path template.
#[derive(Debug, Clone)]
pub struct Template {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub parameters: Parameters,
    pub steps: Vec<Step>,
    /// Where template.yaml is, for diagnostics.
    pub file: String,
}

impl Template {
    /// Parses and checks `text`; `file` labels diagnostics.
    pub fn parse(file: &str, text: &str) -> Result<Template, Vec<Diagnostic>> {
        let bad = |span: Span, msg: String| Diagnostic::error(RULE_INVALID, msg).in_file(file).at_span(span);
        let root = parse_one(text, &ParseOptions::default())
            .map_err(|e| vec![Diagnostic::error(RULE_INVALID, e.message.clone()).in_file(file).at(e.line, e.column)])?;
        let mut diags = Vec::new();
        let str_at = |p: &str| root.pointer(p).and_then(Node::as_str).map(str::to_string);
        if str_at("/apiVersion").as_deref() != Some(API_VERSION) {
            let span = root.pointer("/apiVersion").map_or(root.span, |n| n.span);
            diags.push(bad(span, format!("apiVersion must be `{API_VERSION}`")));
        }
        if str_at("/kind").as_deref() != Some("Template") {
            let span = root.pointer("/kind").map_or(root.span, |n| n.span);
            diags.push(bad(span, "kind must be `Template`".into()));
        }
        let name = str_at("/metadata/name").unwrap_or_default();
        if !valid_name(&name) {
            let span = root.pointer("/metadata/name").map_or(root.span, |n| n.span);
            diags.push(bad(span, format!("metadata.name `{name}` is not a valid entity name")));
        }
        let parameters = match Parameters::from_node(root.pointer("/spec/parameters"), file) {
            Ok(p) => Some(p),
            Err(d) => {
                diags.extend(d);
                None
            }
        };
        let steps = match root.pointer("/spec/steps").and_then(Node::as_seq) {
            Some(s) if !s.is_empty() => s,
            _ => {
                diags.push(bad(root.span, "spec.steps must be a non-empty list".into()));
                &[]
            }
        };
        let mut read = Vec::new();
        for node in steps {
            match read_step(node, file) {
                Ok(s) => read.push((s, node)),
                Err(d) => diags.extend(d),
            }
        }
        if let Some(p) = &parameters {
            check_expressions(&read, p, file, &mut diags);
        }
        let out_steps: Vec<Step> = read.into_iter().map(|(s, _)| s).collect();
        match parameters {
            Some(parameters) if diags.is_empty() => Ok(Template {
                name,
                title: str_at("/metadata/title"),
                description: str_at("/metadata/description"),
                parameters,
                steps: out_steps,
                file: file.to_string(),
            }),
            _ => Err(diags),
        }
    }
}

/// Backstage's entity name rule.
pub fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn read_step(node: &Node, file: &str) -> Result<Step, Vec<Diagnostic>> {
    let at = |rule: &str, span: Span, msg: String| Diagnostic::error(rule, msg).in_file(file).at_span(span);
    let Some(map) = node.as_map() else {
        return Err(vec![at(RULE_INVALID, node.span, "a step must be a mapping".into())]);
    };
    let Some(action_node) = map.get("action") else {
        return Err(vec![at(RULE_INVALID, node.span, "a step needs an `action`".into())]);
    };
    let action_id = action_node.as_str().unwrap_or_default();
    let Some(action) = Action::from_id(action_id) else {
        let known: Vec<&str> = Action::ALL.iter().map(|a| a.id()).collect();
        return Err(vec![
            at(RULE_ACTION, action_node.span, format!("unknown action `{action_id}`"))
                .with_help(format!("paved runs: {}", known.join(", "))),
        ]);
    };
    let id = map.get("id").and_then(Node::as_str).map(str::to_string);
    let input = map.get("input").map_or(Json::Object(Default::default()), Node::to_json);
    let mut diags = Vec::new();
    if !input.is_object() {
        diags.push(at(RULE_INPUT, map.get("input").map_or(node.span, |n| n.span), "`input` must be a mapping".into()));
    }
    for req in action.required_inputs() {
        if input.get(req).is_none_or(Json::is_null) {
            let span = map.get("input").map_or(node.span, |n| n.span);
            diags.push(at(RULE_INPUT, span, format!("`{}` needs input `{req}`", action.id())));
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Step {
        name: map.get("name").and_then(Node::as_str).map_or_else(|| id.clone().unwrap_or_default(), str::to_string),
        id,
        action,
        input,
        condition: map.get("if").map(Node::to_json),
        each: map.get("each").map(Node::to_json),
        span: node.span,
    })
}

/// Every expression parses, names a declared parameter, an earlier step or `each` inside an
/// `each` step, and uses known filters.
fn check_expressions(steps: &[(Step, &Node)], params: &Parameters, file: &str, diags: &mut Vec<Diagnostic>) {
    let mut earlier: Vec<&str> = Vec::new();
    for (step, node) in steps {
        if let Some(id) = &step.id
            && earlier.contains(&id.as_str())
        {
            let d = Diagnostic::error(RULE_INVALID, format!("duplicate step id `{id}`"));
            diags.push(d.in_file(file).at_span(step.span));
        }
        let mut check = |text: &str, span: Span| {
            let pieces = match expr::parse_template(text) {
                Ok(p) => p,
                Err(e) => return diags.push(Diagnostic::error(RULE_EXPR, e.0).in_file(file).at_span(span)),
            };
            for piece in pieces {
                let Piece::Expr(e) = piece else { continue };
                let (mut problems, mut unknown) = (Vec::new(), Vec::new());
                e.visit(
                    &mut |path| problems.extend(path_problem(path, params, &earlier, step.each.is_some())),
                    &mut |f| {
                        if !expr::FILTERS.contains(&f) {
                            unknown.push(format!("unknown filter `{f}`"));
                        }
                    },
                );
                for p in problems.into_iter().chain(unknown) {
                    diags.push(Diagnostic::error(RULE_EXPR, p).in_file(file).at_span(span));
                }
            }
        };
        node.walk(&mut |_, n| {
            if let Some(s) = n.as_str() {
                check(s, n.span);
            }
        });
        if let Some(id) = &step.id {
            earlier.push(id);
        }
    }
}

fn path_problem(path: &[Segment], params: &Parameters, earlier: &[&str], in_each: bool) -> Option<String> {
    let key = |i: usize| match path.get(i) {
        Some(Segment::Key(k)) => Some(k.as_str()),
        _ => None,
    };
    match key(0) {
        Some("parameters") => match key(1) {
            Some(name) if params.get(name).is_some() => None,
            Some(name) => Some(format!("`parameters.{name}` is not a declared parameter")),
            None => None,
        },
        Some("steps") => match key(1) {
            Some(id) if earlier.contains(&id) => None,
            Some(id) => Some(format!("`steps.{id}` does not name an earlier step")),
            None => None,
        },
        Some("each") if in_each => None,
        Some("each") => Some("`each` is only defined in a step with `each:`".into()),
        Some(other) => Some(format!("unknown name `{other}` (expressions read {})", expr::ROOTS.join(", "))),
        None => Some("an expression must start with a name".into()),
    }
}

#[cfg(test)]
mod tests;
