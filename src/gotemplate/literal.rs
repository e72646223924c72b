//! Go literal syntax: `strconv.Unquote` for strings and characters, and the numeric constants
//! of `text/template/parse` (every interpretation of a number at once).

use super::ast::Number;

/// Go's `strconv.Unquote` for `"…"`, `` `…` `` and `'…'` (the latter returns the character).
pub(super) fn unquote(lit: &str) -> Result<String, String> {
    let bad = || "invalid syntax".to_string();
    if let Some(raw) = lit.strip_prefix('`') {
        let body = raw.strip_suffix('`').ok_or_else(bad)?;
        // Go drops carriage returns from raw strings.
        return Ok(body.replace('\r', ""));
    }
    let quote = lit.chars().next().ok_or_else(bad)?;
    if quote != '"' && quote != '\'' {
        return Err(bad());
    }
    let body = lit[1..].strip_suffix(quote).ok_or_else(bad)?;
    let mut bytes: Vec<u8> = Vec::with_capacity(body.len());
    let mut chars = body.chars();
    let mut count = 0;
    while let Some(c) = chars.next() {
        count += 1;
        if c == quote || (c == '\n') {
            return Err(bad());
        }
        if c != '\\' {
            let mut buf = [0u8; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let e = chars.next().ok_or_else(bad)?;
        let simple = match e {
            'a' => Some(7u8),
            'b' => Some(8),
            'f' => Some(12),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(11),
            '\\' => Some(b'\\'),
            '\'' if quote == '\'' => Some(b'\''),
            '"' if quote == '"' => Some(b'"'),
            _ => None,
        };
        if let Some(b) = simple {
            bytes.push(b);
            continue;
        }
        let (digits, radix) = match e {
            'x' => (2, 16),
            'u' => (4, 16),
            'U' => (8, 16),
            '0'..='7' => (2, 8),
            _ => return Err(bad()),
        };
        let mut text = String::new();
        if radix == 8 {
            text.push(e);
        }
        for _ in 0..digits {
            text.push(chars.next().ok_or_else(bad)?);
        }
        let v = u32::from_str_radix(&text, radix).map_err(|_| bad())?;
        if e == 'x' || radix == 8 {
            // A byte, not a character.
            bytes.push(u8::try_from(v).map_err(|_| bad())?);
        } else {
            let c = char::from_u32(v).ok_or_else(bad)?;
            let mut buf = [0u8; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    if quote == '\'' && count == 0 {
        return Err(bad());
    }
    String::from_utf8(bytes).map_err(|_| "string literal is not valid UTF-8 (not supported)".into())
}

/// Go's `newNumber`: a character constant, or an integer/float literal.
pub(super) fn number(text: &str) -> Result<Number, String> {
    let mut n =
        Number { text: text.to_string(), is_int: false, is_uint: false, is_float: false, int: 0, uint: 0, float: 0.0 };
    if text.starts_with('\'') {
        let s = unquote(text)?;
        let mut chars = s.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            return Err(format!("malformed character constant: {text}"));
        };
        let v = c as u32;
        n.is_int = true;
        n.is_uint = true;
        n.is_float = true;
        n.int = i64::from(v);
        n.uint = u64::from(v);
        n.float = f64::from(v);
        return Ok(n);
    }
    if text.ends_with('i') {
        return Err(format!("complex number {text} is not supported"));
    }
    if let Some(v) = parse_int(text) {
        if let Ok(u) = u64::try_from(v) {
            n.is_uint = true;
            n.uint = u;
        }
        if let Ok(i) = i64::try_from(v) {
            n.is_int = true;
            n.int = i;
        }
        if n.is_int || n.is_uint {
            n.is_float = true;
            n.float = v as f64;
            return Ok(n);
        }
    }
    if let Some(f) = parse_float(text)? {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {text:?}"));
        }
        n.is_float = true;
        n.float = f;
        if f.fract() == 0.0 && f.abs() < 9.2e18 {
            n.is_int = true;
            n.int = f as i64;
        }
        if f.fract() == 0.0 && (0.0..1.8e19).contains(&f) {
            n.is_uint = true;
            n.uint = f as u64;
        }
        return Ok(n);
    }
    Err(format!("illegal number syntax: {text:?}"))
}

/// `strconv.ParseInt(text, 0, …)` widened to i128 so both the int and uint ranges fit.
pub(super) fn parse_int(text: &str) -> Option<i128> {
    let (neg, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d, true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d, true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    if !underscores_ok(digits, prefixed) {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    let v = u128::from_str_radix(&clean, radix).ok()?;
    let v = i128::try_from(v).ok()?;
    Some(if neg { -v } else { v })
}

/// Go allows `_` only between digits, or right after a base prefix.
fn underscores_ok(digits: &str, prefixed: bool) -> bool {
    if !digits.contains('_') {
        return true;
    }
    let b = digits.as_bytes();
    if b.last() == Some(&b'_') || (!prefixed && b.first() == Some(&b'_')) {
        return false;
    }
    !digits.contains("__")
}

/// Decimal floats. Hexadecimal floats (`0x1p-2`) are reported as unsupported.
fn parse_float(text: &str) -> Result<Option<f64>, String> {
    let body = text.trim_start_matches(['+', '-']);
    if body.len() > 1 && body[..2].eq_ignore_ascii_case("0x") {
        if text.contains(['p', 'P']) {
            return Err(format!("hexadecimal float {text} is not supported"));
        }
        return Ok(None);
    }
    if !underscores_ok(body, false) || body.contains("_.") || body.contains("._") {
        return Ok(None);
    }
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    match clean.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(Some(f)),
        _ => Ok(None),
    }
}
