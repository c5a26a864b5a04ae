//! Implicit under-parameterisation (Kumar, Agarwal, Ghosh, Levine, ICLR 2021): does fitting a
//! Q-network to its own bootstrapped targets shrink the srank of its features, more so with
//! more gradient steps per target update, while regression onto `Q*` does not, and does the
//! penalty `c·(σ²_max − σ²_min)` keep the srank up?
//!
//! Every seed draws its own gridworld, offline dataset (one transition per state-action pair)
//! and initialisation, and runs four variants from the same initial parameters, each for the
//! same number of iterations: bootstrapped targets with few and with many gradient steps per
//! iteration, supervised targets (`Q*`) with many steps, and bootstrapped targets with many
//! steps and the penalty. The Q-network is a ReLU MLP on one-hot state features with one head
//! per action ([`catapult_models::ReluMlp`]).

use crate::ExperimentError;
use crate::generalisation::Spread;
use catapult_lab::{ConfigError, parallel_map};
use catapult_models::{Normalisation, ReluMlp};
use catapult_rl::{
    FqiConfig, Gridworld, GridworldConfig, OfflineDataset, QProblem, Targets, fitted_q_iteration,
};
use serde::Serialize;

/// The experiment's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct UnderparamSpec {
    /// The gridworld drawn for every seed.
    pub grid: GridworldConfig,
    /// Discount γ.
    pub gamma: f64,
    /// Hidden widths of the Q-network.
    pub hidden: Vec<usize>,
    /// Constant GD learning rate.
    pub learning_rate: f64,
    /// Target updates per run.
    pub iterations: usize,
    /// Gradient steps per iteration of the "few steps" variant.
    pub few_steps: usize,
    /// Gradient steps per iteration of the other variants.
    pub many_steps: usize,
    /// Coefficient `c` of the srank penalty.
    pub penalty: f64,
    /// Seeds (grid, data, initialisation).
    pub seeds: Vec<u64>,
}

/// One variant of the experiment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variant {
    /// Name in tables and figures.
    pub name: &'static str,
    /// Bootstrapped or supervised targets.
    pub targets: Targets,
    /// Gradient steps per iteration.
    pub steps: usize,
    /// Penalty coefficient.
    pub penalty: f64,
}

/// One iteration of one run, as a CSV row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnderparamRow {
    /// Variant name ([`Variant::name`]).
    pub variant: String,
    /// Seed of grid, data and initialisation.
    pub seed: u64,
    /// 0 before the first fit, then `k` after target update `k`.
    pub iteration: usize,
    /// Gradient steps per iteration of the variant.
    pub steps_per_iteration: usize,
    /// `srank_0.01(Φ)` of the penultimate features Φ (states × width).
    pub srank: usize,
    /// Entropy effective rank of Φ.
    pub effective_rank: f64,
    /// Largest singular value of Φ.
    pub sigma_max: f64,
    /// Smallest singular value of Φ.
    pub sigma_min: f64,
    /// Fitting objective (squared error plus penalty) at the end of the iteration; `None` at
    /// iteration 0.
    pub fit_loss: Option<f64>,
    /// Root mean square of `Q_θ − T Q_θ` over every state-action pair.
    pub bellman_error: f64,
    /// Root mean square of `Q_θ − Q*` over every state-action pair.
    pub q_distance: f64,
    /// Root mean square of `Q*` over every pair (the scale of `q_distance`).
    pub q_star_rms: f64,
}

impl UnderparamSpec {
    /// The 10 × 10 grid of [`GridworldConfig::standard`], γ = 0.9, hidden widths 64, 64, learning
    /// rate 0.5, 40 iterations of 10 or 100 steps, penalty 0.01, seeds 0–2.
    pub fn standard() -> Self {
        Self {
            grid: GridworldConfig::standard(),
            gamma: 0.9,
            hidden: vec![64, 64],
            learning_rate: 0.5,
            iterations: 40,
            few_steps: 10,
            many_steps: 100,
            penalty: 0.01,
            seeds: vec![0, 1, 2],
        }
    }

    /// The four variants, in a fixed order.
    pub fn variants(&self) -> [Variant; 4] {
        [
            Variant {
                name: "bootstrapped, few steps",
                targets: Targets::Bootstrapped,
                steps: self.few_steps,
                penalty: 0.0,
            },
            Variant {
                name: "bootstrapped, many steps",
                targets: Targets::Bootstrapped,
                steps: self.many_steps,
                penalty: 0.0,
            },
            Variant {
                name: "supervised, many steps",
                targets: Targets::Supervised,
                steps: self.many_steps,
                penalty: 0.0,
            },
            Variant {
                name: "bootstrapped + penalty",
                targets: Targets::Bootstrapped,
                steps: self.many_steps,
                penalty: self.penalty,
            },
        ]
    }

    /// Checks the fields the FQI settings do not; errors name the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |field: &'static str, problem: &str| {
            Err(ConfigError {
                field,
                problem: problem.to_string(),
            })
        };
        if self.seeds.is_empty() {
            return bad("seeds", "at least one seed is needed");
        }
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return bad("hidden", "at least one hidden layer, each of width >= 1");
        }
        Ok(())
    }
}

/// Every variant on every seed (`threads` runs at a time); rows ordered by seed, variant,
/// iteration.
pub fn run_underparam(
    spec: &UnderparamSpec,
    threads: usize,
) -> Result<Vec<UnderparamRow>, ExperimentError> {
    spec.validate()?;
    let jobs: Vec<(u64, Variant)> = spec
        .seeds
        .iter()
        .flat_map(|&seed| spec.variants().map(|variant| (seed, variant)))
        .collect();
    let results = parallel_map(&jobs, threads, |&(seed, variant)| {
        run_variant(spec, seed, variant)
    });
    let mut rows = Vec::new();
    for result in results {
        rows.extend(result?);
    }
    Ok(rows)
}

/// One variant on one seed.
pub fn run_variant(
    spec: &UnderparamSpec,
    seed: u64,
    variant: Variant,
) -> Result<Vec<UnderparamRow>, ExperimentError> {
    let grid = Gridworld::random(&spec.grid, seed)?;
    let mdp = grid.mdp()?;
    let q_star = mdp.value_iteration(spec.gamma, 1e-10, 100_000)?;
    let q_star_rms =
        (q_star.values().iter().map(|q| q * q).sum::<f64>() / q_star.values().len() as f64).sqrt();
    let data = OfflineDataset::uniform(&mdp, 1, seed)?;
    let features = grid.one_hot_features();
    let net = ReluMlp::new(
        features.ncols(),
        &spec.hidden,
        mdp.num_actions(),
        Normalisation::None,
    )?;
    let mut theta = net.init(seed);
    let problem = QProblem {
        mdp: &mdp,
        features: features.as_ref(),
        dataset: &data,
        q_star: &q_star,
    };
    let config = FqiConfig {
        gamma: spec.gamma,
        iterations: spec.iterations,
        steps_per_iteration: variant.steps,
        learning_rate: spec.learning_rate,
        penalty: variant.penalty,
        targets: variant.targets,
    };
    let records = fitted_q_iteration(&net, &mut theta, problem, &config)?;
    Ok(records
        .into_iter()
        .map(|r| UnderparamRow {
            variant: variant.name.to_string(),
            seed,
            iteration: r.iteration,
            steps_per_iteration: variant.steps,
            srank: r.srank,
            effective_rank: r.effective_rank,
            sigma_max: r.sigma_max,
            sigma_min: r.sigma_min,
            fit_loss: r.fit_loss,
            bellman_error: r.bellman_error,
            q_distance: r.q_distance,
            q_star_rms,
        })
        .collect())
}

/// One variant over its seeds: srank at the start and the end, the lowest srank reached, and
/// the final Bellman error and distance to `Q*` (mean ± sd over seeds).
#[derive(Debug, Clone, PartialEq)]
pub struct UnderparamSummary {
    /// Variant name.
    pub variant: String,
    /// Number of seeds.
    pub seeds: usize,
    /// srank at iteration 0.
    pub srank_start: Spread,
    /// srank at the last iteration.
    pub srank_end: Spread,
    /// Lowest srank over the run.
    pub srank_lowest: Spread,
    /// RMS Bellman error `Q_θ − T Q_θ` at the last iteration.
    pub bellman_error_end: Spread,
    /// RMS distance `Q_θ − Q*` at the last iteration.
    pub q_distance_end: Spread,
    /// RMS of `Q*` (the scale of the distances).
    pub q_star_rms: Spread,
}

/// One summary per variant, in order of first appearance in `rows`.
pub fn summarise_underparam(rows: &[UnderparamRow]) -> Vec<UnderparamSummary> {
    let mut variants: Vec<&str> = Vec::new();
    for row in rows {
        if !variants.contains(&row.variant.as_str()) {
            variants.push(&row.variant);
        }
    }
    variants
        .into_iter()
        .filter_map(|variant| {
            let mut seeds: Vec<u64> = rows
                .iter()
                .filter(|r| r.variant == variant)
                .map(|r| r.seed)
                .collect();
            seeds.dedup();
            let per_seed = |pick: &dyn Fn(&[&UnderparamRow]) -> f64| -> Option<Spread> {
                let values: Vec<f64> = seeds
                    .iter()
                    .map(|&seed| {
                        let run: Vec<&UnderparamRow> = rows
                            .iter()
                            .filter(|r| r.variant == variant && r.seed == seed)
                            .collect();
                        pick(&run)
                    })
                    .collect();
                Spread::of(&values)
            };
            Some(UnderparamSummary {
                variant: variant.to_string(),
                seeds: seeds.len(),
                srank_start: per_seed(&|run| run[0].srank as f64)?,
                srank_end: per_seed(&|run| run[run.len() - 1].srank as f64)?,
                srank_lowest: per_seed(&|run| {
                    run.iter()
                        .map(|r| r.srank as f64)
                        .fold(f64::INFINITY, f64::min)
                })?,
                bellman_error_end: per_seed(&|run| run[run.len() - 1].bellman_error)?,
                q_distance_end: per_seed(&|run| run[run.len() - 1].q_distance)?,
                q_star_rms: per_seed(&|run| run[0].q_star_rms)?,
            })
        })
        .collect()
}
