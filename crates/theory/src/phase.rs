//! The phase of a gradient-descent run, classified from its losses.

use catapult_optim::TrainOutcome;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Phase {
    /// The loss only fell.
    Lazy,
    /// The loss rose, then the run converged.
    Catapult,
    /// The run blew up or ended above where it started.
    Divergent,
}

impl Phase {
    /// The phase of a finished [`TrainOutcome`].
    pub fn of(outcome: &TrainOutcome) -> Phase {
        Phase::classify(
            outcome.diverged,
            outcome.initial_loss,
            outcome.max_loss,
            outcome.final_loss,
        )
    }

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
