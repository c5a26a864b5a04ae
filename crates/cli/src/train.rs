//! `catapult train`: one run from a config file, record to a file or stdout.

use crate::runs::read_config;
use anyhow::{Context, Result};
use catapult_lab::{LearningRate, RunConfig, RunRecord, run, starting_point};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `catapult train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Run config (JSON), e.g. examples/logistic-nonseparable.json.
    #[arg(long)]
    config: PathBuf,
    /// Write the run record (JSON) here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Override the step size as η = X/λ0.
    #[arg(long, value_name = "X")]
    lr_factor: Option<f64>,
    /// Override the hidden width.
    #[arg(long, value_name = "M")]
    width: Option<usize>,
    /// Override the initialisation seed.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Override the number of steps.
    #[arg(long, value_name = "T")]
    steps: Option<usize>,
    /// Also write the run's starting point (training inputs `x`, targets `y`, hidden
    /// `widths`, initial parameters `theta` in the model's layout) as JSON to this file, so
    /// another implementation can train from the same bits.
    #[arg(long, value_name = "FILE")]
    write_start: Option<PathBuf>,
}

/// Reads the config, applies the overrides, runs, writes the record and a summary line.
pub fn train(args: TrainArgs) -> Result<()> {
    let mut config = read_config(&args.config)?;
    apply_overrides(&mut config, &args);
    if let Some(path) = &args.write_start {
        let start = serde_json::to_string(&starting_point(&config)?)
            .context("serialising the starting point")?;
        std::fs::write(path, start + "\n")
            .with_context(|| format!("writing starting point {}", path.display()))?;
    }

    let bar = ProgressBar::new(config.steps as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} steps, {elapsed} elapsed, eta {eta}")
            .context("progress bar template")?,
    );
    let started = Instant::now();
    let record = run(&config, |step, _| bar.set_position(step as u64))?;
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();

    let json = serde_json::to_string_pretty(&record).context("serialising the run record")?;
    match &args.out {
        Some(path) => std::fs::write(path, json + "\n")
            .with_context(|| format!("writing record {}", path.display()))?,
        None => println!("{json}"),
    }
    eprintln!("{}", summary(&record, elapsed));
    Ok(())
}

fn apply_overrides(config: &mut RunConfig, args: &TrainArgs) {
    if let Some(factor) = args.lr_factor {
        config.lr = LearningRate::Factor(factor);
    }
    if let Some(width) = args.width {
        config.model.set_width(width);
    }
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    if let Some(steps) = args.steps {
        config.steps = steps;
    }
}

fn summary(record: &RunRecord, seconds: f64) -> String {
    let trace = &record.trace;
    let steps = trace.step.last().copied().unwrap_or(0);
    format!(
        "{phase}: eta {eta:.6} = {factor:.3}/lambda0 (lambda0 {l0:.6}), loss {loss0:.6} -> {loss:.6e}, \
         ntk_top {l0:.6} -> {ntk:.6}, sharpness {s0:.6} -> {s:.6}, {steps} steps{diverged} in {seconds:.2} s",
        phase = record.phase.name(),
        eta = record.eta,
        factor = record.eta * record.lambda0,
        l0 = record.lambda0,
        loss0 = trace.loss.first().copied().unwrap_or(f64::NAN),
        loss = record.final_state.loss,
        ntk = record.final_state.ntk_top,
        s0 = record.sharpness0,
        s = record.final_state.sharpness,
        diverged = if record.final_state.diverged {
            " (diverged)"
        } else {
            ""
        },
    )
}
