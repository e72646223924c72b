//! `describe component` and `describe stacks` in Atmos's shape, with provenance: for every
//! value, the file and line it came from.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::naming::stack_file_name;
use super::value::{Kind, Map, Origin, Val};
use super::{Instance, StackSet};
use crate::gotemplate::{self, MissingKey, Template};
use crate::source::RelPath;

/// Why a component could not be described.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DescribeError {
    #[error("invalid stack: Stack {stack} not found{}", suggestion.as_ref().map(|s| format!(". Did you mean `{s}`?")).unwrap_or_default())]
    StackNotFound { stack: String, suggestion: Option<String> },
    #[error("component `{component}` is not defined in stack `{stack}`{}", suggestion.as_ref().map(|s| format!(": did you mean `{s}`?")).unwrap_or_default())]
    ComponentNotFound { component: String, stack: String, suggestion: Option<String> },
    #[error("{0}")]
    Conflict(String),
    #[error("{file}:{line}:{column}: template error: {message}")]
    Template { file: String, line: u32, column: u32, message: String },
}

/// What to evaluate while describing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DescribeOptions {
    pub process_templates: bool,
    pub process_functions: bool,
}

/// Where one value of a description came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProvenanceEntry {
    /// JSON pointer into [`Description::value`] (`/vars/cidr_block`).
    pub pointer: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// A described component.
#[derive(Debug, Clone)]
pub struct Description {
    /// Atmos's `describe component` output (full filter).
    pub value: Json,
    /// File and line of every value written in a stack file, in pointer order.
    pub provenance: Vec<ProvenanceEntry>,
}

impl StackSet {
    fn default_describe(&self) -> DescribeOptions {
        DescribeOptions {
            process_templates: self.options.process_templates,
            process_functions: self.options.process_functions,
        }
    }

    /// A close stack name for "did you mean": the canonical name of a manifest whose file
    /// name was given, else the nearest name by edit distance.
    pub fn suggest_stack(&self, name: &str) -> Option<String> {
        if let Some(m) = self.manifests().iter().find(|m| m.stack_file == name || m.path.as_str() == name)
            && let Some(s) = m.stacks.first()
        {
            return Some(s.clone());
        }
        closest(name, self.stack_names())
    }

    /// Describes `component` in `stack`.
    pub fn describe(&self, component: &str, stack: &str) -> Result<Description, DescribeError> {
        self.describe_with(component, stack, self.default_describe())
    }

    pub fn describe_with(
        &self,
        component: &str,
        stack: &str,
        opts: DescribeOptions,
    ) -> Result<Description, DescribeError> {
        if !self.by_stack.contains_key(stack) {
            return Err(DescribeError::StackNotFound {
                stack: stack.to_string(),
                suggestion: self.suggest_stack(stack),
            });
        }
        let Some(inst) = self.instance(component, stack) else {
            return Err(DescribeError::ComponentNotFound {
                component: component.to_string(),
                stack: stack.to_string(),
                suggestion: closest(component, self.stack(stack).map(|i| i.component.as_str())),
            });
        };
        self.describe_instance(inst, opts)
    }

    /// The full description of one instance.
    pub fn describe_instance(&self, inst: &Instance, opts: DescribeOptions) -> Result<Description, DescribeError> {
        if let Some(c) = &inst.conflict {
            return Err(DescribeError::Conflict(c.clone()));
        }
        let section = self.finalize(inst, opts)?;
        let mut value = section.to_json();
        let mut imports: Vec<String> = inst.processed.imports.iter().filter_map(|p| self.import_name(p.file)).collect();
        imports.sort();
        imports.dedup();
        let sources = self.sources(inst, &section);
        let (deps, deps_all) = deps(&sources, &inst.stack_file);
        if let Json::Object(o) = &mut value {
            o.insert("atmos_cli_config".into(), self.config.raw.clone());
            o.insert("cli_args".into(), json!(["describe", "component"]));
            o.insert(
                "component_info".into(),
                json!({
                    "component_path": self.component_path(inst).to_string(),
                    "component_type": inst.component_type,
                }),
            );
            o.insert("imports".into(), json!(imports));
            o.insert("deps".into(), json!(deps));
            o.insert("deps_all".into(), json!(deps_all));
            o.insert("sources".into(), sources);
        }
        let provenance = self.provenance(&section);
        Ok(Description { value, provenance })
    }

    /// `describe stacks`: `{stack: {components: {terraform: {name: section}}}}`.
    pub fn describe_stacks(&self, only_stack: Option<&str>, components: &[String]) -> Result<Json, DescribeError> {
        self.describe_stacks_with(only_stack, components, self.default_describe())
    }

    pub fn describe_stacks_with(
        &self,
        only_stack: Option<&str>,
        components: &[String],
        opts: DescribeOptions,
    ) -> Result<Json, DescribeError> {
        let mut out = serde_json::Map::new();
        self.describe_stacks_each(only_stack, components, opts, &mut |name, v| {
            out.insert(name.to_string(), v);
        })?;
        Ok(Json::Object(out))
    }

    /// `describe stacks` one stack at a time, in name order, so a large repository is never
    /// held in memory as one JSON tree.
    pub fn describe_stacks_each(
        &self,
        only_stack: Option<&str>,
        components: &[String],
        opts: DescribeOptions,
        f: &mut dyn FnMut(&str, Json),
    ) -> Result<(), DescribeError> {
        if let Some(s) = only_stack
            && !self.by_stack.contains_key(s)
        {
            return Err(DescribeError::StackNotFound { stack: s.to_string(), suggestion: self.suggest_stack(s) });
        }
        for stack in self.by_stack.keys() {
            if only_stack.is_some_and(|s| s != stack) {
                continue;
            }
            if let Some(v) = self.describe_stack(stack, components, opts)? {
                f(stack, v);
            }
        }
        Ok(())
    }

    /// One stack of `describe stacks`: `{components: {terraform: {name: section}}}`, or `None`
    /// when no component is selected.
    pub fn describe_stack(
        &self,
        stack: &str,
        components: &[String],
        opts: DescribeOptions,
    ) -> Result<Option<Json>, DescribeError> {
        Ok(self.describe_stack_val(stack, components, opts)?.map(|v| v.to_json()))
    }

    /// [`StackSet::describe_stack`] as a value tree (write it with
    /// [`Val::write_json_pretty`] without building JSON).
    pub fn describe_stack_val(
        &self,
        stack: &str,
        components: &[String],
        opts: DescribeOptions,
    ) -> Result<Option<Val>, DescribeError> {
        self.describe_stack_where(
            stack,
            |i| components.is_empty() || components.iter().any(|c| c == &i.component),
            opts,
        )
    }

    /// [`StackSet::describe_stack_val`] for the instances `keep` selects.
    pub fn describe_stack_where(
        &self,
        stack: &str,
        keep: impl Fn(&Instance) -> bool,
        opts: DescribeOptions,
    ) -> Result<Option<Val>, DescribeError> {
        let mut types: BTreeMap<&str, Map> = BTreeMap::new();
        for inst in self.stack(stack).filter(|i| keep(i)) {
            if let Some(c) = &inst.conflict {
                return Err(DescribeError::Conflict(c.clone()));
            }
            let mut v = self.finalize(inst, opts)?;
            v.remove("tf_cli_vars");
            v.remove("component_type");
            let mut info = Val::empty_map();
            info.set("component_path", Val::str(&self.written_component_path(inst)));
            info.set("component_type", Val::str(&inst.component_type));
            v.set("component_info", info);
            types.entry(&inst.component_type).or_default().insert(inst.component.as_str().into(), v);
        }
        if types.is_empty() {
            return Ok(None);
        }
        let mut comps = Val::empty_map();
        for (k, m) in types {
            comps.set(k, Val::map(m));
        }
        let mut out = Val::empty_map();
        out.set("components", comps);
        Ok(Some(out))
    }

    /// The component folder, relative to the repository root.
    pub fn component_path(&self, inst: &Instance) -> RelPath {
        let base =
            if inst.component_type == "helmfile" { &self.config.helmfile_base } else { &self.config.terraform_base };
        base.join(&inst.terraform_component).unwrap_or_else(|_| base.clone())
    }

    /// The component folder as Atmos prints it in `describe stacks` (base paths as written).
    fn written_component_path(&self, inst: &Instance) -> String {
        let base = self.config.raw.get("base_path").and_then(Json::as_str).unwrap_or("");
        clean(&format!("{}/{}/{}", base, self.config.terraform_base_written, inst.terraform_component))
    }

    fn import_name(&self, file: super::value::FileId) -> Option<String> {
        let p = self.files.path(file)?;
        Some(stack_file_name(p.strip_prefix(&self.config.stacks_base).unwrap_or(p.as_str())))
    }

    /// The section with Atmos's context keys, `!env` evaluated and templates rendered.
    fn finalize(&self, inst: &Instance, opts: DescribeOptions) -> Result<Val, DescribeError> {
        let mut s = self.section(inst);
        for (k, v) in [
            ("atmos_component", inst.component.as_str()),
            ("atmos_stack", inst.stack.as_str()),
            ("atmos_stack_file", inst.stack_file.as_str()),
            ("atmos_manifest", inst.stack_file.as_str()),
            ("stack", inst.stack.as_str()),
            ("workspace", inst.workspace.as_str()),
            ("component_type", inst.component_type.as_str()),
            ("required_version", ""),
        ] {
            s.set(k, Val::str(v));
        }
        s.set("tf_cli_vars", Val::empty_map());
        if !s.get("required_providers").is_some_and(Val::is_map) {
            s.set("required_providers", Val::empty_map());
        }
        if opts.process_functions {
            let env = s.get("env").cloned().unwrap_or_else(Val::empty_map);
            eval_env(&mut s, &env, &self.options.env);
        }
        if opts.process_templates && has_template(&s) {
            let mut data = s.to_json();
            // Integration names Atmos adds to the template context.
            let slug = format!("{}-{}", inst.stack, inst.component).replace('/', "-");
            data["spacelift_stack"] = Json::String(slug.clone());
            data["atlantis_project"] = Json::String(slug);
            let gopts = gotemplate::Options { env: self.options.env.clone(), missing_key_zero: false };
            render(&mut s, &data, &gopts, self)?;
        }
        Ok(s)
    }

    fn provenance(&self, section: &Val) -> Vec<ProvenanceEntry> {
        let mut out = Vec::new();
        let mut path = Vec::new();
        section.walk(&mut path, &mut |p, v| {
            if p.is_empty() || !v.at.is_known() {
                return;
            }
            if let Some(file) = self.files.path(v.at.file) {
                let pointer: String =
                    p.iter().map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1"))).collect();
                out.push(ProvenanceEntry { pointer, file: file.to_string(), line: v.at.line, column: v.at.column });
            }
        });
        out
    }

    /// Atmos's `sources`: for each var, env, setting and backend key, every stack file that
    /// sets it, highest priority first.
    fn sources(&self, inst: &Instance, section: &Val) -> Json {
        let mut files: Vec<(String, &Val, &'static str)> =
            vec![(inst.stack_file.clone(), &inst.processed.own.root, "inline")];
        for p in &inst.processed.imports {
            if let Some(n) = self.import_name(p.file) {
                files.push((n, &p.root, "import"));
            }
        }
        let ty = inst.component_type.as_str();
        let backend_type = section.get("backend_type").and_then(Val::as_str).unwrap_or("").to_string();
        let mut out = serde_json::Map::new();
        for sec in ["backend", "env", "settings", "vars"] {
            let sub = if sec == "backend" { backend_type.as_str() } else { "" };
            let mut entries = serde_json::Map::new();
            if let Some(m) = section.get(sec).and_then(Val::as_map) {
                for (name, v) in m.iter() {
                    let deps = source_deps(&files, ty, &inst.component, &inst.inheritance, sec, sub, name);
                    entries.insert(
                        name.to_string(),
                        json!({"final_value": v.to_json(), "name": name.as_ref(), "stack_dependencies": deps}),
                    );
                }
            }
            out.insert(sec.to_string(), Json::Object(entries));
        }
        Json::Object(out)
    }
}

#[allow(clippy::too_many_arguments)]
fn source_deps(
    files: &[(String, &Val, &'static str)],
    ty: &str,
    component: &str,
    chain: &[String],
    sec: &str,
    sub: &str,
    name: &str,
) -> Vec<Json> {
    let mut out: Vec<Json> = Vec::new();
    let mut push = |file: &str, kind: &str, label: String, v: Option<&Val>| {
        if let Some(v) = v {
            let e = json!({"dependency_type": kind, "stack_file": file, "stack_file_section": label, "variable_value": v.to_json()});
            if !out.contains(&e) {
                out.push(e);
            }
        }
    };
    let lookup = |root: &Val, prefix: &[&str]| -> Option<Val> {
        let mut keys: Vec<&str> = prefix.to_vec();
        keys.push(sec);
        if !sub.is_empty() {
            keys.push(sub);
        }
        keys.push(name);
        root.path(&keys).cloned()
    };
    let label = |prefix: &str| {
        let mut l = if prefix.is_empty() { sec.to_string() } else { format!("{prefix}.{sec}") };
        if !sub.is_empty() {
            l = format!("{l}.{sub}");
        }
        l
    };
    let comp_label = label(&format!("components.{ty}"));
    let (own, imports) = files.split_first().map(|(o, rest)| (Some(o), rest)).unwrap_or((None, &[]));
    let comps: Vec<&str> = std::iter::once(component).chain(chain.iter().map(String::as_str)).collect();
    // Component sections: own file then imports, the component then each base.
    for c in &comps {
        if let Some((f, root, k)) = own {
            push(f, k, comp_label.clone(), lookup(root, &["components", ty, c]).as_ref());
        }
        for (f, root, k) in imports {
            push(f, k, comp_label.clone(), lookup(root, &["components", ty, c]).as_ref());
        }
    }
    // Type-level and global sections: own file, then imports.
    if let Some((f, root, k)) = own {
        push(f, k, label(ty), lookup(root, &[ty]).as_ref());
        push(f, k, label(""), lookup(root, &[]).as_ref());
    }
    for (f, root, k) in imports {
        push(f, k, label(ty), lookup(root, &[ty]).as_ref());
    }
    for (f, root, k) in imports {
        push(f, k, label(""), lookup(root, &[]).as_ref());
    }
    out
}

fn deps(sources: &Json, stack_file: &str) -> (Vec<String>, Vec<String>) {
    let mut deps = Vec::new();
    let mut all = vec![stack_file.to_string()];
    if let Some(o) = sources.as_object() {
        for sec in o.values().filter_map(Json::as_object) {
            for item in sec.values() {
                if let Some(list) = item.get("stack_dependencies").and_then(Json::as_array) {
                    for (i, d) in list.iter().enumerate() {
                        if let Some(f) = d.get("stack_file").and_then(Json::as_str).filter(|f| !f.is_empty()) {
                            all.push(f.to_string());
                            if i == 0 {
                                deps.push(f.to_string());
                            }
                        }
                    }
                }
            }
        }
    }
    deps.sort();
    deps.dedup();
    all.sort();
    all.dedup();
    (deps, all)
}

fn has_template(v: &Val) -> bool {
    match &v.kind {
        Kind::Str(s) => gotemplate::is_template(s),
        Kind::Map(m) => m.values().any(has_template),
        Kind::Seq { items, .. } => items.iter().any(has_template),
        _ => false,
    }
}

fn render(v: &mut Val, data: &Json, opts: &gotemplate::Options, set: &StackSet) -> Result<(), DescribeError> {
    match &mut v.kind {
        Kind::Str(s) if gotemplate::is_template(s) => {
            let at = v.at;
            let name = set.files.path(at.file).map(|p| p.to_string()).unwrap_or_default();
            let out =
                Template::parse(&name, s).and_then(|t| t.execute_with(data, opts, MissingKey::Error)).map_err(|e| {
                    DescribeError::Template { file: name.clone(), line: at.line, column: at.column, message: e.message }
                })?;
            *s = out.as_str().into();
        }
        Kind::Map(m) if m.values().any(has_template) => {
            for (_, x) in std::sync::Arc::make_mut(m).iter_mut() {
                render(x, data, opts, set)?;
            }
        }
        Kind::Seq { items, .. } if items.iter().any(has_template) => {
            for x in std::sync::Arc::make_mut(items).iter_mut() {
                render(x, data, opts, set)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// `!env NAME [default]`: the component's `env` section first, then the environment paved
/// was given, then the default, else an empty string.
fn eval_env(v: &mut Val, env_section: &Val, env: &BTreeMap<String, String>) {
    match &mut v.kind {
        Kind::Func { tag, args } if tag.as_ref() == "!env" => {
            let mut parts = args.split_whitespace();
            let name = parts.next().unwrap_or("");
            let default = parts.collect::<Vec<_>>().join(" ");
            let value = env_section
                .get(name)
                .and_then(Val::as_str)
                .map(str::to_owned)
                .or_else(|| env.get(name).cloned())
                .unwrap_or(default);
            let at: Origin = v.at;
            *v = Val::new(Kind::Str(value.into()), at);
        }
        Kind::Map(m) if m.values().any(has_func) => {
            for (_, x) in std::sync::Arc::make_mut(m).iter_mut() {
                eval_env(x, env_section, env);
            }
        }
        Kind::Seq { items, .. } if items.iter().any(has_func) => {
            for x in std::sync::Arc::make_mut(items).iter_mut() {
                eval_env(x, env_section, env);
            }
        }
        _ => {}
    }
}

fn has_func(v: &Val) -> bool {
    match &v.kind {
        Kind::Func { .. } => true,
        Kind::Map(m) => m.values().any(has_func),
        Kind::Seq { items, .. } => items.iter().any(has_func),
        _ => false,
    }
}

/// Lexically cleans a `/` path, keeping leading `..` (Go's `filepath.Clean`).
fn clean(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." if out.last().is_some_and(|l| *l != "..") => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    if out.is_empty() { ".".into() } else { out.join("/") }
}

/// The candidate nearest to `name` by edit distance, when it is close.
pub(super) fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    candidates
        .map(|c| (levenshtein(name, c), c))
        .filter(|(d, c)| *d <= (c.len().max(name.len()) / 3).max(2))
        .min()
        .map(|(_, c)| c.to_string())
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_and_suggests() {
        assert_eq!(clean("./components/terraform/mock"), "components/terraform/mock");
        assert_eq!(clean("./../../components/terraform/mock"), "../../components/terraform/mock");
        assert_eq!(
            closest("plat-ue2-dv", ["plat-ue2-dev", "core-uw2-prod"].into_iter()).as_deref(),
            Some("plat-ue2-dev")
        );
        assert_eq!(closest("zzz", ["plat-ue2-dev"].into_iter()), None);
    }
}
