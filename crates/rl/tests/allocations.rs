//! Fitted Q-iteration reads θ in place: a counting global allocator shows that the fitting
//! objective's evaluations allocate nothing (no copy of θ per evaluation), and that a run's
//! allocations do not grow with the number of gradient steps per iteration.

use catapult_models::{Model, Normalisation, ReluMlp};
use catapult_optim::Objective;
use catapult_rl::{FittingObjective, Targets, fitted_q_iteration};
use faer::{Col, Mat};

#[path = "../../models/tests/counting/mod.rs"]
mod counting;
use counting::allocations;

mod common;
use common::{fqi_config, with_small_grid_problem};

#[test]
fn fitting_evaluations_do_not_allocate() {
    let net = ReluMlp::new(3, &[6, 5], 2, Normalisation::None).unwrap();
    let rows = Mat::from_fn(7, 5, |i, j| {
        if j < 3 {
            ((i * 3 + j) as f64 * 0.77).sin()
        } else {
            f64::from(u8::from((i + j) % 2 == 0))
        }
    });
    let feature_rows = Mat::from_fn(4, 5, |i, j| {
        if j < 3 {
            ((i + 2 * j) as f64 * 1.31).cos()
        } else {
            0.0
        }
    });
    for penalty in [0.0, 0.5] {
        let mut fit =
            FittingObjective::new(&net, rows.clone(), feature_rows.clone(), penalty).unwrap();
        fit.targets = Col::from_fn(7, |i| i as f64 * 0.1);
        let theta = net.init(1);
        let v = net.init(2);
        let (mut gradient, mut product) =
            (Col::zeros(net.num_params()), Col::zeros(net.num_params()));
        let count = allocations(|| {
            for _ in 0..10 {
                fit.value(theta.as_ref());
                fit.value_and_gradient(theta.as_ref(), gradient.as_mut());
                fit.hessian_vector_product(theta.as_ref(), v.as_ref(), product.as_mut());
            }
        });
        assert_eq!(count, 0, "penalty {penalty}: {count} allocations");
    }
}

/// Allocations of a fitted Q-iteration run of 3 iterations with `steps` steps each.
fn fqi_run(steps: usize) -> usize {
    with_small_grid_problem(|problem| {
        let net = ReluMlp::new(problem.features.ncols(), &[8], 4, Normalisation::None).unwrap();
        let mut theta = net.init(3);
        let config = fqi_config(3, steps, 0.1, Targets::Bootstrapped);
        allocations(|| {
            fitted_q_iteration(&net, &mut theta, problem, &config).unwrap();
        })
    })
}

#[test]
fn fqi_allocations_do_not_grow_with_the_number_of_steps() {
    let (short, long) = (fqi_run(2), fqi_run(200));
    assert!(short > 0);
    assert_eq!(
        short, long,
        "{short} allocations for 2 steps per iteration, {long} for 200"
    );
}
