//! A fast path for the plain YAML most descriptor files are written in.
//!
//! `saphyr-parser` scans character by character and allocates for every token; most files
//! are block mappings and sequences of plain scalars, one per line, with flow lists of plain
//! words and literal block scalars. This reader handles exactly that, line by line, and builds
//! the same tree, spans included, as the event path would. Anything else (quotes, anchors,
//! tags, folded or chomped scalars, trailing comments, tabs, non-ASCII text, multi-line plain
//! scalars, empty values, duplicate keys, a missing final newline ...) makes it give up
//! (`None`), and the caller parses the text the ordinary way, errors and limits included. A
//! differential test holds it to the event path's output.

use std::collections::HashSet;

use super::node::{Map, Node, Pos, Span, Value};
use super::scalar;

/// Deeper nesting is left to the event path, which enforces the configured limit.
const MAX_DEPTH: usize = 64;

/// The YAML spec's limit on implicit keys; longer ones are the event path's business.
const MAX_KEY: usize = 1000;

/// Keys scanned one by one before a mapping's keys go into a hash set.
const FEW_KEYS: usize = 16;

/// The keys of one mapping so far. A scan is cheapest for the few keys descriptors have, but
/// quadratic: a hostile 100,000-key mapping would cost 5·10⁹ comparisons.
struct Keys<'t> {
    few: [&'t str; FEW_KEYS],
    len: usize,
    many: Option<HashSet<&'t str>>,
}

impl<'t> Keys<'t> {
    fn new() -> Self {
        Keys { few: [""; FEW_KEYS], len: 0, many: None }
    }

    /// Adds `key`; false when it is already there.
    fn insert(&mut self, key: &'t str) -> bool {
        if let Some(set) = &mut self.many {
            return set.insert(key);
        }
        if self.few[..self.len].contains(&key) {
            return false;
        }
        if self.len < FEW_KEYS {
            self.few[self.len] = key;
            self.len += 1;
        } else {
            let mut set: HashSet<&'t str> = self.few.iter().copied().collect();
            set.insert(key);
            self.many = Some(set);
        }
        true
    }
}

/// One line: 1-based number, leading spaces, and the text after them (no newline).
#[derive(Clone, Copy)]
struct Line<'t> {
    no: u32,
    indent: usize,
    text: &'t str,
}

impl Line<'_> {
    /// Blank and comment lines are skipped by the scanner.
    fn significant(&self) -> bool {
        !self.text.is_empty() && !self.text.starts_with('#')
    }

    fn is_seq_entry(&self) -> bool {
        self.text == "-" || self.text.starts_with("- ")
    }

    /// Where the line's first token starts.
    fn pos(&self) -> Pos {
        Pos { line: self.no, column: self.indent as u32 + 1 }
    }
}

/// Parses every document of `text`, or `None` when the text is not in the subset handled here.
/// Collections nested `max_depth` deep are left to the event path (which refuses them).
pub fn parse(text: &str, max_depth: usize) -> Option<Vec<(usize, Node)>> {
    // ASCII without control characters (columns are then bytes), newline-terminated.
    if !text.ends_with('\n') || !text.bytes().all(|b| b == b'\n' || (b' '..=b'~').contains(&b)) {
        return None;
    }
    let mut lines = Vec::with_capacity(text.len() / 16);
    // Lines are short: a byte loop beats a `memchr` call per line.
    let mut start = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if b != b'\n' {
            continue;
        }
        let raw = &text[start..i];
        start = i + 1;
        if raw.ends_with(' ') {
            return None;
        }
        let body = raw.trim_start_matches(' ');
        lines.push(Line { no: lines.len() as u32 + 1, indent: raw.len() - body.len(), text: body });
    }
    let eof = Pos { line: lines.len() as u32 + 1, column: 1 };
    let mut docs = Vec::new();
    let mut p = Reader {
        lines: &lines,
        at: 0,
        eof,
        max_depth: max_depth.min(MAX_DEPTH),
        entries: Vec::new(),
        items: Vec::new(),
    };
    // An empty document (a marker followed by another or by the end) would need the event
    // path's null node.
    let mut after_marker = false;
    loop {
        p.skip_insignificant();
        let Some(l) = p.peek() else { break };
        if is_marker(&l) {
            if l.text != "---" || after_marker {
                return None;
            }
            after_marker = true;
            p.at += 1;
            continue;
        }
        if l.indent != 0 {
            return None;
        }
        let root = p.block(l, None, 0)?;
        after_marker = false;
        p.skip_insignificant();
        match p.peek() {
            None => {}
            Some(l) if l.indent == 0 && l.text == "---" => {}
            Some(_) => return None,
        }
        docs.push((docs.len(), root));
    }
    (!after_marker).then_some(docs)
}

/// `---`, `...` and directives: only a bare `---` is handled.
fn is_marker(l: &Line<'_>) -> bool {
    l.indent == 0 && (l.text.starts_with("---") || l.text.starts_with("...") || l.text.starts_with('%'))
}

struct Reader<'l, 't> {
    lines: &'l [Line<'t>],
    at: usize,
    eof: Pos,
    max_depth: usize,
    /// The entries of the mappings and the items of the sequences being read, innermost last:
    /// each collection takes its own off the top into a vector of exactly their number. The
    /// trees may live as long as the process (a catalog keeps every entity's): growing each
    /// vector by doubling would leave up to half of it unused, and copy it on every growth.
    entries: Vec<(Node, Node)>,
    items: Vec<Node>,
}

impl<'t> Reader<'_, 't> {
    fn peek(&self) -> Option<Line<'t>> {
        self.lines.get(self.at).copied()
    }

    /// After a block entry: the next entry's line at `indent`, `Some(None)` where the block
    /// ends, `None` when a deeper line follows (not text this reader takes).
    fn next_entry(&mut self, indent: usize) -> Option<Option<Line<'t>>> {
        self.skip_insignificant();
        match self.peek() {
            Some(n) if n.indent == indent && !is_marker(&n) => Some(Some(n)),
            Some(n) if n.indent > indent => None,
            _ => Some(None),
        }
    }

    fn skip_insignificant(&mut self) {
        while self.peek().is_some_and(|l| !l.significant()) {
            self.at += 1;
        }
    }

    /// Where the scanner stands after the current construct: the next token.
    fn next_token(&mut self) -> Pos {
        self.skip_insignificant();
        self.peek().map_or(self.eof, |l| l.pos())
    }

    /// A block collection starting at `first` (the cursor's line, or a compact mapping inside
    /// a sequence entry when `first` is a virtual line).
    fn block(&mut self, first: Line<'t>, parent: Option<usize>, depth: usize) -> Option<Node> {
        if parent.is_some_and(|p| first.indent <= p) {
            return None;
        }
        if first.is_seq_entry() { self.sequence(first, depth) } else { self.mapping(first, depth) }
    }

    /// A block mapping whose first entry is on `first`, the cursor's line (or, for a compact
    /// mapping in a sequence entry, the part of it after the dash).
    fn mapping(&mut self, first: Line<'t>, depth: usize) -> Option<Node> {
        if depth + 1 >= self.max_depth {
            return None;
        }
        let indent = first.indent;
        let start = first.pos();
        let base = self.entries.len();
        let mut keys = Keys::new();
        let mut line = Some(first);
        while let Some(l) = line {
            if l.indent != indent || is_marker(&l) || l.is_seq_entry() {
                return None;
            }
            self.at += 1;
            let (key, rest) = split_key(l.text)?;
            let key_node = plain(key, l.no, indent)?;
            // String keys only, so that equal values and equal JSON keys are the same thing; a
            // plain string's value is its text, so the texts can stand for the values.
            if !matches!(key_node.value, Value::String(_)) || key.len() > MAX_KEY || !keys.insert(key) {
                return None;
            }
            let value_col = indent + (l.text.len() - rest.len());
            let value = self.value(rest, l.no, value_col, indent, depth)?;
            self.entries.push((key_node, value));
            line = self.next_entry(indent)?;
        }
        let end = self.next_token();
        let end = self.entries.last().map_or(end, |(_, v)| v.span.end.max(end));
        let map = Map { entries: self.entries.drain(base..).collect() };
        Some(Node::new(Value::Map(map), Span { start, end }))
    }

    fn sequence(&mut self, first: Line<'t>, depth: usize) -> Option<Node> {
        if depth + 1 >= self.max_depth {
            return None;
        }
        let indent = first.indent;
        let start = first.pos();
        let base = self.items.len();
        let mut line = Some(first);
        while let Some(l) = line {
            if l.indent != indent || !l.is_seq_entry() {
                return None;
            }
            let rest = l.text[1..].trim_start_matches(' ');
            let col = indent + (l.text.len() - rest.len());
            let item = if rest.is_empty() {
                self.at += 1;
                self.skip_insignificant();
                let next = self.peek()?;
                self.block(next, Some(indent), depth + 1)?
            } else if split_key(rest).is_some() && !rest.starts_with(['[', '|', '\'', '"']) {
                // A compact mapping: its first entry shares the dash's line.
                let virt = Line { no: l.no, indent: col, text: rest };
                self.mapping(virt, depth + 1)?
            } else {
                self.at += 1;
                let v = self.inline(rest, l.no, col, indent, depth)?;
                self.after_inline(indent)?;
                v
            };
            self.items.push(item);
            line = self.next_entry(indent)?;
        }
        let end = self.next_token();
        let end = self.items.last().map_or(end, |v: &Node| v.span.end.max(end));
        let items = self.items.drain(base..).collect();
        Some(Node::new(Value::Seq(items), Span { start, end }))
    }

    /// The value after `key:` (`rest`, at 0-based column `col`) of a mapping at `indent`.
    fn value(&mut self, rest: &'t str, no: u32, col: usize, indent: usize, depth: usize) -> Option<Node> {
        if rest.is_empty() {
            self.skip_insignificant();
            let next = self.peek()?;
            if is_marker(&next) {
                return None;
            }
            return self.block(next, Some(indent), depth + 1);
        }
        let v = self.inline(rest, no, col, indent, depth)?;
        self.after_inline(indent)?;
        Some(v)
    }

    /// Nothing may continue an inline value on more deeply indented lines.
    fn after_inline(&mut self, indent: usize) -> Option<()> {
        self.skip_insignificant();
        match self.peek() {
            Some(n) if n.indent > indent => None,
            _ => Some(()),
        }
    }

    /// A value written on the line: a literal block scalar, a flow list, or a plain scalar. The
    /// cursor has already moved past the line.
    fn inline(&mut self, rest: &'t str, no: u32, col: usize, indent: usize, depth: usize) -> Option<Node> {
        if rest == "|" {
            return self.literal(indent);
        }
        if let Some(inner) = rest.strip_prefix('[') {
            if depth + 2 >= self.max_depth {
                return None;
            }
            return flow_list(inner, no, col);
        }
        plain(rest, no, col)
    }

    /// A `|` block scalar (clip chomping, detected indentation) under a parent at `indent`.
    /// The cursor is just past the header line.
    fn literal(&mut self, indent: usize) -> Option<Node> {
        let first = self.peek()?;
        if first.text.is_empty() || first.indent <= indent {
            return None;
        }
        let m = first.indent;
        let start = first.pos();
        let mut text = String::new();
        let mut pending_newlines = 0;
        while let Some(l) = self.peek() {
            if l.text.is_empty() {
                pending_newlines += 1;
                self.at += 1;
                continue;
            }
            if l.indent < m {
                // Ends the scalar; a line between the parent's and the content's indentation
                // is something the event path should judge.
                if l.indent > indent {
                    return None;
                }
                break;
            }
            if !text.is_empty() {
                text.push('\n');
            }
            text.extend(std::iter::repeat_n('\n', pending_newlines));
            pending_newlines = 0;
            text.extend(std::iter::repeat_n(' ', l.indent - m));
            text.push_str(l.text);
            self.at += 1;
        }
        text.push('\n');
        let end = self.peek().map_or(self.eof, |l| l.pos());
        Some(Node::new(Value::String(text), Span { start, end }))
    }
}

/// `key: rest` or `key:`; the key must be a plain word.
fn split_key(text: &str) -> Option<(&str, &str)> {
    // Lines are short: a byte scan beats `memchr`'s set-up.
    let i = text.bytes().position(|b| b == b':')?;
    let (key, after) = (&text[..i], &text[i + 1..]);
    let rest = match after.strip_prefix(' ') {
        Some(r) => r.trim_start_matches(' '),
        None if after.is_empty() => after,
        None => return None,
    };
    (!key.is_empty() && !key.ends_with(' ') && key != "<<").then_some((key, rest))
}

/// A plain scalar that is all of `text`, at 0-based column `col` of line `no`.
fn plain(text: &str, no: u32, col: usize) -> Option<Node> {
    let first = *text.as_bytes().first()?;
    // A `match`, not `[u8]::contains`, which calls `memchr`.
    let indicator = matches!(
        first,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    );
    if indicator || breaks_plain(text) || text.ends_with(':') {
        return None;
    }
    Some(scalar_node(text, no, col))
}

/// Whether `: ` (a mapping value) or ` #` (a comment) is inside `text`. A byte scan: the texts
/// are short, and a substring search costs more to set up than to run.
fn breaks_plain(text: &str) -> bool {
    text.as_bytes().windows(2).any(|w| w == b": " || w == b" #")
}

fn scalar_node(text: &str, no: u32, col: usize) -> Node {
    let start = Pos { line: no, column: col as u32 + 1 };
    let end = Pos { line: no, column: (col + text.len()) as u32 + 1 };
    Node::new(scalar::resolve_plain(text), Span { start, end })
}

/// `[a, b, c]` of plain words on one line; `inner` follows the `[` at column `col`.
fn flow_list(inner: &str, no: u32, col: usize) -> Option<Node> {
    let body = inner.strip_suffix(']')?;
    let close = col + 1 + body.len();
    let mut items = Vec::new();
    if !body.trim_start_matches(' ').is_empty() {
        // Sized by the commas: the list may outlive the parse.
        items.reserve_exact(body.bytes().filter(|&b| b == b',').count() + 1);
        let mut offset = col + 1;
        for part in body.split(',') {
            let word = part.trim_matches(' ');
            let lead = part.len() - part.trim_start_matches(' ').len();
            // `kind:name` is one word in a flow list; `a: b` or a trailing `:` is not.
            if word.is_empty()
                || word.bytes().any(|b| matches!(b, b'[' | b']' | b'{' | b'}' | b'#' | b'\'' | b'"'))
                || breaks_plain(word)
                || word.ends_with(':')
                || matches!(
                    word.as_bytes()[0],
                    b'-' | b'?' | b':' | b'!' | b'&' | b'*' | b'|' | b'>' | b'%' | b'@' | b'`'
                )
            {
                return None;
            }
            items.push(scalar_node(word, no, offset + lead));
            offset += part.len() + 1;
        }
    }
    let start = Pos { line: no, column: col as u32 + 1 };
    let after = Pos { line: no, column: close as u32 + 2 };
    let end = items.last().map_or(after, |n: &Node| n.span.end.max(after));
    Some(Node::new(Value::Seq(items), Span { start, end }))
}

#[cfg(test)]
mod tests {
    use super::super::parse::{Document, ParseOptions, parse_events};
    use super::*;

    /// xorshift: the same seed writes the same texts.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }

        fn chance(&mut self, percent: u64) -> bool {
            self.next() % 100 < percent
        }
    }

    const WORDS: &[&str] = &[
        "a",
        "name",
        "x y",
        "true",
        "null",
        "~",
        "1",
        "0x1F",
        "1.5",
        ".inf",
        "1e3",
        "012",
        "on",
        "a:b",
        "http://x/y",
        "a #b",
        "a, b",
        "a]",
        "x.y/z",
    ];

    const BAD_WORDS: &[&str] = &[
        "-1", "a # b", "b:", "- a", "'q'", "\"q\"", "&a x", "*a", "!t x", "[a]", "{a: 1}", "|", ">", "|-", "---",
        "...", "%x", "@x", "`x`", "?x", "? x", ":x", "é", "a\tb", "", "x ",
    ];

    const FLOW: &[&str] = &["a", "kind:name", "1", "x y", " d ", "true"];

    const BAD_FLOW: &[&str] = &["a: b", "b:", "[c]", "'q'", "-1", "#c", "", "a#b", ":x"];

    fn word(r: &mut Rng, good: &[&'static str], bad: &[&'static str]) -> &'static str {
        if r.chance(90) { r.pick(good) } else { r.pick(bad) }
    }

    fn value(r: &mut Rng, out: &mut String, indent: usize, depth: usize) {
        match r.next() % 10 {
            0 | 1 if depth < 4 => {
                out.push('\n');
                let child = indent + 1 + (r.next() % 3) as usize;
                let at = if r.chance(10) { indent } else { child };
                block(r, out, at, depth + 1);
            }
            2 => {
                out.push_str(": [");
                let n = r.next() % 4;
                for i in 0..n {
                    if i > 0 {
                        out.push_str(r.pick(&[", ", ",", " , "]));
                    }
                    out.push_str(word(r, FLOW, BAD_FLOW));
                }
                out.push_str(word(r, &["]", " ]"], &["] x", "", "]]"]));
                out.push('\n');
            }
            3 => {
                out.push_str(word(r, &[": |"], &[": >", ": |-", ": | # c", ": |2"]));
                out.push('\n');
                let content = indent + (r.next() % 4) as usize;
                for _ in 0..1 + r.next() % 4 {
                    if r.chance(20) {
                        out.push('\n');
                        continue;
                    }
                    let extra = if r.chance(20) { (r.next() % 3) as usize } else { 0 };
                    out.push_str(&" ".repeat(content + extra));
                    out.push_str(r.pick(&["text", "# not a comment", "'200':", "- x", "a: b", "x  "]));
                    out.push('\n');
                }
            }
            _ => {
                out.push_str(word(r, &[": ", ":  "], &[":", " : ", ":\t"]));
                out.push_str(word(r, WORDS, BAD_WORDS));
                out.push('\n');
            }
        }
    }

    fn block(r: &mut Rng, out: &mut String, indent: usize, depth: usize) {
        let seq = r.chance(30);
        for _ in 0..1 + r.next() % 4 {
            if r.chance(10) {
                out.push_str(r.pick(&["\n", "# c\n", "  # c\n", "\n\n", "  \n"]));
            }
            let ind = if r.chance(3) { indent + 1 } else { indent };
            out.push_str(&" ".repeat(ind));
            if seq {
                out.push_str(word(r, &["- ", "-  "], &["-", "-\t"]));
                if r.chance(40) {
                    out.push_str(word(r, WORDS, BAD_WORDS));
                    out.push('\n');
                    continue;
                }
                if r.chance(10) && depth < 4 {
                    out.push('\n');
                    block(r, out, indent + 2, depth + 1);
                    continue;
                }
                // A compact mapping: its later keys line up with the first.
                out.push_str(word(r, &["k", "url", "a b"], &["1", "", "? k", "- k"]));
                value(r, out, indent + 2, depth + 1);
                if r.chance(50) {
                    out.push_str(&" ".repeat(indent + 2));
                    out.push_str("title");
                    value(r, out, indent + 2, depth + 1);
                }
            } else {
                out.push_str(word(
                    r,
                    &["name", "spec", "k1", "k2", "a b", "k#", "url"],
                    &["1", "true", "<<", "- x", ""],
                ));
                value(r, out, indent, depth);
            }
        }
    }

    fn text(r: &mut Rng) -> String {
        let mut out = String::new();
        for d in 0..1 + r.next() % 3 {
            if d > 0 || r.chance(20) {
                out.push_str(word(r, &["---\n"], &["--- x\n", "...\n", "---\n---\n", "--- \n"]));
            }
            block(r, &mut out, 0, 0);
        }
        if r.chance(5) {
            out.pop();
        }
        out
    }

    #[test]
    fn agrees_with_the_event_path() {
        let opts = ParseOptions::default();
        let mut r = Rng(0x5EED_CA7A);
        let (mut fast, mut total) = (0, 0);
        for _ in 0..20_000 {
            let t = text(&mut r);
            total += 1;
            let Some(docs) = parse(&t, opts.limits.max_depth) else { continue };
            fast += 1;
            let (want, err) = parse_events(&t, &opts);
            assert!(err.is_none(), "fast path accepted what the event path refuses ({err:?}):\n{t}");
            let got: Vec<_> = docs.into_iter().map(|(index, root)| Document { index, root }).collect();
            assert_eq!(got, want, "trees differ for:\n{t}");
        }
        // The generator must exercise the fast path, not only its refusals.
        assert!(fast * 20 > total, "fast path took only {fast} of {total} texts");
    }

    #[test]
    fn a_mapping_of_100k_keys_is_linear() {
        let mut text: String = (0..100_000).map(|i| format!("key-{i}: v\n")).collect();
        let start = std::time::Instant::now();
        let docs = parse(&text, 256).expect("plain keys take the fast path");
        assert_eq!(docs[0].1.as_map().map(Map::len), Some(100_000));
        // A repeat after the hash set took over: refused here, reported by the event path.
        text.push_str("key-17: again\n");
        assert!(parse(&text, 256).is_none());
        // Quadratic, each parse above would take 5·10⁹ comparisons: minutes in a debug build.
        // Linear, both take well under a second, or a few on a loaded machine.
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "{:?}", start.elapsed());
        let (_, err) = crate::yaml::parse_documents(&text, &ParseOptions::default());
        let err = err.expect("the event path reports the repeat");
        assert_eq!((err.line, err.message.starts_with("duplicate key")), (100_001, true), "{err:?}");
        // Below and at the switch to the hash set.
        for n in [2, FEW_KEYS, FEW_KEYS + 1, FEW_KEYS + 2] {
            let mut t: String = (0..n).map(|i| format!("k{i}: v\n")).collect();
            assert!(parse(&t, 256).is_some(), "{n}");
            t.push_str(&format!("k{}: v\n", n - 1));
            assert!(parse(&t, 256).is_none(), "{n}");
        }
    }

    #[test]
    fn refuses_what_it_does_not_handle() {
        for t in [
            "a: 'q'\n",
            "a: b # c\n",
            "a:\n",
            "a: 1",
            "a: &x 1\n",
            "- - a\n",
            "a: >\n  x\n",
            "k:\n- a\n",
            "a: \u{e9}\n",
        ] {
            assert!(parse(t, 256).is_none(), "{t:?}");
        }
        assert!(parse("a:\n  b:\n    c: 1\n", 2).is_none(), "depth limit");
        assert!(parse("a: [x, kind:y]\nb: |\n  l\n", 256).is_some());
    }
}
