//! Hutchinson and Hutch++ against exact traces.

mod common;

use catapult_spectral::{
    DenseOperator, SpectralError, TraceMethod, TraceOptions, estimate_trace, student_t_quantile_975,
};
use common::{Diagonal, matrix_with_spectrum, wigner};
use faer::Mat;
use proptest::prelude::*;
use statrs::distribution::{ContinuousCDF, StudentsT};

fn trace(a: &Mat<f64>) -> f64 {
    (0..a.nrows()).map(|i| a[(i, i)]).sum()
}

fn hutchinson(matvecs: usize, seed: u64) -> TraceOptions {
    TraceOptions {
        method: TraceMethod::Hutchinson,
        matvecs,
        seed,
    }
}

fn hutch_pp(matvecs: usize, seed: u64) -> TraceOptions {
    TraceOptions {
        method: TraceMethod::HutchPlusPlus,
        matvecs,
        seed,
    }
}

#[test]
fn hutchinson_is_exact_on_diagonal_matrices() {
    let entries: Vec<f64> = (0..57)
        .map(|i| (i as f64 * 0.37).cos() * 4.0 - 1.0)
        .collect();
    let exact: f64 = entries.iter().sum();
    let mut op = Diagonal::new(entries);
    let result = estimate_trace(&mut op, hutchinson(5, 3)).unwrap();
    assert!((result.estimate - exact).abs() < 1e-12, "{result:?}");
    assert!(result.standard_error < 1e-13);
    assert!(
        result.interval.0 <= exact && exact <= result.interval.1,
        "{result:?}"
    );
    assert_eq!(result.matvecs, 5);
    assert_eq!(result.probes, 5);
    assert_eq!(op.applications, 5);
}

#[test]
fn hutchinson_error_within_four_standard_errors() {
    // Indefinite, dense: variance 2 (||A||_F² - Σ a_ii²) per probe.
    let a = wigner(150, 11);
    let exact = trace(&a);
    let frobenius2: f64 = a.norm_l2().powi(2);
    let diagonal2: f64 = (0..150).map(|i| a[(i, i)].powi(2)).sum();
    let probes = 400;
    let theory = (2.0 * (frobenius2 - diagonal2) / probes as f64).sqrt();
    let mut op = DenseOperator::new(a.as_ref()).unwrap();
    for seed in 0..5 {
        let result = estimate_trace(&mut op, hutchinson(probes, seed)).unwrap();
        let error = (result.estimate - exact).abs();
        assert!(
            error <= 4.0 * result.standard_error,
            "seed {seed}: error {error} vs se {}",
            result.standard_error
        );
        // The sample standard error estimates the true one.
        let ratio = result.standard_error / theory;
        assert!(
            (0.8..1.25).contains(&ratio),
            "seed {seed}: se ratio {ratio}"
        );
        let (low, high) = result.interval;
        let t = student_t_quantile_975(probes - 1);
        let half = t * result.standard_error + result.rounding;
        assert!((high - result.estimate - half).abs() < 1e-12);
        assert!((result.estimate - low - half).abs() < 1e-12);
        assert!(result.rounding < 1e-9 * result.standard_error.max(1.0));
    }
}

#[test]
fn hutch_plus_plus_is_exact_on_low_rank_matrices() {
    let n = 90;
    for rank in [1, 3, 5] {
        let mut spectrum = vec![0.0; n];
        for (i, value) in spectrum.iter_mut().take(rank).enumerate() {
            *value = if i % 2 == 0 {
                3.0 + i as f64
            } else {
                -2.0 - i as f64
            };
        }
        let a = matrix_with_spectrum(&spectrum, 20 + rank as u64);
        let exact = trace(&a);
        let mut op = DenseOperator::new(a.as_ref()).unwrap();
        // 3 (rank + 1) products: the sketch has rank + 1 > rank columns.
        let result = estimate_trace(&mut op, hutch_pp(3 * (rank + 1), 5)).unwrap();
        assert!(
            (result.estimate - exact).abs() < 1e-11,
            "rank {rank}: {result:?} vs {exact}"
        );
        assert!(result.standard_error < 1e-11);
        assert_eq!(result.matvecs, 3 * (rank + 1));
        // The interval is statistically empty; its rounding allowance covers the truth.
        assert!(
            result.interval.0 <= exact && exact <= result.interval.1,
            "{result:?}"
        );
    }
}

#[test]
fn hutch_plus_plus_beats_hutchinson_on_decaying_spectra() {
    // PSD with eigenvalues 1/i²: the regime Hutch++ is built for.
    let n = 200;
    let spectrum: Vec<f64> = (1..=n).map(|i| 1.0 / (i * i) as f64).collect();
    let a = matrix_with_spectrum(&spectrum, 31);
    let exact = trace(&a);
    let mut op = DenseOperator::new(a.as_ref()).unwrap();
    let mut errors = [0.0; 2];
    for seed in 0..10 {
        let h = estimate_trace(&mut op, hutchinson(60, seed)).unwrap();
        let hpp = estimate_trace(&mut op, hutch_pp(60, seed)).unwrap();
        errors[0] += (h.estimate - exact).abs() / 10.0;
        errors[1] += (hpp.estimate - exact).abs() / 10.0;
        assert!((hpp.estimate - exact).abs() <= 4.0 * hpp.standard_error + 1e-12);
    }
    assert!(errors[1] * 5.0 < errors[0], "mean errors {errors:?}");
}

#[test]
fn estimates_are_deterministic_for_a_seed() {
    let a = wigner(40, 2);
    let mut op = DenseOperator::new(a.as_ref()).unwrap();
    for options in [hutchinson(30, 9), hutch_pp(30, 9)] {
        let x = estimate_trace(&mut op, options).unwrap();
        let y = estimate_trace(&mut op, options).unwrap();
        assert_eq!(x, y);
    }
}

#[test]
fn too_few_probes_are_errors() {
    let mut op = Diagonal::new(vec![1.0; 4]);
    assert_eq!(
        estimate_trace(&mut op, hutchinson(1, 0)).unwrap_err(),
        SpectralError::TooFewProbes {
            method: "Hutchinson",
            minimum: 2,
            got: 1
        }
    );
    assert_eq!(
        estimate_trace(&mut op, hutch_pp(3, 0)).unwrap_err(),
        SpectralError::TooFewProbes {
            method: "Hutch++",
            minimum: 4,
            got: 3
        }
    );
    let mut empty = Diagonal::new(vec![]);
    assert_eq!(
        estimate_trace(&mut empty, hutchinson(10, 0)).unwrap_err(),
        SpectralError::ZeroDimension
    );
}

#[test]
fn t_quantile_matches_statrs() {
    for dof in 1..=300 {
        let reference = StudentsT::new(0.0, 1.0, dof as f64)
            .unwrap()
            .inverse_cdf(0.975);
        let ours = student_t_quantile_975(dof);
        assert!(
            (ours - reference).abs() < 1e-3,
            "dof {dof}: {ours} vs {reference}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn hutchinson_exact_for_any_diagonal(entries in proptest::collection::vec(-100.0f64..100.0, 1..60), seed in any::<u64>()) {
        let exact: f64 = entries.iter().sum();
        let mut op = Diagonal::new(entries);
        let result = estimate_trace(&mut op, hutchinson(3, seed)).unwrap();
        prop_assert!((result.estimate - exact).abs() < 1e-10);
    }

    #[test]
    // Exact once the Rademacher sketch spans the range: oversampled by two columns, and in
    // dimensions where two sketch columns rarely coincide up to sign (at n = 5 a sketch of
    // three sign vectors can miss a rank-2 range).
    fn hutch_plus_plus_exact_below_a_third_of_the_budget(n in 16usize..=60, rank in 1usize..=4, seed in any::<u64>()) {
        let rank = rank.min(n - 1);
        let mut spectrum = vec![0.0; n];
        for (i, value) in spectrum.iter_mut().take(rank).enumerate() {
            *value = (seed.wrapping_add(i as u64) % 17) as f64 - 8.5;
        }
        let a = matrix_with_spectrum(&spectrum, seed);
        let exact = trace(&a);
        let mut op = DenseOperator::new(a.as_ref()).unwrap();
        let result = estimate_trace(&mut op, hutch_pp(3 * (rank + 2), seed)).unwrap();
        prop_assert!((result.estimate - exact).abs() < 1e-10, "{:?} vs {}", result, exact);
    }
}
