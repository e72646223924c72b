//! A structural reader for Terraform's native syntax (HCL): blocks, labels and attributes
//! with the source text of each attribute's expression and the line it starts on. Enough to
//! inspect a module's interface (variables, outputs, providers, resources, module calls)
//! without evaluating anything; expressions are kept as text for the caller to interpret.

/// An attribute: `name = expression`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub name: String,
    /// The expression as written, trimmed.
    pub expr: String,
    pub line: u32,
}

/// A block: `type "label" ... { body }`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub line: u32,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Body {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
}

impl Body {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

/// Why a file could not be read, at a line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct HclError {
    pub line: u32,
    pub message: String,
}

/// Deepest block nesting followed (Terraform files rarely pass 5).
const MAX_DEPTH: usize = 64;

/// Reads a file's top-level body.
pub fn parse(text: &str) -> Result<Body, HclError> {
    let mut p = P { b: text.as_bytes(), i: 0, line: 1 };
    let body = p.body(0)?;
    p.skip_ws(true);
    if p.i < p.b.len() {
        return Err(p.err("unexpected `}`"));
    }
    Ok(body)
}

struct P<'a> {
    b: &'a [u8],
    i: usize,
    line: u32,
}

impl P<'_> {
    fn err(&self, m: &str) -> HclError {
        HclError { line: self.line, message: m.to_string() }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn at(&self, s: &[u8]) -> bool {
        self.b[self.i..].starts_with(s)
    }

    fn bump(&mut self) {
        if self.peek() == Some(b'\n') {
            self.line += 1;
        }
        self.i += 1;
    }

    /// Skips blanks and comments (newlines too when `newlines`).
    fn skip_ws(&mut self, newlines: bool) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' if newlines => self.bump(),
                b'#' => self.skip_line(),
                b'/' if self.at(b"//") => self.skip_line(),
                b'/' if self.at(b"/*") => {
                    self.i += 2;
                    while self.i < self.b.len() && !self.at(b"*/") {
                        self.bump();
                    }
                    self.i = (self.i + 2).min(self.b.len());
                }
                _ => break,
            }
        }
    }

    fn skip_line(&mut self) {
        while self.peek().is_some_and(|c| c != b'\n') {
            self.i += 1;
        }
    }

    fn ident(&mut self) -> Option<String> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-') {
            self.i += 1;
        }
        (start != self.i).then(|| String::from_utf8_lossy(&self.b[start..self.i]).into_owned())
    }

    fn body(&mut self, depth: usize) -> Result<Body, HclError> {
        if depth > MAX_DEPTH {
            return Err(self.err("blocks nested too deeply"));
        }
        let mut body = Body::default();
        loop {
            self.skip_ws(true);
            match self.peek() {
                None | Some(b'}') => return Ok(body),
                _ => {}
            }
            let line = self.line;
            let Some(name) = self.ident() else {
                return Err(self.err("expected an attribute or block name"));
            };
            self.skip_ws(false);
            if self.peek() == Some(b'=') && self.b.get(self.i + 1) != Some(&b'=') {
                self.i += 1;
                let start = self.i;
                self.expression()?;
                let expr = String::from_utf8_lossy(&self.b[start..self.i]).trim().to_string();
                body.attrs.push(Attr { name, expr, line });
                continue;
            }
            let mut labels = Vec::new();
            loop {
                self.skip_ws(false);
                match self.peek() {
                    Some(b'"') => {
                        let start = self.i;
                        self.string()?;
                        labels.push(unquote(&String::from_utf8_lossy(&self.b[start..self.i])));
                    }
                    Some(b'{') => break,
                    _ => match self.ident() {
                        Some(l) => labels.push(l),
                        None => return Err(self.err(&format!("expected `=` or `{{` after `{name}`"))),
                    },
                }
            }
            self.i += 1;
            let inner = self.body(depth + 1)?;
            if self.peek() != Some(b'}') {
                return Err(self.err(&format!("block `{name}` is not closed")));
            }
            self.i += 1;
            body.blocks.push(Block { kind: name, labels, line, body: inner });
        }
    }

    /// Skips one expression: up to a newline or a `}` outside brackets, strings and heredocs.
    fn expression(&mut self) -> Result<(), HclError> {
        let mut depth = 0usize;
        loop {
            self.skip_ws(depth > 0);
            match self.peek() {
                None => return if depth == 0 { Ok(()) } else { Err(self.err("unterminated expression")) },
                Some(b'\n') if depth == 0 => return Ok(()),
                Some(b'}') if depth == 0 => return Ok(()),
                Some(b'(' | b'[' | b'{') => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(self.err("expression nested too deeply"));
                    }
                    self.i += 1;
                }
                Some(b')' | b']') if depth == 0 => return Err(self.err("unbalanced brackets")),
                Some(b')' | b']' | b'}') => {
                    depth -= 1;
                    self.i += 1;
                }
                Some(b'"') => self.string()?,
                Some(b'<')
                    if self.at(b"<<")
                        && self.b.get(self.i + 2).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'-') =>
                {
                    self.heredoc()?
                }
                Some(_) => self.bump(),
            }
        }
    }

    /// A quoted string, with `${ ... }` / `%{ ... }` interpolations (which may hold strings).
    fn string(&mut self) -> Result<(), HclError> {
        self.i += 1;
        loop {
            match self.peek() {
                None | Some(b'\n') => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b'\\') => self.i += 2,
                Some(b'$' | b'%') if self.b.get(self.i + 1) == Some(&b'{') => {
                    self.i += 2;
                    let mut depth = 1usize;
                    while depth > 0 {
                        match self.peek() {
                            None => return Err(self.err("unterminated interpolation")),
                            Some(b'{') => depth += 1,
                            Some(b'}') => depth -= 1,
                            Some(b'"') => {
                                self.string()?;
                                continue;
                            }
                            _ => {}
                        }
                        self.bump();
                    }
                }
                Some(_) => self.i += 1,
            }
        }
    }

    /// `<<EOF` or `<<-EOF` up to the line holding only the marker.
    fn heredoc(&mut self) -> Result<(), HclError> {
        self.i += 2;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let marker = self.ident().ok_or_else(|| self.err("heredoc without a marker"))?;
        loop {
            self.skip_line();
            if self.peek().is_none() {
                return Err(self.err(&format!("heredoc `{marker}` is not closed")));
            }
            self.bump();
            let start = self.i;
            let end = self.b[start..].iter().position(|c| *c == b'\n').map_or(self.b.len(), |n| start + n);
            if String::from_utf8_lossy(&self.b[start..end]).trim() == marker {
                self.i = end;
                return Ok(());
            }
        }
    }
}

/// The text of a quoted string without quotes and escapes (interpolations kept as written).
pub fn unquote(s: &str) -> String {
    let inner = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(s);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(o) => out.push(o),
            None => {}
        }
    }
    out
}

/// A heredoc's text (`<<-` strips the common indentation), or `None` when `expr` is not one.
pub fn heredoc_text(expr: &str) -> Option<String> {
    let rest = expr.strip_prefix("<<")?;
    let (strip, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let (first, body) = rest.split_once('\n')?;
    let marker = first.trim();
    let mut lines: Vec<&str> = body.lines().collect();
    if lines.last().is_some_and(|l| l.trim() == marker) {
        lines.pop();
    }
    let indent = if strip {
        lines.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0)
    } else {
        0
    };
    let mut out: String = lines.iter().map(|l| format!("{}\n", l.get(indent..).unwrap_or(""))).collect();
    if out.is_empty() {
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_blocks_attributes_and_lines() {
        let text = "# c\nvariable \"a\" {\n  type = map(object({\n    x = string\n  }))\n  default = { \"k/v\" = \"${var.x}\" }\n}\n\nresource aws_s3_bucket b { bucket = \"x\" }\nlocals {\n  d = <<-EOT\n    hi }\n  EOT\n}\n";
        let body = parse(text).unwrap();
        assert_eq!(body.blocks.len(), 3);
        let v = &body.blocks[0];
        assert_eq!((v.kind.as_str(), v.labels.as_slice(), v.line), ("variable", &["a".to_string()][..], 2));
        assert_eq!(v.body.attr("type").unwrap().expr, "map(object({\n    x = string\n  }))");
        assert_eq!(v.body.attr("default").unwrap().line, 6);
        let r = &body.blocks[1];
        assert_eq!(
            (r.labels.join("."), r.line, r.body.attr("bucket").unwrap().expr.as_str()),
            ("aws_s3_bucket.b".into(), 9, "\"x\"")
        );
        assert_eq!(heredoc_text(&body.blocks[2].body.attr("d").unwrap().expr).unwrap(), "hi }\n");
    }

    #[test]
    fn refuses_broken_input_without_panicking() {
        for bad in ["variable \"a\" {", "x = \"open", "}", "a = (1", "b = <<EOT\nno end", "\"x\" {}"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse(&"a {".repeat(100)).is_err());
        // Every prefix of a file with strings, escapes, interpolation and a heredoc: an
        // answer, never a panic.
        let text = "variable \"a\" {\n  d = \"x\\\"${f(\"}\")}\"\n  h = <<-EOT\n  y\n  EOT\n  l = [1, (2)]\n}\n";
        for end in (0..=text.len()).filter(|e| text.is_char_boundary(*e)) {
            let _ = parse(&text[..end]);
        }
        assert!(parse(text).is_ok());
    }
}
