//! The `paved` binary: parse the command line, run, map the outcome to an exit code.

mod cli;

use std::process::ExitCode;

// See Cargo.toml: paved allocates many small, short-lived values.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read when it starts (`_RJEM_MALLOC_CONF` in the environment still
/// overrides them). `thp:always` asks the kernel for transparent huge pages
/// (`MADV_HUGEPAGE`) on jemalloc's memory where the system leaves them to `madvise`: a catalog
/// keeps every entity's YAML tree until the report, tens of MiB that were otherwise faulted
/// in one 4 KiB page at a time (10,000 entities: ≈ 11,000 page faults, a quarter of the
/// run's CPU, down to ≈ 5,000). It costs a few MiB of resident memory. No effect where THP
/// is off (`never`).
#[cfg(all(not(target_env = "msvc"), target_os = "linux"))]
#[used]
#[unsafe(export_name = "_rjem_malloc_conf")]
static MALLOC_CONF: &[u8; 11] = b"thp:always\0";

fn main() -> ExitCode {
    cli::main()
}
