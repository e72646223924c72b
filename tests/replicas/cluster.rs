//! Two (or more) real `paved serve` processes on one fresh PostgreSQL database, a temporary git
//! repository, a wiremock GitHub and a fast atmos stand-in that records every call with its
//! start and end time and the replica that made it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use paved::config::StoreUrl;
use paved::store::{PgStore, Store, SystemClock};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::repo_support::{ServeLog, git, git_out, sign};

pub const SECRET: &str = "replicas-hook-secret";
pub const REPO: &str = "acme/infra";

/// A database of its own per test (created here, dropped by [`Db::drop_now`]), so tests run in
/// parallel on one server.
pub struct Db {
    admin: String,
    pub name: String,
    pub url: String,
}

impl Db {
    pub async fn fresh(tag: &str) -> Db {
        let admin = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let name = format!("paved_{tag}_{}_{nanos}", std::process::id());
        let mut conn = PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL is not reachable at DATABASE_URL ({e}); start it or set it"));
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        let (base, _) = admin.split_once('?').unwrap_or((&admin, ""));
        let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
        Db { admin, name, url }
    }

    pub async fn store(&self) -> PgStore {
        PgStore::connect(&StoreUrl::parse(&self.url).unwrap(), Arc::new(SystemClock)).await.unwrap()
    }

    pub async fn drop_now(self) {
        let mut conn = PgConnection::connect(&self.admin).await.unwrap();
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        sqlx::query(AssertSqlSafe(drop)).execute(&mut conn).await.unwrap();
    }
}

/// The stand-in: bash, no forks but the optional sleep, so hundreds of calls stay cheap. One
/// line per call, written once it ends: `verb stack component replica start end` (seconds).
const STANDIN: &str = r#"#!/bin/bash
verb=$2 component=$3 stack='' out=''
shift 3
while [ $# -gt 0 ]; do
  case "$1" in
    -s) stack=$2; shift 2 ;;
    -out=*) out=${1#-out=}; shift ;;
    *) shift ;;
  esac
done
start=$EPOCHREALTIME
if [ "$verb" = deploy ] && [ -n "${STANDIN_SLOW:-}" ] && [ -e "$STANDIN_SLOW" ]; then
  sleep "$(<"$STANDIN_SLOW")" &
  echo $! >> "$STANDIN_LOG.sleeps"
  wait $!
fi
echo "Plan: 1 to add, 0 to change, 0 to destroy."
[ -n "$out" ] && echo "stand-in plan of $stack/$component" > "$out"
[ "$verb" = deploy ] && echo "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."
echo "$verb $stack $component $PAVED_TEST_REPLICA $start $EPOCHREALTIME" >> "$STANDIN_LOG"
[ "$verb" = plan ] && exit 2
exit 0
"#;

/// One recorded atmos call.
#[derive(Debug, Clone)]
pub struct Call {
    pub verb: String,
    pub stack: String,
    pub component: String,
    pub replica: String,
    pub start: f64,
    pub end: f64,
}

/// The origin repository, the folders the replicas run in, the stand-in and its log.
pub struct Cluster {
    pub dir: tempfile::TempDir,
    pub forge: MockServer,
    /// Pull request number → head sha of its branch.
    pub heads: BTreeMap<u64, String>,
    pub main_sha: String,
    pub db: Db,
}

impl Cluster {
    /// `main` holds one stack (`dev`, component `vpc`); pull request `n` (1..=prs) adds stack
    /// `prN` with component `app` on branch `feature/pN`, so only that request plans it.
    pub async fn new(tag: &str, prs: u64) -> Cluster {
        Self::with_reconcile(tag, prs, "").await
    }

    /// As [`Cluster::new`], with `reconcile` lines added to the repository's paved.yaml.
    pub async fn with_reconcile(tag: &str, prs: u64, reconcile: &str) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let origin = dir.path().join("origin");
        std::fs::create_dir_all(origin.join("stacks")).unwrap();
        std::fs::create_dir_all(origin.join("components/terraform/vpc")).unwrap();
        std::fs::create_dir_all(origin.join("components/terraform/app")).unwrap();
        std::fs::write(
            origin.join("atmos.yaml"),
            "base_path: \".\"\ncomponents:\n  terraform:\n    base_path: components/terraform\n\
             stacks:\n  base_path: stacks\n  included_paths: [\"**/*\"]\n  name_pattern: \"{stage}\"\n",
        )
        .unwrap();
        std::fs::write(origin.join("components/terraform/vpc/main.tf"), "# stand-in\n").unwrap();
        std::fs::write(origin.join("components/terraform/app/main.tf"), "# stand-in\n").unwrap();
        std::fs::write(
            origin.join("stacks/dev.yaml"),
            "vars:\n  stage: dev\ncomponents:\n  terraform:\n    vpc:\n      vars: {cidr: 10.0.0.0/16}\n",
        )
        .unwrap();
        std::fs::write(
            origin.join("paved.yaml"),
            format!(
                "stacks:\n  path: .\nreconcile:\n{reconcile}  apply:\n    approvals: 0\n    owner_approval: false\n    mergeable: false\n"
            ),
        )
        .unwrap();
        git(&origin, &["init", "-q"]);
        git(&origin, &["add", "-A"]);
        git(&origin, &["commit", "-qm", "platform"]);
        let main_sha = git_out(&origin, &["rev-parse", "HEAD"]);
        let mut heads = BTreeMap::new();
        for n in 1..=prs {
            git(&origin, &["checkout", "-q", "-b", &format!("feature/p{n}"), "main"]);
            let stack = format!("vars:\n  stage: pr{n}\ncomponents:\n  terraform:\n    app:\n      vars: {{n: {n}}}\n");
            std::fs::write(origin.join(format!("stacks/pr{n}.yaml")), stack).unwrap();
            git(&origin, &["add", "-A"]);
            git(&origin, &["commit", "-qm", &format!("stack pr{n}")]);
            heads.insert(n, git_out(&origin, &["rev-parse", "HEAD"]));
        }
        git(&origin, &["checkout", "-q", "main"]);

        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let atmos = bin.join("atmos");
        std::fs::write(&atmos, STANDIN).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&atmos, std::fs::Permissions::from_mode(0o755)).unwrap();

        let forge = MockServer::start().await;
        mock_github(&forge, &heads).await;
        let db = Db::fresh(tag).await;
        Cluster { dir, forge, heads, main_sha, db }
    }

    fn origin(&self) -> PathBuf {
        self.dir.path().join("origin")
    }

    pub fn log(&self) -> PathBuf {
        self.dir.path().join("calls.log")
    }

    /// While this file exists, every deploy sleeps the seconds it holds.
    pub fn slow_file(&self) -> PathBuf {
        self.dir.path().join("slow")
    }

    /// Starts replica `name` in a folder of its own (its own checkouts and plans), all on one
    /// database. `extra` is appended to its paved.yaml `server:` section.
    pub fn start(&self, name: &str, extra: &str) -> Replica {
        let home = self.dir.path().join(name);
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(
            home.join("paved.yaml"),
            format!(
                "reconcile:\n  default_branch: main\n  repositories:\n    - name: platform\n      path: {origin}\n      forge_repo: {REPO}\n\
                 forge:\n  github:\n    api_url: {api}\n    token_env: PAVED_TEST_GH_TOKEN\n    webhook_secret_env: PAVED_TEST_HOOK_SECRET\n\
                 store:\n  url: {db}\n\
                 server:\n  listen: 127.0.0.1:0\n  replica: {name}\n  workers: 2\n{extra}",
                origin = self.origin().display(),
                api = self.forge.uri(),
                db = self.db.url,
            ),
        )
        .unwrap();
        let path = format!("{}:{}", self.dir.path().join("bin").display(), std::env::var("PATH").unwrap_or_default());
        let mut child = Command::new(env!("CARGO_BIN_EXE_paved"))
            .args(["serve"])
            .arg(&home)
            .env("PATH", path)
            .env("PAVED_TEST_GH_TOKEN", "ghp_replicastesttoken0000000000000000000")
            .env("PAVED_TEST_HOOK_SECRET", SECRET)
            .env("PAVED_TEST_REPLICA", name)
            .env("STANDIN_LOG", self.log())
            .env("STANDIN_SLOW", self.slow_file())
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let logs = ServeLog::wait(&mut child);
        Replica { name: name.to_string(), child, url: format!("http://{}", logs.addr), logs }
    }

    /// Ends the sleeps of deploys a killed replica left behind.
    pub fn reap_sleeps(&self) {
        let pids = std::fs::read_to_string(self.log().with_extension("log.sleeps")).unwrap_or_default();
        for pid in pids.lines().filter_map(|p| p.trim().parse::<i32>().ok()) {
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }

    /// Every stand-in call so far.
    pub fn calls(&self) -> Vec<Call> {
        let text = std::fs::read_to_string(self.log()).unwrap_or_default();
        text.lines()
            .map(|l| {
                let f: Vec<&str> = l.split(' ').collect();
                assert_eq!(f.len(), 6, "stand-in log line {l:?}");
                Call {
                    verb: f[0].into(),
                    stack: f[1].into(),
                    component: f[2].into(),
                    replica: f[3].into(),
                    start: f[4].parse().unwrap(),
                    end: f[5].parse().unwrap(),
                }
            })
            .collect()
    }
}

/// Calls of one (stack, component) that ran at the same time, as readable pairs.
pub fn overlaps(calls: &[Call]) -> Vec<String> {
    let mut by_key: BTreeMap<(String, String), Vec<&Call>> = BTreeMap::new();
    for c in calls {
        by_key.entry((c.stack.clone(), c.component.clone())).or_default().push(c);
    }
    let mut out = Vec::new();
    for ((stack, component), mut list) in by_key {
        list.sort_by(|a, b| a.start.total_cmp(&b.start));
        for pair in list.windows(2) {
            if pair[1].start < pair[0].end {
                out.push(format!(
                    "{stack}/{component}: {} on {} [{:.6}, {:.6}] and {} on {} [{:.6}, {:.6}]",
                    pair[0].verb,
                    pair[0].replica,
                    pair[0].start,
                    pair[0].end,
                    pair[1].verb,
                    pair[1].replica,
                    pair[1].start,
                    pair[1].end
                ));
            }
        }
    }
    out
}

pub struct Replica {
    pub name: String,
    child: Child,
    pub url: String,
    logs: ServeLog,
}

impl Replica {
    pub fn logs(&self) -> String {
        self.logs.text()
    }

    /// SIGKILL: no draining, no lease released.
    pub fn kill_hard(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then waits for a clean exit.
    pub fn stop(&mut self) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "replica {} exited with {status:?}\n{}", self.name, self.logs());
                return;
            }
            assert!(Instant::now() < deadline, "replica {} did not stop\n{}", self.name, self.logs());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A signed GitHub delivery.
pub struct Delivery {
    pub event: &'static str,
    pub id: String,
    pub body: Vec<u8>,
}

impl Delivery {
    pub fn synchronize(id: String, number: u64, head: &str) -> Delivery {
        let body = json!({
            "action": "synchronize", "number": number,
            "pull_request": { "number": number, "state": "open", "title": "stack", "user": { "login": "bob" },
                "merged": false,
                "head": { "ref": format!("feature/p{number}"), "sha": head, "repo": { "full_name": REPO } },
                "base": { "ref": "main", "sha": head, "repo": { "full_name": REPO } } },
            "repository": { "full_name": REPO }, "sender": { "login": "bob" }
        });
        Delivery { event: "pull_request", id, body: serde_json::to_vec(&body).unwrap() }
    }

    pub fn push_main(id: String, sha: &str) -> Delivery {
        let body = json!({
            "ref": "refs/heads/main", "before": "0000000000000000000000000000000000000001", "after": sha,
            "repository": { "full_name": REPO }, "sender": { "login": "bob" }
        });
        Delivery { event: "push", id, body: serde_json::to_vec(&body).unwrap() }
    }

    /// Posts it; the HTTP status and the JSON answer.
    pub async fn send(&self, http: &reqwest::Client, base: &str) -> (u16, Value) {
        let resp = http
            .post(format!("{base}/webhooks/github"))
            .header("x-github-event", self.event)
            .header("x-github-delivery", &self.id)
            .header("x-hub-signature-256", sign(SECRET, &self.body))
            .header("content-type", "application/json")
            .body(self.body.clone())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

/// GitHub's pull request for the number in the path, open, at its branch head.
struct PullFor(BTreeMap<u64, String>);

impl Respond for PullFor {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let number: u64 = req.url.path().rsplit('/').next().and_then(|n| n.parse().ok()).unwrap_or(0);
        let Some(head) = self.0.get(&number) else { return ResponseTemplate::new(404) };
        ResponseTemplate::new(200).set_body_json(json!({
            "number": number, "title": "stack", "html_url": format!("https://github.com/{REPO}/pull/{number}"),
            "state": "open", "draft": false, "merged": false, "mergeable": true, "user": { "login": "bob" },
            "head": { "ref": format!("feature/p{number}"), "sha": head },
            "base": { "ref": "main", "sha": head }
        }))
    }
}

async fn mock_github(server: &MockServer, heads: &BTreeMap<u64, String>) {
    let repo = r"^/repos/acme/infra";
    Mock::given(method("GET"))
        .and(path_regex(format!(r"{repo}/pulls/\d+$")))
        .respond_with(PullFor(heads.clone()))
        .mount(server)
        .await;
    let answers: [(&str, String, Value); 7] = [
        ("GET", format!(r"{repo}/pulls/\d+/reviews$"), json!([])),
        ("GET", format!(r"{repo}/commits/[0-9a-f]+/check-runs$"), json!({"total_count": 0, "check_runs": []})),
        ("POST", format!(r"{repo}/check-runs$"), json!({"id": 1, "status": "completed", "html_url": "https://x/1"})),
        ("PATCH", format!(r"{repo}/check-runs/\d+$"), json!({"id": 1, "status": "completed"})),
        ("GET", format!(r"{repo}/issues/\d+/comments$"), json!([])),
        ("POST", format!(r"{repo}/issues/\d+/comments$"), json!({"id": 7, "body": ""})),
        ("PATCH", format!(r"{repo}/issues/comments/\d+$"), json!({"id": 7, "body": ""})),
    ];
    for (verb, path, body) in answers {
        let status = if verb == "POST" { 201 } else { 200 };
        Mock::given(method(verb))
            .and(path_regex(path))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(server)
            .await;
    }
}

/// Waits until the queue is empty and no run is queued or running.
pub async fn settle(store: &dyn Store, within: Duration) -> Result<(), String> {
    let deadline = Instant::now() + within;
    loop {
        let depth = store.depth().await.map_err(|e| e.to_string())?;
        let filter = paved::store::RunFilter { limit: 500, ..Default::default() };
        let runs = store.list_runs(&filter).await.map_err(|e| e.to_string())?;
        let open = runs.iter().filter(|r| !r.status.is_terminal()).count();
        if depth.pending == 0 && depth.claimed == 0 && open == 0 {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("not settled: {depth:?}, {open} run(s) still open"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
