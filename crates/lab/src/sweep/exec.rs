//! Running the runs of a shard in parallel, one run per thread.

use super::spec::{RunKey, Shard, SweepSpec};
use super::store::{read_finished, write_record};
use crate::{LabError, RunConfig, RunRecord, run};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Why a sweep could not start.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Zero worker threads asked for.
    #[error("the number of threads must be at least 1")]
    NoThreads,
    /// The output directory could not be created.
    #[error("creating the output directory {}: {source}", path.display())]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Why one run of a sweep failed. The sweep goes on with the other runs.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The run itself failed (bad data, a solver error, ...).
    #[error(transparent)]
    Lab(#[from] LabError),
    /// The run panicked (a bug: please report it with the run's parameters).
    #[error("the run panicked: {0}")]
    Panicked(String),
    /// The record file exists, is a valid record, but of another config.
    #[error(
        "{} holds a record of a different config (from another sweep?): move it away or sweep into another directory",
        path.display()
    )]
    Conflict {
        /// The record file.
        path: PathBuf,
    },
    /// The record file exists but cannot be read.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// The record file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The record could not be written.
    #[error("writing {}: {source}", path.display())]
    Write {
        /// The record file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What happened to one run.
#[derive(Debug)]
pub enum RunOutcome {
    /// It ran and its record was written.
    Done,
    /// Its record was already there (same config): nothing was run.
    Skipped,
    /// It failed; no record was written.
    Failed(RunError),
}

/// A failed run: its grid index, parameters and error.
#[derive(Debug)]
pub struct RunFailure {
    /// Position in [`SweepSpec::keys`].
    pub index: usize,
    /// The run's parameters.
    pub key: RunKey,
    /// What went wrong.
    pub error: RunError,
}

/// Counts of one `run_sweep` call.
#[derive(Debug)]
pub struct SweepSummary {
    /// Runs in the whole grid.
    pub grid_runs: usize,
    /// Runs in the shard (done + skipped + failed).
    pub shard_runs: usize,
    /// Runs carried out and recorded.
    pub done: usize,
    /// Runs whose record already existed.
    pub skipped: usize,
    /// Runs that failed, in grid order.
    pub failures: Vec<RunFailure>,
    /// Wall-clock time of the call.
    pub elapsed: Duration,
}

/// Runs every run of `shard` that has no record in `dir` yet, on `threads` worker threads
/// (each run stays on one thread), writing one record per run to
/// `dir/`[`RunKey::file_name`]. `on_done` is called from the worker threads once per run of
/// the shard, as it finishes. A failing run is reported (in `on_done` and the summary) and
/// the others go on.
///
/// A record file that exists and parses as a record of the same config counts as done;
/// a missing, half-written or unparsable one is (re)run; one with another config is a
/// failure ([`RunError::Conflict`]) and is left untouched. Records are bitwise the same
/// whatever `threads` and `shard` are.
///
/// ```
/// use catapult_lab::RunConfig;
/// use catapult_lab::sweep::{Shard, SweepSpec, run_sweep};
/// let base = RunConfig::from_json(r#"{
///     "data": {"kind": "degenerate", "a": [1.0, 2.0], "y": [1.0, -1.0], "dim": 3},
///     "model": {"kind": "two-layer-linear", "width": 8},
///     "loss": "squared", "lr": {"value": 0.1}, "steps": 20
/// }"#).unwrap();
/// let spec = SweepSpec::new(base, vec![0.5, 1.5], vec![8], vec![0, 1]).unwrap();
/// let dir = std::env::temp_dir().join(format!("catapult-doc-sweep-{}", std::process::id()));
/// let summary = run_sweep(&spec, Shard::ALL, &dir, 2, |_, _| {}).unwrap();
/// assert_eq!((summary.done, summary.skipped), (4, 0));
/// let again = run_sweep(&spec, Shard::ALL, &dir, 2, |_, _| {}).unwrap();
/// assert_eq!((again.done, again.skipped), (0, 4));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn run_sweep(
    spec: &SweepSpec,
    shard: Shard,
    dir: &Path,
    threads: usize,
    on_done: impl Fn(&RunKey, &RunOutcome) + Sync,
) -> Result<SweepSummary, SweepError> {
    if threads == 0 {
        return Err(SweepError::NoThreads);
    }
    std::fs::create_dir_all(dir).map_err(|source| SweepError::Dir {
        path: dir.to_path_buf(),
        source,
    })?;
    let started = Instant::now();
    let work = dispatch_order(spec.shard_keys(shard));
    let outcomes = crate::parallel_map(&work, threads, |(_, key)| {
        let outcome = execute(spec.base(), key, dir);
        on_done(key, &outcome);
        outcome
    });
    Ok(summarise(spec.len(), work, outcomes, started.elapsed()))
}

/// Widest runs first (stable otherwise), so that the longest runs do not start last and
/// leave the other threads idle at the end.
fn dispatch_order(mut work: Vec<(usize, RunKey)>) -> Vec<(usize, RunKey)> {
    work.sort_by_key(|(_, key)| std::cmp::Reverse(key.width));
    work
}

/// One run: skip it if its record is there, else run it and write the record.
fn execute(base: &RunConfig, key: &RunKey, dir: &Path) -> RunOutcome {
    let path = dir.join(key.file_name());
    let config = key.apply(base);
    match read_finished(&path) {
        Ok(Some(record)) if record.config == config => return RunOutcome::Skipped,
        Ok(Some(_)) => return RunOutcome::Failed(RunError::Conflict { path }),
        Ok(None) => {}
        Err(source) => return RunOutcome::Failed(RunError::Read { path, source }),
    }
    let record = match run_catching_panics(&config) {
        Ok(record) => record,
        Err(error) => return RunOutcome::Failed(error),
    };
    match write_record(&path, &record) {
        Ok(()) => RunOutcome::Done,
        Err(source) => RunOutcome::Failed(RunError::Write { path, source }),
    }
}

fn run_catching_panics(config: &RunConfig) -> Result<RunRecord, RunError> {
    match catch_unwind(AssertUnwindSafe(|| run(config, |_, _| {}))) {
        Ok(result) => Ok(result?),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".into());
            Err(RunError::Panicked(message))
        }
    }
}

fn summarise(
    grid_runs: usize,
    work: Vec<(usize, RunKey)>,
    outcomes: Vec<RunOutcome>,
    elapsed: Duration,
) -> SweepSummary {
    let mut summary = SweepSummary {
        grid_runs,
        shard_runs: work.len(),
        done: 0,
        skipped: 0,
        failures: Vec::new(),
        elapsed,
    };
    for ((index, key), outcome) in work.into_iter().zip(outcomes) {
        match outcome {
            RunOutcome::Done => summary.done += 1,
            RunOutcome::Skipped => summary.skipped += 1,
            RunOutcome::Failed(error) => summary.failures.push(RunFailure { index, key, error }),
        }
    }
    summary.failures.sort_by_key(|f| f.index);
    summary
}
