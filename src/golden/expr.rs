//! Backstage's `${{ … }}` step-input expressions, the subset templates use.
//!
//! Backstage evaluates them with nunjucks; paved parses a small, safe language instead: paths
//! (`parameters.name`, `steps['fetch'].output.path`, `each.value`), string and number literals,
//! `not`, `and`, `or`, `==`, `!=`, parentheses and filters (`| lower`, `| replace("a", "b")`).
//! Nothing here reads files or the environment. A string that is exactly one expression keeps
//! the expression's JSON type (as Backstage does); otherwise results are interpolated.

use serde_json::Value as Json;

/// The roots an expression may start from.
pub const ROOTS: &[&str] = &["parameters", "steps", "each"];

/// The filters paved implements.
pub const FILTERS: &[&str] = &[
    "lower",
    "upper",
    "trim",
    "replace",
    "default",
    "join",
    "dump",
    "length",
    "first",
    "last",
    "pick",
    "parseRepoUrl",
    "projectSlug",
    "parseEntityRef",
];

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Literal(Json),
    Path(Vec<Segment>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Eq(Box<Expr>, Box<Expr>, bool),
    Filter(Box<Expr>, String, Vec<Json>),
}

/// One step of a path: `.name` or `['name']`, or `[0]`.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A piece of a templated string.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    Expr(Expr),
}

/// Why an expression could not be parsed or evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ExprError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, ExprError> {
    Err(ExprError(msg.into()))
}

/// Splits `text` into literal text and `${{ … }}` expressions.
pub fn parse_template(text: &str) -> Result<Vec<Piece>, ExprError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        if start > 0 {
            out.push(Piece::Text(rest[..start].to_string()));
        }
        let after = &rest[start + 3..];
        let Some(end) = find_close(after) else {
            return err(format!("`${{{{` without a closing `}}}}` in `{text}`"));
        };
        out.push(Piece::Expr(parse_expr(&after[..end])?));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest.to_string()));
    }
    Ok(out)
}

/// The closing `}}` that is not inside a string literal.
fn find_close(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut quote = None;
    let mut i = 0;
    while i < b.len() {
        match (quote, b[i]) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), b'\\') => i += 1,
            (None, b'\'' | b'"') => quote = Some(b[i]),
            (None, b'}') if b.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parses one expression (the text between `${{` and `}}`).
pub fn parse_expr(src: &str) -> Result<Expr, ExprError> {
    let tokens = lex(src)?;
    let mut p = Parser { tokens, pos: 0, src };
    let e = p.or()?;
    if p.pos < p.tokens.len() {
        return err(format!("unexpected `{}` in expression `{}`", p.tokens[p.pos].text(), src.trim()));
    }
    Ok(e)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(Json),
    Sym(&'static str),
}

impl Tok {
    fn text(&self) -> String {
        match self {
            Tok::Ident(s) => s.clone(),
            Tok::Str(s) => format!("'{s}'"),
            Tok::Num(n) => n.to_string(),
            Tok::Sym(s) => s.to_string(),
        }
    }
}

fn lex(src: &str) -> Result<Vec<Tok>, ExprError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let s = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '$')) {
                i += 1;
            }
            out.push(Tok::Ident(chars[s..i].iter().collect()));
        } else if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let s = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[s..i].iter().collect();
            let n = match text.parse::<i64>() {
                Ok(n) => Json::from(n),
                Err(_) => text
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Json::Number)
                    .ok_or_else(|| ExprError(format!("bad number `{text}`")))?,
            };
            out.push(Tok::Num(n));
        } else if c == '\'' || c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return err(format!("unterminated string in expression `{}`", src.trim())),
                    Some(&q) if q == c => break,
                    Some('\\') => {
                        i += 1;
                        match chars.get(i) {
                            Some('n') => s.push('\n'),
                            Some('t') => s.push('\t'),
                            Some(&o) => s.push(o),
                            None => return err("unterminated string"),
                        }
                    }
                    Some(&o) => s.push(o),
                }
                i += 1;
            }
            i += 1;
            out.push(Tok::Str(s));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let sym = match two.as_str() {
                "==" => Some("=="),
                "!=" => Some("!="),
                "&&" => Some("and"),
                "||" => Some("or"),
                _ => None,
            };
            if let Some(sym) = sym {
                out.push(Tok::Sym(sym));
                i += 2;
                continue;
            }
            let sym = match c {
                '.' => ".",
                '[' => "[",
                ']' => "]",
                '(' => "(",
                ')' => ")",
                '|' => "|",
                ',' => ",",
                '!' => "not",
                _ => return err(format!("unexpected character `{c}` in expression `{}`", src.trim())),
            };
            out.push(Tok::Sym(sym));
            i += 1;
        }
    }
    Ok(out)
}

struct Parser<'s> {
    tokens: Vec<Tok>,
    pos: usize,
    src: &'s str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn eat_sym(&mut self, s: &str) -> bool {
        let hit = matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
            || (matches!(s, "and" | "or" | "not") && matches!(self.peek(), Some(Tok::Ident(x)) if x == s));
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect(&mut self, s: &str) -> Result<(), ExprError> {
        if self.eat_sym(s) { Ok(()) } else { err(format!("expected `{s}` in expression `{}`", self.src.trim())) }
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.and()?;
        while self.eat_sym("or") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.cmp()?;
        while self.eat_sym("and") {
            left = Expr::And(Box::new(left), Box::new(self.cmp()?));
        }
        Ok(left)
    }

    fn cmp(&mut self) -> Result<Expr, ExprError> {
        let left = self.unary()?;
        if self.eat_sym("==") {
            return Ok(Expr::Eq(Box::new(left), Box::new(self.unary()?), true));
        }
        if self.eat_sym("!=") {
            return Ok(Expr::Eq(Box::new(left), Box::new(self.unary()?), false));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        if self.eat_sym("not") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        let mut e = self.primary()?;
        while self.eat_sym("|") {
            let Some(Tok::Ident(name)) = self.peek().cloned() else {
                return err(format!("expected a filter name after `|` in `{}`", self.src.trim()));
            };
            self.pos += 1;
            let mut args = Vec::new();
            if self.eat_sym("(") && !self.eat_sym(")") {
                loop {
                    args.push(self.literal()?);
                    if self.eat_sym(")") {
                        break;
                    }
                    self.expect(",")?;
                }
            }
            e = Expr::Filter(Box::new(e), name, args);
        }
        Ok(e)
    }

    fn literal(&mut self) -> Result<Json, ExprError> {
        match self.peek().cloned() {
            Some(Tok::Str(s)) => {
                self.pos += 1;
                Ok(Json::String(s))
            }
            Some(Tok::Num(n)) => {
                self.pos += 1;
                Ok(n)
            }
            Some(Tok::Ident(w)) if matches!(w.as_str(), "true" | "false" | "null" | "none") => {
                self.pos += 1;
                Ok(match w.as_str() {
                    "true" => Json::Bool(true),
                    "false" => Json::Bool(false),
                    _ => Json::Null,
                })
            }
            other => err(format!(
                "expected a literal, found `{}` in `{}`",
                other.map_or("end".into(), |t| t.text()),
                self.src.trim()
            )),
        }
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        if self.eat_sym("(") {
            let e = self.or()?;
            self.expect(")")?;
            return Ok(e);
        }
        match self.peek().cloned() {
            Some(Tok::Ident(w)) if !matches!(w.as_str(), "true" | "false" | "null" | "none") => {
                self.pos += 1;
                let mut path = vec![Segment::Key(w)];
                loop {
                    if self.eat_sym(".") {
                        match self.peek().cloned() {
                            Some(Tok::Ident(k)) => {
                                self.pos += 1;
                                path.push(Segment::Key(k));
                            }
                            _ => return err(format!("expected a name after `.` in `{}`", self.src.trim())),
                        }
                    } else if self.eat_sym("[") {
                        match self.literal()? {
                            Json::String(s) => path.push(Segment::Key(s)),
                            Json::Number(n) if n.as_u64().is_some() => {
                                path.push(Segment::Index(n.as_u64().unwrap_or(0) as usize))
                            }
                            other => return err(format!("cannot index with {other}")),
                        }
                        self.expect("]")?;
                    } else {
                        break;
                    }
                }
                Ok(Expr::Path(path))
            }
            _ => Ok(Expr::Literal(self.literal()?)),
        }
    }
}

impl Expr {
    /// Every path the expression reads (for the template's static checks), and every filter.
    pub fn visit(&self, paths: &mut dyn FnMut(&[Segment]), filters: &mut dyn FnMut(&str)) {
        match self {
            Expr::Literal(_) => {}
            Expr::Path(p) => paths(p),
            Expr::Not(e) => e.visit(paths, filters),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Eq(a, b, _) => {
                a.visit(paths, filters);
                b.visit(paths, filters);
            }
            Expr::Filter(e, name, _) => {
                e.visit(paths, filters);
                filters(name);
            }
        }
    }

    /// Evaluates against `ctx` (`{parameters, steps, each}`). A missing value is null.
    pub fn eval(&self, ctx: &Json) -> Result<Json, ExprError> {
        Ok(match self {
            Expr::Literal(v) => v.clone(),
            Expr::Path(p) => {
                let mut cur = ctx;
                for seg in p {
                    let next = match (seg, cur) {
                        (Segment::Key(k), Json::Object(m)) => m.get(k),
                        (Segment::Index(i), Json::Array(a)) => a.get(*i),
                        (Segment::Key(k), Json::Array(a)) => k.parse::<usize>().ok().and_then(|i| a.get(i)),
                        _ => None,
                    };
                    match next {
                        Some(n) => cur = n,
                        None => return Ok(Json::Null),
                    }
                }
                cur.clone()
            }
            Expr::Not(e) => Json::Bool(!truthy(&e.eval(ctx)?)),
            Expr::And(a, b) => {
                let l = a.eval(ctx)?;
                if truthy(&l) { b.eval(ctx)? } else { l }
            }
            Expr::Or(a, b) => {
                let l = a.eval(ctx)?;
                if truthy(&l) { l } else { b.eval(ctx)? }
            }
            Expr::Eq(a, b, eq) => Json::Bool((a.eval(ctx)? == b.eval(ctx)?) == *eq),
            Expr::Filter(e, name, args) => super::filters::apply(name, e.eval(ctx)?, args)?,
        })
    }
}

/// Truthiness as nunjucks sees it: null, false, 0, "" and empty lists are false.
pub fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(_) => true,
    }
}

/// Renders parsed pieces: a lone expression keeps its type, otherwise text.
pub fn render_pieces(pieces: &[Piece], ctx: &Json) -> Result<Json, ExprError> {
    if let [Piece::Expr(e)] = pieces {
        return e.eval(ctx);
    }
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Expr(e) => out.push_str(&to_text(&e.eval(ctx)?)),
        }
    }
    Ok(Json::String(out))
}

/// How a value prints inside a string (nunjucks prints lists joined by commas).
pub fn to_text(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Array(a) => a.iter().map(to_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// Evaluates every `${{ }}` in the strings of `input`, recursively.
pub fn render_value(input: &Json, ctx: &Json) -> Result<Json, ExprError> {
    Ok(match input {
        Json::String(s) if s.contains("${{") => render_pieces(&parse_template(s)?, ctx)?,
        Json::Array(items) => Json::Array(items.iter().map(|v| render_value(v, ctx)).collect::<Result<_, _>>()?),
        Json::Object(m) => {
            let mut out = serde_json::Map::with_capacity(m.len());
            for (k, v) in m {
                out.insert(k.clone(), render_value(v, ctx)?);
            }
            Json::Object(out)
        }
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> Json {
        json!({"parameters": {"name": "Payments", "stages": ["dev", "prod"], "n": 2, "flag": false,
               "repoUrl": "github.com?owner=acme&repo=payments"},
               "steps": {"fetch": {"output": {"path": "x"}}}})
    }

    fn eval(s: &str) -> Json {
        render_value(&Json::String(s.into()), &ctx()).unwrap()
    }

    #[test]
    fn lone_expressions_keep_their_type_and_text_interpolates() {
        assert_eq!(eval("${{ parameters.stages }}"), json!(["dev", "prod"]));
        assert_eq!(eval("${{parameters.n}}"), json!(2));
        assert_eq!(eval("svc-${{ parameters.name | lower }}-${{ parameters.n }}"), json!("svc-payments-2"));
        assert_eq!(eval("${{ parameters['name'] | replace('P', 'p') | upper }}"), json!("PAYMENTS"));
        assert_eq!(eval("${{ steps['fetch'].output.path }}"), json!("x"));
        assert_eq!(eval("${{ parameters.stages[1] }}"), json!("prod"));
        assert_eq!(eval("${{ parameters.missing }}"), Json::Null);
        assert_eq!(eval("${{ parameters.missing | default('d') }}"), json!("d"));
        assert_eq!(eval("${{ not parameters.flag and parameters.n == 2 }}"), json!(true));
        assert_eq!(eval("${{ parameters.flag or (parameters.name != 'x') }}"), json!(true));
        assert_eq!(eval("${{ parameters.repoUrl | projectSlug }}"), json!("acme/payments"));
        assert_eq!(eval("${{ parameters.repoUrl | parseRepoUrl | pick('owner') }}"), json!("acme"));
        assert_eq!(eval("a ${{ parameters.stages }} b"), json!("a dev,prod b"));
        assert_eq!(eval("no braces }}"), json!("no braces }}"));
    }

    #[test]
    fn syntax_errors_are_reported() {
        for bad in
            ["${{ parameters.name", "${{ parameters. }}", "${{ a | }}", "${{ 'x }}", "${{ a ; b }}", "${{ a b }}"]
        {
            assert!(parse_template(bad).is_err(), "{bad}");
        }
        // A `}}` inside a string literal does not close the expression.
        assert_eq!(eval("${{ parameters.missing | default('}}') }}"), json!("}}"));
    }

    #[test]
    fn visit_lists_paths_and_filters() {
        let e = parse_expr("parameters.a | lower and steps.x.output or each.value | join(',')").unwrap();
        let (mut paths, mut filters) = (Vec::new(), Vec::new());
        e.visit(&mut |p| paths.push(p.to_vec()), &mut |f| filters.push(f.to_string()));
        assert_eq!(paths.len(), 3);
        assert_eq!(filters, ["lower", "join"]);
    }
}
