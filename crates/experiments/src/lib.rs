//! The papers' experiments, one module each, on top of the lab's run core
//! ([`catapult_lab`]): each is a spec (the grid), a run over it and rows (CSV-ready).
//!
//! | module | paper | what it measures |
//! | --- | --- | --- |
//! | [`generalisation`] | Huang et al., arXiv 2011.12547 | flatness and test accuracy across the lazy/catapult boundary on real and synthetic data |
//! | [`annealing`] | Wu, Liu et al. 2019 (LRBench) | schedules compared at the same budget; SGD's loss spikes |
//! | [`diagonal`] | Moroshko et al. 2020; Gissin et al. 2020 | kernel vs rich limit directions, incremental learning, large steps on diagonal nets |
//! | [`collapse`] | Xu, Rangamani, Liao, Galanti, Poggio | norms, ranks and neural collapse of square-loss ReLU classifiers |
//! | [`underparam`] | Kumar et al., ICLR 2021 | srank of the features under fitted Q-iteration |
//!
//! The arrows run one way: this crate uses the lab, the lab never uses it.

#![warn(missing_docs)]

pub mod annealing;
pub mod collapse;
pub mod diagonal;
pub mod generalisation;
pub mod underparam;

use catapult_data::{DataError, LoadError, SeparabilityError};
use catapult_lab::{ConfigError, LabError};
use catapult_models::ModelError;
use catapult_optim::{OptimError, ScheduleError};
use catapult_spectral::SpectralError;

/// Why an experiment could not be carried out: what any run can hit ([`LabError`]) and what
/// only experiments can.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    /// A failure any run can hit: config, data, model, optimiser, eigen-solver.
    #[error(transparent)]
    Lab(#[from] LabError),
    /// A reinforcement-learning problem could not be built or fitted.
    #[error("rl: {0}")]
    Rl(#[from] catapult_rl::RlError),
    /// A training run diverged part-way where the experiment needs it to converge.
    #[error("the run diverged at step {step}: lower the learning rate")]
    Diverged {
        /// The first step whose loss was non-finite or above the divergence threshold.
        step: usize,
    },
}

/// Errors of the layers below reach an experiment through [`LabError`], which names the layer.
macro_rules! through_lab {
    ($($error:ty),* $(,)?) => {
        $(impl From<$error> for ExperimentError {
            fn from(error: $error) -> Self {
                Self::Lab(LabError::from(error))
            }
        })*
    };
}

through_lab!(
    ConfigError,
    DataError,
    LoadError,
    SeparabilityError,
    ModelError,
    OptimError,
    ScheduleError,
    SpectralError,
);
