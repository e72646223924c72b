//! Expressions: pipelines, commands, field chains, arguments checked against Go parameter
//! types, and function calls.

use super::State;
use crate::gotemplate::MissingKey;
use crate::gotemplate::ast::{Command, Fail, Operand, Pipe};
use crate::gotemplate::funcs::{Func, Imp, Ty};
use crate::gotemplate::value::{Elem, Value};

impl<'t> State<'t, '_> {
    /// Runs the commands, each receiving the previous result as its last argument, then
    /// declares or assigns the variables.
    pub(super) fn eval_pipeline(&mut self, dot: &Value, pipe: &'t Pipe) -> Result<Value, Fail> {
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

    pub(super) fn eval_command(&mut self, dot: &Value, cmd: &'t Command, fin: Option<Value>) -> Result<Value, Fail> {
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
    pub(super) fn eval_arg(&mut self, dot: &Value, ty: Option<Ty>, op: &'t Operand) -> Result<Value, Fail> {
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
    pub(super) fn eval_call(
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
