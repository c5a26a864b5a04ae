//! Mean ± standard deviation over seeds, per task, schedule and step size, at one checkpoint.

use super::{Phase, Row};
use std::collections::BTreeMap;

/// Mean and sample standard deviation (`n − 1` in the denominator; 0 for one value).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub sd: f64,
}

impl Spread {
    /// `None` for no values.
    pub fn of(values: &[f64]) -> Option<Spread> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            let square_sum: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
            (square_sum / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        Some(Spread { mean, sd })
    }
}

/// The runs of one task, schedule and edge multiple.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Task name.
    pub task: String,
    /// `constant` or `large-then-small`.
    pub schedule: String,
    /// Step size as an edge multiple `η·S0/2` (`S0` the sharpness at initialisation).
    pub edge_multiple: f64,
    /// Runs in the group (one per seed).
    pub runs: usize,
    /// How many of them were lazy ([`Phase::Lazy`]).
    pub lazy: usize,
    /// How many were in the catapult phase ([`Phase::Catapult`]).
    pub catapult: usize,
    /// How many diverged ([`Phase::Divergent`]); they are left out of the spreads.
    pub divergent: usize,
    /// Over the non-divergent runs at the summary's step; `None` when there are none.
    pub test_accuracy: Option<Spread>,
    /// Paired by seed: test accuracy minus that of the task's reference run (the constant
    /// step with the smallest edge multiple) of the same seed at the same step.
    pub accuracy_gain: Option<Spread>,
    /// Test logistic loss over the non-divergent runs.
    pub test_loss: Option<Spread>,
    /// Training logistic loss over the non-divergent runs.
    pub train_loss: Option<Spread>,
    /// `|∇L(θ)|` on the training part over the non-divergent runs.
    pub gradient_norm: Option<Spread>,
    /// Sharpness (top Hessian eigenvalue) over the non-divergent runs.
    pub sharpness: Option<Spread>,
    /// Sharpness on the non-separable subspace over the runs that have it.
    pub sharpness_nonseparable: Option<Spread>,
    /// Sharpness on its complement over the runs that have it.
    pub sharpness_complement: Option<Spread>,
}

/// Every group at one checkpoint step.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The checkpoint step summarised.
    pub step: usize,
    /// Groups sorted by task, schedule, edge multiple.
    pub groups: Vec<Group>,
}

impl Summary {
    /// The measured catapult boundary of `task`: the smallest edge multiple whose constant-step
    /// runs catapult (or diverge) in more than half of the seeds; `None` if no edge multiple does.
    pub fn boundary(&self, task: &str) -> Option<f64> {
        self.groups
            .iter()
            .filter(|g| g.task == task && g.schedule == "constant")
            .find(|g| 2 * (g.catapult + g.divergent) > g.runs)
            .map(|g| g.edge_multiple)
    }
}

/// Groups `rows` by task, schedule and edge multiple. Phase counts are over every run of the
/// group; the measurements are those at `step` of the runs that are not divergent.
pub fn summarise(rows: &[Row], step: usize) -> Summary {
    type Key = (String, String, u64);
    let mut phases: BTreeMap<Key, BTreeMap<u64, Phase>> = BTreeMap::new();
    let mut at_step: BTreeMap<Key, Vec<&Row>> = BTreeMap::new();
    let mut reference: BTreeMap<&str, (f64, BTreeMap<u64, f64>)> = BTreeMap::new();
    for row in rows
        .iter()
        .filter(|r| r.step == step && r.schedule == "constant")
    {
        let entry = reference
            .entry(row.task.as_str())
            .or_insert((f64::INFINITY, BTreeMap::new()));
        if row.edge_multiple < entry.0 {
            *entry = (row.edge_multiple, BTreeMap::new());
        }
        if row.edge_multiple == entry.0 && row.phase != Phase::Divergent {
            entry.1.insert(row.seed, row.test_accuracy);
        }
    }
    for row in rows {
        let key = (
            row.task.clone(),
            row.schedule.clone(),
            row.edge_multiple.to_bits(),
        );
        phases
            .entry(key.clone())
            .or_default()
            .insert(row.seed, row.phase);
        if row.step == step && row.phase != Phase::Divergent {
            at_step.entry(key).or_default().push(row);
        }
    }
    let mut groups: Vec<Group> = phases
        .into_iter()
        .map(|(key, seeds)| {
            let count = |phase| seeds.values().filter(|&&p| p == phase).count();
            let rows = at_step.get(&key).map(Vec::as_slice).unwrap_or(&[]);
            let spread = |value: &dyn Fn(&Row) -> Option<f64>| {
                Spread::of(&rows.iter().filter_map(|r| value(r)).collect::<Vec<_>>())
            };
            let baseline = reference.get(key.0.as_str()).map(|(_, by_seed)| by_seed);
            let gain = |r: &Row| Some(r.test_accuracy - baseline?.get(&r.seed)?);
            Group {
                edge_multiple: f64::from_bits(key.2),
                runs: seeds.len(),
                lazy: count(Phase::Lazy),
                catapult: count(Phase::Catapult),
                divergent: count(Phase::Divergent),
                test_accuracy: spread(&|r| Some(r.test_accuracy)),
                accuracy_gain: spread(&gain),
                test_loss: spread(&|r| Some(r.test_loss)),
                train_loss: spread(&|r| Some(r.train_loss)),
                gradient_norm: spread(&|r| Some(r.gradient_norm)),
                sharpness: spread(&|r| Some(r.sharpness)),
                sharpness_nonseparable: spread(&|r| r.sharpness_nonseparable),
                sharpness_complement: spread(&|r| r.sharpness_complement),
                task: key.0,
                schedule: key.1,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        (&a.task, &a.schedule)
            .cmp(&(&b.task, &b.schedule))
            .then(a.edge_multiple.total_cmp(&b.edge_multiple))
    });
    Summary { step, groups }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_mean_and_sample_sd() {
        let s = Spread::of(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(s.mean, 2.5);
        assert!((s.sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(Spread::of(&[7.0]).unwrap().sd, 0.0);
        assert_eq!(Spread::of(&[]), None);
    }
}
