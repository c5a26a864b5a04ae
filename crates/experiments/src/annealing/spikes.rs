//! Loss spikes of GD and SGD at the same step size, and whether each is followed by a drop in
//! sharpness (Zhu, Liu, Radhakrishnan, Belkin, ICML 2024, "catapults in SGD").

use crate::ExperimentError;
use crate::generalisation::{Phase, RunPlan, Task, run_task};
use catapult_lab::{ConfigError, parallel_map};
use catapult_optim::SgdConfig;

/// The spike comparison: one task, one step size, GD and SGD, several seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeSpec {
    /// The task.
    pub task: Task,
    /// Depth of the deep linear net.
    pub depth: usize,
    /// Width of its hidden layers.
    pub width: usize,
    /// Seeds of data, split, initialisation and batches.
    pub seeds: Vec<u64>,
    /// The constant step size as an edge multiple `η·S0/2` (`η = x·2/S0`, full-batch `S0`).
    pub edge_multiple: f64,
    /// The SGD batch size.
    pub batch: usize,
    /// Steps per run.
    pub steps: usize,
    /// Measure the sharpness every this many steps.
    pub sharpness_every: usize,
    /// A spike is a loss above this multiple of its running minimum.
    pub spike_factor: f64,
}

impl SpikeSpec {
    /// Red wine, depth 2, width 256, seeds 0–4, `η = 0.5·2/S0` (lazy for GD), batch 32,
    /// 2000 steps, sharpness every 10 steps, spikes above 2× the running minimum.
    pub fn standard() -> Self {
        Self {
            task: Task::WineRed,
            depth: 2,
            width: 256,
            seeds: (0..5).collect(),
            edge_multiple: 0.5,
            batch: 32,
            steps: 2000,
            sharpness_every: 10,
            spike_factor: 2.0,
        }
    }
}

/// One spike: steps `start..end` with the loss above `factor` times the running minimum at
/// `start − 1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    /// First step above the threshold.
    pub start: usize,
    /// Step of the largest loss in the spike.
    pub peak: usize,
    /// First step back below the threshold (`None` if the run ended inside the spike).
    pub end: Option<usize>,
    /// Largest loss over the running minimum.
    pub height: f64,
    /// Last sharpness measured at or before `start`.
    pub sharpness_before: Option<f64>,
    /// First sharpness measured at or after `end`.
    pub sharpness_after: Option<f64>,
}

impl Spike {
    /// Whether the sharpness after the spike is below the sharpness before it.
    pub fn followed_by_sharpness_drop(&self) -> Option<bool> {
        Some(self.sharpness_after? < self.sharpness_before?)
    }
}

/// The spikes of a loss curve (`losses[t]` the loss after `t` steps) as `(start, peak, end,
/// height)`: a spike starts at the first `t > 0` with `losses[t] > factor · m`, `m =
/// min(losses[..t])`, and ends at the first later step whose loss is back at or below
/// `factor · m`; `peak` is its largest finite loss and `height` that loss over `m`. A
/// non-finite loss counts as above the threshold.
pub fn find_spikes(losses: &[f64], factor: f64) -> Vec<(usize, usize, Option<usize>, f64)> {
    let mut spikes = Vec::new();
    let mut minimum = f64::INFINITY;
    // (start, peak, minimum at the start) of the spike in progress
    let mut current: Option<(usize, usize, f64)> = None;
    let close = |start: usize, peak: usize, end: Option<usize>, base: f64| {
        (start, peak, end, losses[peak] / base)
    };
    for (t, &loss) in losses.iter().enumerate() {
        match current {
            Some((start, peak, base)) if loss <= factor * base => {
                spikes.push(close(start, peak, Some(t), base));
                current = None;
                minimum = minimum.min(loss);
            }
            Some((start, peak, base)) => {
                if loss.is_finite() && loss > losses[peak] {
                    current = Some((start, t, base));
                }
            }
            None if t > 0 && (loss.is_nan() || loss > factor * minimum) => {
                current = Some((t, t, minimum))
            }
            None => minimum = minimum.min(loss),
        }
    }
    if let Some((start, peak, base)) = current {
        spikes.push(close(start, peak, None, base));
    }
    spikes
}

/// One run of the spike comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeRun {
    /// `gd` or `sgd`.
    pub optimizer: &'static str,
    /// Seed.
    pub seed: u64,
    /// Phase of the run.
    pub phase: Phase,
    /// Full-batch training loss of every step.
    pub losses: Vec<f64>,
    /// `(step, sharpness)` every `sharpness_every` steps.
    pub sharpness: Vec<(usize, f64)>,
    /// The spikes, with the sharpness around them.
    pub spikes: Vec<Spike>,
    /// `S0`.
    pub sharpness0: f64,
}

impl SpikeRun {
    /// `(spikes followed by a sharpness drop, spikes with both measurements)`.
    pub fn sharpness_drops(&self) -> (usize, usize) {
        let judged: Vec<bool> = self
            .spikes
            .iter()
            .filter_map(Spike::followed_by_sharpness_drop)
            .collect();
        (judged.iter().filter(|&&drop| drop).count(), judged.len())
    }

    /// The last measured sharpness over `S0`.
    pub fn final_relative_sharpness(&self) -> f64 {
        self.sharpness.last().map_or(f64::NAN, |&(_, s)| s) / self.sharpness0
    }
}

/// GD and SGD runs for every seed (GD first), on `threads` threads.
pub fn run_spikes(spec: &SpikeSpec, threads: usize) -> Result<Vec<SpikeRun>, ExperimentError> {
    if spec.sharpness_every == 0 || spec.steps == 0 || spec.batch == 0 {
        return Err(ExperimentError::from(ConfigError {
            field: "spikes",
            problem: "steps, batch and sharpness_every must be at least 1".to_string(),
        }));
    }
    let jobs: Vec<(&'static str, u64)> = spec
        .seeds
        .iter()
        .flat_map(|&seed| [("gd", seed), ("sgd", seed)])
        .collect();
    let results = parallel_map(&jobs, threads, |&(optimizer, seed)| {
        let task = spec.task.prepare(seed, 0.3, false)?;
        let checkpoints = (0..=spec.steps).step_by(spec.sharpness_every).collect();
        let mut plan = RunPlan::constant(spec.depth, spec.width, spec.edge_multiple, checkpoints)?;
        plan.record_losses = true;
        if optimizer == "sgd" {
            plan.optimizer = SgdConfig {
                batch: Some(spec.batch),
                seed,
                ..SgdConfig::default()
            };
        }
        let result = run_task(&task, &plan)?;
        let sharpness: Vec<(usize, f64)> = result
            .checkpoints
            .iter()
            .map(|c| (c.step, c.sharpness))
            .collect();
        let spikes = find_spikes(&result.losses, spec.spike_factor)
            .into_iter()
            .map(|(start, peak, end, height)| Spike {
                start,
                peak,
                end,
                height,
                sharpness_before: sharpness
                    .iter()
                    .rev()
                    .find(|(s, _)| *s <= start)
                    .map(|&(_, v)| v),
                sharpness_after: end
                    .and_then(|end| sharpness.iter().find(|(s, _)| *s >= end).map(|&(_, v)| v)),
            })
            .collect();
        Ok(SpikeRun {
            optimizer,
            seed,
            phase: result.phase,
            losses: result.losses,
            sharpness,
            spikes,
            sharpness0: result.sharpness0,
        })
    });
    results.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spikes_start_above_the_running_minimum_and_end_back_below() {
        let losses = [4.0, 2.0, 1.0, 1.5, 3.0, 5.0, 2.5, 1.9, 0.8, 0.9, 2.0, 0.5];
        let spikes = find_spikes(&losses, 2.0);
        // 3.0 > 2·1.0 starts a spike at 4, peak 5.0 at 5, back to 1.9 ≤ 2 at 7;
        // 2.0 > 2·0.8 starts one at 10, back at 11.
        assert_eq!(spikes, vec![(4, 5, Some(7), 5.0), (10, 10, Some(11), 2.5)]);
        assert_eq!(
            find_spikes(&[1.0, 3.0, f64::NAN], 2.0),
            vec![(1, 1, None, 3.0)]
        );
        assert!(find_spikes(&[3.0, 2.0, 1.0], 2.0).is_empty());
    }

    #[test]
    fn a_drop_needs_both_measurements() {
        let spike = Spike {
            start: 4,
            peak: 5,
            end: Some(7),
            height: 5.0,
            sharpness_before: Some(2.0),
            sharpness_after: Some(1.0),
        };
        assert_eq!(spike.followed_by_sharpness_drop(), Some(true));
        let open = Spike {
            end: None,
            sharpness_after: None,
            ..spike
        };
        assert_eq!(open.followed_by_sharpness_drop(), None);
    }
}
