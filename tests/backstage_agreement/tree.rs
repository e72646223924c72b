//! Documents as small trees, rendered to YAML the way people write descriptors. Mutations edit
//! the tree; only the YAML-fault family edits text.

#[derive(Clone, Debug, PartialEq)]
pub enum Y {
    /// A string: rendered plain when that reads back as the same string, quoted otherwise.
    Str(String),
    /// Verbatim scalar text (`42`, `true`, `~`, `'x'`): values of other types, and scalars whose
    /// resolution is what the case is about.
    Raw(String),
    Seq(Vec<Y>),
    /// Keys are `Str` or `Raw` too, so a key can be `1` or `<<`.
    Map(Vec<(Y, Y)>),
}

pub fn s(v: impl Into<String>) -> Y {
    Y::Str(v.into())
}

pub fn raw(v: impl Into<String>) -> Y {
    Y::Raw(v.into())
}

pub fn strs(items: &[&str]) -> Y {
    Y::Seq(items.iter().map(|i| s(*i)).collect())
}

pub fn map(entries: Vec<(&str, Y)>) -> Y {
    Y::Map(entries.into_iter().map(|(k, v)| (s(k), v)).collect())
}

impl Y {
    fn key_is(&self, key: &str) -> bool {
        matches!(self, Y::Str(k) | Y::Raw(k) if k == key)
    }

    pub fn get(&self, path: &[&str]) -> Option<&Y> {
        let Some((first, rest)) = path.split_first() else { return Some(self) };
        match self {
            Y::Map(entries) => entries.iter().find(|(k, _)| k.key_is(first)).and_then(|(_, v)| v.get(rest)),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, path: &[&str]) -> Option<&mut Y> {
        let Some((first, rest)) = path.split_first() else { return Some(self) };
        match self {
            Y::Map(entries) => entries.iter_mut().find(|(k, _)| k.key_is(first)).and_then(|(_, v)| v.get_mut(rest)),
            _ => None,
        }
    }

    /// Sets the value at `path`, creating mappings on the way (replacing non-mappings).
    pub fn set(&mut self, path: &[&str], value: Y) {
        let Some((first, rest)) = path.split_first() else {
            *self = value;
            return;
        };
        if !matches!(self, Y::Map(_)) {
            *self = Y::Map(Vec::new());
        }
        let Y::Map(entries) = self else { unreachable!() };
        match entries.iter_mut().find(|(k, _)| k.key_is(first)) {
            Some((_, v)) => v.set(rest, value),
            None => {
                let mut v = Y::Map(Vec::new());
                v.set(rest, value);
                entries.push((s(*first), v));
            }
        }
    }

    pub fn remove(&mut self, path: &[&str]) -> Option<Y> {
        let (last, parent) = path.split_last()?;
        match self.get_mut(parent)? {
            Y::Map(entries) => {
                let i = entries.iter().position(|(k, _)| k.key_is(last))?;
                Some(entries.remove(i).1)
            }
            _ => None,
        }
    }

    /// Adds an entry with a key as written (which may repeat an existing key).
    pub fn push_entry(&mut self, path: &[&str], key: Y, value: Y) {
        if let Some(Y::Map(entries)) = self.get_mut(path) {
            entries.push((key, value));
        }
    }

    /// Block-style YAML; with `flow`, short lists of scalars are written `[a, b]`.
    pub fn render(&self, flow: bool) -> String {
        let mut out = String::new();
        match self {
            Y::Map(e) if !e.is_empty() => block_map(&mut out, e, 0, false, flow),
            Y::Seq(items) if !items.is_empty() => block_seq(&mut out, items, 0, flow),
            other => {
                out.push_str(&scalar(other, 0, false));
                out.push('\n');
            }
        }
        out
    }
}

fn block_map(out: &mut String, entries: &[(Y, Y)], indent: usize, inline_first: bool, flow: bool) {
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 || !inline_first {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&scalar(k, indent, false));
        out.push(':');
        after_key(out, v, indent, flow);
    }
}

fn after_key(out: &mut String, v: &Y, indent: usize, flow: bool) {
    match v {
        Y::Map(e) if !e.is_empty() => {
            out.push('\n');
            block_map(out, e, indent + 2, false, flow);
        }
        Y::Seq(items) if !items.is_empty() => {
            if flow && items.iter().all(is_simple) {
                let texts: Vec<String> = items.iter().map(|i| scalar(i, indent, true)).collect();
                out.push_str(&format!(" [{}]\n", texts.join(", ")));
            } else {
                out.push('\n');
                block_seq(out, items, indent + 2, flow);
            }
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, indent + 2, false));
            out.push('\n');
        }
    }
}

fn block_seq(out: &mut String, items: &[Y], indent: usize, flow: bool) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match item {
            Y::Map(e) if !e.is_empty() => {
                out.push(' ');
                block_map(out, e, indent + 2, true, flow);
            }
            Y::Seq(x) if !x.is_empty() => {
                out.push('\n');
                block_seq(out, x, indent + 2, flow);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other, indent + 2, false));
                out.push('\n');
            }
        }
    }
}

fn is_simple(y: &Y) -> bool {
    match y {
        Y::Str(t) | Y::Raw(t) => !t.contains('\n'),
        _ => false,
    }
}

/// The text of a scalar, or `{}`/`[]` for an empty collection. `indent` is where the lines of a
/// block literal go.
fn scalar(y: &Y, indent: usize, in_flow: bool) -> String {
    match y {
        Y::Raw(t) => t.clone(),
        Y::Map(_) => "{}".into(),
        Y::Seq(_) => "[]".into(),
        Y::Str(t) if plain_ok(t, in_flow) => t.clone(),
        Y::Str(t) if literal_ok(t) => {
            let mut lit = String::from("|\n");
            for line in t.trim_end_matches('\n').split('\n') {
                if !line.is_empty() {
                    lit.push_str(&" ".repeat(indent));
                    lit.push_str(line);
                }
                lit.push('\n');
            }
            lit.pop();
            lit
        }
        Y::Str(t) => serde_json::to_string(t).expect("a string serialises"),
    }
}

/// Whether `t` written plain reads back as the same string in every context we write it.
fn plain_ok(t: &str, in_flow: bool) -> bool {
    let Some(first) = t.chars().next() else { return false };
    first.is_ascii_alphabetic()
        && t.chars().all(|c| c.is_ascii_alphanumeric() || " -._/@+".contains(c) || (c == ':' && !in_flow))
        && !t.contains(": ")
        && !t.ends_with([':', ' '])
        && !matches!(t.to_ascii_lowercase().as_str(), "null" | "true" | "false")
}

/// Multi-line text that a `|` block keeps exactly: one final newline, no leading space.
fn literal_ok(t: &str) -> bool {
    t.contains('\n')
        && t.ends_with('\n')
        && !t.ends_with("\n\n")
        && !t.starts_with([' ', '\n'])
        && !t.contains(['\r', '\t'])
        && t.chars().all(|c| !c.is_control() || c == '\n')
        && !t.split('\n').any(|l| !l.is_empty() && l.trim().is_empty())
}
