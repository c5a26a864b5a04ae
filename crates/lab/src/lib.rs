//! Experiments as data: a [`RunConfig`] (serde/JSON) goes in, [`run`] builds the dataset,
//! the model and its risk, trains it with gradient descent while observing loss, accuracy,
//! the NTK top eigenvalue and the sharpness, and a [`RunRecord`] (serde/JSON) comes out.
//!
//! ```
//! use catapult_lab::{Phase, RunConfig, run};
//! let config: RunConfig = serde_json::from_str(r#"{
//!     "data": {"kind": "degenerate", "a": [1.0, 2.0, -1.0], "y": [1.0, 1.0, 1.0], "dim": 3},
//!     "model": {"kind": "two-layer-linear", "width": 64},
//!     "loss": "logistic", "seed": 0, "lr": {"factor": 0.5}, "steps": 200, "observe_every": 50
//! }"#).unwrap();
//! let record = run(&config, |_, _| {}).unwrap();
//! assert_eq!(record.phase, Phase::Lazy);
//! assert_eq!(record.trace.step, vec![0, 50, 100, 150, 200]);
//! ```
//!
//! The built-in tasks (real and synthetic data, split and standardised) are [`task`]. The
//! papers' experiments live in `catapult-experiments`, on top of this crate.
//!
//! Many runs: [`sweep`] runs a learning-rate × width × seed grid in parallel (sharded,
//! resumable, one record file per run) and [`table`] merges a directory of records into one
//! CSV table.

#![warn(missing_docs)]

mod config;
mod csv_rows;
mod parallel;
mod record;
mod runner;
mod scaled;
mod start;
pub mod sweep;
pub mod table;
pub mod task;

pub use catapult_theory::Phase;
pub use config::{ConfigError, DataConfig, LearningRate, ModelConfig, OptimizerConfig, RunConfig};
pub use csv_rows::write_csv_rows;
pub use parallel::parallel_map;
pub use record::{FinalState, RunRecord, Trace};
pub use runner::{LabError, run};
pub use scaled::Scaled;
pub use start::{StartingPoint, starting_point};
