//! One component in one stack manifest: inheritance (`component:`, `metadata.inherits`,
//! depth-first, later bases win), then Atmos's per-section merge order
//! `globals -> terraform: section -> bases -> component -> overrides`, the backend and its
//! defaults, and the list merge strategy the component asks for.

use super::config::AtmosConfig;
use super::merge::{ListStrategy, merge_into};
use super::value::{Kind, Map, Val};

/// Deepest inheritance chain followed; deeper is reported, never a stack overflow.
pub const MAX_INHERITANCE_DEPTH: usize = 64;

/// Why a component could not be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentError {
    /// `metadata.inherits` names a component the stack does not define.
    MissingBase {
        base: String,
    },
    /// Inheritance loops back on itself.
    Cycle {
        chain: Vec<String>,
    },
    TooDeep {
        chain: Vec<String>,
    },
    /// A section has the wrong type (`vars: [..]`).
    BadSection {
        section: String,
        found: &'static str,
    },
}

impl std::fmt::Display for ComponentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ComponentError::MissingBase { base } => {
                write!(
                    f,
                    "inherits from '{base}' (metadata.inherits), but '{base}' is not defined in any of the files of the stack"
                )
            }
            ComponentError::Cycle { chain } => write!(f, "inheritance cycle: {}", chain.join(" -> ")),
            ComponentError::TooDeep { chain } => write!(
                f,
                "inheritance chain deeper than {MAX_INHERITANCE_DEPTH} levels ({} ... {})",
                chain.first().map_or("", String::as_str),
                chain.last().map_or("", String::as_str)
            ),
            ComponentError::BadSection { section, found } => write!(f, "`{section}` must be a map, not a {found}"),
        }
    }
}

/// What the bases of a component contribute.
#[derive(Default)]
struct Bases {
    vars: Val,
    settings: Val,
    env: Val,
    auth: Val,
    providers: Val,
    hooks: Val,
    metadata: Val,
    backend: Val,
    remote_state_backend: Val,
    command: String,
    backend_type: String,
    remote_state_backend_type: String,
    final_base: String,
    chain: Vec<String>,
}

/// A computed component section and what the engine needs to know about it.
#[derive(Debug, Clone)]
pub struct Computed {
    /// `vars`, `settings`, `env`, `command`, `inheritance`, `metadata`, `overrides`,
    /// `providers`, `hooks`, `backend_type`, `backend`, `remote_state_backend_type`,
    /// `remote_state_backend`, `auth`, `component`, ...
    pub section: Val,
    /// The Terraform folder (`metadata.component`, a legacy `component:` base, or the name).
    pub terraform_component: String,
    /// Whether the Terraform folder differs from the component name.
    pub has_base: bool,
    pub inheritance: Vec<String>,
    pub is_abstract: bool,
    /// `backend_type` is set but no `backend` section has that key.
    pub backend_missing: bool,
}

fn sect<'v>(m: &'v Val, key: &str) -> Result<Option<&'v Val>, ComponentError> {
    match m.get(key) {
        None => Ok(None),
        Some(v) if v.is_map() => Ok(Some(v)),
        Some(v) if matches!(v.kind, Kind::Null) => Ok(None),
        Some(v) => Err(ComponentError::BadSection { section: key.to_string(), found: v.type_name() }),
    }
}

fn str_of(m: &Val, key: &str) -> String {
    m.get(key).and_then(Val::as_str).unwrap_or("").to_string()
}

fn merge_parts(parts: &[Option<&Val>], s: ListStrategy) -> Val {
    let mut out = Val::empty_map();
    for p in parts.iter().flatten() {
        merge_into(&mut out, p, s);
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn process_base(
    acc: &mut Bases,
    all: &Map,
    component: &str,
    base: &str,
    visiting: &mut Vec<String>,
    cfg: &AtmosConfig,
    s: ListStrategy,
) -> Result<(), ComponentError> {
    if component == base {
        return Ok(());
    }
    if visiting.iter().any(|v| v == base) {
        let mut chain = visiting.clone();
        chain.push(base.to_string());
        return Err(ComponentError::Cycle { chain });
    }
    if visiting.len() >= MAX_INHERITANCE_DEPTH {
        return Err(ComponentError::TooDeep { chain: visiting.clone() });
    }
    let Some(bmap) = all.get(base).filter(|v| v.is_map()) else {
        return Ok(());
    };
    visiting.push(base.to_string());
    if let Some(legacy) = bmap.get("component").and_then(Val::as_str) {
        process_base(acc, all, base, legacy, visiting, cfg, s)?;
    }
    let metadata = sect(bmap, "metadata")?;
    if let Some(list) = metadata.and_then(|m| m.get("inherits")).and_then(Val::as_seq) {
        for inh in list.iter().filter_map(Val::as_str) {
            if !all.contains_key(inh) {
                return Err(ComponentError::MissingBase { base: inh.to_string() });
            }
            process_base(acc, all, component, inh, visiting, cfg, s)?;
        }
    }
    for (slot, key) in [
        (&mut acc.vars, "vars"),
        (&mut acc.settings, "settings"),
        (&mut acc.env, "env"),
        (&mut acc.auth, "auth"),
        (&mut acc.providers, "providers"),
        (&mut acc.hooks, "hooks"),
        (&mut acc.backend, "backend"),
        (&mut acc.remote_state_backend, "remote_state_backend"),
    ] {
        if let Some(v) = sect(bmap, key)? {
            merge_into(slot, v, s);
        }
    }
    if cfg.inherit_metadata
        && let Some(m) = metadata
    {
        let mut m = m.clone();
        m.remove("inherits");
        m.remove("type");
        merge_into(&mut acc.metadata, &m, s);
    }
    // Atmos takes these from the last base processed, even when it leaves them empty.
    acc.command = str_of(bmap, "command");
    acc.backend_type = str_of(bmap, "backend_type");
    acc.remote_state_backend_type = str_of(bmap, "remote_state_backend_type");
    if acc.final_base.is_empty() {
        acc.final_base = base.to_string();
    }
    let mut chain = vec![base.to_string()];
    chain.extend(acc.chain.drain(..).filter(|c| c != base));
    acc.chain = chain;
    visiting.pop();
    Ok(())
}

fn bases_of(
    all: &Map,
    name: &str,
    cm: &Val,
    cfg: &AtmosConfig,
    s: ListStrategy,
) -> Result<(Bases, Option<String>), ComponentError> {
    let mut acc = Bases::default();
    let mut visiting = vec![name.to_string()];
    let mut legacy_base = None;
    if let Some(legacy) = cm.get("component").and_then(Val::as_str) {
        process_base(&mut acc, all, name, legacy, &mut visiting, cfg, s)?;
        // A legacy base only counts when the stack defines it (else it is just a folder
        // name Atmos ignores).
        if legacy != name && !acc.final_base.is_empty() {
            legacy_base = Some(acc.final_base.clone());
        }
    }
    if let Some(list) = cm.path(&["metadata", "inherits"]).and_then(Val::as_seq) {
        for inh in list.iter().filter_map(Val::as_str) {
            if !all.contains_key(inh) {
                return Err(ComponentError::MissingBase { base: inh.to_string() });
            }
            process_base(&mut acc, all, name, inh, &mut visiting, cfg, s)?;
        }
    }
    Ok((acc, legacy_base))
}

/// The list merge strategy a component asks for: its own `settings.list_merge_strategy`,
/// else its bases', else the stack's, else atmos.yaml's.
fn strategy_for(globals_settings: &Val, bases: &Bases, cm: &Val, cfg: &AtmosConfig) -> ListStrategy {
    [cm.get("settings"), Some(&bases.settings), Some(globals_settings)]
        .into_iter()
        .flatten()
        .find_map(|s| s.get("list_merge_strategy").and_then(Val::as_str).and_then(ListStrategy::parse))
        .unwrap_or(cfg.list_merge_strategy)
}

/// Computes the section of component `name` of type `ty` (`terraform`, `helmfile`) in a
/// merged stack manifest.
pub fn compute(stack: &Val, ty: &str, name: &str, cfg: &AtmosConfig) -> Result<Computed, ComponentError> {
    let empty = Map::new();
    let all = stack.path(&["components", ty]).and_then(Val::as_map).unwrap_or(&empty);
    let cm = all.get(name).cloned().unwrap_or_default();
    let tysec = stack.get(ty).cloned().unwrap_or_default();
    let s0 = cfg.list_merge_strategy;
    let g =
        |key: &str| -> Result<Val, ComponentError> { Ok(merge_parts(&[sect(stack, key)?, sect(&tysec, key)?], s0)) };
    let globals_settings = g("settings")?;
    let (mut bases, mut legacy_base) = bases_of(all, name, &cm, cfg, s0)?;
    let s = strategy_for(&globals_settings, &bases, &cm, cfg);
    if s != s0 {
        (bases, legacy_base) = bases_of(all, name, &cm, cfg, s)?;
    }
    let g = |key: &str| -> Result<Val, ComponentError> { Ok(merge_parts(&[sect(stack, key)?, sect(&tysec, key)?], s)) };
    let overrides = sect(&cm, "overrides")?.cloned().unwrap_or_default();
    let ov = |key: &str| sect(&overrides, key);

    let mut out = Val::empty_map();
    let vars = merge_parts(&[Some(&g("vars")?), Some(&bases.vars), sect(&cm, "vars")?, ov("vars")?], s);
    let mut settings =
        merge_parts(&[Some(&g("settings")?), Some(&bases.settings), sect(&cm, "settings")?, ov("settings")?], s);
    // atmos.yaml `integrations.github` is the base of every component's
    // `settings.integrations.github`.
    if let Some(gh) = cfg.raw.pointer("/integrations/github").filter(|v| v.is_object()) {
        let mut github = Val::from_json(gh, super::value::Origin::NONE);
        if let Some(own) = settings.path(&["integrations", "github"]) {
            merge_into(&mut github, own, s);
        }
        let mut integrations = settings.get("integrations").cloned().unwrap_or_default();
        integrations.set("github", github);
        settings.set("integrations", integrations);
    }
    let env = merge_parts(&[Some(&g("env")?), Some(&bases.env), sect(&cm, "env")?, ov("env")?], s);
    let providers = merge_parts(
        &[sect(&tysec, "providers")?, Some(&bases.providers), sect(&cm, "providers")?, ov("providers")?],
        s,
    );
    let hooks = merge_parts(&[Some(&g("hooks")?), Some(&bases.hooks), sect(&cm, "hooks")?, ov("hooks")?], s);
    let auth = merge_parts(&[Some(&bases.auth), sect(&cm, "auth")?], s);
    let mut metadata = merge_parts(&[Some(&bases.metadata), sect(&cm, "metadata")?], s);
    if let Some(own) = cm.get("metadata").filter(|m| m.is_map()) {
        metadata.at = own.at;
    }

    let mut command = if ty == "terraform" { cfg.terraform_command.clone() } else { ty.to_string() };
    for c in [str_of(&tysec, "command"), bases.command.clone(), str_of(&cm, "command"), str_of(&overrides, "command")] {
        if !c.is_empty() {
            command = c;
        }
    }
    let terraform_component = metadata
        .get("component")
        .and_then(Val::as_str)
        .map(str::to_owned)
        .or(legacy_base)
        .unwrap_or_else(|| name.to_string());
    let is_abstract = cm.path(&["metadata", "type"]).and_then(Val::as_str) == Some("abstract");

    out.set("vars", vars);
    out.set("settings", settings);
    out.set("env", env);
    out.set("command", Val::str(&command));
    out.set("inheritance", Val::seq(bases.chain.iter().map(|c| Val::str(c)).collect()));
    out.set("metadata", metadata);
    out.set("overrides", overrides);
    out.set("auth", auth);
    for key in ["generate", "provision", "source", "required_providers", "dependencies"] {
        let parts = [sect(stack, key)?, sect(&tysec, key)?, sect(&cm, key)?];
        if key == "dependencies" && parts.iter().all(Option::is_none) {
            continue;
        }
        out.set(key, merge_parts(&parts, s));
    }
    let mut backend_missing = false;
    if ty == "terraform" {
        out.set("providers", providers);
        out.set("hooks", hooks);
        backend_missing = backend(&mut out, &tysec, &bases, &cm, name, &terraform_component, s)?;
    }
    out.set("component", Val::str(&terraform_component));
    Ok(Computed {
        section: out,
        // Inferred from Atmos's outputs: a differing `metadata.component` alone does not
        // suffix the workspace; a component that also inherits does.
        has_base: terraform_component != name && !bases.chain.is_empty(),
        terraform_component,
        inheritance: bases.chain,
        is_abstract,
        backend_missing,
    })
}

fn backend(
    out: &mut Val,
    tysec: &Val,
    bases: &Bases,
    cm: &Val,
    name: &str,
    terraform_component: &str,
    s: ListStrategy,
) -> Result<bool, ComponentError> {
    let mut backend_type = str_of(tysec, "backend_type");
    for t in [&bases.backend_type, &str_of(cm, "backend_type")] {
        if !t.is_empty() {
            backend_type = t.clone();
        }
    }
    let section = merge_parts(&[sect(tysec, "backend")?, Some(&bases.backend), sect(cm, "backend")?], s);
    let missing = !backend_type.is_empty() && section.get(&backend_type).is_none();
    let mut backend = section.get(&backend_type).filter(|v| v.is_map()).cloned().unwrap_or_default();
    let prefix_key = match backend_type.as_str() {
        "s3" => Some("workspace_key_prefix"),
        "gcs" => Some("prefix"),
        _ => None,
    };
    if let Some(key) = prefix_key
        && backend.get(key).and_then(Val::non_empty_str).is_none()
    {
        let prefix =
            out.path(&["metadata", "name"]).and_then(Val::non_empty_str).map(str::to_owned).unwrap_or_else(|| {
                if terraform_component.is_empty() { name.to_string() } else { terraform_component.to_string() }
            });
        backend.set(key, Val::str(&prefix.replace('/', "-")));
    }
    if backend_type == "azurerm" && backend.get("key").is_none() {
        let mut parts = Vec::new();
        if let Some(k) = tysec.path(&["backend", "azurerm", "key"]).and_then(Val::as_str) {
            parts.push(k.to_string());
        }
        parts.push(format!("{}.terraform.tfstate", terraform_component.replace('/', "-")));
        backend.set("key", Val::str(&parts.join("/")));
    }
    let mut rs_type = backend_type.clone();
    for t in [
        &str_of(tysec, "remote_state_backend_type"),
        &bases.remote_state_backend_type,
        &str_of(cm, "remote_state_backend_type"),
    ] {
        if !t.is_empty() {
            rs_type = t.clone();
        }
    }
    let rs_section = merge_parts(
        &[sect(tysec, "remote_state_backend")?, Some(&bases.remote_state_backend), sect(cm, "remote_state_backend")?],
        s,
    );
    let mut wrapped = Val::empty_map();
    wrapped.set(&backend_type, backend.clone());
    merge_into(&mut wrapped, &rs_section, s);
    let remote = wrapped.get(&rs_type).filter(|v| v.is_map()).cloned().unwrap_or_default();
    out.set("backend_type", Val::str(&backend_type));
    out.set("backend", backend);
    out.set("remote_state_backend_type", Val::str(&rs_type));
    out.set("remote_state_backend", remote);
    Ok(missing)
}
