//! The `catapult` command line.

mod annealing;
mod check;
mod collapse;
mod diagonal;
mod fqi;
mod generalisation;
mod merge;
mod phase_diagram;
mod runs;
mod schedule;
mod sweep;
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
    /// Run a learning-rate x width x seed grid in parallel, one record per run (resumable, shardable).
    Sweep(sweep::SweepArgs),
    /// Merge a directory of run records into one CSV table.
    Merge(merge::MergeArgs),
    /// A sweep plus a figure: the phase of every run over η·λ0 × width, with predicted boundaries.
    PhaseDiagram(phase_diagram::PhaseDiagramArgs),
    /// Which schedule keeps the benefit of a large first step? Policies × tasks × seeds, and SGD spikes.
    Annealing(annealing::AnnealingArgs),
    /// Print a learning-rate schedule's η_t (spec strings as in run configs).
    Schedule(schedule::ScheduleArgs),
    /// Does the flatter catapult minimum generalise? η sweep on real and synthetic data, with seeds.
    Generalisation(generalisation::GeneralisationArgs),
    /// Diagonal linear networks: incremental learning, kernel vs rich regime over α × ε, large steps.
    Diagonal(diagonal::DiagonalArgs),
    /// Square-loss ReLU classifiers: norm, margin, weight ranks and neural collapse over training, per weight decay.
    Collapse(collapse::CollapseArgs),
    /// Fitted Q-iteration on gridworlds: srank of the features under bootstrapped vs supervised targets and the srank penalty.
    Fqi(fqi::FqiArgs),
    /// Check every theory claim against the real network; exits non-zero if one fails.
    Check(check::CheckArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => train::train(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Merge(args) => merge::merge(args),
        Command::Check(args) => check::check(args),
        Command::Diagonal(args) => diagonal::diagonal(args),
        Command::Fqi(args) => fqi::fqi(args),
        Command::Collapse(args) => collapse::collapse(args),
        Command::Generalisation(args) => generalisation::generalisation(args),
        Command::Schedule(args) => schedule::schedule(args),
        Command::Annealing(args) => annealing::annealing(args),
        Command::PhaseDiagram(args) => phase_diagram::phase_diagram(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", report(&error));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes joined by `: `, leaving out a cause whose text the message
/// already holds (library errors both show their cause and expose it as the source).
fn report(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !message.contains(&text) {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&text);
        }
    }
    message
}
