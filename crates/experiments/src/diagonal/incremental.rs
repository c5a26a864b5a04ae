//! Incremental learning (Gissin, Shalev-Shwartz, Daniely, ICLR 2020): the toy `σ = u^N`
//! (element-wise) regressing onto `σ*` under `L(u) = ½ Σ_i (u_i^N − σ*_i)²`, and a deep
//! diagonal network on a sparse regression task.
//!
//! # One coordinate, in closed form
//!
//! Gradient flow `u̇ = −N u^{N−1}(u^N − σ*)` gives `σ̇ = N² σ^{2−2/N} (σ* − σ)`. With
//! `a = 2 − 2/N` and `y = σ/σ*`, the time to go from `σ0` to `σ` (both in `(0, σ*)`) is
//! `t = σ*^{−a}/N² ∫_{y0}^{y} s^{−a}/(1 − s) ds`:
//! - N = 1: `t = ln((σ* − σ0)/(σ* − σ))` (independent of the scale of `σ*`);
//! - N = 2: `t = ln(σ(σ* − σ0)/(σ0(σ* − σ)))/(4σ*)`;
//! - N ≥ 3: expanding `1/(1−s) = Σ_k s^k`, with `c = 1 − a = 2/N − 1 < 0`,
//!   `t = σ*^{−a}/N² Σ_{k≥0} (y^{k+c} − y0^{k+c})/(k + c)`; its first term is the
//!   pre-saturation law `σ^{−(N−2)/N} = σ0^{−(N−2)/N} − N(N−2)σ* t`.
//!
//! So for small `σ0` the time to learn `σ*` is about `ln(σ*/σ0)/(4σ*)` at N = 2 and
//! `σ0^{−(N−2)/N}/(N(N−2)σ*)` at N ≥ 3: the ratio of the learning times of two values tends
//! to their inverse ratio, and a value is learned long before the next one moves when the
//! time spent near `σ0` dominates. At N = 1 every value is learned on the same clock.

use super::DiagonalError;
use catapult_data::{Dataset, sparse_teacher};
use catapult_losses::Loss;
use catapult_models::{DiagonalNet, EmpiricalRisk};
use catapult_optim::{DormandPrince, Flow, GradientFlow, Objective, OdeOptions};
use faer::{ColMut, ColRef};
use serde::Serialize;

/// The largest `level/target` that [`learning_time`] accepts.
pub const MAX_LEVEL: f64 = 0.9999;

/// The time for `σ̇ = N² σ^{2−2/N}(σ* − σ)` to take `σ` from `sigma0` to `level` (see the
/// module docs). Needs `N ≥ 1`, `0 < sigma0 < level ≤ 0.9999·target`, all finite.
pub fn learning_time(
    depth: u32,
    sigma0: f64,
    level: f64,
    target: f64,
) -> Result<f64, DiagonalError> {
    if depth == 0 {
        return Err(DiagonalError::invalid("depth", 0.0, "at least 1"));
    }
    let finite = sigma0.is_finite() && level.is_finite() && target.is_finite();
    if !(finite && 0.0 < sigma0 && sigma0 < level && level < target) {
        return Err(DiagonalError::invalid(
            "level",
            level,
            "between sigma0 > 0 and the target (0 < sigma0 < level < target, finite)",
        ));
    }
    let (y0, y) = (sigma0 / target, level / target);
    if y > MAX_LEVEL {
        return Err(DiagonalError::invalid(
            "level / target",
            y,
            "at most 0.9999 (the N ≥ 3 series needs ~40/(1 − y) terms)",
        ));
    }
    Ok(match depth {
        1 => ((1.0 - y0) / (1.0 - y)).ln(),
        2 => (y * (1.0 - y0) / (y0 * (1.0 - y))).ln() / (4.0 * target),
        n => {
            let n = f64::from(n);
            let a = 2.0 - 2.0 / n;
            let c = 1.0 - a;
            target.powf(-a) / (n * n) * (power_series(y, c) - power_series(y0, c))
        }
    })
}

/// `Σ_{k≥0} y^{k+c}/(k+c)` for `0 < y < 1` and non-integer `c`, summed until the terms stop
/// changing the sum.
fn power_series(y: f64, c: f64) -> f64 {
    let mut power = y.powf(c);
    let mut sum = 0.0;
    for k in 0.. {
        let term = power / (k as f64 + c);
        let before = sum;
        sum += term;
        if sum == before && k > 0 {
            break;
        }
        power *= y;
    }
    sum
}

/// `L(u) = ½ Σ_i (u_i^N − σ*_i)²`, the toy model of Gissin et al.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerToy {
    depth: u32,
    target: Vec<f64>,
}

impl PowerToy {
    /// Depth `N ≥ 1` and finite targets.
    pub fn new(depth: u32, target: &[f64]) -> Result<Self, DiagonalError> {
        if depth == 0 {
            return Err(DiagonalError::invalid("depth", 0.0, "at least 1"));
        }
        if let Some(&v) = target.iter().find(|v| !v.is_finite()) {
            return Err(DiagonalError::invalid("target", v, "finite"));
        }
        if target.is_empty() {
            return Err(DiagonalError::invalid("target length", 0.0, "at least 1"));
        }
        Ok(Self {
            depth,
            target: target.to_vec(),
        })
    }

    /// `u_i` with `u_i^N = σ0`.
    pub fn start(&self, sigma0: f64) -> Vec<f64> {
        vec![sigma0.powf(1.0 / f64::from(self.depth)); self.target.len()]
    }

    fn power(&self, u: f64) -> f64 {
        u.powi(self.depth as i32)
    }
}

impl Objective for PowerToy {
    fn dim(&self) -> usize {
        self.target.len()
    }

    fn value(&mut self, u: ColRef<'_, f64>) -> f64 {
        (0..self.target.len())
            .map(|i| 0.5 * (self.power(u[i]) - self.target[i]).powi(2))
            .sum()
    }

    fn value_and_gradient(&mut self, u: ColRef<'_, f64>, mut gradient: ColMut<'_, f64>) -> f64 {
        let n = f64::from(self.depth);
        for i in 0..self.target.len() {
            let residual = self.power(u[i]) - self.target[i];
            gradient[i] = n * u[i].powi(self.depth as i32 - 1) * residual;
        }
        self.value(u)
    }

    /// Diagonal: `N(N−1)u^{N−2}(u^N − σ*) + N²u^{2N−2}`.
    fn hessian_vector_product(
        &mut self,
        u: ColRef<'_, f64>,
        v: ColRef<'_, f64>,
        mut out: ColMut<'_, f64>,
    ) {
        let n = f64::from(self.depth);
        let k = self.depth as i32;
        for i in 0..self.target.len() {
            let residual = self.power(u[i]) - self.target[i];
            let curvature = if k >= 2 {
                n * (n - 1.0) * u[i].powi(k - 2) * residual
            } else {
                0.0
            };
            out[i] = (curvature + n * n * u[i].powi(2 * k - 2)) * v[i];
        }
    }
}

/// The incremental-learning grid: depths × initial values on one target.
#[derive(Debug, Clone, PartialEq)]
pub struct StaircaseSpec {
    /// Distinct positive target values `σ*`, largest first.
    pub target: Vec<f64>,
    /// Depths N.
    pub depths: Vec<u32>,
    /// Initial values `σ0` (every coordinate starts there).
    pub sigma0s: Vec<f64>,
    /// Fractions of the target whose reaching time is measured.
    pub levels: Vec<f64>,
    /// Trajectory samples per run (uniform in time).
    pub samples: usize,
}

impl StaircaseSpec {
    /// The grid: `σ* = (12, 6, 3, 1.5)`, N ∈ {1, 2, 3, 4}, σ0 ∈ {1e-1, 1e-2, 1e-4},
    /// times to 1/2 and 0.9 of each value, 400 samples per trajectory.
    pub fn standard() -> Self {
        Self {
            target: vec![12.0, 6.0, 3.0, 1.5],
            depths: vec![1, 2, 3, 4],
            sigma0s: vec![1e-1, 1e-2, 1e-4],
            levels: vec![0.5, 0.9],
            samples: 400,
        }
    }
}

/// The time one coordinate reached a fraction of its target, measured and predicted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LearningTime {
    /// Depth N of the toy `σ = u^N`.
    pub depth: u32,
    /// Initial value `σ0` of every coordinate.
    pub sigma0: f64,
    /// Index of the coordinate (0 = the largest target value).
    pub coordinate: usize,
    /// The coordinate's target value `σ*_i`.
    pub target: f64,
    /// The fraction of `σ*_i` whose reaching time is reported (time to `level·σ*_i`).
    pub level: f64,
    /// From the integrated flow of all coordinates together.
    pub measured: f64,
    /// [`learning_time`] for this coordinate alone.
    pub predicted: f64,
    /// `measured` over the measured time of coordinate 0 (the largest value) at this level.
    pub measured_ratio: f64,
    /// `predicted` over the predicted time of coordinate 0 at this level.
    pub predicted_ratio: f64,
}

/// One run of the toy: the trajectory and the learning times.
#[derive(Debug, Clone, PartialEq)]
pub struct StaircaseRun {
    /// Depth N of the toy `σ = u^N`.
    pub depth: u32,
    /// Initial value `σ0` of every coordinate.
    pub sigma0: f64,
    /// Sample times.
    pub time: Vec<f64>,
    /// `sigma[i][s]`: coordinate i at `time[s]`.
    pub sigma: Vec<Vec<f64>>,
    /// The learning time of every coordinate at every level, level-major.
    pub times: Vec<LearningTime>,
}

const FLOW_TOLERANCE: (f64, f64) = (1e-10, 1e-14);
const FLOW_STEP_BUDGET: usize = 2_000_000;

/// Integrates the toy for every depth and σ0 of `spec` up to 1.5 times the predicted time at
/// which the smallest value reaches 0.99 of itself, sampling the trajectory and timing each
/// level crossing.
pub fn run_staircase(spec: &StaircaseSpec) -> Result<Vec<StaircaseRun>, DiagonalError> {
    if spec.samples < 2 {
        return Err(DiagonalError::invalid(
            "samples",
            spec.samples as f64,
            "at least 2",
        ));
    }
    let mut runs = Vec::new();
    for &depth in &spec.depths {
        for &sigma0 in &spec.sigma0s {
            runs.push(run_toy(spec, depth, sigma0)?);
        }
    }
    Ok(runs)
}

fn run_toy(spec: &StaircaseSpec, depth: u32, sigma0: f64) -> Result<StaircaseRun, DiagonalError> {
    let mut toy = PowerToy::new(depth, &spec.target)?;
    let smallest = spec.target.iter().copied().fold(f64::INFINITY, f64::min);
    let horizon = 1.5 * learning_time(depth, sigma0, 0.99 * smallest, smallest)?;
    let d = spec.target.len();
    let mut u = toy.start(sigma0);
    let sample_times: Vec<f64> = (0..spec.samples)
        .map(|s| horizon * s as f64 / (spec.samples - 1) as f64)
        .collect();
    let mut sigma = vec![vec![sigma0; spec.samples]; d];
    let mut next_sample = 1;
    let mut crossings = vec![vec![f64::NAN; spec.levels.len()]; d];
    let power = |u: f64| u.powi(depth as i32);
    let options = OdeOptions::new(FLOW_TOLERANCE.0, FLOW_TOLERANCE.1, FLOW_STEP_BUDGET)?;
    let mut solver = DormandPrince::new(d, options);
    let levels_u: Vec<Vec<f64>> = spec
        .target
        .iter()
        .map(|t| {
            spec.levels
                .iter()
                .map(|l| (l * t).powf(1.0 / f64::from(depth)))
                .collect()
        })
        .collect();
    solver.integrate(
        &mut GradientFlow::new(&mut toy),
        0.0,
        &mut u,
        horizon,
        |step| {
            while next_sample < spec.samples && sample_times[next_sample] <= step.t1 {
                for (i, row) in sigma.iter_mut().enumerate() {
                    row[next_sample] = power(step.interpolate(i, sample_times[next_sample]));
                }
                next_sample += 1;
            }
            for i in 0..d {
                for (j, &level) in levels_u[i].iter().enumerate() {
                    if crossings[i][j].is_nan()
                        && let Some(t) = step.crossing(i, level)
                    {
                        crossings[i][j] = t;
                    }
                }
            }
            Flow::Continue
        },
    )?;
    // Samples at the very end that rounding kept past the last step take the final state.
    for s in next_sample..spec.samples {
        for (i, row) in sigma.iter_mut().enumerate() {
            row[s] = power(u[i]);
        }
    }
    let mut times = Vec::new();
    for (j, &level) in spec.levels.iter().enumerate() {
        let predicted_first = learning_time(depth, sigma0, level * spec.target[0], spec.target[0])?;
        for i in 0..d {
            let predicted = learning_time(depth, sigma0, level * spec.target[i], spec.target[i])?;
            times.push(LearningTime {
                depth,
                sigma0,
                coordinate: i,
                target: spec.target[i],
                level,
                measured: crossings[i][j],
                predicted,
                measured_ratio: crossings[i][j] / crossings[0][j],
                predicted_ratio: predicted / predicted_first,
            });
        }
    }
    Ok(StaircaseRun {
        depth,
        sigma0,
        time: sample_times,
        sigma,
        times,
    })
}

/// A deep diagonal network on a sparse regression task.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseRegressionSpec {
    /// Samples.
    pub samples: usize,
    /// The teacher (its length is the dimension); non-zero entries are the support.
    pub teacher: Vec<f64>,
    /// Feature correlations to compare (one run each).
    pub correlations: Vec<f64>,
    /// Depth D of the diagonal network.
    pub depth: u32,
    /// Initial scale α (`u₊ = u₋ = α·1`).
    pub alpha: f64,
    /// Seed of the data.
    pub seed: u64,
    /// The run stops at this multiple of the time the last support coordinate reached 0.9 of
    /// its value.
    pub overrun: f64,
}

impl SparseRegressionSpec {
    /// d = 40, n = 25, support values (4, 2, 1, 0.5) on coordinates 0–3, correlation 0 and
    /// 0.5, depth 3, α = 0.05, seed 0.
    pub fn standard() -> Self {
        let mut teacher = vec![0.0; 40];
        teacher[..4].copy_from_slice(&[4.0, 2.0, 1.0, 0.5]);
        Self {
            samples: 25,
            teacher,
            correlations: vec![0.0, 0.5],
            depth: 3,
            alpha: 0.05,
            seed: 0,
            overrun: 1.5,
        }
    }
}

/// One sparse regression run: the trajectory of `w` and when each support coordinate was
/// found.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseRegressionRun {
    /// The feature correlation of this run's data.
    pub correlation: f64,
    /// Times of the accepted integration steps (thinned to at most 600).
    pub time: Vec<f64>,
    /// `w[k][s]`: coordinate k of the predictor at `time[s]`.
    pub w: Vec<Vec<f64>>,
    /// Support coordinates in the order they reached half their value, with the times.
    pub found: Vec<(usize, f64)>,
    /// `‖w − w*‖₂/‖w*‖₂` at the end.
    pub recovery_error: f64,
    /// The end time.
    pub end: f64,
}

/// Gradient flow of the squared loss (mean over samples) of a depth-D diagonal network from
/// `u₊ = u₋ = α·1`, one run per correlation.
pub fn run_sparse_regression(
    spec: &SparseRegressionSpec,
) -> Result<Vec<SparseRegressionRun>, DiagonalError> {
    if !(spec.overrun.is_finite() && spec.overrun >= 1.0) {
        return Err(DiagonalError::invalid(
            "overrun",
            spec.overrun,
            "at least 1",
        ));
    }
    spec.correlations
        .iter()
        .map(|&rho| {
            let data = sparse_teacher(spec.samples, &spec.teacher, rho, false, spec.seed)?;
            sparse_flow(spec, data, rho)
        })
        .collect()
}

fn sparse_flow(
    spec: &SparseRegressionSpec,
    data: Dataset,
    correlation: f64,
) -> Result<SparseRegressionRun, DiagonalError> {
    let d = spec.teacher.len();
    let model = DiagonalNet::new(spec.depth, d)?;
    let theta = model.uniform_init(spec.alpha)?;
    let mut risk = EmpiricalRisk::new(model, Loss::Squared, data)?;
    let mut state: Vec<f64> = theta.iter().copied().collect();
    let support: Vec<usize> = (0..d).filter(|&k| spec.teacher[k] != 0.0).collect();
    let power = |u: f64| u.powi(spec.depth as i32);
    let predictor = |y: &[f64], k: usize| power(y[k]) - power(y[d + k]);
    let mut half = vec![f64::NAN; d];
    let mut ninety = vec![f64::NAN; d];
    let mut stop_at = f64::INFINITY;
    let mut time = vec![0.0];
    let mut w: Vec<Vec<f64>> = vec![vec![0.0]; d];
    let options = OdeOptions::new(1e-9, 1e-12, FLOW_STEP_BUDGET)?;
    let mut solver = DormandPrince::new(2 * d, options);
    let mut flow = GradientFlow::new(&mut risk);
    let outcome = solver.integrate(&mut flow, 0.0, &mut state, 1e9, |step| {
        time.push(step.t1);
        for (k, row) in w.iter_mut().enumerate() {
            row.push(predictor(step.y1, k));
        }
        for &k in &support {
            let value = predictor(step.y1, k);
            let goal = spec.teacher[k];
            if half[k].is_nan() && value / goal >= 0.5 {
                half[k] = step.t1;
            }
            if ninety[k].is_nan() && value / goal >= 0.9 {
                ninety[k] = step.t1;
            }
        }
        if stop_at.is_infinite() && support.iter().all(|&k| !ninety[k].is_nan()) {
            stop_at = spec.overrun * step.t1;
        }
        if step.t1 >= stop_at {
            Flow::Stop
        } else {
            Flow::Continue
        }
    })?;
    let final_w: Vec<f64> = (0..d).map(|k| predictor(&state, k)).collect();
    let teacher_norm = spec.teacher.iter().map(|v| v * v).sum::<f64>().sqrt();
    let recovery_error = final_w
        .iter()
        .zip(&spec.teacher)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        .sqrt()
        / teacher_norm;
    let mut found: Vec<(usize, f64)> = support.iter().map(|&k| (k, half[k])).collect();
    found.sort_by(|a, b| a.1.total_cmp(&b.1));
    let keep = thin(time.len(), 600);
    Ok(SparseRegressionRun {
        correlation,
        time: keep.iter().map(|&s| time[s]).collect(),
        w: w.iter()
            .map(|row| keep.iter().map(|&s| row[s]).collect())
            .collect(),
        found,
        recovery_error,
        end: outcome.t,
    })
}

/// At most `max` indices of `0..len`, evenly spread, always with the first and the last.
fn thin(len: usize, max: usize) -> Vec<usize> {
    if len <= max {
        return (0..len).collect();
    }
    let mut keep: Vec<usize> = (0..max).map(|s| s * (len - 1) / (max - 1)).collect();
    keep.dedup();
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One coordinate integrated by the flow hits every level at the closed-form time.
    #[test]
    fn integrator_matches_the_closed_form_for_one_coordinate() {
        for depth in 1..=4 {
            let spec = StaircaseSpec {
                target: vec![3.0],
                depths: vec![depth],
                sigma0s: vec![1e-2],
                levels: vec![0.1, 0.5, 0.9],
                samples: 3,
            };
            let run = &run_staircase(&spec).unwrap()[0];
            for time in &run.times {
                let gap = (time.measured - time.predicted).abs() / time.predicted;
                assert!(gap < 1e-6, "N = {depth}, level {}: gap {gap:e}", time.level);
            }
        }
    }

    /// N = 3 against the elementary antiderivative with σ* = 1 and `s = z³`:
    /// `t = (F(z) − F(z0))/3`, `F(z) = −1/z − ln(1−z)/3 + ln(z²+z+1)/6 − atan((2z+1)/√3)/√3`.
    #[test]
    fn depth_three_series_matches_the_elementary_form() {
        let f = |z: f64| {
            -1.0 / z - (1.0 - z).ln() / 3.0 + (z * z + z + 1.0).ln() / 6.0
                - ((2.0 * z + 1.0) / 3f64.sqrt()).atan() / 3f64.sqrt()
        };
        for (s0, s) in [(1e-4, 0.5), (1e-2, 0.9), (0.2, 0.99)] {
            let expected = (f(f64::cbrt(s)) - f(f64::cbrt(s0))) / 3.0;
            let got = learning_time(3, s0, s, 1.0).unwrap();
            assert!(
                (got - expected).abs() < 1e-10 * expected,
                "{got} vs {expected}"
            );
        }
    }

    #[test]
    fn closed_forms_at_depths_one_and_two_and_the_small_init_laws() {
        let t1 = learning_time(1, 0.1, 1.0, 2.0).unwrap();
        assert!((t1 - (1.9f64 / 1.0).ln()).abs() < 1e-14);
        let t2 = learning_time(2, 1e-3, 1.0, 2.0).unwrap();
        assert!((t2 - (1.999f64 / 1e-3).ln() / 8.0).abs() < 1e-14);
        // N ≥ 3, tiny σ0: t ≈ σ0^{−(N−2)/N}/(N(N−2)σ*).
        for n in [3u32, 4, 5] {
            let sigma0 = 1e-12;
            let t = learning_time(n, sigma0, 0.5, 1.0).unwrap();
            let nf = f64::from(n);
            let law = sigma0.powf(-(nf - 2.0) / nf) / (nf * (nf - 2.0));
            assert!((t / law - 1.0).abs() < 1e-3, "N = {n}: {t} vs {law}");
        }
        assert!(learning_time(0, 0.1, 0.5, 1.0).is_err());
        assert!(learning_time(2, 0.5, 0.1, 1.0).is_err());
        assert!(learning_time(2, 0.1, 1.0, 1.0).is_err());
        assert!(learning_time(2, f64::NAN, 0.5, 1.0).is_err());
        assert!(learning_time(3, 0.1, 0.99995, 1.0).is_err());
    }

    #[test]
    fn toy_derivatives_match_finite_differences() {
        let mut toy = PowerToy::new(3, &[2.0, -1.0]).unwrap();
        let u = faer::Col::from_fn(2, |i| [0.7, -0.4][i]);
        let v = faer::Col::from_fn(2, |i| [0.3, 1.1][i]);
        let mut g = faer::Col::zeros(2);
        toy.value_and_gradient(u.as_ref(), g.as_mut());
        let h = 1e-6;
        for k in 0..2 {
            let mut plus = u.clone();
            let mut minus = u.clone();
            plus[k] += h;
            minus[k] -= h;
            let numeric = (toy.value(plus.as_ref()) - toy.value(minus.as_ref())) / (2.0 * h);
            assert!((numeric - g[k]).abs() < 1e-7);
        }
        let mut hv = faer::Col::zeros(2);
        toy.hessian_vector_product(u.as_ref(), v.as_ref(), hv.as_mut());
        let (mut gp, mut gm) = (faer::Col::zeros(2), faer::Col::zeros(2));
        toy.value_and_gradient((&u + faer::Scale(h) * &v).as_ref(), gp.as_mut());
        toy.value_and_gradient((&u - faer::Scale(h) * &v).as_ref(), gm.as_mut());
        let numeric = (gp - gm) * faer::Scale(0.5 / h);
        assert!((numeric - hv).norm_l2() < 1e-6);
        assert!(PowerToy::new(0, &[1.0]).is_err() && PowerToy::new(2, &[f64::NAN]).is_err());
    }

    #[test]
    fn sparse_regression_finds_the_support_largest_first() {
        let mut spec = SparseRegressionSpec::standard();
        spec.correlations = vec![0.0];
        let run = &run_sparse_regression(&spec).unwrap()[0];
        let order: Vec<usize> = run.found.iter().map(|(k, _)| *k).collect();
        assert_eq!(order, [0, 1, 2, 3]);
        assert!(run.recovery_error < 0.1, "{}", run.recovery_error);
    }
}
