//! The real two-layer network on degenerate data, as the checks run it.

use crate::{DegenerateProblem, ScalarState};
use catapult_data::Dataset;
use catapult_models::{DeepLinear, EmpiricalRisk, ModelError};
use catapult_optim::{
    GradientDescent, NoObserver, Objective, OptimError, TrainOptions, TrainOutcome, train,
};
use catapult_spectral::{Lanczos, LanczosOptions};
use faer::Col;

/// Input dimension of the networks the checks build (the reduction holds for any).
pub const CHECK_INPUT_DIM: usize = 3;

/// Why a simulation could not run.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    /// The model or its measurements failed.
    #[error("model: {0}")]
    Model(#[from] ModelError),
    /// Bad optimiser settings (e.g. a non-positive step).
    #[error("optimiser: {0}")]
    Optim(#[from] OptimError),
    /// The data could not be built.
    #[error("data: {0}")]
    Data(#[from] catapult_data::DataError),
}

/// `f(x) = vᵀUx/√m` at width m, N(0, 1) init from `seed`, on the degenerate data of a
/// [`DegenerateProblem`] in `R^CHECK_INPUT_DIM`, trained by full-batch GD.
pub struct DegenerateNetwork {
    risk: EmpiricalRisk<DeepLinear>,
    theta: Col<f64>,
    gradient: Col<f64>,
}

impl DegenerateNetwork {
    /// Builds the two-layer network at its seeded initialisation.
    pub fn new(
        problem: &DegenerateProblem,
        width: usize,
        seed: u64,
    ) -> Result<Self, SimulationError> {
        Self::deep(problem, 2, width, seed)
    }

    /// Builds a depth-`depth` linear network at its seeded initialisation.
    pub fn deep(
        problem: &DegenerateProblem,
        depth: usize,
        width: usize,
        seed: u64,
    ) -> Result<Self, SimulationError> {
        let data = Dataset::degenerate(problem.a(), problem.y(), CHECK_INPUT_DIM)?;
        let model = DeepLinear::new(depth, width, CHECK_INPUT_DIM)?;
        let theta = model.init(seed);
        let risk = EmpiricalRisk::new(model, problem.loss(), data)?;
        let gradient = Col::zeros(theta.nrows());
        Ok(Self {
            risk,
            theta,
            gradient,
        })
    }

    /// The scalar state `(w, λ)` of the current parameters (any depth; the recursion that
    /// advances it exactly is for depth 2).
    pub fn state(&self) -> ScalarState {
        ScalarState::of_network(self.risk.model(), self.theta.as_ref())
            .expect("θ is the model's own initialisation, updated in place: its length is p")
    }

    /// The risk at the current parameters.
    pub fn loss(&mut self) -> f64 {
        self.risk.value(self.theta.as_ref())
    }

    /// The sharpness (top Hessian eigenvalue, Lanczos on exact HVPs) at the current parameters.
    pub fn sharpness(&mut self) -> Result<f64, SimulationError> {
        let options = LanczosOptions {
            tol: 1e-12,
            ..LanczosOptions::default()
        };
        let mut lanczos = Lanczos::new(self.risk.dim(), options).map_err(ModelError::from)?;
        Ok(self
            .risk
            .sharpness(self.theta.as_ref(), &mut lanczos, None)?
            .value)
    }

    /// One GD step of size `eta`; returns the loss before it. Errors unless `eta` is finite
    /// and `> 0`.
    pub fn step(&mut self, eta: f64) -> Result<f64, SimulationError> {
        if !(eta.is_finite() && eta > 0.0) {
            return Err(OptimError::InvalidLearningRate(eta).into());
        }
        let loss = self
            .risk
            .value_and_gradient(self.theta.as_ref(), self.gradient.as_mut());
        GradientDescent.step(eta, self.theta.as_mut(), self.gradient.as_ref());
        Ok(loss)
    }

    /// `steps` GD steps of size `eta` from the current parameters, without observation.
    /// Errors unless `eta` is finite and `> 0` (when `steps > 0`).
    pub fn train(&mut self, eta: f64, steps: usize) -> Result<TrainOutcome, SimulationError> {
        let options = TrainOptions::new(steps, steps.max(1))?;
        Ok(train(
            &mut self.risk,
            &mut self.theta,
            &mut GradientDescent,
            &eta,
            &options,
            &mut NoObserver,
        )?)
    }
}
