//! Lanczos against faer's dense symmetric eigensolver, on matrices shaped
//! like indefinite Hessians, plus the error and determinism contracts.

use catapult_spectral::{
    DenseOperator, Lanczos, LanczosOptions, SpectralError, SymmetricOperator, TopEigenpair,
    dense_eigenvalues, dense_top_eigenvalue, top_eigenpair,
};
use faer::reborrow::ReborrowMut;
use faer::{Col, ColMut, ColRef, Mat, Side};
use proptest::prelude::*;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

mod common;
use common::matrix_with_spectrum;

/// A Hessian-like spectrum: top eigenvalue `t` in [0.5, 2], most negative
/// eigenvalue `-10 t`, the rest uniform in `[-10 t, 0.9 t]`.
fn hessian_like_spectrum(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5eed);
    let top = rng.random_range(0.5..2.0);
    let mut spectrum = vec![top];
    if n >= 2 {
        spectrum.push(-10.0 * top);
    }
    while spectrum.len() < n {
        spectrum.push(rng.random_range(-10.0 * top..0.9 * top));
    }
    spectrum
}

/// `||A x - value x||` computed independently of the crate.
fn residual_of(a: &Mat<f64>, x: ColRef<'_, f64>, value: f64) -> f64 {
    let ax = a * x;
    (0..x.nrows())
        .map(|i| (ax[i] - value * x[i]).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// Asserts that `result` is the top eigenpair of `a` to the crate's tolerance.
fn assert_matches_dense(a: &Mat<f64>, result: &TopEigenpair, options: LanczosOptions) {
    let expected = dense_top_eigenvalue(a.as_ref()).unwrap();
    let relative_error = (result.value - expected).abs() / expected.abs();
    assert!(result.converged, "not converged: {result:?}");
    assert!(
        relative_error <= 1e-8,
        "lanczos {} vs dense {expected}: relative error {relative_error:e}",
        result.value
    );
    assert!((result.vector.norm_l2() - 1.0).abs() < 1e-12);
    let residual = residual_of(a, result.vector.as_ref(), result.value);
    let bound = options.tol * result.value.abs() + 1e-12 * a.norm_l2();
    assert!(residual <= bound, "residual {residual:e} above {bound:e}");
    assert!((residual - result.residual).abs() <= 1e-12 * a.norm_l2());
}

fn lanczos_top(a: &Mat<f64>, options: LanczosOptions) -> TopEigenpair {
    let mut op = DenseOperator::new(a.as_ref()).unwrap();
    top_eigenpair(&mut op, options).unwrap()
}

#[test]
fn matches_dense_on_indefinite_matrices_of_every_size() {
    let options = LanczosOptions::default();
    for n in 1..=120 {
        let spectrum = hessian_like_spectrum(n, n as u64);
        let a = matrix_with_spectrum(&spectrum, 1000 + n as u64);
        let result = lanczos_top(&a, options);
        assert_matches_dense(&a, &result, options);
        // The dense check itself sees the planted top eigenvalue.
        let planted = spectrum[0];
        assert!(
            (dense_top_eigenvalue(a.as_ref()).unwrap() - planted).abs() < 1e-12 * 20.0 * n as f64
        );
    }
}

#[test]
fn largest_magnitude_would_be_the_wrong_answer() {
    let a = matrix_with_spectrum(&[1.0, -100.0, -50.0, 0.5, -3.0, 0.25, -99.0, 0.0], 7);
    let result = lanczos_top(&a, LanczosOptions::default());
    assert!((result.value - 1.0).abs() < 1e-10, "{}", result.value);
}

#[test]
fn repeated_top_eigenvalue() {
    let mut spectrum = vec![5.0, 5.0, 5.0, 1.0, -40.0, -40.0];
    spectrum.extend((0..90).map(|i| -40.0 + 0.4 * i as f64));
    let a = matrix_with_spectrum(&spectrum, 11);
    let options = LanczosOptions::default();
    let result = lanczos_top(&a, options);
    assert!((result.value - 5.0).abs() < 1e-9 * 5.0, "{}", result.value);
    // Any unit vector in the eigenspace is a valid answer.
    assert!(residual_of(&a, result.vector.as_ref(), 5.0) < 1e-8);
    assert_matches_dense(&a, &result, options);
}

#[test]
fn all_negative_spectrum_returns_least_negative() {
    let spectrum: Vec<f64> = (0..90).map(|i| -0.25 - 0.5 * i as f64).collect();
    let a = matrix_with_spectrum(&spectrum, 12);
    let options = LanczosOptions::default();
    let result = lanczos_top(&a, options);
    assert!(
        (result.value + 0.25).abs() < 1e-9 * 0.25,
        "{}",
        result.value
    );
    assert_matches_dense(&a, &result, options);
}

#[test]
fn one_by_one_matrix() {
    let a = Mat::from_fn(1, 1, |_, _| -3.5);
    let result = lanczos_top(&a, LanczosOptions::default());
    assert_eq!(result.value, -3.5);
    assert_eq!(result.vector[0].abs(), 1.0);
    assert_eq!(result.residual, 0.0);
    assert!(result.converged);
    assert_eq!(dense_eigenvalues(a.as_ref()).unwrap(), vec![-3.5]);
}

#[test]
fn tiny_dimensions_are_exact() {
    for n in 2..=4 {
        let spectrum: Vec<f64> = (0..n).map(|i| -(i as f64) * 3.0 + 0.7).collect();
        let a = matrix_with_spectrum(&spectrum, 40 + n as u64);
        let result = lanczos_top(&a, LanczosOptions::default());
        assert!(
            (result.value - 0.7).abs() < 1e-13,
            "n = {n}: {}",
            result.value
        );
        assert!(result.applications <= n + 1);
    }
}

#[test]
fn warm_start_from_exact_eigenvector_needs_few_applications() {
    let spectrum = hessian_like_spectrum(100, 21);
    let a = matrix_with_spectrum(&spectrum, 22);
    let eigen = a.self_adjoint_eigen(Side::Lower).unwrap();
    let top_vector = eigen.U().col(99).to_owned();
    let mut op = DenseOperator::new(a.as_ref()).unwrap();
    let mut lanczos = Lanczos::new(100, LanczosOptions::default()).unwrap();

    let cold = lanczos.top(&mut op, None).unwrap();
    let warm = lanczos.top(&mut op, Some(top_vector.as_ref())).unwrap();

    assert!(cold.converged && warm.converged);
    assert!(
        warm.applications <= 3,
        "warm start used {}",
        warm.applications
    );
    assert!(warm.applications < cold.applications);
    assert!((warm.value - cold.value).abs() < 1e-9 * cold.value.abs());
}

#[test]
fn warm_start_from_nearby_matrix_saves_work() {
    // Along a trajectory the Hessian drifts slightly between evaluations.
    let spectrum = hessian_like_spectrum(150, 31);
    let a = matrix_with_spectrum(&spectrum, 32);
    let drift = matrix_with_spectrum(&hessian_like_spectrum(150, 33), 34);
    let b = Mat::from_fn(150, 150, |i, j| a[(i, j)] + 1e-4 * drift[(i, j)]);
    let options = LanczosOptions::default();
    let mut lanczos = Lanczos::new(150, options).unwrap();
    let first = lanczos
        .top(&mut DenseOperator::new(a.as_ref()).unwrap(), None)
        .unwrap();
    let mut op_b = DenseOperator::new(b.as_ref()).unwrap();
    let cold = lanczos.top(&mut op_b, None).unwrap();
    let warm = lanczos.top(&mut op_b, Some(first.vector.as_ref())).unwrap();
    assert_matches_dense(&b, &warm, options);
    assert!(
        warm.applications < cold.applications,
        "warm {} cold {}",
        warm.applications,
        cold.applications
    );
}

#[test]
fn operator_dimension_mismatch_is_an_error() {
    let a = Mat::<f64>::identity(5, 5);
    let mut op = DenseOperator::new(a.as_ref()).unwrap();
    let mut lanczos = Lanczos::new(7, LanczosOptions::default()).unwrap();
    let err = lanczos.top(&mut op, None).unwrap_err();
    assert_eq!(
        err,
        SpectralError::DimensionMismatch {
            operator: 5,
            workspace: 7
        }
    );
    assert_eq!(
        err.to_string(),
        "operator dimension 5 does not match workspace dimension 7"
    );
}

#[test]
fn start_vector_of_wrong_length_is_an_error() {
    let a = Mat::<f64>::identity(4, 4);
    let mut op = DenseOperator::new(a.as_ref()).unwrap();
    let mut lanczos = Lanczos::new(4, LanczosOptions::default()).unwrap();
    let start = Col::<f64>::ones(3);
    assert_eq!(
        lanczos.top(&mut op, Some(start.as_ref())).unwrap_err(),
        SpectralError::StartLengthMismatch {
            start: 3,
            expected: 4
        }
    );
}

/// The diagonal operator `diag(0, 1, ..., dim - 1)` that returns NaN from its
/// `nan_at`-th application onwards.
struct NanAfter {
    dim: usize,
    applications: usize,
    nan_at: usize,
}

impl SymmetricOperator for NanAfter {
    fn dim(&self) -> usize {
        self.dim
    }
    fn apply(&mut self, x: ColRef<'_, f64>, mut out: ColMut<'_, f64>) {
        self.applications += 1;
        for (i, (o, &xi)) in out.rb_mut().iter_mut().zip(x.iter()).enumerate() {
            *o = i as f64 * xi;
        }
        if self.applications >= self.nan_at {
            out[self.dim / 2] = f64::NAN;
        }
    }
}

#[test]
fn nan_operator_output_is_an_error() {
    for nan_at in [1, 3, 8] {
        let mut op = NanAfter {
            dim: 50,
            applications: 0,
            nan_at,
        };
        let options = LanczosOptions {
            krylov_dim: 4,
            ..LanczosOptions::default()
        };
        let err = top_eigenpair(&mut op, options).unwrap_err();
        assert_eq!(
            err,
            SpectralError::NonFinite {
                application: nan_at
            }
        );
    }
}

#[test]
fn zero_dimension_is_an_error() {
    assert_eq!(
        Lanczos::new(0, LanczosOptions::default()).err(),
        Some(SpectralError::ZeroDimension)
    );
    assert_eq!(
        DenseOperator::new(Mat::<f64>::zeros(0, 0).as_ref()).err(),
        Some(SpectralError::EmptyMatrix { rows: 0, cols: 0 })
    );
}

#[test]
fn non_square_dense_is_an_error() {
    let a = Mat::<f64>::zeros(3, 4);
    let expected = SpectralError::NotSquare { rows: 3, cols: 4 };
    assert_eq!(DenseOperator::new(a.as_ref()).err(), Some(expected.clone()));
    assert_eq!(dense_top_eigenvalue(a.as_ref()), Err(expected.clone()));
    assert_eq!(dense_eigenvalues(a.as_ref()), Err(expected));
}

#[test]
fn runs_are_bitwise_deterministic() {
    let a = matrix_with_spectrum(&hessian_like_spectrum(110, 51), 52);
    let options = LanczosOptions {
        seed: 1234,
        ..LanczosOptions::default()
    };
    let first = lanczos_top(&a, options);
    let second = lanczos_top(&a, options);
    // A reused workspace must give the same bits as a fresh one.
    let mut op = DenseOperator::new(a.as_ref()).unwrap();
    let mut lanczos = Lanczos::new(110, options).unwrap();
    let _ = lanczos.top(&mut op, None).unwrap();
    let third = lanczos.top(&mut op, None).unwrap();
    for other in [&second, &third] {
        assert_eq!(first.value.to_bits(), other.value.to_bits());
        assert_eq!(first.residual.to_bits(), other.residual.to_bits());
        assert_eq!(first.applications, other.applications);
        assert!(
            first
                .vector
                .iter()
                .zip(other.vector.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits())
        );
    }
    // A different seed is a different start, hence (almost surely) other bits.
    let reseeded = lanczos_top(
        &a,
        LanczosOptions {
            seed: 99,
            ..options
        },
    );
    assert_ne!(first.vector[0].to_bits(), reseeded.vector[0].to_bits());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn lanczos_agrees_with_dense(n in 1usize..=120, seed in any::<u64>(), lanczos_seed in any::<u64>()) {
        let a = matrix_with_spectrum(&hessian_like_spectrum(n, seed), seed.wrapping_add(1));
        let options = LanczosOptions { seed: lanczos_seed, ..LanczosOptions::default() };
        let result = lanczos_top(&a, options);
        assert_matches_dense(&a, &result, options);
    }
}
