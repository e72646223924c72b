//! Rendering and validating a 200-file skeleton (issue 6 asks for < 100 ms).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use paved::changeset::FileMode;
use paved::config::Config;
use paved::golden::check::{CheckContext, check_result};
use paved::golden::{RenderRequest, Template, TemplateDir, render};
use paved::source::{MemorySource, RelPath};
use serde_json::json;

// The same allocator as the `paved` binary (src/main.rs), so figures match it.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const TEMPLATE: &str = r#"apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: big
spec:
  type: service
  parameters:
    required: [name, owner]
    properties:
      name: {type: string}
      owner: {type: string}
  steps:
    - id: fetch
      action: fetch:template
      input:
        url: ./skeleton
        targetPath: services/${{ parameters.name }}
        values:
          name: ${{ parameters.name }}
          owner: ${{ parameters.owner }}
    - action: catalog:register
      input:
        catalogInfoPath: services/${{ parameters.name }}/catalog-info.yaml
"#;

/// 200 files: one catalog descriptor, 60 YAML files, 139 source and text files of ~40 lines.
fn skeleton() -> TemplateDir {
    let mut d = TemplateDir::default();
    let mut add = |p: &str, c: String| d.insert(RelPath::new(p).unwrap(), c.into_bytes(), FileMode::Regular);
    add("template.yaml", TEMPLATE.to_string());
    add(
        "skeleton/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {{values.name}}\nspec:\n  type: service\n  lifecycle: production\n  owner: {{values.owner}}\n".into(),
    );
    for i in 0..60 {
        let body: String = (0..40).map(|l| format!("  key{l}: {{{{values.name}}}}-{i}-{l}\n")).collect();
        add(&format!("skeleton/config/{{{{values.name}}}}-{i}.yaml"), format!("service:\n{body}"));
    }
    for i in 0..139 {
        let body: String = (0..40)
            .map(|l| format!("// line {l} of {{{{values.name}}}} owned by {{{{values.owner}}}}{{{{#if values.name}}}} ok{{{{/if}}}}\n"))
            .collect();
        add(&format!("skeleton/src/mod{i}.rs"), body);
    }
    d
}

fn bench(c: &mut Criterion) {
    let files = skeleton();
    let template = Template::parse("big/template.yaml", files.text("template.yaml").unwrap()).unwrap();
    let base = MemorySource::new()
        .with("catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets:\n    - ./team.yaml\n")
        .with("team.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n");
    let values = json!({"name": "pay", "owner": "group:team-a"}).as_object().unwrap().clone();
    let cfg = Config::default();
    let ctx = CheckContext { env: Default::default(), today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap() };
    let render_only = |files: &TemplateDir| {
        let r = render(&RenderRequest {
            template: &template,
            files,
            label: "big",
            parameters: &values,
            base: &base,
            version: "v1",
            source: "big",
        })
        .unwrap();
        assert_eq!(r.changes.len(), 202); // 200 files, the Location edit, the answers
        r
    };
    let run = |files: &TemplateDir| {
        let r = render_only(files);
        let report = check_result(&base, &r.changes, &cfg, &ctx);
        assert!(!report.has_errors(), "{:#?}", report.diagnostics);
    };
    // What `paved new` does: the template folder is read fresh, so every file is compiled.
    c.bench_function("golden/render+validate 200 files (cold)", |b| {
        b.iter_batched(skeleton, |files| run(&files), BatchSize::SmallInput)
    });
    c.bench_function("golden/render 200 files (cold)", |b| {
        b.iter_batched(skeleton, |files| render_only(&files), BatchSize::SmallInput)
    });
    // The same template folder rendered again: its files are compiled once.
    c.bench_function("golden/render+validate 200 files (compiled)", |b| b.iter(|| run(&files)));
}

criterion_group!(benches, bench);
criterion_main!(benches);
