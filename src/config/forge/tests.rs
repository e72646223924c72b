use std::time::Duration;

use super::values::mask_credentials;
use super::*;
use crate::config::Config;
use crate::report::Diagnostic;

fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
    Config::parse("paved.yaml", text)
}

#[test]
fn reads_a_full_section() {
    let cfg = parse(
        "forge:
  http:
    timeout: 10s
    retries: 3
    max_retry_wait: 5m
  webhooks:
    max_payload: 5MiB
  github:
    api_url: https://ghe.example.com/api/v3/
    app:
      id: 1234
      installation_id: 99
      private_key_file: /run/secrets/paved-app.pem
    webhook_secret_env: PAVED_GITHUB_WEBHOOK_SECRET
  gitlab:
    url: https://gitlab.example.com
    token_file: /run/secrets/gitlab
    webhook_token_env: PAVED_GITLAB_WEBHOOK_TOKEN
",
    )
    .unwrap();
    let f = cfg.forge;
    assert_eq!(
        f.http,
        HttpConfig { timeout: Duration::from_secs(10), retries: 3, max_retry_wait: Duration::from_secs(300) }
    );
    assert_eq!(f.webhook_max_payload, 5 << 20);
    let gh = f.github.unwrap();
    assert_eq!(gh.api_url, "https://ghe.example.com/api/v3");
    assert_eq!(
        gh.auth,
        GitHubAuthConfig::App {
            id: 1234,
            private_key: SecretRef::File("/run/secrets/paved-app.pem".into()),
            installation_id: Some(99)
        }
    );
    assert_eq!(gh.webhook_secret, Some(SecretRef::Env("PAVED_GITHUB_WEBHOOK_SECRET".into())));
    let gl = f.gitlab.unwrap();
    assert_eq!(gl.token, SecretRef::File("/run/secrets/gitlab".into()));

    let cfg = parse("forge:\n  github:\n    token_env: GITHUB_TOKEN\n").unwrap();
    let gh = cfg.forge.github.unwrap();
    assert_eq!(gh.api_url, "https://api.github.com");
    assert_eq!(gh.auth, GitHubAuthConfig::Token(SecretRef::Env("GITHUB_TOKEN".into())));
    assert_eq!(parse("").unwrap().forge, ForgeConfig::default());
}

#[test]
fn a_literal_secret_is_an_error_at_its_line_and_never_repeated() {
    let token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    for (text, line) in [
        (format!("forge:\n  github:\n    token_env: GITHUB_TOKEN\n    token: {token}\n"), 4),
        (format!("forge:\n  github:\n    token_env: {token}\n"), 3),
        (format!("forge:\n  github:\n    token_file: {token}\n"), 3),
        ("forge:\n  gitlab:\n    token_env: X\n\n    webhook_token: \"s3cret-hook\"\n".to_string(), 5),
        ("forge:\n  github:\n    app:\n      id: 1\n      private_key: |\n        -----BEGIN RSA PRIVATE KEY-----\n        abc\n".to_string(), 5),
        (format!("forge:\n  github:\n    api_url: https://x:{token}@ghe.example.com\n    token_env: T\n"), 3),
    ] {
        let errs = parse(&text).unwrap_err();
        assert_eq!(errs.len(), 1, "{text}");
        assert_eq!(errs[0].rule, "config/invalid");
        assert_eq!(errs[0].line, line, "{text}: {}", errs[0].message);
        let shown = format!("{:?}", errs[0]);
        assert!(!shown.contains(token) && !shown.contains("s3cret-hook") && !shown.contains("abc"), "{shown}");
        assert!(errs[0].message.contains("never written in paved.yaml") || errs[0].message.contains("credentials"), "{}", errs[0].message);
    }
}

#[test]
fn checks_combinations_at_their_lines() {
    let errs =
        parse("forge:\n  github:\n    token_env: A\n    app:\n      id: 1\n      private_key_env: K\n").unwrap_err();
    assert_eq!((errs.len(), errs[0].line), (1, 4), "{errs:?}");
    assert!(errs[0].message.contains("not both"));

    let errs = parse("forge:\n  github:\n    api_url: https://api.github.com\n").unwrap_err();
    assert_eq!(errs[0].line, 2);
    assert!(errs[0].message.contains("needs `token_env`"));

    let errs = parse("forge:\n  gitlab:\n    token_env: A\n    token_file: /x\n").unwrap_err();
    assert_eq!(errs[0].line, 4);

    let errs = parse("forge:\n  gitlab:\n    token_env: 1BAD-NAME\n").unwrap_err();
    assert_eq!(errs[0].line, 3);
    assert!(errs[0].message.contains("environment variable name"));

    let errs = parse("forge:\n  http:\n    timeout: 3 weeks\n    retries: 50\n").unwrap_err();
    assert_eq!(errs.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3, 4]);

    let errs = parse("forge:\n  github:\n    token_env: A\n    tokens: x\n").unwrap_err();
    assert!(errs[0].message.contains("unknown field `tokens`"));
}

#[test]
fn reader_errors_never_quote_a_credential() {
    let errs = parse(
        "forge:\n  github:\n    app:\n      id: ghp_16C7e42F292c6912E7710c838347Ae178B4a\n      private_key_env: K\n",
    )
    .unwrap_err();
    assert!(!errs[0].message.contains("ghp_"), "{}", errs[0].message);
    let errs =
        parse("forge:\n  github:\n    app:\n      id: \"-----BEGIN RSA PRIVATE KEY-----\\nMIIEabc\\n\"\n").unwrap_err();
    assert!(!errs[0].message.contains("MIIEabc"), "{}", errs[0].message);
    assert_eq!(mask_credentials("a \"glpat-xyz\" b ghs_x c"), "a \"***\" b *** c");
}
