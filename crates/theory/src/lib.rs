//! Closed-form and one-dimensional predictions for the catapult phases.
//!
//! On degenerate data (`x_i = a_i e`, `|e| = 1`) a two-layer linear network
//! `f(x) = vᵀUx/√m` collapses to the scalar `w = vᵀUe/√m` and its risk to the 1-D function
//! `L(w) = (1/n) Σ ℓ(a_i w, y_i)` (Huang, Du, Xu, Liu, arXiv 2011.12547). With
//! `λ = (|v|² + |Ue|²)/m` the NTK of the network is `Θ = λ a aᵀ`, and at a minimiser `w*` the
//! Hessian of the risk is `L''(w*) ∇w ∇wᵀ`, so the sharpness there is `λ L''(w*)`. This crate
//! holds that 1-D problem ([`DegenerateProblem`]) and the phase boundaries that follow.
//!
//! ```
//! use catapult_losses::Loss;
//! use catapult_theory::{DegenerateProblem, catapult_threshold};
//! let problem = DegenerateProblem::new(&[1.0, 2.0, -1.0], &[1.0, 1.0, 1.0], Loss::Logistic).unwrap();
//! let min = problem.minimiser().unwrap();
//! assert!(problem.slope(min.w).abs() < 1e-14);
//! let eta_crit = catapult_threshold(1.3, min.curvature);
//! assert!(eta_crit > 0.0);
//! ```

#![warn(missing_docs)]

mod claims;
mod deep;
mod degenerate;
mod fit;
mod network;
mod phase;
mod recursion;
mod suite;
mod thresholds;
mod verdict;

pub use claims::{
    WidthScaling, deep_linear_boundary, divergence_at_escape, divergence_boundary,
    divergence_scaling, nonseparable_catapult, recursion_matches_network, separable_rates,
    squared_loss_boundaries,
};
pub use deep::deep_logistic_catapult;
pub use degenerate::{DegenerateProblem, Minimum, Separability, TheoryError};
pub use fit::{PowerLawFit, SeedLevelFit, fit_power_law, fit_power_law_per_seed};
pub use network::{CHECK_INPUT_DIM, DegenerateNetwork, SimulationError};
pub use phase::{
    CURVATURE_DROP, CurvatureEvidence, EDGE_BAND, Phase, PhaseCriterion, PhaseEvidence, PhaseLabel,
    RISE_TOLERANCE,
};
pub use recursion::ScalarState;
pub use suite::{
    SMALL_WIDTHS, SUITE_A, SUITE_NONSEPARABLE_Y, SUITE_SEPARABLE_A, SUITE_SQUARED_Y, SuiteError,
    SuiteSize, run_suite,
};
pub use thresholds::{
    PredictedBoundary, catapult_threshold, predicted_boundaries, squared_loss_divergence_threshold,
};
pub use verdict::{Relation, Verdict};
