//! The ReLU MLP: exact gradient, Jacobian products and feature products against central
//! finite differences (with and without weight normalisation, depths 2–4), the adjoint
//! identity between `jvp` and `vjp`, homogeneity in the layer norms, the one-hot rows and the
//! errors.

use catapult_losses::Loss;
use catapult_models::{
    EmpiricalRisk, Model, ModelError, Normalisation, PenultimateFeatures, ReluMlp,
};
use catapult_optim::Objective;
use faer::{Col, Mat};
use proptest::prelude::*;

fn features(n: usize, d: usize, seed: u64) -> Mat<f64> {
    Mat::from_fn(n, d, |i, j| {
        let t = (seed as f64 + 1.0) * 0.37 + i as f64 * 1.13 + j as f64 * 0.71;
        t.sin() * 1.5 + 0.2 * (3.0 * t).cos()
    })
}

fn normalisation(flag: bool) -> Normalisation {
    if flag {
        Normalisation::PerLayer
    } else {
        Normalisation::None
    }
}

fn direction(p: usize, seed: u64) -> Col<f64> {
    Col::from_fn(p, |i| ((i as f64 + 0.5) * 0.913 + seed as f64).sin())
}

fn risk(mlp: &ReluMlp, n: usize, seed: u64) -> EmpiricalRisk<ReluMlp> {
    let z = features(n, mlp.feature_dim(), seed);
    let labels: Vec<usize> = (0..n).map(|i| (i * 7 + 3) % mlp.outputs()).collect();
    let data = mlp.class_rows(z.as_ref(), &labels).unwrap();
    EmpiricalRisk::new(mlp.clone(), Loss::Squared, data).unwrap()
}

fn gradient(risk: &mut EmpiricalRisk<ReluMlp>, theta: &Col<f64>) -> Col<f64> {
    let mut g = Col::zeros(theta.nrows());
    risk.value_and_gradient(theta.as_ref(), g.as_mut());
    g
}

fn gap(a: &Col<f64>, b: &Col<f64>) -> f64 {
    (a - b).norm_l2() / (1.0 + b.norm_l2())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn gradient_and_jacobian_products_match_central_differences(
        hidden in prop::collection::vec(1usize..7, 1..4),
        dim in 1usize..4,
        classes in 1usize..4,
        n in 1usize..6,
        seed in 0u64..1000,
        normalised in any::<bool>(),
    ) {
        let mlp = ReluMlp::new(dim, &hidden, classes, normalisation(normalised)).unwrap();
        let theta = mlp.init(seed);
        let v = direction(mlp.num_params(), seed);
        let h = 1e-6;
        let mut risk = risk(&mlp, n, seed);
        let g = gradient(&mut risk, &theta);
        let directional = (risk.value((&theta + &v * faer::Scale(h)).as_ref())
            - risk.value((&theta - &v * faer::Scale(h)).as_ref()))
            / (2.0 * h);
        let exact = g.transpose() * &v;
        prop_assert!((directional - exact).abs() <= 1e-6 * (1.0 + exact.abs()),
            "gradient: {directional} vs {exact}");

        let x = risk.data().x().to_owned();
        let rows = x.nrows();
        let mut ws = mlp.workspace(rows);
        let mut jv = Col::zeros(rows);
        mlp.jvp(theta.as_ref(), x.as_ref(), v.as_ref(), &mut ws, jv.as_mut());
        let forward = |t: &Col<f64>, ws: &mut _| {
            let mut out = Col::zeros(rows);
            mlp.forward(t.as_ref(), x.as_ref(), ws, out.as_mut());
            out
        };
        let plus = forward(&(&theta + &v * faer::Scale(h)), &mut ws);
        let minus = forward(&(&theta - &v * faer::Scale(h)), &mut ws);
        let fd = (plus - minus) * faer::Scale(1.0 / (2.0 * h));
        prop_assert!(gap(&jv, &fd) < 1e-6, "jvp gap {}", gap(&jv, &fd));

        let r = Col::from_fn(rows, |i| (i as f64 * 0.61 + 0.3).cos());
        let mut jtr = Col::zeros(mlp.num_params());
        mlp.vjp(theta.as_ref(), x.as_ref(), r.as_ref(), &mut ws, jtr.as_mut());
        let lhs = r.transpose() * &jv;
        let rhs: f64 = jtr.iter().zip(v.iter()).map(|(a, b)| a * b).sum();
        prop_assert!((lhs - rhs).abs() <= 1e-10 * (1.0 + lhs.abs()), "adjoint {lhs} vs {rhs}");
    }

    #[test]
    fn hessian_vector_product_matches_differences_of_gradients(
        hidden in prop::collection::vec(2usize..6, 1..3),
        seed in 0u64..1000,
        normalised in any::<bool>(),
    ) {
        let mlp = ReluMlp::new(3, &hidden, 3, normalisation(normalised)).unwrap();
        let theta = mlp.init(seed);
        let v = direction(mlp.num_params(), seed + 1);
        let mut risk = risk(&mlp, 5, seed);
        let mut hv = Col::zeros(mlp.num_params());
        risk.hessian_vector_product(theta.as_ref(), v.as_ref(), hv.as_mut());
        let h = 1e-4;
        let fd = (gradient(&mut risk, &(&theta + &v * faer::Scale(h)))
            - gradient(&mut risk, &(&theta - &v * faer::Scale(h))))
            * faer::Scale(1.0 / (2.0 * h));
        prop_assert!(gap(&hv, &fd) < 1e-4, "hvp gap {}", gap(&hv, &fd));
    }

    #[test]
    fn feature_vjp_matches_central_differences(
        hidden in prop::collection::vec(1usize..6, 1..4),
        n in 1usize..6,
        seed in 0u64..1000,
        normalised in any::<bool>(),
    ) {
        let mlp = ReluMlp::new(2, &hidden, 2, normalisation(normalised)).unwrap();
        let theta = mlp.init(seed);
        let x = mlp.class_rows(features(n, 2, seed).as_ref(), &vec![0; n]).unwrap().x().to_owned();
        let m = mlp.feature_width();
        let g = Mat::from_fn(x.nrows(), m, |i, j| ((i * m + j) as f64 * 0.77).sin());
        let mut ws = mlp.workspace(x.nrows());
        let mut exact = Col::zeros(mlp.num_params());
        mlp.features_vjp(theta.as_ref(), x.as_ref(), g.as_ref(), &mut ws, exact.as_mut());
        let v = direction(mlp.num_params(), seed + 2);
        let h = 1e-6;
        let mut phi = Mat::zeros(x.nrows(), m);
        let mut pairing = |t: &Col<f64>| {
            mlp.features(t.as_ref(), x.as_ref(), &mut ws, phi.as_mut());
            let mut total = 0.0;
            for j in 0..m { for i in 0..x.nrows() { total += g[(i, j)] * phi[(i, j)]; } }
            total
        };
        let fd = (pairing(&(&theta + &v * faer::Scale(h))) - pairing(&(&theta - &v * faer::Scale(h)))) / (2.0 * h);
        let exact_dir: f64 = exact.iter().zip(v.iter()).map(|(a, b)| a * b).sum();
        prop_assert!((fd - exact_dir).abs() <= 1e-6 * (1.0 + fd.abs()), "{fd} vs {exact_dir}");
    }
}

#[test]
fn scaling_the_layer_norms_scales_the_scores_by_their_product() {
    let mlp = ReluMlp::new(3, &[5, 4], 2, Normalisation::PerLayer).unwrap();
    let theta = mlp.init(4);
    let mut scaled = theta.clone();
    let p = scaled.nrows();
    scaled[p - 3] *= 2.0;
    scaled[p - 2] *= 0.5;
    scaled[p - 1] *= 3.0;
    let z = features(6, 3, 1);
    let (base, _) = mlp.scores_and_features(theta.as_ref(), z.as_ref()).unwrap();
    let (moved, _) = mlp
        .scores_and_features(scaled.as_ref(), z.as_ref())
        .unwrap();
    assert!((moved - base * faer::Scale(3.0)).norm_l2() < 1e-12);
    let norms = mlp.layer_norms(scaled.as_ref()).unwrap();
    for (k, norm) in norms.iter().enumerate() {
        let w = mlp.layer_weights(scaled.as_ref(), k + 1).unwrap();
        assert!((w.norm_l2() - norm).abs() < 1e-12);
    }
}

#[test]
fn class_rows_are_features_then_one_hot_selector_with_one_hot_targets() {
    let mlp = ReluMlp::new(2, &[3], 3, Normalisation::None).unwrap();
    let z = Mat::from_fn(2, 2, |i, j| (10 * i + j) as f64);
    let data = mlp.class_rows(z.as_ref(), &[2, 0]).unwrap();
    assert_eq!((data.x().nrows(), data.x().ncols()), (6, 5));
    assert_eq!(data.x()[(4, 0)], 10.0);
    assert_eq!(data.x()[(4, 3)], 1.0);
    assert_eq!(data.x()[(4, 2)], 0.0);
    let y: Vec<f64> = data.y().iter().copied().collect();
    assert_eq!(y, vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
    let theta = mlp.init(0);
    let (scores, _) = mlp.scores_and_features(theta.as_ref(), z.as_ref()).unwrap();
    let mut ws = mlp.workspace(6);
    let mut out = Col::zeros(6);
    mlp.forward(theta.as_ref(), data.x(), &mut ws, out.as_mut());
    assert_eq!(out[5], scores[(1, 2)]);
}

#[test]
fn bad_shapes_and_labels_are_named() {
    assert_eq!(
        ReluMlp::new(2, &[3, 0], 2, Normalisation::None),
        Err(ModelError::ZeroWidth)
    );
    assert_eq!(
        ReluMlp::new(2, &[], 2, Normalisation::None),
        Err(ModelError::DepthTooSmall(1))
    );
    let mlp = ReluMlp::new(2, &[3], 2, Normalisation::None).unwrap();
    let z = Mat::zeros(2, 2);
    assert_eq!(
        mlp.class_rows(z.as_ref(), &[0, 2]).unwrap_err(),
        ModelError::LabelOutOfRange {
            label: 2,
            classes: 2
        }
    );
    assert_eq!(
        mlp.layer_weights(Col::zeros(3).as_ref(), 1).unwrap_err(),
        ModelError::ParameterLength {
            expected: 12,
            got: 3
        }
    );
    let theta = mlp.init(0);
    assert!(matches!(
        mlp.layer_weights(theta.as_ref(), 3),
        Err(ModelError::LayerOutOfRange { layer: 3, depth: 2 })
    ));
}
