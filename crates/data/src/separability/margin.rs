//! The max-margin programs, for data already known to be separable.
//!
//! Inputs are divided by `s = max_i |x_i|_2` before solving (so that a bias and the weights are of
//! one scale for the solver) and the answer is mapped back; the margin returned is recomputed from
//! the original data and the returned direction, so it is exactly the margin that direction has.

use super::conic::Program;
use super::{Bias, MaxMargin, SeparabilityError};
use faer::{Col, ColRef, MatRef};

fn input_scale(x: MatRef<'_, f64>) -> f64 {
    let s = (0..x.nrows())
        .map(|i| x.row(i).norm_l2())
        .fold(0.0, f64::max);
    if s > 0.0 { s } else { 1.0 }
}

/// `min_i y_i (uᵀx_i + β)`.
pub(super) fn margin_of(
    x: MatRef<'_, f64>,
    y: ColRef<'_, f64>,
    u: ColRef<'_, f64>,
    beta: f64,
) -> f64 {
    (0..x.nrows())
        .map(|i| y[i] * ((x.row(i) * u) + beta))
        .fold(f64::INFINITY, f64::min)
}

/// Hard-margin SVM: `min ½|w|²` s.t. `y_i (wᵀx_i + b) ≥ 1`; direction `w/|w|`, bias `b/|w|`.
pub(super) fn l2(
    x: MatRef<'_, f64>,
    y: ColRef<'_, f64>,
    bias: Bias,
) -> Result<MaxMargin, SeparabilityError> {
    let (n, d) = (x.nrows(), x.ncols());
    let s = input_scale(x);
    let with_bias = bias == Bias::With;
    let mut qp = Program::new("l2 max-margin QP", d + usize::from(with_bias));
    for k in 0..d {
        qp.quadratic_cost(k, 1.0);
    }
    for i in 0..n {
        let row = (0..d).map(|k| (k, -y[i] * x[(i, k)] / s));
        let bias_term = with_bias.then_some((d, -y[i]));
        qp.less_equal(row.chain(bias_term), -1.0);
    }
    let v = qp.solve()?.x;
    let w = Col::from_fn(d, |k| v[k]);
    let norm = w.norm_l2();
    let direction = w / norm;
    let beta = if with_bias { s * v[d] / norm } else { 0.0 };
    finish("l2 max-margin QP", x, y, direction, beta)
}

/// `max γ` s.t. `y_i (wᵀx_i + b) ≥ γ`, `|w|_1 ≤ 1`, with `w = w⁺ − w⁻`, `w± ≥ 0`;
/// direction `w/|w|_1`, bias `b/|w|_1`.
pub(super) fn l1(
    x: MatRef<'_, f64>,
    y: ColRef<'_, f64>,
    bias: Bias,
) -> Result<MaxMargin, SeparabilityError> {
    let (n, d) = (x.nrows(), x.ncols());
    let s = input_scale(x);
    let with_bias = bias == Bias::With;
    // Variables: w⁺ (0..d), w⁻ (d..2d), b (2d, with a bias), γ (last).
    let b = 2 * d;
    let gamma = 2 * d + usize::from(with_bias);
    let mut lp = Program::new("l1 max-margin LP", gamma + 1);
    lp.linear_cost(gamma, -1.0);
    for i in 0..n {
        let plus = (0..d).map(|k| (k, -y[i] * x[(i, k)] / s));
        let minus = (0..d).map(|k| (d + k, y[i] * x[(i, k)] / s));
        let bias_term = with_bias.then_some((b, -y[i]));
        lp.less_equal(
            plus.chain(minus).chain(bias_term).chain([(gamma, 1.0)]),
            0.0,
        );
    }
    lp.less_equal((0..2 * d).map(|k| (k, 1.0)), 1.0);
    for k in 0..2 * d {
        lp.less_equal([(k, -1.0)], 0.0);
    }
    let v = lp.solve()?.x;
    let w = Col::from_fn(d, |k| v[k] - v[d + k]);
    let norm = w.norm_l1();
    let direction = w / norm;
    let beta = if with_bias { s * v[b] / norm } else { 0.0 };
    finish("l1 max-margin LP", x, y, direction, beta)
}

fn finish(
    problem: &'static str,
    x: MatRef<'_, f64>,
    y: ColRef<'_, f64>,
    direction: Col<f64>,
    bias: f64,
) -> Result<MaxMargin, SeparabilityError> {
    let margin = margin_of(x, y, direction.as_ref(), bias);
    // Written to catch NaN as well.
    if margin.is_nan() || margin <= 0.0 {
        // The partition said separable, but the solution does not separate: the data is too
        // close to the boundary for the solver's tolerances.
        return Err(SeparabilityError::Solver {
            problem,
            status: format!("a solution that does not separate the data (margin {margin:e})"),
        });
    }
    Ok(MaxMargin {
        direction,
        bias,
        margin,
    })
}
