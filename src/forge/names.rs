//! Checks and encodings for names that end up in forge URLs.

use super::ForgeError;

/// Percent-encodes one URL path segment (everything but RFC 3986 unreserved characters).
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-encodes a path, keeping its `/` separators.
pub(crate) fn path(s: &str) -> String {
    s.split('/').map(segment).collect::<Vec<_>>().join("/")
}

/// A user login or team slug: letters, digits, `-`, `_`, `.` (GitLab usernames allow the
/// last two; GitHub's never contain them, so accepting them costs nothing).
pub(crate) fn check_login(op: &str, what: &str, name: &str) -> Result<(), ForgeError> {
    let ok = !name.is_empty()
        && name.len() <= 255
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    if ok { Ok(()) } else { Err(ForgeError::invalid(op, format!("`{}` is not a valid {what}", shorten(name)))) }
}

/// A GitLab group path (`platform/team-a`) or GitHub `org/team`.
pub(crate) fn check_group_path(op: &str, name: &str) -> Result<(), ForgeError> {
    let ok = !name.is_empty()
        && name.split('/').all(|seg| {
            !seg.is_empty()
                && !seg.starts_with('.')
                && seg.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
    if ok { Ok(()) } else { Err(ForgeError::invalid(op, format!("`{}` is not a valid team or group", shorten(name)))) }
}

/// A commit SHA-1 or SHA-256 in hex.
pub(crate) fn check_sha(op: &str, sha: &str) -> Result<(), ForgeError> {
    if (7..=64).contains(&sha.len()) && sha.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(ForgeError::invalid(op, format!("`{}` is not a commit id", shorten(sha))))
    }
}

pub(crate) fn check_branch(op: &str, branch: &str) -> Result<(), ForgeError> {
    if crate::changeset::valid_branch_name(branch) {
        Ok(())
    } else {
        Err(ForgeError::invalid(op, format!("`{}` is not a valid branch name", shorten(branch))))
    }
}

pub(crate) fn check_marker_key(op: &str, what: &str, key: &str) -> Result<(), ForgeError> {
    if super::types::marker_safe(key) {
        Ok(())
    } else {
        Err(ForgeError::invalid(
            op,
            format!("{what} `{}` must be 1-200 characters without spaces, `<`, `>` or `--`", shorten(key)),
        ))
    }
}

fn shorten(s: &str) -> String {
    let t: String = s.chars().take(80).filter(|c| !c.is_control()).collect();
    if s.chars().count() > 80 { format!("{t}…") } else { t }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes() {
        assert_eq!(segment("group/sub project"), "group%2Fsub%20project");
        assert_eq!(path("dir/a b/ü.yaml"), "dir/a%20b/%C3%BC.yaml");
        assert_eq!(segment("a+b"), "a%2Bb");
    }

    #[test]
    fn checks() {
        assert!(check_login("op", "user", "octo-cat").is_ok());
        assert!(check_login("op", "user", "a/b").is_err());
        assert!(check_login("op", "user", "../x").is_err());
        assert!(check_sha("op", "6dcb09b5b57875f334f61aebed695e2e4193db5e").is_ok());
        assert!(check_sha("op", "main").is_err());
        assert!(check_group_path("op", "platform/team-a").is_ok());
        assert!(check_group_path("op", "platform/../x").is_err());
    }
}
