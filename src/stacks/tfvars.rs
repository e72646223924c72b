//! A reader for Terraform `.tfvars` files, for `!include` of existing variable files: attribute
//! assignments whose values are literals (strings, numbers, booleans, null, lists, objects).
//! Expressions, interpolation and heredocs are refused with their line, never guessed.

use std::collections::BTreeMap;

use serde_json::Value as Json;

/// Why a tfvars text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct TfvarsError {
    pub line: u32,
    pub message: String,
}

/// Parses a tfvars text into a JSON object.
pub fn parse(text: &str) -> Result<Json, TfvarsError> {
    let mut p = P { b: text.as_bytes(), i: 0, line: 1, depth: 0 };
    let mut out = serde_json::Map::new();
    loop {
        p.skip_ws(true);
        if p.i >= p.b.len() {
            break;
        }
        let key = p.ident()?;
        p.skip_ws(false);
        if !p.eat(b'=') {
            return Err(p.err("expected `=` after the variable name"));
        }
        let v = p.value()?;
        out.insert(key, v);
    }
    Ok(Json::Object(out))
}

/// Parses one literal value (a variable's `default`), all of `text`.
pub fn parse_value(text: &str) -> Result<Json, TfvarsError> {
    let mut p = P { b: text.as_bytes(), i: 0, line: 1, depth: 0 };
    let v = p.value()?;
    p.skip_ws(true);
    if p.i < p.b.len() {
        return Err(p.err("only literal values are supported"));
    }
    Ok(v)
}

struct P<'a> {
    b: &'a [u8],
    i: usize,
    line: u32,
    depth: usize,
}

impl P<'_> {
    fn err(&self, message: &str) -> TfvarsError {
        TfvarsError { line: self.line, message: message.to_string() }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Skips blanks and comments; newlines too when `newlines`.
    fn skip_ws(&mut self, newlines: bool) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' if newlines => {
                    self.line += 1;
                    self.i += 1;
                }
                b'#' => self.skip_line(),
                b'/' if self.b.get(self.i + 1) == Some(&b'/') => self.skip_line(),
                b'/' if self.b.get(self.i + 1) == Some(&b'*') => {
                    self.i += 2;
                    while self.i < self.b.len() && !(self.b[self.i] == b'*' && self.b.get(self.i + 1) == Some(&b'/')) {
                        if self.b[self.i] == b'\n' {
                            self.line += 1;
                        }
                        self.i += 1;
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

    fn ident(&mut self) -> Result<String, TfvarsError> {
        if self.peek() == Some(b'"') {
            return self.string();
        }
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-') {
            self.i += 1;
        }
        if start == self.i {
            return Err(self.err("expected a name"));
        }
        Ok(String::from_utf8_lossy(&self.b[start..self.i]).into_owned())
    }

    fn string(&mut self) -> Result<String, TfvarsError> {
        self.i += 1;
        let mut s = Vec::new();
        loop {
            match self.peek() {
                None | Some(b'\n') => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    break;
                }
                Some(b'$') | Some(b'%') if self.b.get(self.i + 1) == Some(&b'{') => {
                    return Err(self.err("string templates (`${...}`) are not supported in included tfvars"));
                }
                Some(b'\\') => {
                    let c = self.b.get(self.i + 1).copied().ok_or_else(|| self.err("unterminated string"))?;
                    s.push(match c {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        other => other,
                    });
                    self.i += 2;
                }
                Some(c) => {
                    s.push(c);
                    self.i += 1;
                }
            }
        }
        Ok(String::from_utf8_lossy(&s).into_owned())
    }

    fn value(&mut self) -> Result<Json, TfvarsError> {
        self.skip_ws(true);
        self.depth += 1;
        if self.depth > 64 {
            return Err(self.err("values nested too deeply"));
        }
        let v = match self.peek() {
            Some(b'"') => Json::String(self.string()?),
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws(true);
                    if self.eat(b']') {
                        break;
                    }
                    items.push(self.value()?);
                    self.skip_ws(true);
                    if !self.eat(b',') && self.peek() != Some(b']') {
                        return Err(self.err("expected `,` or `]` in a list"));
                    }
                }
                Json::Array(items)
            }
            Some(b'{') => {
                self.i += 1;
                let mut m = BTreeMap::new();
                loop {
                    self.skip_ws(true);
                    if self.eat(b'}') {
                        break;
                    }
                    let k = self.ident()?;
                    self.skip_ws(false);
                    if !self.eat(b'=') && !self.eat(b':') {
                        return Err(self.err("expected `=` or `:` in an object"));
                    }
                    let v = self.value()?;
                    m.insert(k, v);
                    self.skip_ws(false);
                    self.eat(b',');
                }
                Json::Object(m.into_iter().collect())
            }
            Some(c) if c.is_ascii_digit() || c == b'-' => {
                let start = self.i;
                self.i += 1;
                while self.peek().is_some_and(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')) {
                    self.i += 1;
                }
                let t = std::str::from_utf8(&self.b[start..self.i]).unwrap_or("");
                match t.parse::<i64>() {
                    Ok(i) => Json::from(i),
                    Err(_) => t
                        .parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map(Json::Number)
                        .ok_or_else(|| self.err("invalid number"))?,
                }
            }
            _ => match self.ident()?.as_str() {
                "true" => Json::Bool(true),
                "false" => Json::Bool(false),
                "null" => Json::Null,
                other => {
                    return Err(self.err(&format!("`{other}` is an expression; only literal values are supported")));
                }
            },
        };
        self.depth -= 1;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_literals() {
        let v = parse("a = \"x\" # c\nb = 2\nc = [1, \"y\",]\nd = {\n  E = true\n  f = null\n}\n").unwrap();
        assert_eq!(v, json!({"a": "x", "b": 2, "c": [1, "y"], "d": {"E": true, "f": null}}));
        assert_eq!(parse("a = var.x\n").unwrap_err().line, 1);
        assert!(parse("a = \"${x}\"").is_err());
        assert!(parse(&format!("a = {}", "[".repeat(100))).is_err());
    }
}
