//! Finite-difference references shared by the models' integration tests.
#![allow(dead_code)]

use catapult_models::{EmpiricalRisk, Model};
use catapult_optim::Objective;
use faer::{Col, Mat};

/// The risk's gradient at θ.
pub fn gradient<M: Model>(risk: &mut EmpiricalRisk<M>, theta: &Col<f64>) -> Col<f64> {
    let mut g = Col::zeros(theta.nrows());
    risk.value_and_gradient(theta.as_ref(), g.as_mut());
    g
}

/// `‖a − b‖ / (1 + ‖b‖)`.
pub fn relative_gap(a: &Col<f64>, b: &Col<f64>) -> f64 {
    (a - b).norm_l2() / (1.0 + b.norm_l2())
}

/// The risk's gradient at θ by central differences of its value, step `h`.
pub fn gradient_by_differences<M: Model>(
    risk: &mut EmpiricalRisk<M>,
    theta: &Col<f64>,
    h: f64,
) -> Col<f64> {
    Col::from_fn(theta.nrows(), |k| {
        let mut plus = theta.clone();
        let mut minus = theta.clone();
        plus[k] += h;
        minus[k] -= h;
        (risk.value(plus.as_ref()) - risk.value(minus.as_ref())) / (2.0 * h)
    })
}

/// The Hessian-vector product at θ along `v` by central differences of the gradient, step `h`.
pub fn hvp_by_differences<M: Model>(
    risk: &mut EmpiricalRisk<M>,
    theta: &Col<f64>,
    v: &Col<f64>,
    h: f64,
) -> Col<f64> {
    let plus = theta + faer::Scale(h) * v;
    let minus = theta - faer::Scale(h) * v;
    (gradient(risk, &plus) - gradient(risk, &minus)) * faer::Scale(0.5 / h)
}

/// The nC × p Jacobian of the risk's outputs at θ by central differences of step `h`.
pub fn jacobian_by_differences<M: Model>(
    risk: &mut EmpiricalRisk<M>,
    theta: &Col<f64>,
    h: f64,
) -> Mat<f64> {
    let (n, p) = (
        risk.data().len() * risk.model().num_outputs(),
        theta.nrows(),
    );
    let mut jacobian = Mat::<f64>::zeros(n, p);
    for k in 0..p {
        let mut plus = theta.clone();
        let mut minus = theta.clone();
        plus[k] += h;
        minus[k] -= h;
        let fp = risk.predictions(plus.as_ref()).unwrap();
        let fm = risk.predictions(minus.as_ref()).unwrap();
        for i in 0..n {
            jacobian[(i, k)] = (fp[i] - fm[i]) / (2.0 * h);
        }
    }
    jacobian
}
