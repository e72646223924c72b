//! Checks one YAML document the way Backstage's pipeline does (envelope, catalog rules,
//! policies, kind schema, Location step, relation references), but reports every problem with
//! its position instead of stopping at the first.

use jsonschema::Validator;

use super::entity::{Entity, LocationSpec, RefUse};
use super::format;
use super::placeholder::{self, Resolve};
use super::refs::{canonical, parse_canonical, ref_fields};
use super::rules::{self, *};
use super::schema::{self, Issue, IssueKind};
use crate::config::Config;
use crate::report::Diagnostic;
use crate::yaml::{Map, Node, Span, Value};

/// A kind declared in paved.yaml, with its compiled schema (`None` when it failed to load; the
/// failure is reported once, elsewhere).
pub struct ExtraSchema {
    pub api_version: String,
    pub kind: String,
    pub validator: Option<Validator>,
}

/// What a document turned out to be.
pub enum Outcome {
    /// An empty document (null): Backstage ignores it.
    Empty,
    /// A failure Backstage charges to the whole file (root type, envelope, catalog rules).
    FileLevel(Span),
    Entity(Box<Entity>),
}

/// Collects diagnostics for one document.
struct Out<'a> {
    file: &'a str,
    doc: usize,
    entity: Option<String>,
    diags: &'a mut Vec<Diagnostic>,
    backstage_errors: usize,
    /// Where the first problem is, for the file-level warning.
    first: Option<Span>,
}

impl Out<'_> {
    fn push(&mut self, rule: &'static str, span: Span, message: String, help: Option<&str>) {
        if rule.starts_with("backstage/") {
            self.backstage_errors += 1;
            self.first.get_or_insert(span);
        }
        let mut d = Diagnostic::new(rule, rules::severity(rule), message)
            .in_file(self.file)
            .at_span(span)
            .in_document(self.doc);
        if let Some(e) = &self.entity {
            d = d.for_entity(e.clone());
        }
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.diags.push(d);
    }
}

/// Checks the document `root` (index `doc` of `file`).
pub fn check(
    file: &str,
    doc: usize,
    root: Node,
    cfg: &Config,
    extra: &[ExtraSchema],
    placeholders: Option<&dyn Resolve>,
    diags: &mut Vec<Diagnostic>,
) -> Outcome {
    let mut out = Out { file, doc, entity: None, diags, backstage_errors: 0, first: None };
    let map = match &root.value {
        Value::Null => return Outcome::Empty,
        Value::Map(m) => m,
        _ => {
            let got = match root.value {
                Value::Seq(_) => "object (an array)",
                Value::String(_) => "string",
                Value::Bool(_) => "boolean",
                _ => "number",
            };
            out.push(
                YAML_ROOT,
                root.span,
                format!("Expected object at root, got {got}"),
                Some("a descriptor document must be a mapping with apiVersion, kind, metadata and spec"),
            );
            return Outcome::FileLevel(root.span);
        }
    };
    if !envelope(&root, map, &mut out) {
        return Outcome::FileLevel(out.first.unwrap_or(root.span));
    }
    // The envelope guarantees these are non-empty strings and metadata is a mapping.
    let text = |n: Option<&Node>| n.and_then(Node::as_str).unwrap_or_default().to_string();
    let meta = map.get("metadata");
    let api_version = text(map.get("apiVersion"));
    let kind = text(map.get("kind"));
    let name = text(meta.and_then(|m| m.get("name")));
    let namespace = meta.and_then(|m| m.get("namespace")).and_then(Node::as_str).unwrap_or("default").to_string();
    let entity_ref = canonical(&kind, &namespace, &name);
    out.entity = Some(entity_ref.clone());

    if !cfg.catalog.allowed_kinds.iter().any(|k| k.eq_ignore_ascii_case(&kind)) {
        let span = map.get("kind").map_or(root.span, |n| n.span);
        out.push(
            KIND_NOT_ALLOWED,
            span,
            format!("kind `{kind}` is not allowed by the catalog rules"),
            Some("allow it in paved.yaml `catalog.allowed_kinds` (Backstage: `catalog.rules`)"),
        );
        return Outcome::FileLevel(span);
    }

    // Backstage resolves placeholders after the catalog rules, before its policies.
    let mut root = root;
    if let Some(r) = placeholders {
        for (span, msg) in placeholder::resolve(&mut root, r) {
            out.push(PLACEHOLDER, span, msg, Some("the path is relative to this file and must stay in the repository"));
        }
    }
    let Some(map) = root.as_map() else { return Outcome::FileLevel(root.span) };
    root_fields(map, &mut out);
    formats(map, &mut out);
    let builtin = schema::BUILTIN.iter().position(|b| b.kind == kind && b.api_versions.contains(&api_version.as_str()));
    let issues: Vec<Issue> = match builtin {
        Some(i) => schema::builtin_issues(Some(i), &root),
        None => match extra.iter().find(|x| x.kind == kind && x.api_version == api_version) {
            Some(x) => {
                let mut v = schema::builtin_issues(None, &root);
                if let Some(val) = &x.validator {
                    v.extend(schema::issues(val, &root.to_json()));
                }
                v
            }
            None => {
                unknown_kind(&root, map, &kind, &api_version, extra, &mut out);
                schema::builtin_issues(None, &root)
            }
        },
    };
    for issue in issues {
        schema_issue(&root, issue, &mut out);
    }
    let known = builtin.map(|i| schema::BUILTIN[i].kind);
    let location = (known == Some("Location")).then(|| location(map, cfg, &mut out));
    let refs = match known {
        Some(k) => references(map, &k.to_ascii_lowercase(), &namespace, &mut out),
        None => Vec::new(),
    };
    let accepted = out.backstage_errors == 0;
    Outcome::Entity(Box::new(Entity {
        entity_ref,
        kind,
        namespace,
        name,
        api_version,
        file: file.to_string(),
        document: doc,
        span: root.span,
        node: std::sync::Arc::new(root),
        refs,
        location,
        accepted,
    }))
}

fn missing(out: &mut Out<'_>, rule: &'static str, at: Span, field: &str) {
    let at = Span::point(at.start.line, at.start.column);
    out.push(rule, at, format!("missing required field `{field}`"), None);
}

/// Stage 1 of Backstage's pipeline. Returns whether the envelope holds.
fn envelope(root: &Node, map: &Map, out: &mut Out<'_>) -> bool {
    let before = out.backstage_errors;
    let non_empty = |out: &mut Out<'_>, parent: &Map, at: Span, field: &str, shown: &str| match parent.get(field) {
        None => missing(out, ENVELOPE, at, shown),
        Some(n) => match n.as_str() {
            Some("") => out.push(ENVELOPE, n.span, format!("`{shown}` must not be empty"), None),
            Some(_) => {}
            None => out.push(ENVELOPE, n.span, format!("`{shown}` must be a string, found {}", n.type_name()), None),
        },
    };
    non_empty(out, map, root.span, "apiVersion", "apiVersion");
    non_empty(out, map, root.span, "kind", "kind");
    match map.get("metadata") {
        None => missing(out, ENVELOPE, root.span, "metadata"),
        Some(meta) => match meta.as_map() {
            None => {
                out.push(ENVELOPE, meta.span, format!("`metadata` must be a mapping, found {}", meta.type_name()), None)
            }
            Some(m) => {
                let at = map.entry("metadata").map_or(meta.span, |(k, _)| k.span);
                non_empty(out, m, at, "name", "metadata.name");
                if m.get("namespace").is_some() {
                    non_empty(out, m, at, "namespace", "metadata.namespace");
                }
                if let Some(a) = m.get("annotations")
                    && a.as_map().is_none()
                {
                    out.push(ENVELOPE, a.span, "metadata.annotations must be a valid object".into(), None);
                }
            }
        },
    }
    out.backstage_errors == before
}

fn root_fields(map: &Map, out: &mut Out<'_>) {
    for (k, _) in &map.entries {
        let key = k.key_string();
        if !matches!(key.as_str(), "apiVersion" | "kind" | "metadata" | "spec") {
            out.push(
                ROOT_FIELDS,
                k.span,
                format!("unknown root field `{key}`"),
                Some("only apiVersion, kind, metadata and spec are allowed (Backstage computes relations and status)"),
            );
        }
    }
}

const NAME_HELP: &str = "letters, digits and [-_.], starting and ending with a letter or digit, at most 63 characters";

/// Backstage's FieldFormatEntityPolicy, every field rather than the first.
fn formats(map: &Map, out: &mut Out<'_>) {
    if let Some(n) = map.get("apiVersion").filter(|n| n.as_str().is_some_and(|s| !format::is_api_version(s))) {
        out.push(
            API_VERSION,
            n.span,
            format!("apiVersion `{}` is not `[<dns-subdomain>/]<version>`", n.as_str().unwrap_or_default()),
            Some("e.g. backstage.io/v1alpha1"),
        );
    }
    if let Some(n) = map.get("kind").filter(|n| n.as_str().is_some_and(|s| !format::is_kind(s))) {
        out.push(
            KIND_FORMAT,
            n.span,
            format!("kind `{}` must be a letter followed by letters and digits", n.as_str().unwrap_or_default()),
            None,
        );
    }
    let Some(meta) = map.get("metadata").and_then(Node::as_map) else { return };
    if let Some(n) = meta.get("name").filter(|n| n.as_str().is_some_and(|s| !format::is_object_name(s))) {
        let s = n.as_str().unwrap_or_default();
        out.push(METADATA_NAME, n.span, format!("metadata.name `{s}` is not a valid name"), Some(NAME_HELP));
    }
    if let Some(n) = meta.get("namespace").filter(|n| n.as_str().is_some_and(|s| !format::is_dns_label(s))) {
        let s = n.as_str().unwrap_or_default();
        out.push(
            METADATA_NAMESPACE,
            n.span,
            format!("metadata.namespace `{s}` is not a valid namespace"),
            Some("lower-case letters, digits and `-`, not starting or ending with `-`, at most 63 characters"),
        );
    }
    key_values(meta.get("labels"), "labels", METADATA_LABELS, true, out);
    key_values(meta.get("annotations"), "annotations", METADATA_ANNOTATIONS, false, out);
    if let Some(tags) = meta.get("tags").and_then(Node::as_seq) {
        for t in tags {
            if let Some(s) = t.as_str()
                && !s.is_empty()
                && !format::is_tag(s)
            {
                out.push(
                    METADATA_TAGS,
                    t.span,
                    format!("tag `{s}` is not valid"),
                    Some("[a-z0-9:+#] separated by single `-`, at most 63 characters (no `.`, no upper case)"),
                );
            }
        }
    }
    if let Some(links) = meta.get("links").and_then(Node::as_seq) {
        for link in links {
            if let Some(u) = link.get("url")
                && let Some(s) = u.as_str()
                && !s.is_empty()
                && !format::is_url(s)
            {
                out.push(
                    METADATA_LINKS,
                    u.span,
                    format!("link url `{s}` is not a valid absolute URL"),
                    Some("e.g. https://grafana.example.com/d/abc"),
                );
            }
            for field in ["title", "icon"] {
                if let Some(n) = link.get(field)
                    && let Some(s) = n.as_str()
                    && !s.is_empty()
                    && !format::is_non_blank(s)
                {
                    out.push(METADATA_LINKS, n.span, format!("link {field} must not be blank"), None);
                }
            }
        }
    }
}

fn key_values(node: Option<&Node>, what: &str, rule: &'static str, label_values: bool, out: &mut Out<'_>) {
    let Some(m) = node.and_then(Node::as_map) else { return };
    for (k, v) in &m.entries {
        let key = js_key(k);
        if !format::is_label_key(&key) {
            out.push(
                rule,
                k.span,
                format!("{what} key `{key}` is not valid"),
                Some("`[<dns-subdomain>/]<name>`: an optional lower-case DNS prefix and `/`, then a name (letters, digits, [-_.])"),
            );
        }
        if label_values
            && let Some(s) = v.as_str()
            && !format::is_label_value(s)
        {
            out.push(rule, v.span, format!("label value `{s}` is not valid"), Some(NAME_HELP));
        }
    }
}

fn unknown_kind(root: &Node, map: &Map, kind: &str, api_version: &str, extra: &[ExtraSchema], out: &mut Out<'_>) {
    let span = map.get("kind").map_or(root.span, |n| n.span);
    let known = schema::BUILTIN
        .iter()
        .map(|b| (b.kind, b.api_versions.join(" or ")))
        .chain(extra.iter().map(|x| (x.kind.as_str(), x.api_version.clone())));
    let mut help = None;
    for (k, versions) in known {
        if k == kind {
            help = Some(format!("{k} takes apiVersion {versions}"));
            break;
        }
        if k.eq_ignore_ascii_case(kind) {
            help = Some(format!("kinds are case-sensitive: did you mean `{k}`?"));
            break;
        }
    }
    let help = help.unwrap_or_else(|| "declare the kind with a schema in paved.yaml `catalog.kinds`".to_string());
    out.push(
        KIND_UNKNOWN,
        span,
        format!(
            "no kind matched `{kind}` with apiVersion `{api_version}` (Backstage: no processor recognized the entity)"
        ),
        Some(&help),
    );
}

fn schema_issue(root: &Node, issue: Issue, out: &mut Out<'_>) {
    let ptr = issue.pointer.as_str();
    let rule = rule_for(ptr, &issue.what);
    let (node, _) = root.pointer_prefix(ptr);
    let shown = if ptr.is_empty() { "the entity".to_string() } else { format!("`{}`", dotted(ptr)) };
    match issue.what {
        // The root's unknown fields are reported by `root_fields` with their keys' positions.
        IssueKind::Unexpected(_) if ptr.is_empty() => {}
        // A missing field: point at the key of the mapping that lacks it (or where it starts).
        IssueKind::Required(field) => {
            let at = root
                .key_span(ptr)
                .filter(|_| !ptr.is_empty())
                .unwrap_or(Span::point(node.span.start.line, node.span.start.column));
            out.push(rule, at, format!("{shown} is missing required field `{field}`"), None)
        }
        IssueKind::Unexpected(names) => {
            out.push(rule, node.span, format!("{shown} must not have {}", names.join(", ")), None)
        }
        IssueKind::Invalid(what) => out.push(rule, node.span, format!("{shown} {what}"), None),
    }
}

/// `/spec/steps/0/action` → `spec.steps[0].action`.
fn dotted(ptr: &str) -> String {
    let mut s = String::new();
    for seg in ptr.split('/').skip(1) {
        if seg.bytes().all(|b| b.is_ascii_digit()) && !seg.is_empty() {
            s.push_str(&format!("[{seg}]"));
        } else {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(&seg.replace("~1", "/").replace("~0", "~"));
        }
    }
    s
}

fn rule_for(ptr: &str, what: &IssueKind) -> &'static str {
    let mut segs = ptr.split('/').skip(1);
    match (segs.next(), segs.next()) {
        (None, _) => match what {
            IssueKind::Required(f) if f == "spec" => SPEC_REQUIRED,
            IssueKind::Unexpected(_) => ROOT_FIELDS,
            _ => ENVELOPE,
        },
        (Some("spec"), _) => match what {
            IssueKind::Required(_) => SPEC_REQUIRED,
            _ => SPEC_TYPE,
        },
        (Some("metadata"), Some("title")) => METADATA_TITLE,
        (Some("metadata"), Some("labels")) => METADATA_LABELS,
        (Some("metadata"), Some("annotations")) => METADATA_ANNOTATIONS,
        (Some("metadata"), Some("tags")) => METADATA_TAGS,
        (Some("metadata"), Some("links")) => METADATA_LINKS,
        (Some("metadata"), Some("name")) => METADATA_NAME,
        (Some("metadata"), Some("namespace")) => METADATA_NAMESPACE,
        (Some("metadata"), Some(_)) => METADATA,
        _ => ENVELOPE,
    }
}

/// The Location step's own checks; returns the targets for discovery.
fn location(map: &Map, cfg: &Config, out: &mut Out<'_>) -> LocationSpec {
    let spec = map.get("spec");
    let type_node = spec.and_then(|s| s.get("type"));
    let kind = type_node.and_then(Node::as_str).filter(|s| !s.is_empty()).unwrap_or("url").to_string();
    if kind != "url"
        && !cfg.catalog.location_types.contains(&kind)
        && let Some(n) = type_node
    {
        let mut allowed: Vec<&str> =
            std::iter::once("url").chain(cfg.catalog.location_types.iter().map(String::as_str)).collect();
        allowed.dedup();
        out.push(
            LOCATION_TYPE,
            n.span,
            format!("Registered locations must be of an allowed type; `{kind}` is not one of {allowed:?}"),
            Some("inside a repository read by URL, use `type: url` (or omit it) with a relative target; or allow the type in paved.yaml `catalog.location_types`"),
        );
    }
    let optional = spec.and_then(|s| s.get("presence")).and_then(Node::as_str) == Some("optional");
    let mut targets = Vec::new();
    if let Some(t) = spec.and_then(|s| s.get("target")) {
        targets.push(t);
    }
    if let Some(ts) = spec.and_then(|s| s.get("targets")).and_then(Node::as_seq) {
        targets.extend(ts);
    }
    let mut out_targets = Vec::new();
    for t in targets {
        let Some(s) = t.as_str().filter(|s| !s.is_empty()) else { continue };
        if kind == "file" && s.ends_with('/') {
            out.push(LOCATION_TARGET, t.span, format!("a file location cannot target a directory: `{s}`"), None);
        }
        out_targets.push((s.to_string(), t.span));
    }
    LocationSpec { kind, optional, targets: out_targets }
}

/// JavaScript truthiness of a YAML value, for Backstage's `if (!targets) continue`.
fn truthy(n: &Node) -> bool {
    match &n.value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0 && !f.is_nan(),
        Value::String(s) => !s.is_empty(),
        Value::Seq(_) | Value::Map(_) => true,
    }
}

/// Backstage's relation building: parses every reference of the kind's reference fields.
fn references(map: &Map, kind: &str, namespace: &str, out: &mut Out<'_>) -> Vec<RefUse> {
    let mut refs = Vec::new();
    let Some(spec) = map.get("spec").and_then(Node::as_map) else { return refs };
    for f in ref_fields(kind) {
        let Some(value) = spec.get(f.field).filter(|v| truthy(v)) else { continue };
        let items: Vec<&Node> = match &value.value {
            Value::Seq(items) => items.iter().collect(),
            _ => vec![value],
        };
        // Fields in the kind's schema already report wrong types; dependencyOf is in none.
        let schema_typed = f.field != "dependencyOf";
        for item in items {
            let parsed = match &item.value {
                Value::String(s) => parse_canonical(s, f.default_kind, namespace),
                _ if schema_typed => continue,
                Value::Map(m) => object_ref(m, f.default_kind, namespace).map(|r| r.canonical()),
                _ => Err(format!(
                    "Entity reference {} had missing or empty kind (e.g. did not start with \"component:\" or similar)",
                    item.to_json()
                )),
            };
            match parsed {
                Ok(target) => refs.push(RefUse {
                    field: f.field,
                    target,
                    forward: f.forward,
                    reverse: f.reverse,
                    target_kinds: f.target_kinds,
                    span: item.span,
                }),
                Err(msg) => {
                    let help = match f.default_kind {
                        None => format!("spec.{} needs a kind, e.g. `component:name` or `resource:name`", f.field),
                        Some(k) => format!("`[<kind>:][<namespace>/]<name>`; the kind defaults to {k}"),
                    };
                    out.push(ENTITY_REF, item.span, format!("spec.{}: {msg}", f.field), Some(&help));
                }
            }
        }
    }
    refs
}

/// The `{kind, namespace, name}` form of a reference.
fn object_ref(m: &Map, default_kind: Option<&str>, namespace: &str) -> Result<super::refs::EntityRef, String> {
    let field = |k: &str| m.get(k).filter(|n| !n.is_null());
    let as_text = |n: &Node| n.as_str().map(str::to_string).unwrap_or_else(|| n.to_json().to_string());
    let textual = Node::new(Value::Map(m.clone()), Span::default()).to_json().to_string();
    let kind = field("kind").map(as_text).or(default_kind.map(str::to_string)).filter(|s| !s.is_empty());
    let ns = field("namespace").map(as_text).unwrap_or_else(|| namespace.to_string());
    let name = field("name").map(as_text).filter(|s| !s.is_empty());
    match (kind, name) {
        (None, _) => Err(format!(
            "Entity reference {textual} had missing or empty kind (e.g. did not start with \"component:\" or similar)"
        )),
        (_, _) if ns.is_empty() => Err(format!("Entity reference {textual} had missing or empty namespace")),
        (Some(_), None) => Err(format!("Entity reference {textual} had missing or empty name")),
        (Some(kind), Some(name)) => Ok(super::refs::EntityRef { kind, namespace: ns, name }),
    }
}

/// A mapping key as JavaScript sees it after `yaml` v2's `toJSON` (`String(value)`).
fn js_key(k: &Node) -> String {
    match &k.value {
        Value::Null => String::new(),
        Value::Float(f) => js_number(*f),
        _ => k.key_string(),
    }
}

/// `String(number)` in JavaScript.
fn js_number(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if f == 0.0 {
        return "0".into();
    }
    if f.abs() >= 1e21 || f.abs() < 1e-6 {
        let s = format!("{f:e}");
        return match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
            _ => s,
        };
    }
    if f == f.trunc() { format!("{f:.0}") } else { f.to_string() }
}
