use super::*;

#[test]
fn empty_config_is_the_default() {
    assert_eq!(Config::parse("paved.yaml", "").unwrap(), Config::default());
}

#[test]
fn unknown_keys_are_errors_at_their_line() {
    let errs = Config::parse("paved.yaml", "catalog:\n  roots: [a.yaml]\n  globz: []\n").unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].rule, "config/invalid");
    assert_eq!(errs[0].line, 3);
    assert!(errs[0].message.contains("unknown field `globz`"), "{}", errs[0].message);
}

#[test]
fn values_are_checked_and_defaults_filled() {
    let cfg = Config::parse(
        "paved.yaml",
        "rules:\n  catalog/ref-unresolved: warning\nlimits:\n  max_file_size: 1MiB\ncatalog:\n  kinds:\n    - apiVersion: example.com/v1\n      kind: Widget\n      schema: schemas/widget.json\n",
    )
    .unwrap();
    assert_eq!(cfg.limits.max_file_size, 1 << 20);
    assert_eq!(cfg.rules["catalog/ref-unresolved"], SeverityOverride::Warning);
    assert!(cfg.catalog.allowed_kinds.contains(&"Widget".to_string()));
    assert_eq!(cfg.catalog.roots, Config::default().catalog.roots);

    let errs = Config::parse("paved.yaml", "limits:\n  max_file_size: 10 parsecs\ncatalog:\n  roots: [../x.yaml]\n")
        .unwrap_err();
    assert_eq!(errs.len(), 2);
    let errs = Config::parse("paved.yaml", "rules:\n  x: loud\n").unwrap_err();
    assert_eq!(errs[0].line, 2);
}

#[test]
fn store_and_atmos_sections() {
    let cfg = Config::parse(
        "paved.yaml",
        "store:\n  url: postgres://paved:pw@db:5432/paved\natmos:\n  path: /opt/atmos/bin/atmos\n  timeout: 45m\n  kill_grace: 10s\n  env:\n    ATMOS_BASE_PATH: infra\n",
    )
    .unwrap();
    assert_eq!(cfg.store.url.as_ref().unwrap().scheme(), StoreScheme::Postgres);
    assert_eq!(cfg.atmos.path, "/opt/atmos/bin/atmos");
    assert_eq!(cfg.atmos.timeout, std::time::Duration::from_secs(45 * 60));
    assert_eq!(cfg.atmos.kill_grace, std::time::Duration::from_secs(10));
    assert_eq!(cfg.atmos.env["ATMOS_BASE_PATH"], "infra");
    assert_eq!(Config::default().atmos.path, "atmos");
    assert_eq!(Config::default().atmos.timeout, std::time::Duration::from_secs(3600));

    let errs = Config::parse(
        "paved.yaml",
        "store:\n  url: mysql://root:pw@h/db\natmos:\n  timeout: 60\n  kill_grace: 0s\n  env:\n    'BAD-NAME': x\n",
    )
    .unwrap_err();
    let text: Vec<&str> = errs.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(errs.len(), 4, "{text:?}");
    assert!(text.iter().all(|m| !m.contains("pw")), "{text:?}");
    assert!(text.iter().any(|m| m.starts_with("atmos.timeout:") && m.contains("needs a unit")), "{text:?}");
    let errs = Config::parse("paved.yaml", "atmos:\n  pth: atmos\n").unwrap_err();
    assert_eq!((errs[0].line, errs[0].message.contains("unknown field `pth`")), (2, true));
}

#[test]
fn policy_section() {
    let cfg = Config::parse(
        "paved.yaml",
        "policy:\n  paths: [policies, extra/org.rego]\n  waivers: policies/exceptions.yaml\n  timeout: 2s\n",
    )
    .unwrap();
    assert_eq!(cfg.policy.paths.len(), 2);
    assert!(cfg.policy.paths_configured);
    assert_eq!(cfg.policy.waivers.as_str(), "policies/exceptions.yaml");
    assert_eq!(cfg.policy.timeout, std::time::Duration::from_secs(2));
    assert_eq!(Config::default().policy.paths[0].as_str(), "policies");
    let errs = Config::parse("paved.yaml", "policy:\n  paths: [../x]\n  timeout: 0s\n  max_messages: 0\n  rego: 1\n")
        .unwrap_err();
    assert_eq!(errs.len(), 1, "unknown key first: {errs:?}");
    let errs = Config::parse("paved.yaml", "policy:\n  paths: [../x]\n  timeout: 0s\n  max_messages: 0\n").unwrap_err();
    assert_eq!(errs.len(), 3, "{errs:?}");
}
