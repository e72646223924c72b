//! Go's `fmt` for template values: `Sprint`, `Sprintln`, `Sprintf` (verbs, flags, width,
//! precision, `%!verb(type=value)` for mismatches), and the float formatting of `strconv`.
//! Formatting that paved does not implement (`%b`/`%x` of floats, `#` with floats, explicit
//! argument indexes) is an error, never a guess.

use super::MAX_VALUE_DEPTH;
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

    fn fmt_integer(&mut self, u: u64, negative: bool, signed: bool, verb: char, a: &Value) -> Res {
        let (base, upper) = match verb {
            'v' if self.f.sharp_v && !signed => {
                self.f.sharp = true;
                (16, false)
            }
            'v' | 'd' => (10, false),
            'b' => (2, false),
            'o' | 'O' => (8, false),
            'x' => (16, false),
            'X' => (16, true),
            'c' => {
                self.pad(&char::from_u32(u32::try_from(u).unwrap_or(0xFFFD)).unwrap_or('\u{FFFD}').to_string());
                return Ok(());
            }
            'q' => {
                let c = char::from_u32(u32::try_from(u).unwrap_or(0xFFFD)).unwrap_or('\u{FFFD}');
                let q = quote_with(&c.to_string(), '\'', self.f.plus);
                self.pad(&q);
                return Ok(());
            }
            'U' => {
                let mut s = format!("U+{u:04X}");
                if self.f.sharp
                    && let Some(c) = char::from_u32(u32::try_from(u).unwrap_or(0xFFFD))
                    && is_print(c)
                {
                    s.push_str(&format!(" '{c}'"));
                }
                let saved = self.f.zero;
                self.f.zero = false;
                self.pad(&s);
                self.f.zero = saved;
                return Ok(());
            }
            _ => return self.bad_verb(a, verb),
        };
        let mut digits = match base {
            2 => format!("{u:b}"),
            8 => format!("{u:o}"),
            16 if upper => format!("{u:X}"),
            16 => format!("{u:x}"),
            _ => u.to_string(),
        };
        let mut prec = 0;
        if let Some(p) = self.f.prec {
            prec = p;
            if p == 0 && u == 0 {
                let saved = self.f.zero;
                self.f.zero = false;
                self.write_padding(self.f.wid.unwrap_or(0));
                self.f.zero = saved;
                return Ok(());
            }
        } else if self.f.zero && !self.f.minus && self.f.wid.is_some() {
            prec = self.f.wid.unwrap_or(0);
            if negative || self.f.plus || self.f.space {
                prec = prec.saturating_sub(1);
            }
        }
        if digits.len() < prec {
            digits = "0".repeat(prec - digits.len()) + &digits;
        }
        if self.f.sharp {
            match base {
                2 => digits.insert_str(0, "0b"),
                8 if !digits.starts_with('0') => digits.insert(0, '0'),
                16 => digits.insert_str(0, if upper { "0X" } else { "0x" }),
                _ => {}
            }
        }
        if verb == 'O' {
            digits.insert_str(0, "0o");
        }
        if negative {
            digits.insert(0, '-');
        } else if self.f.plus {
            digits.insert(0, '+');
        } else if self.f.space {
            digits.insert(0, ' ');
        }
        let saved = self.f.zero;
        self.f.zero = false;
        self.pad(&digits);
        self.f.zero = saved;
        Ok(())
    }

    fn fmt_float(&mut self, x: f64, verb: char, a: &Value) -> Res {
        let (fverb, default_prec) = match verb {
            'v' => ('g', None),
            'g' | 'G' => (verb, None),
            'f' | 'F' => ('f', Some(6)),
            'e' | 'E' => (verb, Some(6)),
            'b' | 'x' | 'X' => {
                return Err(format!("printf: %{verb} of a float64 is not supported"));
            }
            _ => return self.bad_verb(a, verb),
        };
        if self.f.sharp {
            return Err("printf: the '#' flag with floats is not supported".into());
        }
        let prec = self.f.prec.or(default_prec);
        let num = format_float(x, fverb, prec);
        let (sign, body) = match num.strip_prefix('-') {
            Some(b) => ('-', b.to_string()),
            None => ('+', num.trim_start_matches('+').to_string()),
        };
        let sign = if sign == '+' && self.f.space && !self.f.plus { ' ' } else { sign };
        if body.starts_with('I') || body.starts_with('N') {
            let saved = self.f.zero;
            self.f.zero = false;
            let s = if body.starts_with('N') && sign != ' ' && !self.f.plus { body } else { format!("{sign}{body}") };
            self.pad(&s);
            self.f.zero = saved;
            return Ok(());
        }
        if self.f.plus || sign != '+' {
            let len = body.chars().count() + 1;
            if let Some(wid) = self.f.wid
                && self.f.zero
                && !self.f.minus
                && wid > len
            {
                self.buf.push(sign);
                self.write_padding(wid - len);
                self.buf.push_str(&body);
                return Ok(());
            }
            self.pad(&format!("{sign}{body}"));
        } else {
            self.pad(&body);
        }
        Ok(())
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

/// Go's `unicode.IsPrint`, approximated: no control, format or separator characters except the
/// ASCII space.
pub(super) fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    !(c.is_control()
        || c.is_whitespace()
        || matches!(c, '\u{AD}' | '\u{600}'..='\u{605}' | '\u{61C}' | '\u{6DD}' | '\u{70F}'
            | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}' | '\u{E000}'..='\u{F8FF}'))
}

/// Go's `strconv.Quote` (or `QuoteRune` with `'`; `ascii` for `QuoteToASCII`).
pub(super) fn quote_with(s: &str, quote: char, ascii: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            _ if c == quote || c == '\\' => {
                out.push('\\');
                out.push(c);
            }
            _ if (if ascii { c.is_ascii() && is_print(c) } else { is_print(c) }) => out.push(c),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            _ if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            _ if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            _ => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// Go's `strconv.CanBackquote`.
fn can_backquote(s: &str) -> bool {
    !s.chars().any(|c| c == '`' || c == '\u{FEFF}' || (c.is_control() && c != '\t'))
}

/// `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`).
pub(super) fn float_v(f: f64) -> String {
    format_float(f, 'g', None)
}

/// Go's `strconv.FormatFloat` for the `e`, `E`, `f`, `g` and `G` formats; `None` precision is
/// the shortest representation that round-trips.
pub(super) fn format_float(v: f64, verb: char, prec: Option<usize>) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    let neg = v.is_sign_negative();
    let a = v.abs();
    let upper = verb.is_ascii_uppercase();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    match (verb.to_ascii_lowercase(), prec) {
        ('f', Some(p)) => out.push_str(&format!("{a:.p$}")),
        ('f', None) => {
            let (d, dp) = digits(a, None);
            out.push_str(&fmt_f(&d, dp, (d.len() as i64 - dp).max(0) as usize));
        }
        ('e', p) => {
            let (d, dp) = digits(a, p.map(|p| p + 1));
            let p = p.unwrap_or(d.len().saturating_sub(1));
            out.push_str(&fmt_e(&d, dp, p, upper));
        }
        (_, p) => {
            // 'g'
            let shortest = p.is_none();
            let p = p.map(|p| p.max(1));
            let (d, dp) = digits(a, p);
            let nd = d.len();
            let mut prec = p.unwrap_or(nd);
            let mut eprec = prec;
            if eprec > nd && nd as i64 >= dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = dp - 1;
            if exp < -4 || exp >= eprec as i64 {
                if prec > nd {
                    prec = nd;
                }
                out.push_str(&fmt_e(&d, dp, prec.saturating_sub(1), upper));
            } else {
                if prec as i64 > dp {
                    prec = nd;
                }
                out.push_str(&fmt_f(&d, dp, (prec as i64 - dp).max(0) as usize));
            }
        }
    }
    out
}

/// Decimal digits (no trailing zeros) and decimal point position of `a >= 0`, rounded to
/// `sig` significant digits, or shortest round-trip when `None`. Zero has no digits.
fn digits(a: f64, sig: Option<usize>) -> (Vec<u8>, i64) {
    if a == 0.0 {
        return (Vec::new(), 0);
    }
    let s = match sig {
        Some(n) => format!("{a:.*e}", n.saturating_sub(1)),
        None => format!("{a:e}"),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let mut d: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while d.last() == Some(&b'0') {
        d.pop();
    }
    if d.is_empty() {
        return (d, 0);
    }
    (d, exp + 1)
}

/// `d.ddddde±dd`
fn fmt_e(d: &[u8], dp: i64, prec: usize, upper: bool) -> String {
    let mut s = String::new();
    s.push(d.first().map_or('0', |&c| c as char));
    if prec > 0 {
        s.push('.');
        for i in 1..=prec {
            s.push(d.get(i).map_or('0', |&c| c as char));
        }
    }
    s.push(if upper { 'E' } else { 'e' });
    let exp = if d.is_empty() { 0 } else { dp - 1 };
    s.push(if exp < 0 { '-' } else { '+' });
    s.push_str(&format!("{:02}", exp.abs()));
    s
}

/// `ddd.ddd`
fn fmt_f(d: &[u8], dp: i64, prec: usize) -> String {
    let mut s = String::new();
    if dp > 0 {
        for i in 0..dp as usize {
            s.push(d.get(i).map_or('0', |&c| c as char));
        }
    } else {
        s.push('0');
    }
    if prec > 0 {
        s.push('.');
        for i in 1..=prec as i64 {
            let j = dp + i - 1;
            s.push(if j >= 0 { d.get(j as usize).map_or('0', |&c| c as char) } else { '0' });
        }
    }
    s
}
