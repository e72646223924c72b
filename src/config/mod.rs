//! `paved.yaml`: read as written ([`raw`]), then checked into a [`Config`] with defaults filled.
//!
//! Unknown keys are errors that point at their line, so a typo never silently disables a check.

mod atmos;
mod duration;
mod forge;
mod policy;
mod raw;
mod reconcile;
mod server;
mod size;
mod stacks;
mod store;

use std::collections::BTreeMap;

use crate::report::{Diagnostic, SeverityOverride};
use crate::source::{RelPath, RelPathError};
use crate::yaml::{Limits, ParseOptions};

pub use atmos::AtmosConfig;
pub use duration::parse_duration;
pub use forge::{ForgeConfig, GitHubAuthConfig, GitHubConfig, GitLabConfig, HttpConfig, SecretRef};
pub use policy::PolicyConfig;
pub use reconcile::{ApplyRules, ReconcileConfig, RepositoryConfig, RepositorySource};
pub use server::ServerConfig;
pub use size::parse_size;
pub use stacks::StacksConfig;
pub use store::{StoreConfig, StoreScheme, StoreUrl};

/// The file name paved looks for at the repository root.
pub const FILE_NAME: &str = "paved.yaml";

/// The nine kinds Backstage ships.
pub const BUILTIN_KINDS: &[&str] =
    &["Component", "API", "Resource", "System", "Domain", "Group", "User", "Location", "Template"];

/// Checked configuration with every default filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub catalog: CatalogConfig,
    /// Per-rule severity overrides (exact ids, or prefixes like `catalog/*`).
    pub rules: BTreeMap<String, SeverityOverride>,
    pub limits: LimitsConfig,
    pub store: StoreConfig,
    pub atmos: AtmosConfig,
    /// GitHub and GitLab connections (`forge:`).
    pub forge: ForgeConfig,
    /// What the reconciler watches and the rules an apply must satisfy (`reconcile:`).
    pub reconcile: ReconcileConfig,
    /// Rego policies (`policy:`).
    pub policy: PolicyConfig,
    /// Where the Atmos stacks repository is (`stacks:`).
    pub stacks: StacksConfig,
    /// `paved serve` (`server:`).
    pub server: ServerConfig,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CatalogConfig {
    /// Root descriptor files: discovery starts here and follows Location entities.
    pub roots: Vec<RelPath>,
    /// Extra globs whose files are validated whether or not a Location reaches them.
    pub globs: Vec<String>,
    /// Kinds accepted (Backstage's `catalog.rules`); other kinds are rejected.
    pub allowed_kinds: Vec<String>,
    /// Location target types allowed besides the parent's own type.
    pub location_types: Vec<String>,
    /// Kinds beyond Backstage's nine, each with a JSON Schema.
    pub extra_kinds: Vec<ExtraKind>,
}

/// A kind that paved.yaml declares, validated against its own JSON Schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtraKind {
    pub api_version: String,
    pub kind: String,
    pub schema: RelPath,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitsConfig {
    /// Largest file paved will read, in bytes.
    pub max_file_size: u64,
    pub yaml: Limits,
}

impl LimitsConfig {
    /// Parse options for descriptors Backstage reads (no merge keys).
    pub fn catalog_yaml(&self) -> ParseOptions {
        ParseOptions { limits: self.yaml, merge_keys: false }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            catalog: CatalogConfig {
                roots: vec![RelPath::new("catalog-info.yaml").expect("literal")],
                globs: Vec::new(),
                allowed_kinds: BUILTIN_KINDS.iter().map(|s| s.to_string()).collect(),
                // Backstage's CatalogBuilder default: only `url` besides the parent's own type.
                location_types: vec!["url".into()],
                extra_kinds: Vec::new(),
            },
            rules: BTreeMap::new(),
            limits: LimitsConfig { max_file_size: 10 * 1024 * 1024, yaml: Limits::default() },
            store: StoreConfig::default(),
            atmos: AtmosConfig::default(),
            forge: ForgeConfig::default(),
            reconcile: ReconcileConfig::default(),
            policy: PolicyConfig::default(),
            stacks: StacksConfig::default(),
            server: ServerConfig::default(),
        }
    }
}

const RULE: &str = "config/invalid";

impl Config {
    /// Parses and checks `paved.yaml`. Every problem is returned, each at its line.
    pub fn parse(file: &str, text: &str) -> Result<Config, Vec<Diagnostic>> {
        let raw: raw::RawConfig = if text.trim().is_empty() {
            raw::RawConfig::default()
        } else {
            yaml_serde::from_str(text).map_err(|e| {
                let (line, col) = e.location().map_or((0, 0), |l| (l.line() as u32, l.column() as u32));
                vec![
                    Diagnostic::error(
                        RULE,
                        format!("{FILE_NAME}: {}", forge::mask_credentials(&strip_location(&e.to_string()))),
                    )
                    .in_file(file)
                    .at(line, col),
                ]
            })?
        };
        raw.check(file, text)
    }
}

/// yaml_serde appends " at line L column C"; the diagnostic carries those separately.
fn strip_location(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn path_error(file: &str, what: &str, e: RelPathError) -> Diagnostic {
    Diagnostic::error(RULE, format!("{what}: {e}")).in_file(file)
}

#[cfg(test)]
mod tests;
