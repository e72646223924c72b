//! Values in the `forge:` section: secret-holding keys, environment variable names, file
//! paths, URLs, durations, and what a credential looks like.

use serde::{Deserialize, Deserializer};

/// A key that would put a secret in the file. Read (and dropped) so that the check after
/// reading can point at its line; the value is never kept or repeated.
#[derive(Debug)]
pub(super) struct Literal;

impl<'de> Deserialize<'de> for Literal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Literal)
    }
}

/// An environment variable name, checked after reading.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(super) struct EnvName(pub(super) String);

/// A path to a file holding a secret, checked after reading.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(super) struct FilePath(pub(super) String);

/// A base URL, checked after reading.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(super) struct Url(pub(super) String);

pub(super) const LITERAL: &str =
    "secrets are never written in paved.yaml: name an environment variable (`..._env`) or a file (`..._file`) instead";

pub(super) fn env_name(s: &str) -> Result<(), &'static str> {
    if looks_like_secret(s) {
        return Err(LOOKS_SECRET);
    }
    let ok = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.len() <= 128;
    if ok { Ok(()) } else { Err("an environment variable name has only letters, digits and `_` (e.g. GITHUB_TOKEN)") }
}

pub(super) fn file_path(s: &str) -> Result<(), &'static str> {
    if looks_like_secret(s) {
        return Err(LOOKS_SECRET);
    }
    if s.trim().is_empty() || s.contains('\0') || s.contains('\n') {
        return Err("expected a file path");
    }
    Ok(())
}

pub(super) fn base_url(s: &str) -> Result<String, &'static str> {
    if looks_like_secret(s) {
        return Err(LOOKS_SECRET);
    }
    match url::Url::parse(s) {
        Ok(u) if !u.username().is_empty() || u.password().is_some() => {
            Err("the URL carries credentials; name them with `token_env` or `token_file` instead")
        }
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
            Ok(s.trim_end_matches('/').to_string())
        }
        _ => Err("expected an http(s) URL"),
    }
}

/// A size, written as text (`25MiB`) or a number of bytes.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Text {
    Number(u64),
    Text(String),
}

const LOOKS_SECRET: &str = "this value looks like a credential; secrets are never written in paved.yaml: name an environment variable (`..._env`) or a file (`..._file`) instead";

/// Masks anything credential-shaped in a message from the YAML reader, which can quote
/// values (`invalid type: string "ghp_..."`): a quoted value that holds one is dropped
/// whole (a PEM key spans lines), then any remaining credential-shaped word.
pub(in crate::config) fn mask_credentials(msg: &str) -> String {
    let mut quoted = String::with_capacity(msg.len());
    let mut parts = msg.split('"');
    quoted.push_str(parts.next().unwrap_or(""));
    for (i, part) in parts.enumerate() {
        quoted.push('"');
        // Odd pieces sit inside quotes.
        quoted.push_str(if i % 2 == 0 && looks_like_secret(part) { "***" } else { part });
    }
    let mut out = String::with_capacity(quoted.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(if looks_like_secret(word) { "***" } else { word.as_str() });
        word.clear();
    };
    for c in quoted.chars() {
        if c.is_whitespace() || matches!(c, '"' | '`' | '\'') {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Shapes of GitHub and GitLab credentials and private keys.
fn looks_like_secret(s: &str) -> bool {
    let s = s.trim();
    const PREFIXES: &[&str] = &[
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "glpat-",
        "gldt-",
        "glptt-",
        "glrt-",
        "gloas-",
        "glcbt-",
    ];
    PREFIXES.iter().any(|p| s.contains(p)) || s.contains("-----BEGIN") || s.contains("PRIVATE KEY")
}
