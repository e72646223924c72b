//! Events from `saphyr-parser` into spanned [`Node`] trees, with limits.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span as PSpan, Tag};

use super::node::{Map, Node, Pos, Span, Value};
use super::scalar;

/// Resource limits applied while a tree is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Nodes that alias expansion may add to a file in total ("billion laughs" guard).
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: 256, max_alias_nodes: 10_000 }
    }
}

/// How to read YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ParseOptions {
    pub limits: Limits,
    /// Apply YAML 1.1 merge keys (`<<: *base`). go-yaml (Atmos) does; Backstage (`merge: false`)
    /// treats `<<` as an ordinary key.
    pub merge_keys: bool,
}

/// One YAML document of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 0-based position in the stream.
    pub index: usize,
    pub root: Node,
}

/// Why a text is not acceptable YAML, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (line {line}, column {column})")]
pub struct YamlError {
    pub kind: YamlErrorKind,
    pub message: String,
    pub line: u32,
    pub column: u32,
    /// The document the error is in (0-based).
    pub document: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YamlErrorKind {
    Syntax,
    DuplicateKey,
    UnknownAlias,
    AliasLimit,
    DepthLimit,
    BadTaggedValue,
    MergeKey,
}

/// Parses every document of `text`. On an error, the documents completed before it are kept,
/// so a caller can still report what it found.
pub fn parse_documents(text: &str, opts: &ParseOptions) -> (Vec<Document>, Option<YamlError>) {
    match parse_plain(text, opts) {
        Some(docs) => (docs, None),
        None => parse_events(text, opts),
    }
}

/// The documents of `text` when it is in the plain subset the line reader handles, else `None`
/// (then [`parse_events`] gives the same trees). Plain text is printable ASCII and line feeds;
/// it has no quotes, anchors, aliases, tags, directives, or keys other than strings.
pub fn parse_plain(text: &str, opts: &ParseOptions) -> Option<Vec<Document>> {
    let docs = super::fast::parse(text, opts.limits.max_depth)?;
    Some(docs.into_iter().map(|(index, root)| Document { index, root }).collect())
}

/// [`parse_documents`] without the fast path: every text through `saphyr-parser`'s events.
pub fn parse_events(text: &str, opts: &ParseOptions) -> (Vec<Document>, Option<YamlError>) {
    let mut b = Builder::new(opts);
    let mut parser = Parser::new_from_str(text);
    while let Some(ev) = parser.next_event() {
        let res = match ev {
            Ok((ev, span)) => b.on_event(ev, span),
            // The scanner has its own nesting guard for flow collections.
            Err(e) if e.info().contains("recursion limit") => {
                Err(b.error(YamlErrorKind::DepthLimit, format!("nesting too deep ({})", e.info()), *e.marker()))
            }
            Err(e) => Err(b.error(YamlErrorKind::Syntax, e.info().to_string(), *e.marker())),
        };
        match res {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => return (b.docs, Some(e)),
        }
    }
    (b.docs, None)
}

/// Parses a text that must hold a single document (config files). An empty text is `Null`.
pub fn parse_one(text: &str, opts: &ParseOptions) -> Result<Node, YamlError> {
    let (mut docs, err) = parse_documents(text, opts);
    if let Some(e) = err {
        return Err(e);
    }
    if docs.len() > 1 {
        return Err(YamlError {
            kind: YamlErrorKind::Syntax,
            message: format!("expected one YAML document, found {}", docs.len()),
            line: docs[1].root.span.start.line,
            column: docs[1].root.span.start.column,
            document: 1,
        });
    }
    Ok(docs.pop().map_or_else(|| Node::new(Value::Null, Span::point(1, 1)), |d| d.root))
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: Span,
        tag: Option<Box<str>>,
        anchor: usize,
    },
    Map {
        map: Map,
        key: Option<Node>,
        seen: Option<HashSet<String>>,
        merges: Vec<Node>,
        start: Span,
        tag: Option<Box<str>>,
        anchor: usize,
    },
}

struct Builder<'o> {
    opts: &'o ParseOptions,
    docs: Vec<Document>,
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
}

fn pos(m: Marker) -> Pos {
    Pos { line: m.line() as u32, column: m.col() as u32 + 1 }
}

fn span(s: PSpan) -> Span {
    Span { start: pos(s.start), end: pos(s.end) }
}

fn tag_text(tag: &Option<Cow<'_, Tag>>) -> Option<Box<str>> {
    tag.as_ref().map(|t| t.to_string().into_boxed_str())
}

fn count_nodes(n: &Node) -> usize {
    1 + match &n.value {
        Value::Seq(items) => items.iter().map(count_nodes).sum(),
        Value::Map(m) => m.entries.iter().map(|(k, v)| count_nodes(k) + count_nodes(v)).sum(),
        _ => 0,
    }
}

impl<'o> Builder<'o> {
    fn new(opts: &'o ParseOptions) -> Self {
        Builder { opts, docs: Vec::new(), stack: Vec::new(), root: None, anchors: HashMap::new(), alias_nodes: 0 }
    }

    fn error(&self, kind: YamlErrorKind, message: String, at: Marker) -> YamlError {
        let p = pos(at);
        YamlError { kind, message, line: p.line, column: p.column, document: self.docs.len() }
    }

    fn error_at(&self, kind: YamlErrorKind, message: String, at: Pos) -> YamlError {
        YamlError { kind, message, line: at.line, column: at.column, document: self.docs.len() }
    }

    /// Returns Ok(true) at the end of the stream.
    fn on_event(&mut self, ev: Event<'_>, sp: PSpan) -> Result<bool, YamlError> {
        match ev {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => return Ok(true),
            Event::DocumentStart(_) => {
                self.root = None;
                self.anchors.clear();
            }
            Event::DocumentEnd => {
                let root = self.root.take().unwrap_or_else(|| Node::new(Value::Null, span(sp)));
                self.docs.push(Document { index: self.docs.len(), root });
            }
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id) else {
                    return Err(self.error(YamlErrorKind::UnknownAlias, "unknown alias".into(), sp.start));
                };
                self.alias_nodes += size;
                if self.alias_nodes > self.opts.limits.max_alias_nodes {
                    return Err(self.error(
                        YamlErrorKind::AliasLimit,
                        format!(
                            "alias expansion exceeds the limit of {} nodes (a YAML alias bomb?)",
                            self.opts.limits.max_alias_nodes
                        ),
                        sp.start,
                    ));
                }
                let mut node = node.clone();
                // The alias is written here; pointing at the anchor would confuse readers.
                node.span = span(sp);
                self.push_node(node)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let value = match (&tag, style) {
                    (None, ScalarStyle::Plain) => scalar::resolve_plain(&text),
                    (None, _) => Value::String(text.into_owned()),
                    (Some(t), _) if t.is_yaml_core_schema() => match scalar::resolve_tagged(&t.suffix, &text) {
                        Some(v) => v,
                        None => {
                            return Err(self.error(
                                YamlErrorKind::BadTaggedValue,
                                format!("`{text}` is not a valid !!{}", t.suffix),
                                sp.start,
                            ));
                        }
                    },
                    (Some(_), _) => Value::String(text.into_owned()),
                };
                let node = Node {
                    value,
                    span: span(sp),
                    tag: tag.as_ref().filter(|t| !t.is_yaml_core_schema()).and_then(|_| tag_text(&tag)),
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, (node.clone(), 1));
                }
                self.push_node(node)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.check_depth(sp.start)?;
                self.stack.push(Frame::Seq { items: Vec::new(), start: span(sp), tag: core_free_tag(&tag), anchor });
            }
            Event::MappingStart(anchor, tag) => {
                self.check_depth(sp.start)?;
                self.stack.push(Frame::Map {
                    map: Map::default(),
                    key: None,
                    seen: None,
                    merges: Vec::new(),
                    start: span(sp),
                    tag: core_free_tag(&tag),
                    anchor,
                });
            }
            Event::SequenceEnd => {
                let Some(Frame::Seq { items, start, tag, anchor }) = self.stack.pop() else {
                    return Err(self.error(YamlErrorKind::Syntax, "unbalanced sequence".into(), sp.start));
                };
                let end = items.last().map_or(start.end, |n| n.span.end).max(pos(sp.end));
                let node = Node { value: Value::Seq(items), span: Span { start: start.start, end }, tag };
                self.finish(node, anchor)?;
            }
            Event::MappingEnd => {
                let Some(Frame::Map { mut map, merges, start, tag, anchor, .. }) = self.stack.pop() else {
                    return Err(self.error(YamlErrorKind::Syntax, "unbalanced mapping".into(), sp.start));
                };
                if !merges.is_empty() {
                    self.apply_merges(&mut map, merges)?;
                }
                let end = map.entries.last().map_or(start.end, |(_, v)| v.span.end).max(pos(sp.end));
                let node = Node { value: Value::Map(map), span: Span { start: start.start, end }, tag };
                self.finish(node, anchor)?;
            }
        }
        Ok(false)
    }

    fn check_depth(&self, at: Marker) -> Result<(), YamlError> {
        if self.stack.len() >= self.opts.limits.max_depth {
            return Err(self.error(
                YamlErrorKind::DepthLimit,
                format!("nesting deeper than the limit of {} levels", self.opts.limits.max_depth),
                at,
            ));
        }
        Ok(())
    }

    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            let size = count_nodes(&node);
            self.anchors.insert(anchor, (node.clone(), size));
        }
        self.push_node(node)
    }

    fn push_node(&mut self, node: Node) -> Result<(), YamlError> {
        let merge_keys = self.opts.merge_keys;
        let docs = self.docs.len();
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { map, key, seen, merges, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if merge_keys && k.tag.is_none() && k.as_str() == Some("<<") {
                        merges.push(node);
                        return Ok(());
                    }
                    let name = k.key_string();
                    let dup = match seen {
                        Some(set) => !set.insert(name.clone()),
                        None => {
                            let dup = map.entries.iter().any(|(ek, _)| ek.value == k.value);
                            if map.entries.len() >= 16 {
                                *seen = Some(
                                    map.entries.iter().map(|(ek, _)| ek.key_string()).chain([name.clone()]).collect(),
                                );
                            }
                            dup
                        }
                    };
                    if dup {
                        return Err(YamlError {
                            kind: YamlErrorKind::DuplicateKey,
                            message: format!("duplicate key `{name}` (map keys must be unique)"),
                            line: k.span.start.line,
                            column: k.span.start.column,
                            document: docs,
                        });
                    }
                    map.entries.push((k, node));
                }
            },
        }
        Ok(())
    }

    /// YAML 1.1 merge keys: keys written in the mapping win over merged ones; earlier merge
    /// sources win over later ones.
    fn apply_merges(&self, map: &mut Map, merges: Vec<Node>) -> Result<(), YamlError> {
        let mut sources = Vec::new();
        for m in merges {
            match m.value {
                Value::Map(src) => sources.push(src),
                Value::Seq(items) => {
                    for item in items {
                        match item.value {
                            Value::Map(src) => sources.push(src),
                            _ => {
                                return Err(self.error_at(
                                    YamlErrorKind::MergeKey,
                                    "a merge key (`<<`) sequence must hold mappings".into(),
                                    item.span.start,
                                ));
                            }
                        }
                    }
                }
                _ => {
                    return Err(self.error_at(
                        YamlErrorKind::MergeKey,
                        "a merge key (`<<`) must hold a mapping or a list of mappings".into(),
                        m.span.start,
                    ));
                }
            }
        }
        for src in sources {
            for (k, v) in src.entries {
                if !map.entries.iter().any(|(ek, _)| ek.value == k.value) {
                    map.entries.push((k, v));
                }
            }
        }
        Ok(())
    }
}

fn core_free_tag(tag: &Option<Cow<'_, Tag>>) -> Option<Box<str>> {
    tag.as_ref().filter(|t| !t.is_yaml_core_schema()).and_then(|_| tag_text(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<Document>, Option<YamlError>) {
        parse_documents(text, &ParseOptions::default())
    }

    #[test]
    fn spans_point_at_values() {
        let (docs, err) = parse("a: 1\nspec:\n  owner: team-a\n");
        assert!(err.is_none());
        let owner = docs[0].root.pointer("/spec/owner").unwrap();
        assert_eq!(owner.span.start, Pos { line: 3, column: 10 });
        assert_eq!(owner.as_str(), Some("team-a"));
        let (node, rest) = docs[0].root.pointer_prefix("/spec/system");
        assert_eq!(rest, vec!["system".to_string()]);
        assert_eq!(node.span.start.line, 3);
    }

    #[test]
    fn multi_document_and_empty_documents() {
        let (docs, err) = parse("---\na: 1\n---\n# only a comment\n---\nb: 2\n");
        assert!(err.is_none());
        assert_eq!(docs.len(), 3);
        assert!(docs[1].root.is_null());
        assert_eq!(docs[2].index, 2);
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let (_, err) = parse("a: 1\nb: 2\na: 3\n");
        let err = err.unwrap();
        assert_eq!(err.kind, YamlErrorKind::DuplicateKey);
        assert_eq!((err.line, err.column), (3, 1));
    }

    #[test]
    fn duplicate_keys_in_large_maps() {
        let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k7: again\n");
        assert_eq!(parse(&text).1.unwrap().kind, YamlErrorKind::DuplicateKey);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text =
            String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        let mut prev = 'a';
        for c in 'b'..='j' {
            text.push_str(&format!(
                "{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
            prev = c;
        }
        let (_, err) = parse(&text);
        assert_eq!(err.unwrap().kind, YamlErrorKind::AliasLimit);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}1{}", "[".repeat(1000), "]".repeat(1000));
        let (_, err) = parse(&text);
        assert_eq!(err.unwrap().kind, YamlErrorKind::DepthLimit);
        let text: String = (0..1000).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        let (_, err) = parse(&text);
        assert_eq!(err.unwrap().kind, YamlErrorKind::DepthLimit);
    }

    #[test]
    fn merge_keys_only_when_asked() {
        let text = "base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n";
        let opts = ParseOptions { merge_keys: true, ..Default::default() };
        let (docs, err) = parse_documents(text, &opts);
        assert!(err.is_none());
        let c = docs[0].root.get("c").unwrap().to_json();
        assert_eq!(c, serde_json::json!({"y": 3, "x": 1}));
        let (docs, _) = parse(text);
        assert!(docs[0].root.get("c").unwrap().get("<<").is_some());
    }

    #[test]
    fn custom_tags_are_kept() {
        let (docs, _) = parse("a: !env HOME\nb: !append [1]\nc: !!str 12\n");
        let root = &docs[0].root;
        assert_eq!(root.get("a").unwrap().tag.as_deref(), Some("!env"));
        assert_eq!(root.get("b").unwrap().tag.as_deref(), Some("!append"));
        assert_eq!(root.get("c").unwrap().as_str(), Some("12"));
        assert_eq!(root.get("c").unwrap().tag, None);
    }

    #[test]
    fn syntax_errors_have_positions() {
        let (_, err) = parse("a: [1, 2\nb: 3\n");
        let err = err.unwrap();
        assert_eq!(err.kind, YamlErrorKind::Syntax);
        assert!(err.line >= 1);
    }
}
