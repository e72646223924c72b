//! Entity references (`[<kind>:][<namespace>/]<name>`) and the spec fields that hold them,
//! as @backstage/catalog-model's `parseEntityRef` and the catalog backend's
//! `BuiltinKindsEntityProcessor` treat them.

/// A parsed reference, as written (not yet lower-cased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl EntityRef {
    /// The canonical, lower-cased `kind:namespace/name` that identity is based on.
    pub fn canonical(&self) -> String {
        canonical(&self.kind, &self.namespace, &self.name)
    }
}

/// `kind:namespace/name`, lower-cased (Backstage's `stringifyEntityRef`).
pub fn canonical(kind: &str, namespace: &str, name: &str) -> String {
    let mut s = String::with_capacity(kind.len() + namespace.len() + name.len() + 2);
    push_lower(&mut s, kind);
    s.push(':');
    push_lower(&mut s, namespace);
    s.push('/');
    push_lower(&mut s, name);
    s
}

/// Appends `part` lower-cased. Refs are nearly always ASCII, which needs no allocation.
fn push_lower(s: &mut String, part: &str) {
    if part.is_ascii() {
        let start = s.len();
        s.push_str(part);
        s[start..].make_ascii_lowercase();
    } else {
        s.push_str(&part.to_lowercase());
    }
}

/// Parses a reference string with a default kind and namespace. The error text is Backstage's.
pub fn parse_ref(text: &str, default_kind: Option<&str>, default_namespace: &str) -> Result<EntityRef, String> {
    let (kind, namespace, name) = split_ref(text, default_kind, default_namespace)?;
    Ok(EntityRef { kind: kind.to_string(), namespace: namespace.to_string(), name: name.to_string() })
}

/// [`parse_ref`] straight to the canonical form.
pub fn parse_canonical(text: &str, default_kind: Option<&str>, default_namespace: &str) -> Result<String, String> {
    let (kind, namespace, name) = split_ref(text, default_kind, default_namespace)?;
    Ok(canonical(kind, namespace, name))
}

/// The kind, namespace and name of a reference, defaults filled in.
fn split_ref<'a>(
    text: &'a str,
    default_kind: Option<&'a str>,
    default_namespace: &'a str,
) -> Result<(&'a str, &'a str, &'a str), String> {
    if text.is_empty() {
        return Err("Entity reference must not be empty".into());
    }
    let slash = text.find('/');
    // A `:` after the first `/` belongs to the name.
    let colon = text.find(':').filter(|&c| slash.is_none_or(|s| c < s));
    let kind = colon.map(|c| &text[..c]);
    let namespace = slash.map(|s| &text[colon.map_or(0, |c| c + 1)..s]);
    let name_start = match (colon, slash) {
        (_, Some(s)) => s + 1,
        (Some(c), None) => c + 1,
        (None, None) => 0,
    };
    let name = &text[name_start..];
    if kind == Some("") || namespace == Some("") || name.is_empty() {
        return Err(format!("Entity reference \"{text}\" was not on the form [<kind>:][<namespace>/]<name>"));
    }
    let Some(kind) = kind.or(default_kind) else {
        return Err(format!(
            "Entity reference \"{text}\" had missing or empty kind (e.g. did not start with \"component:\" or similar)"
        ));
    };
    Ok((kind, namespace.unwrap_or(default_namespace), name))
}

/// A spec field that holds references, with what Backstage does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefField {
    pub field: &'static str,
    /// The kind assumed when a reference names none; `None` means a kind is required.
    pub default_kind: Option<&'static str>,
    /// The relation from the entity to the target, and back.
    pub forward: &'static str,
    pub reverse: &'static str,
    /// Kinds paved expects the target to be (lower-case); empty means any.
    pub target_kinds: &'static [&'static str],
}

const fn f(
    field: &'static str,
    default_kind: Option<&'static str>,
    forward: &'static str,
    reverse: &'static str,
    target_kinds: &'static [&'static str],
) -> RefField {
    RefField { field, default_kind, forward, reverse, target_kinds }
}

const OWNER: RefField = f("owner", Some("Group"), "ownedBy", "ownerOf", &["group", "user"]);
const SYSTEM: RefField = f("system", Some("System"), "partOf", "hasPart", &["system"]);
const DEPENDS_ON: RefField = f("dependsOn", None, "dependsOn", "dependencyOf", &[]);
const DEPENDENCY_OF: RefField = f("dependencyOf", None, "dependencyOf", "dependsOn", &[]);

const COMPONENT: &[RefField] = &[
    OWNER,
    f("subcomponentOf", Some("Component"), "partOf", "hasPart", &["component"]),
    f("providesApis", Some("API"), "providesApi", "apiProvidedBy", &["api"]),
    f("consumesApis", Some("API"), "consumesApi", "apiConsumedBy", &["api"]),
    DEPENDS_ON,
    DEPENDENCY_OF,
    SYSTEM,
];
const API: &[RefField] = &[OWNER, SYSTEM];
const RESOURCE: &[RefField] = &[OWNER, DEPENDS_ON, DEPENDENCY_OF, SYSTEM];
const SYSTEM_FIELDS: &[RefField] = &[OWNER, f("domain", Some("Domain"), "partOf", "hasPart", &["domain"])];
const DOMAIN: &[RefField] = &[OWNER, f("subdomainOf", Some("Domain"), "partOf", "hasPart", &["domain"])];
const GROUP: &[RefField] = &[
    f("parent", Some("Group"), "childOf", "parentOf", &["group"]),
    f("children", Some("Group"), "parentOf", "childOf", &["group"]),
    f("members", Some("User"), "hasMember", "memberOf", &["user"]),
];
const USER: &[RefField] = &[f("memberOf", Some("Group"), "memberOf", "hasMember", &["group"])];
const TEMPLATE: &[RefField] = &[OWNER];

/// The reference fields of a kind (lower-case), in Backstage's processing order.
pub fn ref_fields(kind_lower: &str) -> &'static [RefField] {
    match kind_lower {
        "component" => COMPONENT,
        "api" => API,
        "resource" => RESOURCE,
        "system" => SYSTEM_FIELDS,
        "domain" => DOMAIN,
        "group" => GROUP,
        "user" => USER,
        "template" => TEMPLATE,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: &str, k: Option<&str>) -> Result<String, String> {
        parse_ref(t, k, "default").map(|r| r.canonical())
    }

    #[test]
    fn parses_like_backstage() {
        assert_eq!(p("team-a", Some("Group")).unwrap(), "group:default/team-a");
        assert_eq!(p("user:ops/Jane", Some("Group")).unwrap(), "user:ops/jane");
        assert_eq!(p("a/b/c", Some("Group")).unwrap(), "group:a/b/c");
        assert_eq!(p("a:b:c", None).unwrap(), "a:default/b:c");
        assert_eq!(p("x/y:z", Some("Group")).unwrap(), "group:x/y:z");
        for bad in ["group:", ":x", "/x", "default/", "a:/b"] {
            assert!(p(bad, Some("Group")).unwrap_err().contains("was not on the form"), "{bad}");
        }
        assert!(p("db", None).unwrap_err().contains("missing or empty kind"));
        assert!(p("", Some("Group")).is_err());
    }
}
