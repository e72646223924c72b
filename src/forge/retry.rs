//! Retries with backoff, rate limits and timeouts, shared by both forges.
//!
//! Each forge hands [`send_with_retry`] a closure that performs one HTTP attempt; this module
//! decides what a response means ([`verdict`], a pure function) and sleeps through a [`Clock`]
//! so tests can record the waits instead of taking them.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use rand::Rng;

use super::ForgeError;
use super::secret::Redactor;

/// How hard to try. Defaults match `forge.http` in paved.yaml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after the first.
    pub max_retries: u32,
    /// First backoff step; doubles each retry.
    pub base_delay: Duration,
    /// Cap on one backoff step.
    pub max_delay: Duration,
    /// The longest paved sleeps for a rate limit to reset; a later reset fails the call with
    /// [`ForgeError::RateLimited`] so the caller can requeue instead of blocking.
    pub max_wait: Duration,
    /// Limit on each attempt.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            max_wait: Duration::from_secs(120),
            timeout: Duration::from_secs(30),
        }
    }
}

/// Time as the retry loop sees it. [`TokioClock`] sleeps through `tokio::time`, so tests may
/// also `tokio::time::pause()`; tests that talk to a real socket inject a recording clock.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> SystemTime;
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// What to do with a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Done,
    /// Transient: try again after this long.
    Retry(Duration),
    /// Rate limited: the forge says when to come back.
    RateLimited(Duration),
    Fail,
}

/// GitHub asks for at least a minute after a secondary rate limit without `retry-after`.
const SECONDARY_MIN_WAIT: Duration = Duration::from_secs(60);

/// Classifies one response. `attempt` counts from 0; `message` is the body's error message.
pub fn verdict(
    policy: &RetryPolicy,
    attempt: u32,
    status: u16,
    headers: &HeaderMap,
    message: Option<&str>,
    now: SystemTime,
) -> Verdict {
    let backoff = || backoff(policy, attempt);
    match status {
        200..=399 => Verdict::Done,
        429 => Verdict::RateLimited(rate_limit_wait(headers, now).unwrap_or_else(|| backoff().max(SECONDARY_MIN_WAIT))),
        403 => {
            if let Some(wait) = rate_limit_wait(headers, now) {
                Verdict::RateLimited(wait)
            } else if message.is_some_and(|m| m.to_ascii_lowercase().contains("rate limit")) {
                // GitHub's secondary limits: "You have exceeded a secondary rate limit".
                Verdict::RateLimited(backoff().max(SECONDARY_MIN_WAIT))
            } else {
                Verdict::Fail
            }
        }
        408 | 500 | 502 | 503 | 504 => Verdict::Retry(retry_after(headers, now).unwrap_or_else(backoff)),
        _ => Verdict::Fail,
    }
}

/// Exponential backoff with jitter: a random wait in `[step/2, step]`, `step` doubling from
/// `base_delay` up to `max_delay`.
pub fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let step = policy.base_delay.saturating_mul(1u32 << attempt.min(20)).min(policy.max_delay);
    let half = step / 2;
    let extra = rand::rng().random_range(0..=(step - half).as_millis() as u64);
    half + Duration::from_millis(extra)
}

/// `Retry-After` (seconds or an HTTP date), else an exhausted limit's reset time
/// (`x-ratelimit-*` on GitHub, `ratelimit-*` on GitLab).
fn rate_limit_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(d) = retry_after(headers, now) {
        return Some(d);
    }
    for (remaining, reset) in
        [("x-ratelimit-remaining", "x-ratelimit-reset"), ("ratelimit-remaining", "ratelimit-reset")]
    {
        if header(headers, remaining).and_then(|v| v.parse::<u64>().ok()) == Some(0) {
            let reset: u64 = header(headers, reset)?.parse().ok()?;
            let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
            // One second of slack: the reset is rounded down to the second.
            return Some(Duration::from_secs(reset.saturating_sub(now) + 1));
        }
    }
    None
}

fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let v = header(headers, "retry-after")?;
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let at = UNIX_EPOCH + Duration::from_secs(u64::try_from(at.timestamp()).ok()?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// One HTTP answer, body read.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

/// The error message a forge put in an error body (`message`, or GitLab's `error`).
pub fn body_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let m = v.get("message").or_else(|| v.get("error"))?;
    Some(match m {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Why one attempt produced no response.
#[derive(Debug)]
pub enum AttemptError {
    /// The request may not have reached the forge (connection refused, reset ...): worth
    /// another try. The text is the client's reason.
    Transport(String),
    /// Trying again cannot help (a credential that cannot be signed, an unreadable token
    /// response).
    Fatal(ForgeError),
}

/// Runs `attempt` until it succeeds, fails for good, or the policy is spent.
///
/// A timed-out attempt is only repeated when `idempotent` (a POST may have landed).
pub async fn send_with_retry<F, Fut>(
    policy: &RetryPolicy,
    clock: &dyn Clock,
    redactor: &Redactor,
    op: &str,
    idempotent: bool,
    mut attempt: F,
) -> Result<RawResponse, ForgeError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<RawResponse, AttemptError>>,
{
    let mut n = 0u32;
    loop {
        let outcome = tokio::time::timeout(policy.timeout, attempt()).await;
        let wait = match outcome {
            Err(_) => {
                if !idempotent || n >= policy.max_retries {
                    return Err(ForgeError::Timeout { op: op.to_string(), timeout: policy.timeout });
                }
                tracing::warn!(op, attempt = n + 1, "forge call timed out; retrying");
                backoff(policy, n)
            }
            Ok(Err(AttemptError::Fatal(e))) => return Err(e),
            Ok(Err(AttemptError::Transport(reason))) => {
                let reason = redactor.one_line(&reason, 300);
                if n >= policy.max_retries {
                    return Err(ForgeError::Transport { op: op.to_string(), reason });
                }
                tracing::warn!(op, attempt = n + 1, %reason, "forge call failed; retrying");
                backoff(policy, n)
            }
            Ok(Ok(resp)) => {
                let message = body_message(&resp.body);
                match verdict(policy, n, resp.status, &resp.headers, message.as_deref(), clock.now()) {
                    Verdict::Done => return Ok(resp),
                    Verdict::Fail => {
                        return Err(ForgeError::Http {
                            op: op.to_string(),
                            status: resp.status,
                            message: message.map(|m| redactor.one_line(&m, 200)).filter(|m| !m.is_empty()),
                        });
                    }
                    Verdict::RateLimited(wait) if n >= policy.max_retries || wait > policy.max_wait => {
                        return Err(ForgeError::RateLimited {
                            op: op.to_string(),
                            status: resp.status,
                            retry_after: wait,
                        });
                    }
                    Verdict::Retry(_) if n >= policy.max_retries => {
                        return Err(ForgeError::Http {
                            op: op.to_string(),
                            status: resp.status,
                            message: message.map(|m| redactor.one_line(&m, 200)).filter(|m| !m.is_empty()),
                        });
                    }
                    Verdict::Retry(wait) | Verdict::RateLimited(wait) => {
                        let wait = wait.min(policy.max_wait);
                        tracing::warn!(
                            op,
                            status = resp.status,
                            attempt = n + 1,
                            wait_ms = wait.as_millis() as u64,
                            "forge call will be retried"
                        );
                        wait
                    }
                }
            }
        };
        clock.sleep(wait).await;
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (http::HeaderName::from_static(k), v.parse().unwrap())).collect()
    }

    const NOW: u64 = 1_700_000_000;

    fn v(status: u16, h: &[(&'static str, &str)], msg: Option<&str>) -> Verdict {
        verdict(&RetryPolicy::default(), 0, status, &headers(h), msg, UNIX_EPOCH + Duration::from_secs(NOW))
    }

    #[test]
    fn classifies_responses() {
        assert_eq!(v(200, &[], None), Verdict::Done);
        assert_eq!(v(204, &[], None), Verdict::Done);
        assert_eq!(v(404, &[], None), Verdict::Fail);
        assert_eq!(v(422, &[], None), Verdict::Fail);
        assert_eq!(v(501, &[], None), Verdict::Fail);
        assert_eq!(v(429, &[("retry-after", "7")], None), Verdict::RateLimited(Duration::from_secs(7)));
        assert_eq!(v(503, &[("retry-after", "3")], None), Verdict::Retry(Duration::from_secs(3)));
        let reset = (NOW + 30).to_string();
        assert_eq!(
            v(403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", &reset)], None),
            Verdict::RateLimited(Duration::from_secs(31))
        );
        assert_eq!(
            v(429, &[("ratelimit-remaining", "0"), ("ratelimit-reset", &reset)], None),
            Verdict::RateLimited(Duration::from_secs(31))
        );
        // A plain 403 is a permission problem; GitHub's secondary limit says so in the body.
        assert_eq!(v(403, &[("x-ratelimit-remaining", "4000")], Some("Resource not accessible")), Verdict::Fail);
        assert_eq!(
            v(403, &[], Some("You have exceeded a secondary rate limit. Please wait a few minutes.")),
            Verdict::RateLimited(SECONDARY_MIN_WAIT)
        );
        assert_eq!(
            v(429, &[("retry-after", "Tue, 14 Nov 2023 22:13:30 GMT")], None),
            Verdict::RateLimited(Duration::from_secs(10))
        );
        match v(502, &[], None) {
            Verdict::Retry(d) => assert!(d >= Duration::from_millis(500) && d <= Duration::from_secs(1)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap() {
        let p = RetryPolicy::default();
        for attempt in 0..12 {
            let step = Duration::from_secs(1 << attempt).min(p.max_delay);
            let d = backoff(&p, attempt);
            assert!(d >= step / 2 && d <= step, "attempt {attempt}: {d:?}");
        }
    }

    #[test]
    fn body_messages() {
        assert_eq!(body_message(br#"{"message":"Not Found","documentation_url":"x"}"#).as_deref(), Some("Not Found"));
        assert_eq!(body_message(br#"{"error":"insufficient_scope"}"#).as_deref(), Some("insufficient_scope"));
        assert_eq!(body_message(br#"{"message":{"base":["x"]}}"#).as_deref(), Some(r#"{"base":["x"]}"#));
        assert_eq!(body_message(b"<html>"), None);
    }
}
