//! Builds the AST from tokens, following Go's `text/template/parse`: the same grammar, the same
//! variable scoping checks, `{{define}}`/`{{block}}` collection and error texts. Function names
//! are resolved here, so an unknown function is a parse error, as in Go.

use std::collections::BTreeMap;
use std::sync::Arc;

mod pipeline;

use super::MAX_NESTING;
use super::ast::{Control, Fail, List, Node};
use super::lexer::{Keyword, Tok, Token};
use super::literal;

/// Parses tokens into the main tree (named `name`) and every defined template.
pub(super) fn parse(name: &str, toks: &[Token]) -> Result<BTreeMap<String, Arc<List>>, Fail> {
    let mut p = Parser { toks, i: 0, vars: vec!["$".to_string()], range_depth: 0, depth: 0, trees: BTreeMap::new() };
    let mut root = Vec::new();
    while p.peek().tok != Tok::Eof {
        if p.peek().tok == Tok::LeftDelim {
            let save = p.i;
            p.i += 1;
            if p.next_non_space().tok == Tok::Keyword(Keyword::Define) {
                p.definition()?;
                continue;
            }
            p.i = save;
        }
        match p.text_or_action()? {
            Item::Node(n) => root.push(n),
            Item::End(pos) => return Err(Fail::new(pos, "unexpected {{end}}")),
            Item::Else(pos) => return Err(Fail::new(pos, "unexpected {{else}}")),
        }
    }
    p.add(name, root, 0)?;
    Ok(p.trees)
}

/// What `text_or_action` found: a node, or the `{{end}}`/`{{else}}` closing a list.
enum Item {
    Node(Node),
    End(usize),
    Else(usize),
}

/// What closed a list.
enum Close {
    End,
    Else(usize),
}

struct Parser<'t> {
    toks: &'t [Token],
    i: usize,
    /// Variables in scope, for Go's "undefined variable" check.
    vars: Vec<String>,
    range_depth: usize,
    depth: usize,
    trees: BTreeMap<String, Arc<List>>,
}

/// Go's rendering of a token in "unexpected …" messages.
fn describe(t: &Token) -> String {
    let quoted = |s: &str| {
        if s.chars().count() > 10 {
            let head: String = s.chars().take(10).collect();
            format!("{head:?}...")
        } else {
            format!("{s:?}")
        }
    };
    match &t.tok {
        Tok::Eof => "EOF".into(),
        Tok::Text(s) | Tok::Ident(s) | Tok::Variable(s) => quoted(s),
        Tok::Number(s) | Tok::Char(s) | Tok::Str(s) | Tok::RawStr(s) => quoted(s),
        Tok::Field(s) => quoted(&format!(".{s}")),
        Tok::Keyword(k) => format!("<{}>", format!("{k:?}").to_lowercase()),
        Tok::Nil => "<nil>".into(),
        Tok::Bool(b) => quoted(&b.to_string()),
        Tok::LeftDelim => quoted("{{"),
        Tok::RightDelim => quoted("}}"),
        Tok::Space => quoted(" "),
        Tok::Dot => quoted("."),
        Tok::LeftParen => quoted("("),
        Tok::RightParen => quoted(")"),
        Tok::Pipe => quoted("|"),
        Tok::Declare => quoted(":="),
        Tok::Assign => quoted("="),
        Tok::Comma => quoted(","),
    }
}

fn unexpected(t: &Token, context: &str) -> Fail {
    Fail::new(t.pos, format!("unexpected {} in {context}", describe(t)))
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.toks[self.i.min(self.toks.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        self.i = (self.i + 1).min(self.toks.len());
        t
    }

    fn skip_space(&mut self) {
        while self.peek().tok == Tok::Space {
            self.i += 1;
        }
    }

    fn peek_non_space(&mut self) -> Token {
        self.skip_space();
        self.peek().clone()
    }

    fn next_non_space(&mut self) -> Token {
        self.skip_space();
        self.next()
    }

    fn expect_right_delim(&mut self, context: &str) -> Result<Token, Fail> {
        let t = self.next_non_space();
        if t.tok != Tok::RightDelim {
            return Err(unexpected(&t, context));
        }
        Ok(t)
    }

    fn enter(&mut self, pos: usize) -> Result<(), Fail> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(Fail::new(pos, format!("nesting deeper than {MAX_NESTING} levels")));
        }
        Ok(())
    }

    /// Registers a template; an empty body never replaces a non-empty one (Go's `add`).
    fn add(&mut self, name: &str, list: List, pos: usize) -> Result<(), Fail> {
        let empty = |l: &List| l.iter().all(|n| matches!(n, Node::Text(t) if t.trim().is_empty()));
        match self.trees.get(name) {
            Some(old) if !empty(old) => {
                if !empty(&list) {
                    return Err(Fail::new(pos, format!("template: multiple definition of template {name:?}")));
                }
            }
            _ => {
                self.trees.insert(name.to_string(), Arc::new(list));
            }
        }
        Ok(())
    }

    fn template_name(&mut self, context: &str) -> Result<(String, usize), Fail> {
        let t = self.next_non_space();
        match &t.tok {
            Tok::Str(s) | Tok::RawStr(s) => Ok((literal::unquote(s).map_err(|e| Fail::new(t.pos, e))?, t.pos)),
            _ => Err(unexpected(&t, context)),
        }
    }

    /// `{{define "name"}} … {{end}}`; the `define` keyword is past.
    fn definition(&mut self) -> Result<(), Fail> {
        let context = "define clause";
        let (name, pos) = self.template_name(context)?;
        self.expect_right_delim(context)?;
        let saved = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let (list, end) = self.item_list()?;
        self.vars = saved;
        if let Close::Else(p) = end {
            return Err(Fail::new(p, format!("unexpected {{{{else}}}} in {context}")));
        }
        self.add(&name, list, pos)
    }

    /// Nodes up to the `{{end}}` or `{{else}}` that closes them.
    fn item_list(&mut self) -> Result<(List, Close), Fail> {
        let mut list = Vec::new();
        while self.peek_non_space().tok != Tok::Eof {
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                Item::End(_) => return Ok((list, Close::End)),
                Item::Else(pos) => return Ok((list, Close::Else(pos))),
            }
        }
        Err(Fail::new(self.peek().pos, "unexpected EOF"))
    }

    fn text_or_action(&mut self) -> Result<Item, Fail> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Text(s) => Ok(Item::Node(Node::Text(s))),
            Tok::LeftDelim => self.action(),
            _ => Err(unexpected(&t, "input")),
        }
    }

    fn action(&mut self) -> Result<Item, Fail> {
        let t = self.next_non_space();
        let node = match t.tok {
            Tok::Keyword(Keyword::Block) => self.block()?,
            Tok::Keyword(Keyword::Break) | Tok::Keyword(Keyword::Continue) => {
                let is_break = t.tok == Tok::Keyword(Keyword::Break);
                let what = if is_break { "{{break}}" } else { "{{continue}}" };
                self.expect_right_delim(what)?;
                if self.range_depth == 0 {
                    return Err(Fail::new(t.pos, format!("{what} outside {{{{range}}}}")));
                }
                if is_break { Node::Break } else { Node::Continue }
            }
            Tok::Keyword(Keyword::Else) => {
                // "{{else if …" / "{{else with …": leave the keyword for the caller.
                let peek = self.peek_non_space();
                if matches!(peek.tok, Tok::Keyword(Keyword::If | Keyword::With)) {
                    return Ok(Item::Else(t.pos));
                }
                self.expect_right_delim("else")?;
                return Ok(Item::Else(t.pos));
            }
            Tok::Keyword(Keyword::End) => {
                self.expect_right_delim("end")?;
                return Ok(Item::End(t.pos));
            }
            Tok::Keyword(Keyword::If) => Node::If(self.control("if")?),
            Tok::Keyword(Keyword::Range) => Node::Range(self.control("range")?),
            Tok::Keyword(Keyword::With) => Node::With(self.control("with")?),
            Tok::Keyword(Keyword::Template) => {
                let context = "template clause";
                let (name, pos) = self.template_name(context)?;
                let pipe = if self.next_non_space().tok == Tok::RightDelim {
                    None
                } else {
                    self.i -= 1;
                    Some(self.pipeline(context)?)
                };
                Node::Template { pos, name, pipe }
            }
            _ => {
                self.i -= 1;
                Node::Action(self.pipeline("command")?)
            }
        };
        Ok(Item::Node(node))
    }

    /// `if`, `range` and `with`: pipeline, list, optional else list, `{{end}}`.
    fn control(&mut self, context: &str) -> Result<Control, Fail> {
        let vars = self.vars.len();
        self.enter(self.peek().pos)?;
        let pipe = self.pipeline(context)?;
        let is_range = context == "range";
        if is_range {
            self.range_depth += 1;
        }
        let (list, next) = self.item_list()?;
        if is_range {
            self.range_depth -= 1;
        }
        let else_list = match next {
            Close::End => None,
            Close::Else(_) => {
                let kw = self.peek().tok.clone();
                if context == "if" && kw == Tok::Keyword(Keyword::If) {
                    self.i += 1;
                    Some(vec![Node::If(self.control("if")?)])
                } else if context == "with" && kw == Tok::Keyword(Keyword::With) {
                    self.i += 1;
                    Some(vec![Node::With(self.control("with")?)])
                } else {
                    let (list, next) = self.item_list()?;
                    if let Close::Else(p) = next {
                        return Err(Fail::new(p, "expected end; found {{else}}"));
                    }
                    Some(list)
                }
            }
        };
        self.vars.truncate(vars);
        self.depth -= 1;
        Ok(Control { pos: pipe.pos, pipe, list, else_list })
    }

    /// `{{block "name" pipeline}} … {{end}}`: defines the template and calls it.
    fn block(&mut self) -> Result<Node, Fail> {
        let context = "block clause";
        let (name, pos) = self.template_name(context)?;
        let pipe = self.pipeline(context)?;
        self.enter(pos)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        self.range_depth = saved_range;
        self.depth -= 1;
        if let Close::Else(p) = end {
            return Err(Fail::new(p, format!("unexpected {{{{else}}}} in {context}")));
        }
        self.add(&name, list, pos)?;
        Ok(Node::Template { pos, name, pipe: Some(pipe) })
    }
}
