//! `paved-bench gen-catalog`: a synthetic Backstage catalog of N entities.
//!
//! A realistic mix (components with their APIs and resources, systems, domains, a group tree,
//! users, templates), every reference resolving, about three entities per file, reached from a
//! root `catalog-info.yaml` through Location globs. Seeded: the same N gives the same bytes.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many entities to write (at least 100).
    #[arg(long, short = 'n', default_value_t = 10_000)]
    entities: usize,
    /// Output directory (created; must be empty or absent).
    out: PathBuf,
}

struct Counts {
    domains: usize,
    systems: usize,
    groups: usize,
    users: usize,
    services: usize,
}

fn counts(n: usize) -> Counts {
    // Per 100 entities: 1 domain, 4 systems, 3 groups, 10 users, and services of three
    // entities each (component + API + resource) for the rest.
    let domains = (n / 100).max(1);
    let systems = (n * 4 / 100).max(1);
    let groups = (n * 3 / 100).max(2);
    let users = (n / 10).max(2);
    let services = n.saturating_sub(domains + systems + groups + users + 2) / 3;
    Counts { domains, systems, groups, users, services }
}

const LIFECYCLES: &[&str] = &["production", "experimental", "deprecated"];
const LANGS: &[&str] = &["java", "go", "rust", "python", "node-js", "kotlin"];

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

fn entity(out: &mut String, kind: &str, name: &str, description: &str, extra_meta: &str, spec: &str) {
    if !out.is_empty() {
        out.push_str("---\n");
    }
    let _ = write!(
        out,
        "apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n  description: {description}\n{extra_meta}spec:\n{spec}"
    );
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let n = args.entities.max(100);
    let c = counts(n);
    let out = &args.out;
    if out.exists() && fs::read_dir(out)?.next().is_some() {
        anyhow::bail!("{} is not empty", out.display());
    }
    let group = |i: usize| format!("team-{:04}", i % c.groups);
    let system = |i: usize| format!("system-{:04}", i % c.systems);

    write(
        &out.join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\n  description: Everything in this repository\nspec:\n  type: url\n  targets:\n    - ./org/*.yaml\n    - ./systems/*.yaml\n    - ./services/*/catalog-info.yaml\n    - ./templates/*.yaml\n",
    )?;

    // Groups: a tree (each group's parent is group i/4), three per file, children listed on
    // both sides as Backstage users write them.
    let mut written = 1;
    let mut file = String::new();
    let mut file_no = 0;
    let flush = |file: &mut String, prefix: &str, file_no: &mut usize| -> anyhow::Result<()> {
        if !file.is_empty() {
            write(&out.join(format!("org/{prefix}-{:05}.yaml", *file_no)), file)?;
            file.clear();
            *file_no += 1;
        }
        Ok(())
    };
    for g in 0..c.groups {
        let children: Vec<String> = (1..=4).map(|k| g * 4 + k).filter(|&k| k < c.groups).map(group).collect();
        let parent = if g == 0 { String::new() } else { format!("  parent: {}\n", group((g - 1) / 4)) };
        let members: Vec<String> =
            (0..c.users).filter(|u| u % c.groups == g).take(6).map(|u| format!("user-{u:05}")).collect();
        let spec = format!(
            "  type: team\n  profile:\n    displayName: Team {g}\n    email: team-{g}@example.com\n{parent}  children: [{}]\n  members: [{}]\n",
            children.join(", "),
            members.join(", ")
        );
        entity(&mut file, "Group", &group(g), &format!("Engineering team number {g}."), "", &spec);
        written += 1;
        if g % 3 == 2 {
            flush(&mut file, "groups", &mut file_no)?;
        }
    }
    flush(&mut file, "groups", &mut file_no)?;
    for u in 0..c.users {
        let spec = format!(
            "  profile:\n    displayName: User {u}\n    email: user-{u}@example.com\n  memberOf: [{}]\n",
            group(u % c.groups)
        );
        entity(&mut file, "User", &format!("user-{u:05}"), "A person who works here.", "", &spec);
        written += 1;
        if u % 3 == 2 {
            flush(&mut file, "users", &mut file_no)?;
        }
    }
    flush(&mut file, "users", &mut file_no)?;

    for d in 0..c.domains {
        entity(
            &mut file,
            "Domain",
            &format!("domain-{d:03}"),
            "A business domain.",
            "",
            &format!("  owner: {}\n", group(d)),
        );
        written += 1;
        if d % 3 == 2 {
            flush(&mut file, "domains", &mut file_no)?;
        }
    }
    flush(&mut file, "domains", &mut file_no)?;
    file_no = 0;
    for s in 0..c.systems {
        entity(
            &mut file,
            "System",
            &system(s),
            "A system of services.",
            "  tags: [platform]\n",
            &format!("  owner: {}\n  domain: domain-{:03}\n", group(s), s % c.domains),
        );
        written += 1;
        if s % 3 == 2 {
            write(&out.join(format!("systems/systems-{file_no:05}.yaml")), &file)?;
            file.clear();
            file_no += 1;
        }
    }
    if !file.is_empty() {
        write(&out.join(format!("systems/systems-{file_no:05}.yaml")), &file)?;
        file.clear();
    }

    for i in 0..c.services {
        let name = format!("service-{i:05}");
        let lifecycle = LIFECYCLES[i % LIFECYCLES.len()];
        let lang = LANGS[i % LANGS.len()];
        let owner = group(i * 7);
        let sys = system(i);
        let meta = format!(
            "  annotations:\n    github.com/project-slug: acme/{name}\n    backstage.io/techdocs-ref: dir:.\n    pagerduty.com/service-id: P{i:06}\n  tags: [{lang}, http]\n  links:\n    - url: https://grafana.example.com/d/{name}\n      title: Dashboard\n      icon: dashboard\n"
        );
        let mut deps = format!("resource:{name}-db");
        if i > 0 {
            let _ = write!(deps, ", component:service-{:05}", (i * 31) % i);
        }
        let consumes =
            if i > 0 { format!("  consumesApis: [service-{:05}-api]\n", (i * 17) % i) } else { String::new() };
        entity(
            &mut file,
            "Component",
            &name,
            &format!("Service {i}, written in {lang}."),
            &meta,
            &format!(
                "  type: service\n  lifecycle: {lifecycle}\n  owner: {owner}\n  system: {sys}\n  providesApis: [{name}-api]\n{consumes}  dependsOn: [{deps}]\n"
            ),
        );
        entity(
            &mut file,
            "API",
            &format!("{name}-api"),
            &format!("The HTTP API of service {i}."),
            "",
            &format!(
                "  type: openapi\n  lifecycle: {lifecycle}\n  owner: {owner}\n  system: {sys}\n  definition: |\n    openapi: 3.0.0\n    info:\n      title: {name}\n      version: 1.0.0\n    paths:\n      /health:\n        get:\n          responses:\n            '200':\n              description: ok\n"
            ),
        );
        entity(
            &mut file,
            "Resource",
            &format!("{name}-db"),
            "The service's PostgreSQL database.",
            "",
            &format!("  type: database\n  owner: {owner}\n  system: {sys}\n"),
        );
        written += 3;
        write(&out.join(format!("services/{name}/catalog-info.yaml")), &file)?;
        file.clear();
    }

    // Fill up to exactly N with templates.
    let mut t = 0;
    while written < n {
        let text = format!(
            "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: template-{t:04}\n  title: Template {t}\nspec:\n  type: service\n  owner: {}\n  parameters:\n    - title: Name\n      required: [name]\n      properties:\n        name:\n          type: string\n  steps:\n    - id: fetch\n      action: fetch:template\n      input:\n        url: ./skeleton\n",
            group(t)
        );
        write(&out.join(format!("templates/template-{t:04}.yaml")), &text)?;
        written += 1;
        t += 1;
    }
    println!("wrote {written} entities to {}", out.display());
    Ok(())
}
