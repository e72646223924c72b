//! Go's `path` functions, as Gomplate's `path.`/`filepath.` namespaces and Sprig's `base`,
//! `dir`, `clean`, `ext`, `isAbs` (and `os*`) expose them. Paths are Unix paths.

use super::super::value::Value;
use super::builtin::out;
use super::{Ctx, Func, Ty, f, strval};

const A: Ty = Ty::Any;
const VA: Option<Ty> = Some(Ty::Any);

/// Gomplate's `conv.ToString`: nil is "nil".
fn gs(v: &Value) -> Result<String, String> {
    if v.is_nil() { Ok("nil".into()) } else { strval(v) }
}

pub(super) static FUNCS: &[Func] = &[
    f("path.Base", &[A], None, |c, a| out(c, path_base(&gs(&a[0])?))),
    f("path.Dir", &[A], None, |c, a| out(c, path_dir(&gs(&a[0])?))),
    f("path.Ext", &[A], None, |c, a| out(c, path_ext(&gs(&a[0])?))),
    f("path.Clean", &[A], None, |c, a| out(c, clean(&gs(&a[0])?))),
    f("path.IsAbs", &[A], None, |_, a| Ok(Value::Bool(gs(&a[0])?.starts_with('/')))),
    f("path.Join", &[], VA, path_join),
    f("filepath.Base", &[A], None, |c, a| out(c, path_base(&gs(&a[0])?))),
    f("filepath.Dir", &[A], None, |c, a| out(c, path_dir(&gs(&a[0])?))),
    f("filepath.Ext", &[A], None, |c, a| out(c, path_ext(&gs(&a[0])?))),
    f("filepath.Clean", &[A], None, |c, a| out(c, clean(&gs(&a[0])?))),
    f("filepath.IsAbs", &[A], None, |_, a| Ok(Value::Bool(gs(&a[0])?.starts_with('/')))),
    f("filepath.Join", &[], VA, path_join),
];

/// Go's `path.Clean`.
fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

fn path_dir(p: &str) -> String {
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    clean(dir)
}

fn path_ext(p: &str) -> String {
    let base = p.rsplit('/').next().unwrap_or(p);
    base.rfind('.').map(|i| base[i..].to_string()).unwrap_or_default()
}

fn path_join(c: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    let parts: Vec<String> = a.iter().map(gs).collect::<Result<Vec<_>, _>>()?;
    let parts: Vec<&str> = parts.iter().map(String::as_str).filter(|s| !s.is_empty()).collect();
    if parts.is_empty() {
        return out(c, String::new());
    }
    out(c, clean(&parts.join("/")))
}
