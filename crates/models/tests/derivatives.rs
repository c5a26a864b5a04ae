//! Exact gradient, Hessian-vector product and NTK Gram of deep linear nets (depths 2–5, per-layer
//! widths drawn independently; depth 2 is the two-layer net) checked against central finite
//! differences and their definitions.

mod common;

use common::{gradient, gradient_by_differences, hvp_by_differences, relative_gap};

use catapult_data::Dataset;
use catapult_losses::Loss;
use catapult_models::{DeepLinear, EmpiricalRisk, Model, ModelError};
use catapult_optim::Objective;
use catapult_spectral::{Lanczos, LanczosOptions, dense_eigenvalues};
use faer::{Col, Mat};
use proptest::prelude::*;

fn deep_risk(
    widths: &[usize],
    dim: usize,
    inputs: &[f64],
    labels: &[f64],
    loss: Loss,
) -> EmpiricalRisk<DeepLinear> {
    let n = labels.len();
    let x = Mat::from_fn(n, dim, |i, j| inputs[(i * dim + j) % inputs.len()]);
    let y = Col::from_fn(n, |i| labels[i]);
    let data = Dataset::new(x, y).unwrap();
    EmpiricalRisk::new(DeepLinear::with_widths(widths, dim).unwrap(), loss, data).unwrap()
}

fn labels_for(loss: Loss, raw: &[f64]) -> Vec<f64> {
    if loss.is_classification() {
        raw.iter()
            .map(|v| if *v >= 0.0 { 1.0 } else { -1.0 })
            .collect()
    } else {
        raw.to_vec()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn gradient_and_hvp_match_central_differences(
        widths in prop::collection::vec(1usize..8, 1..5),
        dim in 1usize..5,
        raw_labels in prop::collection::vec(-2.0f64..2.0, 1..7),
        inputs in prop::collection::vec(-1.5f64..1.5, 30),
        seed in 0u64..1000,
        loss_index in 0usize..3,
    ) {
        let loss = Loss::ALL[loss_index];
        let labels = labels_for(loss, &raw_labels);
        let mut risk = deep_risk(&widths, dim, &inputs, &labels, loss);
        let p = risk.dim();
        // Scale so the product of layers stays O(1) at every depth.
        let theta = risk.model().init(seed) * faer::Scale(0.8);
        let direction = risk.model().init(seed + 1);
        let h = 1e-5;

        let exact = gradient(&mut risk, &theta);
        let numeric = gradient_by_differences(&mut risk, &theta, h);
        prop_assert!(relative_gap(&exact, &numeric) < 1e-6, "gradient gap {}", relative_gap(&exact, &numeric));

        let mut hvp = Col::zeros(p);
        risk.hessian_vector_product(theta.as_ref(), direction.as_ref(), hvp.as_mut());
        let numeric_hvp = hvp_by_differences(&mut risk, &theta, &direction, h);
        prop_assert!(relative_gap(&hvp, &numeric_hvp) < 1e-6, "hvp gap {}", relative_gap(&hvp, &numeric_hvp));

        // The Hessian operator at θ (forward pass cached) agrees with the one-shot product.
        let mut cached = Col::zeros(p);
        {
            use catapult_spectral::SymmetricOperator;
            let mut op = risk.hessian_at(theta.as_ref()).unwrap();
            op.apply(direction.as_ref(), cached.as_mut());
        }
        prop_assert!(relative_gap(&cached, &hvp) < 1e-13);
    }

    #[test]
    fn ntk_gram_is_the_jacobian_gram(
        widths in prop::collection::vec(1usize..8, 1..5),
        dim in 1usize..4,
        raw_labels in prop::collection::vec(-1.0f64..1.0, 1..6),
        inputs in prop::collection::vec(-1.5f64..1.5, 20),
        seed in 0u64..1000,
    ) {
        let mut risk = deep_risk(&widths, dim, &inputs, &raw_labels, Loss::Squared);
        let theta = risk.model().init(seed);
        let n = raw_labels.len();
        let x = risk.data().x().to_owned();
        let jacobian = common::jacobian_by_differences(&mut risk, &theta, 1e-6);
        let expected = &jacobian * jacobian.transpose();
        let gram = risk.ntk_gram(theta.as_ref()).unwrap();
        let gap = (&gram - &expected).norm_l2() / (1.0 + expected.norm_l2());
        prop_assert!(gap < 1e-7, "gram gap {gap}");
        prop_assert_eq!(x.nrows(), n);
    }
}

#[test]
fn sharpness_and_ntk_top_match_dense_eigen() {
    let inputs: Vec<f64> = (0..40)
        .map(|i| ((i * 37 % 17) as f64 - 8.0) / 5.0)
        .collect();
    let labels = [1.0, -1.0, 1.0, 1.0, -1.0];
    for (loss, depth) in Loss::ALL.into_iter().zip([2, 3, 4]) {
        let mut risk = deep_risk(&vec![6; depth - 1], 3, &inputs, &labels, loss);
        let p = risk.dim();
        let theta = risk.model().init(11);
        let mut hessian = Mat::<f64>::zeros(p, p);
        let mut unit = Col::<f64>::zeros(p);
        for j in 0..p {
            unit[j] = 1.0;
            risk.hessian_vector_product(theta.as_ref(), unit.as_ref(), hessian.col_mut(j));
            unit[j] = 0.0;
        }
        let asymmetry = (&hessian - hessian.transpose()).norm_l2();
        assert!(
            asymmetry < 1e-12 * (1.0 + hessian.norm_l2()),
            "{loss}: asymmetry {asymmetry}"
        );
        let dense_top = *dense_eigenvalues(hessian.as_ref()).unwrap().last().unwrap();
        let mut lanczos = Lanczos::new(p, LanczosOptions::default()).unwrap();
        let top = risk.sharpness(theta.as_ref(), &mut lanczos, None).unwrap();
        assert!(
            (top.value - dense_top).abs() < 1e-8 * (1.0 + dense_top.abs()),
            "{loss}: {} vs {dense_top}",
            top.value
        );

        let gram = risk.ntk_gram(theta.as_ref()).unwrap();
        let gram_top =
            *dense_eigenvalues(gram.as_ref()).unwrap().last().unwrap() / labels.len() as f64;
        let mut small = Lanczos::new(labels.len(), LanczosOptions::default()).unwrap();
        let ntk = risk.ntk_top(theta.as_ref(), &mut small).unwrap();
        assert!((ntk.value - gram_top).abs() < 1e-10 * (1.0 + gram_top));
    }
}

#[test]
fn degenerate_data_ntk_top_is_lambda_times_mean_square() {
    // On x_i = a_i e the NTK is Θ = λ a aᵀ with λ = (|v|² + |Ue|²)/m.
    let a = [1.0, -0.5, 2.0, 0.3];
    let y = [1.0, 1.0, -1.0, 1.0];
    let (width, dim) = (50, 3);
    let data = Dataset::degenerate(&a, &y, dim).unwrap();
    let model = DeepLinear::two_layer(width, dim).unwrap();
    let theta = model.init(5);
    let u = model.layer(theta.as_ref(), 1).unwrap();
    let v = model.layer(theta.as_ref(), 2).unwrap().col(0);
    let e = catapult_data::degenerate_direction(dim);
    let ue = u * &e;
    let lambda = (v.squared_norm_l2() + ue.squared_norm_l2()) / width as f64;
    let mean_square = a.iter().map(|t| t * t).sum::<f64>() / a.len() as f64;
    let mut risk = EmpiricalRisk::new(model, Loss::Logistic, data).unwrap();
    let mut lanczos = Lanczos::new(a.len(), LanczosOptions::default()).unwrap();
    let ntk = risk.ntk_top(theta.as_ref(), &mut lanczos).unwrap();
    assert!((ntk.value - lambda * mean_square).abs() < 1e-12 * ntk.value);
}

#[test]
fn strided_vectors_give_the_same_results() {
    let inputs: Vec<f64> = (0..12).map(|i| i as f64 / 7.0 - 0.8).collect();
    let mut risk = deep_risk(&[4], 2, &inputs, &[1.0, -1.0, 1.0], Loss::Logistic);
    let theta = risk.model().init(2);
    let p = risk.dim();
    // Store θ in every other row of a matrix column pair to get a non-unit stride.
    let wide = Mat::from_fn(2, p, |i, j| if i == 0 { theta[j] } else { f64::NAN });
    let strided = wide.row(0).transpose();
    assert!(strided.try_as_col_major().is_none());
    assert_eq!(risk.value(strided), risk.value(theta.as_ref()));
    let mut out = Mat::<f64>::zeros(2, p);
    risk.value_and_gradient(strided, out.row_mut(0).transpose_mut());
    let expected = gradient(&mut risk, &theta);
    assert_eq!(out.row(0).transpose().to_owned(), expected);
}

#[test]
fn construction_errors_name_the_problem() {
    let data = Dataset::degenerate(&[1.0, 2.0], &[1.0, 0.5], 3).unwrap();
    let model = DeepLinear::two_layer(4, 3).unwrap();
    let err = EmpiricalRisk::new(model.clone(), Loss::Logistic, data.clone())
        .err()
        .unwrap();
    assert!(err.to_string().contains("label 1 is 0.5"), "{err}");
    assert!(EmpiricalRisk::new(model.clone(), Loss::Squared, data.clone()).is_ok());
    let wrong_dim = DeepLinear::two_layer(4, 2).unwrap();
    assert_eq!(
        EmpiricalRisk::new(wrong_dim, Loss::Squared, data.clone()).err(),
        Some(ModelError::InputDimMismatch { model: 2, data: 3 })
    );
    let mut risk = EmpiricalRisk::new(model.clone(), Loss::Squared, data).unwrap();
    assert_eq!(
        risk.accuracy(Col::zeros(3).as_ref()),
        Err(ModelError::ParameterLength {
            expected: 16,
            got: 3
        })
    );
    assert_eq!(model.num_params(), 16);
}
