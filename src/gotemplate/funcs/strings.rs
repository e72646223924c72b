//! Sprig's string functions, regular expressions and `env`/`expandenv`.
//! Argument orders follow Sprig (`trimPrefix "-" "-x"`, `replace "old" "new" .s`), so the
//! string being worked on comes last and can be piped in.

use super::super::strconv::quote_with;
use super::super::value::Value;
use super::builtin::out;
use super::{Ctx, Func, Ty, arg_int, arg_str, f, go_split, strval};

const S: Ty = Ty::Str;
const I: Ty = Ty::Int;
const A: Option<Ty> = Some(Ty::Any);

pub(super) static FUNCS: &[Func] = &[
    f("hello", &[], None, |c, _| out(c, "Hello!".into())),
    f("upper", &[S], None, |c, a| out(c, arg_str(&a, 0).to_uppercase())),
    f("lower", &[S], None, |c, a| out(c, arg_str(&a, 0).to_lowercase())),
    f("title", &[S], None, |c, a| out(c, title(arg_str(&a, 0)))),
    f("trim", &[S], None, |c, a| out(c, arg_str(&a, 0).trim().to_string())),
    f("trimAll", &[S, S], None, |c, a| {
        let cut: Vec<char> = arg_str(&a, 0).chars().collect();
        out(c, arg_str(&a, 1).trim_matches(cut.as_slice()).to_string())
    }),
    f("trimPrefix", &[S, S], None, |c, a| {
        let s = arg_str(&a, 1);
        out(c, s.strip_prefix(arg_str(&a, 0)).unwrap_or(s).to_string())
    }),
    f("trimSuffix", &[S, S], None, |c, a| {
        let s = arg_str(&a, 1);
        out(c, s.strip_suffix(arg_str(&a, 0)).unwrap_or(s).to_string())
    }),
    f("replace", &[S, S, S], None, |c, a| {
        let (old, new, src) = (arg_str(&a, 0), arg_str(&a, 1), arg_str(&a, 2));
        let count = if old.is_empty() { src.chars().count() + 1 } else { src.matches(old).count() };
        c.charge_str(src.len() + count * new.len())?;
        out(c, src.replace(old, new))
    }),
    f("contains", &[S, S], None, |_, a| Ok(Value::Bool(arg_str(&a, 1).contains(arg_str(&a, 0))))),
    f("hasPrefix", &[S, S], None, |_, a| Ok(Value::Bool(arg_str(&a, 1).starts_with(arg_str(&a, 0))))),
    f("hasSuffix", &[S, S], None, |_, a| Ok(Value::Bool(arg_str(&a, 1).ends_with(arg_str(&a, 0))))),
    f("split", &[S, S], None, |c, a| split_map(c, go_split(arg_str(&a, 1), arg_str(&a, 0), -1))),
    f("splitn", &[S, I, S], None, |c, a| split_map(c, go_split(arg_str(&a, 2), arg_str(&a, 0), arg_int(&a, 1)))),
    f("splitList", &[S, S], None, |c, a| {
        let parts = go_split(arg_str(&a, 1), arg_str(&a, 0), -1);
        c.charge(parts.len() as u64)?;
        Ok(Value::strings(parts))
    }),
    f("join", &[S, Ty::Any], None, |c, a| out(c, super::strslice(&a[1])?.join(arg_str(&a, 0)))),
    f("repeat", &[I, S], None, |c, a| {
        let n = arg_int(&a, 0);
        if n < 0 {
            return Err("strings: negative Repeat count".into());
        }
        let s = arg_str(&a, 1);
        c.charge_str(s.len().saturating_mul(n as usize))?;
        out(c, s.repeat(n as usize))
    }),
    f("substr", &[I, I, S], None, |c, a| out(c, substr(arg_int(&a, 0), arg_int(&a, 1), arg_str(&a, 2))?)),
    f("trunc", &[I, S], None, |c, a| out(c, trunc(arg_int(&a, 0), arg_str(&a, 1))?)),
    f("nospace", &[S], None, |c, a| out(c, arg_str(&a, 0).chars().filter(|ch| !ch.is_whitespace()).collect())),
    f("indent", &[I, S], None, |c, a| {
        let s = indent(c, arg_int(&a, 0), arg_str(&a, 1))?;
        out(c, s)
    }),
    f("nindent", &[I, S], None, |c, a| {
        let s = indent(c, arg_int(&a, 0), arg_str(&a, 1))?;
        out(c, format!("\n{s}"))
    }),
    f("quote", &[], A, |c, a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| Ok(quote_with(&strval(v)?, '"', false)))
            .collect::<Result<_, String>>()?;
        out(c, parts.join(" "))
    }),
    f("squote", &[], A, |c, a| {
        let parts: Vec<String> =
            a.iter().filter(|v| !v.is_nil()).map(|v| Ok(format!("'{}'", strval(v)?))).collect::<Result<_, String>>()?;
        out(c, parts.join(" "))
    }),
    f("cat", &[], A, |c, a| {
        let parts: Vec<String> = a.iter().filter(|v| !v.is_nil()).map(strval).collect::<Result<_, _>>()?;
        out(c, parts.join(" "))
    }),
    f("plural", &[S, S, I], None, |c, a| {
        let s = if arg_int(&a, 2) == 1 { arg_str(&a, 0) } else { arg_str(&a, 1) };
        out(c, s.to_string())
    }),
    f("regexMatch", &[S, S], None, |c, a| {
        Ok(Value::Bool(c.regex(arg_str(&a, 0)).is_ok_and(|r| r.is_match(arg_str(&a, 1)))))
    }),
    f("mustRegexMatch", &[S, S], None, |c, a| Ok(Value::Bool(c.regex(arg_str(&a, 0))?.is_match(arg_str(&a, 1))))),
    f("regexFind", &[S, S], None, regex_find),
    f("mustRegexFind", &[S, S], None, regex_find),
    f("regexFindAll", &[S, S, I], None, regex_find_all),
    f("mustRegexFindAll", &[S, S, I], None, regex_find_all),
    f("regexReplaceAll", &[S, S, S], None, |c, a| {
        let r = c.regex(arg_str(&a, 0))?;
        out(c, r.replace_all(arg_str(&a, 1), arg_str(&a, 2)).into_owned())
    }),
    f("mustRegexReplaceAll", &[S, S, S], None, |c, a| {
        let r = c.regex(arg_str(&a, 0))?;
        out(c, r.replace_all(arg_str(&a, 1), arg_str(&a, 2)).into_owned())
    }),
    f("regexReplaceAllLiteral", &[S, S, S], None, |c, a| {
        let r = c.regex(arg_str(&a, 0))?;
        out(c, r.replace_all(arg_str(&a, 1), regex::NoExpand(arg_str(&a, 2))).into_owned())
    }),
    f("regexSplit", &[S, S, I], None, |c, a| {
        let r = c.regex(arg_str(&a, 0))?;
        let (s, n) = (arg_str(&a, 1), arg_int(&a, 2));
        let parts: Vec<String> = if n < 0 {
            r.split(s).map(String::from).collect()
        } else {
            r.splitn(s, n as usize).map(String::from).collect()
        };
        c.charge(parts.len() as u64)?;
        Ok(Value::strings(parts))
    }),
    f("regexQuoteMeta", &[S], None, |c, a| out(c, regex::escape(arg_str(&a, 0)))),
    f("env", &[S], None, |c, a| {
        let v = c.env.get(arg_str(&a, 0)).cloned().unwrap_or_default();
        out(c, v)
    }),
    f("expandenv", &[S], None, |c, a| {
        let s = expand_env(arg_str(&a, 0), |k| c.env.get(k).cloned().unwrap_or_default());
        out(c, s)
    }),
];

/// Go's `strings.Title`: upper-cases the first letter of every word; letters, digits, `_`
/// and non-ASCII non-space characters are word characters.
pub(super) fn title(s: &str) -> String {
    let mut prev_sep = true;
    s.chars()
        .map(|c| {
            let out = if prev_sep { c.to_uppercase().next().unwrap_or(c) } else { c };
            prev_sep = if c.is_ascii() { !(c.is_ascii_alphanumeric() || c == '_') } else { c.is_whitespace() };
            out
        })
        .collect()
}

/// Refuses byte offsets that split a character: Go would produce invalid UTF-8 there.
fn byte_slice(s: &str, start: usize, end: usize) -> Result<String, String> {
    s.get(start..end)
        .map(String::from)
        .ok_or_else(|| "the result would split a UTF-8 character (Go strings are bytes; not supported)".into())
}

/// Sprig's `substr`, on bytes like Go.
fn substr(start: i64, end: i64, s: &str) -> Result<String, String> {
    let len = s.len() as i64;
    let (from, to) = if start < 0 {
        (0, end)
    } else if end < 0 || end > len {
        (start, len)
    } else {
        (start, end)
    };
    if from < 0 || to < from || to > len {
        return Err(format!("runtime error: slice bounds out of range [{from}:{to}]"));
    }
    byte_slice(s, from as usize, to as usize)
}

/// Sprig's `trunc`: the first `c` bytes, or the last `-c` bytes when negative.
fn trunc(c: i64, s: &str) -> Result<String, String> {
    let len = s.len() as i64;
    if c < 0 && len + c > 0 {
        return byte_slice(s, (len + c) as usize, s.len());
    }
    if c >= 0 && len > c {
        return byte_slice(s, 0, c as usize);
    }
    Ok(s.to_string())
}

fn indent(c: &mut Ctx, n: i64, s: &str) -> Result<String, String> {
    if n < 0 {
        return Err("strings: negative Repeat count".into());
    }
    let lines = s.matches('\n').count() + 1;
    c.charge_str(s.len().saturating_add(lines.saturating_mul(n as usize)))?;
    let pad = " ".repeat(n as usize);
    Ok(format!("{pad}{}", s.replace('\n', &format!("\n{pad}"))))
}

/// Sprig's `split`: a map `_0`, `_1`, … of the parts.
fn split_map(c: &mut Ctx, parts: Vec<String>) -> Result<Value, String> {
    c.charge(parts.len() as u64)?;
    let m = parts.into_iter().enumerate().map(|(i, p)| (format!("_{i}"), Value::str(p))).collect();
    Ok(Value::Map(super::super::value::new_map(m), super::super::value::Elem::Str))
}

fn regex_find(c: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    let r = c.regex(arg_str(&a, 0))?;
    out(c, r.find(arg_str(&a, 1)).map(|m| m.as_str().to_string()).unwrap_or_default())
}

fn regex_find_all(c: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    let r = c.regex(arg_str(&a, 0))?;
    let n = arg_int(&a, 2);
    let found = r.find_iter(arg_str(&a, 1)).map(|m| m.as_str().to_string());
    let v: Vec<String> = if n < 0 { found.collect() } else { found.take(n as usize).collect() };
    c.charge(v.len() as u64)?;
    Ok(Value::strings(v))
}

/// Go's `os.Expand`: `$name`, `${name}` and the shell's one-character special names.
pub(super) fn expand_env(s: &str, lookup: impl Fn(&str) -> String) -> String {
    let special = |c: char| "*#$@!?-".contains(c) || c.is_ascii_digit();
    let name_char = |c: char| c == '_' || c.is_ascii_alphanumeric();
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(first) = after.chars().next() else {
            out.push('$');
            rest = after;
            break;
        };
        let (name, width) = if first == '{' {
            let b = after.as_bytes();
            if b.len() > 2 && special(b[1] as char) && b[2] == b'}' {
                (&after[1..2], 3)
            } else if let Some(end) = after.find('}') {
                // "${}" is bad syntax: Go drops it.
                (&after[1..end], end + 1)
            } else {
                ("", 1)
            }
        } else if special(first) {
            (&after[..1], 1)
        } else {
            let n = after.find(|c: char| !name_char(c)).unwrap_or(after.len());
            (&after[..n], n)
        };
        if name.is_empty() && width == 0 {
            out.push('$');
        } else if !name.is_empty() {
            out.push_str(&lookup(name));
        }
        rest = &after[width..];
    }
    out.push_str(rest);
    out
}
