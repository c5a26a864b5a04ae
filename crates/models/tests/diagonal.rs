//! Exact gradient and Hessian-vector product of diagonal networks (depths 1–4, symmetric and
//! general initialisations) against central finite differences, and the NTK Gram against the
//! finite-difference Jacobian.

mod common;

use common::{gradient, gradient_by_differences, hvp_by_differences, relative_gap};

use catapult_data::Dataset;
use catapult_losses::Loss;
use catapult_models::{DiagonalNet, EmpiricalRisk};
use catapult_optim::Objective;
use faer::{Col, Mat};
use proptest::prelude::*;

fn risk(
    depth: u32,
    dim: usize,
    inputs: &[f64],
    labels: &[f64],
    loss: Loss,
) -> EmpiricalRisk<DiagonalNet> {
    let n = labels.len();
    let x = Mat::from_fn(n, dim, |i, j| inputs[(i * dim + j) % inputs.len()]);
    let y = Col::from_fn(n, |i| {
        if loss.is_classification() {
            if labels[i] >= 0.0 { 1.0 } else { -1.0 }
        } else {
            labels[i]
        }
    });
    let data = Dataset::new(x, y).unwrap();
    EmpiricalRisk::new(DiagonalNet::new(depth, dim).unwrap(), loss, data).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn gradient_and_hvp_match_central_differences(
        depth in 1u32..5,
        dim in 1usize..6,
        labels in prop::collection::vec(-2.0f64..2.0, 1..7),
        inputs in prop::collection::vec(-1.5f64..1.5, 30),
        start in prop::collection::vec(-1.2f64..1.2, 10),
        direction in prop::collection::vec(-1.0f64..1.0, 10),
        loss_index in 0usize..3,
    ) {
        let mut risk = risk(depth, dim, &inputs, &labels, Loss::ALL[loss_index]);
        let p = risk.dim();
        let theta = risk
            .model()
            .init_from(&start[..dim], &start[5..5 + dim])
            .unwrap();
        let v = Col::from_fn(p, |k| direction[k]);
        let h = 1e-5;
        let exact = gradient(&mut risk, &theta);
        let numeric = gradient_by_differences(&mut risk, &theta, h);
        prop_assert!(relative_gap(&exact, &numeric) < 1e-6, "gradient gap {}", relative_gap(&exact, &numeric));

        let mut hvp = Col::zeros(p);
        risk.hessian_vector_product(theta.as_ref(), v.as_ref(), hvp.as_mut());
        let numeric_hvp = hvp_by_differences(&mut risk, &theta, &v, h);
        prop_assert!(relative_gap(&hvp, &numeric_hvp) < 1e-6, "hvp gap {}", relative_gap(&hvp, &numeric_hvp));
    }

    #[test]
    fn ntk_gram_is_the_jacobian_gram(
        depth in 1u32..5,
        dim in 1usize..5,
        labels in prop::collection::vec(-1.0f64..1.0, 1..6),
        inputs in prop::collection::vec(-1.5f64..1.5, 20),
        alpha in 0.1f64..2.0,
    ) {
        let mut risk = risk(depth, dim, &inputs, &labels, Loss::Squared);
        let theta = risk.model().uniform_init(alpha).unwrap();
        let jacobian = common::jacobian_by_differences(&mut risk, &theta, 1e-6);
        let expected = &jacobian * jacobian.transpose();
        let gram = risk.ntk_gram(theta.as_ref()).unwrap();
        let gap = (&gram - &expected).norm_l2() / (1.0 + expected.norm_l2());
        prop_assert!(gap < 1e-7, "gram gap {gap}");
    }
}

/// At `u₊ = u₋ = α·1` the NTK is `Θ = 2D²α^{2D−2} X Xᵀ`.
#[test]
fn ntk_at_symmetric_init_is_a_scaled_linear_kernel() {
    let inputs = [0.3, -1.0, 0.7, 1.2, -0.4, 0.9];
    let labels = [1.0, -1.0, 1.0];
    for depth in 1..=4u32 {
        let mut risk = risk(depth, 2, &inputs, &labels, Loss::Logistic);
        let alpha = 0.7f64;
        let theta = risk.model().uniform_init(alpha).unwrap();
        let gram = risk.ntk_gram(theta.as_ref()).unwrap();
        let x = risk.data().x().to_owned();
        let scale = 2.0 * f64::from(depth * depth) * alpha.powi(2 * depth as i32 - 2);
        let expected = (&x * x.transpose()) * faer::Scale(scale);
        assert!((&gram - &expected).norm_l2() < 1e-12 * (1.0 + expected.norm_l2()));
    }
}
