//! Signature and token checks, in constant time.

use hmac::{Hmac, Mac};
use http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::WebhookError;
use crate::forge::secret::Secret;

/// Checks GitHub's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`.
pub fn verify_github(secret: &Secret, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
    const NAME: &str = "x-hub-signature-256";
    let value = headers.get(NAME).ok_or(WebhookError::MissingHeader(NAME))?;
    let value = value.to_str().map_err(|_| WebhookError::MalformedHeader(NAME))?.trim();
    let hex_sig = value.strip_prefix("sha256=").ok_or(WebhookError::MalformedHeader(NAME))?;
    let sig = hex::decode(hex_sig).map_err(|_| WebhookError::MalformedHeader(NAME))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&sig).map_err(|_| WebhookError::BadSignature)
}

/// Checks GitLab's `X-Gitlab-Token` against the configured secret token. Both sides are
/// hashed first so the comparison takes the same time whatever their lengths.
pub fn verify_gitlab(token: &Secret, headers: &HeaderMap) -> Result<(), WebhookError> {
    const NAME: &str = "x-gitlab-token";
    let given = headers.get(NAME).ok_or(WebhookError::MissingHeader(NAME))?;
    let given = Sha256::digest(given.as_bytes());
    let want = Sha256::digest(token.expose().as_bytes());
    if bool::from(given.ct_eq(&want)) { Ok(()) } else { Err(WebhookError::BadToken) }
}
