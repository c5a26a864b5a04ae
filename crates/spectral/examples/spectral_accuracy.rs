//! Measures the accuracy of the matrix-free estimators against dense faer
//! results on seeded random matrices; prints the tables of docs/spectral.md.
//!
//! `cargo run -p catapult-spectral --release --example spectral_accuracy`

use catapult_spectral::{
    DenseOperator, ExtremalOptions, Lanczos, LanczosOptions, SlqOptions, SpectrumEnds, TraceMethod,
    TraceOptions, dense_eigenvalues, estimate_trace, extremal_eigenpairs,
    stochastic_lanczos_quadrature,
};
use faer::Mat;

#[path = "../tests/common/mod.rs"]
mod common;
use common::{matrix_with_spectrum, wigner};

fn extremal_table() {
    println!("## Top-k / bottom-k (k = 5, both ends, tol 1e-10, seed 0)\n");
    println!(
        "| matrix | n | max abs error | max bound | max gap bound | all within bound | matvecs | sweeps | converged |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let n = 400;
    let uniform: Vec<f64> = (0..n).map(|i| -10.0 + 20.0 * i as f64 / n as f64).collect();
    let mut repeated = vec![5.0, 5.0, 5.0, -7.0, -7.0];
    repeated.extend((0..n - 5).map(|i| -6.0 + 10.0 * i as f64 / n as f64));
    let mut clustered: Vec<f64> = (0..5).map(|i| 3.0 + 1e-6 * i as f64).collect();
    clustered.extend((0..5).map(|i| -3.0 - 1e-6 * i as f64));
    clustered.extend((0..n - 10).map(|i| -2.0 + 4.0 * i as f64 / n as f64));
    let mut hessian: Vec<f64> = (0..n - 8)
        .map(|i| 0.01 * ((i as f64) / n as f64 - 0.3))
        .collect();
    hessian.extend([40.0, 22.0, 9.0, 8.5, 3.0, -0.5, -1.2, -2.0]);
    let cases: Vec<(&str, Mat<f64>)> = vec![
        ("uniform [-10, 10]", matrix_with_spectrum(&uniform, 1)),
        ("5 x3 top, -7 x2 bottom", matrix_with_spectrum(&repeated, 2)),
        (
            "clusters 1e-6 wide at ±3",
            matrix_with_spectrum(&clustered, 3),
        ),
        (
            "Hessian-like: bulk ≈ 0, outliers",
            matrix_with_spectrum(&hessian, 4),
        ),
        ("Wigner (semicircle)", wigner(n, 5)),
    ];
    for (name, a) in &cases {
        let truth = dense_eigenvalues(a.as_ref()).unwrap();
        let mut op = DenseOperator::new(a.as_ref()).unwrap();
        let options = ExtremalOptions {
            k: 5,
            ends: SpectrumEnds::Both,
            ..ExtremalOptions::default()
        };
        let result = extremal_eigenpairs(&mut op, options).unwrap();
        let mut max_error: f64 = 0.0;
        let mut max_bound: f64 = 0.0;
        let mut max_gap_bound: f64 = 0.0;
        let mut inside = true;
        let pairs = result
            .top
            .iter()
            .zip(truth.iter().rev())
            .chain(result.bottom.iter().zip(truth.iter()));
        for (pair, &exact) in pairs {
            let error = (pair.value - exact).abs();
            max_error = max_error.max(error);
            max_bound = max_bound.max(pair.bound);
            if let Some(g) = pair.gap_bound {
                max_gap_bound = max_gap_bound.max(g);
            }
            inside &= error <= pair.bound + 8.0 * f64::EPSILON * n as f64 * 10.0;
        }
        println!(
            "| {name} | {n} | {max_error:.1e} | {max_bound:.1e} | {max_gap_bound:.1e} | {inside} | {} | {} | {} |",
            result.matvecs, result.sweeps, result.converged
        );
    }
    println!("\nTop eigenvalue only (k = 1, top end) against the existing `Lanczos::top`:\n");
    println!(
        "| matrix | extremal matvecs | Lanczos::top matvecs | extremal error | Lanczos::top error |"
    );
    println!("| --- | --- | --- | --- | --- |");
    for (name, a) in &cases {
        let truth = dense_eigenvalues(a.as_ref()).unwrap();
        let top = truth[truth.len() - 1];
        let mut op = DenseOperator::new(a.as_ref()).unwrap();
        let options = ExtremalOptions {
            k: 1,
            ends: SpectrumEnds::Top,
            ..ExtremalOptions::default()
        };
        let result = extremal_eigenpairs(&mut op, options).unwrap();
        let lanczos = Lanczos::new(n, LanczosOptions::default())
            .unwrap()
            .top(&mut op, None)
            .unwrap();
        println!(
            "| {name} | {} | {} | {:.1e} | {:.1e} |",
            result.matvecs,
            lanczos.applications,
            (result.top[0].value - top).abs(),
            (lanczos.value - top).abs()
        );
    }
}

fn trace_table() {
    println!("\n## Trace (20 seeds each: 0..20)\n");
    println!(
        "| matrix | method | matvecs | mean relative error | mean reported SE / trace | 95% interval coverage |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let n = 300;
    let decaying: Vec<f64> = (1..=n).map(|i| 1.0 / (i as f64).powi(2)).collect();
    let mut low_rank = vec![0.0; n];
    for (i, v) in low_rank.iter_mut().enumerate().take(10) {
        *v = 10.0 - i as f64;
    }
    let shifted_wigner = {
        let mut w = wigner(n, 6);
        for i in 0..n {
            w[(i, i)] += 1.0;
        }
        w
    };
    let cases: Vec<(&str, Mat<f64>)> = vec![
        ("PSD, λ_i = 1/i²", matrix_with_spectrum(&decaying, 7)),
        ("rank 10", matrix_with_spectrum(&low_rank, 8)),
        ("Wigner + I", shifted_wigner),
    ];
    for (name, a) in &cases {
        let exact: f64 = (0..n).map(|i| a[(i, i)]).sum();
        let mut op = DenseOperator::new(a.as_ref()).unwrap();
        for method in [TraceMethod::Hutchinson, TraceMethod::HutchPlusPlus] {
            for matvecs in [30, 99, 300] {
                let mut error = 0.0;
                let mut se = 0.0;
                let mut covered = 0;
                for seed in 0..20 {
                    let r = estimate_trace(
                        &mut op,
                        TraceOptions {
                            method,
                            matvecs,
                            seed,
                        },
                    )
                    .unwrap();
                    error += (r.estimate - exact).abs() / exact.abs() / 20.0;
                    se += r.standard_error / exact.abs() / 20.0;
                    covered += usize::from(r.interval.0 <= exact && exact <= r.interval.1);
                }
                let method = match method {
                    TraceMethod::Hutchinson => "Hutchinson",
                    TraceMethod::HutchPlusPlus => "Hutch++",
                };
                println!(
                    "| {name} | {method} | {matvecs} | {error:.1e} | {se:.1e} | {covered}/20 |"
                );
            }
        }
    }
}

fn slq_table() {
    println!(
        "\n## Stochastic Lanczos quadrature: Wasserstein-1 to the dense spectrum (mean over seeds 0..4)\n"
    );
    let n = 500;
    let mut hessian: Vec<f64> = (0..n - 6)
        .map(|i| 0.2 * (i as f64 / n as f64 - 0.4))
        .collect();
    hessian.extend([12.0, 9.0, 6.5, -2.0, -3.5, 20.0]);
    let cases: Vec<(&str, Mat<f64>)> = vec![
        ("Wigner, spread 4", wigner(n, 9)),
        (
            "Hessian-like, spread 23.5",
            matrix_with_spectrum(&hessian, 10),
        ),
    ];
    for (name, a) in &cases {
        let truth = dense_eigenvalues(a.as_ref()).unwrap();
        let mut op = DenseOperator::new(a.as_ref()).unwrap();
        println!("{name} (n = {n}):\n");
        println!("| probes \\ steps | 5 | 10 | 20 | 40 | 80 |");
        println!("| --- | --- | --- | --- | --- | --- |");
        for probes in [1, 4, 16, 64] {
            let mut row = format!("| {probes} |");
            for steps in [5, 10, 20, 40, 80] {
                let mut distance = 0.0;
                for seed in 0..4 {
                    let measure = stochastic_lanczos_quadrature(
                        &mut op,
                        SlqOptions {
                            probes,
                            steps,
                            seed,
                        },
                    )
                    .unwrap();
                    distance += measure.wasserstein1_to_spectrum(&truth).unwrap() / 4.0;
                }
                row.push_str(&format!(" {distance:.4} |"));
            }
            println!("{row}");
        }
        println!();
    }
}

fn main() {
    extremal_table();
    trace_table();
    slq_table();
}
