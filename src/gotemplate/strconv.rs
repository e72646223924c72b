//! Go's `strconv` pieces the engine needs: quoting (`Quote`, `QuoteRune`, `CanBackquote`)
//! and float formatting (`FormatFloat` with the `e`, `f` and `g` formats, shortest or with a
//! precision), built on Rust's correctly rounded float printing.

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
pub(super) fn can_backquote(s: &str) -> bool {
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
