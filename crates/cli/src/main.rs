//! The `catapult` command line.

mod train;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Gradient descent with large step sizes: lazy, catapult and divergent phases.
#[derive(Debug, Parser)]
#[command(name = "catapult", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Train one model from a JSON config and write its run record.
    Train(train::TrainArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => train::train(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
