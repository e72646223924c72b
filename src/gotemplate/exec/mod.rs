//! The evaluator: walks the AST over the data as Go's `text/template/exec.go` does — variable
//! scopes, pipelines that pass their value as the last argument, field chains with the
//! `missingkey` modes, Go's argument checking, truthiness, `range` over lists, maps (sorted
//! keys) and integers, `break`/`continue`, and `{{template}}` calls with a depth limit.

use std::collections::BTreeMap;

mod eval;

use super::ast::{Control, Fail, List, Node, Pipe};
use super::fmt::sprint_v;
use super::funcs::Ctx;
use super::value::Value;
use super::{MAX_EXEC_NESTING, MAX_OUTPUT_BYTES, MAX_TEMPLATE_DEPTH, MissingKey, Template};

/// Runs `t` over `data`.
pub(super) fn execute(
    t: &Template,
    data: &serde_json::Value,
    env: &BTreeMap<String, String>,
    missing: MissingKey,
) -> Result<String, Fail> {
    // Go's data is `reflect.ValueOf(data)`: nil data is the missing value, not a nil interface.
    let dot = match Value::from_json(data, 0).map_err(|e| Fail::new(0, e))? {
        Value::Nil => Value::Missing,
        v => v,
    };
    let Some(root) = t.trees.get(&*t.name) else {
        return Ok(String::new());
    };
    let mut s = State {
        t,
        name: &t.name,
        out: String::new(),
        vars: vec![("$", dot.clone())],
        depth: 0,
        nest: 0,
        missing,
        at: (0, 0),
        ctx: Ctx::new(env),
    };
    let result = s.walk_list(&dot, root);
    // Maps changed in place may now contain themselves; clearing them frees the cycles.
    for m in s.ctx.mutated.drain(..) {
        if let Ok(mut m) = m.try_borrow_mut() {
            m.clear();
        }
    }
    result?;
    Ok(std::mem::take(&mut s.out))
}

/// How a list of nodes ended: normally or at `{{break}}`/`{{continue}}`.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

struct State<'t, 'e> {
    t: &'t Template,
    /// The template being executed (a `{{define}}` name inside calls), for messages.
    name: &'t str,
    out: String,
    vars: Vec<(&'t str, Value)>,
    /// `{{template}}` call depth.
    depth: usize,
    /// Nesting of lists and parenthesized pipelines across template calls: bounds the
    /// evaluator's recursion (and so its stack use) whatever the templates look like.
    nest: usize,
    missing: MissingKey,
    /// Source span of the command being evaluated, quoted in errors.
    at: (usize, usize),
    ctx: Ctx<'e>,
}

impl<'t> State<'t, '_> {
    /// An execution error at `pos`, worded like Go's (`executing "x" at <.a>: …`).
    fn fail(&self, pos: usize, msg: impl std::fmt::Display) -> Fail {
        let (a, b) = self.at;
        let mut ctx: String = self.t.text.get(a..b).unwrap_or("").trim().to_string();
        if ctx.chars().count() > 60 {
            ctx = ctx.chars().take(57).collect::<String>() + "...";
        }
        Fail::new(pos, format!("executing {:?} at <{ctx}>: {msg}", self.name))
    }

    fn charge(&mut self, pos: usize, n: u64) -> Result<(), Fail> {
        self.ctx.charge(n).map_err(|e| self.fail(pos, e))
    }

    fn write(&mut self, pos: usize, s: &str) -> Result<(), Fail> {
        if self.out.len() + s.len() > MAX_OUTPUT_BYTES {
            return Err(self.fail(pos, format!("output exceeds the limit of {MAX_OUTPUT_BYTES} bytes")));
        }
        self.out.push_str(s);
        Ok(())
    }

    fn enter(&mut self, pos: usize) -> Result<(), Fail> {
        self.nest += 1;
        if self.nest > MAX_EXEC_NESTING {
            return Err(self.fail(pos, format!("execution nested deeper than {MAX_EXEC_NESTING} levels")));
        }
        Ok(())
    }

    fn walk_list(&mut self, dot: &Value, list: &'t List) -> Result<Flow, Fail> {
        self.enter(self.at.0)?;
        for node in list {
            let flow = self.walk(dot, node)?;
            if flow != Flow::Normal {
                self.nest -= 1;
                return Ok(flow);
            }
        }
        self.nest -= 1;
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Value, node: &'t Node) -> Result<Flow, Fail> {
        match node {
            // Text has no position of its own; a limit hit here is reported at the last command.
            Node::Text(s) => self.write(self.at.0, s)?,
            Node::Action(pipe) => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    let text = match v {
                        Value::Missing | Value::Nil => "<no value>".to_string(),
                        v => sprint_v(&v).map_err(|e| self.fail(pipe.pos, e))?,
                    };
                    self.write(pipe.pos, &text)?;
                }
            }
            Node::If(c) => return self.walk_if_with(dot, c, false),
            Node::With(c) => return self.walk_if_with(dot, c, true),
            Node::Range(c) => self.walk_range(dot, c)?,
            Node::Template { pos, name, pipe } => self.walk_template(dot, *pos, name, pipe.as_ref())?,
            Node::Break => return Ok(Flow::Break),
            Node::Continue => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn walk_if_with(&mut self, dot: &Value, c: &'t Control, with: bool) -> Result<Flow, Fail> {
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, &c.pipe)?;
        let flow = if val.truthy() {
            self.walk_list(if with { &val } else { dot }, &c.list)?
        } else if let Some(e) = &c.else_list {
            self.walk_list(dot, e)?
        } else {
            Flow::Normal
        };
        self.vars.truncate(mark);
        Ok(flow)
    }

    fn walk_range(&mut self, dot: &Value, c: &'t Control) -> Result<(), Fail> {
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, &c.pipe)?;
        let mut ran = false;
        match &val {
            Value::List(items, _) => {
                for (i, e) in items.iter().enumerate() {
                    ran = true;
                    if self.iteration(c, Value::Int(i as i64), e.clone())? == Flow::Break {
                        break;
                    }
                }
            }
            Value::Map(m, _) => {
                let entries: Vec<(String, Value)> = m.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                for (k, v) in entries {
                    ran = true;
                    if self.iteration(c, Value::str(k), v)? == Flow::Break {
                        break;
                    }
                }
            }
            Value::Int(_) | Value::Int64(_) | Value::Uint(_) | Value::Byte(_) => {
                if c.pipe.decl.len() > 1 {
                    let v = sprint_v(&val).unwrap_or_default();
                    return Err(self.fail(c.pos, format!("can't use {v} to iterate over more than one variable")));
                }
                let n = val.as_i128().unwrap_or(0);
                let mut i: i128 = 0;
                while i < n {
                    ran = true;
                    let e = match val {
                        Value::Int64(_) => Value::Int64(i as i64),
                        Value::Uint(_) => Value::Uint(i as u64),
                        Value::Byte(_) => Value::Byte(i as u8),
                        _ => Value::Int(i as i64),
                    };
                    if self.iteration(c, Value::Missing, e)? == Flow::Break {
                        break;
                    }
                    i += 1;
                }
            }
            Value::Missing | Value::Nil => {}
            v => {
                let v = sprint_v(v).unwrap_or_default();
                return Err(self.fail(c.pos, format!("range can't iterate over {v}")));
            }
        }
        if !ran && let Some(e) = &c.else_list {
            self.walk_list(dot, e)?;
        }
        self.vars.truncate(mark);
        Ok(())
    }

    /// One pass of a range body, with its variables set as Go sets them.
    fn iteration(&mut self, c: &'t Control, index: Value, elem: Value) -> Result<Flow, Fail> {
        self.charge(c.pos, 1)?;
        let decl = &c.pipe.decl;
        if !decl.is_empty() {
            if c.pipe.is_assign {
                let v = if decl.len() > 1 { index.clone() } else { elem.clone() };
                self.set_var(c.pos, &decl[0], v)?;
            } else {
                let n = self.vars.len();
                self.vars[n - 1].1 = elem.clone();
            }
        }
        if decl.len() > 1 {
            if c.pipe.is_assign {
                self.set_var(c.pos, &decl[1], elem.clone())?;
            } else {
                let n = self.vars.len();
                self.vars[n - 2].1 = index;
            }
        }
        let mark = self.vars.len();
        let flow = self.walk_list(&elem, &c.list)?;
        self.vars.truncate(mark);
        Ok(flow)
    }

    fn walk_template(&mut self, dot: &Value, pos: usize, name: &'t str, pipe: Option<&'t Pipe>) -> Result<(), Fail> {
        let Some(tree) = self.t.trees.get(name) else {
            return Err(self.fail(pos, format!("template {name:?} not defined")));
        };
        if self.depth >= MAX_TEMPLATE_DEPTH {
            return Err(self.fail(pos, format!("exceeded maximum template depth ({MAX_TEMPLATE_DEPTH})")));
        }
        let new_dot = match pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Value::Missing,
        };
        // No dynamic scoping: the called template sees only `$`.
        let saved_vars = std::mem::replace(&mut self.vars, vec![("$", new_dot.clone())]);
        let saved_name = std::mem::replace(&mut self.name, name);
        self.depth += 1;
        let result = self.walk_list(&new_dot, tree);
        self.depth -= 1;
        self.name = saved_name;
        self.vars = saved_vars;
        result.map(|_| ())
    }

    fn var_value(&self, pos: usize, name: &str) -> Result<Value, Fail> {
        match self.vars.iter().rev().find(|(n, _)| *n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => Err(self.fail(pos, format!("undefined variable: {name}"))),
        }
    }

    fn set_var(&mut self, pos: usize, name: &str, v: Value) -> Result<(), Fail> {
        match self.vars.iter_mut().rev().find(|(n, _)| *n == name) {
            Some(slot) => {
                slot.1 = v;
                Ok(())
            }
            None => Err(self.fail(pos, format!("undefined variable: {name}"))),
        }
    }
}
