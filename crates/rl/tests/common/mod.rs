//! The small deterministic grid shared by the fitted Q-iteration tests.
#![allow(dead_code)]

use catapult_rl::{FqiConfig, Gridworld, GridworldConfig, Mdp, OfflineDataset, QProblem, Targets};

/// A 3 × 2 grid without walls or slip, with one reward cell (seed 1), and its MDP.
pub fn small_grid() -> (Gridworld, Mdp) {
    let config = GridworldConfig {
        width: 3,
        height: 2,
        wall_fraction: 0.0,
        reward_cells: 1,
        slip: 0.0,
    };
    let grid = Gridworld::random(&config, 1).unwrap();
    let mdp = grid.mdp().unwrap();
    (grid, mdp)
}

/// Hands `work` the problem of [`small_grid`]: `Q*` for γ = 0.5, one uniform pass of offline
/// data (seed 0) and one-hot state features.
pub fn with_small_grid_problem<R>(work: impl FnOnce(QProblem<'_>) -> R) -> R {
    let (grid, mdp) = small_grid();
    let q_star = mdp.value_iteration(0.5, 1e-10, 1000).unwrap();
    let data = OfflineDataset::uniform(&mdp, 1, 0).unwrap();
    let features = grid.one_hot_features();
    work(QProblem {
        mdp: &mdp,
        features: features.as_ref(),
        dataset: &data,
        q_star: &q_star,
    })
}

/// γ = 0.5 and no penalty, with the given schedule and targets.
pub fn fqi_config(
    iterations: usize,
    steps_per_iteration: usize,
    learning_rate: f64,
    targets: Targets,
) -> FqiConfig {
    FqiConfig {
        gamma: 0.5,
        iterations,
        steps_per_iteration,
        learning_rate,
        penalty: 0.0,
        targets,
    }
}
