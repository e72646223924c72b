//! Shared by the stacks commands: find atmos.yaml and the repository root, load the stacks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use paved::report::{Diagnostic, Severity};
use paved::source::{RelPath, WorkTree};
use paved::stacks::{ATMOS_YAML, AtmosConfig, LoadOptions, StackSet};

/// Options every stacks command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct StackArgs {
    /// Repository root: no path may leave it (default: the enclosing git work tree, else the
    /// directory holding atmos.yaml).
    #[arg(long, env = "PAVED_ROOT", global = true)]
    pub root: Option<PathBuf>,
    /// Render Go templates in manifests (Atmos's --process-templates).
    #[arg(long, num_args = 0..=1, default_value_t = true, default_missing_value = "true", action = clap::ArgAction::Set)]
    pub process_templates: bool,
    /// Evaluate `!env` (Atmos's --process-functions); other YAML functions are never run.
    #[arg(long, num_args = 0..=1, default_value_t = true, default_missing_value = "true", action = clap::ArgAction::Set)]
    pub process_functions: bool,
}

/// A loaded stack set and where it lives.
pub struct Loaded {
    pub tree: WorkTree,
    pub cwd: RelPath,
    pub set: StackSet,
}

fn find_up(start: &Path, name: &str) -> Option<PathBuf> {
    start.ancestors().find(|d| d.join(name).exists()).map(Path::to_path_buf)
}

/// Finds atmos.yaml (`ATMOS_CLI_CONFIG_PATH`, else the working directory and its parents)
/// and loads every stack.
pub fn load(args: &StackArgs) -> anyhow::Result<Loaded> {
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    let config_dir = match env.get("ATMOS_CLI_CONFIG_PATH").filter(|p| !p.is_empty()) {
        Some(p) => {
            let p = cwd.join(p);
            let p = if p.is_file() { p.parent().map(Path::to_path_buf).unwrap_or(p) } else { p };
            std::fs::canonicalize(&p)
                .with_context(|| format!("ATMOS_CLI_CONFIG_PATH {} does not exist", p.display()))?
        }
        None => find_up(&cwd, ATMOS_YAML).unwrap_or_else(|| cwd.clone()),
    };
    let root = match &args.root {
        Some(r) => std::fs::canonicalize(r).with_context(|| format!("cannot open {}", r.display()))?,
        None => find_up(&config_dir, ".git").unwrap_or_else(|| config_dir.clone()),
    };
    let rel = |p: &Path, what: &str| -> anyhow::Result<RelPath> {
        let Ok(r) = p.strip_prefix(&root) else {
            bail!("{what} {} is outside the repository root {} (see --root)", p.display(), root.display())
        };
        RelPath::new(&r.to_string_lossy()).map_err(|e| anyhow::anyhow!("{what}: {e}"))
    };
    let dir = rel(&config_dir, "atmos.yaml directory")?;
    let cwd_rel = rel(&cwd, "the working directory").unwrap_or_else(|_| dir.clone());
    let tree = WorkTree::new(&root).with_context(|| format!("cannot open {}", root.display()))?;
    let opts = LoadOptions {
        env,
        process_templates: args.process_templates,
        process_functions: args.process_functions,
        ..LoadOptions::default()
    };
    let cfg = match AtmosConfig::load(&tree, &dir, &opts.env, &cwd_rel, opts.max_file_size) {
        Ok(c) => c,
        Err(diags) => {
            print_diagnostics(&diags);
            bail!("atmos.yaml could not be read");
        }
    };
    let set = StackSet::load(&tree, cfg, opts);
    Ok(Loaded { tree, cwd: cwd_rel, set })
}

/// Writes diagnostics to stderr; true when one is an error.
pub fn print_diagnostics(diags: &[Diagnostic]) -> bool {
    for d in diags {
        let at = if d.file.is_empty() { String::new() } else { format!("{}:{}:{}: ", d.file, d.line, d.column) };
        eprintln!("{at}{}: {} [{}]", d.severity, d.message, d.rule);
    }
    diags.iter().any(|d| d.severity == Severity::Error)
}
