use serde_json::json;

use super::*;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn nothing_outside_ci() {
    assert_eq!(detect(&env(&[("HOME", "/root")]), None), None);
}

#[test]
fn github_pull_request_diffs_against_the_fork_point() {
    let e = env(&[
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_BASE_REF", "main"),
        ("GITHUB_HEAD_REF", "feature/x"),
        ("GITHUB_REF", "refs/pull/42/merge"),
        ("GITHUB_SHA", "mergesha"),
        ("GITHUB_REPOSITORY", "acme/platform"),
    ]);
    let payload =
        json!({"pull_request": {"number": 42, "head": {"sha": "headsha"}}, "repository": {"default_branch": "main"}});
    let ctx = detect(&e, Some(&payload)).unwrap();
    assert_eq!(ctx.provider, Provider::GithubActions);
    assert_eq!(ctx.base, Some(BaseRef::MergeBaseWith("origin/main".into())));
    assert_eq!(ctx.pull_request, Some(42));
    assert_eq!(ctx.sha.as_deref(), Some("headsha"));
    assert_eq!(ctx.branch.as_deref(), Some("feature/x"));
    assert_eq!(ctx.default_branch.as_deref(), Some("main"));
    assert_eq!(ctx.default_format(), "github");
}

#[test]
fn github_push_uses_before_unless_the_branch_is_new() {
    let e = env(&[
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_REF", "refs/heads/main"),
        ("GITHUB_SHA", "abc"),
    ]);
    let ctx = detect(&e, Some(&json!({"before": "0123abc"}))).unwrap();
    assert_eq!(ctx.base, Some(BaseRef::Commit("0123abc".into())));
    assert_eq!(ctx.branch.as_deref(), Some("main"));
    assert_eq!(ctx.pull_request, None);
    let ctx = detect(&e, Some(&json!({"before": "0000000000000000000000000000000000000000"}))).unwrap();
    assert_eq!(ctx.base, None);
}

#[test]
fn gitlab_merge_request_uses_the_diff_base() {
    let e = env(&[
        ("GITLAB_CI", "true"),
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_IID", "7"),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", "forkpoint"),
        ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"),
        ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feat"),
        ("CI_COMMIT_SHA", "head"),
        ("CI_PROJECT_PATH", "acme/platform"),
        ("CI_DEFAULT_BRANCH", "main"),
    ]);
    let ctx = detect(&e, None).unwrap();
    assert_eq!(ctx.provider, Provider::GitlabCi);
    assert_eq!(ctx.base, Some(BaseRef::Commit("forkpoint".into())));
    assert_eq!(ctx.pull_request, Some(7));
    assert_eq!(ctx.branch.as_deref(), Some("feat"));
    assert_eq!(ctx.default_format(), "human");
}

#[test]
fn gitlab_push() {
    let e = env(&[
        ("GITLAB_CI", "true"),
        ("CI_COMMIT_BEFORE_SHA", "prev"),
        ("CI_COMMIT_BRANCH", "main"),
        ("CI_COMMIT_SHA", "head"),
    ]);
    let ctx = detect(&e, None).unwrap();
    assert_eq!(ctx.base, Some(BaseRef::Commit("prev".into())));
    let e = env(&[("GITLAB_CI", "true"), ("CI_COMMIT_BEFORE_SHA", "0000000000000000000000000000000000000000")]);
    assert_eq!(detect(&e, None).unwrap().base, None);
}
