//! `catapult check`: every theory claim against the real network, as a table.

use anyhow::{Result, bail};
use catapult_theory::{SuiteSize, Verdict, run_suite};
use clap::Args;
use std::time::Instant;

/// Arguments of `catapult check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Smaller widths and fewer seeds: about 10 s instead of about 3 minutes.
    #[arg(long)]
    quick: bool,
}

/// Runs the suite, printing one row per verdict as it arrives; fails if any claim fails.
pub fn check(args: CheckArgs) -> Result<()> {
    let size = if args.quick {
        SuiteSize::quick()
    } else {
        SuiteSize::full()
    };
    let started = Instant::now();
    let mut verdicts: Vec<Verdict> = Vec::new();
    println!("verdict | claim | measured vs predicted | setting");
    let scaling = run_suite(&size, |verdict| {
        println!("{verdict}");
        verdicts.push(verdict);
    })?;
    if let (Some(pooled), Some(seeds)) = (scaling.fit, &scaling.seed_fit) {
        eprintln!(
            "η_max·λ0 ≈ {:.3}·m^k: per-seed k mean {:.4}, sd {:.4}, seed-level 95% CI [{:.4}, {:.4}] \
             ({} seeds, {} runs)",
            pooled.prefactor,
            seeds.exponent,
            seeds.spread,
            seeds.exponent_ci95.0,
            seeds.exponent_ci95.1,
            seeds.per_seed.len(),
            pooled.points
        );
    }
    let mut widths: Vec<usize> = scaling.points.iter().map(|p| p.0).collect();
    widths.dedup();
    for width in widths {
        let values: Vec<String> = scaling
            .points
            .iter()
            .filter(|p| p.0 == width)
            .map(|p| format!("{:.1}", p.2))
            .collect();
        eprintln!(
            "η_max·λ0 at m = {width}, one per seed: {}",
            values.join(", ")
        );
    }
    let failed = verdicts.iter().filter(|v| !v.holds).count();
    eprintln!(
        "{} claims checked, {failed} failed, in {:.1} s",
        verdicts.len(),
        started.elapsed().as_secs_f64()
    );
    if failed > 0 {
        bail!("{failed} of {} claims failed", verdicts.len());
    }
    Ok(())
}
