//! The phase of a gradient-descent run: one rule for every run, sweep, experiment and figure.
//!
//! The catapult phase (Lewkowycz et al. 2020, arXiv 2003.02218; Huang et al., arXiv
//! 2011.12547) is a statement about curvature as much as about the loss: GD at a step size
//! above `2/curvature` cannot settle where it starts, the loss rises while the curvature
//! falls, and the run converges to a flatter point, where the curvature ends on or below the
//! `2/η` edge. A rule that reads the loss alone misses two kinds of runs, so the rule reads
//! both (see [`Phase::classify`]):
//! - a run whose loss never exceeds its (high) initial value but whose curvature falls onto
//!   the `2/η` edge has been catapulted all the same (logistic loss at large width, just
//!   above `η_crit`);
//! - a run that converges after a transient rise is catapult even when its loss, at the last
//!   step of an arbitrary budget, is still above its initial value.
//!
//! A rise of the loss *between two steps* is not enough: near the `2/η` edge a lazy run
//! approaches its minimum oscillating, and with an asymmetric loss (logistic) consecutive
//! losses then rise and fall while the run converges where it started. The rule asks for a
//! rise above the *initial* loss, or for the curvature to have moved.

pub use catapult_optim::RISE_TOLERANCE;
use catapult_optim::TrainOutcome;

/// Relative fall of the curvature beyond which it is not the drift of a lazy run: the
/// curvature must end at most `1 − CURVATURE_DROP` times where it started.
pub const CURVATURE_DROP: f64 = 0.02;

/// Width of the band below the `2/η` edge in which a final curvature counts as on the edge:
/// `η·S ≥ 2·(1 − EDGE_BAND)`, with `η` the largest step of the run. Under a schedule the
/// smaller steps after the peak let the sharpness settle a little below the peak's edge.
pub const EDGE_BAND: f64 = 0.05;

/// The learning-rate phase of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Phase {
    /// GD stayed where it started: the loss only fell and the curvature did not fall onto the
    /// `2/η` edge.
    Lazy,
    /// GD was thrown out of its starting region and converged to a flatter one.
    Catapult,
    /// The run blew up, or ended above its initial loss with the loss still growing.
    Divergent,
}

/// Which criterion of the rule decided a run's phase, in the order the rule tries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum PhaseCriterion {
    /// Divergent: a loss or gradient stopped being finite, or the loss exceeded the
    /// divergence threshold (`1e12` by default).
    BlowUp,
    /// Divergent: the run ended above its initial loss, and its last loss is the largest of
    /// the second half of the run: the loss was still growing.
    StillGrowing,
    /// Catapult: the loss rose above its initial value by more than [`RISE_TOLERANCE`]
    /// (relative) at some step, and the run did not diverge.
    LossRose,
    /// Catapult: the curvature (NTK scale or sharpness) ended at most `1 − CURVATURE_DROP`
    /// times its start and the final sharpness on the `2/η` edge of the largest step
    /// (`η·S ≥ 2·(1 − EDGE_BAND)`),
    /// though the loss fell at every step.
    CurvatureFell,
    /// Lazy: none of the above.
    Descended,
}

impl PhaseCriterion {
    /// The kebab-case name used in records and tables.
    pub fn name(self) -> &'static str {
        match self {
            PhaseCriterion::BlowUp => "blow-up",
            PhaseCriterion::StillGrowing => "still-growing",
            PhaseCriterion::LossRose => "loss-rose",
            PhaseCriterion::CurvatureFell => "curvature-fell",
            PhaseCriterion::Descended => "descended",
        }
    }
}

/// A run's curvature at its start and end, as far as it was measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvatureEvidence {
    /// The curvature scale at the start: the top eigenvalue of Θ/n (the NTK scale) where it is
    /// measured, else the sharpness.
    pub initial: f64,
    /// The same quantity at the end of the run.
    pub end: f64,
    /// The sharpness (top Hessian eigenvalue of the risk) at the end of the run.
    pub final_sharpness: f64,
    /// The largest step size of the run, `max_t η_t` (`η` for a constant step): the step
    /// whose `2/η` edge a catapult ends on.
    pub peak_eta: f64,
}

impl CurvatureEvidence {
    /// Whether the curvature fell beyond the lazy drift onto the `2/η` edge.
    pub fn fell_onto_edge(&self) -> bool {
        self.end <= self.initial * (1.0 - CURVATURE_DROP)
            && self.peak_eta * self.final_sharpness >= 2.0 * (1.0 - EDGE_BAND)
    }
}

/// What the rule reads off a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhaseEvidence {
    /// Whether a loss or gradient stopped being finite or the loss exceeded the divergence
    /// threshold.
    pub blew_up: bool,
    /// `L(θ_0)`.
    pub initial_loss: f64,
    /// The largest finite loss over the run.
    pub max_loss: f64,
    /// The largest finite loss over the second half of the run (steps after `⌊T/2⌋`);
    /// `None` for a run that stopped before it.
    pub late_max_loss: Option<f64>,
    /// The last finite loss.
    pub final_loss: f64,
    /// The curvature at start and end, where the run measured it.
    pub curvature: Option<CurvatureEvidence>,
}

impl PhaseEvidence {
    /// The loss part of the evidence from a finished [`TrainOutcome`]; no curvature.
    pub fn of(outcome: &TrainOutcome) -> Self {
        Self {
            blew_up: outcome.diverged,
            initial_loss: outcome.initial_loss,
            max_loss: outcome.max_loss,
            late_max_loss: outcome.late_max_loss,
            final_loss: outcome.final_loss,
            curvature: None,
        }
    }

    /// The same evidence with the run's curvature.
    pub fn with_curvature(mut self, curvature: CurvatureEvidence) -> Self {
        self.curvature = Some(curvature);
        self
    }
}

/// A phase and the criterion that decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhaseLabel {
    /// The phase.
    pub phase: Phase,
    /// Why.
    pub criterion: PhaseCriterion,
}

impl Phase {
    /// The phase of a finished [`TrainOutcome`], from its losses alone.
    pub fn of(outcome: &TrainOutcome) -> Phase {
        Phase::classify(&PhaseEvidence::of(outcome)).phase
    }

    /// The rule, tried in this order:
    /// 1. **divergent** ([`PhaseCriterion::BlowUp`]) if the run blew up;
    /// 2. **divergent** ([`PhaseCriterion::StillGrowing`]) if it ended above its initial loss
    ///    at the largest loss of the second half of the run (a run that ends above its start
    ///    but falling is a catapult still converging);
    /// 3. **catapult** ([`PhaseCriterion::LossRose`]) if the loss rose above its initial
    ///    value at some step (a transient rise: the run did not diverge, whether or not it
    ///    ended below its initial loss);
    /// 4. **catapult** ([`PhaseCriterion::CurvatureFell`]) if the curvature fell by more than
    ///    [`CURVATURE_DROP`] and the final sharpness is on the `2/η` edge (within
    ///    [`EDGE_BAND`]);
    /// 5. **lazy** ([`PhaseCriterion::Descended`]) otherwise.
    pub fn classify(evidence: &PhaseEvidence) -> PhaseLabel {
        let label = |phase, criterion| PhaseLabel { phase, criterion };
        if evidence.blew_up {
            label(Phase::Divergent, PhaseCriterion::BlowUp)
        } else if evidence.final_loss > evidence.initial_loss
            && evidence
                .late_max_loss
                .is_some_and(|late_max| evidence.final_loss >= late_max)
        {
            label(Phase::Divergent, PhaseCriterion::StillGrowing)
        } else if evidence.max_loss > evidence.initial_loss * (1.0 + RISE_TOLERANCE) {
            label(Phase::Catapult, PhaseCriterion::LossRose)
        } else if evidence
            .curvature
            .is_some_and(|curvature| curvature.fell_onto_edge())
        {
            label(Phase::Catapult, PhaseCriterion::CurvatureFell)
        } else {
            label(Phase::Lazy, PhaseCriterion::Descended)
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

    /// Evidence from losses: initial, largest, largest of the second half, last.
    fn losses(initial: f64, max: f64, late_max: f64, last: f64) -> PhaseEvidence {
        PhaseEvidence {
            blew_up: false,
            initial_loss: initial,
            max_loss: max,
            late_max_loss: Some(late_max),
            final_loss: last,
            curvature: None,
        }
    }

    fn classify(evidence: PhaseEvidence) -> (Phase, PhaseCriterion) {
        let label = Phase::classify(&evidence);
        (label.phase, label.criterion)
    }

    #[test]
    fn losses_alone() {
        use PhaseCriterion::*;
        assert_eq!(
            classify(losses(1.0, 1.0, 0.2, 0.1)),
            (Phase::Lazy, Descended)
        );
        // Rounding noise above the initial loss is not a rise.
        assert_eq!(classify(losses(1.0, 1.0 + 1e-12, 0.2, 0.1)).0, Phase::Lazy);
        assert_eq!(
            classify(losses(1.0, 3.0, 0.2, 0.1)),
            (Phase::Catapult, LossRose)
        );
        let blown = PhaseEvidence {
            blew_up: true,
            ..losses(1.0, 1.0, 0.2, 0.1)
        };
        assert_eq!(classify(blown), (Phase::Divergent, BlowUp));
        // Ended above its start and still growing.
        assert_eq!(
            classify(losses(1.0, 2.0, 2.0, 2.0)),
            (Phase::Divergent, StillGrowing)
        );
        // Ended above its start but falling from a peak in the second half: a catapult still
        // converging at the last step (the old rule called it divergent).
        assert_eq!(
            classify(losses(1.0, 9.0, 9.0, 2.0)),
            (Phase::Catapult, LossRose)
        );
    }

    #[test]
    fn curvature_on_the_edge_is_a_catapult_without_a_rise() {
        // The logistic run of the issue: NTK scale 1.627 -> 1.526, ends at η·S = 1.9994.
        let eta = 9.0 / 1.627;
        let curvature = CurvatureEvidence {
            initial: 1.627,
            end: 1.526,
            final_sharpness: 1.9994 / eta,
            peak_eta: eta,
        };
        let evidence = losses(0.8, 0.8, 0.68, 0.676).with_curvature(curvature);
        assert_eq!(
            classify(evidence),
            (Phase::Catapult, PhaseCriterion::CurvatureFell)
        );
        // The same fall, ending well below the edge: lazy.
        let below = CurvatureEvidence {
            final_sharpness: 1.5 / eta,
            ..curvature
        };
        assert_eq!(
            classify(losses(0.8, 0.8, 0.68, 0.676).with_curvature(below)).0,
            Phase::Lazy
        );
        // On the edge without having fallen (lazy drift of 1%): lazy.
        let drift = CurvatureEvidence {
            end: 1.627 * 0.99,
            ..curvature
        };
        assert_eq!(
            classify(losses(0.8, 0.8, 0.68, 0.676).with_curvature(drift)).0,
            Phase::Lazy
        );
    }
}
