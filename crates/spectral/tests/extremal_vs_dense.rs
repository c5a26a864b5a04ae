//! Certified top-k / bottom-k eigenpairs against faer's dense eigensolver on
//! matrices with clustered, repeated and negative eigenvalues.

mod common;

use catapult_spectral::{
    CertifiedEigenpair, DenseOperator, ExtremalEigenpairs, ExtremalLanczos, ExtremalOptions,
    SpectralError, SpectrumEnds, SymmetricOperator, extremal_eigenpairs,
};
use common::{Diagonal, eigenvalues, matrix_with_spectrum};
use faer::{Col, ColMut, ColRef, Mat, Side};
use proptest::prelude::*;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

fn run(a: &Mat<f64>, options: ExtremalOptions) -> ExtremalEigenpairs {
    let mut op = DenseOperator::new(a.as_ref()).unwrap();
    extremal_eigenpairs(&mut op, options).unwrap()
}

/// `||A y - θ y||` recomputed independently.
fn residual_of(a: &Mat<f64>, pair: &CertifiedEigenpair) -> f64 {
    let ay = a * &pair.vector;
    (0..ay.nrows())
        .map(|i| (ay[i] - pair.value * pair.vector[i]).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// Every returned pair: the reported residual is the true one, some true
/// eigenvalue lies within `bound`, and the i-th returned value is within
/// `bound` of the i-th true extreme eigenvalue (multiplicities included).
fn assert_certified(a: &Mat<f64>, result: &ExtremalEigenpairs, k: usize, ends: SpectrumEnds) {
    let truth = eigenvalues(a);
    let n = truth.len();
    let scale = truth[0].abs().max(truth[n - 1].abs());
    let expected = k.min(n);
    // The dense reference has its own rounding error, about n ε ||A||.
    let reference = 8.0 * f64::EPSILON * n as f64 * scale;
    let check = |pairs: &[CertifiedEigenpair], sorted: &mut dyn Iterator<Item = f64>| {
        assert_eq!(pairs.len(), expected);
        for (i, (pair, truth_i)) in pairs.iter().zip(sorted).enumerate() {
            assert!((pair.vector.norm_l2() - 1.0).abs() < 1e-12);
            let recomputed = residual_of(a, pair);
            assert!(
                (recomputed - pair.residual).abs() <= 1e-12 * scale,
                "residual {} recomputed {recomputed}",
                pair.residual
            );
            let nearest = truth
                .iter()
                .map(|l| (l - pair.value).abs())
                .fold(f64::INFINITY, f64::min);
            assert!(
                nearest <= pair.bound + reference,
                "pair {i}: nearest {nearest:e} > bound {:e}",
                pair.bound
            );
            assert!(
                (truth_i - pair.value).abs() <= pair.bound + reference,
                "pair {i}: value {} vs true {truth_i}, bound {:e}",
                pair.value,
                pair.bound
            );
            if let Some(g) = pair.gap_bound {
                assert!(
                    (truth_i - pair.value).abs() <= g + reference,
                    "pair {i}: gap bound {g:e} violated: {:e}",
                    (truth_i - pair.value).abs()
                );
            }
        }
    };
    if matches!(ends, SpectrumEnds::Top | SpectrumEnds::Both) {
        check(&result.top, &mut truth.iter().rev().copied());
    } else {
        assert!(result.top.is_empty());
    }
    if matches!(ends, SpectrumEnds::Bottom | SpectrumEnds::Both) {
        check(&result.bottom, &mut truth.iter().copied());
    } else {
        assert!(result.bottom.is_empty());
    }
    assert!(
        result.converged,
        "not converged: {} matvecs, {} sweeps",
        result.matvecs, result.sweeps
    );
}

fn options(k: usize, ends: SpectrumEnds) -> ExtremalOptions {
    ExtremalOptions {
        k,
        ends,
        ..ExtremalOptions::default()
    }
}

#[test]
fn indefinite_spectrum_both_ends() {
    let spectrum: Vec<f64> = (0..150).map(|i| -30.0 + 0.37 * i as f64).collect();
    let a = matrix_with_spectrum(&spectrum, 1);
    let result = run(&a, options(5, SpectrumEnds::Both));
    assert_certified(&a, &result, 5, SpectrumEnds::Both);
}

#[test]
fn repeated_eigenvalues_are_found_with_multiplicity() {
    // Top eigenvalue 5 three times, bottom -40 twice, a cluster near 4.9.
    let mut spectrum = vec![5.0, 5.0, 5.0, 4.9, 4.9 - 1e-6, -40.0, -40.0];
    spectrum.extend((0..140).map(|i| -39.0 + 0.27 * i as f64));
    let a = matrix_with_spectrum(&spectrum, 2);
    let result = run(&a, options(5, SpectrumEnds::Both));
    assert_certified(&a, &result, 5, SpectrumEnds::Both);
    let top: Vec<f64> = result.top.iter().map(|p| p.value).collect();
    assert!(top[..3].iter().all(|v| (v - 5.0).abs() < 1e-8), "{top:?}");
    assert!((result.bottom[1].value + 40.0).abs() < 1e-8);
}

#[test]
fn clustered_top_eigenvalues() {
    let mut spectrum: Vec<f64> = (0..6).map(|i| 1.0 + 1e-7 * i as f64).collect();
    spectrum.extend((0..100).map(|i| -1.0 + 0.019 * i as f64));
    let a = matrix_with_spectrum(&spectrum, 3);
    let result = run(&a, options(6, SpectrumEnds::Top));
    assert_certified(&a, &result, 6, SpectrumEnds::Top);
}

#[test]
fn bottom_only_on_a_negative_spectrum() {
    let spectrum: Vec<f64> = (0..80).map(|i| -0.5 - 0.25 * i as f64).collect();
    let a = matrix_with_spectrum(&spectrum, 4);
    let result = run(&a, options(4, SpectrumEnds::Bottom));
    assert_certified(&a, &result, 4, SpectrumEnds::Bottom);
}

#[test]
fn tiny_dimensions_and_k_above_dimension() {
    for n in 1..=6 {
        let spectrum: Vec<f64> = (0..n).map(|i| (i as f64 - 2.0) * 1.5).collect();
        let a = matrix_with_spectrum(&spectrum, 10 + n as u64);
        for k in [1, 2, n, n + 3] {
            let result = run(&a, options(k, SpectrumEnds::Both));
            assert_certified(&a, &result, k, SpectrumEnds::Both);
        }
    }
}

#[test]
fn identity_has_full_multiplicity() {
    let a = Mat::<f64>::identity(12, 12);
    let result = run(&a, options(4, SpectrumEnds::Both));
    assert_certified(&a, &result, 4, SpectrumEnds::Both);
}

#[test]
fn zero_operator() {
    let mut op = Diagonal::new(vec![0.0; 9]);
    let result = extremal_eigenpairs(&mut op, options(3, SpectrumEnds::Both)).unwrap();
    assert!(result.converged);
    assert!(
        result
            .top
            .iter()
            .chain(&result.bottom)
            .all(|p| p.value == 0.0 && p.residual == 0.0)
    );
}

#[test]
fn small_krylov_dimension_still_converges() {
    let spectrum: Vec<f64> = (0..200)
        .map(|i| ((i * 37) % 200) as f64 / 10.0 - 8.0)
        .collect();
    let a = matrix_with_spectrum(&spectrum, 5);
    let opts = ExtremalOptions {
        krylov_dim: Some(12),
        max_matvecs: 20_000,
        ..options(3, SpectrumEnds::Both)
    };
    let result = run(&a, opts);
    assert_certified(&a, &result, 3, SpectrumEnds::Both);
}

#[test]
fn warm_start_with_exact_eigenvectors_is_cheap() {
    let spectrum: Vec<f64> = (0..120)
        .map(|i| (i as f64 * 0.731).sin() * 3.0 + i as f64 * 0.01)
        .collect();
    let a = matrix_with_spectrum(&spectrum, 6);
    let eigen = a.self_adjoint_eigen(Side::Lower).unwrap();
    let warm = Mat::from_fn(120, 3, |i, j| eigen.U()[(i, 119 - j)]);
    let opts = options(3, SpectrumEnds::Top);
    let mut op = DenseOperator::new(a.as_ref()).unwrap();
    let mut solver = ExtremalLanczos::new(120, opts).unwrap();
    let cold = solver.compute(&mut op, None).unwrap();
    let warm_result = solver.compute(&mut op, Some(warm.as_ref())).unwrap();
    assert_certified(&a, &warm_result, 3, SpectrumEnds::Top);
    assert!(
        warm_result.matvecs < cold.matvecs,
        "warm {} cold {}",
        warm_result.matvecs,
        cold.matvecs
    );
}

#[test]
fn budget_exhaustion_is_reported_honestly() {
    let spectrum: Vec<f64> = (0..300).map(|i| i as f64 / 300.0).collect();
    let a = matrix_with_spectrum(&spectrum, 7);
    let opts = ExtremalOptions {
        max_matvecs: 10,
        ..options(2, SpectrumEnds::Both)
    };
    let result = run(&a, opts);
    assert!(!result.converged);
    // Budget plus at most 2k explicit residual checks.
    assert!(result.matvecs <= 10 + 4, "{}", result.matvecs);
    // The rigorous bound still holds for whatever was returned.
    let truth = eigenvalues(&a);
    for pair in result.top.iter().chain(&result.bottom) {
        let nearest = truth
            .iter()
            .map(|l| (l - pair.value).abs())
            .fold(f64::INFINITY, f64::min);
        assert!(nearest <= pair.bound + 1e-12);
    }
}

#[test]
fn deterministic_for_a_seed() {
    let spectrum: Vec<f64> = (0..90).map(|i| (i as f64).sqrt() - 4.0).collect();
    let a = matrix_with_spectrum(&spectrum, 8);
    let opts = ExtremalOptions {
        seed: 77,
        ..options(3, SpectrumEnds::Both)
    };
    let first = run(&a, opts);
    let mut op = DenseOperator::new(a.as_ref()).unwrap();
    let mut solver = ExtremalLanczos::new(90, opts).unwrap();
    let _ = solver.compute(&mut op, None).unwrap();
    let second = solver.compute(&mut op, None).unwrap();
    assert_eq!(first.matvecs, second.matvecs);
    for (x, y) in first
        .top
        .iter()
        .chain(&first.bottom)
        .zip(second.top.iter().chain(&second.bottom))
    {
        assert_eq!(x.value.to_bits(), y.value.to_bits());
        assert_eq!(x.residual.to_bits(), y.residual.to_bits());
    }
}

#[test]
fn bad_options_are_errors() {
    let base = ExtremalOptions::default();
    assert_eq!(
        ExtremalLanczos::new(0, base).err(),
        Some(SpectralError::ZeroDimension)
    );
    assert_eq!(
        ExtremalLanczos::new(4, ExtremalOptions { k: 0, ..base }).err(),
        Some(SpectralError::ZeroEigenpairCount)
    );
    assert_eq!(
        ExtremalLanczos::new(4, ExtremalOptions { tol: -1.0, ..base }).err(),
        Some(SpectralError::InvalidTolerance(-1.0))
    );
    assert_eq!(
        ExtremalLanczos::new(
            4,
            ExtremalOptions {
                max_matvecs: 0,
                ..base
            }
        )
        .err(),
        Some(SpectralError::ZeroMatvecBudget)
    );
    assert_eq!(
        ExtremalLanczos::new(
            4,
            ExtremalOptions {
                krylov_dim: Some(0),
                ..base
            }
        )
        .err(),
        Some(SpectralError::ZeroKrylovDim)
    );
    let mut op = Diagonal::new(vec![1.0, 2.0, 3.0]);
    let mut solver = ExtremalLanczos::new(4, base).unwrap();
    assert_eq!(
        solver.compute(&mut op, None).unwrap_err(),
        SpectralError::DimensionMismatch {
            operator: 3,
            workspace: 4
        }
    );
    let mut solver = ExtremalLanczos::new(3, base).unwrap();
    let short = Mat::<f64>::zeros(2, 1);
    assert_eq!(
        solver.compute(&mut op, Some(short.as_ref())).unwrap_err(),
        SpectralError::StartLengthMismatch {
            start: 2,
            expected: 3
        }
    );
    let nan = Mat::from_fn(3, 2, |i, j| if (i, j) == (1, 1) { f64::NAN } else { 1.0 });
    assert_eq!(
        solver.compute(&mut op, Some(nan.as_ref())).unwrap_err(),
        SpectralError::NonFiniteStart { index: 4 }
    );
}

/// Returns NaN from its `nan_at`-th application on.
struct NanAfter {
    applications: usize,
    nan_at: usize,
}

impl SymmetricOperator for NanAfter {
    fn dim(&self) -> usize {
        40
    }
    fn apply(&mut self, x: ColRef<'_, f64>, mut out: ColMut<'_, f64>) {
        self.applications += 1;
        for (i, (o, &xi)) in out.as_mut().iter_mut().zip(x.iter()).enumerate() {
            *o = i as f64 * xi;
        }
        if self.applications >= self.nan_at {
            out[7] = f64::NAN;
        }
    }
}

#[test]
fn non_finite_operator_output_is_an_error() {
    for nan_at in [1, 5, 60] {
        let mut op = NanAfter {
            applications: 0,
            nan_at,
        };
        let err = extremal_eigenpairs(&mut op, options(2, SpectrumEnds::Both)).unwrap_err();
        assert_eq!(
            err,
            SpectralError::NonFinite {
                application: nan_at
            }
        );
    }
}

#[test]
fn zero_warm_start_falls_back_to_random() {
    let mut op = Diagonal::new((0..30).map(|i| i as f64).collect());
    let mut solver = ExtremalLanczos::new(30, options(2, SpectrumEnds::Top)).unwrap();
    let zero = Mat::<f64>::zeros(30, 2);
    let a = solver.compute(&mut op, Some(zero.as_ref())).unwrap();
    let b = solver.compute(&mut op, None).unwrap();
    assert_eq!(a.top[0].value.to_bits(), b.top[0].value.to_bits());
    let _ = Col::<f64>::zeros(1);
}

/// A random spectrum with repeats and negatives: values drawn from a small
/// set of levels so ties are common.
fn random_spectrum(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let levels: Vec<f64> = (0..(n / 3).max(1))
        .map(|_| rng.random_range(-10.0..10.0))
        .collect();
    (0..n)
        .map(|_| {
            if rng.random_range(0.0..1.0) < 0.5 {
                levels[rng.random_range(0..levels.len())]
            } else {
                rng.random_range(-10.0..10.0)
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn truth_inside_the_bound(n in 1usize..=60, k in 1usize..=6, seed in any::<u64>(), ends in 0usize..3) {
        let ends = [SpectrumEnds::Top, SpectrumEnds::Bottom, SpectrumEnds::Both][ends];
        let a = matrix_with_spectrum(&random_spectrum(n, seed), seed ^ 0xabc);
        let opts = ExtremalOptions { k, ends, seed, ..ExtremalOptions::default() };
        let result = run(&a, opts);
        assert_certified(&a, &result, k, ends);
    }
}
