//! What every command that runs many jobs shares: the thread count and the progress bar.

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};

/// `--threads`: at least 1, by default the number of CPUs available.
pub fn thread_count(requested: Option<usize>) -> Result<usize> {
    match requested {
        Some(0) => bail!("--threads `0`: must be at least 1"),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// A bar over `runs` runs with the elapsed time and an estimate of the rest (hidden when
/// standard error is not a terminal).
pub fn progress_bar(runs: usize) -> Result<ProgressBar> {
    let style =
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {elapsed} elapsed, eta {eta}")
            .context("progress bar template")?;
    Ok(ProgressBar::new(runs as u64).with_style(style))
}
