//! The parsed form of a template, mirroring Go's `text/template/parse` nodes. Every node keeps
//! the byte offset it starts at so errors can point at it.

use super::funcs::Func;

/// An error inside the engine: a byte offset and Go's message. The public API turns it into an
/// [`super::Error`] with line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Fail {
    pub pos: usize,
    pub msg: String,
}

impl Fail {
    pub fn new(pos: usize, msg: impl Into<String>) -> Fail {
        Fail { pos, msg: msg.into() }
    }
}

pub(super) type List = Vec<Node>;

#[derive(Debug)]
pub(super) enum Node {
    Text(String),
    /// `{{pipeline}}`: prints the value unless the pipeline declares variables.
    Action(Pipe),
    If(Control),
    Range(Control),
    With(Control),
    /// `{{template "name" pipeline}}` (and the call half of `{{block}}`).
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
    Break,
    Continue,
}

/// The shared shape of `if`, `range` and `with`.
#[derive(Debug)]
pub(super) struct Control {
    pub pos: usize,
    pub pipe: Pipe,
    pub list: List,
    pub else_list: Option<List>,
}

/// `$x := a | b c`: declarations and commands.
#[derive(Debug)]
pub(super) struct Pipe {
    pub pos: usize,
    /// Declared (or, with `is_assign`, assigned) variables, `$` included.
    pub decl: Vec<String>,
    pub is_assign: bool,
    pub cmds: Vec<Command>,
}

/// One stage of a pipeline: a function, method-less field or value, and its arguments.
#[derive(Debug)]
pub(super) struct Command {
    pub pos: usize,
    /// End offset, so errors can quote the command as Go does (`at <.a.b>`).
    pub end: usize,
    pub args: Vec<Operand>,
}

#[derive(Debug)]
pub(super) enum Operand {
    /// `.a.b`
    Field {
        pos: usize,
        idents: Vec<String>,
    },
    /// `$x.a.b` (`idents` may be empty)
    Variable {
        pos: usize,
        name: String,
        idents: Vec<String>,
    },
    /// `(pipeline).a.b` or `func.a`
    Chain {
        pos: usize,
        node: Box<Operand>,
        fields: Vec<String>,
    },
    /// A function; `name` as written (`strings.Title` for namespaced ones).
    Func {
        pos: usize,
        name: String,
        func: &'static Func,
    },
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number(usize, Box<Number>),
    Str(usize, String),
    /// A parenthesized pipeline.
    Pipe(Box<Pipe>),
}

impl Operand {
    pub fn pos(&self) -> usize {
        match self {
            Operand::Field { pos, .. }
            | Operand::Variable { pos, .. }
            | Operand::Chain { pos, .. }
            | Operand::Func { pos, .. }
            | Operand::Dot(pos)
            | Operand::Nil(pos)
            | Operand::Bool(pos, _)
            | Operand::Number(pos, _)
            | Operand::Str(pos, _) => *pos,
            Operand::Pipe(p) => p.pos,
        }
    }

    /// Go's rendering of the operand in messages (`.a.b`, `$x`, `"s"`).
    pub fn describe(&self) -> String {
        match self {
            Operand::Field { idents, .. } => format!(".{}", idents.join(".")),
            Operand::Variable { name, idents, .. } => {
                let mut s = name.clone();
                for i in idents {
                    s.push('.');
                    s.push_str(i);
                }
                s
            }
            Operand::Chain { node, fields, .. } => format!("{}.{}", node.describe(), fields.join(".")),
            Operand::Func { name, .. } => name.clone(),
            Operand::Dot(_) => ".".into(),
            Operand::Nil(_) => "nil".into(),
            Operand::Bool(_, b) => b.to_string(),
            Operand::Number(_, n) => n.text.clone(),
            Operand::Str(_, s) => super::strconv::quote_with(s, '"', false),
            Operand::Pipe(_) => "(…)".into(),
        }
    }

    /// Literals cannot take arguments or receive a piped value.
    pub fn is_literal(&self) -> bool {
        matches!(self, Operand::Dot(_) | Operand::Nil(_) | Operand::Bool(..) | Operand::Number(..) | Operand::Str(..))
    }
}

/// A numeric constant with every interpretation Go gives it (an integer literal is also a
/// float; `1.0` is also an integer).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Number {
    pub text: String,
    pub is_int: bool,
    pub is_uint: bool,
    pub is_float: bool,
    pub int: i64,
    pub uint: u64,
    pub float: f64,
}
