//! Learning-rate × width × seed sweeps: a [`SweepSpec`] (a base config and the values of the
//! three axes) is run as a grid of independent runs, in parallel, optionally one [`Shard`]
//! of it per process (e.g. per Slurm array task), one JSON record per run in a directory.
//! Sweeps resume: a run whose record is already there is skipped, and records are written
//! atomically, so a killed sweep leaves no half-written record behind.
//!
//! ```
//! use catapult_lab::RunConfig;
//! use catapult_lab::sweep::{Shard, SweepSpec, parse_lr_factors, parse_seeds, parse_widths};
//! let base = RunConfig::from_json(r#"{
//!     "data": {"kind": "degenerate", "a": [1.0, 2.0], "y": [1.0, -1.0], "dim": 3},
//!     "model": {"kind": "two-layer-linear", "width": 8},
//!     "loss": "squared", "lr": {"value": 0.1}, "steps": 20
//! }"#).unwrap();
//! let spec = SweepSpec::new(
//!     base,
//!     parse_lr_factors("0.5:20:4").unwrap(),
//!     parse_widths("64,256").unwrap(),
//!     parse_seeds("0..5").unwrap(),
//! ).unwrap();
//! assert_eq!(spec.len(), 4 * 2 * 5);
//! let shard: Shard = "2/3".parse().unwrap();
//! assert_eq!(spec.shard_keys(shard).len(), 13); // grid indices 2, 5, ..., 38
//! ```

mod exec;
mod spec;
mod store;

pub use exec::{RunError, RunFailure, RunOutcome, SweepError, SweepSummary, run_sweep};
pub use spec::{RunKey, Shard, SpecError, SweepSpec, parse_lr_factors, parse_seeds, parse_widths};
pub use store::{is_temp_file_name, read_finished, write_record};
