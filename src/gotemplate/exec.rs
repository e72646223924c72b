//! The evaluator: walks the AST over the data as Go's `text/template/exec.go` does — variable
//! scopes, pipelines that pass their value as the last argument, field chains with the
//! `missingkey` modes, Go's argument checking, truthiness, `range` over lists, maps (sorted
//! keys) and integers, `break`/`continue`, and `{{template}}` calls with a depth limit.

use std::collections::BTreeMap;

use super::ast::{Command, Control, Fail, List, Node, Operand, Pipe};
use super::fmt::sprint_v;
use super::funcs::{Ctx, Func, Imp, Ty};
use super::value::{Elem, Value};
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
        self.enter(0)?;
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
            Node::Text(s) => self.write(0, s)?,
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

    /// Runs the commands, each receiving the previous result as its last argument, then
    /// declares or assigns the variables.
    fn eval_pipeline(&mut self, dot: &Value, pipe: &'t Pipe) -> Result<Value, Fail> {
        let mut fin: Option<Value> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, fin.take())?;
            // Go digs a nil interface out of a stage: it becomes the missing value.
            fin = Some(if matches!(v, Value::Nil) { Value::Missing } else { v });
        }
        let value = fin.unwrap_or(Value::Missing);
        for var in &pipe.decl {
            if pipe.is_assign {
                self.set_var(pipe.pos, var, value.clone())?;
            } else {
                self.vars.push((var, value.clone()));
            }
        }
        Ok(value)
    }

    fn eval_command(&mut self, dot: &Value, cmd: &'t Command, fin: Option<Value>) -> Result<Value, Fail> {
        self.at = (cmd.pos, cmd.end);
        self.charge(cmd.pos, 1)?;
        let first = &cmd.args[0];
        let has_args = cmd.args.len() > 1 || fin.is_some();
        match first {
            Operand::Field { pos, idents } => self.eval_fields(dot, dot.clone(), *pos, idents, has_args),
            Operand::Chain { pos, node, fields } => {
                let recv = self.eval_arg(dot, None, node)?;
                self.at = (cmd.pos, cmd.end);
                self.eval_fields(dot, recv, *pos, fields, has_args)
            }
            Operand::Variable { pos, name, idents } => {
                let v = self.var_value(*pos, name)?;
                if idents.is_empty() {
                    self.not_a_function(cmd, has_args)?;
                    return Ok(v);
                }
                self.eval_fields(dot, v, *pos, idents, has_args)
            }
            Operand::Func { pos, name, func } => self.eval_call(dot, *pos, name, func, &cmd.args[1..], fin, Some(cmd)),
            Operand::Pipe(p) => {
                self.not_a_function(cmd, has_args)?;
                self.enter(p.pos)?;
                let v = self.eval_pipeline(dot, p)?;
                self.nest -= 1;
                Ok(v)
            }
            lit => {
                self.not_a_function(cmd, has_args)?;
                match lit {
                    Operand::Nil(pos) => Err(self.fail(*pos, "nil is not a command")),
                    _ => self.literal(dot, lit),
                }
            }
        }
    }

    fn not_a_function(&self, cmd: &Command, has_args: bool) -> Result<(), Fail> {
        if has_args {
            let first = &cmd.args[0];
            return Err(self.fail(first.pos(), format!("can't give argument to non-function {}", first.describe())));
        }
        Ok(())
    }

    /// A literal as an `interface {}` argument (Go's `idealConstant` for numbers).
    fn literal(&self, dot: &Value, op: &Operand) -> Result<Value, Fail> {
        Ok(match op {
            Operand::Dot(_) => dot.clone(),
            Operand::Nil(_) => Value::Nil,
            Operand::Bool(_, b) => Value::Bool(*b),
            Operand::Str(_, s) => Value::str(s.as_str()),
            Operand::Number(pos, n) => {
                let t = n.text.as_str();
                let hex_int = t.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0x")) && !t.contains(['p', 'P']);
                if n.is_float && !hex_int && !t.starts_with('\'') && t.contains(['.', 'e', 'E', 'p', 'P']) {
                    Value::Float(n.float)
                } else if n.is_int {
                    Value::Int(n.int)
                } else {
                    return Err(self.fail(*pos, format!("{t} overflows int")));
                }
            }
            _ => Value::Missing,
        })
    }

    /// `.a.b.c` on a receiver; only the last field may see arguments.
    fn eval_fields(
        &self,
        _dot: &Value,
        recv: Value,
        pos: usize,
        idents: &[String],
        has_args: bool,
    ) -> Result<Value, Fail> {
        let mut v = recv;
        for (i, id) in idents.iter().enumerate() {
            v = self.eval_field(pos, id, v, has_args && i + 1 == idents.len())?;
        }
        Ok(v)
    }

    fn eval_field(&self, pos: usize, name: &str, recv: Value, has_args: bool) -> Result<Value, Fail> {
        match &recv {
            Value::Missing => {
                if self.missing == MissingKey::Error {
                    return Err(self.fail(pos, format!("nil data; no entry for key {name:?}")));
                }
                Ok(Value::Missing)
            }
            Value::Nil => Err(self.fail(pos, format!("nil pointer evaluating interface {{}}.{name}"))),
            Value::Map(m, elem) => {
                if has_args {
                    return Err(self.fail(pos, format!("{name} is not a method but has arguments")));
                }
                if let Some(v) = m.borrow().get(name) {
                    return Ok(v.clone());
                }
                match self.missing {
                    MissingKey::Default => Ok(Value::Missing),
                    MissingKey::Zero if *elem == Elem::Str => Ok(Value::str("")),
                    MissingKey::Zero => Ok(Value::Nil),
                    MissingKey::Error => Err(self.fail(pos, format!("map has no entry for key {name:?}"))),
                }
            }
            v => Err(self.fail(pos, format!("can't evaluate field {name} in type {}", v.type_name()))),
        }
    }

    /// Evaluates an argument for a parameter of type `ty` (`None`: untyped, as for a chain's
    /// receiver), with Go's checks.
    fn eval_arg(&mut self, dot: &Value, ty: Option<Ty>, op: &'t Operand) -> Result<Value, Fail> {
        let v = match op {
            Operand::Field { pos, idents } => self.eval_fields(dot, dot.clone(), *pos, idents, false)?,
            Operand::Variable { pos, name, idents } => {
                let v = self.var_value(*pos, name)?;
                self.eval_fields(dot, v, *pos, idents, false)?
            }
            Operand::Chain { pos, node, fields } => {
                let recv = self.eval_arg(dot, None, node)?;
                self.eval_fields(dot, recv, *pos, fields, false)?
            }
            Operand::Pipe(p) => {
                let at = self.at;
                self.enter(p.pos)?;
                let v = self.eval_pipeline(dot, p)?;
                self.nest -= 1;
                self.at = at;
                v
            }
            Operand::Func { pos, name, func } => {
                let at = self.at;
                let v = self.eval_call(dot, *pos, name, func, &[], None, None)?;
                self.at = at;
                v
            }
            Operand::Dot(_) => dot.clone(),
            Operand::Nil(pos) => {
                return match ty {
                    None | Some(Ty::Any | Ty::Map) => Ok(Value::Nil),
                    Some(Ty::Val) => Ok(Value::Missing),
                    Some(t) => Err(self.fail(*pos, format!("cannot assign nil to {}", t.go_name()))),
                };
            }
            lit => return self.typed_literal(dot, ty, lit),
        };
        match ty {
            None => Ok(v),
            Some(t) => self.validate(op.pos(), v, t),
        }
    }

    /// A literal for a typed parameter: Go requires the literal's own kind.
    fn typed_literal(&self, dot: &Value, ty: Option<Ty>, op: &Operand) -> Result<Value, Fail> {
        let expected = |what: &str| self.fail(op.pos(), format!("expected {what}; found {}", op.describe()));
        match (ty, op) {
            (None | Some(Ty::Any | Ty::Val), _) => self.literal(dot, op),
            (Some(Ty::Bool), Operand::Bool(_, b)) => Ok(Value::Bool(*b)),
            (Some(Ty::Bool), _) => Err(expected("bool")),
            (Some(Ty::Str), Operand::Str(_, s)) => Ok(Value::str(s.as_str())),
            (Some(Ty::Str), _) => Err(expected("string")),
            (Some(Ty::Int), Operand::Number(_, n)) if n.is_int => Ok(Value::Int(n.int)),
            (Some(Ty::Int), _) => Err(expected("integer")),
            (Some(Ty::Float), Operand::Number(_, n)) if n.is_float => Ok(Value::Float(n.float)),
            (Some(Ty::Float), _) => Err(expected("float")),
            (Some(t @ Ty::Map), _) => {
                Err(self.fail(op.pos(), format!("can't handle {} for arg of type {}", op.describe(), t.go_name())))
            }
        }
    }

    /// Go's `validateType`: can a value be passed for a parameter of type `ty`?
    fn validate(&self, pos: usize, v: Value, ty: Ty) -> Result<Value, Fail> {
        let ok = match (&v, ty) {
            (_, Ty::Val) => return Ok(v),
            (Value::Missing, Ty::Any | Ty::Map) => return Ok(Value::Nil),
            (_, Ty::Any) => return Ok(v),
            (Value::Missing, t) => {
                return Err(self.fail(pos, format!("invalid value; expected {}", t.go_name())));
            }
            (Value::Map(_, Elem::Any), Ty::Map) => true,
            (Value::Str(_), Ty::Str) => true,
            (Value::Int(_), Ty::Int) => true,
            (Value::Float(_), Ty::Float) | (Value::Bool(_), Ty::Bool) => true,
            _ => false,
        };
        if ok {
            return Ok(v);
        }
        let got = if matches!(v, Value::Nil) { "interface {}" } else { v.type_name() };
        Err(self.fail(pos, format!("wrong type for value; expected {}; got {got}", ty.go_name())))
    }

    /// Calls a function with Go's arity and type checks; `fin` is the piped value.
    #[allow(clippy::too_many_arguments)]
    fn eval_call(
        &mut self,
        dot: &Value,
        pos: usize,
        name: &str,
        func: &'static Func,
        args: &'t [Operand],
        fin: Option<Value>,
        cmd: Option<&Command>,
    ) -> Result<Value, Fail> {
        if let Imp::Unsupported(why) = func.imp {
            return Err(self.fail(pos, format!("function {name:?} is not supported by paved: {why}")));
        }
        let num_in = args.len() + usize::from(fin.is_some());
        let fixed = func.params.len();
        if func.variadic.is_some() {
            if num_in < fixed {
                return Err(self
                    .fail(pos, format!("wrong number of args for {name}: want at least {fixed} got {}", args.len())));
            }
        } else if num_in != fixed {
            return Err(self.fail(pos, format!("wrong number of args for {name}: want {fixed} got {num_in}")));
        }
        let param = |i: usize| func.params.get(i).copied().or(func.variadic).unwrap_or(Ty::Any);
        if matches!(func.imp, Imp::And | Imp::Or) {
            let is_or = matches!(func.imp, Imp::Or);
            let mut v = Value::Missing;
            for a in args {
                v = self.eval_arg(dot, Some(Ty::Val), a)?;
                if v.truthy() == is_or {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = f;
            }
            return Ok(v);
        }
        let mut argv = Vec::with_capacity(num_in);
        for (i, a) in args.iter().enumerate() {
            argv.push(self.eval_arg(dot, Some(param(i)), a)?);
        }
        if let Some(f) = fin {
            argv.push(self.validate(pos, f, param(num_in - 1))?);
        }
        if let Some(cmd) = cmd {
            self.at = (cmd.pos, cmd.end);
        }
        let Imp::Native(call) = func.imp else {
            return Err(self.fail(pos, "internal error: not a native function"));
        };
        match call(&mut self.ctx, argv) {
            Ok(v) => Ok(v),
            Err(e) => Err(self.fail(pos, format!("error calling {name}: {e}"))),
        }
    }
}
