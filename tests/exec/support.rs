//! A temporary folder with `atmos` (the stand-in) on a PATH of its own, a script and a log.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use paved::exec::{MemorySink, ProcessExecutor, RunContext};
use serde_json::Value;

pub struct Standin {
    pub dir: tempfile::TempDir,
    pub executor: ProcessExecutor,
}

impl Standin {
    /// The stand-in answering with `script` (rules, one a line).
    pub fn new(script: &str) -> Standin {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let standin = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/atmos-standin");
        std::os::unix::fs::symlink(&standin, bin.join("atmos")).unwrap();
        std::fs::write(dir.path().join("script"), script).unwrap();
        let env = BTreeMap::from([
            ("ATMOS_STANDIN_LOG".to_string(), dir.path().join("log").display().to_string()),
            ("ATMOS_STANDIN_SCRIPT".to_string(), dir.path().join("script").display().to_string()),
        ]);
        let executor = ProcessExecutor::locate_in("atmos", bin.as_os_str()).unwrap().with_env(env);
        Standin { dir, executor }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The calls the stand-in recorded, oldest first.
    pub fn calls(&self) -> Vec<Value> {
        let log = std::fs::read_to_string(self.path("log")).unwrap_or_default();
        log.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
    }

    /// Recorded argvs with the temporary folder written as `<tmp>`.
    pub fn argvs(&self) -> Vec<Vec<String>> {
        let tmp = self.dir.path().display().to_string();
        self.calls()
            .iter()
            .map(|c| c["argv"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().replace(&tmp, "<tmp>")).collect())
            .collect()
    }
}

pub fn context() -> (RunContext, Arc<MemorySink>) {
    let sink = Arc::new(MemorySink::default());
    (RunContext::new(sink.clone()), sink)
}
