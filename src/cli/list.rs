//! `paved list stacks` and `paved list components`.

use std::collections::BTreeMap;
use std::io::Write;

use super::Outcome;
use super::atmos::{StackArgs, load, print_diagnostics};

#[derive(Debug, clap::Args)]
#[command(about = "List Atmos stacks and components")]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, clap::Subcommand)]
enum What {
    /// Stack names, one per line.
    #[command(after_help = "Examples:\n  paved list stacks\n  paved list stacks -c vpc      # stacks that have vpc")]
    Stacks {
        /// Only stacks with this component.
        #[arg(short, long)]
        component: Option<String>,
        #[command(flatten)]
        common: StackArgs,
    },
    /// Components (not abstract): name, type and how many stacks use it, tab-separated.
    #[command(after_help = "Examples:\n  paved list components\n  paved list components -s plat-ue2-dev")]
    Components {
        /// Only this stack.
        #[arg(short, long)]
        stack: Option<String>,
        #[command(flatten)]
        common: StackArgs,
    },
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let (common, out) = match &args.what {
        What::Stacks { common, .. } | What::Components { common, .. } => (common, String::new()),
    };
    let loaded = load(common)?;
    let set = &loaded.set;
    if print_diagnostics(&set.diagnostics) {
        return Ok(Outcome::Problems);
    }
    let mut out = out;
    match &args.what {
        What::Stacks { component, .. } => {
            for name in set.stack_names() {
                if component.as_ref().is_none_or(|c| set.instance(c, name).is_some()) {
                    out.push_str(name);
                    out.push('\n');
                }
            }
        }
        What::Components { stack, .. } => {
            if let Some(s) = stack
                && set.stack(s).next().is_none()
            {
                eprintln!("paved: invalid stack `{s}`");
                return Ok(Outcome::Problems);
            }
            let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
            for i in set.instances().iter().filter(|i| !i.is_abstract && stack.as_ref().is_none_or(|s| &i.stack == s)) {
                *counts.entry((i.component.as_str(), i.component_type.as_str())).or_default() += 1;
            }
            for ((name, ty), n) in counts {
                out.push_str(&format!("{name}\t{ty}\t{n}\n"));
            }
        }
    }
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(Outcome::Clean),
    }
}
