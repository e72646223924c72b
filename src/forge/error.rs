//! Forge errors: the operation and the HTTP status, never a URL with a token or a response
//! body that might echo one.

use std::time::Duration;

/// Why a forge operation failed. `op` names what paved was doing (`create check run on
/// acme/infra`).
#[derive(Debug, thiserror::Error)]
pub enum ForgeError {
    /// The forge answered with an error status. `message` is the forge's own one-line reason
    /// (GitHub/GitLab `message`), shortened and with known secrets masked.
    #[error("{op}: HTTP {status}{}", message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())]
    Http { op: String, status: u16, message: Option<String> },
    /// Still rate limited after the retries, or the limit resets later than paved will wait.
    #[error("{op}: rate limited (HTTP {status}), retry in {}s", retry_after.as_secs())]
    RateLimited { op: String, status: u16, retry_after: Duration },
    /// No answer within the configured time.
    #[error("{op}: no response within {}s", timeout.as_secs_f32())]
    Timeout { op: String, timeout: Duration },
    /// The request did not complete (connection refused, TLS, DNS ...).
    #[error("{op}: request failed: {reason}")]
    Transport { op: String, reason: String },
    /// The forge answered 2xx with something paved cannot read.
    #[error("{op}: unexpected response: {reason}")]
    Decode { op: String, reason: String },
    /// The input cannot be sent (bad branch name, marker, path ...).
    #[error("{op}: {reason}")]
    Invalid { op: String, reason: String },
    /// The forge state forbids the operation (e.g. a branch with commits paved did not make).
    #[error("{op}: {reason}")]
    Conflict { op: String, reason: String },
    /// Building a client failed (credentials, base URL).
    #[error("{0}")]
    Setup(String),
}

impl ForgeError {
    /// The HTTP status, when the forge answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ForgeError::Http { status, .. } | ForgeError::RateLimited { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the forge said the thing does not exist.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether trying again later may succeed (the reconciler requeues these).
    pub fn is_transient(&self) -> bool {
        match self {
            ForgeError::Http { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            ForgeError::RateLimited { .. } | ForgeError::Timeout { .. } | ForgeError::Transport { .. } => true,
            _ => false,
        }
    }

    pub(crate) fn invalid(op: impl Into<String>, reason: impl Into<String>) -> ForgeError {
        ForgeError::Invalid { op: op.into(), reason: reason.into() }
    }

    pub(crate) fn decode(op: impl Into<String>, reason: impl std::fmt::Display) -> ForgeError {
        ForgeError::Decode { op: op.into(), reason: reason.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_operation_and_status() {
        let e = ForgeError::Http {
            op: "create check run on acme/infra".into(),
            status: 422,
            message: Some("Validation Failed".into()),
        };
        assert_eq!(e.to_string(), "create check run on acme/infra: HTTP 422 (Validation Failed)");
        assert!(!e.is_transient());
        let e = ForgeError::Http { op: "get pull request".into(), status: 404, message: None };
        assert_eq!(e.to_string(), "get pull request: HTTP 404");
        assert!(e.is_not_found());
        let e =
            ForgeError::RateLimited { op: "list comments".into(), status: 429, retry_after: Duration::from_secs(90) };
        assert_eq!(e.to_string(), "list comments: rate limited (HTTP 429), retry in 90s");
        assert!(e.is_transient());
    }
}
