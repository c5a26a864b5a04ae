//! Diagonal linear networks `w = u₊^D − u₋^D` ([`catapult_models::DiagonalNet`]): the kernel
//! and rich regimes of Moroshko et al. (NeurIPS 2020), the incremental learning of Gissin,
//! Shalev-Shwartz and Daniely (ICLR 2020), and large steps.
//!
//! - [`incremental`]: closed-form learning times of one coordinate, the toy `σ = u^N`
//!   integrated as a gradient flow (the staircase), and the order in which a deep diagonal
//!   network finds the support of a sparse regression teacher.
//! - [`margin`]: gradient flow with the exponential loss, integrated in closed-form layer
//!   potentials against the log-loss, measured against the ℓ1 and ℓ2 max-margin directions
//!   over a grid of α and ε, and the transition between them.
//! - [`large_step`]: GD at step sizes up to and past the catapult phase against gradient
//!   flow at the same training loss.

pub mod incremental;
pub mod large_step;
pub mod margin;

use catapult_data::{DataError, SeparabilityError};
use catapult_models::ModelError;
use catapult_optim::OptimError;

/// Why a diagonal-network experiment could not run.
#[derive(Debug, thiserror::Error)]
pub enum DiagonalError {
    /// An argument out of its range.
    #[error("{name} is {value}: it must be {requirement}")]
    InvalidParameter {
        /// The argument's name.
        name: &'static str,
        /// Its value (a length or count converted to `f64`).
        value: f64,
        /// The range it must be in.
        requirement: &'static str,
    },
    /// The data could not be generated.
    #[error("data: {0}")]
    Data(#[from] DataError),
    /// The model could not be built.
    #[error("model: {0}")]
    Model(#[from] ModelError),
    /// The integrator or optimiser failed.
    #[error("optimiser: {0}")]
    Optim(#[from] OptimError),
    /// A max-margin reference could not be solved.
    #[error("max-margin reference: {0}")]
    Separability(#[from] SeparabilityError),
}

impl DiagonalError {
    pub(crate) fn invalid(name: &'static str, value: f64, requirement: &'static str) -> Self {
        Self::InvalidParameter {
            name,
            value,
            requirement,
        }
    }
}
