//! `paved policy test|eval`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use paved::config::{self, Config, parse_duration};
use paved::policy::{self, PolicyFile, testing};
use paved::source::{FileSource, RelPath, WorkTree};
use serde_json::Value as Json;

use super::Outcome;

#[derive(Debug, clap::Args)]
#[command(about = "Test and debug Rego policies")]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    Test(TestArgs),
    Eval(EvalArgs),
}

#[derive(Debug, clap::Args)]
#[command(
    about = "Run the test_* rules of *_test.rego files, as `opa test` does",
    after_help = "Examples:\n  paved policy test                 # the policy paths of ./paved.yaml (default: policies/)\n  paved policy test policies -v     # list passing tests too\n\nExit status: 0 all passed, 1 a test failed or a file did not compile, 2 usage error."
)]
pub struct TestArgs {
    /// Directories or .rego files (default: `policy.paths` from paved.yaml, else `policies`).
    paths: Vec<PathBuf>,
    /// Show passing tests too.
    #[arg(long, short = 'v')]
    verbose: bool,
    /// Longest one test may run.
    #[arg(long, default_value = "5s", value_parser = duration)]
    timeout: std::time::Duration,
}

#[derive(Debug, clap::Args)]
#[command(
    about = "Evaluate a Rego query against an input, for debugging a policy",
    after_help = "Examples:\n  paved policy eval --input entity.yaml data.paved.catalog.ownership.deny\n  paved policy eval -i describe.json -d data.json -p policies 'data.paved.stacks'\n  paved policy eval -i c.yaml 'count(data.paved.catalog.tags.deny) == 0'\n\nThe input and data files may be JSON or YAML. Policies come from --policy (repeatable), else\nfrom `policy.paths` in ./paved.yaml, else policies/. Prints the query results as JSON.\nExit status: 0 evaluated, 1 a policy did not compile, 2 usage error or evaluation failure."
)]
pub struct EvalArgs {
    /// The Rego query, e.g. `data.paved.catalog.deny`.
    query: String,
    /// The input document (JSON or YAML).
    #[arg(long, short = 'i')]
    input: Option<PathBuf>,
    /// Extra data documents (JSON or YAML objects), merged under `data`.
    #[arg(long, short = 'd')]
    data: Vec<PathBuf>,
    /// Policy directories or files.
    #[arg(long = "policy", short = 'p')]
    policies: Vec<PathBuf>,
    /// Longest the evaluation may run.
    #[arg(long, default_value = "30s", value_parser = duration)]
    timeout: std::time::Duration,
}

fn duration(s: &str) -> Result<std::time::Duration, String> {
    parse_duration(s)
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    match args.command {
        Command::Test(a) => test(a),
        Command::Eval(a) => eval(a),
    }
}

/// Policy files and data files under the given paths, or the configured ones.
fn load(
    paths: &[PathBuf],
    with_tests: bool,
) -> anyhow::Result<(Vec<PolicyFile>, Json, Vec<paved::report::Diagnostic>)> {
    let cwd = WorkTree::new(".").context("cannot open the current directory")?;
    if paths.is_empty() {
        let cfg = match cwd.read(&RelPath::new(config::FILE_NAME).expect("literal"), 1 << 20) {
            Ok(b) => Config::parse(config::FILE_NAME, &String::from_utf8_lossy(&b))
                .map_err(|d| anyhow::anyhow!("{}: {}", config::FILE_NAME, d[0].message))?,
            Err(_) => Config::default(),
        };
        let (files, diags) = policy::collect(&cwd, &cfg.policy.paths, cfg.policy.paths_configured, with_tests);
        let (data, data_diags) = policy::collect_data(&cwd, &cfg.policy.paths);
        return Ok((files, data, diags.into_iter().chain(data_diags).collect()));
    }
    let mut files = Vec::new();
    let mut data = Json::Object(Default::default());
    let mut diags = Vec::new();
    for p in paths {
        // Each path is read through its own tree, so absolute paths and `..` work too.
        let (root, rel) = if p.is_dir() { (p.as_path(), RelPath::root()) } else { split_file(p)? };
        let tree = WorkTree::new(root).with_context(|| format!("cannot open {}", p.display()))?;
        let (f, d) = policy::collect(&tree, std::slice::from_ref(&rel), true, with_tests);
        let prefix = root.display().to_string();
        files.extend(f.into_iter().map(|mut f| {
            f.path = RelPath::new(&format!("{}/{}", prefix.trim_end_matches('/'), f.path))
                .unwrap_or_else(|_| f.path.clone());
            f
        }));
        diags.extend(d);
        let (extra, d) = policy::collect_data(&tree, &[rel]);
        merge(&mut data, extra);
        diags.extend(d);
    }
    Ok((files, data, diags))
}

fn split_file(p: &Path) -> anyhow::Result<(&Path, RelPath)> {
    if !p.is_file() {
        bail!("{} does not exist", p.display());
    }
    let name = p.file_name().and_then(|n| n.to_str()).context("not a file name")?;
    let parent = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok((parent, RelPath::new(name)?))
}

fn merge(base: &mut Json, add: Json) {
    if let (Json::Object(b), Json::Object(a)) = (&mut *base, add) {
        for (k, v) in a {
            match b.get_mut(&k) {
                Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                _ => {
                    b.insert(k, v);
                }
            }
        }
    }
}

fn test(args: TestArgs) -> anyhow::Result<Outcome> {
    let (files, data, diags) = load(&args.paths, true)?;
    if files.iter().all(|f| !f.is_test()) && diags.is_empty() {
        eprintln!("paved: no *_test.rego files found");
    }
    let mut run = testing::run_tests(&files, data, args.timeout);
    run.diagnostics.extend(diags);
    std::io::stdout().lock().write_all(testing::render(&run, args.verbose).as_bytes())?;
    Ok(if run.passed() { Outcome::Clean } else { Outcome::Problems })
}

fn read_doc(path: &Path) -> anyhow::Result<Json> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    if let Ok(v) = serde_json::from_str(&text) {
        return Ok(v);
    }
    let node = paved::yaml::parse_one(&text, &Default::default())
        .map_err(|e| anyhow::anyhow!("{}:{}:{}: {}", path.display(), e.line, e.column, e.message))?;
    Ok(node.to_json())
}

fn eval(args: EvalArgs) -> anyhow::Result<Outcome> {
    let (files, mut data, mut diags) = load(&args.policies, false)?;
    let (set, compile_diags) = policy::PolicySet::compile(&files);
    diags.extend(compile_diags);
    for d in &diags {
        eprintln!("{}:{}:{}: {}: {}", d.file, d.line, d.column, d.rule, d.message);
    }
    for p in &args.data {
        let doc = read_doc(p)?;
        if !doc.is_object() {
            bail!("{}: data must be an object", p.display());
        }
        merge(&mut data, doc);
    }
    let mut engine = set.engine().clone();
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: args.timeout,
        check_interval: std::num::NonZeroU32::new(32).expect("non-zero"),
    });
    engine.add_data(regorus::Value::from(data)).map_err(|e| anyhow::anyhow!("data: {e}"))?;
    if let Some(p) = &args.input {
        engine.set_input(regorus::Value::from(read_doc(p)?));
    }
    let results = engine.eval_query(args.query.clone(), false).map_err(|e| anyhow::anyhow!("{e}"))?;
    let json = serde_json::to_string_pretty(&results)?;
    writeln!(std::io::stdout().lock(), "{json}")?;
    Ok(if diags.is_empty() { Outcome::Clean } else { Outcome::Problems })
}
