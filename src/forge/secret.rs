//! Secrets: tokens, app keys and webhook secrets, loaded from the environment or files and
//! never printed.
//!
//! [`Secret`] prints `***` through `Debug` and `Display`, so a secret that ends up in a
//! `tracing` field or an error by mistake shows nothing. Text that comes from a forge (error
//! messages) goes through a [`Redactor`] before paved repeats it.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use regex::Regex;

/// A secret value. Cloning is cheap; the value is only reachable through [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a value obtained elsewhere (tests, a CLI prompt). paved.yaml never holds one.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(Arc::from(value.into()))
    }

    /// The value, for the one place that must send it (an HTTP header, an HMAC key).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where a secret is read from: `*_env` and `*_file` keys in paved.yaml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable's name.
    Env(String),
    /// A file holding only the secret (a trailing newline is dropped), e.g. a mounted
    /// Kubernetes or Docker secret.
    File(PathBuf),
}

/// Why a secret could not be loaded. Names the variable or file, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("environment variable {0} is not set")]
    MissingEnv(String),
    #[error("environment variable {0} is empty")]
    EmptyEnv(String),
    #[error("cannot read secret file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("secret file {0} is empty")]
    EmptyFile(String),
    #[error("secret file {0} is larger than 64 KiB")]
    TooLarge(String),
}

const MAX_FILE: u64 = 64 * 1024;

impl SecretSource {
    /// Reads the secret now.
    pub fn load(&self) -> Result<Secret, SecretError> {
        match self {
            SecretSource::Env(name) => match std::env::var(name) {
                Ok(v) if v.trim().is_empty() => Err(SecretError::EmptyEnv(name.clone())),
                Ok(v) => Ok(Secret::new(v.trim_end_matches(['\r', '\n']))),
                Err(_) => Err(SecretError::MissingEnv(name.clone())),
            },
            SecretSource::File(path) => {
                let shown = path.display().to_string();
                let err = |e: std::io::Error| SecretError::File { path: shown.clone(), reason: e.kind().to_string() };
                let meta = std::fs::metadata(path).map_err(err)?;
                if meta.len() > MAX_FILE {
                    return Err(SecretError::TooLarge(shown));
                }
                let text = std::fs::read_to_string(path).map_err(err)?;
                let value = text.trim_end_matches(['\r', '\n']);
                if value.trim().is_empty() {
                    return Err(SecretError::EmptyFile(shown));
                }
                Ok(Secret::new(value))
            }
        }
    }

    /// `env GITHUB_TOKEN` or `file /run/secrets/x`, for messages.
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Env(n) => format!("environment variable {n}"),
            SecretSource::File(p) => format!("file {}", p.display()),
        }
    }
}

/// Shapes of credentials paved may hold without knowing their value (installation tokens
/// octocrab fetched, JWTs): masked wherever forge text is repeated.
static TOKEN_SHAPES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"gh[pousr]_[A-Za-z0-9]{16,}",
        r"|github_pat_[A-Za-z0-9_]{16,}",
        r"|gl[a-z]{1,5}-[A-Za-z0-9_\-]{16,}",
        r"|eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+",
        r"|-----BEGIN [A-Z ]*PRIVATE KEY-----",
    ))
    .expect("static regex")
});

/// Masks known secrets and anything shaped like a token in text paved did not write.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<Secret>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    pub fn new(secrets: impl IntoIterator<Item = Secret>) -> Redactor {
        // Very short values would mask ordinary words; real tokens are long.
        Redactor { secrets: secrets.into_iter().filter(|s| s.expose().len() >= 8).collect() }
    }

    pub fn clean(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.expose()) {
                out = out.replace(s.expose(), "***");
            }
        }
        TOKEN_SHAPES.replace_all(&out, "***").into_owned()
    }

    /// [`Redactor::clean`], then cut to one line of at most `max` characters.
    pub fn one_line(&self, text: &str, max: usize) -> String {
        let cleaned = self.clean(text);
        let line = cleaned.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
        if line.chars().count() > max {
            let cut: String = line.chars().take(max.saturating_sub(1)).collect();
            format!("{cut}…")
        } else {
            line.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let s = Secret::new("ghp_0123456789abcdefghij0123456789abcdef");
        assert_eq!(format!("{s} {s:?} {:?}", Some(&s)), "*** *** Some(***)");
        assert_eq!(s.expose().len(), 40);
    }

    #[test]
    fn loads_from_env_and_file() {
        // SAFETY: the variable name is unique to this test.
        unsafe { std::env::set_var("PAVED_TEST_SECRET_LOAD", "s3cret-value\n") };
        assert_eq!(SecretSource::Env("PAVED_TEST_SECRET_LOAD".into()).load().unwrap().expose(), "s3cret-value");
        assert_eq!(
            SecretSource::Env("PAVED_TEST_SECRET_UNSET".into()).load().unwrap_err().to_string(),
            "environment variable PAVED_TEST_SECRET_UNSET is not set"
        );
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("token");
        std::fs::write(&f, "file-secret-value\n").unwrap();
        assert_eq!(SecretSource::File(f.clone()).load().unwrap().expose(), "file-secret-value");
        std::fs::write(&f, "\n").unwrap();
        assert!(matches!(SecretSource::File(f).load(), Err(SecretError::EmptyFile(_))));
        let missing = SecretSource::File(dir.path().join("nope")).load().unwrap_err().to_string();
        assert!(missing.contains("nope") && missing.contains("not found"), "{missing}");
    }

    #[test]
    fn redacts_known_values_and_token_shapes() {
        let r = Redactor::new([Secret::new("my-very-own-secret"), Secret::new("short")]);
        assert_eq!(r.clean("bad my-very-own-secret here"), "bad *** here");
        assert_eq!(r.clean("short stays"), "short stays");
        assert_eq!(r.clean("token ghs_16C7e42F292c6912E7710c838347Ae178B4a expired"), "token *** expired");
        assert_eq!(r.clean("glpat-abcdefghijklmnopqrst"), "***");
        assert_eq!(r.one_line("\n  first line  \nsecond", 100), "first line");
        assert_eq!(r.one_line("abcdef", 4), "abc…");
    }
}
