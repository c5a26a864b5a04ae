//! The run record: what a run measured, in a JSON form external scripts read.

use crate::RunConfig;
use serde::{Deserialize, Serialize};

/// Everything a run measured. Every number is finite: a diverged run keeps the last finite
/// values it observed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    /// The config the run used (after command-line overrides).
    pub config: RunConfig,
    /// The step size used.
    pub eta: f64,
    /// Top eigenvalue of Θ/n at initialisation.
    pub lambda0: f64,
    /// Sharpness (top Hessian eigenvalue of the risk) at initialisation.
    pub sharpness0: f64,
    /// Observations every `observe_every` steps and at the last step.
    pub trace: Trace,
    /// The last observation.
    #[serde(rename = "final")]
    pub final_state: FinalState,
    /// Which phase the run was in (see [`Phase`]).
    pub phase: Phase,
}

/// Observed quantities, one entry per observed step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trace {
    /// Step index t.
    pub step: Vec<usize>,
    /// Risk L(θ_t).
    pub loss: Vec<f64>,
    /// Fraction of samples with `y_i f(x_i) > 0`.
    pub accuracy: Vec<f64>,
    /// Top eigenvalue of Θ/n at θ_t.
    pub ntk_top: Vec<f64>,
    /// Top eigenvalue of the Hessian of the risk at θ_t.
    pub sharpness: Vec<f64>,
}

/// The last observation of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinalState {
    /// Risk.
    pub loss: f64,
    /// Accuracy.
    pub accuracy: f64,
    /// Top eigenvalue of Θ/n.
    pub ntk_top: f64,
    /// Sharpness.
    pub sharpness: f64,
    /// Whether the run stopped because the loss exceeded 1e12 or stopped being finite.
    pub diverged: bool,
}

/// The learning-rate phase of a run (Lewkowycz et al. 2020, arXiv 2003.02218).
///
/// The rule, from the losses at every step (not only the observed ones):
/// - `divergent`: the run diverged (loss above 1e12 or not finite), or it ended above its
///   initial loss (it rose and never came back within the budget);
/// - `catapult`: the loss rose above its initial value at some step, and the run ended at or
///   below its initial loss;
/// - `lazy`: the loss never rose above its initial value.
///
/// "Rose" means exceeded `L(θ_0)·(1 + 1e-12)`, so rounding noise does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// The loss only fell.
    Lazy,
    /// The loss rose, then the run converged.
    Catapult,
    /// The run blew up or ended above where it started.
    Divergent,
}

impl Phase {
    /// Applies the documented rule to a run's initial, largest and final loss.
    pub fn classify(diverged: bool, initial_loss: f64, max_loss: f64, final_loss: f64) -> Phase {
        if diverged || final_loss > initial_loss {
            Phase::Divergent
        } else if max_loss > initial_loss * (1.0 + 1e-12) {
            Phase::Catapult
        } else {
            Phase::Lazy
        }
    }

    /// The lowercase name used in records.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Lazy => "lazy",
            Phase::Catapult => "catapult",
            Phase::Divergent => "divergent",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_rule() {
        assert_eq!(Phase::classify(false, 1.0, 1.0, 0.1), Phase::Lazy);
        assert_eq!(Phase::classify(false, 1.0, 1.0 + 1e-14, 0.1), Phase::Lazy);
        assert_eq!(Phase::classify(false, 1.0, 3.0, 0.1), Phase::Catapult);
        assert_eq!(Phase::classify(true, 1.0, 1.0, 0.1), Phase::Divergent);
        assert_eq!(Phase::classify(false, 1.0, 3.0, 2.0), Phase::Divergent);
    }
}
