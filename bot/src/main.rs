//! The `aiops` binary: parse arguments, set up logging, run, map the outcome to an exit code.

use aiops_bot::cli;
use clap::Parser;

/// Loading a big inventory makes hundreds of thousands of small allocations; mimalloc keeps
/// that (and freeing it on reload) linear where glibc's allocator does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args = cli::Args::parse();
    cli::init_tracing(&args);
    let code = match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("aiops: {e:#}");
            2
        }
    };
    std::process::exit(code);
}
