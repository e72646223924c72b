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
