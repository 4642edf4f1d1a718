//! The `ramkey` binary: parse the command line and hand over to the library.

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = ramkey::cli::Cli::parse();
    ramkey::commands::run(cli)
}
