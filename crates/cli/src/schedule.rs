//! `catapult schedule`: a learning-rate schedule's η_t, to see it before training with it.

use anyhow::{Context, Result, bail};
use catapult_optim::{LrSchedule, Schedule};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `catapult schedule`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
  catapult schedule cosine:k0=0.5,floor=0.01,T=3000 --steps 3000 --every 100\n  \
  catapult schedule 'seq:[fix:k0=2@500,cosine:k0=0.5,T=2500]' --steps 3000 --out eta.csv\n  \
  catapult schedule warmup:steps=100,then=step:k0=1,gamma=0.1,l=1000 --steps 2000\n\n\
Policies: fix step nstep exp inv poly, the cyclic tri sin cos families (tri tri2 triexp, \
d- and r- prefixed variants, upcos), cosine sgdr onecycle warmup seq; see docs/schedules.md.")]
pub struct ScheduleArgs {
    /// The schedule spec, e.g. `step:k0=1,gamma=0.1,l=1000`.
    spec: String,
    /// Print η_t for t = 0 … T.
    #[arg(long, value_name = "T")]
    steps: usize,
    /// Print every K-th step only (the last step is always printed).
    #[arg(long, value_name = "K", default_value_t = 1)]
    every: usize,
    /// Write the CSV to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Parses the spec and writes `step,learning_rate` rows.
pub fn schedule(args: ScheduleArgs) -> Result<()> {
    let schedule: LrSchedule = args
        .spec
        .parse()
        .with_context(|| format!("schedule `{}`", args.spec))?;
    if args.every == 0 {
        bail!("--every `0`: must be at least 1");
    }
    let mut text = String::from("step,learning_rate\n");
    for t in (0..=args.steps).filter(|&t| t % args.every == 0 || t == args.steps) {
        text.push_str(&format!("{t},{:?}\n", schedule.learning_rate(t)));
    }
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?
        }
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .context("writing to standard output")?,
    }
    if let Some(horizon) = schedule.horizon() {
        eprintln!("{schedule}: horizon T = {horizon}");
    }
    Ok(())
}
