//! `catapult merge`: every run record of a directory as one CSV table.

use anyhow::{Context, Result};
use catapult_lab::table::{merge_dir, write_csv};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `catapult merge`.
#[derive(Debug, Args)]
#[command(after_help = "\
Columns: loss,lr_factor,width,seed,eta,lambda0,sharpness0,final_loss,final_sharpness,
final_ntk_top,diverged,phase,phase_criterion,steps_to_converge. One row per record, sorted by loss, width,
lr factor and seed. steps_to_converge is the first observed step from which every observed
loss stays within 1e-6·max(1, |final loss|) of the final loss; empty for diverged runs.
Every file in DIR must be a run record, except the sweep's temporary files (.NAME.PID.tmp):
keep the table itself outside DIR.")]
pub struct MergeArgs {
    /// Directory of run records, e.g. the --out of `catapult sweep`.
    dir: PathBuf,
    /// Write the table here instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Reads the records, writes the table, reports the row count on stderr.
pub fn merge(args: MergeArgs) -> Result<()> {
    let rows = merge_dir(&args.dir)?;
    let mut csv = Vec::new();
    write_csv(&rows, &mut csv)?;
    match &args.out {
        Some(path) => std::fs::write(path, &csv)
            .with_context(|| format!("writing table {}", path.display()))?,
        None => std::io::stdout()
            .lock()
            .write_all(&csv)
            .context("writing the table to stdout")?,
    }
    let target = args
        .out
        .as_ref()
        .map_or("stdout".to_string(), |p| p.display().to_string());
    eprintln!(
        "merge: {} records from {} into {target}",
        rows.len(),
        args.dir.display()
    );
    Ok(())
}
