//! One gradient-descent step and one sharpness evaluation of the two-layer linear net, at
//! widths 1024 and 4096, on the backbone's degenerate data (n = 6, d = 5) and on dense data
//! (n = 512, d = 64).

use catapult_data::Dataset;
use catapult_losses::Loss;
use catapult_models::{DeepLinear, EmpiricalRisk};
use catapult_optim::{GradientDescent, Objective};
use catapult_spectral::{Lanczos, LanczosOptions};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use faer::{Col, Mat};
use std::hint::black_box;

const WIDTHS: [usize; 2] = [1024, 4096];

fn degenerate() -> Dataset {
    let a = [1.0, 0.6, -0.8, 1.4, -0.3, 0.9];
    Dataset::degenerate(&a, &[1.0, 1.0, 1.0, 1.0, 1.0, -1.0], 5).expect("valid data")
}

/// Deterministic pseudo-random inputs in [−1, 1] and ±1 labels, without a random generator.
fn dense() -> Dataset {
    let (n, d) = (512, 64);
    let x = Mat::from_fn(n, d, |i, j| {
        ((i * 131 + j * 71) as f64 * 0.618_033_988_75).sin()
    });
    let y = Col::from_fn(n, |i| if (i * 7919) % 3 == 0 { -1.0 } else { 1.0 });
    Dataset::new(x, y).expect("valid data")
}

fn datasets() -> [(&'static str, Dataset); 2] {
    [("degenerate", degenerate()), ("dense", dense())]
}

fn gd_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("gd_step");
    for (name, data) in datasets() {
        for width in WIDTHS {
            let model = DeepLinear::two_layer(width, data.dim()).expect("valid model");
            let mut theta = model.init(0);
            let mut risk =
                EmpiricalRisk::new(model, Loss::Logistic, data.clone()).expect("valid risk");
            let mut gradient = Col::zeros(risk.dim());
            group.bench_function(BenchmarkId::new(name, width), |b| {
                b.iter(|| {
                    let loss = risk.value_and_gradient(theta.as_ref(), gradient.as_mut());
                    GradientDescent.step(1e-3, theta.as_mut(), gradient.as_ref());
                    black_box(loss)
                })
            });
        }
    }
    group.finish();
}

fn sharpness(c: &mut Criterion) {
    let mut group = c.benchmark_group("sharpness");
    group.sample_size(20);
    for (name, data) in datasets() {
        for width in WIDTHS {
            let model = DeepLinear::two_layer(width, data.dim()).expect("valid model");
            let theta = model.init(0);
            let mut risk =
                EmpiricalRisk::new(model, Loss::Logistic, data.clone()).expect("valid risk");
            let mut lanczos =
                Lanczos::new(risk.dim(), LanczosOptions::default()).expect("valid lanczos");
            let top = risk
                .sharpness(theta.as_ref(), &mut lanczos, None)
                .expect("sharpness");
            eprintln!(
                "sharpness {name} width {width}: {:.6} after {} Hessian-vector products (cold start)",
                top.value, top.applications
            );
            group.bench_function(BenchmarkId::new(format!("{name}/cold"), width), |b| {
                b.iter(|| {
                    black_box(
                        risk.sharpness(theta.as_ref(), &mut lanczos, None)
                            .expect("sharpness")
                            .value,
                    )
                })
            });
            group.bench_function(BenchmarkId::new(format!("{name}/warm"), width), |b| {
                b.iter(|| {
                    let warm = Some(top.vector.as_ref());
                    black_box(
                        risk.sharpness(theta.as_ref(), &mut lanczos, warm)
                            .expect("sharpness")
                            .value,
                    )
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, gd_step, sharpness);
criterion_main!(benches);
