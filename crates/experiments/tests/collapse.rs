//! The square-loss classifier experiment on a tiny task: rows per (λ, observed step), the
//! same bits on a rerun, weight decay shrinking ρ, and named errors.

use catapult_experiments::collapse::{ClassTask, CollapseSpec, run_collapse};

fn tiny() -> CollapseSpec {
    CollapseSpec {
        task: ClassTask::Gaussian {
            classes: 3,
            per_class: 6,
            dim: 3,
            separation: 2.0,
        },
        hidden: vec![6, 6],
        steps: 300,
        observe_every: 100,
        weight_decays: vec![0.0, 0.05],
        ..CollapseSpec::standard()
    }
}

#[test]
fn rows_cover_every_decay_and_step_and_repeat_bit_for_bit() {
    let rows = run_collapse(&tiny(), 2).unwrap();
    assert_eq!(rows.len(), 2 * 4);
    assert_eq!(rows, run_collapse(&tiny(), 1).unwrap());
    let last = |lambda: f64| {
        rows.iter()
            .rev()
            .find(|r| r.weight_decay == lambda)
            .unwrap()
            .clone()
    };
    assert!(last(0.05).rho < last(0.0).rho);
    assert!(rows.iter().all(|r| r.nc1.is_finite() && r.nc1 >= 0.0));
}

#[test]
fn bad_specs_are_named() {
    let spec = CollapseSpec {
        weight_decays: vec![],
        ..tiny()
    };
    assert!(
        run_collapse(&spec, 1)
            .unwrap_err()
            .to_string()
            .contains("weight_decays")
    );
    let spec = CollapseSpec {
        schedule: "fix:k0=-1".into(),
        ..tiny()
    };
    assert!(run_collapse(&spec, 1).is_err());
    let spec = CollapseSpec {
        hidden: vec![4, 0],
        ..tiny()
    };
    assert!(
        run_collapse(&spec, 1)
            .unwrap_err()
            .to_string()
            .contains("width")
    );
}
