//! `catapult check`: every theory claim against the real network, as a table.

use anyhow::{Result, bail};
use catapult_theory::{SuiteSize, Verdict, run_suite};
use clap::Args;
use std::time::Instant;

/// Arguments of `catapult check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Smaller widths and fewer seeds: a few seconds instead of about a minute.
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
    if let Some(fit) = scaling.fit {
        eprintln!(
            "η_max·λ0 ≈ {:.3}·m^{:.4} (95% CI of the exponent [{:.4}, {:.4}], {} runs)",
            fit.prefactor, fit.exponent, fit.exponent_ci95.0, fit.exponent_ci95.1, fit.points
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
