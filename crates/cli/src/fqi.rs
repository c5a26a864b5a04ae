//! `catapult fqi`: srank of the Q-network's features under bootstrapped and supervised
//! targets and under the srank penalty, on seeded gridworlds (Kumar et al., ICLR 2021).

use crate::runs::thread_count;
use anyhow::{Context, Result};
use catapult_experiments::underparam::{UnderparamSpec, run_underparam, summarise_underparam};
use catapult_lab::write_csv_rows;
use clap::Args;
use std::fs;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `catapult fqi`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  catapult fqi --iterations 20 --seeds 0,1,2 --out fqi.csv")]
pub struct FqiArgs {
    /// Target updates per run [default: 40].
    #[arg(long, value_name = "K")]
    iterations: Option<usize>,
    /// Gradient steps per iteration of the "few steps" variant [default: 10].
    #[arg(long, value_name = "N")]
    few_steps: Option<usize>,
    /// Gradient steps per iteration of the other variants [default: 100].
    #[arg(long, value_name = "N")]
    many_steps: Option<usize>,
    /// Coefficient c of the penalty c·(σ²_max − σ²_min) [default: 0.01].
    #[arg(long, value_name = "C")]
    penalty: Option<f64>,
    /// Learning rate of the gradient steps [default: 0.5].
    #[arg(long, value_name = "ETA")]
    lr: Option<f64>,
    /// Discount γ in [0, 1) [default: 0.9].
    #[arg(long, value_name = "GAMMA")]
    gamma: Option<f64>,
    /// Comma-separated seeds [default: 0,1,2].
    #[arg(long, value_delimiter = ',', value_name = "SEEDS")]
    seeds: Option<Vec<u64>>,
    /// Worker threads [default: the number of CPUs available].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// CSV file for one row per (seed, variant, iteration).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Runs the four variants on every seed, writes the rows, prints a summary per variant.
pub fn fqi(args: FqiArgs) -> Result<()> {
    let threads = thread_count(args.threads)?;
    let mut spec = UnderparamSpec::standard();
    spec.iterations = args.iterations.unwrap_or(spec.iterations);
    spec.few_steps = args.few_steps.unwrap_or(spec.few_steps);
    spec.many_steps = args.many_steps.unwrap_or(spec.many_steps);
    spec.penalty = args.penalty.unwrap_or(spec.penalty);
    spec.learning_rate = args.lr.unwrap_or(spec.learning_rate);
    spec.gamma = args.gamma.unwrap_or(spec.gamma);
    if let Some(seeds) = args.seeds {
        spec.seeds = seeds;
    }
    let started = Instant::now();
    let rows = run_underparam(&spec, threads)?;
    let file =
        fs::File::create(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    write_csv_rows(&rows, file).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "variant | srank start | srank end | lowest srank | Bellman error end | ‖Q − Q*‖ end (RMS Q* {:.2})",
        rows.first().map_or(f64::NAN, |r| r.q_star_rms)
    );
    for s in summarise_underparam(&rows) {
        println!(
            "{} | {:.1} ± {:.1} | {:.1} ± {:.1} | {:.1} ± {:.1} | {:.3} ± {:.3} | {:.3} ± {:.3}",
            s.variant,
            s.srank_start.mean,
            s.srank_start.sd,
            s.srank_end.mean,
            s.srank_end.sd,
            s.srank_lowest.mean,
            s.srank_lowest.sd,
            s.bellman_error_end.mean,
            s.bellman_error_end.sd,
            s.q_distance_end.mean,
            s.q_distance_end.sd
        );
    }
    eprintln!(
        "rows in {}; {} seeds; {:.1} s on {threads} thread(s)",
        args.out.display(),
        spec.seeds.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
