//! Run configs with a schedule and an SGD optimizer: full-batch SGD is GD bit for bit, a
//! mini-batch run is reproducible from its seed, and `eta` is the schedule's first step.

use catapult_lab::{DataConfig, LearningRate, ModelConfig, OptimizerConfig, RunConfig, run};
use catapult_losses::Loss;

fn config(lr: LearningRate, optimizer: OptimizerConfig) -> RunConfig {
    RunConfig {
        data: DataConfig::Degenerate {
            a: vec![1.0, 0.6, -0.8, 1.4, -0.3, 0.9],
            y: vec![1.0, 1.0, 1.0, 1.0, 1.0, -1.0],
            dim: 5,
        },
        model: ModelConfig::TwoLayerLinear { width: 64 },
        loss: Loss::Logistic,
        seed: 3,
        lr,
        optimizer,
        steps: 300,
        observe_every: 50,
    }
}

fn sgd(batch: Option<usize>, momentum: f64) -> OptimizerConfig {
    OptimizerConfig::Sgd {
        batch,
        momentum,
        nesterov: false,
        weight_decay: 0.0,
        decoupled_weight_decay: 0.0,
        with_replacement: false,
    }
}

#[test]
fn full_batch_sgd_is_gd_bit_for_bit() {
    let gd = run(
        &config(LearningRate::Factor(3.0), OptimizerConfig::Gd),
        |_, _| {},
    )
    .unwrap();
    for batch in [None, Some(6), Some(100)] {
        let mut same = run(
            &config(LearningRate::Factor(3.0), sgd(batch, 0.0)),
            |_, _| {},
        )
        .unwrap();
        same.config.optimizer = OptimizerConfig::Gd;
        assert_eq!(
            serde_json::to_string(&same).unwrap(),
            serde_json::to_string(&gd).unwrap()
        );
    }
}

#[test]
fn mini_batch_runs_are_seeded_and_schedules_set_eta() {
    let schedule: LearningRate =
        serde_json::from_str(r#"{"factor_schedule": "seq:[fix:k0=3@100,fix:k0=0.5]"}"#).unwrap();
    let first = run(&config(schedule.clone(), sgd(Some(2), 0.9)), |_, _| {}).unwrap();
    let again = run(&config(schedule.clone(), sgd(Some(2), 0.9)), |_, _| {}).unwrap();
    assert_eq!(
        serde_json::to_string(&first).unwrap(),
        serde_json::to_string(&again).unwrap()
    );
    assert!((first.eta * first.lambda0 - 3.0).abs() < 1e-12);
    assert!(first.final_state.loss.is_finite());
    let full = run(&config(schedule, sgd(None, 0.9)), |_, _| {}).unwrap();
    assert_ne!(full.final_state.loss, first.final_state.loss);
}
