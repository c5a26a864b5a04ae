//! Beyond the papers: gradient descent with large steps on diagonal networks. Does a
//! catapult-phase step move the direction of `w` toward the ℓ1 or the ℓ2 max-margin solution,
//! compared with gradient flow from the same α stopped at the same training loss?
//!
//! For each loss (logistic, exponential; mean over samples), depth and α: the sharpness `S0`
//! at `u₊ = u₋ = α·1` (Lanczos on exact Hessian-vector products), then full-batch GD at
//! `η = x·2/S0` (`x` the edge multiple) for a fixed budget, its phase by the backbone's rule
//! ([`catapult_theory::Phase`]: lazy when the loss never rose, catapult when it rose and still
//! ended below its start, divergent otherwise), and its final direction against the
//! references ([`super::margin::References`]). The control is gradient flow (Dormand–Prince
//! on the same risk) from the same α, stopped where its loss equals the final loss of the GD
//! run, so that the comparison is at equal training accuracy.

use super::DiagonalError;
use super::margin::{FlowPoint, MarginRow, MarginSpec, References, measure};
use catapult_data::Dataset;
use catapult_losses::Loss;
use catapult_models::{DiagonalNet, EmpiricalRisk};
use catapult_optim::{
    Control, DormandPrince, Flow, GradientDescent, GradientFlow, Objective, Observer, OdeOptions,
    OptimError, TrainOptions, train,
};
use catapult_spectral::{Lanczos, LanczosOptions};
use catapult_theory::{CurvatureEvidence, Phase, PhaseCriterion, PhaseEvidence};
use faer::ColRef;
use serde::Serialize;

/// The grid of the large-step experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct LargeStepSpec {
    /// The data and references (its depths, alphas and epsilons are not used).
    pub data: MarginSpec,
    /// Losses (mean over samples), one run each.
    pub losses: Vec<Loss>,
    /// Depths D of the diagonal network.
    pub depths: Vec<u32>,
    /// Initial scales α (`u₊ = u₋ = α·1`).
    pub alphas: Vec<f64>,
    /// Step sizes as edge multiples `x = η·S0/2` (`η = x·2/S0`).
    pub edge_multiples: Vec<f64>,
    /// GD steps per run.
    pub steps: usize,
}

impl LargeStepSpec {
    /// The data of [`MarginSpec::standard`], logistic and exponential loss, D = 2, α ∈ {0.1,
    /// 0.3, 1}, edge multiples 0.25 … 6, 10 000 steps.
    pub fn standard() -> Self {
        Self {
            data: MarginSpec::standard(),
            losses: vec![Loss::Logistic, Loss::Exponential],
            depths: vec![2],
            alphas: vec![0.1, 0.3, 1.0],
            edge_multiples: vec![0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0],
            steps: 10_000,
        }
    }
}

/// One GD run and its gradient-flow control.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LargeStepRow {
    /// Loss name (`logistic` or `exponential`).
    pub loss: String,
    /// Depth D of the diagonal network.
    pub depth: u32,
    /// Initial scale α (`u₊ = u₋ = α·1`).
    pub alpha: f64,
    /// Step size as a multiple of the initial edge `2/S0`: `η·S0/2`.
    pub edge_multiple: f64,
    /// `edge_multiple·2/S0`.
    pub eta: f64,
    /// Sharpness `S0` (top Hessian eigenvalue, Lanczos) at `u₊ = u₋ = α·1`.
    pub sharpness0: f64,
    /// The phase ([`Phase::classify`], with the sharpness at the start and the end).
    pub phase: Phase,
    /// The criterion of the phase rule that decided it.
    pub phase_criterion: PhaseCriterion,
    /// Largest loss over the run over the initial loss.
    pub peak_over_start: f64,
    /// Steps whose loss exceeded the previous step's by more than a factor `1 + 1e-9`.
    pub loss_rises: usize,
    /// The largest one-step loss ratio `L_{t+1}/L_t` (below 1 for a monotone run).
    pub largest_rise: f64,
    /// Training loss at the last iterate.
    pub final_loss: f64,
    /// Sharpness at the last iterate; `None` for a divergent run.
    pub final_sharpness: Option<f64>,
    /// GD's direction; `None` for a divergent run.
    pub gd_distance_l1: Option<f64>,
    /// `‖w/‖w‖₂ − w_ℓ2‖₂` of GD's final iterate ([`MarginRow::distance_l2`]).
    pub gd_distance_l2: Option<f64>,
    /// GD's ℓ1 margin over the ℓ1 max margin ([`MarginRow::l1_margin_ratio`]).
    pub gd_l1_margin_ratio: Option<f64>,
    /// Gradient flow at the same loss; `None` for a divergent run.
    pub flow_distance_l1: Option<f64>,
    /// `‖w/‖w‖₂ − w_ℓ2‖₂` of the flow at GD's final loss.
    pub flow_distance_l2: Option<f64>,
    /// The flow's ℓ1 margin over the ℓ1 max margin at GD's final loss.
    pub flow_l1_margin_ratio: Option<f64>,
}

/// Every (loss, depth, α, edge multiple) run of `spec`, spread over `threads`.
pub fn run_large_steps(
    spec: &LargeStepSpec,
    threads: usize,
) -> Result<Vec<LargeStepRow>, DiagonalError> {
    if spec.steps == 0 {
        return Err(DiagonalError::invalid("steps", 0.0, "at least 1"));
    }
    if let Some(&x) = spec
        .edge_multiples
        .iter()
        .find(|x| !(x.is_finite() && **x > 0.0))
    {
        return Err(DiagonalError::invalid("edge multiple", x, "finite and > 0"));
    }
    let data = spec.data.data()?;
    let references = References::solve(&data, &spec.data.teacher)?;
    let mut cells = Vec::new();
    for &loss in &spec.losses {
        for &depth in &spec.depths {
            for &alpha in &spec.alphas {
                for &edge_multiple in &spec.edge_multiples {
                    cells.push((loss, depth, alpha, edge_multiple));
                }
            }
        }
    }
    catapult_lab::parallel_map(&cells, threads, |&(loss, depth, alpha, edge_multiple)| {
        run_one(spec, &data, &references, loss, depth, alpha, edge_multiple)
    })
    .into_iter()
    .collect()
}

fn run_one(
    spec: &LargeStepSpec,
    data: &Dataset,
    references: &References,
    loss: Loss,
    depth: u32,
    alpha: f64,
    edge_multiple: f64,
) -> Result<LargeStepRow, DiagonalError> {
    let model = DiagonalNet::new(depth, data.dim())?;
    let start = model.uniform_init(alpha)?;
    let mut risk = EmpiricalRisk::new(model, loss, data.clone())?;
    let mut lanczos = Lanczos::new(2 * data.dim(), LanczosOptions::default())
        .map_err(catapult_models::ModelError::from)?;
    let sharpness0 = risk.sharpness(start.as_ref(), &mut lanczos, None)?.value;
    let eta = edge_multiple * 2.0 / sharpness0;
    let mut theta = start.clone();
    let mut rises = RiseCounter::default();
    let outcome = train(
        &mut risk,
        &mut theta,
        &mut GradientDescent,
        &eta,
        &TrainOptions::new(spec.steps, 1)?,
        &mut rises,
    )?;
    let mut evidence = PhaseEvidence::of(&outcome);
    let final_sharpness = if outcome.diverged {
        None
    } else {
        let value = risk.sharpness(theta.as_ref(), &mut lanczos, None)?.value;
        evidence = evidence.with_curvature(CurvatureEvidence {
            initial: sharpness0,
            end: value,
            final_sharpness: value,
            peak_eta: eta,
        });
        Some(value)
    };
    let label = Phase::classify(&evidence);
    let mut row = LargeStepRow {
        loss: loss.name().to_string(),
        depth,
        alpha,
        edge_multiple,
        eta,
        sharpness0,
        phase: label.phase,
        phase_criterion: label.criterion,
        peak_over_start: outcome.max_loss / outcome.initial_loss,
        loss_rises: rises.count,
        largest_rise: rises.largest,
        final_loss: outcome.final_loss,
        final_sharpness: None,
        gd_distance_l1: None,
        gd_distance_l2: None,
        gd_l1_margin_ratio: None,
        flow_distance_l1: None,
        flow_distance_l2: None,
        flow_l1_margin_ratio: None,
    };
    if label.phase == Phase::Divergent {
        return Ok(row);
    }
    row.final_sharpness = final_sharpness;
    let gd = direction_row(&model, theta.iter().copied().collect(), data, references)?;
    let flow_w = flow_to_loss(&model, loss, data, alpha, outcome.final_loss)?;
    let flow = row_of(depth, alpha, flow_w, data, references);
    row.gd_distance_l1 = Some(gd.distance_l1);
    row.gd_distance_l2 = Some(gd.distance_l2);
    row.gd_l1_margin_ratio = Some(gd.l1_margin_ratio);
    row.flow_distance_l1 = Some(flow.distance_l1);
    row.flow_distance_l2 = Some(flow.distance_l2);
    row.flow_l1_margin_ratio = Some(flow.l1_margin_ratio);
    Ok(row)
}

/// Counts the steps at which the loss rose.
#[derive(Debug, Default)]
struct RiseCounter {
    previous: Option<f64>,
    count: usize,
    largest: f64,
}

impl<O: Objective> Observer<O> for RiseCounter {
    type Error = OptimError;

    fn observe(
        &mut self,
        _step: usize,
        _theta: ColRef<'_, f64>,
        loss: f64,
        _objective: &mut O,
    ) -> Result<Control, OptimError> {
        if let Some(previous) = self.previous {
            let ratio = loss / previous;
            self.largest = self.largest.max(ratio);
            if ratio > 1.0 + 1e-9 {
                self.count += 1;
            }
        }
        self.previous = Some(loss);
        Ok(Control::Continue)
    }
}

fn direction_row(
    model: &DiagonalNet,
    theta: Vec<f64>,
    data: &Dataset,
    references: &References,
) -> Result<MarginRow, DiagonalError> {
    let w = model.predictor(faer::ColRef::from_slice(&theta))?;
    Ok(row_of(
        model.depth(),
        f64::NAN,
        w.iter().copied().collect(),
        data,
        references,
    ))
}

fn row_of(
    depth: u32,
    alpha: f64,
    w: Vec<f64>,
    data: &Dataset,
    references: &References,
) -> MarginRow {
    let point = FlowPoint {
        epsilon: f64::NAN,
        w,
        clock_drift: 0.0,
    };
    measure(depth, alpha, &point, data, references)
}

/// The mean loss `(1/n) Σ ℓ(⟨x_i, w⟩, y_i)` of the predictor `w = u₊^D − u₋^D` of a state
/// `(u₊, u₋)`, with `w` written into `predictor` (no allocation).
struct LossProbe<'a> {
    loss: Loss,
    data: &'a Dataset,
    power: i32,
    predictor: Vec<f64>,
}

impl<'a> LossProbe<'a> {
    fn new(loss: Loss, data: &'a Dataset, depth: u32) -> Self {
        Self {
            loss,
            data,
            power: depth as i32,
            predictor: vec![0.0; data.dim()],
        }
    }

    fn at(&mut self, state: &[f64]) -> f64 {
        let d = self.predictor.len();
        for (k, w) in self.predictor.iter_mut().enumerate() {
            *w = state[k].powi(self.power) - state[d + k].powi(self.power);
        }
        let (x, y) = (self.data.x(), self.data.y());
        (0..self.data.len())
            .map(|i| {
                let f: f64 = (0..d).map(|k| x[(i, k)] * self.predictor[k]).sum();
                self.loss.value(f, y[i])
            })
            .sum::<f64>()
            / self.data.len() as f64
    }
}

/// Gradient flow on `(u₊, u₋)` from `α·1` until the mean loss falls to `target`; returns `w`
/// there (the crossing located by bisection on the step's interpolant).
pub fn flow_to_loss(
    model: &DiagonalNet,
    loss: Loss,
    data: &Dataset,
    alpha: f64,
    target: f64,
) -> Result<Vec<f64>, DiagonalError> {
    let d = data.dim();
    let mut probe = LossProbe::new(loss, data, model.depth());
    let mut state: Vec<f64> = model.uniform_init(alpha)?.iter().copied().collect();
    if probe.at(&state) <= target {
        return Ok(probe.predictor);
    }
    let mut risk = EmpiricalRisk::new(*model, loss, data.clone())?;
    let options = OdeOptions::new(1e-9, 1e-12, 5_000_000)?;
    let mut solver = DormandPrince::new(2 * d, options);
    let mut found = false;
    let mut interpolated = vec![0.0; 2 * d];
    solver.integrate(
        &mut GradientFlow::new(&mut risk),
        0.0,
        &mut state,
        1e15,
        |step| {
            if probe.at(step.y1) > target {
                return Flow::Continue;
            }
            let (mut lo, mut hi) = (step.t0, step.t1);
            for _ in 0..100 {
                let mid = 0.5 * (lo + hi);
                for (k, v) in interpolated.iter_mut().enumerate() {
                    *v = step.interpolate(k, mid);
                }
                if probe.at(&interpolated) > target {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            for (k, v) in interpolated.iter_mut().enumerate() {
                *v = step.interpolate(k, hi);
            }
            probe.at(&interpolated);
            found = true;
            Flow::Stop
        },
    )?;
    if found {
        Ok(probe.predictor)
    } else {
        Err(DiagonalError::invalid(
            "target loss",
            target,
            "reachable by gradient flow within t = 1e15",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_steps_track_the_flow_and_huge_ones_diverge() {
        let mut spec = LargeStepSpec::standard();
        spec.data.samples = 8;
        spec.data.teacher.truncate(12);
        spec.losses = vec![Loss::Exponential];
        spec.alphas = vec![0.5];
        spec.edge_multiples = vec![0.1, 50.0];
        spec.steps = 400;
        let rows = run_large_steps(&spec, 1).unwrap();
        let small = &rows[0];
        assert_eq!(small.phase, Phase::Lazy);
        let gap = (small.gd_distance_l1.unwrap() - small.flow_distance_l1.unwrap()).abs();
        assert!(gap < 0.02, "{small:?}");
        assert_eq!(rows[1].phase, Phase::Divergent);
        assert!(rows[1].gd_distance_l1.is_none());
        spec.edge_multiples = vec![-1.0];
        assert!(run_large_steps(&spec, 1).is_err());
    }
}
