//! `component_info.terraform_config` against what Atmos printed in the conformance set's
//! full `describe component` outputs (the conformance test itself ignores this key).

use std::path::{Path, PathBuf};

use paved::source::{RelPath, WorkTree};
use paved::stacks::tfconfig;
use serde_json::Value as Json;

fn conformance_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PAVED_ATMOS_CONFORMANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/atmos"));
    dir.join("cases.yaml").is_file().then_some(dir)
}

/// (case, scenario folder, component folder, the machine path Atmos's golden printed)
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "describe-component-native-terraform-dev",
        "examples-native-terraform",
        "components/terraform/vpc",
        "/absolute/path/to/repo/examples/native-terraform",
    ),
    (
        "describe-component-native-terraform-production",
        "examples-native-terraform",
        "components/terraform/vpc",
        "/absolute/path/to/repo/examples/native-terraform",
    ),
    (
        "describe-component-stack-names-dev",
        "examples-stack-names",
        "components/terraform/mock",
        "/absolute/path/to/repo/examples/stack-names",
    ),
    (
        "describe-component-stack-manifest-name-no-name-prod",
        "stack-manifest-name",
        "components/terraform/vpc",
        "/absolute/path/to/repo/tests/fixtures/scenarios/stack-manifest-name",
    ),
];

#[test]
fn terraform_config_matches_atmos() {
    let Some(conf) = conformance_dir() else {
        eprintln!("skipped: no conformance data set");
        return;
    };
    for (case, scenario, folder, machine) in CASES {
        let golden: Json =
            serde_json::from_str(&std::fs::read_to_string(conf.join(format!("expected/{case}.json"))).unwrap())
                .unwrap();
        let tree = WorkTree::new(conf.join("scenarios").join(scenario)).unwrap();
        let show = |rel: &str| format!("{machine}/{rel}");
        let got = tfconfig::inspect(&tree, &RelPath::new(folder).unwrap(), &show).unwrap_or(Json::Null);
        assert_eq!(got, golden["component_info"]["terraform_config"], "{case}");
    }
}
