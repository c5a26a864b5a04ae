//! The under-parameterisation experiment on a tiny grid: one row per (seed, variant,
//! iteration), the same bits on a rerun, one summary per variant, and a named error.

use catapult_experiments::underparam::{UnderparamSpec, run_underparam, summarise_underparam};
use catapult_rl::GridworldConfig;

fn tiny() -> UnderparamSpec {
    UnderparamSpec {
        grid: GridworldConfig {
            width: 3,
            height: 3,
            wall_fraction: 0.1,
            reward_cells: 1,
            slip: 0.1,
        },
        hidden: vec![8],
        iterations: 3,
        few_steps: 2,
        many_steps: 5,
        seeds: vec![0, 1],
        ..UnderparamSpec::standard()
    }
}

#[test]
fn rows_cover_every_seed_variant_and_iteration_and_repeat_bit_for_bit() {
    let spec = tiny();
    let rows = run_underparam(&spec, 2).unwrap();
    assert_eq!(rows.len(), 2 * 4 * 4);
    assert_eq!(rows, run_underparam(&spec, 1).unwrap());
    let summaries = summarise_underparam(&rows);
    assert_eq!(summaries.len(), 4);
    assert!(summaries.iter().all(|s| s.seeds == 2));
    // Every variant starts from the same initialisation of the same seed.
    let starts: Vec<usize> = rows
        .iter()
        .filter(|r| r.seed == 0 && r.iteration == 0)
        .map(|r| r.srank)
        .collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn an_empty_seed_list_is_named() {
    let spec = UnderparamSpec {
        seeds: vec![],
        ..tiny()
    };
    let error = run_underparam(&spec, 1).unwrap_err().to_string();
    assert!(error.contains("seeds"), "{error}");
}
