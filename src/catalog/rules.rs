//! Every catalog rule: its id, default severity and documentation (also in docs/rules.md).
//!
//! `backstage/...` rules are what Backstage itself rejects; `catalog/...` rules are what paved
//! adds across files.

use crate::report::{RuleInfo, Severity};

pub const YAML_SYNTAX: &str = "backstage/yaml-syntax";
pub const YAML_DUPLICATE_KEY: &str = "backstage/yaml-duplicate-key";
pub const YAML_ROOT: &str = "backstage/yaml-root";
pub const ENVELOPE: &str = "backstage/envelope";
pub const KIND_NOT_ALLOWED: &str = "backstage/kind-not-allowed";
pub const ROOT_FIELDS: &str = "backstage/root-fields";
pub const API_VERSION: &str = "backstage/api-version";
pub const KIND_FORMAT: &str = "backstage/kind-format";
pub const KIND_UNKNOWN: &str = "backstage/kind-unknown";
pub const METADATA_NAME: &str = "backstage/metadata-name";
pub const METADATA_NAMESPACE: &str = "backstage/metadata-namespace";
pub const METADATA_TITLE: &str = "backstage/metadata-title";
pub const METADATA_LABELS: &str = "backstage/metadata-labels";
pub const METADATA_ANNOTATIONS: &str = "backstage/metadata-annotations";
pub const METADATA_TAGS: &str = "backstage/metadata-tags";
pub const METADATA_LINKS: &str = "backstage/metadata-links";
pub const METADATA: &str = "backstage/metadata";
pub const SPEC_REQUIRED: &str = "backstage/spec-required";
pub const SPEC_TYPE: &str = "backstage/spec-type";
pub const ENTITY_REF: &str = "backstage/entity-ref";
pub const LOCATION_TYPE: &str = "backstage/location-type";
pub const LOCATION_TARGET: &str = "backstage/location-target";

pub const FILE_UNREADABLE: &str = "catalog/file-unreadable";
pub const FILE_DROPPED: &str = "catalog/file-dropped";
pub const REF_UNRESOLVED: &str = "catalog/ref-unresolved";
pub const REF_KIND: &str = "catalog/ref-kind";
pub const RELATION_MISMATCH: &str = "catalog/relation-mismatch";
pub const DUPLICATE: &str = "catalog/duplicate";
pub const ORPHAN: &str = "catalog/orphan";
pub const CYCLE: &str = "catalog/cycle";
pub const ROOT_MISSING: &str = "catalog/root-missing";
pub const LOCATION_EXTERNAL: &str = "catalog/location-external";
pub const KIND_SCHEMA: &str = "catalog/kind-schema";
pub const YAML_LIMIT: &str = "catalog/yaml-limit";

const fn rule(
    id: &'static str,
    severity: Severity,
    summary: &'static str,
    why: &'static str,
    example: &'static str,
) -> RuleInfo {
    RuleInfo { id, severity, summary, why, example }
}

use Severity::{Error, Note, Warning};

/// Every catalog rule, in the order `paved rules` lists them.
pub fn all() -> Vec<RuleInfo> {
    vec![
        rule(
            YAML_SYNTAX,
            Error,
            "The file must be well-formed YAML (as Backstage's reader sees it, including its limit of 100 uses per anchor) and valid UTF-8.",
            "Backstage cannot read the file and drops every entity in it.",
            "metadata:\n  name: [unclosed\n",
        ),
        rule(
            YAML_DUPLICATE_KEY,
            Error,
            "A mapping must not repeat a key.",
            "Backstage's YAML parser rejects the whole file; other tools silently keep the last value.",
            "metadata:\n  name: a\n  name: b\n",
        ),
        rule(
            YAML_ROOT,
            Error,
            "Each YAML document must be a mapping (empty documents are ignored).",
            "Backstage fails the file with `Expected object at root`.",
            "- apiVersion: backstage.io/v1alpha1\n",
        ),
        rule(
            ENVELOPE,
            Error,
            "apiVersion, kind and metadata.name must be non-empty strings, metadata a mapping, metadata.namespace a non-empty string when present and metadata.annotations a mapping when present.",
            "Without an envelope Backstage cannot name the entity and drops every entity of the file.",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {}\n",
        ),
        rule(
            KIND_NOT_ALLOWED,
            Error,
            "The kind must be one of the allowed kinds (paved.yaml `catalog.allowed_kinds`, like Backstage's `catalog.rules`).",
            "Backstage refuses kinds that its catalog rules do not allow, and drops every entity of the file.",
            "kind: Secret\n",
        ),
        rule(
            ROOT_FIELDS,
            Error,
            "Only apiVersion, kind, metadata and spec may appear at the root.",
            "Backstage rejects `relations`, `status` and any other root field.",
            "status: {}\n",
        ),
        rule(
            API_VERSION,
            Error,
            "apiVersion must be `[<dns-subdomain>/]<version>`.",
            "Backstage's field format policy rejects the entity.",
            "apiVersion: Backstage.io/v1alpha1\n",
        ),
        rule(
            KIND_FORMAT,
            Error,
            "kind must be a letter followed by letters and digits, at most 63 characters.",
            "Backstage's field format policy rejects the entity.",
            "kind: my-kind\n",
        ),
        rule(
            KIND_UNKNOWN,
            Error,
            "kind and apiVersion must name a known kind (case-sensitive) or one declared in paved.yaml with a schema.",
            "No Backstage processor recognises the entity (`component` is not `Component`), so it never appears.",
            "apiVersion: backstage.io/v1alpha1\nkind: component\n",
        ),
        rule(
            METADATA_NAME,
            Error,
            "metadata.name must be letters, digits and [-_.], start and end with a letter or digit, at most 63 characters.",
            "Backstage rejects the entity.",
            "metadata:\n  name: my service\n",
        ),
        rule(
            METADATA_NAMESPACE,
            Error,
            "metadata.namespace must be a lower-case DNS label (a-z, 0-9, -), at most 63 characters.",
            "Backstage rejects the entity.",
            "metadata:\n  namespace: Payments\n",
        ),
        rule(
            METADATA_TITLE,
            Error,
            "metadata.title must be a non-empty string.",
            "Backstage's schema rejects the entity.",
            "metadata:\n  title: \"\"\n",
        ),
        rule(
            METADATA_LABELS,
            Error,
            "Label keys must be `[<dns-subdomain>/]<name>`, values strings that are empty or names.",
            "Backstage rejects the entity.",
            "metadata:\n  labels:\n    tier: gold star\n",
        ),
        rule(
            METADATA_ANNOTATIONS,
            Error,
            "Annotation keys must be `[<dns-subdomain>/]<name>`, values strings.",
            "Backstage rejects the entity.",
            "metadata:\n  annotations:\n    Example.com/x: y\n",
        ),
        rule(
            METADATA_TAGS,
            Error,
            "Tags must be strings of [a-z0-9:+#] separated by single `-`, at most 63 characters.",
            "Backstage rejects the entity (`node.js`, `Java` and `a--b` are not tags).",
            "metadata:\n  tags: [Java]\n",
        ),
        rule(
            METADATA_LINKS,
            Error,
            "Links must be mappings with an absolute `url`; `title`, `icon` and `type` non-blank strings when present.",
            "Backstage rejects the entity.",
            "metadata:\n  links:\n    - url: grafana/dashboard\n",
        ),
        rule(
            METADATA,
            Error,
            "Other metadata fields must have their types (description a string, uid and etag non-empty strings).",
            "Backstage's schema rejects the entity.",
            "metadata:\n  description: [a, b]\n",
        ),
        rule(
            SPEC_REQUIRED,
            Error,
            "The kind's required fields must be present (spec itself is required for the built-in kinds).",
            "Backstage's kind schema rejects the entity, e.g. a Component without owner.",
            "kind: Component\nspec:\n  type: service\n  lifecycle: production\n",
        ),
        rule(
            SPEC_TYPE,
            Error,
            "spec fields must have the type the kind's schema gives them.",
            "Backstage's kind schema rejects the entity, e.g. an API definition loaded with $yaml is an object, not a string.",
            "kind: Component\nspec:\n  providesApis: petstore\n",
        ),
        rule(
            ENTITY_REF,
            Error,
            "References must be `[<kind>:][<namespace>/]<name>`; dependsOn and dependencyOf need an explicit kind.",
            "Backstage fails the entity when it builds its relations.",
            "spec:\n  dependsOn: [payments-db]\n",
        ),
        rule(
            LOCATION_TYPE,
            Error,
            "A Location's type must be `url` (the type a repository is read with) or one of `catalog.location_types`.",
            "Backstage refuses to register the location.",
            "kind: Location\nspec:\n  type: file\n  target: ./x.yaml\n",
        ),
        rule(
            LOCATION_TARGET,
            Error,
            "A required Location target must exist in the repository as a file (a glob must match one); a `file` target must not end in `/`.",
            "Backstage reports NotFoundError on the Location and registers nothing from it.",
            "kind: Location\nspec:\n  target: ./missing.yaml\n",
        ),
        rule(
            FILE_UNREADABLE,
            Error,
            "A descriptor file must be readable: a regular file inside the repository, under the size limit.",
            "paved cannot check what it cannot read; Backstage could not read it either.",
            "catalog-info.yaml -> /etc/passwd (a symbolic link out of the repository)",
        ),
        rule(
            YAML_LIMIT,
            Error,
            "A file must stay within paved's YAML limits: nesting depth (limits.max_yaml_depth) and alias expansion (limits.max_yaml_alias_nodes).",
            "Alias bombs and absurd nesting would exhaust memory or the stack; Backstage itself has no such limit, so this is paved's rule.",
            "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n# ... and so on",
        ),
        rule(
            FILE_DROPPED,
            Warning,
            "A YAML or envelope error in one document makes Backstage drop every entity of its file.",
            "The other entities of the file silently disappear from (or stop updating in) the catalog.",
            "# a.yaml: a valid Component, then a document with `kind:` missing",
        ),
        rule(
            REF_UNRESOLVED,
            Error,
            "Every reference must name an entity in the repository.",
            "Backstage accepts dangling references and shows broken links; paved catches them before merge.",
            "spec:\n  owner: team-that-does-not-exist\n",
        ),
        rule(
            REF_KIND,
            Error,
            "A reference must name an entity of a kind that fits the field (owner a Group or User, system a System, ...).",
            "Backstage builds the relation anyway, and the catalog shows a component owned by a component.",
            "spec:\n  owner: component:billing\n",
        ),
        rule(
            RELATION_MISMATCH,
            Warning,
            "Group parent/children and members/memberOf must agree on both sides.",
            "Backstage builds the relation from either side, so a one-sided edit keeps a relation the other file no longer states.",
            "# group a: children: [b]; group b: parent: c",
        ),
        rule(
            DUPLICATE,
            Error,
            "An entity (kind, namespace and name, case-insensitive) must be defined once.",
            "Backstage keeps whichever location claimed it first and ignores the other, with only a log line.",
            "# two files both defining component:default/billing",
        ),
        rule(
            ORPHAN,
            Warning,
            "Every descriptor should be reachable from a root Location.",
            "Backstage never reads a file that no Location points at.",
            "# services/x/catalog-info.yaml, matched by paved.yaml globs but by no Location",
        ),
        rule(
            CYCLE,
            Error,
            "parent, subcomponentOf and subdomainOf must not form a cycle.",
            "A cycle makes a hierarchy with no root, which breaks Backstage's tree views and ownership roll-ups.",
            "# group a: parent: b; group b: parent: a",
        ),
        rule(
            ROOT_MISSING,
            Error,
            "A root configured in paved.yaml `catalog.roots` must exist.",
            "Nothing is validated from a root that is not there.",
            "catalog:\n  roots: [catalog-info.yml]\n",
        ),
        rule(
            LOCATION_EXTERNAL,
            Note,
            "A Location target outside this repository (an absolute URL or path) is not followed.",
            "paved validates one repository; the target is checked where it lives.",
            "spec:\n  target: https://github.com/acme/other/blob/main/catalog-info.yaml\n",
        ),
        rule(
            KIND_SCHEMA,
            Error,
            "The JSON Schema of a kind declared in paved.yaml must be readable and valid.",
            "Entities of that kind cannot be checked otherwise.",
            "catalog:\n  kinds:\n    - {apiVersion: acme.com/v1, kind: Service, schema: missing.json}\n",
        ),
    ]
}

/// The default severity of a rule.
pub fn severity(id: &str) -> Severity {
    match id {
        FILE_DROPPED | RELATION_MISMATCH | ORPHAN => Warning,
        LOCATION_EXTERNAL => Note,
        _ => Error,
    }
}
