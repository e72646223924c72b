//! Backstage's field formats (`KubernetesValidatorFunctions`, `CommonValidatorFunctions` and
//! `makeValidator` in @backstage/catalog-model), written out by hand: they run on every entity,
//! and plain byte checks are both faster and easier to compare with the originals than regexes.

/// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`, 1–63 characters: entity names, label values,
/// the name part of label and annotation keys.
pub fn is_object_name(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=63).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// `^[a-z0-9]+(?:\-+[a-z0-9]+)*$`, 1–63 characters: namespaces, DNS labels.
pub fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=63).contains(&b.len())
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// Dot-separated DNS labels, at most 253 characters.
pub fn is_dns_subdomain(s: &str) -> bool {
    (1..=253).contains(&s.len()) && s.split('.').all(is_dns_label)
}

/// `<suffix>` or `<prefix>/<suffix>`: at most one separator.
fn prefix_and_or_suffix(s: &str, prefix: fn(&str) -> bool, suffix: fn(&str) -> bool) -> bool {
    let mut parts = s.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(only), None, _) => suffix(only),
        (Some(p), Some(n), None) => prefix(p) && suffix(n),
        _ => false,
    }
}

/// `[<dns-subdomain>/]<version>` where the version is 1–63 ASCII letters and digits.
pub fn is_api_version(s: &str) -> bool {
    prefix_and_or_suffix(s, is_dns_subdomain, |v| {
        (1..=63).contains(&v.len()) && v.bytes().all(|c| c.is_ascii_alphanumeric())
    })
}

/// `^[a-zA-Z][a-z0-9A-Z]*$`, 1–63 characters.
pub fn is_kind(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=63).contains(&b.len()) && b[0].is_ascii_alphabetic() && b.iter().all(u8::is_ascii_alphanumeric)
}

/// Label and annotation keys: `[<dns-subdomain>/]<object-name>`.
pub fn is_label_key(s: &str) -> bool {
    prefix_and_or_suffix(s, is_dns_subdomain, is_object_name)
}

/// Empty, or an object name.
pub fn is_label_value(s: &str) -> bool {
    s.is_empty() || is_object_name(s)
}

/// `^[a-z0-9:+#]+(\-[a-z0-9:+#]+)*$`, 1–63 characters (makeValidator's version, which accepts
/// `:` although its error text does not say so).
pub fn is_tag(s: &str) -> bool {
    let b = s.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b':' | b'+' | b'#');
    (1..=63).contains(&b.len()) && b.split(|c| *c == b'-').all(|part| !part.is_empty() && part.iter().all(ok))
}

/// What `new URL(value)` accepts (WHATWG URL parsing, no base).
pub fn is_url(s: &str) -> bool {
    url::Url::parse(s).is_ok()
}

/// JavaScript's `value.trim().length >= 1`. JS trims U+FEFF but not U+0085, unlike Rust.
pub fn is_non_blank(s: &str) -> bool {
    s.chars().any(|c| !(c == '\u{feff}' || (c.is_whitespace() && c != '\u{85}')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["a", "A1", "my-service", "a_b.c", "x".repeat(63).as_str()] {
            assert!(is_object_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a b", "ä", "x".repeat(64).as_str(), "a/b"] {
            assert!(!is_object_name(bad), "{bad}");
        }
    }

    #[test]
    fn namespaces_and_api_versions() {
        assert!(is_dns_label("a--b"));
        assert!(!is_dns_label("A"));
        assert!(!is_dns_label("a_b"));
        assert!(is_api_version("backstage.io/v1alpha1"));
        assert!(is_api_version("v1"));
        assert!(!is_api_version("backstage.io/v1/x"));
        assert!(!is_api_version("Backstage.io/v1"));
        assert!(!is_api_version("backstage.io/v1-alpha"));
        assert!(!is_api_version("/v1"));
    }

    #[test]
    fn keys_tags_urls() {
        assert!(is_label_key("example.com/x"));
        for bad in ["Example.com/x", "a/b/c", "example.com/", "bad key", ""] {
            assert!(!is_label_key(bad), "{bad}");
        }
        for ok in ["java", "c++", "c#", "a:b", "a-b"] {
            assert!(is_tag(ok), "{ok}");
        }
        for bad in ["node.js", "Java", "a--b", "-a", "a-", ""] {
            assert!(!is_tag(bad), "{bad}");
        }
        assert!(is_kind("Component"));
        assert!(!is_kind("1x"));
        assert!(is_url("https://example.com/x"));
        assert!(!is_url("example.com"));
        assert!(!is_non_blank(" \t\u{feff}"));
        assert!(is_non_blank("\u{85}"));
    }
}
