//! The performance targets of `docs/performance.md`, one group each:
//!
//! 1. `deep_step`: one GD step of a depth-3 linear net (width 1024, d = 784, n = 1024) against
//!    `deep_step_floor`, the matrix products that step cannot avoid, done alone by faer;
//! 2. `hvp_vs_gradient`: one Hessian-vector product against one gradient, per model and data;
//! 3. `sharpness_along_a_run` prints how many Hessian-vector products Lanczos needs along a
//!    trajectory, cold and warm-started, and times both;
//! 4. `observing`: a run observed every 10 steps (loss, accuracy, NTK top, sharpness) against
//!    the same run observed only at its ends;
//! 5. `sweep_threads`: a 24-run sweep on 1 and on 2 threads.
//!
//! `cargo bench -p catapult-benches --bench performance`; the ratios are in the docs.

use catapult_data::Dataset;
use catapult_lab::sweep::{Shard, SweepSpec, run_sweep};
use catapult_lab::{RunConfig, run};
use catapult_losses::Loss;
use catapult_models::{DeepLinear, EmpiricalRisk};
use catapult_optim::{GradientDescent, Objective};
use catapult_spectral::{Lanczos, LanczosOptions, SymmetricOperator};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use faer::linalg::matmul::matmul;
use faer::{Accum, Col, Mat, MatRef, Par};
use std::hint::black_box;

/// Deterministic inputs in [−1, 1] and ±1 labels, without a random generator.
fn dense(n: usize, d: usize) -> Dataset {
    let x = Mat::from_fn(n, d, |i, j| {
        ((i * 131 + j * 71) as f64 * 0.618_033_988_75).sin()
    });
    let y = Col::from_fn(n, |i| if (i * 7919) % 3 == 0 { -1.0 } else { 1.0 });
    Dataset::new(x, y).expect("valid data")
}

fn degenerate() -> Dataset {
    let a = [1.0, 0.6, -0.8, 1.4, -0.3, 0.9];
    Dataset::degenerate(&a, &[1.0, 1.0, 1.0, 1.0, 1.0, -1.0], 5).expect("valid data")
}

const DEEP: (usize, usize, usize, usize) = (3, 1024, 784, 1024);

fn deep_step(c: &mut Criterion) {
    let (depth, width, d, n) = DEEP;
    let data = dense(n, d);
    let model = DeepLinear::new(depth, width, d).expect("valid model");
    let mut theta = model.init(0);
    let mut risk = EmpiricalRisk::new(model, Loss::Logistic, data.clone()).expect("valid risk");
    let mut gradient = Col::zeros(risk.dim());
    let mut group = c.benchmark_group("deep_step");
    group.sample_size(30);
    group.bench_function("gd_step", |b| {
        b.iter(|| {
            let loss = risk.value_and_gradient(theta.as_ref(), gradient.as_mut());
            GradientDescent.step(1e-4, theta.as_mut(), gradient.as_ref());
            black_box(loss)
        })
    });

    // The floor: the products a gradient step of this net needs, and nothing else. Backward
    // chain b_2 = W_2ᵀw_3, b_1 = W_1ᵀb_2; outputs f = X b_1; q = Xᵀr; h_1 = W_1 q; the
    // rank-one gradient blocks b_2 qᵀ and w_3 h_1ᵀ; and the update θ ← θ − ηg.
    let w1 = Mat::from_fn(width, d, |i, j| ((i + 3 * j) as f64).cos());
    let w2 = Mat::from_fn(width, width, |i, j| ((2 * i + j) as f64).cos());
    let w3 = Col::from_fn(width, |i| (i as f64).sin());
    let x = data.x();
    let (mut b2, mut b1, mut f, mut q, mut h1) = (
        Col::<f64>::zeros(width),
        Col::<f64>::zeros(d),
        Col::<f64>::zeros(n),
        Col::<f64>::zeros(d),
        Col::<f64>::zeros(width),
    );
    let (mut g1, mut g2) = (Mat::<f64>::zeros(width, d), Mat::<f64>::zeros(width, width));
    let (mut t1, mut t2) = (w1.clone(), w2.clone());
    let product = |out: faer::MatMut<'_, f64>, a: MatRef<'_, f64>, b: MatRef<'_, f64>| {
        matmul(out, Accum::Replace, a, b, 1.0, Par::Seq)
    };
    group.bench_function("floor", |b| {
        b.iter(|| {
            product(b2.as_mat_mut(), w2.transpose(), w3.as_mat());
            product(b1.as_mat_mut(), w1.transpose(), b2.as_mat());
            product(f.as_mat_mut(), x, b1.as_mat());
            product(q.as_mat_mut(), x.transpose(), f.as_mat());
            product(h1.as_mat_mut(), w1.as_ref(), q.as_mat());
            product(g1.as_mut(), b2.as_mat(), q.transpose().as_mat());
            product(g2.as_mut(), w3.as_mat(), h1.transpose().as_mat());
            faer::zip!(t1.as_mut(), g1.as_ref()).for_each(|faer::unzip!(t, g)| *t -= 1e-9 * *g);
            faer::zip!(t2.as_mut(), g2.as_ref()).for_each(|faer::unzip!(t, g)| *t -= 1e-9 * *g);
            black_box(t1[(0, 0)] + t2[(0, 0)])
        })
    });
    group.finish();
}

/// (name, model, data) for the HVP and sharpness groups.
fn cases() -> Vec<(&'static str, DeepLinear, Dataset)> {
    vec![
        (
            "two_layer_4096_degenerate",
            DeepLinear::two_layer(4096, 5).expect("valid model"),
            degenerate(),
        ),
        (
            "two_layer_1024_dense",
            DeepLinear::two_layer(1024, 64).expect("valid model"),
            dense(512, 64),
        ),
        (
            "deep3_256_dense",
            DeepLinear::new(3, 256, 64).expect("valid model"),
            dense(512, 64),
        ),
    ]
}

fn hvp_vs_gradient(c: &mut Criterion) {
    let mut group = c.benchmark_group("hvp_vs_gradient");
    for (name, model, data) in cases() {
        let theta = model.init(1);
        let direction = model.init(2);
        let mut risk = EmpiricalRisk::new(model, Loss::Logistic, data).expect("valid risk");
        let mut gradient = Col::zeros(risk.dim());
        let mut product = Col::zeros(risk.dim());
        group.bench_function(BenchmarkId::new("gradient", name), |b| {
            b.iter(|| black_box(risk.value_and_gradient(theta.as_ref(), gradient.as_mut())))
        });
        let mut hessian = risk.hessian_at(theta.as_ref()).expect("valid θ");
        group.bench_function(BenchmarkId::new("hvp", name), |b| {
            b.iter(|| {
                hessian.apply(direction.as_ref(), product.as_mut());
                black_box(product[0])
            })
        });
    }
    group.finish();
}

fn sharpness_along_a_run(c: &mut Criterion) {
    let mut group = c.benchmark_group("sharpness_along_a_run");
    group.sample_size(10);
    for (name, model, data) in cases() {
        let mut theta = model.init(3);
        let mut risk = EmpiricalRisk::new(model, Loss::Logistic, data).expect("valid risk");
        let options = LanczosOptions {
            tol: 1e-6,
            ..LanczosOptions::default()
        };
        let mut lanczos = Lanczos::new(risk.dim(), options).expect("valid Lanczos");
        let mut gradient = Col::zeros(risk.dim());
        // 20 observations, 10 GD steps apart, at η = 1/sharpness0.
        let first = risk
            .sharpness(theta.as_ref(), &mut lanczos, None)
            .expect("sharpness");
        let eta = 1.0 / first.value;
        let mut trajectory = Vec::new();
        for _ in 0..20 {
            for _ in 0..10 {
                risk.value_and_gradient(theta.as_ref(), gradient.as_mut());
                GradientDescent.step(eta, theta.as_mut(), gradient.as_ref());
            }
            trajectory.push(theta.clone());
        }
        let (mut cold, mut warm, mut previous) = (0, 0, first.vector.clone());
        for point in &trajectory {
            cold += risk
                .sharpness(point.as_ref(), &mut lanczos, None)
                .expect("sharpness")
                .applications;
            let top = risk
                .sharpness(point.as_ref(), &mut lanczos, Some(previous.as_ref()))
                .expect("sharpness");
            warm += top.applications;
            previous = top.vector;
        }
        eprintln!(
            "{name}: 20 sharpness evaluations to 1e-6: {cold} Hessian-vector products cold, \
             {warm} warm-started ({:.1} and {:.1} each)",
            cold as f64 / 20.0,
            warm as f64 / 20.0
        );
        for warm_start in [false, true] {
            let label = if warm_start { "warm" } else { "cold" };
            group.bench_function(BenchmarkId::new(label, name), |b| {
                b.iter(|| {
                    let mut previous = first.vector.clone();
                    for point in &trajectory {
                        let start = warm_start.then_some(previous.as_ref());
                        let top = risk
                            .sharpness(point.as_ref(), &mut lanczos, start)
                            .expect("sharpness");
                        previous = top.vector;
                    }
                    black_box(previous[0])
                })
            });
        }
    }
    group.finish();
}

/// The numpy reference run (two-layer, width 4096, logistic, degenerate data, η = 20/λ0),
/// shortened to 500 steps.
fn reference_config(observe_every: usize) -> RunConfig {
    let text = include_str!("../reference/two_layer_logistic.json");
    let mut config = RunConfig::from_json(text).expect("valid config");
    config.steps = 500;
    config.observe_every = observe_every;
    config
}

fn observing(c: &mut Criterion) {
    let mut group = c.benchmark_group("observing");
    group.sample_size(10);
    for (label, every) in [("every_10", 10), ("ends_only", 500)] {
        let config = reference_config(every);
        group.bench_function(label, |b| {
            b.iter(|| black_box(run(&config, |_, _| {}).expect("run").final_state.loss))
        });
    }
    group.finish();
}

fn sweep_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("sweep_threads");
    group.sample_size(10);
    let mut base = reference_config(100);
    base.steps = 300;
    let spec = SweepSpec::new(
        base,
        vec![0.5, 1.0, 2.0, 4.0, 8.0, 16.0],
        vec![512, 1024],
        vec![0, 1],
    )
    .expect("valid sweep");
    for threads in [1, 2] {
        group.bench_function(BenchmarkId::from_parameter(threads), |b| {
            b.iter(|| {
                let dir = std::env::temp_dir().join(format!(
                    "catapult-bench-sweep-{}-{threads}",
                    std::process::id()
                ));
                let _ = std::fs::remove_dir_all(&dir);
                let summary =
                    run_sweep(&spec, Shard::ALL, &dir, threads, |_, _| {}).expect("sweep");
                std::fs::remove_dir_all(&dir).expect("clean up");
                black_box(summary.done)
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    deep_step,
    hvp_vs_gradient,
    sharpness_along_a_run,
    observing,
    sweep_threads
);
criterion_main!(benches);
