//! `paved-bench webhook-load`: webhook received → check posted, under a fixed delivery rate.
//!
//! Sets up a git repository (main and one branch per pull request, each adding a stack), a
//! fake GitHub that records check runs, and an atmos stand-in that answers at once; starts
//! `paved serve` on them; sends signed `pull_request` deliveries at `--rate` per second for
//! `--duration` seconds, spread over `--prs` pull requests; then reports, per delivery, the time
//! until a check was posted by a run that began after the delivery was sent.
//! A delivery with no such check (or not accepted) is lost.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, bail};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::fake_github::{self, FakeState};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Deliveries per second.
    #[arg(long, default_value_t = 200)]
    rate: u32,
    /// Seconds of load.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    /// Pull requests the deliveries are spread over.
    #[arg(long, default_value_t = 20)]
    prs: u64,
    /// The paved binary (default: `paved` next to this program).
    #[arg(long)]
    paved: Option<PathBuf>,
    /// `server.workers` for paved serve.
    #[arg(long, default_value_t = 4)]
    workers: usize,
    /// A PostgreSQL URL for the store (default: the embedded SQLite file).
    #[arg(long)]
    database_url: Option<String>,
    /// Keep the working folder (repository, paved.yaml, logs) and print where it is.
    #[arg(long)]
    keep: bool,
}

const SECRET: &str = "webhook-load-secret";
const REPO: &str = "acme/infra";

/// The stand-in: answers at once, no log.
const STANDIN: &str = "#!/bin/sh\nfor a; do case $a in -out=*) echo plan > \"${a#-out=}\";; esac; done\n\
echo 'Plan: 1 to add, 0 to change, 0 to destroy.'\n[ \"$2\" = plan ] && exit 2\nexit 0\n";

pub fn run(args: Args) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(load(args))
}

async fn load(args: Args) -> anyhow::Result<()> {
    if args.rate == 0 || args.duration == 0 || args.prs == 0 {
        bail!("--rate, --duration and --prs must be above 0");
    }
    let paved = match &args.paved {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("paved"),
    };
    let work = tempfile::tempdir()?;
    let heads = make_repo(&work.path().join("origin"), args.prs)?;
    let state = Arc::new(FakeState { heads: heads.clone(), ..Default::default() });
    let api = fake_github::start(state.clone()).await?;
    let mut serve = start_serve(&paved, work.path(), &api, &args)?;
    eprintln!("paved serve at {} ({} workers); fake GitHub at {api}", serve.url, args.workers);

    paved::forge::install_crypto_provider();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).pool_max_idle_per_host(64).build()?;
    // Warm-up: one delivery per pull request, so checkouts exist before the clock starts.
    for n in 1..=args.prs {
        send(&http, &serve.url, &format!("warm-{n}"), n, &heads[&n]).await?;
    }
    wait_for_checks(&state, args.prs as usize, Duration::from_secs(60)).await;
    let warm = state.checks.lock().unwrap_or_else(|e| e.into_inner()).len();

    let total = (u64::from(args.rate) * args.duration) as usize;
    let every = Duration::from_secs_f64(1.0 / f64::from(args.rate));
    let begin = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        tokio::time::sleep_until(begin + every * i as u32).await;
        let n = (i as u64 % args.prs) + 1;
        let (http, url, head) = (http.clone(), serve.url.clone(), heads[&n].clone());
        tasks.push(tokio::spawn(async move {
            let sent = SystemTime::now();
            let started = Instant::now();
            let status = send(&http, &url, &format!("load-{i}"), n, &head).await.unwrap_or(0);
            (n, sent, status, started.elapsed())
        }));
    }
    let mut sent = Vec::with_capacity(total);
    for t in tasks {
        sent.push(t.await?);
    }
    let offered = begin.elapsed();
    // Let the queue drain: stop once no check has come for two seconds (or after 60 s).
    let mut last = 0;
    let quiet_until = Instant::now() + Duration::from_secs(60);
    while Instant::now() < quiet_until {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let now = state.checks.lock().unwrap_or_else(|e| e.into_inner()).len();
        if now == last {
            break;
        }
        last = now;
    }
    let runs = run_starts(&http, &serve.url).await?;
    serve.stop();

    let checks = state.checks.lock().unwrap_or_else(|e| e.into_inner()).clone();
    report(&args, &heads, &sent, &checks[warm..], &runs, offered);
    if args.keep {
        eprintln!("kept {}", work.keep().display());
    }
    Ok(())
}

fn report(
    args: &Args,
    heads: &BTreeMap<u64, String>,
    sent: &[(u64, SystemTime, u16, Duration)],
    checks: &[fake_github::PostedCheck],
    runs: &BTreeMap<i64, SystemTime>,
    offered: Duration,
) {
    // Check posts per head sha, in time order, with the time their run began.
    let mut by_sha: BTreeMap<&str, Vec<(SystemTime, SystemTime)>> = BTreeMap::new();
    for c in checks.iter().filter(|c| c.status == "completed") {
        if let Some(begun) = c.run.and_then(|r| runs.get(&r)) {
            by_sha.entry(c.head_sha.as_str()).or_default().push((c.at, *begun));
        }
    }
    let mut latencies = Vec::with_capacity(sent.len());
    let (mut lost, mut refused) = (0, 0);
    let mut accept = Vec::with_capacity(sent.len());
    for (n, at, status, took) in sent {
        accept.push(*took);
        if *status != 202 {
            refused += 1;
            continue;
        }
        let first = by_sha
            .get(heads[n].as_str())
            .and_then(|posts| posts.iter().filter(|(_, begun)| begun >= at).map(|(posted, _)| *posted).min());
        match first.and_then(|p| p.duration_since(*at).ok()) {
            Some(d) => latencies.push(d),
            None => lost += 1,
        }
    }
    latencies.sort();
    accept.sort();
    let pct = |v: &[Duration], p: f64| -> f64 {
        if v.is_empty() {
            return f64::NAN;
        }
        let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
        v[i].as_secs_f64() * 1000.0
    };
    println!(
        "webhook-load: {} deliveries at {}/s over {:.1} s to {} pull requests ({} workers, {})",
        sent.len(),
        args.rate,
        offered.as_secs_f64(),
        args.prs,
        args.workers,
        if args.database_url.is_some() { "PostgreSQL" } else { "SQLite" }
    );
    println!(
        "received -> check posted (ms): p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}",
        pct(&latencies, 0.50),
        pct(&latencies, 0.95),
        pct(&latencies, 0.99),
        pct(&latencies, 1.0)
    );
    println!(
        "webhook answered (ms): p50 {:.1}  p99 {:.1}  max {:.1}",
        pct(&accept, 0.50),
        pct(&accept, 0.99),
        pct(&accept, 1.0)
    );
    println!("runs: {}  checks posted: {}  refused: {refused}  lost: {lost}", runs.len(), checks.len());
}

/// Run id → when it began, from paved's API.
async fn run_starts(http: &reqwest::Client, base: &str) -> anyhow::Result<BTreeMap<i64, SystemTime>> {
    let mut out = BTreeMap::new();
    let mut before: Option<i64> = None;
    loop {
        let mut url = format!("{base}/api/v1/runs?limit=500");
        if let Some(b) = before {
            url.push_str(&format!("&before={b}"));
        }
        let page: Value = http.get(url).send().await?.json().await?;
        let runs = page["runs"].as_array().cloned().unwrap_or_default();
        if runs.is_empty() {
            return Ok(out);
        }
        for r in &runs {
            let (Some(id), Some(at)) = (r["id"].as_i64(), r["created_at"].as_str()) else { continue };
            let at = chrono::DateTime::parse_from_rfc3339(at).context("a run's created_at")?;
            out.insert(id, SystemTime::from(at.with_timezone(&chrono::Utc)));
            before = Some(id);
        }
    }
}

async fn wait_for_checks(state: &FakeState, count: usize, within: Duration) {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline && state.checks.lock().unwrap_or_else(|e| e.into_inner()).len() < count {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn send(http: &reqwest::Client, base: &str, id: &str, number: u64, head: &str) -> anyhow::Result<u16> {
    let body = serde_json::to_vec(&json!({
        "action": "synchronize", "number": number,
        "pull_request": { "number": number, "state": "open", "title": "load", "user": { "login": "load" },
            "merged": false,
            "head": { "ref": format!("load/p{number}"), "sha": head, "repo": { "full_name": REPO } },
            "base": { "ref": "main", "sha": head, "repo": { "full_name": REPO } } },
        "repository": { "full_name": REPO }, "sender": { "login": "load" }
    }))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes())?;
    mac.update(&body);
    let resp = http
        .post(format!("{base}/webhooks/github"))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", id)
        .header("x-hub-signature-256", format!("sha256={}", hex::encode(mac.finalize().into_bytes())))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    Ok(resp.status().as_u16())
}

/// `main` with one stack; branch `load/pN` adds stack `pN`. Returns N → head sha.
fn make_repo(dir: &Path, prs: u64) -> anyhow::Result<BTreeMap<u64, String>> {
    std::fs::create_dir_all(dir.join("stacks"))?;
    std::fs::create_dir_all(dir.join("components/terraform/app"))?;
    std::fs::write(
        dir.join("atmos.yaml"),
        "base_path: \".\"\ncomponents:\n  terraform:\n    base_path: components/terraform\n\
         stacks:\n  base_path: stacks\n  included_paths: [\"**/*\"]\n  name_pattern: \"{stage}\"\n",
    )?;
    std::fs::write(dir.join("components/terraform/app/main.tf"), "# stand-in\n")?;
    std::fs::write(dir.join("stacks/dev.yaml"), "vars:\n  stage: dev\ncomponents:\n  terraform:\n    app: {}\n")?;
    std::fs::write(dir.join("paved.yaml"), "stacks:\n  path: .\n")?;
    git(dir, &["init", "-q", "-b", "main"])?;
    git(dir, &["add", "-A"])?;
    git(dir, &["commit", "-qm", "platform"])?;
    let mut heads = BTreeMap::new();
    for n in 1..=prs {
        git(dir, &["checkout", "-q", "-b", &format!("load/p{n}"), "main"])?;
        let stack = format!("vars:\n  stage: p{n}\ncomponents:\n  terraform:\n    app:\n      vars: {{n: {n}}}\n");
        std::fs::write(dir.join(format!("stacks/p{n}.yaml")), stack)?;
        git(dir, &["add", "-A"])?;
        git(dir, &["commit", "-qm", "stack"])?;
        let out = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(dir).output()?;
        heads.insert(n, String::from_utf8(out.stdout)?.trim().to_string());
    }
    git(dir, &["checkout", "-q", "main"])?;
    Ok(heads)
}

fn git(dir: &Path, args: &[&str]) -> anyhow::Result<()> {
    let ok = Command::new("git")
        .args(["-c", "user.name=Load", "-c", "user.email=load@example.com"])
        .args(args)
        .current_dir(dir)
        .status()?
        .success();
    if !ok {
        bail!("git {args:?} failed");
    }
    Ok(())
}

struct Serve {
    child: Child,
    url: String,
}

impl Serve {
    fn stop(&mut self) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_serve(paved: &Path, work: &Path, api: &str, args: &Args) -> anyhow::Result<Serve> {
    let home = work.join("serve");
    let bin = work.join("bin");
    std::fs::create_dir_all(&home)?;
    std::fs::create_dir_all(&bin)?;
    std::fs::write(bin.join("atmos"), STANDIN)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("atmos"), std::fs::Permissions::from_mode(0o755))?;
    let store = match &args.database_url {
        Some(url) => format!("store:\n  url: {url}\n"),
        None => String::new(),
    };
    let origin = work.join("origin");
    std::fs::write(
        home.join("paved.yaml"),
        format!(
            "reconcile:\n  default_branch: main\n  repositories:\n    - name: platform\n      path: {o}\n      forge_repo: {REPO}\n\
             forge:\n  github:\n    api_url: {api}\n    token_env: LOAD_GH_TOKEN\n    webhook_secret_env: LOAD_HOOK_SECRET\n\
             {store}server:\n  listen: 127.0.0.1:0\n  replica: load\n  workers: {w}\n",
            o = origin.display(),
            w = args.workers
        ),
    )?;
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut child = Command::new(paved)
        .arg("serve")
        .arg(&home)
        .env("PATH", path)
        .env("LOAD_GH_TOKEN", "ghp_webhookloadtoken000000000000000000000")
        .env("LOAD_HOOK_SECRET", SECRET)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", paved.display()))?;
    let mut stderr = BufReader::new(child.stderr.take().context("stderr")?);
    let mut line = String::new();
    let url = loop {
        line.clear();
        if stderr.read_line(&mut line)? == 0 {
            bail!("paved serve exited before listening");
        }
        if let Some(rest) = line.split("listening on ").nth(1) {
            break format!("http://{}", rest.split_whitespace().next().unwrap_or_default());
        }
    };
    // Keep reading so the child never blocks on a full pipe; warnings are shown.
    std::thread::spawn(move || {
        for l in stderr.lines().map_while(Result::ok) {
            if l.contains("WARN") || l.contains("ERROR") {
                eprintln!("paved: {l}");
            }
        }
    });
    Ok(Serve { child, url })
}
