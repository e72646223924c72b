//! Local Terraform modules a component calls (`source = "../modules/x"`): a change under
//! one marks the component `component.module`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::source::{EntryKind, FileSource, RelPath};

/// `.tf` files larger than this are not scanned for module sources.
const MAX_TF_BYTES: u64 = 4 << 20;

static SOURCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?m)^\s*source\s*=\s*"(\.\.?/[^"]*)""#).expect("a valid literal regex"));

/// The relative module sources in one `.tf` file. Only `module` blocks take a `source`
/// starting with `./` or `../` (provider sources look like `hashicorp/aws`), so a line scan
/// is enough without an HCL parser.
pub fn local_sources(tf: &str) -> Vec<String> {
    SOURCE.captures_iter(tf).filter_map(|c| c.get(1)).map(|m| m.as_str().to_string()).collect()
}

/// For each folder, the repository-relative module folders its `.tf` files call. Sources
/// that leave the repository, and unreadable files, are skipped.
pub fn scan(src: &dyn FileSource, folders: impl IntoIterator<Item = RelPath>) -> BTreeMap<RelPath, Vec<RelPath>> {
    let mut out = BTreeMap::new();
    for folder in folders {
        let mut mods = Vec::new();
        for e in src.list(&folder).unwrap_or_default() {
            if e.kind != EntryKind::File || !e.path.as_str().ends_with(".tf") {
                continue;
            }
            let Ok(bytes) = src.read(&e.path, MAX_TF_BYTES) else { continue };
            for s in local_sources(&String::from_utf8_lossy(&bytes)) {
                if let Ok(p) = folder.join(&s)
                    && !mods.contains(&p)
                    && p != folder
                {
                    mods.push(p);
                }
            }
        }
        mods.sort();
        out.insert(folder, mods);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemorySource;

    #[test]
    fn finds_local_module_folders_only() {
        let tf = r#"
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
module "label" {
  source  = "../../modules/label"
}
module "remote" {
  source = "cloudposse/label/null"
}
module "here" {
  source = "./sub"
}
"#;
        assert_eq!(local_sources(tf), vec!["../../modules/label", "./sub"]);
        let src = MemorySource::new()
            .with("components/terraform/vpc/main.tf", tf)
            .with("components/terraform/eks/main.tf", "module \"x\" {\n  source = \"../../../../outside\"\n}\n");
        let m = scan(
            &src,
            [RelPath::new("components/terraform/vpc").unwrap(), RelPath::new("components/terraform/eks").unwrap()],
        );
        let vpc: Vec<String> =
            m[&RelPath::new("components/terraform/vpc").unwrap()].iter().map(ToString::to_string).collect();
        assert_eq!(vpc, ["components/modules/label", "components/terraform/vpc/sub"]);
        assert!(m[&RelPath::new("components/terraform/eks").unwrap()].is_empty());
    }
}
