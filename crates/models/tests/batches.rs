//! Mini-batch gradients of the empirical risk against the risk of the batch's own dataset,
//! and gradient descent on a risk against a hand-written loop and SGD against gradient
//! descent, bit for bit.

use catapult_data::{Dataset, two_gaussians};
use catapult_losses::Loss;
use catapult_models::{DeepLinear, EmpiricalRisk, Model};
use catapult_optim::{
    Control, GradientDescent, Objective, Observer, OptimError, Sampling, Sgd, SgdConfig,
    StochasticObjective, TrainOptions, WeightDecay, train,
};
use faer::{Col, ColRef, Mat};

const N_PER_CLASS: usize = 6;
const DIM: usize = 3;

fn data() -> Dataset {
    two_gaussians(N_PER_CLASS, DIM, 2.0, 1.0, 17).unwrap()
}

fn model() -> DeepLinear {
    DeepLinear::two_layer(16, DIM).unwrap()
}

fn risk(loss: Loss, data: Dataset) -> EmpiricalRisk<DeepLinear> {
    EmpiricalRisk::new(model(), loss, data).unwrap()
}

/// The dataset of the rows `batch` of `data` (repeats kept).
fn rows(data: &Dataset, batch: &[usize]) -> Dataset {
    let x = Mat::from_fn(batch.len(), data.dim(), |r, j| data.x()[(batch[r], j)]);
    let y = Col::from_fn(batch.len(), |r| data.y()[batch[r]]);
    Dataset::new(x, y).unwrap()
}

fn assert_close(got: f64, expected: f64, scale: f64, what: &str) {
    assert!(
        (got - expected).abs() <= 1e-14 * scale,
        "{what}: got {got}, expected {expected}"
    );
}

/// `(L, ∇L)` and `(L_B, ∇L_B)` agree to 1e-14 relative (the gradient relative to its
/// largest entry).
fn assert_same_value_and_gradient(
    (value, gradient): (f64, &Col<f64>),
    (expected_value, expected_gradient): (f64, &Col<f64>),
) {
    assert_close(value, expected_value, expected_value.abs(), "loss");
    let scale = expected_gradient.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    assert!(scale > 0.0);
    for i in 0..gradient.nrows() {
        assert_close(gradient[i], expected_gradient[i], scale, &format!("∂_{i}"));
    }
}

fn full(risk: &mut EmpiricalRisk<DeepLinear>, theta: ColRef<'_, f64>) -> (f64, Col<f64>) {
    let mut gradient = Col::zeros(risk.dim());
    let value = risk.value_and_gradient(theta, gradient.as_mut());
    (value, gradient)
}

fn on_batch(
    risk: &mut EmpiricalRisk<DeepLinear>,
    theta: ColRef<'_, f64>,
    batch: &[usize],
) -> (f64, Col<f64>) {
    let mut gradient = Col::from_fn(risk.dim(), |_| f64::NAN);
    let value = risk.batch_value_and_gradient(theta, batch, gradient.as_mut());
    (value, gradient)
}

#[test]
fn the_batch_of_every_index_in_order_is_the_full_risk() {
    for loss in [Loss::Logistic, Loss::Exponential, Loss::Squared] {
        let mut risk = risk(loss, data());
        assert_eq!(risk.num_samples(), 2 * N_PER_CLASS);
        let theta = model().init(1);
        let all: Vec<usize> = (0..risk.num_samples()).collect();
        let (value, gradient) = on_batch(&mut risk, theta.as_ref(), &all);
        let (expected_value, expected_gradient) = full(&mut risk, theta.as_ref());
        assert_same_value_and_gradient((value, &gradient), (expected_value, &expected_gradient));
    }
}

#[test]
fn a_batch_is_the_risk_of_the_dataset_of_its_rows() {
    let data = data();
    let mut risk = risk(Loss::Logistic, data.clone());
    let theta = model().init(2);
    // Sizes change from call to call (the scratch is rebuilt) and indices repeat.
    for batch in [
        &[3, 0, 7][..],
        &[11, 2, 2, 5, 9],
        &[4],
        &[1, 8, 6],
        &[10, 10, 10],
        &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 5, 0],
    ] {
        let (value, gradient) = on_batch(&mut risk, theta.as_ref(), batch);
        let mut own = EmpiricalRisk::new(model(), Loss::Logistic, rows(&data, batch)).unwrap();
        let (expected_value, expected_gradient) = full(&mut own, theta.as_ref());
        assert_same_value_and_gradient((value, &gradient), (expected_value, &expected_gradient));
    }
}

#[test]
fn singleton_batches_average_to_the_full_risk() {
    // ∇L = (1/n) Σ_i ∇ℓ_i and L_B = (1/|B|) Σ_{i∈B} ℓ(f_i, y_i), with f from the full model.
    let data = data();
    let mut risk = risk(Loss::Logistic, data.clone());
    let n = risk.num_samples();
    let theta = model().init(7);
    let (expected_value, expected_gradient) = full(&mut risk, theta.as_ref());
    let mut value = 0.0;
    let mut gradient = Col::<f64>::zeros(risk.dim());
    for i in 0..n {
        let (single_value, single_gradient) = on_batch(&mut risk, theta.as_ref(), &[i]);
        value += single_value / n as f64;
        gradient += single_gradient * faer::Scale(1.0 / n as f64);
    }
    let scale = expected_gradient.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    assert_close(value, expected_value, 16.0 * expected_value, "mean of ℓ_i");
    for j in 0..gradient.nrows() {
        assert_close(
            gradient[j],
            expected_gradient[j],
            16.0 * scale,
            "mean of ∇ℓ_i",
        );
    }
    let outputs = risk.predictions(theta.as_ref()).unwrap();
    let batch = [3, 0, 7, 7];
    let mean: f64 = batch
        .iter()
        .map(|&i| Loss::Logistic.value(outputs[i], data.y()[i]))
        .sum::<f64>()
        / 4.0;
    let (batch_value, _) = on_batch(&mut risk, theta.as_ref(), &batch);
    assert_close(batch_value, mean, mean, "L_B");
}

#[test]
fn batch_calls_leave_the_full_risk_unchanged() {
    let mut risk = risk(Loss::Squared, data());
    let theta = model().init(3);
    let before = full(&mut risk, theta.as_ref());
    on_batch(&mut risk, theta.as_ref(), &[1, 4]);
    let after = full(&mut risk, theta.as_ref());
    assert_eq!(before.0.to_bits(), after.0.to_bits());
    assert_eq!(before.1, after.1);
}

#[test]
fn strided_parameter_and_gradient_columns_give_the_same_batch_gradient() {
    let mut risk = risk(Loss::Logistic, data());
    let p = risk.dim();
    let theta = model().init(4);
    let batch = [2, 9, 5];
    let (value, gradient) = on_batch(&mut risk, theta.as_ref(), &batch);
    let theta_rows = Mat::from_fn(2, p, |_, j| theta[j]);
    let mut gradient_rows = Mat::<f64>::zeros(3, p);
    let strided_value = risk.batch_value_and_gradient(
        theta_rows.row(1).transpose(),
        &batch,
        gradient_rows.row_mut(2).transpose_mut(),
    );
    assert_eq!(strided_value.to_bits(), value.to_bits());
    for j in 0..p {
        assert_eq!(gradient_rows[(2, j)].to_bits(), gradient[j].to_bits());
    }
}

#[test]
#[should_panic(expected = "sample index 12 out of range for 12 samples")]
fn an_index_past_the_data_panics() {
    let mut risk = risk(Loss::Logistic, data());
    on_batch(&mut risk, model().init(0).as_ref(), &[0, 12]);
}

#[test]
#[should_panic(expected = "at least one sample")]
fn an_empty_batch_panics() {
    let mut risk = risk(Loss::Logistic, data());
    on_batch(&mut risk, model().init(0).as_ref(), &[]);
}

/// Every observation as bits: step, loss, θ.
#[derive(Default)]
struct Bits(Vec<(usize, u64, Vec<u64>)>);

impl<O: Objective + ?Sized> Observer<O> for Bits {
    type Error = OptimError;

    fn observe(
        &mut self,
        step: usize,
        theta: ColRef<'_, f64>,
        loss: f64,
        _: &mut O,
    ) -> Result<Control, OptimError> {
        let theta = theta.iter().map(|v| v.to_bits()).collect();
        self.0.push((step, loss.to_bits(), theta));
        Ok(Control::Continue)
    }
}

fn bits(theta: &Col<f64>) -> Vec<u64> {
    theta.iter().map(|v| v.to_bits()).collect()
}

/// Gradient descent written out by hand with the update of the loop before the step trait,
/// `θ_i ← θ_i − η·g_i`: the observations (steps 0, every `every` and the last) as bits, and
/// the final θ. Stops, without observing, at a loss above `threshold` or a non-finite
/// gradient.
fn hand_written_gd(
    risk: &mut EmpiricalRisk<DeepLinear>,
    mut theta: Col<f64>,
    eta: f64,
    (steps, every, threshold): (usize, usize, f64),
) -> (Bits, Col<f64>) {
    let mut gradient = Col::<f64>::zeros(theta.nrows());
    let mut observed = Bits::default();
    for step in 0..=steps {
        let loss = risk.value_and_gradient(theta.as_ref(), gradient.as_mut());
        if !loss.is_finite() || loss > threshold || !gradient.is_all_finite() {
            break;
        }
        if step % every == 0 || step == steps {
            observed.0.push((step, loss.to_bits(), bits(&theta)));
        }
        if step == steps {
            break;
        }
        for i in 0..theta.nrows() {
            theta[i] -= eta * gradient[i];
        }
    }
    (observed, theta)
}

#[test]
fn gradient_descent_and_full_batch_sgd_reproduce_the_hand_written_loop_bit_for_bit() {
    let n = 2 * N_PER_CLASS;
    // A small step, a catapult-sized one, and one that diverges under the squared loss.
    for (loss, eta) in [
        (Loss::Logistic, 0.5),
        (Loss::Logistic, 6.0),
        (Loss::Squared, 3.0),
    ] {
        let options = TrainOptions::new(300, 7)
            .unwrap()
            .with_divergence_threshold(1e6)
            .unwrap();
        let start = model().init(5);
        let mut gd_theta = start.clone();
        let mut gd_bits = Bits::default();
        let gd_outcome = train(
            &mut risk(loss, data()),
            &mut gd_theta,
            &mut GradientDescent,
            &eta,
            &options,
            &mut gd_bits,
        )
        .unwrap();
        let (expected, expected_theta) =
            hand_written_gd(&mut risk(loss, data()), start.clone(), eta, (300, 7, 1e6));
        assert_eq!(gd_bits.0, expected.0, "{loss:?}, η = {eta}");
        assert_eq!(bits(&gd_theta), bits(&expected_theta));
        let schedule = format!("fix:k0={eta}")
            .parse::<catapult_optim::LrSchedule>()
            .unwrap();
        for batch in [None, Some(n), Some(n + 5)] {
            let config = SgdConfig {
                batch,
                ..SgdConfig::default()
            };
            let mut sgd = Sgd::new(config, model().num_params(), n).unwrap();
            let mut theta = start.clone();
            let mut sgd_bits = Bits::default();
            let outcome = train(
                &mut risk(loss, data()),
                &mut theta,
                &mut sgd,
                &schedule,
                &options,
                &mut sgd_bits,
            )
            .unwrap();
            assert_eq!(outcome, gd_outcome, "{loss:?}, η = {eta}, batch {batch:?}");
            assert_eq!(bits(&theta), bits(&gd_theta));
            assert_eq!(sgd_bits.0, gd_bits.0);
        }
        assert_eq!(gd_outcome.diverged, loss == Loss::Squared);
    }
}

#[test]
fn seeded_mini_batch_sgd_on_a_risk_is_reproducible_and_trains() {
    let n = 2 * N_PER_CLASS;
    let run = |seed: u64, sampling: Sampling| {
        let config = SgdConfig {
            batch: Some(4),
            momentum: 0.9,
            nesterov: true,
            weight_decay: WeightDecay::Decoupled(1e-3),
            sampling,
            seed,
        };
        let mut sgd = Sgd::new(config, model().num_params(), n).unwrap();
        let mut theta = model().init(6);
        let mut observed = Bits::default();
        let outcome = train(
            &mut risk(Loss::Logistic, data()),
            &mut theta,
            &mut sgd,
            &"cosine:k0=0.2,T=200"
                .parse::<catapult_optim::LrSchedule>()
                .unwrap(),
            &TrainOptions::new(200, 50).unwrap(),
            &mut observed,
        )
        .unwrap();
        (outcome, bits(&theta), observed.0)
    };
    for sampling in [Sampling::WithReplacement, Sampling::WithoutReplacement] {
        let (outcome, theta, observed) = run(8, sampling);
        assert_eq!(run(8, sampling), (outcome, theta.clone(), observed.clone()));
        assert_ne!(run(9, sampling).1, theta);
        assert!(!outcome.diverged);
        let full_loss = |k: usize| f64::from_bits(observed[k].1);
        assert!(full_loss(observed.len() - 1) < 0.5 * full_loss(0));
    }
}
