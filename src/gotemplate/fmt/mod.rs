//! Go's `fmt` for template values: `Sprint`, `Sprintln`, `Sprintf` (verbs, flags, width,
//! precision, `%!verb(type=value)` for mismatches).
//! Formatting that paved does not implement (`%b`/`%x` of floats, `#` with floats, explicit
//! argument indexes) is an error, never a guess.

use super::MAX_VALUE_DEPTH;
mod number;

use super::strconv::{can_backquote, quote_with};
use super::value::{Value, too_deep};

type Res = Result<(), String>;

/// `fmt.Sprint(args...)`: spaces between operands when neither side is a string.
pub(super) fn sprint(args: &[Value]) -> Result<String, String> {
    let mut p = Printer::default();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a, Value::Str(_));
        if i > 0 && !is_string && !prev_string {
            p.buf.push(' ');
        }
        p.print_arg(a, 'v', 0)?;
        prev_string = is_string;
    }
    Ok(p.buf)
}

/// `fmt.Sprintln(args...)`: spaces between all operands and a newline.
pub(super) fn sprintln(args: &[Value]) -> Result<String, String> {
    let mut p = Printer::default();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(' ');
        }
        p.print_arg(a, 'v', 0)?;
    }
    p.buf.push('\n');
    Ok(p.buf)
}

/// `%v` of one value.
pub(super) fn sprint_v(v: &Value) -> Result<String, String> {
    sprint(std::slice::from_ref(v))
}

/// `fmt.Sprintf(format, args...)`.
pub(super) fn sprintf(format: &str, args: &[Value]) -> Result<String, String> {
    let mut p = Printer::default();
    let mut arg_num = 0;
    let mut rest = format;
    while !rest.is_empty() {
        let Some(pct) = rest.find('%') else {
            p.buf.push_str(rest);
            break;
        };
        p.buf.push_str(&rest[..pct]);
        rest = &rest[pct + 1..];
        p.f = Flags::default();
        // Flags.
        loop {
            match rest.as_bytes().first() {
                Some(b'#') => p.f.sharp = true,
                Some(b'0') => p.f.zero = !p.f.minus,
                Some(b'+') => p.f.plus = true,
                Some(b'-') => {
                    p.f.minus = true;
                    p.f.zero = false;
                }
                Some(b' ') => p.f.space = true,
                _ => break,
            }
            rest = &rest[1..];
        }
        if rest.starts_with('[') {
            return Err("printf: explicit argument indexes (%[n]) are not supported".into());
        }
        // Width.
        if let Some(r) = rest.strip_prefix('*') {
            rest = r;
            match int_from_arg(args, &mut arg_num) {
                Some(w) if w < 0 => {
                    p.f.minus = true;
                    p.f.zero = false;
                    p.f.wid = Some(w.unsigned_abs() as usize);
                }
                Some(w) => p.f.wid = Some(w as usize),
                None => p.buf.push_str("%!(BADWIDTH)"),
            }
        } else {
            let (n, len) = parse_num(rest);
            p.f.wid = n;
            rest = &rest[len..];
        }
        // Precision.
        if let Some(r) = rest.strip_prefix('.') {
            rest = r;
            if let Some(r) = rest.strip_prefix('*') {
                rest = r;
                match int_from_arg(args, &mut arg_num) {
                    Some(pr) if pr >= 0 => p.f.prec = Some(pr as usize),
                    Some(_) => p.f.prec = None,
                    None => p.buf.push_str("%!(BADPREC)"),
                }
            } else {
                let (n, len) = parse_num(rest);
                p.f.prec = Some(n.unwrap_or(0));
                rest = &rest[len..];
            }
        }
        let Some(verb) = rest.chars().next() else {
            p.buf.push_str("%!(NOVERB)");
            break;
        };
        rest = &rest[verb.len_utf8()..];
        if verb == '%' {
            p.buf.push('%');
        } else if arg_num >= args.len() {
            p.buf.push_str(&format!("%!{verb}(MISSING)"));
        } else {
            if verb == 'v' {
                p.f.sharp_v = p.f.sharp;
                p.f.sharp = false;
                p.f.plus = false;
            }
            p.print_arg(&args[arg_num], verb, 0)?;
            arg_num += 1;
        }
    }
    if arg_num < args.len() {
        p.f = Flags::default();
        p.buf.push_str("%!(EXTRA ");
        for (i, a) in args[arg_num..].iter().enumerate() {
            if i > 0 {
                p.buf.push_str(", ");
            }
            if a.is_nil() {
                p.buf.push_str("<nil>");
            } else {
                p.buf.push_str(a.type_name());
                p.buf.push('=');
                p.print_arg(a, 'v', 0)?;
            }
        }
        p.buf.push(')');
    }
    Ok(p.buf)
}

/// Width/precision digits. Like Go, a number that grows past a million gives up and consumes
/// the rest of the format (which then has no verb).
fn parse_num(s: &str) -> (Option<usize>, usize) {
    let mut num: usize = 0;
    let mut len = 0;
    for b in s.bytes().take_while(u8::is_ascii_digit) {
        if num > 1_000_000 {
            return (None, s.len());
        }
        num = num * 10 + usize::from(b - b'0');
        len += 1;
    }
    if len == 0 { (None, 0) } else { (Some(num), len) }
}

fn int_from_arg(args: &[Value], arg_num: &mut usize) -> Option<i64> {
    let a = args.get(*arg_num)?;
    *arg_num += 1;
    let n = i64::try_from(a.as_i128()?).ok()?;
    (n.abs() <= 1_000_000).then_some(n)
}

#[derive(Default, Clone, Copy)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

#[derive(Default)]
struct Printer {
    buf: String,
    f: Flags,
}

impl Printer {
    fn print_arg(&mut self, a: &Value, verb: char, depth: usize) -> Res {
        if depth > MAX_VALUE_DEPTH {
            return Err(too_deep());
        }
        if verb == 'T' {
            self.pad(a.type_name());
            return Ok(());
        }
        match a {
            Value::Missing | Value::Nil => {
                if depth > 0 && self.f.sharp_v {
                    self.buf.push_str("interface {}(nil)");
                } else if depth > 0 {
                    self.buf.push_str("<nil>");
                } else if verb == 'v' {
                    self.pad("<nil>");
                } else {
                    self.bad_verb(a, verb)?;
                }
            }
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }),
                _ => self.bad_verb(a, verb)?,
            },
            Value::Int(i) | Value::Int64(i) => {
                self.fmt_integer(i.unsigned_abs(), *i < 0, true, verb, a)?;
            }
            Value::Uint(u) => self.fmt_integer(*u, false, false, verb, a)?,
            Value::Byte(b) => self.fmt_integer(u64::from(*b), false, false, verb, a)?,
            Value::Float(x) => self.fmt_float(*x, verb, a)?,
            Value::Str(s) => self.fmt_string(s, verb, a)?,
            Value::List(items, _) => {
                if self.f.sharp_v {
                    self.buf.push_str(a.type_name());
                    self.buf.push('{');
                } else {
                    self.buf.push('[');
                }
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if self.f.sharp_v { ", " } else { " " });
                    }
                    self.print_arg(x, verb, depth + 1)?;
                }
                self.buf.push(if self.f.sharp_v { '}' } else { ']' });
            }
            Value::Map(m, _) => {
                if self.f.sharp_v {
                    self.buf.push_str(a.type_name());
                    self.buf.push('{');
                } else {
                    self.buf.push_str("map[");
                }
                for (i, (k, x)) in m.borrow().iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if self.f.sharp_v { ", " } else { " " });
                    }
                    self.fmt_string(k, verb, &Value::str(k.as_str()))?;
                    self.buf.push(':');
                    self.print_arg(x, verb, depth + 1)?;
                }
                self.buf.push(if self.f.sharp_v { '}' } else { ']' });
            }
        }
        Ok(())
    }

    /// `%!verb(type=value)`.
    fn bad_verb(&mut self, a: &Value, verb: char) -> Res {
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        if a.is_nil() {
            self.buf.push_str("<nil>");
        } else {
            self.buf.push_str(a.type_name());
            self.buf.push('=');
            self.print_arg(a, 'v', 0)?;
        }
        self.buf.push(')');
        Ok(())
    }

    fn write_padding(&mut self, n: usize) {
        let c = if self.f.zero { '0' } else { ' ' };
        self.buf.extend(std::iter::repeat_n(c, n));
    }

    /// Pads to the width (counted in characters).
    fn pad(&mut self, s: &str) {
        let Some(wid) = self.f.wid else {
            self.buf.push_str(s);
            return;
        };
        let fill = wid.saturating_sub(s.chars().count());
        if self.f.minus {
            self.buf.push_str(s);
            self.write_padding(fill);
        } else {
            self.write_padding(fill);
            self.buf.push_str(s);
        }
    }

    fn fmt_string(&mut self, s: &str, verb: char, a: &Value) -> Res {
        // Go's documentation: the '0' flag is ignored for strings.
        let saved_zero = std::mem::replace(&mut self.f.zero, false);
        let r = self.fmt_string_inner(s, verb, a);
        self.f.zero = saved_zero;
        r
    }

    fn fmt_string_inner(&mut self, s: &str, verb: char, a: &Value) -> Res {
        let truncated = |s: &str, prec: Option<usize>| match prec {
            Some(p) => s.chars().take(p).collect::<String>(),
            None => s.to_string(),
        };
        match verb {
            'v' if self.f.sharp_v => self.pad(&quote_with(s, '"', false)),
            'v' | 's' => {
                let t = truncated(s, self.f.prec);
                self.pad(&t);
            }
            'q' => {
                let t = truncated(s, self.f.prec);
                if self.f.sharp && can_backquote(&t) {
                    self.pad(&format!("`{t}`"));
                } else {
                    self.pad(&quote_with(&t, '"', self.f.plus));
                }
            }
            'x' | 'X' => self.fmt_sx(s, verb == 'X'),
            _ => self.bad_verb(a, verb)?,
        }
        Ok(())
    }

    /// `%x` of a string: hex of its bytes, with Go's `#` and space flags.
    fn fmt_sx(&mut self, s: &str, upper: bool) {
        let bytes = s.as_bytes();
        let len = self.f.prec.map_or(bytes.len(), |p| p.min(bytes.len()));
        let x = if upper { 'X' } else { 'x' };
        let mut out = String::new();
        if len > 0 {
            if self.f.sharp {
                out.push('0');
                out.push(x);
            }
            for (i, b) in bytes[..len].iter().enumerate() {
                if self.f.space && i > 0 {
                    out.push(' ');
                    if self.f.sharp {
                        out.push('0');
                        out.push(x);
                    }
                }
                out.push_str(&if upper { format!("{b:02X}") } else { format!("{b:02x}") });
            }
        }
        let saved = self.f.zero;
        self.f.zero = false;
        self.pad(&out);
        self.f.zero = saved;
    }
}
