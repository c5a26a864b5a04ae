//! `catapult sweep`: a learning-rate × width × seed grid, in parallel, resumable, sharded.

use crate::runs::{progress_bar, read_config, thread_count};
use anyhow::{Result, bail};
use catapult_lab::RunConfig;
use catapult_lab::sweep::{
    RunKey, RunOutcome, Shard, SweepSpec, SweepSummary, parse_lr_factors, parse_seeds,
    parse_widths, run_sweep,
};
use clap::Args;
use indicatif::ProgressBar;
use std::path::PathBuf;

/// Arguments of `catapult sweep`.
#[derive(Debug, Args)]
#[command(after_help = "\
Every combination of lr factor, width and seed is one run of the base config, with its lr
replaced by {\"factor\": F}, its width by W and its seed by S. Each run writes DIR/wW-fF-sS.json
(F in shortest round-trip scientific notation, e.g. w64-f5e-1-s0.json). A run whose record is
already in DIR is skipped, so an interrupted sweep resumes where it stopped. Runs that fail are
reported and the others go on; the exit status is non-zero if any failed.

Examples:
  catapult sweep --config base.json --lr-factors 0.5:20:40 --widths 64,256,1024,4096 --seeds 0..5 --out runs/
  catapult sweep --config base.json --lr-factors 0.5,1,2 --shard 3/8 --threads 4 --out runs/
  catapult merge runs/ --out table.csv")]
pub struct SweepArgs {
    /// Base run config (JSON), e.g. examples/logistic-nonseparable.json.
    #[arg(long)]
    pub(crate) config: PathBuf,
    /// Learning-rate factors F (η = F/λ0): START:STOP:COUNT gives COUNT values geometrically
    /// spaced from START to STOP inclusive (constant ratio); or a comma list, e.g. 0.5,1,2.
    #[arg(long, value_name = "START:STOP:COUNT|LIST")]
    pub(crate) lr_factors: String,
    /// Hidden widths, a comma list, e.g. 64,256,1024 [default: the base config's width].
    #[arg(long, value_name = "LIST")]
    pub(crate) widths: Option<String>,
    /// Seeds: A..B (B excluded), e.g. 0..5, or a comma list [default: the base config's seed].
    #[arg(long, value_name = "A..B|LIST")]
    pub(crate) seeds: Option<String>,
    /// Run only shard I of N (0-based): the runs whose grid index k has k mod N = I.
    #[arg(long, value_name = "I/N", default_value = "0/1")]
    pub(crate) shard: String,
    /// Worker threads, one run each [default: the number of CPUs available].
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,
    /// Override the base config's number of steps.
    #[arg(long, value_name = "T")]
    pub(crate) steps: Option<usize>,
    /// Directory for the run records (created if missing; shared by all shards).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
}

/// Runs the shard, reporting failures as they happen and a summary line at the end.
pub fn sweep(args: SweepArgs) -> Result<()> {
    let spec = spec_from_args(&args)?;
    let shard: Shard = args.shard.parse()?;
    let threads = thread_count(args.threads)?;

    let bar = progress_bar(spec.shard_keys(shard).len())?;
    let summary = run_sweep(&spec, shard, &args.out, threads, |key, outcome| {
        report(&bar, key, outcome);
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    eprintln!("{}", summary_line(&summary, shard, threads));
    if !summary.failures.is_empty() {
        bail!(
            "{} of {} runs failed (listed above)",
            summary.failures.len(),
            summary.shard_runs
        );
    }
    Ok(())
}

fn spec_from_args(args: &SweepArgs) -> Result<SweepSpec> {
    let base = read_base(args)?;
    let lr_factors = parse_lr_factors(&args.lr_factors)?;
    let widths = match &args.widths {
        Some(text) => parse_widths(text)?,
        None => vec![base_width(&base)],
    };
    let seeds = match &args.seeds {
        Some(text) => parse_seeds(text)?,
        None => vec![base.seed],
    };
    Ok(SweepSpec::new(base, lr_factors, widths, seeds)?)
}

fn read_base(args: &SweepArgs) -> Result<RunConfig> {
    let path = &args.config;
    let mut base = read_config(path)?;
    if let Some(steps) = args.steps {
        base.steps = steps;
    }
    Ok(base)
}

fn base_width(base: &RunConfig) -> usize {
    base.model.width()
}

/// Prints a failed run's parameters and error above the bar (also when the bar is hidden).
fn report(bar: &ProgressBar, key: &RunKey, outcome: &RunOutcome) {
    if let RunOutcome::Failed(error) = outcome {
        bar.suspend(|| eprintln!("failed: {key}: {error}"));
    }
}

fn summary_line(summary: &SweepSummary, shard: Shard, threads: usize) -> String {
    let scope = if shard == Shard::ALL {
        String::new()
    } else {
        format!(" (shard {shard} of a grid of {})", summary.grid_runs)
    };
    format!(
        "sweep: {total} runs{scope}: {done} done, {skipped} skipped, {failed} failed, \
         {seconds:.2} s wall on {threads} thread{s}",
        total = summary.shard_runs,
        done = summary.done,
        skipped = summary.skipped,
        failed = summary.failures.len(),
        seconds = summary.elapsed.as_secs_f64(),
        s = if threads == 1 { "" } else { "s" },
    )
}
