//! `paved-bench gen-stacks`: a synthetic Atmos repository the size Atmos users report as slow.
//!
//! Defaults: 200 stacks (20 tenants × 5 stages × 2 regions) × 50 components = 10,000 component
//! instances, each stack importing 9 files (stage defaults → tenant → org, region mixin, its
//! own network and apps files, five bundles of ten component catalogs), each component three
//! levels of inheritance (`cNN/l1` ← `cNN/l2` ← `cNN/l3` ← `cNN`), about 1,000 stack files.
//! Deterministic: the same arguments write the same bytes.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Tenants (each has 5 stages × 2 regions = 10 stacks).
    #[arg(long, default_value_t = 20)]
    tenants: usize,
    /// Components per stack (a multiple of 10).
    #[arg(long, default_value_t = 50)]
    components: usize,
    /// Output directory (created; must be empty or absent).
    out: PathBuf,
}

const STAGES: &[&str] = &["dev", "qa", "staging", "perf", "prod"];
const REGIONS: &[(&str, &str)] = &[("us-east-2", "ue2"), ("us-west-2", "uw2")];
const VARIANTS: usize = 10;

fn write(root: &Path, rel: &str, text: &str) -> anyhow::Result<()> {
    let p = root.join(rel);
    if let Some(d) = p.parent() {
        fs::create_dir_all(d)?;
    }
    fs::write(&p, text).with_context(|| format!("cannot write {}", p.display()))
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if args.components == 0 || !args.components.is_multiple_of(10) {
        bail!("--components must be a positive multiple of 10");
    }
    if args.out.exists() && fs::read_dir(&args.out)?.next().is_some() {
        bail!("{} is not empty", args.out.display());
    }
    let root = &args.out;
    let bundles = args.components / 10;
    let mut files = 0usize;
    let mut put = |rel: &str, text: &str| -> anyhow::Result<()> {
        files += 1;
        write(root, rel, text)
    };
    put(
        "atmos.yaml",
        "base_path: \".\"\ncomponents:\n  terraform:\n    base_path: components/terraform\nstacks:\n  base_path: stacks\n  included_paths:\n    - \"orgs/**/*\"\n  excluded_paths:\n    - \"**/_*.yaml\"\n  name_pattern: \"{tenant}-{environment}-{stage}\"\n",
    )?;
    put(
        "stacks/orgs/acme/_defaults.yaml",
        "vars:\n  namespace: acme\nterraform:\n  backend_type: s3\n  backend:\n    s3:\n      bucket: acme-tfstate\n      region: us-east-2\n      encrypt: true\n",
    )?;
    for (region, env) in REGIONS {
        put(
            &format!("stacks/mixins/region/{region}.yaml"),
            &format!("vars:\n  region: {region}\n  environment: {env}\n"),
        )?;
    }
    for stage in STAGES {
        put(
            &format!("stacks/mixins/stage/{stage}.yaml"),
            &format!("vars:\n  stage: {stage}\nsettings:\n  lifecycle: {stage}\n"),
        )?;
    }
    for c in 0..args.components {
        let name = format!("c{c:02}");
        put(
            &format!("stacks/catalog/{name}/l1.yaml"),
            &format!(
                "components:\n  terraform:\n    {name}/l1:\n      metadata:\n        type: abstract\n        component: {name}\n      settings:\n        catalog:\n          owner: group:team-{}\n      vars:\n        name: {name}\n        enabled: true\n        size: small\n        tags:\n          Component: {name}\n        subnets: [a, b]\n",
                c % 7
            ),
        )?;
        put(
            &format!("stacks/catalog/{name}/l2.yaml"),
            &format!(
                "import:\n  - catalog/{name}/l1\ncomponents:\n  terraform:\n    {name}/l2:\n      metadata:\n        type: abstract\n        component: {name}\n        inherits: [{name}/l1]\n      vars:\n        size: medium\n        retention_days: {}\n        tags:\n          Level: two\n",
                7 + c % 30
            ),
        )?;
        put(
            &format!("stacks/catalog/{name}/l3.yaml"),
            &format!(
                "import:\n  - catalog/{name}/l2\ncomponents:\n  terraform:\n    {name}/l3:\n      metadata:\n        type: abstract\n        component: {name}\n        inherits: [{name}/l2]\n      backend:\n        s3:\n          workspace_key_prefix: {name}\n      vars:\n        monitoring: true\n        tags:\n          Level: three\n"
            ),
        )?;
    }
    for v in 0..VARIANTS {
        for b in 0..bundles {
            let mut text = String::from("import:\n");
            for i in 0..10 {
                let _ = writeln!(text, "  - catalog/c{:02}/l3", b * 10 + i);
            }
            let _ = write!(text, "vars:\n  bundle_variant: v{v}\n");
            put(&format!("stacks/catalog/bundles/v{v}-b{b}.yaml"), &text)?;
        }
    }
    let mut stacks = 0usize;
    for t in 0..args.tenants {
        let tenant = format!("t{t:02}");
        put(
            &format!("stacks/orgs/acme/{tenant}/_defaults.yaml"),
            &format!(
                "import:\n  - orgs/acme/_defaults\nvars:\n  tenant: {tenant}\n  tags:\n    Team: team-{tenant}\n    CostCenter: cc-{t}\n"
            ),
        )?;
        for (si, stage) in STAGES.iter().enumerate() {
            put(
                &format!("stacks/orgs/acme/{tenant}/{stage}/_defaults.yaml"),
                &format!("import:\n  - orgs/acme/{tenant}/_defaults\n  - mixins/stage/{stage}\n"),
            )?;
            for (ri, (region, _)) in REGIONS.iter().enumerate() {
                let dir = format!("stacks/orgs/acme/{tenant}/{stage}");
                put(
                    &format!("{dir}/_net-{region}.yaml"),
                    &format!(
                        "vars:\n  cidr: 10.{}.{}.0/24\nterraform:\n  vars:\n    vpc_id: vpc-{t}{si}{ri}\n",
                        t,
                        si * 2 + ri
                    ),
                )?;
                put(
                    &format!("{dir}/_apps-{region}.yaml"),
                    &format!("settings:\n  apps:\n    replicas: {}\n    image: app:{t}.{si}\n", 1 + (t + si) % 4),
                )?;
                let mut text = format!(
                    "import:\n  - orgs/acme/{tenant}/{stage}/_defaults\n  - mixins/region/{region}\n  - orgs/acme/{tenant}/{stage}/_net-{region}\n  - orgs/acme/{tenant}/{stage}/_apps-{region}\n"
                );
                for b in 0..bundles {
                    let _ = writeln!(text, "  - catalog/bundles/v{}-b{b}", (t + si + ri + b) % VARIANTS);
                }
                text.push_str("components:\n  terraform:\n");
                for c in 0..args.components {
                    let _ = write!(
                        text,
                        "    c{c:02}:\n      metadata:\n        component: c{c:02}\n        inherits: [c{c:02}/l3]\n      vars:\n        instance: {}\n        tags:\n          Stack: {tenant}-{stage}-{ri}\n",
                        (t * 31 + c) % 97
                    );
                }
                put(&format!("{dir}/{region}.yaml"), &text)?;
                stacks += 1;
            }
        }
    }
    for c in 0..args.components {
        write(root, &format!("components/terraform/c{c:02}/main.tf"), "variable \"name\" {\n  type = string\n}\n")?;
    }
    println!(
        "wrote {files} stack files ({stacks} stacks, {} component instances) to {}",
        stacks * args.components,
        root.display()
    );
    Ok(())
}
