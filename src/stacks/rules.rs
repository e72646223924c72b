//! Rule ids of the stacks engine, each described for `paved rules`, SARIF and the docs.

use crate::report::{RuleInfo, Severity};

pub const ATMOS_CONFIG: &str = "stacks/atmos-config";
pub const YAML: &str = "stacks/yaml-invalid";
pub const TEMPLATE: &str = "stacks/template-error";
pub const FILE_UNREADABLE: &str = "stacks/file-unreadable";
pub const PATH_OUTSIDE: &str = "stacks/path-outside-repository";
pub const INCLUDE: &str = "stacks/include-error";
pub const IMPORT_INVALID: &str = "stacks/import-invalid";
pub const IMPORT_NOT_FOUND: &str = "stacks/import-not-found";
pub const IMPORT_SELF: &str = "stacks/import-self";
pub const IMPORT_CYCLE: &str = "stacks/import-cycle";
pub const IMPORT_GLOB_TOO_BROAD: &str = "stacks/import-glob-too-broad";
pub const NO_STACKS: &str = "stacks/no-stacks";
pub const INHERITANCE: &str = "stacks/inheritance";
pub const SECTION_TYPE: &str = "stacks/section-type";
pub const COMPONENT_NAME: &str = "stacks/component-name";
pub const COMPONENT_CONFLICT: &str = "stacks/component-conflict";
pub const SCHEMA: &str = "stacks/schema";
pub const BACKEND_TYPE: &str = "stacks/backend-type-without-backend";
pub const ROOT_METADATA: &str = "stacks/root-metadata";
pub const SETTINGS_VALIDATION: &str = "stacks/settings-validation";

const fn rule(id: &'static str, summary: &'static str, why: &'static str, example: &'static str) -> RuleInfo {
    RuleInfo { id, severity: Severity::Error, summary, why, example }
}

/// Every rule the stacks engine reports.
pub fn all() -> Vec<RuleInfo> {
    vec![
        rule(
            ATMOS_CONFIG,
            "atmos.yaml must be readable and its paths inside the repository",
            "Atmos would fail to start or read the wrong files.",
            "base_path: ../../elsewhere",
        ),
        rule(
            YAML,
            "Every stack file must be valid YAML holding a mapping",
            "Atmos stops at the first file it cannot parse.",
            "vars: [unclosed",
        ),
        rule(
            TEMPLATE,
            "Go templates in `.tmpl` files, imports with context and manifests must render",
            "Atmos fails the command, or renders a value you did not mean.",
            "vars:\n  stage: \"{{ .stage \"",
        ),
        rule(
            FILE_UNREADABLE,
            "Stack files must be readable and within the size limit",
            "An unreadable file hides configuration.",
            "",
        ),
        rule(
            PATH_OUTSIDE,
            "Imports, includes and base paths must stay inside the repository",
            "A path out of the repository (or a symlink out of it) reads files paved must not read.",
            "import:\n  - ../../../etc/passwd",
        ),
        rule(
            INCLUDE,
            "`!include` must name a readable local file",
            "Atmos fails on a missing include.",
            "vars: !include missing.yaml",
        ),
        rule(
            IMPORT_INVALID,
            "Each import is a path or a map with `path`",
            "Atmos rejects other forms.",
            "import:\n  - 42",
        ),
        rule(
            IMPORT_NOT_FOUND,
            "Each import must match a file (unless `skip_if_missing`)",
            "Atmos fails with `no matches found for the import`.",
            "import:\n  - catalog/nope",
        ),
        rule(IMPORT_SELF, "A file must not import itself", "Atmos rejects self-imports.", "import:\n  - orgs/acme/dev"),
        rule(
            IMPORT_CYCLE,
            "Imports must not form a cycle",
            "A cycle never terminates in Atmos.",
            "# a.yaml imports b, b.yaml imports a",
        ),
        rule(
            IMPORT_GLOB_TOO_BROAD,
            "A glob import must not match more than 1,000 files",
            "It is almost certainly a mistake and makes every stack huge.",
            "import:\n  - \"**/*\"",
        ),
        rule(
            NO_STACKS,
            "`stacks.included_paths` must match at least one stack manifest",
            "Atmos fails when it finds no stacks.",
            "",
        ),
        rule(
            INHERITANCE,
            "`metadata.inherits` must name defined components, without cycles, at most 64 deep",
            "Atmos fails describing or planning the component.",
            "metadata:\n  inherits: [nope]",
        ),
        rule(
            SECTION_TYPE,
            "`vars`, `settings`, `env`, `backend`... must be maps",
            "Atmos fails with `invalid ... section`.",
            "vars: [a]",
        ),
        rule(
            COMPONENT_NAME,
            "Component names match `^[/a-zA-Z0-9-_{}. ]+$`",
            "Other characters break workspaces, paths and shells.",
            "components:\n  terraform:\n    \"../x\": {}",
        ),
        rule(
            COMPONENT_CONFLICT,
            "Two top-level manifests composing one stack must not define a component differently",
            "Which definition wins would depend on file order.",
            "",
        ),
        rule(
            SCHEMA,
            "Stack manifests follow the Atmos manifest JSON Schema",
            "Unknown keys and wrong types are silently ignored by Atmos or fail late.",
            "terraform:\n  varz: {}",
        ),
        rule(
            BACKEND_TYPE,
            "A `backend_type` needs a matching key under `backend`",
            "Terraform gets an empty backend configuration.",
            "backend_type: s3\nbackend:\n  gcs: {}",
        ),
        rule(
            ROOT_METADATA,
            "Root `metadata` may hold only labels, tags, custom, enabled, locked, terraform_workspace_pattern",
            "Atmos rejects other keys.",
            "metadata:\n  component: vpc",
        ),
        rule(
            SETTINGS_VALIDATION,
            "A component's `settings.validation` JSON Schemas must accept it",
            "Atmos runs these before every terraform command.",
            "",
        ),
    ]
}
