//! Policy evaluation at scale: 10,000 catalog entities plus 10,000 component instances against
//! the starter policies in policies/ (compiled once; evaluated on all cores).
//!
//! `cargo bench --bench policy`. Figures are in docs/benchmarks.md. `PAVED_BENCH_N=1000
//! PAVED_BENCH_ONCE=1` runs one evaluation of a given size and stops (for a profiler);
//! `PAVED_BENCH_ANY=1` lifts the starter-set size check.

use criterion::{Criterion, criterion_group, criterion_main};
use paved::policy::{CatalogData, EntityInput, InstanceInput, Prepared, StacksData};
use paved::source::WorkTree;
use paved::yaml::Span;
use serde_json::json;

// The same allocator as the `paved` binary (src/main.rs), so figures match it.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const TENANTS: [&str; 2] = ["plat", "core"];
const STAGES: [&str; 3] = ["dev", "staging", "prod"];
const TYPES: [&str; 3] = ["m6i.large", "t3.medium", "db.r6g.large"];

fn entity(entity_ref: String, entity: serde_json::Value, relations: Vec<(String, String)>, i: usize) -> EntityInput {
    EntityInput {
        entity_ref,
        entity,
        relations,
        file: format!("catalog/{}.yaml", i / 100),
        document: Some(i % 100),
        span: Span::point(1, 1),
        root: None,
    }
}

/// `n` entities: one Group (with a member) per 20, the rest Components owned by a group,
/// depending on their neighbour, with tags and lifecycles (a few violations on purpose).
fn catalog(n: usize) -> CatalogData {
    let mut entities = Vec::with_capacity(n);
    for i in 0..n {
        if i % 20 == 0 {
            let r = format!("group:default/team-{}", i / 20);
            let user = format!("user:default/u{i}");
            let e = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Group",
                "metadata": {"name": format!("team-{}", i / 20)}, "spec": {"type": "team", "children": [], "members": [format!("u{i}")]}});
            entities.push(entity(r, e, vec![("hasMember".into(), user)], i));
            continue;
        }
        let owner = format!("team-{}", i / 20);
        let lifecycle = if i % 50 == 7 { "experimental" } else { "production" };
        let dep = format!("component:default/svc-{}", i + 1);
        let e = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": format!("svc-{i}"), "tags": ["java", "http", if i % 97 == 0 { "todo" } else { "grpc" }],
                "annotations": {"pagerduty.com/service-id": format!("P{i}")}},
            "spec": {"type": "service", "lifecycle": lifecycle, "owner": owner, "dependsOn": [dep.clone()]}});
        let rels = vec![("ownedBy".into(), format!("group:default/{owner}")), ("dependsOn".into(), dep)];
        entities.push(entity(format!("component:default/svc-{i}"), e, rels, i));
    }
    CatalogData { entities }
}

/// `n` instances over 2 tenants × 3 stages × 2 regions, components of a few kinds.
fn stacks(n: usize) -> StacksData {
    let mut instances = Vec::with_capacity(n);
    for i in 0..n {
        let tenant = TENANTS[i % 2];
        let stage = STAGES[(i / 2) % 3];
        let stack = format!("{tenant}-ue2-{stage}-{}", i / 50);
        let component = format!("c{}", i % 50);
        let tf = if i % 10 == 0 { "s3-bucket" } else { "eks" };
        let describe = json!({
            "atmos_stack": stack, "atmos_component": component, "component": tf, "component_type": "terraform",
            "metadata": {"component": tf},
            "settings": {"catalog": {"owner": format!("group:team-{}", i % 400)}},
            "vars": {"tenant": tenant, "stage": stage, "environment": "ue2", "region": "us-east-2",
                "tags": {"Team": "t", "CostCenter": "cc"}, "instance_type": TYPES[i % 3], "instance_count": 1,
                "versioning_enabled": true, "sse_algorithm": "aws:kms", "enabled": true},
        });
        instances.push(InstanceInput {
            stack,
            component,
            describe,
            file: format!("stacks/orgs/{tenant}/{stage}.yaml"),
            span: Span::point(10, 5),
            locator: None,
        });
    }
    StacksData { instances }
}

fn bench(c: &mut Criterion) {
    let repo = WorkTree::new(env!("CARGO_MANIFEST_DIR")).expect("repository");
    let mut cfg = paved::config::Config::default();
    // The starter set without the repository's (empty) waivers.
    cfg.policy.waivers = paved::source::RelPath::new("no-waivers.yaml").expect("literal");
    let prepared = Prepared::load(&repo, &cfg);
    assert!(prepared.diagnostics.is_empty(), "{:?}", prepared.diagnostics);
    // PAVED_BENCH_ANY=1 accepts any number of rules, to profile one policy (with its libraries)
    // on its own by trimming policies/.
    let any = std::env::var_os("PAVED_BENCH_ANY").is_some();
    assert!(any || prepared.set.entries().len() >= 10, "{} rules", prepared.set.entries().len());
    // PAVED_BENCH_N shrinks the run for a quick look in a debug build. `cargo test` runs this
    // bench once without `--bench`: a small input then keeps the test suite fast.
    let full = if std::env::args().any(|a| a == "--bench") { 10_000 } else { 200 };
    let n = std::env::var("PAVED_BENCH_N").ok().and_then(|v| v.parse().ok()).unwrap_or(full);
    let (cat, st) = (catalog(n), stacks(n));
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
    let start = std::time::Instant::now();
    let found = prepared.check(&cat, &st, today);
    eprintln!(
        "{} rules, {n} entities + {n} instances: {} diagnostics in {:?} (first run)",
        prepared.set.entries().len(),
        found.len(),
        start.elapsed()
    );
    // PAVED_BENCH_ONCE=1: the first run only, for a profiler (callgrind, perf record).
    if std::env::var_os("PAVED_BENCH_ONCE").is_some() {
        return;
    }
    let mut g = c.benchmark_group("policy");
    g.sample_size(10);
    g.bench_function(format!("{n} entities + {n} instances, starter set"), |b| {
        b.iter(|| prepared.check(&cat, &st, today))
    });
    g.bench_function("compile starter set", |b| b.iter(|| Prepared::load(&repo, &cfg)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
