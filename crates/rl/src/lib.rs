//! Small reinforcement-learning problems for catapult: seeded gridworld MDPs
//! ([`Gridworld`]), exact `Q*` by value iteration ([`Mdp::value_iteration`]), offline
//! datasets of transitions ([`OfflineDataset`]), and fitted Q-iteration on any model of the
//! models crate that exposes its penultimate features ([`fitted_q_iteration`]), with the
//! supervised control and the srank penalty of Kumar, Agarwal, Ghosh and Levine (ICLR 2021);
//! and the deep-linear view, repeated self-distillation of a deep linear network's end-to-end
//! map ([`self_distill`]).
//!
//! ```
//! use catapult_models::{Normalisation, ReluMlp};
//! use catapult_rl::{
//!     FqiConfig, Gridworld, GridworldConfig, OfflineDataset, QProblem, Targets,
//!     fitted_q_iteration,
//! };
//!
//! let grid = Gridworld::random(&GridworldConfig::standard(), 0).unwrap();
//! let mdp = grid.mdp().unwrap();
//! let q_star = mdp.value_iteration(0.9, 1e-8, 10_000).unwrap();
//! let data = OfflineDataset::uniform(&mdp, 1, 0).unwrap();
//! let features = grid.one_hot_features();
//! let net = ReluMlp::new(features.ncols(), &[16], 4, Normalisation::None).unwrap();
//! let mut theta = net.init(0);
//! let problem = QProblem { mdp: &mdp, features: features.as_ref(), dataset: &data, q_star: &q_star };
//! let config = FqiConfig {
//!     gamma: 0.9, iterations: 3, steps_per_iteration: 5, learning_rate: 0.1,
//!     penalty: 0.0, targets: Targets::Bootstrapped,
//! };
//! let records = fitted_q_iteration(&net, &mut theta, problem, &config).unwrap();
//! assert_eq!(records.len(), 4);
//! assert!(records.iter().all(|r| r.srank >= 1 && r.srank <= 16));
//! ```

#![warn(missing_docs)]

mod dataset;
mod distill;
mod fqi;
mod gridworld;
mod mdp;

pub use dataset::{OfflineDataset, Transition};
pub use distill::{DistillConfig, DistillRecord, policy_values, random_chain, self_distill};
pub use fqi::{
    FittingObjective, FqiConfig, IterationRecord, QProblem, Targets, fitted_q_iteration,
};
pub use gridworld::{Gridworld, GridworldConfig};
pub use mdp::{Mdp, Outcome, QTable};

use catapult_optim::OptimError;
use catapult_spectral::SpectralError;

/// What can go wrong building an MDP or fitting Q-values.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RlError {
    /// An MDP without states or actions.
    #[error("an MDP needs at least one state and one action, got {num_states} and {num_actions}")]
    EmptyMdp {
        /// Number of states asked for.
        num_states: usize,
        /// Number of actions asked for.
        num_actions: usize,
    },
    /// A table (outcomes, Q-values) of the wrong length.
    #[error("expected a table of {expected} entries (states × actions), got {got}")]
    TableLength {
        /// Entries expected: states × actions.
        expected: usize,
        /// Entries given.
        got: usize,
    },
    /// A next state outside the MDP.
    #[error("next state {state} is out of range for {num_states} states")]
    StateOutOfRange {
        /// The next state given.
        state: usize,
        /// Number of states of the MDP (states are `0..num_states`).
        num_states: usize,
    },
    /// A probability that is negative or not finite, or a reward that is not finite.
    #[error(
        "an outcome of (state {state}, action {action}) has a negative or non-finite probability or a non-finite reward"
    )]
    InvalidOutcome {
        /// State of the pair whose outcome is invalid.
        state: usize,
        /// Action of the pair whose outcome is invalid.
        action: usize,
    },
    /// Outcome probabilities that do not sum to one.
    #[error("the outcome probabilities of (state {state}, action {action}) sum to {total}, not 1")]
    ProbabilitiesDoNotSumToOne {
        /// State of the pair.
        state: usize,
        /// Action of the pair.
        action: usize,
        /// Sum of its outcome probabilities (off from 1 by more than 1e-9 absolute).
        total: f64,
    },
    /// A discount outside `[0, 1)`.
    #[error("the discount gamma must be in [0, 1), got {0}")]
    InvalidDiscount(f64),
    /// A value-iteration tolerance that is not finite and positive.
    #[error("the tolerance must be finite and > 0, got {0}")]
    InvalidTolerance(f64),
    /// Value iteration did not reach the tolerance.
    #[error("value iteration did not converge within {max_iterations} iterations")]
    NotConverged {
        /// The iteration budget that was exhausted.
        max_iterations: usize,
    },
    /// A gridworld configuration that cannot be drawn.
    #[error("invalid gridworld: {0}")]
    InvalidGridworld(String),
    /// An empty dataset (or `per_pair = 0`).
    #[error("the dataset is empty: at least one transition per pair is needed")]
    EmptyDataset,
    /// State features with another number of rows than states.
    #[error("the state features have {rows} rows but the MDP has {num_states} states")]
    FeatureRows {
        /// Number of rows of the state-feature matrix.
        rows: usize,
        /// Number of states of the MDP.
        num_states: usize,
    },
    /// A model that does not read `[φ(s), e_a]` rows.
    #[error(
        "the model takes inputs of dimension {model} but the rows [features, one-hot action] have {expected}"
    )]
    ModelInput {
        /// Input dimension of the model.
        model: usize,
        /// Width of the input rows: feature dimension + number of actions.
        expected: usize,
    },
    /// Parameters of the wrong length.
    #[error("the parameter vector has length {got} but the model has {expected} parameters")]
    ParameterLength {
        /// Number of parameters of the model.
        expected: usize,
        /// Length of the parameter vector given.
        got: usize,
    },
    /// A bad fitted Q-iteration setting.
    #[error("invalid FQI config: {0}")]
    InvalidFqiConfig(String),
    /// A bad self-distillation setting or input.
    #[error("invalid self-distillation setup: {0}")]
    InvalidDistillConfig(String),
    /// An unknown name of targets.
    #[error("unknown targets `{0}`: expected `bootstrapped` or `supervised`")]
    UnknownTargets(String),
    /// The fit of an iteration diverged.
    #[error("the fit diverged at iteration {iteration}: lower the learning rate")]
    Diverged {
        /// The FQI iteration (or self-distillation round) that diverged, counted from 1.
        iteration: usize,
    },
    /// An optimiser setting was rejected.
    #[error(transparent)]
    Optim(#[from] OptimError),
    /// A spectral computation failed.
    #[error(transparent)]
    Spectral(#[from] SpectralError),
}
