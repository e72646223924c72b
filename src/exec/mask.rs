//! [`Masker`]: replaces every occurrence of a secret in command output with `***`.

use std::borrow::Cow;

use regex::bytes::{Regex, RegexBuilder};

/// What a secret becomes in logs.
pub const MASK: &str = "***";

/// Masks known secret values. Output is masked line by line; a secret that spans lines is
/// masked line by line too (each of its lines is a secret of its own), as CI systems do.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    pattern: Option<Regex>,
    longest: usize,
}

impl Masker {
    /// A masker for these secret values. Empty values are ignored.
    pub fn new<I, S>(secrets: I) -> Masker
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut parts: Vec<String> = Vec::new();
        for secret in secrets {
            let secret = secret.as_ref();
            parts.push(secret.to_string());
            if secret.contains('\n') {
                parts.extend(secret.lines().map(|l| l.trim_end_matches('\r').to_string()));
            }
        }
        parts.retain(|p| !p.is_empty());
        // Longest first, so a secret containing another is masked whole.
        parts.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        parts.dedup();
        if parts.is_empty() {
            return Masker::default();
        }
        let alternation = parts.iter().map(|p| regex::escape(p)).collect::<Vec<_>>().join("|");
        let pattern = RegexBuilder::new(&alternation)
            .unicode(false)
            .size_limit(64 << 20)
            .build()
            .expect("escaped literals always compile");
        Masker { longest: parts[0].len(), pattern: Some(pattern) }
    }

    pub fn is_empty(&self) -> bool {
        self.pattern.is_none()
    }

    /// The longest secret, in bytes.
    pub fn longest(&self) -> usize {
        self.longest
    }

    /// `bytes` with every secret replaced by `***`.
    pub fn mask_bytes<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        match &self.pattern {
            Some(p) => p.replace_all(bytes, MASK.as_bytes()),
            None => Cow::Borrowed(bytes),
        }
    }

    /// `text` with every secret replaced by `***`.
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.mask_bytes(text.as_bytes()) {
            Cow::Borrowed(_) => Cow::Borrowed(text),
            // Secrets are whole UTF-8 strings and so is `***`: replacing one by the other keeps
            // the text valid.
            Cow::Owned(b) => Cow::Owned(String::from_utf8(b).expect("masking keeps UTF-8 valid")),
        }
    }

    /// For a line too long to hold whole: how much of `buf` can be masked and let go now. No
    /// secret that starts before the returned index extends past it, and every secret that could
    /// still be completed by bytes not yet read starts at or after it.
    pub fn safe_prefix(&self, buf: &[u8]) -> usize {
        let Some(p) = &self.pattern else { return buf.len() };
        let mut cut = buf.len().saturating_sub(self.longest.saturating_sub(1));
        for m in p.find_iter(buf) {
            if m.start() < cut && m.end() > cut {
                cut = m.end();
            }
        }
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_occurrence_is_masked() {
        let m = Masker::new(["hunter2", "", "ghp_abc123"]);
        assert_eq!(m.mask("pw=hunter2 token=ghp_abc123 again hunter2"), "pw=*** token=*** again ***");
        assert!(matches!(m.mask("nothing here"), Cow::Borrowed(_)));
        assert!(Masker::new([""]).is_empty());
        assert_eq!(Masker::default().mask("hunter2"), "hunter2");
    }

    #[test]
    fn overlapping_and_multiline_secrets() {
        let m = Masker::new(["abc", "abcdef"]);
        assert_eq!(m.mask("xabcdefx abc"), "x***x ***");
        let pem = "-----BEGIN KEY-----\nMIIBVQIBADANBgkq\n-----END KEY-----";
        let m = Masker::new([pem]);
        assert_eq!(m.mask("  MIIBVQIBADANBgkq"), "  ***");
        assert_eq!(m.mask("regex chars .*+? are literal"), "regex chars .*+? are literal");
        let m = Masker::new([".*"]);
        assert_eq!(m.mask("a.*b"), "a***b");
    }

    #[test]
    fn a_safe_prefix_never_splits_a_secret() {
        let m = Masker::new(["secret"]);
        // "…secr" might continue as "secret": keep the last 5 bytes back.
        assert_eq!(m.safe_prefix(b"0123456789secr"), 9);
        // A whole secret across the cut is let go whole.
        assert_eq!(m.safe_prefix(b"0123456789secret"), 16);
        assert_eq!(m.safe_prefix(b"0123secret56789"), 15 - 5);
        assert_eq!(Masker::default().safe_prefix(b"abc"), 3);
    }
}
