//! `paved completions` and `paved man`: generated from the CLI definition, so they never
//! drift from the commands paved has.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, Outcome};

#[derive(Debug, clap::Args)]
#[command(
    about = "Print a shell completion script",
    after_help = "Examples:\n  paved completions bash > /etc/bash_completion.d/paved\n  paved completions zsh > \"${fpath[1]}/_paved\"\n  paved completions fish > ~/.config/fish/completions/paved.fish"
)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(Debug, clap::Args)]
#[command(
    about = "Print the manual page (roff), or write one page per command",
    after_help = "Examples:\n  paved man | man -l -\n  paved man --out-dir /usr/local/share/man/man1   # paved.1, paved-validate.1, ..."
)]
pub struct ManArgs {
    /// Write paved.1 and a page for every subcommand into this directory instead.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

pub fn completions(args: CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "paved", &mut out);
    std::io::stdout().lock().write_all(&out)?;
    Ok(Outcome::Clean)
}

pub fn man(args: ManArgs) -> anyhow::Result<Outcome> {
    let cmd = Cli::command();
    match args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, &dir).with_context(|| format!("cannot write pages to {}", dir.display()))?;
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            std::io::stdout().lock().write_all(&out)?;
        }
    }
    Ok(Outcome::Clean)
}
