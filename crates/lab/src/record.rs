//! The run record: what a run measured, in a JSON form external scripts read.

use crate::RunConfig;
use catapult_theory::{Phase, PhaseCriterion};
use serde::{Deserialize, Serialize};

/// Everything a run measured. Every number is finite: a diverged run keeps the last finite
/// values it observed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    /// The config the run used (after command-line overrides).
    pub config: RunConfig,
    /// The step size used (of step 0, for a schedule).
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
    /// Which phase the run was in (see [`Phase::classify`]).
    pub phase: Phase,
    /// Which criterion of the phase rule decided it (absent from records written before the
    /// rule named its criteria).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase_criterion: Option<PhaseCriterion>,
}

impl RunRecord {
    /// The first observed step from which every observed loss stays within
    /// `tol·max(1, |final loss|)` of the final loss (an absolute tolerance for losses up to 1,
    /// a relative one above); `None` for a diverged run, or a record without observations.
    ///
    /// Only observed steps count: the answer is a multiple of `observe_every` (or the last
    /// step), and a run that settles between two observations is credited with the later one.
    ///
    /// ```
    /// # use catapult_lab::{RunRecord, Trace};
    /// # fn with_losses(steps: Vec<usize>, loss: Vec<f64>) -> RunRecord {
    /// #     let mut record: RunRecord = serde_json::from_str(r#"{"config": {
    /// #         "data": {"kind": "degenerate", "a": [1.0], "y": [1.0], "dim": 1},
    /// #         "model": {"kind": "two-layer-linear", "width": 1}, "loss": "squared",
    /// #         "lr": {"value": 0.1}, "steps": 0}, "eta": 0.1, "lambda0": 1.0, "sharpness0": 1.0,
    /// #         "trace": {"step": [], "loss": [], "accuracy": [], "ntk_top": [], "sharpness": []},
    /// #         "final": {"loss": 0.0, "accuracy": 1.0, "ntk_top": 1.0, "sharpness": 1.0,
    /// #         "diverged": false}, "phase": "lazy"}"#).unwrap();
    /// #     record.final_state.loss = *loss.last().unwrap();
    /// #     record.trace = Trace { step: steps, loss, ..Trace::default() };
    /// #     record
    /// # }
    /// // losses observed at steps 0, 10, 20, 30: within 1e-6 of the final loss from step 20 on
    /// let record = with_losses(vec![0, 10, 20, 30], vec![2.0, 0.5, 0.3000004, 0.3]);
    /// assert_eq!(record.steps_to_converge(1e-6), Some(20));
    /// ```
    pub fn steps_to_converge(&self, tol: f64) -> Option<usize> {
        if self.final_state.diverged {
            return None;
        }
        let last = self.final_state.loss;
        let band = tol * last.abs().max(1.0);
        let settled = self
            .trace
            .loss
            .iter()
            .rev()
            .take_while(|loss| (*loss - last).abs() <= band)
            .count();
        let first = self.trace.step.len().checked_sub(settled)?;
        self.trace.step.get(first).copied()
    }
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
