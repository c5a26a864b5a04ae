//! Stochastic trace estimation from matrix-vector products: Hutchinson's
//! estimator with Rademacher probes and Hutch++.

use faer::linalg::matmul::matmul;
use faer::reborrow::ReborrowMut;
use faer::{Accum, Col, Mat, Par};

use crate::SpectralError;
use crate::kernels::{fill_rademacher, seeded_rng};
use crate::lanczos::{Progress, apply_checked, dot};
use crate::operator::SymmetricOperator;

/// Which trace estimator [`estimate_trace`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceMethod {
    /// Hutchinson (1989): `tr(A) ≈ (1/P) Σ_p z_pᵀ A z_p` with independent
    /// Rademacher vectors `z_p`. Unbiased, variance
    /// `2 (||A||_F² - Σ_i a_ii²) / P` per estimate: exact for diagonal `A`.
    Hutchinson,
    /// Hutch++ (Meyer, Musco, Musco, Woodruff, SOSA 2021): a third of the
    /// products sketch the range (`Q = orth(A S)`), a third compute
    /// `tr(Qᵀ A Q)` exactly, the last third run Hutchinson on the deflated
    /// `(I - QQᵀ) A (I - QQᵀ)`. Unbiased, `O(1/m)` relative error instead of
    /// `O(1/√m)` for positive semidefinite `A`; exact when `rank(A)` is at most
    /// the sketch size.
    HutchPlusPlus,
}

/// Options of [`estimate_trace`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceOptions {
    /// The estimator. Default [`TraceMethod::Hutchinson`].
    pub method: TraceMethod,
    /// Operator applications to spend. Hutchinson uses one per probe and
    /// needs at least 2 (for a standard error); Hutch++ splits them into
    /// `s = matvecs / 3` sketch vectors, `s` exact products and
    /// `matvecs - 2 s` probes, and needs at least 4. Default 100.
    pub matvecs: usize,
    /// Seed of the Rademacher draws (Xoshiro256++). Default 0.
    pub seed: u64,
}

impl Default for TraceOptions {
    fn default() -> Self {
        Self {
            method: TraceMethod::Hutchinson,
            matvecs: 100,
            seed: 0,
        }
    }
}

/// A trace estimate with its uncertainty.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceEstimate {
    /// The unbiased estimate of `tr(A)`.
    pub estimate: f64,
    /// Standard error `s / √P` of the stochastic part, from the sample
    /// standard deviation `s` (denominator `P - 1`) of the `P` probe values.
    pub standard_error: f64,
    /// Two-sided 95% confidence interval
    /// `estimate ± (t_{0.975, P-1} · standard_error + rounding)` with the
    /// Student t quantile for `P - 1` degrees of freedom (exact if the probe
    /// values were Gaussian; approximate otherwise, by the central limit
    /// theorem).
    pub interval: (f64, f64),
    /// Allowance for floating-point error in the estimate: `(n + 2) ε` times
    /// `Σ_j ||A q_j||` over the exact Hutch++ part plus the mean of
    /// `||z_p|| ||A z_p||` over the probes (the dot-product error bound). It
    /// matters only when the statistical error vanishes (diagonal matrices
    /// for Hutchinson, low rank for Hutch++).
    pub rounding: f64,
    /// Number `P` of Rademacher probes in the stochastic part.
    pub probes: usize,
    /// Operator applications used.
    pub matvecs: usize,
}

/// Estimates `tr(A)` with the method and budget of `options`.
///
/// Errors: too few matrix-vector products for the method
/// ([`SpectralError::TooFewProbes`]), dimension zero, non-finite operator
/// output.
pub fn estimate_trace(
    op: &mut impl SymmetricOperator,
    options: TraceOptions,
) -> Result<TraceEstimate, SpectralError> {
    let dim = op.dim();
    if dim == 0 {
        return Err(SpectralError::ZeroDimension);
    }
    match options.method {
        TraceMethod::Hutchinson => {
            require_probes("Hutchinson", 2, options.matvecs)?;
            hutchinson(op, options)
        }
        TraceMethod::HutchPlusPlus => {
            require_probes("Hutch++", 4, options.matvecs)?;
            hutch_plus_plus(op, options)
        }
    }
}

/// `TooFewProbes` unless `got >= minimum`.
fn require_probes(method: &'static str, minimum: usize, got: usize) -> Result<(), SpectralError> {
    if got < minimum {
        return Err(SpectralError::TooFewProbes {
            method,
            minimum,
            got,
        });
    }
    Ok(())
}

/// Running mean and sum of squared deviations (Welford 1962).
#[derive(Debug, Default)]
struct Welford {
    count: usize,
    mean: f64,
    squares: f64,
}

impl Welford {
    fn push(&mut self, x: f64) {
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.squares += delta * (x - self.mean);
    }

    /// `(mean, standard error of the mean)`; needs at least two values.
    fn summary(&self) -> (f64, f64) {
        let variance = self.squares / (self.count - 1) as f64;
        (self.mean, (variance / self.count as f64).sqrt())
    }
}

fn hutchinson(
    op: &mut impl SymmetricOperator,
    options: TraceOptions,
) -> Result<TraceEstimate, SpectralError> {
    let dim = op.dim();
    let mut rng = seeded_rng(options.seed);
    let mut probe = Col::zeros(dim);
    let mut image = Col::zeros(dim);
    let mut progress = Progress::default();
    let mut stats = Welford::default();
    let mut magnitude = 0.0;
    for _ in 0..options.matvecs {
        fill_rademacher(&mut rng, probe.as_mut());
        apply_checked(op, probe.as_ref(), image.as_mut(), &mut progress)?;
        stats.push(dot(probe.as_ref(), image.as_ref()));
        magnitude += probe.norm_l2() * image.norm_l2() / options.matvecs as f64;
    }
    let (mean, standard_error) = stats.summary();
    Ok(summarise(
        0.0,
        mean,
        standard_error,
        dot_rounding(dim, magnitude),
        stats.count,
        progress.applications,
    ))
}

fn hutch_plus_plus(
    op: &mut impl SymmetricOperator,
    options: TraceOptions,
) -> Result<TraceEstimate, SpectralError> {
    let dim = op.dim();
    let sketch = options.matvecs / 3;
    let probes = options.matvecs - 2 * sketch;
    let mut rng = seeded_rng(options.seed);
    let mut progress = Progress::default();
    let mut probe = Col::zeros(dim);
    let mut image = Col::zeros(dim);

    // Range sketch Y = A S.
    let mut range = Mat::zeros(dim, sketch);
    for j in 0..sketch {
        fill_rademacher(&mut rng, probe.as_mut());
        apply_checked(op, probe.as_ref(), range.col_mut(j), &mut progress)?;
    }
    // Householder QR: Q has orthonormal columns spanning at least range(Y),
    // even when Y is rank deficient.
    let q = range.qr().compute_thin_Q();
    let mut exact = 0.0;
    let mut magnitude = 0.0;
    for j in 0..q.ncols() {
        apply_checked(op, q.col(j), image.as_mut(), &mut progress)?;
        exact += dot(q.col(j), image.as_ref());
        magnitude += image.norm_l2();
    }
    // Hutchinson on the deflated operator (I - QQᵀ) A (I - QQᵀ).
    let mut coefficients = Col::zeros(q.ncols());
    let mut stats = Welford::default();
    for _ in 0..probes {
        fill_rademacher(&mut rng, probe.as_mut());
        matmul(
            coefficients.as_mut(),
            Accum::Replace,
            q.transpose(),
            probe.as_ref(),
            1.0,
            Par::Seq,
        );
        matmul(
            probe.as_mut().rb_mut(),
            Accum::Add,
            q.as_ref(),
            coefficients.as_ref(),
            -1.0,
            Par::Seq,
        );
        apply_checked(op, probe.as_ref(), image.as_mut(), &mut progress)?;
        stats.push(dot(probe.as_ref(), image.as_ref()));
        magnitude += probe.norm_l2() * image.norm_l2() / probes as f64;
    }
    let (mean, standard_error) = stats.summary();
    Ok(summarise(
        exact,
        mean,
        standard_error,
        dot_rounding(dim, magnitude),
        stats.count,
        progress.applications,
    ))
}

/// Error bound `(n + 2) ε Σ ||x|| ||y||` of dot products in dimension `n`
/// with the given sum of norm products.
fn dot_rounding(dim: usize, magnitude: f64) -> f64 {
    (dim as f64 + 2.0) * f64::EPSILON * magnitude
}

fn summarise(
    exact: f64,
    mean: f64,
    standard_error: f64,
    rounding: f64,
    probes: usize,
    matvecs: usize,
) -> TraceEstimate {
    let estimate = exact + mean;
    let half_width = student_t_quantile_975(probes - 1) * standard_error + rounding;
    TraceEstimate {
        estimate,
        standard_error,
        interval: (estimate - half_width, estimate + half_width),
        rounding,
        probes,
        matvecs,
    }
}

/// `t_{0.975}` of Student's t distribution for 1 to 30 degrees of freedom
/// (standard tables, 4 decimals).
const T_975: [f64; 30] = [
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010,
    2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687,
    2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];

/// The 0.975 quantile of Student's t distribution with `dof` degrees of
/// freedom (the multiplier of a two-sided 95% interval).
///
/// Table values for `dof <= 30`; above, the Cornish–Fisher expansion in
/// `1/ν` around the normal quantile `z = 1.959964` (Abramowitz and Stegun
/// 26.7.5), accurate to better than `1e-4` there. `dof == 0` gives infinity.
pub fn student_t_quantile_975(dof: usize) -> f64 {
    if dof == 0 {
        return f64::INFINITY;
    }
    if dof <= T_975.len() {
        return T_975[dof - 1];
    }
    let z: f64 = 1.959_963_984_540_054;
    let nu = dof as f64;
    let z3 = z.powi(3);
    let z5 = z.powi(5);
    let z7 = z.powi(7);
    let z9 = z.powi(9);
    z + (z3 + z) / (4.0 * nu)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * nu * nu)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * nu.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * nu.powi(4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantile_is_continuous_at_the_table_end_and_tends_to_normal() {
        assert!((student_t_quantile_975(31) - 2.0395).abs() < 1e-3);
        assert!(student_t_quantile_975(31) < student_t_quantile_975(30));
        assert!((student_t_quantile_975(100_000) - 1.959_964).abs() < 1e-4);
        assert_eq!(student_t_quantile_975(0), f64::INFINITY);
    }

    #[test]
    fn welford_matches_two_pass() {
        let xs = [1.0, 4.0, -2.0, 7.5, 3.25];
        let mut w = Welford::default();
        xs.iter().for_each(|&x| w.push(x));
        let mean = xs.iter().sum::<f64>() / 5.0;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 4.0;
        let (m, se) = w.summary();
        assert!((m - mean).abs() < 1e-14);
        assert!((se - (var / 5.0).sqrt()).abs() < 1e-14);
    }
}
