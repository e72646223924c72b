//! The command-line interface: argument definitions and glue over the library.

mod affected;
mod atmos;
mod audit;
mod ci;
mod completions;
mod describe;
mod drift;
mod golden;
mod golden_paths;
mod list;
mod new;
mod policy;
mod progress;
mod prompt;
mod publish;
mod reconcile;
mod rules;
mod serve;
mod upgrade;
mod validate;
mod yaml_out;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit statuses, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing wrong (warnings allowed).
    Clean = 0,
    /// Problems were found in the input.
    Problems = 1,
    /// A usage error, or paved itself failed.
    Failure = 2,
}

#[derive(Debug, Parser)]
#[command(
    name = "paved",
    version,
    about = "A GitOps reconciler for Backstage catalogs and Atmos stacks",
    long_about = "paved validates Backstage catalog descriptors and Atmos stacks, plans changed stacks on pull \
                  requests and applies merged changes through Atmos.",
    after_help = "Exit status: 0 clean (warnings allowed), 1 problems found, 2 usage error or failure."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Validate(validate::Args),
    Reconcile(reconcile::ReconcileArgs),
    /// Plan the changed (or chosen) components of a ref or pull request
    Plan(reconcile::TargetArgs),
    /// Apply a ref or pull request: requirements, locks, re-plan and compare, deploy in order
    Apply(reconcile::TargetArgs),
    Audit(audit::Args),
    Serve(serve::Args),
    Affected(affected::Args),
    Policy(policy::Args),
    New(new::Args),
    Upgrade(upgrade::Args),
    Golden(golden::Args),
    Rules(rules::Args),
    Ci(ci::Args),
    Completions(completions::CompletionsArgs),
    Man(completions::ManArgs),
    Describe(describe::Args),
    List(list::Args),
    Drift(drift::Args),
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with status 0, usage errors with 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Outcome::Failure as u8 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Reconcile(args) => reconcile::run_reconcile(args),
        Command::Plan(args) => reconcile::run_target(args, paved::reconcile::Flow::Plan),
        Command::Apply(args) => reconcile::run_target(args, paved::reconcile::Flow::Apply),
        Command::Audit(args) => audit::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Affected(args) => affected::run(args),
        Command::Policy(args) => policy::run(args),
        Command::New(args) => new::run(args),
        Command::Upgrade(args) => upgrade::run(args),
        Command::Golden(args) => golden::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Ci(args) => ci::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
        Command::Describe(args) => describe::run(args),
        Command::List(args) => list::run(args),
        Command::Drift(args) => drift::run(args),
    };
    match result {
        Ok(outcome) => ExitCode::from(outcome as u8),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("paved: error: {e:#}");
            ExitCode::from(Outcome::Failure as u8)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}
