use paved::forge::secret::Secret;
use paved::git::remote::{CloneOptions, clone};
use paved::git::{AUDIT_NOTES_REF, Auth, Remote, Repo};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{TestRepo, file_url, git_in};

#[test]
fn clones_bare_fetches_new_commits_and_pushes_notes() {
    let upstream = TestRepo::new();
    upstream.write("a", "1");
    upstream.commit("one");
    let origin = tempfile::tempdir().unwrap();
    git_in(origin.path(), &["clone", "-q", "--bare", &file_url(upstream.path()), "."]);
    let remote = Remote::new(file_url(origin.path()), Auth::none());

    let cache = tempfile::tempdir().unwrap();
    let repo = clone(&remote, &cache.path().join("r"), &CloneOptions { bare: true, ..Default::default() }).unwrap();
    assert!(repo.is_bare());
    let first = repo.resolve("main").unwrap();

    upstream.write("a", "2");
    let second = upstream.commit("two");
    git_in(upstream.path(), &["push", "-q", &file_url(origin.path()), "main"]);
    repo.fetch(&remote, &["+refs/heads/*:refs/heads/*"], None).unwrap();
    assert_eq!(repo.resolve("main").unwrap().id.to_string(), second);
    assert_ne!(first.id.to_string(), second);

    let head = repo.resolve("main").unwrap().id;
    repo.write_note(AUDIT_NOTES_REF, head, "audit entry").unwrap();
    repo.push(&remote, &[&format!("{AUDIT_NOTES_REF}:{AUDIT_NOTES_REF}")]).unwrap();
    assert_eq!(git_in(origin.path(), &["notes", "--ref", "paved", "show", &second]), "audit entry");
}

/// libgit2's local transport cannot deepen history (only the smart protocols can): the error
/// says which remote, and the repository stays usable.
#[test]
fn deepening_over_the_local_transport_is_a_clear_error() {
    let upstream = TestRepo::new();
    upstream.write("a", "1");
    let old = upstream.commit("one");
    upstream.write("a", "2");
    upstream.commit("two");
    let dest = tempfile::tempdir().unwrap();
    git_in(dest.path(), &["clone", "-q", "--depth", "1", &file_url(upstream.path()), "."]);
    let repo = Repo::open(dest.path()).unwrap();
    assert!(repo.is_shallow());
    assert!(repo.resolve(&old).is_err());
    let remote = Remote::new(file_url(upstream.path()), Auth::none());
    let e = repo.fetch(&remote, &["+refs/heads/main:refs/remotes/origin/main"], Some(10)).unwrap_err();
    assert!(e.to_string().contains("fetching from file://"), "{e}");
    assert!(repo.head().is_ok());
}

#[test]
fn a_missing_remote_is_an_error_naming_it() {
    let dest = tempfile::tempdir().unwrap();
    let remote = Remote::new(file_url(&dest.path().join("nowhere")), Auth::none());
    let e = clone(&remote, &dest.path().join("r"), &CloneOptions::default()).unwrap_err();
    assert!(e.to_string().contains("cloning file://"), "{e}");
}

/// The token travels as HTTP basic auth through the credentials callback, and no error or
/// debug output repeats it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_sent_as_basic_auth_and_never_shown() {
    let server = MockServer::start().await;
    let token = "ghs_s3cr3t_t0k3n_value";
    let basic = format!("Basic {}", base64_encode(&format!("x-access-token:{token}")));
    Mock::given(method("GET"))
        .and(header("authorization", basic.as_str()))
        .respond_with(ResponseTemplate::new(403).set_body_string("denied"))
        .with_priority(1)
        .expect(1..)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).insert_header("WWW-Authenticate", "Basic realm=\"git\""))
        .with_priority(2)
        .mount(&server)
        .await;
    let url = format!("{}/acme/stacks.git", server.uri());
    let remote = Remote::new(url, Auth::token("x-access-token", Secret::new(token)));
    let dest = tempfile::tempdir().unwrap();
    let path = dest.path().join("r");
    let err = tokio::task::spawn_blocking(move || clone(&remote, &path, &CloneOptions::default()).map(|_| ()))
        .await
        .unwrap()
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(token), "token leaked: {shown}");
    server.verify().await;
}

#[test]
fn a_token_in_the_url_is_redacted_from_errors() {
    let token = "glpat-very-secret";
    let dest = tempfile::tempdir().unwrap();
    let remote = Remote::new(format!("http://oauth2:{token}@127.0.0.1:9/x.git"), Auth::none());
    assert_eq!(remote.display_url(), "http://***@127.0.0.1:9/x.git");
    let e = clone(&remote, &dest.path().join("r"), &CloneOptions::default()).unwrap_err();
    assert!(!format!("{e} {e:?}").contains(token), "{e:?}");
    let _ = Repo::open(dest.path());
}

fn base64_encode(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}
