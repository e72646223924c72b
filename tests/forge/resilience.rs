//! Retries, rate limits and timeouts. Waits go through a recording clock: no test sleeps.

use std::time::Duration;

use paved::forge::github::{GitHub, GitHubAuth, GitHubOptions};
use paved::forge::retry::RetryPolicy;
use paved::forge::secret::Secret;
use paved::forge::{Forge, ForgeError};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

async fn then_ok(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/pulls/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(gh_pull(7, "t", "", "feature/x")))
        .mount(server)
        .await;
}

async fn first(server: &MockServer, times: u64, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path("/repos/acme/infra/pulls/7"))
        .respond_with(response)
        .up_to_n_times(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_429_waits_as_long_as_retry_after_says() {
    let server = MockServer::start().await;
    first(&server, 1, ResponseTemplate::new(429).insert_header("retry-after", "7")).await;
    then_ok(&server).await;
    let clock = RecordingClock::new();
    let pr = github_at(&server, clock.clone()).pull_request(&repo(), 7).await.unwrap();
    assert_eq!(pr.number, 7);
    assert_eq!(clock.sleeps(), [Duration::from_secs(7)]);
}

#[tokio::test]
async fn a_secondary_rate_limit_waits_at_least_a_minute() {
    let server = MockServer::start().await;
    first(
        &server,
        1,
        ResponseTemplate::new(403).set_body_json(json!({
            "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
        })),
    )
    .await;
    then_ok(&server).await;
    let clock = RecordingClock::new();
    github_at(&server, clock.clone()).pull_request(&repo(), 7).await.unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_secs(60)]);
}

#[tokio::test]
async fn an_exhausted_primary_limit_waits_for_the_reset() {
    let server = MockServer::start().await;
    let reset = (NOW + 30).to_string();
    first(
        &server,
        1,
        ResponseTemplate::new(403)
            .insert_header("x-ratelimit-limit", "5000")
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-used", "5000")
            .insert_header("x-ratelimit-reset", reset.as_str())
            .set_body_json(json!({ "message": "API rate limit exceeded for user ID 1.", "documentation_url": "https://docs.github.com/rest" })),
    )
    .await;
    then_ok(&server).await;
    let clock = RecordingClock::new();
    github_at(&server, clock.clone()).pull_request(&repo(), 7).await.unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_secs(31)]);
}

#[tokio::test]
async fn a_reset_later_than_paved_will_wait_fails_fast() {
    let server = MockServer::start().await;
    let reset = (NOW + 3600).to_string();
    first(
        &server,
        1,
        ResponseTemplate::new(403)
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", reset.as_str()),
    )
    .await;
    then_ok(&server).await;
    let clock = RecordingClock::new();
    let err = github_at(&server, clock.clone()).pull_request(&repo(), 7).await.unwrap_err();
    assert!(matches!(err, ForgeError::RateLimited { status: 403, .. }), "{err}");
    assert!(err.is_transient());
    assert_eq!(err.to_string(), "read pull request #7 of acme/infra: rate limited (HTTP 403), retry in 3601s");
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn server_errors_are_retried_with_growing_jittered_backoff() {
    let server = MockServer::start().await;
    first(&server, 1, ResponseTemplate::new(502)).await;
    first(&server, 1, ResponseTemplate::new(503).set_body_string("<html>unicorn</html>")).await;
    first(&server, 1, ResponseTemplate::new(500).set_body_json(json!({ "message": "Server Error" }))).await;
    then_ok(&server).await;
    let clock = RecordingClock::new();
    github_at(&server, clock.clone()).pull_request(&repo(), 7).await.unwrap();
    let s = clock.sleeps();
    assert_eq!(s.len(), 3);
    for (i, d) in s.iter().enumerate() {
        let step = Duration::from_secs(1 << i);
        assert!(*d >= step / 2 && *d <= step, "retry {i} waited {d:?}");
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn a_404_is_not_retried_and_the_error_names_the_operation() {
    let server = MockServer::start().await;
    first(&server, 1, gh_not_found()).await;
    then_ok(&server).await;
    let clock = RecordingClock::new();
    let err = github_at(&server, clock.clone()).pull_request(&repo(), 7).await.unwrap_err();
    assert_eq!(err.to_string(), "read pull request #7 of acme/infra: HTTP 404 (Not Found)");
    assert!(!err.is_transient());
    assert!(clock.sleeps().is_empty());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn retries_run_out() {
    let server = MockServer::start().await;
    first(&server, 100, ResponseTemplate::new(503)).await;
    let clock = RecordingClock::new();
    let err = github_at(&server, clock.clone()).pull_request(&repo(), 7).await.unwrap_err();
    assert_eq!(err.to_string(), "read pull request #7 of acme/infra: HTTP 503");
    assert!(err.is_transient());
    assert_eq!(server.received_requests().await.unwrap().len(), 6, "the first try and five retries");
    assert_eq!(clock.sleeps().len(), 5);
}

#[tokio::test]
async fn every_attempt_has_a_timeout() {
    let server = MockServer::start().await;
    first(&server, 100, ResponseTemplate::new(200).set_delay(Duration::from_secs(5))).await;
    let mut o = GitHubOptions::new(GitHubAuth::Token(Secret::new(GH_TOKEN)));
    o.api_url = server.uri();
    let clock = RecordingClock::new();
    o.clock = clock.clone();
    o.retry = RetryPolicy { timeout: Duration::from_millis(200), max_retries: 1, ..RetryPolicy::default() };
    let err = GitHub::new(o).unwrap().pull_request(&repo(), 7).await.unwrap_err();
    assert!(matches!(err, ForgeError::Timeout { .. }), "{err}");
    assert_eq!(err.to_string(), "read pull request #7 of acme/infra: no response within 0.2s");
    assert_eq!(clock.sleeps().len(), 1, "a GET is retried once after a timeout");
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    // A port nobody listens on (wiremock pools its servers, so a dropped one may answer).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut o = GitHubOptions::new(GitHubAuth::Token(Secret::new(GH_TOKEN)));
    o.api_url = uri;
    o.clock = RecordingClock::new();
    o.retry = RetryPolicy { max_retries: 2, ..RetryPolicy::default() };
    let err = GitHub::new(o).unwrap().pull_request(&repo(), 7).await.unwrap_err();
    assert!(matches!(err, ForgeError::Transport { .. }), "{err}");
    assert!(err.to_string().starts_with("read pull request #7 of acme/infra: request failed"), "{err}");
}

#[tokio::test]
async fn gitlab_rate_limits_are_honoured_too() {
    let server = MockServer::start().await;
    let clock = RecordingClock::new();
    let gl = gitlab_at(&server, clock.clone()).await;
    Mock::given(method("GET"))
        .and(path("/api/v4/projects/acme%2Finfra/merge_requests/7/approvals"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "12")
                .insert_header("ratelimit-limit", "600")
                .insert_header("ratelimit-name", "throttle_authenticated_api")
                .insert_header("ratelimit-remaining", "0")
                .insert_header("ratelimit-reset", (NOW + 12).to_string().as_str())
                .set_body_string("Retry later"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v4/projects/acme%2Finfra/merge_requests/7/approvals"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "approved_by": [] })))
        .mount(&server)
        .await;
    assert!(gl.approvals(&repo(), 7).await.unwrap().is_empty());
    assert_eq!(clock.sleeps(), [Duration::from_secs(12)]);
}
