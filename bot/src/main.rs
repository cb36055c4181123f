//! The `aiops` binary: parse arguments, set up logging, run, map the outcome to an exit code.

mod cli;
mod render;

use clap::Parser;

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
