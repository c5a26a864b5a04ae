//! Fitted Q-iteration: the fitting objective's gradient (with the srank penalty) against
//! central differences, convergence to `Q*` on a small grid under both kinds of targets, and
//! the errors.

use catapult_models::{Model, Normalisation, ReluMlp};
use catapult_optim::Objective;
use catapult_rl::{FittingObjective, FqiConfig, RlError, Targets, fitted_q_iteration};
use faer::{Col, Mat};
use proptest::prelude::*;

mod common;
use common::{fqi_config, with_small_grid_problem};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn fitting_gradient_with_penalty_matches_central_differences(
        seed in 0u64..500,
        penalty in 0.0f64..2.0,
        width in 2usize..6,
    ) {
        let net = ReluMlp::new(3, &[width, width], 2, Normalisation::None).unwrap();
        let rows = Mat::from_fn(7, 5, |i, j| {
            if j < 3 { ((i * 3 + j) as f64 * 0.77 + seed as f64).sin() } else { f64::from(u8::from((i + j) % 2 == 0)) }
        });
        let feature_rows = Mat::from_fn(4, 5, |i, j| if j < 3 { ((i + 2 * j) as f64 * 1.31).cos() } else { 0.0 });
        let mut fit = FittingObjective::new(&net, rows, feature_rows, penalty).unwrap();
        fit.targets = Col::from_fn(7, |i| i as f64 * 0.1);
        let theta = net.init(seed);
        let mut g = Col::zeros(net.num_params());
        fit.value_and_gradient(theta.as_ref(), g.as_mut());
        let v = Col::from_fn(net.num_params(), |i| ((i as f64) * 0.57 + 0.1).sin());
        let h = 1e-6;
        let fd = (fit.value((&theta + &v * faer::Scale(h)).as_ref())
            - fit.value((&theta - &v * faer::Scale(h)).as_ref())) / (2.0 * h);
        let exact = g.transpose() * &v;
        prop_assert!((fd - exact).abs() <= 1e-5 * (1.0 + exact.abs()), "{fd} vs {exact}");
    }
}

fn run(targets: Targets, steps: usize) -> Vec<catapult_rl::IterationRecord> {
    with_small_grid_problem(|problem| {
        let net = ReluMlp::new(problem.features.ncols(), &[16], 4, Normalisation::None).unwrap();
        let mut theta = net.init(3);
        let config = fqi_config(25, steps, 0.5, targets);
        fitted_q_iteration(&net, &mut theta, problem, &config).unwrap()
    })
}

#[test]
fn bootstrapped_and_supervised_fits_reach_q_star_on_a_deterministic_grid() {
    for targets in [Targets::Bootstrapped, Targets::Supervised] {
        let records = run(targets, 200);
        let first = &records[0];
        let last = records.last().unwrap();
        assert!(
            last.q_distance < 0.05 * first.q_distance.max(1.0),
            "{targets:?}: {} → {}",
            first.q_distance,
            last.q_distance
        );
        assert!(
            last.bellman_error < 0.05,
            "{targets:?}: {}",
            last.bellman_error
        );
        assert_eq!(records.len(), 26);
    }
}

#[test]
fn the_same_seed_gives_the_same_bits() {
    assert_eq!(run(Targets::Bootstrapped, 5), run(Targets::Bootstrapped, 5));
}

#[test]
fn bad_settings_are_named() {
    with_small_grid_problem(|problem| {
        let features = problem.features;
        let config = FqiConfig {
            gamma: 1.0,
            ..fqi_config(1, 1, 0.1, Targets::Bootstrapped)
        };
        let net = ReluMlp::new(features.ncols(), &[4], 4, Normalisation::None).unwrap();
        let mut theta = net.init(0);
        assert_eq!(
            fitted_q_iteration(&net, &mut theta, problem, &config),
            Err(RlError::InvalidDiscount(1.0))
        );
        let wrong = ReluMlp::new(features.ncols(), &[4], 3, Normalisation::None).unwrap();
        let mut theta = wrong.init(0);
        let config = FqiConfig {
            gamma: 0.5,
            ..config
        };
        assert_eq!(
            fitted_q_iteration(&wrong, &mut theta, problem, &config),
            Err(RlError::ModelInput {
                model: features.ncols() + 3,
                expected: features.ncols() + 4
            })
        );
        assert_eq!(
            "greedy".parse::<Targets>(),
            Err(RlError::UnknownTargets("greedy".into()))
        );
        let config = FqiConfig {
            penalty: -1.0,
            ..config
        };
        let mut theta = net.init(0);
        assert!(matches!(
            fitted_q_iteration(&net, &mut theta, problem, &config),
            Err(RlError::InvalidFqiConfig(message)) if message.contains("penalty")
        ));
    });
}
