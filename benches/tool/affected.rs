//! `paved-bench affected`: the speed of `paved affected` on a generated Atmos repository of
//! 200 stacks × 50 components (10,000 instances), against the naive approach of describing
//! both trees in full.
//!
//! It writes the repository (unless DIR already holds one), commits it, then commits two
//! changes: one stack file edited, and one mixin that every stack imports. Each comparison is
//! timed in-process (git diff, both descriptions, the comparison) with paved's incremental
//! path and with the naive one, in wall-clock and in CPU time (user + system, all threads),
//! which a loaded machine distorts much less.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use paved::affected::compare::{self, Request};
use paved::affected::{Options, stacks::Engine};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the repository is written (created when missing).
    dir: PathBuf,
    /// Runs per measurement; the median is reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Only this change (default: both).
    #[arg(long, value_enum)]
    case: Option<Case>,
    /// Skip the naive path (to profile paved's alone).
    #[arg(long)]
    no_naive: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Case {
    OneFile,
    Mixin,
}

const STACKS: usize = 200;
const COMPONENTS: usize = 50;
const GROUPS: usize = 5;

fn write(root: &Path, rel: &str, text: &str) -> anyhow::Result<()> {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("a parent"))?;
    std::fs::write(p, text)?;
    Ok(())
}

/// The repository: atmos.yaml, 50 component folders, 5 catalog files of abstract bases with a
/// 3-level inheritance chain, region/stage mixins, a global mixin, and 200 stacks each
/// importing 8 files and defining 50 components (every tenth one depending on the previous).
fn generate(root: &Path) -> anyhow::Result<()> {
    write(
        root,
        "atmos.yaml",
        "base_path: \".\"\ncomponents:\n  terraform:\n    base_path: components/terraform\nstacks:\n  base_path: stacks\n  \
         included_paths: [\"orgs/**/*\"]\n  excluded_paths: [\"**/_defaults.yaml\"]\n  name_pattern: \
         \"{tenant}-{environment}-{stage}\"\n",
    )?;
    for c in 0..COMPONENTS {
        write(root, &format!("components/terraform/c{c}/main.tf"), &format!("variable \"name\" {{}}\n# c{c}\n"))?;
    }
    for g in 0..GROUPS {
        let mut s = String::from("components:\n  terraform:\n");
        for c in (g * 10)..(g * 10 + 10) {
            s.push_str(&format!(
                "    c{c}-root:\n      metadata: {{type: abstract, component: c{c}}}\n      vars: {{size: small, group: g{g}}}\n\
                 \x20   c{c}-mid:\n      metadata: {{type: abstract, component: c{c}, inherits: [c{c}-root]}}\n      vars: {{tier: mid}}\n\
                 \x20   c{c}-base:\n      metadata: {{type: abstract, component: c{c}, inherits: [c{c}-mid]}}\n      vars: {{enabled: true}}\n"
            ));
        }
        write(root, &format!("stacks/catalog/group{g}.yaml"), &s)?;
    }
    write(root, "stacks/mixins/global.yaml", "vars:\n  namespace: acme\n  label_order: [namespace, tenant, stage]\n")?;
    for r in 0..4 {
        write(
            root,
            &format!("stacks/mixins/region/r{r}.yaml"),
            &format!("vars:\n  environment: r{r}\n  region: region-{r}\n"),
        )?;
    }
    for st in 0..5 {
        write(root, &format!("stacks/mixins/stage/s{st}.yaml"), &format!("vars:\n  stage: s{st}\n"))?;
    }
    for i in 0..STACKS {
        let (tenant, region, stage) = (i / 20, i % 4, (i / 4) % 5);
        let mut s = String::from("import:\n  - mixins/global\n");
        s.push_str(&format!("  - mixins/region/r{region}\n  - mixins/stage/s{stage}\n"));
        for g in 0..GROUPS {
            s.push_str(&format!("  - catalog/group{g}\n"));
        }
        s.push_str(&format!("vars:\n  tenant: t{tenant}\ncomponents:\n  terraform:\n"));
        for c in 0..COMPONENTS {
            s.push_str(&format!(
                "    c{c}:\n      metadata: {{component: c{c}, inherits: [c{c}-base]}}\n      vars: {{name: c{c}-{i}}}\n"
            ));
            if c % 10 != 0 {
                s.push_str(&format!("      settings: {{depends_on: {{1: {{component: c{}}}}}}}\n", c - 1));
            }
        }
        write(root, &format!("stacks/orgs/t{tenant}/r{region}/s{stage}-{i}.yaml"), &s)?;
    }
    Ok(())
}

fn git(root: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .output()?;
    anyhow::ensure!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn commit(root: &Path, msg: &str) -> anyhow::Result<String> {
    git(root, &["add", "-A"])?;
    git(root, &["commit", "-q", "-m", msg])?;
    git(root, &["rev-parse", "HEAD"])
}

/// Writes and commits the repository and its two changes; returns (base, one file, mixin).
fn prepare(root: &Path) -> anyhow::Result<(String, String, String)> {
    if root.join(".git").exists() {
        let rev = |r: &str| git(root, &["rev-parse", r]);
        return Ok((rev("HEAD~2")?, rev("HEAD~1")?, rev("HEAD")?));
    }
    std::fs::create_dir_all(root)?;
    generate(root)?;
    git(root, &["init", "-q", "-b", "main"])?;
    let base = commit(root, "generated")?;
    let one = "stacks/orgs/t0/r0/s0-0.yaml";
    let text = std::fs::read_to_string(root.join(one))?.replace("name: c7-0}", "name: c7-0-renamed}");
    std::fs::write(root.join(one), text)?;
    let one_file = commit(root, "one stack file")?;
    std::fs::write(root.join("stacks/mixins/global.yaml"), "vars:\n  namespace: acme2\n  label_order: [namespace]\n")?;
    let mixin = commit(root, "the global mixin")?;
    Ok((base, one_file, mixin))
}

/// User + system CPU time of the whole process so far (every thread).
fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    tv(u.ru_utime) + tv(u.ru_stime)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Median wall-clock and median CPU time (user + system, all threads) of `runs` calls, and
/// the last call's item count.
fn time(runs: usize, mut f: impl FnMut() -> anyhow::Result<usize>) -> anyhow::Result<(Duration, Duration, usize)> {
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    let mut n = 0;
    for _ in 0..runs {
        let (t, c) = (Instant::now(), cpu_time());
        n = f()?;
        wall.push(t.elapsed());
        cpu.push(cpu_time().saturating_sub(c));
    }
    Ok((median(wall), median(cpu), n))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let (base, one_file, mixin) = prepare(&args.dir)?;
    println!("repository: {} ({STACKS} stacks x {COMPONENTS} components)", args.dir.display());
    for (case, label, head) in [(Case::OneFile, "one stack file", &one_file), (Case::Mixin, "global mixin", &mixin)] {
        if args.case.is_some_and(|c| c != case) {
            continue;
        }
        let req = Request {
            repo: args.dir.clone(),
            base: Some(base.clone()),
            head: Some(head.clone()),
            merge_base_with: None,
            options: Options::default(),
        };
        let engine = Engine::default();
        let (fast, fast_cpu, n) = time(args.runs, || Ok(compare::compare(&req, &engine)?.affected.affected.len()))?;
        let naive = if args.no_naive {
            String::new()
        } else {
            let (naive, naive_cpu, m) =
                time(args.runs, || Ok(compare::compare_naive(&req, &engine)?.affected.affected.len()))?;
            anyhow::ensure!(n == m, "{label}: the incremental path found {n} items, the naive one {m}");
            format!("   naive {:>8.1} ms (cpu {:>8.1} ms)", ms(naive), ms(naive_cpu))
        };
        println!(
            "{label:>16}: {n:>5} affected  paved {:>8.1} ms (cpu {:>8.1} ms){naive}   (medians of {})",
            ms(fast),
            ms(fast_cpu),
            args.runs
        );
    }
    Ok(())
}
