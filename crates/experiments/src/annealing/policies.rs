//! The policy comparison: every policy on every task, depth and seed at one budget.

use crate::ExperimentError;
use crate::generalisation::{Phase, RunPlan, Spread, Task, prepare_all, run_task};
use catapult_lab::{ConfigError, parallel_map};
use catapult_optim::LrSchedule;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The grid of the policy comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnealingSpec {
    /// The tasks (non-separable ones are the point).
    pub tasks: Vec<Task>,
    /// Depths of the deep linear net.
    pub depths: Vec<usize>,
    /// Hidden width.
    pub width: usize,
    /// Seeds of data, split and initialisation.
    pub seeds: Vec<u64>,
    /// The small step, in units of `2/S0`.
    pub small: f64,
    /// The large step, in units of `2/S0`.
    pub large: f64,
    /// Steps at which to measure, increasing; the last is the budget `T`.
    pub checkpoints: Vec<usize>,
    /// Fraction of each class sent to the test part.
    pub test_fraction: f64,
}

impl AnnealingSpec {
    /// Red wine, iris versicolor/virginica and the separable mix; depths 2 and 3, width 256,
    /// seeds 0–4; small step 0.5, large step 4 (in units of `2/S0`); budget 3000 steps,
    /// measured at 300, 1000 and 3000.
    pub fn standard() -> Self {
        Self {
            tasks: vec![
                Task::WineRed,
                Task::IrisVersicolorVirginica,
                Task::SeparableMix,
            ],
            depths: vec![2, 3],
            width: 256,
            seeds: (0..5).collect(),
            small: 0.5,
            large: 4.0,
            checkpoints: vec![300, 1000, 3000],
            test_fraction: 0.3,
        }
    }

    /// Red wine only, depth 2, seeds 0–2, budget 1200.
    pub fn quick() -> Self {
        Self {
            tasks: vec![Task::WineRed],
            depths: vec![2],
            seeds: (0..3).collect(),
            checkpoints: vec![120, 400, 1200],
            ..Self::standard()
        }
    }

    /// The budget `T` (last checkpoint).
    pub fn budget(&self) -> usize {
        self.checkpoints.last().copied().unwrap_or(0)
    }

    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |field: &'static str, problem: &str| {
            Err(ConfigError {
                field,
                problem: problem.to_string(),
            })
        };
        if self.tasks.is_empty() || self.seeds.is_empty() {
            return bad("tasks", "at least one task and one seed are needed");
        }
        if self.depths.is_empty() || self.depths.iter().any(|&d| d < 2) {
            return bad(
                "depths",
                "a non-empty list of depths of at least 2 is needed",
            );
        }
        if self.width == 0 {
            return bad("width", "must be at least 1");
        }
        if !(self.small.is_finite() && self.small > 0.0 && self.large > self.small) {
            return bad("large", "need 0 < small < large, both finite");
        }
        if self.checkpoints.windows(2).any(|w| w[0] >= w[1]) || self.budget() < 12 {
            return bad(
                "checkpoints",
                "must be an increasing list of steps with a budget of at least 12",
            );
        }
        if !(self.test_fraction > 0.0 && self.test_fraction < 1.0) {
            return bad("test_fraction", "must be strictly between 0 and 1");
        }
        Ok(())
    }
}

/// The six policies of the comparison for a budget of `budget` steps, in units of `2/S0`,
/// by name (module docs).
///
/// Errors: steps that are not finite and positive or a budget below 12 steps.
pub fn policies(
    small: f64,
    large: f64,
    budget: usize,
) -> Result<Vec<(&'static str, LrSchedule)>, ExperimentError> {
    let specs = [
        ("lazy", format!("fix:k0={small}")),
        ("catapult", format!("fix:k0={large}")),
        (
            "large-then-step",
            format!("step:k0={large},gamma=0.1,l={}", budget / 3),
        ),
        (
            "large-then-cosine",
            format!("cosine:k0={large},floor={},T={budget}", small / 10.0),
        ),
        (
            "warmup-to-large",
            format!("warmup:steps={},then=fix:k0={large}", budget / 10),
        ),
        (
            "cyclic",
            format!("tri:k0={small},k1={large},l={}", budget / 12),
        ),
    ];
    specs
        .into_iter()
        .map(|(name, spec)| Ok((name, spec.parse::<LrSchedule>()?)))
        .collect()
}

/// One checkpoint of one policy run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRow {
    /// Task name.
    pub task: String,
    /// Depth of the net.
    pub depth: usize,
    /// Seed of data, split and initialisation.
    pub seed: u64,
    /// Policy name.
    pub policy: String,
    /// Its spec string, in units of `2/S0`.
    pub spec: String,
    /// Phase of the run (read off the loss at every step).
    pub phase: Phase,
    /// Gradient steps taken.
    pub step: usize,
    /// Train loss.
    pub train_loss: f64,
    /// Test loss.
    pub test_loss: f64,
    /// Test accuracy.
    pub test_accuracy: f64,
    /// `|∇L|` on the training part.
    pub gradient_norm: f64,
    /// Top Hessian eigenvalue.
    pub sharpness: f64,
    /// `S0`, the sharpness at initialisation.
    pub sharpness0: f64,
}

/// Runs every policy on every task, depth and seed on `threads` threads; rows in grid order.
pub fn run_policies(
    spec: &AnnealingSpec,
    threads: usize,
    progress: impl Fn(usize, usize) + Sync,
) -> Result<Vec<PolicyRow>, ExperimentError> {
    spec.validate()?;
    let prepared = prepare_all(&spec.tasks, &spec.seeds, spec.test_fraction, false, threads)?;
    let policies = policies(spec.small, spec.large, spec.budget())?;
    let mut jobs = Vec::new();
    for task in &prepared {
        for &depth in &spec.depths {
            for (name, schedule) in &policies {
                let mut plan = RunPlan::constant(depth, spec.width, 1.0, spec.checkpoints.clone())?;
                plan.schedule = schedule.clone();
                jobs.push((task, depth, *name, plan));
            }
        }
    }
    let done = std::sync::atomic::AtomicUsize::new(0);
    let results = parallel_map(&jobs, threads, |(task, _, _, plan)| {
        let result = run_task(task, plan);
        let finished = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        progress(finished, jobs.len());
        result
    });
    let mut rows = Vec::new();
    for ((task, depth, name, plan), result) in jobs.iter().zip(results) {
        let result = result?;
        rows.extend(result.checkpoints.iter().map(|c| PolicyRow {
            task: task.task.name(),
            depth: *depth,
            seed: task.seed,
            policy: name.to_string(),
            spec: plan.schedule.to_string(),
            phase: result.phase,
            step: c.step,
            train_loss: c.train_loss,
            test_loss: c.test_loss,
            test_accuracy: c.test_accuracy,
            gradient_norm: c.gradient_norm,
            sharpness: c.sharpness,
            sharpness0: result.sharpness0,
        }));
    }
    Ok(rows)
}

/// One task, depth and policy at one step, over seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySummary {
    /// Task name.
    pub task: String,
    /// Depth.
    pub depth: usize,
    /// Policy name.
    pub policy: String,
    /// Runs in the group (one per seed).
    pub runs: usize,
    /// How many of them diverged (excluded from the spreads).
    pub divergent: usize,
    /// Training loss over the non-divergent runs.
    pub train_loss: Option<Spread>,
    /// Test accuracy (fraction) over the non-divergent runs.
    pub test_accuracy: Option<Spread>,
    /// Paired by seed: test accuracy minus the `lazy` policy's, same task, depth and seed.
    pub accuracy_gain: Option<Spread>,
    /// Test loss over the non-divergent runs.
    pub test_loss: Option<Spread>,
    /// Sharpness relative to `S0`.
    pub relative_sharpness: Option<Spread>,
}

/// Summaries at checkpoint `step`, sorted by task, depth and the policies' order in `rows`.
pub fn summarise_policies(rows: &[PolicyRow], step: usize) -> Vec<PolicySummary> {
    let at_step: Vec<&PolicyRow> = rows.iter().filter(|r| r.step == step).collect();
    let lazy: BTreeMap<(&str, usize, u64), f64> = at_step
        .iter()
        .filter(|r| r.policy == "lazy" && r.phase != Phase::Divergent)
        .map(|r| ((r.task.as_str(), r.depth, r.seed), r.test_accuracy))
        .collect();
    let mut order: Vec<(String, usize, String)> = Vec::new();
    let mut runs: BTreeMap<(String, usize, String), BTreeMap<u64, Phase>> = BTreeMap::new();
    for row in rows {
        let key = (row.task.clone(), row.depth, row.policy.clone());
        if !order.contains(&key) {
            order.push(key.clone());
        }
        runs.entry(key).or_default().insert(row.seed, row.phase);
    }
    order
        .into_iter()
        .map(|key| {
            let group: Vec<&&PolicyRow> = at_step
                .iter()
                .filter(|r| {
                    r.task == key.0
                        && r.depth == key.1
                        && r.policy == key.2
                        && r.phase != Phase::Divergent
                })
                .collect();
            let spread = |value: &dyn Fn(&PolicyRow) -> Option<f64>| {
                Spread::of(&group.iter().filter_map(|r| value(r)).collect::<Vec<_>>())
            };
            let phases = &runs[&key];
            PolicySummary {
                runs: phases.len(),
                divergent: phases.values().filter(|&&p| p == Phase::Divergent).count(),
                train_loss: spread(&|r| Some(r.train_loss)),
                test_accuracy: spread(&|r| Some(r.test_accuracy)),
                accuracy_gain: spread(&|r| {
                    Some(r.test_accuracy - lazy.get(&(r.task.as_str(), r.depth, r.seed))?)
                }),
                test_loss: spread(&|r| Some(r.test_loss)),
                relative_sharpness: spread(&|r| Some(r.sharpness / r.sharpness0)),
                task: key.0,
                depth: key.1,
                policy: key.2,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use catapult_optim::Schedule;

    #[test]
    fn the_six_policies_start_end_and_cycle_where_documented() {
        let policies = policies(0.5, 4.0, 3000).unwrap();
        let eta = |name: &str, t: usize| {
            let (_, schedule) = policies.iter().find(|(n, _)| *n == name).unwrap();
            schedule.learning_rate(t)
        };
        assert_eq!((eta("lazy", 0), eta("lazy", 2999)), (0.5, 0.5));
        assert_eq!((eta("catapult", 0), eta("catapult", 2999)), (4.0, 4.0));
        assert_eq!(eta("large-then-step", 999), 4.0);
        assert!((eta("large-then-step", 1000) - 0.4).abs() < 1e-15);
        assert!((eta("large-then-step", 2000) - 0.04).abs() < 1e-15);
        assert_eq!(eta("large-then-cosine", 0), 4.0);
        assert!((eta("large-then-cosine", 3000) - 0.05).abs() < 1e-15);
        assert!(eta("warmup-to-large", 0) < 0.02);
        assert_eq!(eta("warmup-to-large", 300), 4.0);
        assert_eq!(
            (eta("cyclic", 0), eta("cyclic", 250), eta("cyclic", 500)),
            (0.5, 4.0, 0.5)
        );
        assert!(super::policies(0.5, 4.0, 0).is_err());
    }
}
