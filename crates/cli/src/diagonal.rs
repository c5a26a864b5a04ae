//! `catapult diagonal`: diagonal linear networks. Incremental learning (learning times
//! against the closed form, the order a sparse regression's support is found), the kernel vs
//! rich regime over α and ε with its transition, and large steps against gradient flow.

use crate::runs::thread_count;
use anyhow::{Context, Result};
use catapult_experiments::diagonal::incremental::{
    SparseRegressionSpec, StaircaseSpec, run_sparse_regression, run_staircase,
};
use catapult_experiments::diagonal::large_step::{LargeStepSpec, run_large_steps};
use catapult_experiments::diagonal::margin::{MarginSpec, run_margin_grid, transitions};
use catapult_lab::write_csv_rows;
use catapult_theory::Phase;
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Which part of the experiment to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Part {
    /// Learning times of σ = u^N (N = 1…4, σ0 = 1e-1, 1e-2, 1e-4) and sparse regression.
    Incremental,
    /// Distances to the ℓ1 and ℓ2 max-margin directions over α × ε, D = 2 and 3.
    Margin,
    /// GD at large steps against gradient flow at the same loss.
    LargeSteps,
    /// All three.
    All,
}

/// Arguments of `catapult diagonal`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  catapult diagonal --part margin --out diag/")]
pub struct DiagonalArgs {
    /// The part to run.
    #[arg(long, value_enum, default_value = "all")]
    part: Part,
    /// Worker threads [default: the number of CPUs available].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Directory for the CSV tables (learning_times.csv, sparse_regression.csv, margin.csv,
    /// transition.csv, large_steps.csv).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// One support coordinate of a sparse regression run, in the order found.
#[derive(Debug, Serialize)]
struct SupportRow {
    correlation: f64,
    rank: usize,
    coordinate: usize,
    value: f64,
    time_to_half: f64,
    recovery_error: f64,
}

/// Runs the chosen parts, writes their tables and prints short summaries.
pub fn diagonal(args: DiagonalArgs) -> Result<()> {
    let threads = thread_count(args.threads)?;
    fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let started = Instant::now();
    if matches!(args.part, Part::Incremental | Part::All) {
        incremental(&args.out)?;
    }
    if matches!(args.part, Part::Margin | Part::All) {
        margin(&args.out, threads)?;
    }
    if matches!(args.part, Part::LargeSteps | Part::All) {
        large_steps(&args.out, threads)?;
    }
    eprintln!(
        "tables in {}; {:.1} s on {threads} thread(s)",
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn write<T: Serialize>(dir: &Path, name: &str, rows: &[T]) -> Result<()> {
    let path = dir.join(name);
    let file = fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    write_csv_rows(rows, file).with_context(|| format!("writing {}", path.display()))
}

fn incremental(out: &Path) -> Result<()> {
    let runs = run_staircase(&StaircaseSpec::standard())?;
    let times: Vec<_> = runs.iter().flat_map(|r| r.times.iter().cloned()).collect();
    write(out, "learning_times.csv", &times)?;
    println!("incremental learning: t(1/2) / t(1/2 of σ* = 12), measured (closed form)");
    for run in &runs {
        let ratios: Vec<String> = run
            .times
            .iter()
            .filter(|t| t.level == 0.5)
            .map(|t| format!("{:.3} ({:.3})", t.measured_ratio, t.predicted_ratio))
            .collect();
        let time = |coordinate: usize, level: f64| {
            run.times
                .iter()
                .find(|t| t.coordinate == coordinate && t.level == level)
                .map_or(f64::NAN, |t| t.measured)
        };
        let separation: Vec<String> = (1..StaircaseSpec::standard().target.len())
            .map(|i| format!("{:.3}", time(i, 0.5) / time(i - 1, 0.9)))
            .collect();
        println!(
            "  N = {} σ0 = {:e}: {}; separation t(1/2 of next)/t(0.9 of this): {}",
            run.depth,
            run.sigma0,
            ratios.join(", "),
            separation.join(", ")
        );
    }
    let sparse = run_sparse_regression(&SparseRegressionSpec::standard())?;
    let rows: Vec<SupportRow> = sparse
        .iter()
        .flat_map(|run| {
            run.found
                .iter()
                .enumerate()
                .map(|(rank, &(coordinate, time))| SupportRow {
                    correlation: run.correlation,
                    rank,
                    coordinate,
                    value: SparseRegressionSpec::standard().teacher[coordinate],
                    time_to_half: time,
                    recovery_error: run.recovery_error,
                })
        })
        .collect();
    write(out, "sparse_regression.csv", &rows)?;
    for run in &sparse {
        let order: Vec<String> = run.found.iter().map(|(k, _)| k.to_string()).collect();
        println!(
            "  sparse regression, correlation {}: support found in order {} (relative error {:.2e})",
            run.correlation,
            order.join(", "),
            run.recovery_error
        );
    }
    Ok(())
}

fn margin(out: &Path, threads: usize) -> Result<()> {
    let spec = MarginSpec::standard();
    let (_, rows) = run_margin_grid(&spec, threads)?;
    write(out, "margin.csv", &rows)?;
    let fits = transitions(&spec, &rows);
    let points: Vec<_> = fits.iter().flat_map(|f| f.points.iter().cloned()).collect();
    write(out, "transition.csv", &points)?;
    for fit in &fits {
        println!(
            "kernel–rich transition, D = {}: slope of ln α_c against ln ln(1/ε) {} (predicted {:.3})",
            fit.depth,
            fit.slope.map_or("undefined".into(), |s| format!("{s:.3}")),
            fit.predicted_slope
        );
    }
    Ok(())
}

fn large_steps(out: &Path, threads: usize) -> Result<()> {
    let rows = run_large_steps(&LargeStepSpec::standard(), threads)?;
    write(out, "large_steps.csv", &rows)?;
    let count = |phase| rows.iter().filter(|r| r.phase == phase).count();
    println!(
        "large steps: {} runs, {} lazy, {} catapult, {} divergent",
        rows.len(),
        count(Phase::Lazy),
        count(Phase::Catapult),
        count(Phase::Divergent)
    );
    Ok(())
}
