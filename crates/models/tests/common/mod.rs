//! Finite-difference references shared by the models' integration tests.

use catapult_models::{EmpiricalRisk, Model};
use faer::{Col, Mat};

/// The n × p Jacobian of the risk's outputs at θ by central differences of step `h`.
pub fn jacobian_by_differences<M: Model>(
    risk: &mut EmpiricalRisk<M>,
    theta: &Col<f64>,
    h: f64,
) -> Mat<f64> {
    let (n, p) = (risk.data().len(), theta.nrows());
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
