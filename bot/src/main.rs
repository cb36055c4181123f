//! The `aiops` binary: parse arguments, set up logging, run, exit with the command's code.

use aiops_bot::cli;
use clap::Parser;

/// Loading a big inventory makes hundreds of thousands of small allocations; mimalloc keeps
/// that (and freeing it on reload) linear where glibc's allocator does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args = cli::Args::parse();
    cli::init_tracing(&args);
    std::process::exit(cli::run(args));
}
