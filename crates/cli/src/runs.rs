//! What the commands that run jobs share: reading a run config, the thread count and the
//! progress bar.

use anyhow::{Context, Result, bail};
use catapult_lab::RunConfig;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Read;
use std::path::Path;

/// The largest run config read, in bytes. A config inlines at most a degenerate dataset's
/// coordinates; anything larger is not a config, and is refused before it is read.
pub const MAX_CONFIG_BYTES: u64 = 64 << 20;

/// Reads and validates the run config at `path`; errors name the file.
pub fn read_config(path: &Path) -> Result<RunConfig> {
    let reading = || format!("reading config {}", path.display());
    let file = std::fs::File::open(path).with_context(reading)?;
    let mut text = String::new();
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_string(&mut text)
        .with_context(reading)?;
    if text.len() as u64 > MAX_CONFIG_BYTES {
        bail!(
            "config {} is larger than {} MiB: not a run config",
            path.display(),
            MAX_CONFIG_BYTES >> 20
        );
    }
    RunConfig::from_json(&text).with_context(|| format!("in config {}", path.display()))
}

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
