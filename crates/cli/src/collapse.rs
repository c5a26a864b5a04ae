//! `catapult collapse`: norm, margin, weight-matrix ranks and neural collapse of a
//! square-loss ReLU classifier over training, for several weight decays (Xu, Rangamani, Liao,
//! Galanti, Poggio).

use crate::runs::thread_count;
use anyhow::{Context, Result, bail};
use catapult_experiments::collapse::{ClassTask, CollapseSpec, run_collapse};
use catapult_lab::write_csv_rows;
use catapult_models::Normalisation;
use clap::Args;
use std::fs;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `catapult collapse`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  catapult collapse --task iris --lambdas 0,0.001 --steps 3000 --out collapse.csv"
)]
pub struct CollapseArgs {
    /// `gaussian` (4 classes × 50, d = 10, separation 1, drawn with the seed), `iris`
    /// (3 classes, standardised) or `idx` (MNIST-style files: --images, --labels, --digits)
    /// [default: gaussian].
    #[arg(long, value_name = "NAME")]
    task: Option<String>,
    /// IDX images file (raw or gzipped), for --task idx.
    #[arg(long, value_name = "FILE")]
    images: Option<PathBuf>,
    /// IDX labels file (raw or gzipped), for --task idx.
    #[arg(long, value_name = "FILE")]
    labels: Option<PathBuf>,
    /// Comma-separated digits, one class each, for --task idx [default: 0,1,2].
    #[arg(long, value_delimiter = ',', value_name = "DIGITS")]
    digits: Option<Vec<u8>>,
    /// At most this many items of each digit (the first in the file), for --task idx
    /// [default: 50].
    #[arg(long, value_name = "N")]
    per_class: Option<usize>,
    /// Comma-separated weight decays λ, one run each [default: 0,0.001,0.005,0.01].
    #[arg(long, value_delimiter = ',', value_name = "LAMBDAS")]
    lambdas: Option<Vec<f64>>,
    /// Comma-separated hidden widths [default: 64,64].
    #[arg(long, value_delimiter = ',', value_name = "WIDTHS")]
    hidden: Option<Vec<usize>>,
    /// `per-layer` (W_k = ρ_k V_k/‖V_k‖) or `none` [default: per-layer].
    #[arg(long, value_name = "KIND")]
    normalisation: Option<String>,
    /// Learning-rate schedule spec [default: fix:k0=0.5].
    #[arg(long, value_name = "SPEC")]
    schedule: Option<String>,
    /// Mini-batch size in sample-class rows [default: full batch].
    #[arg(long, value_name = "B")]
    batch: Option<usize>,
    /// Training steps [default: 20000].
    #[arg(long, value_name = "T")]
    steps: Option<usize>,
    /// Steps between measurements [default: 500].
    #[arg(long, value_name = "K")]
    observe_every: Option<usize>,
    /// Seed of data, initialisation and batches [default: 0].
    #[arg(long, value_name = "SEED")]
    seed: Option<u64>,
    /// Worker threads [default: the number of CPUs available].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// CSV file for one row per (λ, observed step).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Runs every λ, writes the rows and prints the last observation of each run.
pub fn collapse(args: CollapseArgs) -> Result<()> {
    let threads = thread_count(args.threads)?;
    let mut spec = CollapseSpec::standard();
    match args.task.as_deref() {
        None | Some("gaussian") => {}
        Some("iris") => spec.task = ClassTask::Iris,
        Some("idx") => {
            let (Some(images), Some(labels)) = (args.images, args.labels) else {
                bail!("--task idx needs --images FILE and --labels FILE");
            };
            spec.task = ClassTask::Idx {
                images,
                labels,
                digits: args.digits.unwrap_or_else(|| vec![0, 1, 2]),
                per_class: Some(args.per_class.unwrap_or(50)),
            };
        }
        Some(other) => bail!("unknown task `{other}`: expected `gaussian`, `iris` or `idx`"),
    }
    match args.normalisation.as_deref() {
        None | Some("per-layer") => {}
        Some("none") => spec.normalisation = Normalisation::None,
        Some(other) => bail!("unknown normalisation `{other}`: expected `per-layer` or `none`"),
    }
    if let Some(lambdas) = args.lambdas {
        spec.weight_decays = lambdas;
    }
    if let Some(hidden) = args.hidden {
        spec.hidden = hidden;
    }
    spec.schedule = args.schedule.unwrap_or(spec.schedule);
    spec.batch = args.batch.or(spec.batch);
    spec.steps = args.steps.unwrap_or(spec.steps);
    spec.observe_every = args.observe_every.unwrap_or(spec.observe_every);
    spec.seed = args.seed.unwrap_or(spec.seed);
    let started = Instant::now();
    let rows = run_collapse(&spec, threads)?;
    let file =
        fs::File::create(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    write_csv_rows(&rows, file).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "λ | step | loss | accuracy | margin/ρ | ρ | stable rank W_L−1, W_L | NC1 | NC2 norm, angle | NC3"
    );
    for &lambda in &spec.weight_decays {
        if let Some(r) = rows.iter().rev().find(|r| r.weight_decay == lambda) {
            println!(
                "{lambda} | {} | {:.3e} | {:.3} | {:.3e} | {:.3e} | {:.2}, {:.2} | {:.3e} | {:.3}, {:.3} | {:.3}",
                r.step,
                r.loss,
                r.accuracy,
                r.normalised_margin,
                r.rho,
                r.stable_rank_penultimate,
                r.stable_rank_last,
                r.nc1,
                r.nc2_norm_spread,
                r.nc2_angle_spread,
                r.nc3
            );
        }
    }
    eprintln!(
        "rows in {}; {:.1} s on {threads} thread(s)",
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
