//! `paved-bench parse-only DIR`: the floor for catalog validation — read and parse every YAML
//! file under DIR with paved's YAML parser on all cores, and nothing else.

use std::path::PathBuf;
use std::time::Instant;

use paved::source::{FileSource, RelPath, WorkTree, walk_files};
use paved::yaml::{ParseOptions, parse_documents};
use rayon::prelude::*;

#[derive(Debug, clap::Args)]
pub struct Args {
    dir: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let start = Instant::now();
    let tree = WorkTree::new(&args.dir)?;
    let files: Vec<RelPath> = walk_files(&tree, &RelPath::root())?
        .into_iter()
        .filter(|p| p.as_str().ends_with(".yaml") || p.as_str().ends_with(".yml"))
        .collect();
    let opts = ParseOptions::default();
    let docs: usize = files
        .par_iter()
        .map(|p| {
            let bytes = tree.read(p, u64::MAX).expect("readable");
            let text = std::str::from_utf8(&bytes).expect("UTF-8");
            parse_documents(text, &opts).0.len()
        })
        .sum();
    println!("{{\"files\":{},\"documents\":{docs},\"ms\":{:.1}}}", files.len(), start.elapsed().as_secs_f64() * 1e3);
    Ok(())
}
