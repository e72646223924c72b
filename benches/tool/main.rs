//! `paved-bench`: writes synthetic repositories and measures commands on them.
//!
//! Generators are seeded, so every run measures the same input. `measure` runs a command
//! several times and reports wall-clock time and peak memory (from `wait4`'s rusage), which is
//! what the figures in docs/benchmarks.md are.

mod affected;
mod fake_github;
mod gen_catalog;
mod gen_stacks;
mod measure;
mod parse_only;
mod webhook_load;

use clap::{Parser, Subcommand};

// The same allocator as the `paved` binary (src/main.rs), so figures match it.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Debug, Parser)]
#[command(name = "paved-bench", about = "Generate benchmark inputs and measure paved on them")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a command N times; print wall-clock (min/median/max) and peak RSS.
    Measure(measure::Args),
    /// Time `paved affected` against describing both revisions in full, on a generated repository.
    Affected(affected::Args),
    /// Write a synthetic Backstage catalog of N entities.
    GenCatalog(gen_catalog::Args),
    /// Write a synthetic Atmos repository (200 stacks × 50 components by default).
    GenStacks(gen_stacks::Args),
    /// Parse every YAML file under a directory and nothing else (the floor for validation).
    ParseOnly(parse_only::Args),
    /// Send signed webhooks at a fixed rate to `paved serve`; report received → check posted latency.
    WebhookLoad(webhook_load::Args),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Measure(args) => measure::run(args),
        Command::Affected(args) => affected::run(args),
        Command::GenCatalog(args) => gen_catalog::run(args),
        Command::GenStacks(args) => gen_stacks::run(args),
        Command::ParseOnly(args) => parse_only::run(args),
        Command::WebhookLoad(args) => webhook_load::run(args),
    }
}
