//! Spectral density by stochastic Lanczos quadrature, and the Wasserstein-1
//! distance used to check it against dense spectra.

use faer::{Col, Mat};

use crate::SpectralError;
use crate::kernels::{Coefficients, fill_rademacher, orthogonalise_robust, seeded_rng};
use crate::lanczos::{Progress, ROUNDING_NOISE_FACTOR, apply_checked};
use crate::operator::SymmetricOperator;
use crate::tridiagonal::TridiagonalEigen;

/// Options of [`stochastic_lanczos_quadrature`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlqOptions {
    /// Number `P` of random probe vectors. At least 1. Default 10.
    pub probes: usize,
    /// Lanczos steps `m` per probe (clamped to the dimension). At least 1.
    /// Default 30.
    pub steps: usize,
    /// Seed of the Rademacher probes (Xoshiro256++). Default 0.
    pub seed: u64,
}

impl Default for SlqOptions {
    fn default() -> Self {
        Self {
            probes: 10,
            steps: 30,
            seed: 0,
        }
    }
}

/// The SLQ estimate of the spectral measure `μ = (1/n) Σ_i δ_{λ_i}` of a
/// symmetric operator: a discrete measure with nodes `θ` and weights `w`
/// (total weight 1).
///
/// For a unit probe `v`, `vᵀ f(A) v = Σ_i (u_iᵀ v)² f(λ_i)` and the
/// `m`-step Lanczos tridiagonal `T_m = S Θ Sᵀ` gives the Gauss quadrature
/// rule with nodes `θ_k` and weights `s_{1k}²`, exact for polynomials of
/// degree `< 2m` (Golub and Meurant 1994). With Rademacher `z` and
/// `v = z / √n`, `E[vᵀ f(A) v] = tr f(A) / n`, so averaging the rules of `P`
/// probes estimates `∫ f dμ` (Ubaru, Chen, Saad, SIMAX 2017; Ghorbani,
/// Krishnan, Xiao, ICML 2019 for Hessians).
#[derive(Debug, Clone, PartialEq)]
pub struct SpectralMeasure {
    /// Quadrature nodes of all probes, probe after probe (ascending within a
    /// probe).
    pub nodes: Vec<f64>,
    /// Weights matching `nodes`: `s_{1k}² / P`, summing to 1.
    pub weights: Vec<f64>,
    /// `nodes[probe_starts[p]..probe_starts[p + 1]]` belong to probe `p`
    /// (`P + 1` entries). A probe has fewer than `m` nodes when its Krylov
    /// space became invariant (its rule is then exact).
    pub probe_starts: Vec<usize>,
    /// Dimension `n` of the operator.
    pub dim: usize,
    /// Operator applications used (`P m` at most).
    pub matvecs: usize,
}

impl SpectralMeasure {
    /// Density `φ(t) = Σ_k w_k exp(-(t - θ_k)² / (2σ²)) / (σ √(2π))` on `grid`,
    /// the Gaussian-broadened measure (Lin, Saad, Yang 2016; Ghorbani et al.
    /// 2019). It integrates to 1 over the real line.
    ///
    /// Errors: `sigma` not finite and positive, a non-finite grid point.
    pub fn density(&self, grid: &[f64], sigma: f64) -> Result<Vec<f64>, SpectralError> {
        if !(sigma.is_finite() && sigma > 0.0) {
            return Err(SpectralError::InvalidBroadening(sigma));
        }
        if grid.iter().any(|t| !t.is_finite()) {
            return Err(SpectralError::InvalidMeasure("grid point is not finite"));
        }
        let normaliser = 1.0 / (sigma * (2.0 * std::f64::consts::PI).sqrt());
        Ok(grid
            .iter()
            .map(|&t| {
                self.nodes
                    .iter()
                    .zip(&self.weights)
                    .map(|(&theta, &w)| {
                        let u = (t - theta) / sigma;
                        w * (-0.5 * u * u).exp()
                    })
                    .sum::<f64>()
                    * normaliser
            })
            .collect())
    }

    /// `n Σ_k w_k θ_k`: the SLQ trace estimate (with Rademacher probes it
    /// equals the Hutchinson estimate of the same probes).
    pub fn trace_estimate(&self) -> f64 {
        self.dim as f64
            * self
                .nodes
                .iter()
                .zip(&self.weights)
                .map(|(x, w)| x * w)
                .sum::<f64>()
    }

    /// Wasserstein-1 distance between this measure and the empirical measure
    /// `(1/n') Σ_i δ_{λ_i}` of `eigenvalues` (for example a dense spectrum).
    /// See [`wasserstein1`].
    pub fn wasserstein1_to_spectrum(&self, eigenvalues: &[f64]) -> Result<f64, SpectralError> {
        let uniform = vec![1.0; eigenvalues.len()];
        wasserstein1(&self.nodes, &self.weights, eigenvalues, &uniform)
    }
}

/// Runs `P` probes of `m`-step Lanczos with full reorthogonalisation and
/// returns the averaged Gauss quadrature rules (see [`SpectralMeasure`]).
///
/// Cost: at most `P m` operator applications, `O(n m²)` for the two-pass
/// reorthogonalisation and `O(m²)` for each tridiagonal eigenproblem per
/// probe; the `n x m` basis is allocated once.
///
/// Errors: zero probes ([`SpectralError::TooFewProbes`]), zero steps,
/// dimension zero, non-finite operator output.
pub fn stochastic_lanczos_quadrature(
    op: &mut impl SymmetricOperator,
    options: SlqOptions,
) -> Result<SpectralMeasure, SpectralError> {
    let dim = op.dim();
    if dim == 0 {
        return Err(SpectralError::ZeroDimension);
    }
    if options.probes == 0 {
        return Err(SpectralError::TooFewProbes {
            method: "stochastic Lanczos quadrature",
            minimum: 1,
            got: 0,
        });
    }
    if options.steps == 0 {
        return Err(SpectralError::ZeroLanczosSteps);
    }
    let steps = options.steps.min(dim);
    let mut rng = seeded_rng(options.seed);
    let mut basis = Mat::<f64>::zeros(dim, steps);
    let mut product = Col::<f64>::zeros(dim);
    let mut pass = Col::<f64>::zeros(steps);
    let mut total = Col::<f64>::zeros(steps);
    let mut empty = Col::<f64>::zeros(0);
    let mut empty_total = Col::<f64>::zeros(0);
    let mut diagonal = vec![0.0; steps];
    let mut off_diagonal = vec![0.0; steps];
    let mut tridiagonal = TridiagonalEigen::new(steps);
    let mut progress = Progress::default();
    let mut measure = SpectralMeasure {
        nodes: Vec::with_capacity(options.probes * steps),
        weights: Vec::with_capacity(options.probes * steps),
        probe_starts: Vec::with_capacity(options.probes + 1),
        dim,
        matvecs: 0,
    };
    let probe_weight = 1.0 / options.probes as f64;
    let unit = 1.0 / (dim as f64).sqrt();
    for _probe in 0..options.probes {
        measure.probe_starts.push(measure.nodes.len());
        let mut first = basis.col_mut(0);
        fill_rademacher(&mut rng, first.as_mut());
        first.iter_mut().for_each(|x| *x *= unit);
        let mut size = 0;
        loop {
            apply_checked(op, basis.col(size), product.as_mut(), &mut progress)?;
            let beta = orthogonalise_robust(
                basis.as_ref().subcols(0, 0),
                basis.as_ref().subcols(0, size + 1),
                product.as_mut(),
                Coefficients {
                    pass: empty.as_mut(),
                    total: empty_total.as_mut(),
                },
                Coefficients {
                    pass: pass.as_mut().subrows_mut(0, size + 1),
                    total: total.as_mut().subrows_mut(0, size + 1),
                },
            );
            let alpha = total[size];
            if !(alpha.is_finite() && beta.is_finite()) {
                return Err(SpectralError::NonFinite {
                    application: progress.applications,
                });
            }
            diagonal[size] = alpha;
            size += 1;
            let noise = ROUNDING_NOISE_FACTOR
                * f64::EPSILON
                * (dim as f64).sqrt()
                * progress.operator_scale;
            if size == steps || beta <= noise {
                break;
            }
            off_diagonal[size - 1] = beta;
            for (target, &p) in basis.col_mut(size).iter_mut().zip(product.iter()) {
                *target = p / beta;
            }
        }
        tridiagonal.decompose(&diagonal[..size], &off_diagonal[..size - 1])?;
        let values = tridiagonal.values(size);
        for k in 0..size {
            let first_component = tridiagonal.eigenvector(k, size)[0];
            measure.nodes.push(values[k]);
            measure
                .weights
                .push(first_component * first_component * probe_weight);
        }
    }
    measure.probe_starts.push(measure.nodes.len());
    measure.matvecs = progress.applications;
    Ok(measure)
}

/// Wasserstein-1 (earth mover's) distance between two discrete measures on
/// the real line, `W₁(μ, ν) = ∫ |F_μ(x) - F_ν(x)| dx` with `F` the cumulative
/// distribution functions (Vallender 1973). Each weight list is normalised
/// to total mass 1 first.
///
/// Cost `O((a + b) log(a + b))` for `a` and `b` atoms. Errors
/// ([`SpectralError::InvalidMeasure`]): lengths differ, no atoms, a
/// non-finite node, a negative or non-finite weight, zero total weight.
pub fn wasserstein1(
    nodes_a: &[f64],
    weights_a: &[f64],
    nodes_b: &[f64],
    weights_b: &[f64],
) -> Result<f64, SpectralError> {
    let total_a = check_measure(nodes_a, weights_a)?;
    let total_b = check_measure(nodes_b, weights_b)?;
    // Each atom contributes +w/total to the difference of the CDFs F_a - F_b.
    let mut events: Vec<(f64, f64)> = nodes_a
        .iter()
        .zip(weights_a)
        .map(|(&x, &w)| (x, w / total_a))
        .chain(
            nodes_b
                .iter()
                .zip(weights_b)
                .map(|(&x, &w)| (x, -w / total_b)),
        )
        .collect();
    events.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut difference = 0.0;
    let mut distance = 0.0;
    for pair in events.windows(2) {
        difference += pair[0].1;
        distance += difference.abs() * (pair[1].0 - pair[0].0);
    }
    Ok(distance)
}

/// Validates one measure and returns its total weight.
fn check_measure(nodes: &[f64], weights: &[f64]) -> Result<f64, SpectralError> {
    if nodes.len() != weights.len() {
        return Err(SpectralError::InvalidMeasure(
            "nodes and weights have different lengths",
        ));
    }
    if nodes.is_empty() {
        return Err(SpectralError::InvalidMeasure("measure has no atoms"));
    }
    if nodes.iter().any(|x| !x.is_finite()) {
        return Err(SpectralError::InvalidMeasure("node is not finite"));
    }
    if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
        return Err(SpectralError::InvalidMeasure(
            "weight is negative or not finite",
        ));
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return Err(SpectralError::InvalidMeasure("total weight is zero"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasserstein_of_shifted_point_masses_is_the_shift() {
        let d = wasserstein1(&[0.0], &[1.0], &[2.5], &[3.0]).unwrap();
        assert!((d - 2.5).abs() < 1e-15);
        let same = wasserstein1(&[1.0, 2.0], &[1.0, 1.0], &[2.0, 1.0], &[0.5, 0.5]).unwrap();
        assert!(same.abs() < 1e-15);
        // Half the mass moves by 1.
        let half = wasserstein1(&[0.0, 1.0], &[1.0, 1.0], &[0.0, 2.0], &[1.0, 1.0]).unwrap();
        assert!((half - 0.5).abs() < 1e-15);
    }

    #[test]
    fn wasserstein_rejects_bad_measures() {
        assert!(wasserstein1(&[], &[], &[1.0], &[1.0]).is_err());
        assert!(wasserstein1(&[1.0], &[-1.0], &[1.0], &[1.0]).is_err());
        assert!(wasserstein1(&[f64::NAN], &[1.0], &[1.0], &[1.0]).is_err());
        assert!(wasserstein1(&[1.0], &[0.0], &[1.0], &[1.0]).is_err());
        assert!(wasserstein1(&[1.0, 2.0], &[1.0], &[1.0], &[1.0]).is_err());
    }
}
