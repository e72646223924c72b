//! paved.yaml as written.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{CatalogConfig, Config, ExtraKind, LimitsConfig, RULE, path_error, size::parse_size};
use crate::report::{Diagnostic, SeverityOverride};
use crate::source::RelPath;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default)]
    catalog: RawCatalog,
    #[serde(default)]
    rules: BTreeMap<String, SeverityOverride>,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    store: super::store::RawStore,
    #[serde(default)]
    atmos: super::atmos::RawAtmos,
    #[serde(default)]
    forge: super::forge::RawForge,
    #[serde(default)]
    reconcile: super::reconcile::RawReconcile,
    #[serde(default)]
    policy: super::policy::RawPolicy,
    #[serde(default)]
    stacks: super::stacks::RawStacks,
    #[serde(default)]
    server: super::server::RawServer,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    roots: Option<Vec<String>>,
    #[serde(default)]
    globs: Vec<String>,
    allowed_kinds: Option<Vec<String>>,
    location_types: Option<Vec<String>>,
    #[serde(default)]
    kinds: Vec<RawKind>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    #[serde(rename = "apiVersion")]
    api_version: String,
    kind: String,
    schema: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_file_size: Option<RawSize>,
    max_yaml_depth: Option<usize>,
    max_yaml_alias_nodes: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawSize {
    Bytes(u64),
    Text(String),
}

impl RawConfig {
    pub(super) fn check(self, file: &str, text: &str) -> Result<Config, Vec<Diagnostic>> {
        let mut errs = Vec::new();
        let mut cfg = Config::default();

        if let Some(roots) = self.catalog.roots {
            cfg.catalog.roots = roots
                .iter()
                .filter_map(|r| RelPath::new(r).map_err(|e| errs.push(path_error(file, "catalog.roots", e))).ok())
                .collect();
        }
        for g in &self.catalog.globs {
            if let Err(e) = crate::source::glob_is_valid(g) {
                errs.push(Diagnostic::error(RULE, format!("catalog.globs: `{g}`: {e}")).in_file(file));
            }
        }
        cfg.catalog.globs = self.catalog.globs;
        let mut extra = Vec::new();
        for k in self.catalog.kinds {
            if super::BUILTIN_KINDS.contains(&k.kind.as_str()) {
                errs.push(
                    Diagnostic::error(
                        RULE,
                        format!("catalog.kinds: `{}` is a built-in kind and cannot be redeclared", k.kind),
                    )
                    .in_file(file),
                );
                continue;
            }
            match RelPath::new(&k.schema) {
                Ok(schema) => extra.push(ExtraKind { api_version: k.api_version, kind: k.kind, schema }),
                Err(e) => errs.push(path_error(file, "catalog.kinds.schema", e)),
            }
        }
        cfg.catalog.allowed_kinds = match self.catalog.allowed_kinds {
            Some(kinds) => kinds,
            None => cfg.catalog.allowed_kinds.into_iter().chain(extra.iter().map(|k| k.kind.clone())).collect(),
        };
        cfg.catalog.extra_kinds = extra;
        if let Some(t) = self.catalog.location_types {
            cfg.catalog.location_types = t;
        }
        cfg.catalog = CatalogConfig { ..cfg.catalog };

        for id in self.rules.keys() {
            if id.is_empty() || id.contains(char::is_whitespace) {
                errs.push(Diagnostic::error(RULE, format!("rules: `{id}` is not a rule id")).in_file(file));
            }
        }
        cfg.rules = self.rules;

        let mut limits = LimitsConfig { ..cfg.limits };
        match self.limits.max_file_size {
            Some(RawSize::Bytes(b)) => limits.max_file_size = b,
            Some(RawSize::Text(t)) => match parse_size(&t) {
                Ok(b) => limits.max_file_size = b,
                Err(e) => errs.push(Diagnostic::error(RULE, format!("limits.max_file_size: {e}")).in_file(file)),
            },
            None => {}
        }
        if let Some(d) = self.limits.max_yaml_depth {
            if d == 0 || d > 10_000 {
                errs.push(Diagnostic::error(RULE, "limits.max_yaml_depth must be between 1 and 10000").in_file(file));
            } else {
                limits.yaml.max_depth = d;
            }
        }
        if let Some(a) = self.limits.max_yaml_alias_nodes {
            limits.yaml.max_alias_nodes = a;
        }
        cfg.limits = limits;
        cfg.store = self.store.check(file, &mut errs);
        cfg.atmos = self.atmos.check(file, &mut errs);
        cfg.reconcile = self.reconcile.check(file, &mut errs);
        cfg.policy = self.policy.check(file, &mut errs);
        cfg.stacks = self.stacks.check(file, &mut errs);
        cfg.server = self.server.check(file, &mut errs);

        // Checks after reading have no position of their own: find the key in the spanned tree.
        let tree = std::cell::OnceCell::new();
        let locate = |pointer: &str| {
            let root = tree.get_or_init(|| crate::yaml::parse_one(text, &crate::yaml::ParseOptions::default()).ok());
            root.as_ref()
                .and_then(|r: &crate::yaml::Node| {
                    r.key_span(pointer).or_else(|| Some(r.pointer_prefix(pointer).0.span))
                })
                .map_or((0, 0), |s| (s.start.line, s.start.column))
        };
        let (forge, forge_errs) = self.forge.check(file, &locate);
        cfg.forge = forge;
        errs.extend(forge_errs);

        if errs.is_empty() { Ok(cfg) } else { Err(errs) }
    }
}
