//! The `paved` binary: parse the command line, run, map the outcome to an exit code.

mod cli;

use std::process::ExitCode;

// See Cargo.toml: paved allocates many small, short-lived values.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    cli::main()
}
