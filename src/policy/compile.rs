//! Compiling policy files into one engine, once per run.

use std::sync::Arc;

use regorus::Engine;

use super::files::PolicyFile;
use super::rules;
use crate::report::Diagnostic;

/// Which inputs a package is evaluated against, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// `paved.catalog[.x]`: one catalog entity per evaluation.
    Catalog,
    /// `paved.stacks[.x]`: one component instance per evaluation.
    Stacks,
    /// `paved.tenants[.x]`: one tenant and its component instances per evaluation.
    Tenants,
    /// `paved.repo[.x]`: once per run, for rules over the whole catalog and stack set.
    Repo,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Catalog, Scope::Stacks, Scope::Tenants, Scope::Repo];

    fn from_package(components: &[String]) -> Option<Scope> {
        match components {
            [p, s, ..] if p == "paved" => match s.as_str() {
                "catalog" => Some(Scope::Catalog),
                "stacks" => Some(Scope::Stacks),
                "tenants" => Some(Scope::Tenants),
                "repo" => Some(Scope::Repo),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The conftest rule names paved evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleKind {
    /// `deny`: errors.
    Deny,
    /// `violation`: errors, usually objects with `msg`.
    Violation,
    /// `warn`: warnings.
    Warn,
}

impl RuleKind {
    pub const ALL: [RuleKind; 3] = [RuleKind::Deny, RuleKind::Violation, RuleKind::Warn];

    pub fn name(self) -> &'static str {
        match self {
            RuleKind::Deny => "deny",
            RuleKind::Violation => "violation",
            RuleKind::Warn => "warn",
        }
    }

    pub fn severity(self) -> crate::report::Severity {
        match self {
            RuleKind::Deny | RuleKind::Violation => crate::report::Severity::Error,
            RuleKind::Warn => crate::report::Severity::Warning,
        }
    }
}

/// One rule to evaluate per input: `data.<package>.<rule>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Dotted package name without `data.`, e.g. `paved.catalog.ownership`.
    pub package: String,
    pub rule: RuleKind,
    pub scope: Scope,
    /// The first file declaring it (for diagnostics about the rule itself).
    pub file: String,
    /// `data.<package>.<rule>`.
    pub path: String,
}

impl Entry {
    /// `policy/<package>/<rule>`.
    pub fn rule_id(&self) -> String {
        format!("policy/{}/{}", self.package, self.rule.name())
    }
}

/// Compiled policies: an engine holding every module that parsed and compiled, and the rules
/// to evaluate. Cloning is cheap (the modules are shared).
#[derive(Debug, Clone)]
pub struct PolicySet {
    pub(super) engine: Engine,
    /// The files that compiled and their packages `(file, components)`, to build smaller
    /// per-scope engines when a run has many inputs (see [`PolicySet::scoped_engines`]).
    kept: Arc<[PolicyFile]>,
    packages: Arc<[(String, Vec<String>)]>,
    pub(super) entries: Arc<[Entry]>,
    files: Vec<String>,
}

impl PolicySet {
    /// Parses and compiles `files`. A file that does not parse or compile is left out with a
    /// diagnostic at its line; the others still run.
    pub fn compile(files: &[PolicyFile]) -> (PolicySet, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut kept: Vec<&PolicyFile> = Vec::new();
        let mut engine = new_engine();
        for f in files {
            match add_module(&mut engine, f) {
                Ok(()) => kept.push(f),
                Err(d) => diags.push(*d),
            }
        }
        // Analysis errors (unsafe variables, recursion, unknown functions) surface when the
        // engine is first prepared: drop the file named in the error and try again.
        loop {
            match engine.eval_query("true".into(), false) {
                Ok(_) => break,
                Err(e) => {
                    let text = e.to_string();
                    let loc = error_location(&text);
                    let culprit = loc.as_ref().and_then(|(file, ..)| kept.iter().position(|f| f.path.as_str() == file));
                    let Some(i) = culprit else {
                        diags.push(Diagnostic::error(
                            rules::SYNTAX,
                            format!("policies do not compile: {}", short(&text)),
                        ));
                        kept.clear();
                        engine = new_engine();
                        break;
                    };
                    diags.push(syntax_diag(kept[i], &text));
                    kept.remove(i);
                    engine = new_engine();
                    for f in &kept {
                        // These parsed before; parse them again into the fresh engine.
                        if let Err(d) = add_module(&mut engine, f) {
                            diags.push(*d);
                        }
                    }
                }
            }
        }
        let entries = discover_entries(&engine);
        let packages: Vec<(String, Vec<String>)> = engine
            .get_policy_package_components()
            .map(|ps| ps.into_iter().map(|p| (p.source_file, p.components)).collect())
            .unwrap_or_default();
        let files = kept.iter().map(|f| f.path.to_string()).collect();
        let kept: Vec<PolicyFile> = kept.into_iter().cloned().collect();
        let set = PolicySet { engine, kept: kept.into(), packages: packages.into(), entries: entries.into(), files };
        (set, diags)
    }

    /// The rules evaluated per input.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Files that compiled.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Whether any rule applies to `scope`.
    pub fn has_scope(&self, scope: Scope) -> bool {
        self.entries.iter().any(|e| e.scope == scope)
    }

    /// The compiled engine (without data), for `paved policy eval` and tests.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

impl PolicySet {
    /// Engines for `scopes` (of those evaluated once per item: catalog entities, component
    /// instances), each holding the modules of that scope's packages and every library, without
    /// the packages of the other scopes. regorus walks every module on each `data.` lookup, so
    /// each lookup costs less with fewer modules; building them compiles the modules again, which
    /// pays off only over many inputs. A module of another scope stays when a kept module names
    /// its package (or a root above it, such as `data.paved.stacks[x]`). Reaching another scope's
    /// rules through bare `data` (`object.get(data, [...])`) is not followed: such lookups see
    /// only this scope's rules.
    pub(super) fn scoped_engines(&self, scopes: &[Scope]) -> Vec<(Scope, Engine)> {
        scoped_engines(&self.kept, &self.packages, scopes)
    }
}

fn scoped_engines(kept: &[PolicyFile], packages: &[(String, Vec<String>)], scopes: &[Scope]) -> Vec<(Scope, Engine)> {
    let scope_of = |f: &PolicyFile| {
        packages.iter().find(|(file, _)| file == f.path.as_str()).and_then(|(_, c)| Scope::from_package(c))
    };
    let mut out = Vec::new();
    for &scope in scopes.iter().filter(|s| matches!(s, Scope::Catalog | Scope::Stacks)) {
        let mut keep: Vec<bool> = kept.iter().map(|f| scope_of(f).is_none_or(|s| s == scope)).collect();
        if !kept.iter().any(|f| scope_of(f) == Some(scope)) || keep.iter().all(|k| *k) {
            continue;
        }
        // Foreign modules named by a kept one stay, and so on until nothing changes.
        loop {
            let mut changed = false;
            for (i, f) in kept.iter().enumerate() {
                if keep[i] {
                    continue;
                }
                let Some((_, components)) = packages.iter().find(|(file, _)| file == f.path.as_str()) else { continue };
                if kept.iter().zip(&keep).any(|(k, on)| *on && names_package(&k.text, components)) {
                    keep[i] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let mut engine = new_engine();
        let all_added = kept.iter().zip(&keep).filter(|(_, on)| **on).all(|(f, _)| add_module(&mut engine, f).is_ok());
        // Anything unexpected (a module that needed one left out): that scope uses the full engine.
        if all_added && engine.eval_query("true".into(), false).is_ok() {
            out.push((scope, engine));
        }
    }
    out
}

/// Whether `text` refers to the package `components` (`paved.stacks.regions`) or to a root above
/// it that is not followed by a name (`data.paved.stacks` in `import data.paved.stacks` or
/// `data.paved.stacks[x]`).
fn names_package(text: &str, components: &[String]) -> bool {
    if text.contains(&components.join(".")) {
        return true;
    }
    (1..components.len()).any(|n| {
        let root = format!("data.{}", components[..n].join("."));
        text.match_indices(&root)
            .any(|(at, _)| !text[at + root.len()..].starts_with(|c: char| c == '.' || c == '_' || c.is_alphanumeric()))
    })
}

fn new_engine() -> Engine {
    let mut e = Engine::new();
    super::compat::add(&mut e);
    e
}

/// Adds one module: as Rego v1 first (OPA 1.0's default), then v0 for older policies such as
/// Atmos's `errors[msg] { ... }`. When both fail, the error that got further is the one shown.
fn add_module(engine: &mut Engine, f: &PolicyFile) -> Result<(), Box<Diagnostic>> {
    engine.set_rego_v0(false);
    let v1 = match engine.add_policy(f.path.to_string(), f.text.clone()) {
        Ok(_) => return Ok(()),
        Err(e) => e.to_string(),
    };
    engine.set_rego_v0(true);
    // OPA 1.x reads v0 policies with the future keywords (`in`, `every`, ...) available, and
    // Atmos's own examples rely on it; regorus needs the import, so add it on the package line
    // (keeping every line number). Plain v0 is the last resort (keywords used as names).
    let with_keywords = with_future_keywords(&f.text).map(|t| engine.add_policy(f.path.to_string(), t));
    let v0 = match with_keywords {
        Some(Ok(_)) => Ok(()),
        _ => engine.add_policy(f.path.to_string(), f.text.clone()).map(|_| ()),
    };
    engine.set_rego_v0(false);
    match v0 {
        Ok(()) => Ok(()),
        Err(e) => {
            let v0 = e.to_string();
            let at = |t: &str| error_location(t).map(|(_, l, c)| (l, c)).unwrap_or_default();
            Err(Box::new(syntax_diag(f, if at(&v0) > at(&v1) { &v0 } else { &v1 })))
        }
    }
}

fn with_future_keywords(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 32);
    let mut done = false;
    for line in text.split_inclusive('\n') {
        if !done && line.starts_with("package ") {
            let body = line.trim_end_matches(['\n', '\r']);
            out.push_str(body);
            out.push_str(" import future.keywords");
            out.push_str(&line[body.len()..]);
            done = true;
        } else {
            out.push_str(line);
        }
    }
    done.then_some(out)
}

fn syntax_diag(f: &PolicyFile, text: &str) -> Diagnostic {
    let (line, col) = error_location(text).map(|(_, l, c)| (l, c)).unwrap_or((0, 0));
    Diagnostic::error(rules::SYNTAX, short(text)).in_file(f.path.as_str()).at(line, col)
}

/// regorus writes errors as `\n--> file:line:col\n | source\n | ^\nerror: message`.
pub(super) fn error_location(text: &str) -> Option<(String, u32, u32)> {
    let rest = text.split("--> ").nth(1)?;
    let head = rest.lines().next()?;
    let mut parts = head.rsplitn(3, ':');
    let col = parts.next()?.trim().parse().ok()?;
    let line = parts.next()?.trim().parse().ok()?;
    Some((parts.next()?.to_string(), line, col))
}

/// The message without regorus's source excerpt (the diagnostic points at the line instead).
pub(super) fn short(text: &str) -> String {
    let msg = text
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or_else(|| text.lines().find(|l| !l.trim().is_empty()).unwrap_or(text))
        .trim();
    let mut s: String = msg.chars().take(500).collect();
    if s.len() < msg.len() {
        s.push('…');
    }
    s
}

fn discover_entries(engine: &Engine) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let Ok(packages) = engine.get_policy_package_components() else { return entries };
    for p in packages {
        let Some(scope) = Scope::from_package(&p.components) else { continue };
        let package = p.components.join(".");
        for rule in RuleKind::ALL {
            let declared = engine.has_declared_rule_rooted_at(&p.source_file, rule.name()).unwrap_or(false);
            if declared && !entries.iter().any(|e| e.package == package && e.rule == rule) {
                entries.push(Entry {
                    path: format!("data.{package}.{}", rule.name()),
                    package: package.clone(),
                    rule,
                    scope,
                    file: p.source_file.clone(),
                });
            }
        }
    }
    entries.sort_by(|a, b| (a.scope, &a.package, a.rule).cmp(&(b.scope, &b.package, b.rule)));
    entries
}

#[cfg(test)]
mod tests;
