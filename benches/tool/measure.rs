//! Runs a command repeatedly and reports wall-clock time and peak resident memory.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many timed runs (after one warm-up run).
    #[arg(long, short = 'n', default_value_t = 5)]
    runs: usize,
    /// A label for the output line.
    #[arg(long)]
    label: Option<String>,
    /// Accept these exit codes as success (default 0; paved validate exits 1 on findings).
    #[arg(long, value_delimiter = ',', default_value = "0")]
    ok_codes: Vec<i32>,
    /// The command and its arguments.
    #[arg(last = true, required = true)]
    command: Vec<String>,
}

/// One run's cost.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub wall: Duration,
    pub max_rss_kib: i64,
}

/// Runs `argv` once with stdout and stderr discarded.
pub fn run_once(argv: &[String], ok_codes: &[i32]) -> anyhow::Result<Sample> {
    let start = Instant::now();
    let child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("cannot run {}", argv[0]))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value to be filled in by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child; status and usage point to live locals.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if rc < 0 {
        bail!("wait4 failed: {}", std::io::Error::last_os_error());
    }
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    if !ok_codes.contains(&code) {
        bail!("{} exited with status {code}", argv.join(" "));
    }
    std::mem::forget(child); // already reaped by wait4
    Ok(Sample { wall, max_rss_kib: usage.ru_maxrss })
}

pub fn run(args: Args) -> anyhow::Result<()> {
    run_once(&args.command, &args.ok_codes)?; // warm the page cache
    let mut samples = Vec::with_capacity(args.runs);
    for _ in 0..args.runs.max(1) {
        samples.push(run_once(&args.command, &args.ok_codes)?);
    }
    samples.sort_by_key(|s| s.wall);
    let median = samples[samples.len() / 2];
    let rss = samples.iter().map(|s| s.max_rss_kib).max().unwrap_or(0);
    println!(
        "{}: min {:.1} ms, median {:.1} ms, max {:.1} ms, peak RSS {:.1} MiB ({} runs)",
        args.label.as_deref().unwrap_or(&args.command.join(" ")),
        samples[0].wall.as_secs_f64() * 1e3,
        median.wall.as_secs_f64() * 1e3,
        samples[samples.len() - 1].wall.as_secs_f64() * 1e3,
        rss as f64 / 1024.0,
        samples.len()
    );
    Ok(())
}
