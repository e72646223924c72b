//! Pipelines, commands and operands: declarations, `|` stages, terms with field chains,
//! literals and function names (resolved against the function table here).

use super::{Parser, describe, unexpected};
use crate::gotemplate::ast::{Command, Fail, Operand, Pipe};
use crate::gotemplate::funcs;
use crate::gotemplate::lexer::Tok;
use crate::gotemplate::literal;

impl Parser<'_> {
    /// Declarations, then commands separated by `|`, up to `}}` or `)`.
    pub(super) fn pipeline(&mut self, context: &str) -> Result<Pipe, Fail> {
        let pos = self.peek_non_space().pos;
        let mut pipe = Pipe { pos, decl: Vec::new(), is_assign: false, cmds: Vec::new() };
        loop {
            let v = self.peek_non_space();
            let Tok::Variable(name) = &v.tok else { break };
            let at_var = self.i;
            self.i += 1;
            let next = self.peek_non_space();
            match next.tok {
                Tok::Assign | Tok::Declare => {
                    pipe.is_assign = next.tok == Tok::Assign;
                    self.i += 1;
                    pipe.decl.push(name.clone());
                    self.vars.push(name.clone());
                    break;
                }
                Tok::Comma => {
                    self.i += 1;
                    pipe.decl.push(name.clone());
                    self.vars.push(name.clone());
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().tok {
                            Tok::Variable(_) | Tok::RightDelim | Tok::RightParen => continue,
                            _ => return Err(Fail::new(v.pos, "range can only initialize variables")),
                        }
                    }
                    return Err(Fail::new(v.pos, format!("too many declarations in {context}")));
                }
                _ => {
                    self.i = at_var;
                    break;
                }
            }
        }
        loop {
            let t = self.next_non_space();
            match t.tok {
                Tok::RightDelim | Tok::RightParen => {
                    if pipe.cmds.is_empty() {
                        return Err(Fail::new(t.pos, format!("missing value for {context}")));
                    }
                    for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
                        if c.args[0].is_literal() {
                            return Err(Fail::new(
                                c.pos,
                                format!("non executable command in pipeline stage {}", i + 1),
                            ));
                        }
                    }
                    if t.tok == Tok::RightParen {
                        self.i -= 1;
                    }
                    return Ok(pipe);
                }
                Tok::Bool(_)
                | Tok::Char(_)
                | Tok::Dot
                | Tok::Field(_)
                | Tok::Ident(_)
                | Tok::Number(_)
                | Tok::Nil
                | Tok::RawStr(_)
                | Tok::Str(_)
                | Tok::Variable(_)
                | Tok::LeftParen => {
                    self.i -= 1;
                    pipe.cmds.push(self.command()?);
                }
                _ => return Err(unexpected(&t, context)),
            }
        }
    }

    /// Space-separated operands up to `|` (consumed), `}}` or `)` (left in place).
    fn command(&mut self) -> Result<Command, Fail> {
        let pos = self.peek_non_space().pos;
        let mut args = Vec::new();
        let end = loop {
            self.skip_space();
            if let Some(op) = self.operand()? {
                args.push(op);
            }
            let t = self.next();
            match t.tok {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => {
                    self.i -= 1;
                    break t.pos;
                }
                Tok::Pipe => break t.pos,
                _ => return Err(unexpected(&t, "operand")),
            }
        };
        if args.is_empty() {
            return Err(Fail::new(pos, "empty command"));
        }
        Ok(Command { pos, end, args })
    }

    /// A term followed by `.field`s.
    fn operand(&mut self) -> Result<Option<Operand>, Fail> {
        let Some(node) = self.term()? else { return Ok(None) };
        let mut fields = Vec::new();
        while let Tok::Field(f) = &self.peek().tok {
            fields.push(f.clone());
            self.i += 1;
        }
        if fields.is_empty() {
            return Ok(Some(node));
        }
        Ok(Some(match node {
            Operand::Field { pos, mut idents } => {
                idents.extend(fields);
                Operand::Field { pos, idents }
            }
            Operand::Variable { pos, name, mut idents } => {
                idents.extend(fields);
                Operand::Variable { pos, name, idents }
            }
            n if n.is_literal() => {
                return Err(Fail::new(n.pos(), "unexpected . after term"));
            }
            n => Operand::Chain { pos: n.pos(), node: Box::new(n), fields },
        }))
    }

    fn term(&mut self) -> Result<Option<Operand>, Fail> {
        let t = self.next_non_space();
        let pos = t.pos;
        Ok(Some(match t.tok {
            Tok::Ident(name) => self.function(name, pos)?,
            Tok::Dot => Operand::Dot(pos),
            Tok::Nil => Operand::Nil(pos),
            Tok::Variable(name) => {
                if !self.vars.contains(&name) {
                    return Err(Fail::new(pos, format!("undefined variable {name:?}")));
                }
                Operand::Variable { pos, name, idents: Vec::new() }
            }
            Tok::Field(f) => Operand::Field { pos, idents: vec![f] },
            Tok::Bool(b) => Operand::Bool(pos, b),
            Tok::Char(text) | Tok::Number(text) => {
                Operand::Number(pos, Box::new(literal::number(&text).map_err(|e| Fail::new(pos, e))?))
            }
            Tok::LeftParen => {
                self.enter(pos)?;
                let pipe = self.pipeline("parenthesized pipeline")?;
                let t = self.next();
                if t.tok != Tok::RightParen {
                    return Err(Fail::new(t.pos, format!("unclosed right paren: unexpected {}", describe(&t))));
                }
                self.depth -= 1;
                Operand::Pipe(Box::new(pipe))
            }
            Tok::Str(s) | Tok::RawStr(s) => Operand::Str(pos, literal::unquote(&s).map_err(|e| Fail::new(pos, e))?),
            _ => {
                self.i -= 1;
                return Ok(None);
            }
        }))
    }

    /// A function name. Gomplate-style namespaces (`strings.Title`) take their first field as
    /// part of the name.
    fn function(&mut self, name: String, pos: usize) -> Result<Operand, Fail> {
        if funcs::is_namespace(&name)
            && let Tok::Field(member) = &self.peek().tok
        {
            let full = format!("{name}.{member}");
            self.i += 1;
            return match funcs::lookup(&full) {
                Some(func) => Ok(Operand::Func { pos, name: full, func }),
                None => Err(Fail::new(pos, format!("function {full:?} not defined"))),
            };
        }
        match funcs::lookup(&name) {
            Some(func) => Ok(Operand::Func { pos, name, func }),
            None if funcs::is_namespace(&name) => Err(Fail::new(
                pos,
                format!("{name:?} is a function namespace: call one of its functions ({name}.Name)"),
            )),
            None => Err(Fail::new(pos, funcs::undefined_message(&name))),
        }
    }
}
