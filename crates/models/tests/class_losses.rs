//! The risk of a model with C outputs under the class losses (softmax cross-entropy, one-hot
//! squared): gradient, Hessian-vector product and NTK Gram against finite differences and
//! their definitions, on a multinomial linear model `f(x) = W x` (C × d) whose Hessian is
//! exactly the Gauss-Newton term `Jᵀ(⊕ H_i/n)J`.

mod common;

use catapult_data::Dataset;
use catapult_losses::{Loss, LossKind, OutputLoss};
use catapult_models::{EmpiricalRisk, InputLayer, Model, ModelError};
use catapult_optim::Objective;
use common::{gradient, gradient_by_differences, hvp_by_differences, jacobian_by_differences};
use faer::{Col, ColMut, ColRef, Mat, MatRef};
use proptest::prelude::*;

/// `f(x)_k = Σ_j W_kj x_j` with θ_{k·d + j} = W_kj.
struct Multinomial {
    dim: usize,
    classes: usize,
}

impl Model for Multinomial {
    type Workspace = ();

    fn num_params(&self) -> usize {
        self.dim * self.classes
    }

    fn input_dim(&self) -> usize {
        self.dim
    }

    fn num_outputs(&self) -> usize {
        self.classes
    }

    fn input_layer(&self) -> Option<InputLayer> {
        None
    }

    fn workspace(&self, _: usize) {}

    fn forward(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        _: &mut (),
        out: ColMut<'_, f64>,
    ) {
        self.jvp(theta, x, theta, &mut (), out);
    }

    fn vjp(
        &self,
        _: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        r: ColRef<'_, f64>,
        _: &mut (),
        mut out: ColMut<'_, f64>,
    ) {
        let (d, c) = (self.dim, self.classes);
        for k in 0..c {
            for j in 0..d {
                out[k * d + j] = (0..x.nrows()).map(|i| r[i * c + k] * x[(i, j)]).sum();
            }
        }
    }

    fn jvp(
        &self,
        _: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        v: ColRef<'_, f64>,
        _: &mut (),
        mut out: ColMut<'_, f64>,
    ) {
        let (d, c) = (self.dim, self.classes);
        for i in 0..x.nrows() {
            for k in 0..c {
                out[i * c + k] = (0..d).map(|j| v[k * d + j] * x[(i, j)]).sum();
            }
        }
    }

    fn add_curvature_product(
        &self,
        _: ColRef<'_, f64>,
        _: MatRef<'_, f64>,
        _: ColRef<'_, f64>,
        _: ColRef<'_, f64>,
        _: &mut (),
        _: ColMut<'_, f64>,
    ) {
    }
}

fn risk(
    classes: usize,
    labels: &[usize],
    inputs: &[f64],
    loss: OutputLoss,
) -> EmpiricalRisk<Multinomial> {
    let (n, dim) = (labels.len(), 3);
    let x = Mat::from_fn(n, dim, |i, j| inputs[(i * dim + j) % inputs.len()]);
    let y = Col::from_fn(n, |i| (labels[i] % classes) as f64);
    let data = Dataset::new(x, y).unwrap();
    EmpiricalRisk::new(Multinomial { dim, classes }, loss, data).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn gradient_hvp_and_ntk_match_their_definitions(
        classes in 2usize..5,
        labels in prop::collection::vec(0usize..5, 1..7),
        inputs in prop::collection::vec(-1.5f64..1.5, 21),
        weights in prop::collection::vec(-2.0f64..2.0, 15),
        direction in prop::collection::vec(-1.0f64..1.0, 15),
        cross_entropy in any::<bool>(),
    ) {
        let loss = if cross_entropy { OutputLoss::CrossEntropy } else { OutputLoss::OneHotSquared };
        let mut risk = risk(classes, &labels, &inputs, loss);
        let p = risk.dim();
        let theta = Col::from_fn(p, |k| weights[k]);
        let v = Col::from_fn(p, |k| direction[k]);
        let exact = gradient(&mut risk, &theta);
        let numeric = gradient_by_differences(&mut risk, &theta, 1e-6);
        prop_assert!((&exact - &numeric).norm_l2() <= 1e-7 * (1.0 + numeric.norm_l2()));
        let mut hv = Col::zeros(p);
        risk.hessian_vector_product(theta.as_ref(), v.as_ref(), hv.as_mut());
        let numeric = hvp_by_differences(&mut risk, &theta, &v, 1e-5);
        prop_assert!((&hv - &numeric).norm_l2() <= 1e-7 * (1.0 + numeric.norm_l2()), "{hv:?} vs {numeric:?}");
        // Θ = J Jᵀ over all nC outputs.
        let jacobian = jacobian_by_differences(&mut risk, &theta, 1e-6);
        let gram = risk.ntk_gram(theta.as_ref()).unwrap();
        prop_assert_eq!(gram.nrows(), labels.len() * classes);
        let reference = &jacobian * jacobian.transpose();
        prop_assert!((&gram - &reference).norm_l2() <= 1e-7 * (1.0 + reference.norm_l2()));
    }
}

#[test]
fn accuracy_and_class_summaries_follow_the_largest_output() {
    // Two samples of class 0 (one right), one of class 2 (right): W picks x's coordinates.
    let x = Mat::from_fn(3, 3, |i, j| {
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]][i][j]
    });
    let data = Dataset::new(x, Col::from_fn(3, |i| [0.0, 0.0, 2.0][i])).unwrap();
    let model = Multinomial { dim: 3, classes: 3 };
    let mut risk = EmpiricalRisk::new(model, OutputLoss::CrossEntropy, data).unwrap();
    let identity = Col::from_fn(9, |k| if k % 4 == 0 { 5.0 } else { 0.0 });
    assert!((risk.accuracy(identity.as_ref()).unwrap() - 2.0 / 3.0).abs() < 1e-15);
    let summaries = risk.class_summaries(identity.as_ref()).unwrap().unwrap();
    assert_eq!(
        summaries.iter().map(|s| s.samples).collect::<Vec<_>>(),
        [2, 0, 1]
    );
    assert_eq!(summaries[0].accuracy, 0.5);
    assert_eq!(summaries[2].accuracy, 1.0);
}

#[test]
fn losses_that_cannot_serve_the_outputs_or_labels_are_errors() {
    let x = Mat::from_fn(2, 3, |i, j| (i + j) as f64);
    let data = |labels: [f64; 2]| Dataset::new(x.clone(), Col::from_fn(2, |i| labels[i])).unwrap();
    let wide = || Multinomial { dim: 3, classes: 3 };
    let error = EmpiricalRisk::new(wide(), Loss::Logistic, data([1.0, -1.0]))
        .err()
        .unwrap();
    assert!(matches!(error, ModelError::LossOutputs(_)), "{error}");
    let error = EmpiricalRisk::new(
        Multinomial { dim: 3, classes: 1 },
        OutputLoss::CrossEntropy,
        data([0.0, 0.0]),
    )
    .err()
    .unwrap();
    assert!(error.to_string().contains("C >= 2"), "{error}");
    let error = EmpiricalRisk::new(wide(), OutputLoss::CrossEntropy, data([0.0, 3.0]))
        .err()
        .unwrap();
    assert_eq!(
        error.to_string(),
        "label 1: the cross-entropy loss needs a class index in 0..3, got 3"
    );
    assert!(LossKind::Squared.for_outputs(3).is_ok());
}
