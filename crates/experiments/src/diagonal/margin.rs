//! Kernel vs rich regime with the exponential loss (Moroshko, Gunasekar, Woodworth, Lee,
//! Srebro, Soudry, NeurIPS 2020): the direction `w/‖w‖` that gradient flow on a depth-D
//! diagonal network reaches from `u₊ = u₋ = α·1`, as a function of α and of the training
//! loss `ε = L = Σ_n exp(−y_n⟨x_n, w⟩)` reached.
//!
//! # Gradient flow in closed form in ρ, clocked by the log-loss
//!
//! With `z_n = y_n x_n` (rows of Z), `ℓ_n = exp(−z_nᵀw)` and `ν_n(t) = ∫_0^t ℓ_n`, gradient
//! flow on `(u₊, u₋)` gives `u̇₊ = D u₊^{D−1} ⊙ Zᵀℓ` and `u̇₋ = −D u₋^{D−1} ⊙ Zᵀℓ`, which
//! integrate in closed form in `ρ = Zᵀν`:
//! - D = 1: `u± = α ± ρ`, `w = 2ρ`;
//! - D = 2: `u± = α e^{±2ρ}`, `w = 2α² sinh(4ρ)`;
//! - D ≥ 3: `u± = (α^{2−D} ∓ D(D−2)ρ)^{−1/(D−2)}` (from `d(u^{2−D})/dt = ∓D(D−2)Zᵀℓ`).
//!
//! Time `t` runs to ~1/ε, so the clock is the log-loss `s = −ln L` instead: with
//! `p = softmax(−Zw)` (so `ℓ = L p`) and `G = D² Σ_k (u₊ₖ^{2D−2} + u₋ₖ^{2D−2}) (Zᵀp)_k²`
//! (so that `ds/dt = ‖∇L‖²/L = L·G`), `dν/ds = p/G` and `dρ/ds = Zᵀp/G`. The state
//! integrated is not ν but the layer potentials `v± = φ(u±)` with `φ(u) = u` (D = 1), `ln u`
//! (D = 2), `u^{2−D}` (D ≥ 3), which move linearly in ρ (`dv±/ds = ±φ'·Zᵀp/G`, `φ' = 1, 2,
//! −D(D−2)`): for D ≥ 3 and small α, `u₊ = (α^{2−D} − D(D−2)ρ)^{−1/(D−2)}` is a difference of
//! two nearly equal numbers, which `v₊` carries with full relative accuracy. Everything is evaluated from log-sum-exp, so `ε = 1e-30`, `1e-100` or
//! `1e-300` are reached as easily as `1e-1`, and the step count grows only linearly in `s`.
//! The clock is checked at every measurement: `−ln L` recomputed from the state must
//! equal `s` ([`MarginRow::clock_drift`]).
//!
//! # What is measured
//!
//! At each ε: the ℓ2 distances of `w/‖w‖₂` to the ℓ2 max-margin direction and to the ℓ1
//! max-margin direction (rescaled to unit ℓ2 norm), both solved exactly with clarabel
//! ([`catapult_data::max_margin_l2`], [`catapult_data::max_margin_l1`]), and the ℓ1 and ℓ2
//! margins of `w` relative to the optimal ones.
//!
//! # The transition
//!
//! Kernel behaviour needs `u±` near α, i.e. `|w_k| ≪ α^D` (for D = 2: `sinh(4ρ) ≈ 4ρ`
//! while `w ≪ 2α²`; for D ≥ 3: `D(D−2)α^{D−2}|ρ| ≪ 1`, where `w ≈ 2D²α^{2D−2}ρ`). At loss ε
//! the smallest margin is at least `ln(1/ε)`, so `‖w‖ ≳ ln(1/ε)/γ₂`: the regime is set by
//! `μ = α^D / ln(1/ε)` (kernel for μ → ∞, rich for μ → 0). The predicted transition curve is
//! therefore `α_c(ε) = C·ln(1/ε)^{1/D}`, a slope `1/D` in `(ln ln(1/ε), ln α)`; the constant
//! C is not predicted by this argument and is fitted.

use super::DiagonalError;
use catapult_data::{Bias, Dataset, max_margin_l1, max_margin_l2, sparse_teacher};
use catapult_optim::{DormandPrince, Flow, OdeOptions, OdeSystem};
use faer::{Col, Mat};
use serde::Serialize;

/// The flow of a depth-D diagonal net with the exponential loss from `u₊ = u₋ = α·1`,
/// clocked by `s = −ln L`, in the layer potentials `v± = φ(u±)` (see the module docs).
#[derive(Debug, Clone)]
pub struct ExponentialFlow {
    depth: u32,
    alpha: f64,
    /// Z (n × d), rows `y_n x_n`.
    signed: Mat<f64>,
    w: Vec<f64>,
    margins: Vec<f64>,
    pull: Vec<f64>,
}

impl ExponentialFlow {
    /// Depth `D ≥ 1`, scale `α > 0`, on classification data (labels ±1).
    pub fn new(depth: u32, alpha: f64, data: &Dataset) -> Result<Self, DiagonalError> {
        if depth == 0 {
            return Err(DiagonalError::invalid("depth", 0.0, "at least 1"));
        }
        if !(alpha.is_finite() && alpha > 0.0) {
            return Err(DiagonalError::invalid("alpha", alpha, "finite and > 0"));
        }
        data.check_binary_labels()?;
        let (n, d) = (data.len(), data.dim());
        let signed = Mat::from_fn(n, d, |i, k| data.y()[i] * data.x()[(i, k)]);
        Ok(Self {
            depth,
            alpha,
            signed,
            w: vec![0.0; d],
            margins: vec![0.0; n],
            pull: vec![0.0; d],
        })
    }

    /// `s` at the start: `−ln n` (w = 0, every loss term 1).
    pub fn start(&self) -> f64 {
        -(self.signed.nrows() as f64).ln()
    }

    /// The state at the start: `(φ(α)·1, φ(α)·1)`.
    pub fn initial_state(&self) -> Vec<f64> {
        vec![self.potential(self.alpha); 2 * self.signed.ncols()]
    }

    /// `φ(u)`: `u` (D = 1), `ln u` (D = 2), `u^{2−D}` (D ≥ 3).
    fn potential(&self, u: f64) -> f64 {
        match self.depth {
            1 => u,
            2 => u.ln(),
            d => u.powi(2 - d as i32),
        }
    }

    /// `φ⁻¹(v)`.
    fn layer(&self, v: f64) -> f64 {
        match self.depth {
            1 => v,
            2 => v.exp(),
            d => v.powf(-1.0 / (f64::from(d) - 2.0)),
        }
    }

    /// `dφ(u₊)/dρ`: `1`, `2`, `−D(D−2)` (and the opposite for `u₋`).
    fn rate(&self) -> f64 {
        match self.depth {
            1 => 1.0,
            2 => 2.0,
            d => -f64::from(d) * (f64::from(d) - 2.0),
        }
    }

    /// Fills `w` from the state; returns false when it is not finite.
    fn predictor_at(&mut self, state: &[f64]) -> bool {
        let d = self.w.len();
        let power = self.depth as i32;
        for k in 0..d {
            self.w[k] = self.layer(state[k]).powi(power) - self.layer(state[d + k]).powi(power);
        }
        self.w.iter().all(|v| v.is_finite())
    }

    /// Writes the margins `z_nᵀw`; returns `ln L = ln Σ exp(−z_nᵀw)`.
    fn log_loss(&mut self) -> f64 {
        let (n, d) = self.signed.shape();
        for i in 0..n {
            self.margins[i] = (0..d).map(|k| self.signed[(i, k)] * self.w[k]).sum();
        }
        let smallest = self.margins.iter().copied().fold(f64::INFINITY, f64::min);
        let sum: f64 = self.margins.iter().map(|m| (smallest - m).exp()).sum();
        -smallest + sum.ln()
    }

    /// The predictor `w` and `ln L` at a state.
    pub fn evaluate(&mut self, state: &[f64]) -> (Vec<f64>, f64) {
        self.predictor_at(state);
        let log_loss = self.log_loss();
        (self.w.clone(), log_loss)
    }
}

impl OdeSystem for ExponentialFlow {
    fn dim(&self) -> usize {
        2 * self.signed.ncols()
    }

    /// `dv±/ds = ±φ'·(Zᵀp)/G`.
    fn derivative(&mut self, _s: f64, state: &[f64], slope: &mut [f64]) {
        if !self.predictor_at(state) {
            slope.fill(f64::NAN);
            return;
        }
        let log_loss = self.log_loss();
        let (n, d) = self.signed.shape();
        // p = softmax(−Zw) = exp(−m − ln L), overwriting the margins.
        for i in 0..n {
            self.margins[i] = (-self.margins[i] - log_loss).exp();
        }
        for k in 0..d {
            self.pull[k] = (0..n).map(|i| self.signed[(i, k)] * self.margins[i]).sum();
        }
        let depth = f64::from(self.depth);
        let power = 2 * self.depth as i32 - 2;
        let mut speed = 0.0;
        for k in 0..d {
            let (plus, minus) = (self.layer(state[k]), self.layer(state[d + k]));
            speed += (plus.powi(power) + minus.powi(power)) * self.pull[k].powi(2);
        }
        speed *= depth * depth;
        let rate = self.rate();
        for k in 0..d {
            slope[k] = rate * self.pull[k] / speed;
            slope[d + k] = -slope[k];
        }
    }
}

/// The state of the flow at one loss level.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowPoint {
    /// The loss level ε asked for.
    pub epsilon: f64,
    /// `w` there.
    pub w: Vec<f64>,
    /// `−ln L(w) − ln(1/ε)`: how far the recomputed loss is from the clock.
    pub clock_drift: f64,
}

/// Integrates the flow from `w = 0` and returns `w` at each loss level of `epsilons`
/// (each below `n`, the loss at the start; any order).
pub fn flow_to_losses(
    flow: &mut ExponentialFlow,
    epsilons: &[f64],
) -> Result<Vec<FlowPoint>, DiagonalError> {
    let n = flow.dim();
    let start = flow.start();
    let mut clocks: Vec<(usize, f64)> = Vec::new();
    for (j, &eps) in epsilons.iter().enumerate() {
        if !(eps.is_finite() && eps > 0.0 && -eps.ln() > start) {
            return Err(DiagonalError::invalid(
                "epsilon",
                eps,
                "finite, > 0 and below the loss at the start (the number of samples)",
            ));
        }
        clocks.push((j, -eps.ln()));
    }
    clocks.sort_by(|a, b| a.1.total_cmp(&b.1));
    let end = clocks.last().map_or(start, |c| c.1);
    let mut states: Vec<Option<Vec<f64>>> = vec![None; epsilons.len()];
    let mut next = 0;
    let mut state = flow.initial_state();
    let options = OdeOptions::new(1e-10, 1e-14, 10_000_000)?;
    let mut solver = DormandPrince::new(n, options);
    if end > start {
        solver.integrate(flow, start, &mut state, end, |step| {
            while next < clocks.len() && clocks[next].1 <= step.t1 {
                let s = clocks[next].1;
                states[clocks[next].0] =
                    Some((0..n).map(|i| step.interpolate(i, s)).collect::<Vec<f64>>());
                next += 1;
            }
            Flow::Continue
        })?;
    }
    epsilons
        .iter()
        .zip(states)
        .map(|(&epsilon, saved)| {
            let (w, log_loss) = flow.evaluate(saved.as_deref().unwrap_or(&state));
            Ok(FlowPoint {
                epsilon,
                w,
                clock_drift: -log_loss + epsilon.ln(),
            })
        })
        .collect()
}

/// The ℓ1 and ℓ2 max-margin references of a dataset (no bias) and the teacher that labelled
/// it, as unit-ℓ2 directions.
#[derive(Debug, Clone, PartialEq)]
pub struct References {
    /// The teacher `w*/‖w*‖₂`.
    pub teacher: Col<f64>,
    /// ℓ2 max-margin direction (unit ℓ2 norm).
    pub l2: Col<f64>,
    /// ℓ1 max-margin direction rescaled to unit ℓ2 norm.
    pub l1: Col<f64>,
    /// `max_{‖w‖₂=1} min_n z_nᵀw`.
    pub l2_margin: f64,
    /// `max_{‖w‖₁=1} min_n z_nᵀw`.
    pub l1_margin: f64,
}

impl References {
    /// Solves both programs with clarabel; `teacher` must have the data's dimension and a
    /// non-zero entry.
    pub fn solve(data: &Dataset, teacher: &[f64]) -> Result<Self, DiagonalError> {
        let norm = teacher.iter().map(|v| v * v).sum::<f64>().sqrt();
        if teacher.len() != data.dim() || !(norm.is_finite() && norm > 0.0) {
            return Err(DiagonalError::invalid(
                "teacher length",
                teacher.len() as f64,
                "the data's dimension, with a finite non-zero norm",
            ));
        }
        let l2 = max_margin_l2(data, Bias::Without)?;
        let l1 = max_margin_l1(data, Bias::Without)?;
        let l1_direction = &l1.direction / l1.direction.norm_l2();
        Ok(Self {
            teacher: Col::from_fn(teacher.len(), |k| teacher[k] / norm),
            l2: l2.direction,
            l1: l1_direction,
            l2_margin: l2.margin,
            l1_margin: l1.margin,
        })
    }
}

/// One (D, α, ε) cell of the grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarginRow {
    /// Depth D of the diagonal network.
    pub depth: u32,
    /// Initial scale α (`u₊ = u₋ = α·1`).
    pub alpha: f64,
    /// Training loss `ε = Σ_n exp(−y_n⟨x_n, w⟩)` at which the direction is measured.
    pub epsilon: f64,
    /// `‖w/‖w‖₂ − w_ℓ2‖₂`.
    pub distance_l2: f64,
    /// `‖w/‖w‖₂ − w_ℓ1/‖w_ℓ1‖₂‖₂`.
    pub distance_l1: f64,
    /// `min_n z_nᵀw / ‖w‖₁` over the ℓ1 max margin.
    pub l1_margin_ratio: f64,
    /// `min_n z_nᵀw / ‖w‖₂` over the ℓ2 max margin.
    pub l2_margin_ratio: f64,
    /// `⟨w/‖w‖₂, w*/‖w*‖₂⟩`, the cosine to the teacher.
    pub teacher_cosine: f64,
    /// `‖w‖₂`.
    pub norm: f64,
    /// `−ln L(w) − ln(1/ε)` recomputed from the state (0 for an exact clock).
    pub clock_drift: f64,
}

/// Measures `w` against the references.
pub fn measure(
    depth: u32,
    alpha: f64,
    point: &FlowPoint,
    data: &Dataset,
    references: &References,
) -> MarginRow {
    let d = point.w.len();
    let w = Col::from_fn(d, |k| point.w[k]);
    let norm = w.norm_l2();
    let direction = &w / norm;
    let smallest = (0..data.len())
        .map(|i| data.y()[i] * (0..d).map(|k| data.x()[(i, k)] * w[k]).sum::<f64>())
        .fold(f64::INFINITY, f64::min);
    MarginRow {
        depth,
        alpha,
        epsilon: point.epsilon,
        distance_l2: (&direction - &references.l2).norm_l2(),
        distance_l1: (&direction - &references.l1).norm_l2(),
        l1_margin_ratio: smallest / w.norm_l1() / references.l1_margin,
        l2_margin_ratio: smallest / norm / references.l2_margin,
        teacher_cosine: direction.transpose() * &references.teacher,
        norm,
        clock_drift: point.clock_drift,
    }
}

/// The α × ε grid of the experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct MarginSpec {
    /// Samples (fewer than the dimension).
    pub samples: usize,
    /// The sparse teacher whose sign labels the data.
    pub teacher: Vec<f64>,
    /// Seed of the data.
    pub seed: u64,
    /// Depths D of the diagonal network.
    pub depths: Vec<u32>,
    /// Initial scales α, one flow each.
    pub alphas: Vec<f64>,
    /// Training losses ε at which each flow is measured.
    pub epsilons: Vec<f64>,
}

impl MarginSpec {
    /// d = 50, n = 20, teacher `e_0` (labels `sign(x_0)`), seed 0; D ∈ {2, 3};
    /// α = 10^{−4} … 10^{1} in quarter decades; ε ∈ {1e-1, 1e-2, 1e-3, 1e-5, 1e-10, 1e-20,
    /// 1e-30, 1e-100, 1e-300}.
    pub fn standard() -> Self {
        let mut teacher = vec![0.0; 50];
        teacher[0] = 1.0;
        Self {
            samples: 20,
            teacher,
            seed: 0,
            depths: vec![2, 3],
            alphas: (0..=20)
                .map(|i| 10f64.powf(-4.0 + 0.25 * f64::from(i)))
                .collect(),
            epsilons: vec![1e-1, 1e-2, 1e-3, 1e-5, 1e-10, 1e-20, 1e-30, 1e-100, 1e-300],
        }
    }

    /// The data: `sign(⟨teacher, x⟩)` labels on Gaussian inputs.
    pub fn data(&self) -> Result<Dataset, DiagonalError> {
        Ok(sparse_teacher(
            self.samples,
            &self.teacher,
            0.0,
            true,
            self.seed,
        )?)
    }
}

/// Every cell of the grid (depth-major, then α, then ε as listed), the runs of one depth and
/// α spread over `threads`.
pub fn run_margin_grid(
    spec: &MarginSpec,
    threads: usize,
) -> Result<(References, Vec<MarginRow>), DiagonalError> {
    let data = spec.data()?;
    let references = References::solve(&data, &spec.teacher)?;
    let cells: Vec<(u32, f64)> = spec
        .depths
        .iter()
        .flat_map(|&d| spec.alphas.iter().map(move |&a| (d, a)))
        .collect();
    let results = catapult_lab::parallel_map(&cells, threads, |&(depth, alpha)| {
        let mut flow = ExponentialFlow::new(depth, alpha, &data)?;
        let points = flow_to_losses(&mut flow, &spec.epsilons)?;
        Ok::<_, DiagonalError>(
            points
                .iter()
                .map(|p| measure(depth, alpha, p, &data, &references))
                .collect::<Vec<_>>(),
        )
    });
    let mut rows = Vec::new();
    for result in results {
        rows.extend(result?);
    }
    Ok((references, rows))
}

/// Where the direction is as close to the ℓ1 as to the ℓ2 reference at one (D, ε).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    /// Depth D.
    pub depth: u32,
    /// Training loss ε.
    pub epsilon: f64,
    /// The α at which `distance_l1 = distance_l2`, interpolated linearly in `ln α`
    /// between the grid points around the first crossing from rich (small α) to kernel;
    /// `None` when the grid has no crossing.
    pub measured_alpha: Option<f64>,
    /// `C·ln(1/ε)^{1/D}` with C fitted to the measured crossings of this depth.
    pub predicted_alpha: Option<f64>,
}

/// The transition curve per depth and the least-squares slope of `ln α_c` against
/// `ln ln(1/ε)` (predicted `1/D`).
#[derive(Debug, Clone, PartialEq)]
pub struct TransitionFit {
    /// Depth D.
    pub depth: u32,
    /// The transition at each ε of the grid.
    pub points: Vec<Transition>,
    /// Fitted slope (free intercept); `None` with fewer than two crossings.
    pub slope: Option<f64>,
    /// `1/D`.
    pub predicted_slope: f64,
}

/// The measured and predicted transition of each depth of `rows` (see [`Transition`]).
pub fn transitions(spec: &MarginSpec, rows: &[MarginRow]) -> Vec<TransitionFit> {
    spec.depths
        .iter()
        .map(|&depth| {
            let mut points: Vec<Transition> = spec
                .epsilons
                .iter()
                .map(|&epsilon| {
                    let mut column: Vec<&MarginRow> = rows
                        .iter()
                        .filter(|r| r.depth == depth && r.epsilon == epsilon)
                        .collect();
                    column.sort_by(|a, b| a.alpha.total_cmp(&b.alpha));
                    Transition {
                        depth,
                        epsilon,
                        measured_alpha: crossing(&column),
                        predicted_alpha: None,
                    }
                })
                .collect();
            let measured: Vec<(f64, f64)> = points
                .iter()
                .filter_map(|p| {
                    p.measured_alpha
                        .map(|a| ((1.0 / p.epsilon).ln().ln(), a.ln()))
                })
                .collect();
            let predicted_slope = 1.0 / f64::from(depth);
            if !measured.is_empty() {
                let intercept = measured
                    .iter()
                    .map(|(x, y)| y - predicted_slope * x)
                    .sum::<f64>()
                    / measured.len() as f64;
                for p in &mut points {
                    let x = (1.0 / p.epsilon).ln().ln();
                    p.predicted_alpha = Some((intercept + predicted_slope * x).exp());
                }
            }
            TransitionFit {
                depth,
                points,
                slope: least_squares_slope(&measured),
                predicted_slope,
            }
        })
        .collect()
}

/// The first α (ascending) where `distance_l1 − distance_l2` turns from negative to
/// non-negative, interpolated linearly in `ln α`.
fn crossing(column: &[&MarginRow]) -> Option<f64> {
    column.windows(2).find_map(|pair| {
        let (a, b) = (pair[0], pair[1]);
        let (ga, gb) = (a.distance_l1 - a.distance_l2, b.distance_l1 - b.distance_l2);
        (ga < 0.0 && gb >= 0.0).then(|| {
            let f = ga / (ga - gb);
            (a.alpha.ln() + f * (b.alpha.ln() - a.alpha.ln())).exp()
        })
    })
}

fn least_squares_slope(points: &[(f64, f64)]) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use catapult_losses::Loss;
    use catapult_models::{DiagonalNet, EmpiricalRisk};
    use catapult_optim::{GradientFlow, Objective};

    fn small_teacher() -> Vec<f64> {
        let mut teacher = vec![0.0; 6];
        teacher[0] = 1.0;
        teacher
    }

    fn small_data() -> Dataset {
        sparse_teacher(5, &small_teacher(), 0.0, true, 3).unwrap()
    }

    /// The log-loss-clocked flow reaches the same `w` as gradient flow on the parameters, at the loss the
    /// parameter flow reached.
    #[test]
    fn clocked_flow_matches_parameter_gradient_flow() {
        let data = small_data();
        for depth in 1..=3u32 {
            let alpha = 0.4;
            let model = DiagonalNet::new(depth, data.dim()).unwrap();
            let mut theta: Vec<f64> = model.uniform_init(alpha).unwrap().iter().copied().collect();
            let mut risk = EmpiricalRisk::new(model, Loss::Exponential, data.clone()).unwrap();
            let options = OdeOptions::new(1e-11, 1e-14, 1_000_000).unwrap();
            let mut solver = DormandPrince::new(theta.len(), options);
            solver
                .integrate(
                    &mut GradientFlow::new(&mut risk),
                    0.0,
                    &mut theta,
                    40.0,
                    |_| Flow::Continue,
                )
                .unwrap();
            let w = model
                .predictor(Col::from_fn(theta.len(), |k| theta[k]).as_ref())
                .unwrap();
            // EmpiricalRisk averages: the summed loss is n times its value.
            let loss =
                risk.value(Col::from_fn(theta.len(), |k| theta[k]).as_ref()) * data.len() as f64;
            let mut flow = ExponentialFlow::new(depth, alpha, &data).unwrap();
            let point = &flow_to_losses(&mut flow, &[loss]).unwrap()[0];
            let gap: f64 = (0..w.nrows())
                .map(|k| (w[k] - point.w[k]).powi(2))
                .sum::<f64>()
                .sqrt();
            assert!(
                gap < 1e-6 * (1.0 + w.norm_l2()),
                "D = {depth}: gap {gap:e}, loss {loss:e}"
            );
            assert!(point.clock_drift.abs() < 1e-8);
        }
    }

    /// Down to ε = 1e-300 without overflow; the clock stays exact and the ℓ1 margin ratio of
    /// a small-α deep run approaches 1.
    #[test]
    fn reaches_astronomic_accuracy() {
        let data = small_data();
        let references = References::solve(&data, &small_teacher()).unwrap();
        let mut flow = ExponentialFlow::new(2, 1e-3, &data).unwrap();
        let points = flow_to_losses(&mut flow, &[1e-300, 1e-30]).unwrap();
        for p in &points {
            assert!(p.clock_drift.abs() < 1e-6, "{}", p.clock_drift);
        }
        let row = measure(2, 1e-3, &points[0], &data, &references);
        assert!(
            row.l1_margin_ratio > 0.95 && row.l1_margin_ratio <= 1.0 + 1e-9,
            "{row:?}"
        );
        assert!(flow_to_losses(&mut flow, &[10.0]).is_err());
        assert!(ExponentialFlow::new(0, 1.0, &data).is_err());
        assert!(ExponentialFlow::new(2, 0.0, &data).is_err());
    }

    /// One signed sample `z = (2, 1)` (twice, with both labels): the ℓ2 max-margin direction is
    /// `z/‖z‖` with margin √5, the ℓ1 one is `e_1` with margin 2.
    #[test]
    fn references_on_a_known_case() {
        let x = Mat::from_fn(2, 2, |i, k| [[2.0, 1.0], [-2.0, -1.0]][i][k]);
        let y = Col::from_fn(2, |i| [1.0, -1.0][i]);
        let data = Dataset::new(x, y).unwrap();
        let references = References::solve(&data, &[1.0, 0.0]).unwrap();
        let s5 = 5f64.sqrt();
        assert!(
            (references.l2[0] - 2.0 / s5).abs() < 1e-6
                && (references.l2[1] - 1.0 / s5).abs() < 1e-6
        );
        assert!((references.l2_margin - s5).abs() < 1e-6);
        assert!((references.l1[0] - 1.0).abs() < 1e-6 && references.l1[1].abs() < 1e-6);
        assert!((references.l1_margin - 2.0).abs() < 1e-6);
        assert!(References::solve(&data, &[0.0, 0.0]).is_err());
        assert!(References::solve(&data, &[1.0]).is_err());
    }

    #[test]
    fn crossing_and_slope() {
        let row = |alpha: f64, l1: f64, l2: f64| MarginRow {
            depth: 2,
            alpha,
            epsilon: 0.1,
            distance_l2: l2,
            distance_l1: l1,
            l1_margin_ratio: 1.0,
            l2_margin_ratio: 1.0,
            teacher_cosine: 1.0,
            norm: 1.0,
            clock_drift: 0.0,
        };
        let (a, b, c) = (row(0.01, 0.1, 0.9), row(0.1, 0.2, 0.6), row(1.0, 0.8, 0.2));
        let alpha = crossing(&[&a, &b, &c]).unwrap();
        // g goes −0.4 → +0.6 between 0.1 and 1: 40 % of the way in ln α.
        assert!((alpha.ln() - (0.1f64.ln() + 0.4 * 10f64.ln())).abs() < 1e-12);
        assert_eq!(crossing(&[&c, &a]), None);
        let slope = least_squares_slope(&[(0.0, 1.0), (1.0, 1.5), (2.0, 2.0)]).unwrap();
        assert!((slope - 0.5).abs() < 1e-12);
    }
}
