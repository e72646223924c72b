//! `atmos.yaml` as Atmos reads it: the base paths, which files are stacks, how stacks are
//! named, the list merge strategy; `ATMOS_*` environment overrides; Atmos's defaults when
//! there is no atmos.yaml.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::merge::ListStrategy;
use crate::report::Diagnostic;
use crate::source::{FileSource, RelPath};
use crate::yaml::{ParseOptions, parse_one};

/// The file name Atmos looks for.
pub const ATMOS_YAML: &str = "atmos.yaml";

const RULE: &str = "stacks/atmos-config";

/// The parts of atmos.yaml stack processing needs, with paths resolved inside the repository.
#[derive(Debug, Clone, PartialEq)]
pub struct AtmosConfig {
    /// Where atmos.yaml was read from (`None`: Atmos's defaults).
    pub file: Option<RelPath>,
    pub base_path: RelPath,
    /// `stacks.base_path` joined onto `base_path`.
    pub stacks_base: RelPath,
    /// Globs relative to `stacks_base`.
    pub included_paths: Vec<String>,
    pub excluded_paths: Vec<String>,
    pub name_pattern: String,
    pub name_template: String,
    /// `components.terraform.base_path` joined onto `base_path`.
    pub terraform_base: RelPath,
    /// `components.terraform.base_path` as written (describe stacks prints component paths
    /// with it).
    pub terraform_base_written: String,
    pub helmfile_base: RelPath,
    pub list_merge_strategy: ListStrategy,
    /// `components.terraform.command` (default `terraform`).
    pub terraform_command: String,
    /// `components.terraform.workspaces_enabled` (default true).
    pub workspaces_enabled: bool,
    /// `stacks.inherit.metadata` (default true).
    pub inherit_metadata: bool,
    /// atmos.yaml as written, with the environment overrides applied.
    pub raw: Json,
}

impl AtmosConfig {
    /// Atmos's defaults, used when there is no atmos.yaml.
    pub fn defaults() -> AtmosConfig {
        let root = RelPath::root();
        AtmosConfig {
            file: None,
            base_path: root.clone(),
            stacks_base: RelPath::new("stacks").expect("literal"),
            included_paths: vec!["orgs/**/*".into()],
            excluded_paths: vec!["**/_defaults.yaml".into()],
            name_pattern: "{tenant}-{environment}-{stage}".into(),
            name_template: String::new(),
            terraform_base: RelPath::new("components/terraform").expect("literal"),
            terraform_base_written: "components/terraform".into(),
            helmfile_base: RelPath::new("components/helmfile").expect("literal"),
            list_merge_strategy: ListStrategy::Replace,
            terraform_command: "terraform".into(),
            workspaces_enabled: true,
            inherit_metadata: true,
            raw: Json::Object(Default::default()),
        }
    }

    /// Reads `<dir>/atmos.yaml` (Atmos's defaults when it is missing) and applies `ATMOS_*`
    /// variables from `env`. Relative paths in the environment are relative to `cwd`.
    pub fn load(
        src: &dyn FileSource,
        dir: &RelPath,
        env: &BTreeMap<String, String>,
        cwd: &RelPath,
        max_len: u64,
    ) -> Result<AtmosConfig, Vec<Diagnostic>> {
        let file = dir.join(ATMOS_YAML).map_err(|e| vec![Diagnostic::error(RULE, e.to_string())])?;
        let (raw, file) = match src.read(&file, max_len) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let opts = ParseOptions { merge_keys: true, ..Default::default() };
                let node = parse_one(&text, &opts).map_err(|e| {
                    vec![
                        Diagnostic::error(RULE, format!("atmos.yaml is not valid YAML: {}", e.message))
                            .in_file(file.as_str())
                            .at(e.line, e.column),
                    ]
                })?;
                (node.to_json(), Some(file))
            }
            Err(crate::source::SourceError::NotFound(_)) => (Json::Null, None),
            Err(e) => return Err(vec![Diagnostic::error(RULE, e.to_string()).in_file(file.as_str())]),
        };
        Self::from_json(raw, file, dir, env, cwd)
    }

    fn from_json(
        mut raw: Json,
        file: Option<RelPath>,
        dir: &RelPath,
        env: &BTreeMap<String, String>,
        cwd: &RelPath,
    ) -> Result<AtmosConfig, Vec<Diagnostic>> {
        let mut cfg = AtmosConfig::defaults();
        let mut errs = Vec::new();
        let at = file.as_ref().map(|f| f.to_string()).unwrap_or_default();
        if file.is_some() {
            // An atmos.yaml replaces the defaults for the keys it has; stacks without
            // included_paths include nothing.
            cfg.included_paths.clear();
            cfg.excluded_paths.clear();
            cfg.name_pattern.clear();
        }
        if !raw.is_object() {
            raw = Json::Object(Default::default());
        }
        let s = |p: &str| raw.pointer(p).and_then(Json::as_str).map(str::to_owned);
        let list = |p: &str| {
            raw.pointer(p)
                .and_then(Json::as_array)
                .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
        };
        let path = |base: &RelPath, text: &str, what: &str, errs: &mut Vec<Diagnostic>| -> RelPath {
            base.join(text).unwrap_or_else(|e| {
                errs.push(
                    Diagnostic::error(RULE, format!("{what} `{text}`: {e}"))
                        .in_file(at.as_str())
                        .with_help("paths must stay inside the repository"),
                );
                base.clone()
            })
        };
        let base_text = env.get("ATMOS_BASE_PATH").cloned();
        cfg.base_path = match (&base_text, s("/base_path")) {
            (Some(b), _) => path(cwd, b, "ATMOS_BASE_PATH", &mut errs),
            (None, Some(b)) => path(dir, &b, "base_path", &mut errs),
            (None, None) => dir.clone(),
        };
        let stacks = env.get("ATMOS_STACKS_BASE_PATH").cloned().or_else(|| s("/stacks/base_path"));
        cfg.stacks_base = path(&cfg.base_path, stacks.as_deref().unwrap_or("stacks"), "stacks.base_path", &mut errs);
        if let Some(v) = env.get("ATMOS_STACKS_INCLUDED_PATHS") {
            cfg.included_paths = split_list(v);
        } else if let Some(v) = list("/stacks/included_paths") {
            cfg.included_paths = v;
        }
        if let Some(v) = env.get("ATMOS_STACKS_EXCLUDED_PATHS") {
            cfg.excluded_paths = split_list(v);
        } else if let Some(v) = list("/stacks/excluded_paths") {
            cfg.excluded_paths = v;
        }
        if let Some(v) = env.get("ATMOS_STACKS_NAME_PATTERN").cloned().or_else(|| s("/stacks/name_pattern")) {
            cfg.name_pattern = v;
        }
        if let Some(v) = env.get("ATMOS_STACKS_NAME_TEMPLATE").cloned().or_else(|| s("/stacks/name_template")) {
            cfg.name_template = v;
        }
        let tf = env
            .get("ATMOS_COMPONENTS_TERRAFORM_BASE_PATH")
            .cloned()
            .or_else(|| s("/components/terraform/base_path"))
            .unwrap_or_else(|| "components/terraform".into());
        cfg.terraform_base = path(&cfg.base_path, &tf, "components.terraform.base_path", &mut errs);
        cfg.terraform_base_written = tf;
        let hf = s("/components/helmfile/base_path").unwrap_or_else(|| "components/helmfile".into());
        cfg.helmfile_base = path(&cfg.base_path, &hf, "components.helmfile.base_path", &mut errs);
        if let Some(c) =
            env.get("ATMOS_COMPONENTS_TERRAFORM_COMMAND").cloned().or_else(|| s("/components/terraform/command"))
            && !c.is_empty()
        {
            cfg.terraform_command = c;
        }
        if let Some(b) = raw.pointer("/components/terraform/workspaces_enabled").and_then(Json::as_bool) {
            cfg.workspaces_enabled = b;
        }
        if let Some(b) = raw.pointer("/stacks/inherit/metadata").and_then(Json::as_bool) {
            cfg.inherit_metadata = b;
        }
        if let Some(strategy) = s("/settings/list_merge_strategy") {
            match ListStrategy::parse(&strategy) {
                Some(l) => cfg.list_merge_strategy = l,
                None => errs.push(
                    Diagnostic::error(
                        RULE,
                        format!("settings.list_merge_strategy `{strategy}` is not replace, append or merge"),
                    )
                    .in_file(at.as_str()),
                ),
            }
        }
        for g in cfg.included_paths.iter().chain(&cfg.excluded_paths) {
            if let Err(e) = crate::source::glob_is_valid(g) {
                errs.push(Diagnostic::error(RULE, format!("stacks path `{g}`: {e}")).in_file(at.as_str()));
            }
        }
        cfg.file = file;
        cfg.raw = raw;
        if errs.is_empty() { Ok(cfg) } else { Err(errs) }
    }
}

fn split_list(v: &str) -> Vec<String> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemorySource;

    #[test]
    fn reads_paths_and_env_overrides() {
        let src = MemorySource::new().with(
            "infra/atmos.yaml",
            "base_path: ./\nstacks:\n  base_path: st\n  included_paths: [\"orgs/**/*\"]\n  name_template: \"{{ .vars.stage }}\"\ncomponents:\n  terraform:\n    base_path: ../tf\n",
        );
        let dir = RelPath::new("infra").unwrap();
        let cfg = AtmosConfig::load(&src, &dir, &BTreeMap::new(), &RelPath::root(), 1 << 20).unwrap();
        assert_eq!(cfg.stacks_base.as_str(), "infra/st");
        assert_eq!(cfg.terraform_base.as_str(), "tf");
        assert_eq!(cfg.name_pattern, "");
        let env = BTreeMap::from([("ATMOS_STACKS_NAME_PATTERN".to_string(), "{stage}".to_string())]);
        let cfg = AtmosConfig::load(&src, &dir, &env, &RelPath::root(), 1 << 20).unwrap();
        assert_eq!(cfg.name_pattern, "{stage}");
        let none =
            AtmosConfig::load(&MemorySource::new(), &RelPath::root(), &BTreeMap::new(), &RelPath::root(), 10).unwrap();
        assert_eq!(none, AtmosConfig::defaults());
    }

    #[test]
    fn escaping_paths_are_diagnostics() {
        let src = MemorySource::new().with("atmos.yaml", "base_path: ../..\n");
        let errs = AtmosConfig::load(&src, &RelPath::root(), &BTreeMap::new(), &RelPath::root(), 1 << 20).unwrap_err();
        assert!(errs[0].message.contains("leaves the repository"), "{errs:?}");
    }
}
