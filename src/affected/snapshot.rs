//! What `affected` compares: one revision's component instances and catalog entities, as
//! plain values built by a loader (see [`super::load`]) or by hand in tests.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::source::RelPath;

/// One component in one stack, as `describe component` would show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub stack: String,
    pub component: String,
    /// `terraform`, `helmfile`, ...
    pub component_type: String,
    /// The component's folder as Atmos prints it (relative to the Atmos base path).
    pub component_path: String,
    /// The same folder relative to the repository root, for matching changed files.
    pub folder: RelPath,
    /// The described sections: `vars`, `env`, `settings`, `metadata`, `backend`, ...
    pub section: Map<String, Value>,
    /// Where the component is defined: its stack manifest and 1-based line, when the loader
    /// knows. Not compared: moving a definition changes nothing deployed.
    pub defined_at: Option<(RelPath, u32)>,
}

/// The key instances are matched on across revisions.
pub type InstanceKey = (String, String, String);

impl Instance {
    pub fn key(&self) -> InstanceKey {
        (self.stack.clone(), self.component_type.clone(), self.component.clone())
    }

    /// `<stack>-<component>` with `/` as `-`: Atmos's id for an instance.
    pub fn stack_slug(&self) -> String {
        format!("{}-{}", self.stack, self.component.replace('/', "-"))
    }

    pub fn map(&self, name: &str) -> Option<&Map<String, Value>> {
        self.section.get(name).and_then(Value::as_object)
    }

    fn metadata_flag(&self, key: &str) -> Option<&Value> {
        self.map("metadata").and_then(|m| m.get(key))
    }

    pub fn is_abstract(&self) -> bool {
        self.metadata_flag("type").and_then(Value::as_str) == Some("abstract")
    }

    /// `metadata.enabled: false` turns a component off; anything else leaves it on.
    pub fn is_enabled(&self) -> bool {
        self.metadata_flag("enabled").and_then(Value::as_bool) != Some(false)
    }

    pub fn is_locked(&self) -> bool {
        self.metadata_flag("locked").and_then(Value::as_bool) == Some(true)
    }

    /// A context var (`namespace`, `tenant`, `environment`, `stage`) when it is a string.
    pub fn context_var(&self, name: &str) -> Option<&str> {
        self.map("vars").and_then(|v| v.get(name)).and_then(Value::as_str)
    }

    /// The owning catalog entity from `settings.catalog.owner`, as a full lower-cased ref.
    pub fn owner_ref(&self) -> Option<String> {
        let owner = self.map("settings")?.get("catalog")?.get("owner")?.as_str()?;
        normalize_ref(owner, "group")
    }
}

/// A Backstage entity ref in full lower-cased form (`kind:namespace/name`), with
/// `default_kind` and the `default` namespace filled in. `None` for an empty or malformed ref.
pub fn normalize_ref(text: &str, default_kind: &str) -> Option<String> {
    let t = text.trim();
    let (kind, rest) = match t.split_once(':') {
        Some((k, r)) => (k, r),
        None => (default_kind, t),
    };
    let (ns, name) = rest.split_once('/').unwrap_or(("default", rest));
    if kind.is_empty() || ns.is_empty() || name.is_empty() {
        return None;
    }
    Some(format!("{kind}:{ns}/{name}").to_lowercase())
}

/// Every instance of one revision, keyed by stack, type and component.
#[derive(Debug, Clone, Default)]
pub struct Stacks {
    instances: BTreeMap<InstanceKey, Instance>,
    stacks: BTreeSet<String>,
}

impl Stacks {
    pub fn new(instances: impl IntoIterator<Item = Instance>) -> Stacks {
        let mut s = Stacks::default();
        for i in instances {
            s.stacks.insert(i.stack.clone());
            s.instances.insert(i.key(), i);
        }
        s
    }

    pub fn get(&self, key: &InstanceKey) -> Option<&Instance> {
        self.instances.get(key)
    }

    pub fn has_stack(&self, stack: &str) -> bool {
        self.stacks.contains(stack)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Instance> {
        self.instances.values()
    }

    pub fn len(&self) -> usize {
        self.instances.len()
    }

    pub fn is_empty(&self) -> bool {
        self.instances.is_empty()
    }
}

/// One catalog entity at one revision.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Full lower-cased ref, `kind:namespace/name`.
    pub entity_ref: String,
    pub file: RelPath,
    /// The entity as written (compared whole).
    pub content: Value,
}

/// The catalog of one revision, by ref.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub entities: BTreeMap<String, Entity>,
}

impl Catalog {
    /// The first definition of a ref wins, as in the catalog model (duplicates are
    /// validation findings, not changes).
    pub fn new(entities: impl IntoIterator<Item = Entity>) -> Catalog {
        let mut map = BTreeMap::new();
        for e in entities {
            map.entry(e.entity_ref.clone()).or_insert(e);
        }
        Catalog { entities: map }
    }
}

/// One revision, described.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub stacks: Stacks,
    pub catalog: Catalog,
    /// For each component folder, the local module folders its `.tf` files call
    /// (`source = "../modules/x"`), repository-relative.
    pub modules: BTreeMap<RelPath, Vec<RelPath>>,
}

/// The paths the diff touched, indexed for "anything under this folder" questions.
#[derive(Debug, Clone, Default)]
pub struct ChangedFiles {
    paths: BTreeSet<RelPath>,
    /// Submodules whose commit moved: everything under them counts as changed.
    submodules: BTreeSet<RelPath>,
}

impl ChangedFiles {
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a RelPath>) -> ChangedFiles {
        ChangedFiles { paths: paths.into_iter().cloned().collect(), submodules: BTreeSet::new() }
    }

    /// Marks submodules whose commit moved (their paths are among the changed ones).
    pub fn with_submodules<'a>(mut self, submodules: impl IntoIterator<Item = &'a RelPath>) -> ChangedFiles {
        self.submodules = submodules.into_iter().cloned().collect();
        self
    }

    /// The submodules whose commit moved.
    pub fn submodules(&self) -> impl Iterator<Item = &RelPath> {
        self.submodules.iter()
    }

    fn in_submodule(&self, path: &RelPath) -> bool {
        self.submodules.iter().any(|s| path.starts_with(s))
    }

    pub fn contains(&self, path: &RelPath) -> bool {
        self.paths.contains(path) || self.in_submodule(path)
    }

    /// Whether any changed path is `dir` or lies under it (or `dir` is inside a moved
    /// submodule).
    pub fn any_under(&self, dir: &RelPath) -> bool {
        if self.in_submodule(dir) {
            return true;
        }
        if dir.is_root() {
            return !self.paths.is_empty();
        }
        // Sorted order puts every path that starts with `dir`'s text right after it
        // (`a/b`, `a/b-x`, `a/b/c`): scan only that run.
        self.paths.range(dir.clone()..).take_while(|p| p.as_str().starts_with(dir.as_str())).any(|p| p.starts_with(dir))
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &RelPath> {
        self.paths.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_and_folders() {
        assert_eq!(normalize_ref("group:Platform-Data", "group").unwrap(), "group:default/platform-data");
        assert_eq!(normalize_ref("ops/sre", "group").unwrap(), "group:ops/sre");
        assert_eq!(normalize_ref("user:default/Jo", "group").unwrap(), "user:default/jo");
        assert_eq!(normalize_ref("group:", "group"), None);
        let p = |s: &str| RelPath::new(s).unwrap();
        let c = ChangedFiles::new(&[p("components/terraform/vpc-x/main.tf"), p("components/terraform/vpc/main.tf")]);
        assert!(c.any_under(&p("components/terraform/vpc")));
        assert!(c.any_under(&p("components")));
        assert!(!c.any_under(&p("components/terraform/vp")));
        assert!(!c.any_under(&p("components/terraform/eks")));
        assert!(!ChangedFiles::new(&[p("components/terraform/vpc-x/a")]).any_under(&p("components/terraform/vpc")));
        let sub = ChangedFiles::new(&[p("components/terraform")]).with_submodules(&[p("components/terraform")]);
        assert!(sub.any_under(&p("components/terraform/vpc")));
        assert!(sub.contains(&p("components/terraform/vpc/main.tf")));
        assert!(!sub.any_under(&p("stacks")));
    }
}
