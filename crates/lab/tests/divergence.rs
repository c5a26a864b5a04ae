//! Runs pushed far into the divergent phase, for every model, loss and optimizer a run config
//! can name: each stops with `diverged: true`, and no NaN or infinity reaches the record, its
//! JSON or its CSV row (the figures draw from those two).

use catapult_lab::table::{TableRow, write_csv};
use catapult_lab::{
    DataConfig, LearningRate, ModelConfig, OptimizerConfig, Phase, RunConfig, RunRecord, run,
};
use catapult_losses::Loss;

const MODELS: [ModelConfig; 2] = [
    ModelConfig::TwoLayerLinear { width: 32 },
    ModelConfig::DeepLinear {
        depth: 4,
        width: 16,
    },
];
const LOSSES: [Loss; 3] = [Loss::Squared, Loss::Logistic, Loss::Exponential];
/// Step sizes as multiples of 1/λ0: just past the divergence boundaries, far past them, and at
/// the edge of the floating-point range.
const FACTORS: [f64; 3] = [1e4, 1e8, 1e300];

fn data() -> [DataConfig; 2] {
    [
        DataConfig::Degenerate {
            a: vec![1.0, 0.6, -0.8, 1.4, -0.3, 0.9],
            y: vec![1.0, 1.0, 1.0, 1.0, 1.0, -1.0],
            dim: 5,
        },
        DataConfig::Task {
            name: "gaussians".into(),
        },
    ]
}

fn optimizers() -> [OptimizerConfig; 2] {
    [
        OptimizerConfig::Gd,
        OptimizerConfig::Sgd {
            batch: Some(8),
            momentum: 0.9,
            nesterov: true,
            weight_decay: 0.0,
            decoupled_weight_decay: 1e-3,
            with_replacement: false,
        },
    ]
}

/// Every number in a JSON value, with the path to it; `null` (serde_json's NaN and ±∞) is
/// reported as NaN.
fn numbers(value: &serde_json::Value, path: String, out: &mut Vec<(String, f64)>) {
    match value {
        serde_json::Value::Null => out.push((path, f64::NAN)),
        serde_json::Value::Number(n) => out.push((path, n.as_f64().unwrap_or(f64::NAN))),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                numbers(item, format!("{path}[{i}]"), out);
            }
        }
        serde_json::Value::Object(fields) => {
            for (key, item) in fields {
                numbers(item, format!("{path}.{key}"), out);
            }
        }
        serde_json::Value::Bool(_) | serde_json::Value::String(_) => {}
    }
}

fn assert_finite_everywhere(record: &RunRecord, label: &str) {
    let json = serde_json::to_value(record).unwrap();
    let mut found = Vec::new();
    numbers(&json, String::new(), &mut found);
    for (path, value) in &found {
        assert!(value.is_finite(), "{label}: {path} = {value}");
    }
    let mut csv = Vec::new();
    write_csv(&[TableRow::from_record(record)], &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap().to_lowercase();
    assert!(
        !csv.contains("nan") && !csv.contains("inf"),
        "{label}: {csv}"
    );
}

#[test]
fn every_model_loss_and_optimizer_stops_finite_when_diverging() {
    let mut runs = 0;
    for data in data() {
        for model in MODELS {
            for loss in LOSSES {
                for optimizer in optimizers() {
                    for factor in FACTORS {
                        let config = RunConfig {
                            data: data.clone(),
                            model: model.clone(),
                            loss,
                            seed: 3,
                            lr: LearningRate::Factor(factor),
                            optimizer: optimizer.clone(),
                            steps: 400,
                            observe_every: 10,
                        };
                        let label = format!("{data:?} {model:?} {loss} {optimizer:?} x{factor}");
                        let record = run(&config, |_, _| {}).unwrap();
                        assert!(record.final_state.diverged, "{label}");
                        assert_eq!(record.phase, Phase::Divergent, "{label}");
                        assert_finite_everywhere(&record, &label);
                        runs += 1;
                    }
                }
            }
        }
    }
    assert_eq!(runs, 72);
}

#[test]
fn a_diverging_schedule_stops_finite_too() {
    let config = RunConfig {
        data: data()[0].clone(),
        model: MODELS[1].clone(),
        loss: Loss::Logistic,
        seed: 0,
        lr: LearningRate::FactorSchedule("warmup:steps=50,then=fix:k0=1e6".parse().unwrap()),
        optimizer: OptimizerConfig::Gd,
        steps: 500,
        observe_every: 7,
    };
    let record = run(&config, |_, _| {}).unwrap();
    assert!(record.final_state.diverged);
    assert_finite_everywhere(&record, "warm-up to 1e6/λ0");
}

/// The models a run config cannot name yet (the diagonal net) go through the library. At
/// every step size the observer never sees a non-finite value and the outcome's losses are
/// finite; at η = 1e300 every depth and loss diverges. (Smaller steps need not: depth 1 is a
/// linear model, and its logistic loss grows only linearly.)
#[test]
fn diagonal_nets_stop_finite_when_diverging() {
    use catapult_models::{DiagonalNet, EmpiricalRisk};
    use catapult_optim::{
        Control, GradientDescent, Objective, Observer, OptimError, TrainOptions, train,
    };

    struct Finite(usize);
    impl<O: Objective + ?Sized> Observer<O> for Finite {
        type Error = OptimError;

        fn observe(
            &mut self,
            _: usize,
            theta: faer::ColRef<'_, f64>,
            loss: f64,
            _: &mut O,
        ) -> Result<Control, OptimError> {
            assert!(loss.is_finite() && theta.is_all_finite());
            self.0 += 1;
            Ok(Control::Continue)
        }
    }

    let data = catapult_data::two_gaussians(10, 4, 1.0, 1.0, 2).unwrap();
    for depth in 1..=3 {
        for loss in LOSSES {
            for eta in [1e3, 1e8, 1e300] {
                let model = DiagonalNet::new(depth, 4).unwrap();
                let mut theta = model.uniform_init(0.5).unwrap();
                let mut risk = EmpiricalRisk::new(model, loss, data.clone()).unwrap();
                let options = TrainOptions::new(400, 10).unwrap();
                let mut seen = Finite(0);
                let outcome = train(
                    &mut risk,
                    &mut theta,
                    &mut GradientDescent,
                    &eta,
                    &options,
                    &mut seen,
                )
                .unwrap();
                let label = format!("depth {depth} {loss} η {eta}");
                assert!(outcome.diverged || eta < 1e300, "{label}");
                assert!(seen.0 >= 1, "{label}");
                for value in [outcome.initial_loss, outcome.final_loss, outcome.max_loss] {
                    assert!(value.is_finite(), "{label}: {outcome:?}");
                }
            }
        }
    }
}
