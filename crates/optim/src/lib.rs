//! Optimisation for catapult: the [`Objective`] trait a problem implements (value, gradient,
//! Hessian-vector product), step rules behind the [`Optimizer`] trait, and one [`train`] loop
//! that runs a rule under a step-size [`Schedule`], hands the iterate to composable
//! [`Observer`]s every `k` steps (which can fail, with a typed error, or stop the run), and
//! stops a diverging run. The rules: [`GradientDescent`], and [`Sgd`] with mini-batches of a
//! [`StochasticObjective`], heavy-ball or Nesterov momentum and coupled or decoupled weight
//! decay. Learning-rate [`schedule`]s (LRBench's policies, cosine, SGDR, one-cycle, warm-up
//! and sequences) give `η_t` per step and parse from spec strings; a plain `f64` is a
//! constant step. Gradient flow (and any ODE) is integrated with error control by
//! [`DormandPrince`].
//!
//! The split follows argmin: the problem is a trait the user implements; step rules,
//! schedules and observers are separate. Parameters are one flat `faer::Col<f64>`.
//!
//! ```
//! use catapult_optim::{train, Control, GradientDescent, NoObserver, Objective, Observer, OptimError, TrainOptions};
//! use faer::{Col, ColMut, ColRef};
//!
//! /// `L(θ) = ½ Σ c_i θ_i²`.
//! struct Quadratic(Vec<f64>);
//! impl Objective for Quadratic {
//!     fn dim(&self) -> usize { self.0.len() }
//!     fn value(&mut self, t: ColRef<'_, f64>) -> f64 {
//!         self.0.iter().enumerate().map(|(i, c)| 0.5 * c * t[i] * t[i]).sum()
//!     }
//!     fn value_and_gradient(&mut self, t: ColRef<'_, f64>, mut g: ColMut<'_, f64>) -> f64 {
//!         for (i, c) in self.0.iter().enumerate() { g[i] = c * t[i]; }
//!         self.value(t)
//!     }
//!     fn hessian_vector_product(&mut self, _: ColRef<'_, f64>, v: ColRef<'_, f64>, mut out: ColMut<'_, f64>) {
//!         for (i, c) in self.0.iter().enumerate() { out[i] = c * v[i]; }
//!     }
//! }
//!
//! /// Stops the run once the loss is below a target.
//! struct Target(f64);
//! impl<O: Objective + ?Sized> Observer<O> for Target {
//!     type Error = OptimError;
//!     fn observe(&mut self, _: usize, _: ColRef<'_, f64>, loss: f64, _: &mut O) -> Result<Control, OptimError> {
//!         Ok(if loss < self.0 { Control::Stop } else { Control::Continue })
//!     }
//! }
//!
//! let mut theta = Col::from_fn(2, |_| 1.0);
//! let options = TrainOptions::new(100, 10).unwrap();
//! let outcome =
//!     train(&mut Quadratic(vec![1.0, 3.0]), &mut theta, &mut GradientDescent, &0.5, &options, &mut NoObserver)
//!         .unwrap();
//! assert!(!outcome.diverged && outcome.final_loss < 1e-20 && outcome.stopped_at.is_none());
//!
//! let mut theta = Col::from_fn(2, |_| 1.0);
//! let outcome =
//!     train(&mut Quadratic(vec![1.0, 3.0]), &mut theta, &mut GradientDescent, &0.5, &options, &mut Target(1e-6))
//!         .unwrap();
//! assert_eq!((outcome.stopped_at, outcome.steps_taken), (Some(20), 20));
//! ```

#![warn(missing_docs)]

mod gradient_descent;
mod objective;
mod ode;
mod optimizer;
pub mod schedule;
mod sgd;
mod stochastic;
mod train;

pub use gradient_descent::GradientDescent;
pub use objective::Objective;
pub use ode::{DormandPrince, Flow, GradientFlow, OdeOptions, OdeOutcome, OdeSystem, StepView};
pub use optimizer::{Optimizer, StepLoss};
pub use schedule::{LrSchedule, Schedule, ScheduleError};
pub use sgd::{Sampling, Sgd, SgdConfig, WeightDecay};
pub use stochastic::StochasticObjective;
pub use train::{Control, NoObserver, Observer, RISE_TOLERANCE, TrainOptions, TrainOutcome, train};

/// Invalid optimiser settings or inputs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptimError {
    /// A learning rate that is not a finite positive number.
    #[error("learning rate must be finite and > 0, got {0}")]
    InvalidLearningRate(f64),
    /// Observation interval zero.
    #[error("observe_every must be at least 1, got 0")]
    ZeroObserveEvery,
    /// Divergence threshold that is not a finite positive number.
    #[error("divergence threshold must be finite and > 0, got {0}")]
    InvalidDivergenceThreshold(f64),
    /// Parameter vector of the wrong length.
    #[error("parameter vector has length {got} but the objective has dimension {expected}")]
    DimensionMismatch {
        /// The objective's dimension (number of parameters).
        expected: usize,
        /// The length of the parameter vector passed in.
        got: usize,
    },
    /// Non-finite starting parameters.
    #[error("initial parameter {index} is {value}: parameters must be finite")]
    NonFiniteParameter {
        /// Index of the first non-finite parameter.
        index: usize,
        /// Its value (NaN or ±∞).
        value: f64,
    },
    /// An [`SgdConfig`] with `batch: Some(0)`.
    #[error("SgdConfig.batch must be None (full batch) or at least 1, got Some(0)")]
    ZeroBatchSize,
    /// An [`SgdConfig`] momentum outside `[0, 1)`.
    #[error("SgdConfig.momentum must be in [0, 1), got {0}")]
    InvalidMomentum(f64),
    /// An [`SgdConfig`] weight decay that is negative or not finite.
    #[error("SgdConfig.weight_decay must be finite and >= 0, got {0}")]
    InvalidWeightDecay(f64),
    /// An [`SgdConfig`] asking for Nesterov momentum with momentum 0.
    #[error("SgdConfig.nesterov needs SgdConfig.momentum > 0, got momentum 0")]
    NesterovWithoutMomentum,
    /// An optimizer for zero samples.
    #[error("num_samples must be at least 1, got 0")]
    NoSamples,
    /// A schedule whose learning rate at a step is not a finite positive number.
    #[error("the schedule's learning rate at step {step} is {value}: it must be finite and > 0")]
    InvalidScheduledLearningRate {
        /// The step `t` (0-based) at which the schedule was evaluated.
        step: usize,
        /// The rate `η_t` it gave.
        value: f64,
    },
    /// An ODE tolerance that is not a finite positive number.
    #[error("the ODE {name} must be finite and > 0, got {value}")]
    InvalidTolerance {
        /// Which tolerance (`"relative tolerance"` or `"absolute tolerance"`).
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// An ODE step budget of zero.
    #[error("the ODE step budget must be at least 1, got 0")]
    ZeroMaxSteps,
    /// An ODE time span that is empty, backwards or not finite.
    #[error("the ODE must run forward over finite times, got t0 = {t0}, t_end = {t_end}")]
    InvalidTimeSpan {
        /// Start time.
        t0: f64,
        /// End time (must be finite and > `t0`).
        t_end: f64,
    },
    /// The ODE's right-hand side is not finite.
    #[error("the flow is not finite at t = {t}: the state or its derivative overflowed")]
    NonFiniteFlow {
        /// Time at which the flow was evaluated.
        t: f64,
    },
    /// The adaptive step became too small to advance the time.
    #[error("the ODE step size underflowed at t = {t} (the system is too stiff or singular)")]
    StepSizeUnderflow {
        /// Time reached when the step underflowed.
        t: f64,
    },
    /// The step budget ran out.
    #[error("the ODE used its budget of {steps} steps and stopped at t = {t}")]
    OdeStepBudget {
        /// Time reached when the budget ran out.
        t: f64,
        /// The budget (number of steps, accepted or rejected).
        steps: usize,
    },
    /// An [`Sgd`] built for another number of parameters or samples than the objective's.
    #[error("the optimizer was built for {optimizer} {what} but the objective has {objective}")]
    OptimizerMismatch {
        /// What differs: `"parameters"` or `"samples"`.
        what: &'static str,
        /// The count the optimizer was built for.
        optimizer: usize,
        /// The objective's count.
        objective: usize,
    },
}
