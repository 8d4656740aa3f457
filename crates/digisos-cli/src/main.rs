//! The `digisos` binary: parse arguments, call the core, print. No domain decisions here.

use clap::Parser;
use std::process::ExitCode;

/// Operator tool of the digisos IT emergency-help programme.
#[derive(Debug, Parser)]
#[command(name = "digisos", version, about)]
struct Cli {}

fn main() -> ExitCode {
    let _cli = Cli::parse();
    ExitCode::SUCCESS
}
