//! The built-in degenerate datasets and helpers to run the lab on them (in parallel).

use anyhow::{Context, Result, anyhow};
use catapult_lab::{DataConfig, LearningRate, ModelConfig, RunConfig, RunRecord};
use catapult_losses::Loss;
use catapult_theory::{DegenerateProblem, Minimum};

/// Hidden width of the two-layer linear network in every figure.
pub const WIDTH: usize = 1000;
/// Input dimension (the data lie on one line of it).
pub const DIM: usize = 5;
/// Initialisation seed.
pub const SEED: u64 = 0;

/// Degenerate data `x_i = a_i e` with labels or targets `y_i`, and the loss trained on it.
#[derive(Debug, Clone, Copy)]
pub struct Dataset {
    pub name: &'static str,
    pub a: &'static [f64],
    pub y: &'static [f64],
    pub loss: Loss,
}

/// Squared loss (Lewkowycz et al. 2020 setting).
pub const SQUARED: Dataset = Dataset {
    name: "squared loss",
    a: &[1.0, 0.6, -0.8, 1.4, -0.3, 0.9],
    y: &[1.0, 1.0, -1.0, 1.0, 1.0, -1.0],
    loss: Loss::Squared,
};

/// Logistic loss on non-separable data: a finite minimiser `w*` exists.
pub const LOGISTIC_NONSEPARABLE: Dataset = Dataset {
    name: "logistic loss, non-separable data",
    a: &[1.0, 0.6, -0.8, 1.4, -0.3, 0.9],
    y: &[1.0, 1.0, 1.0, 1.0, 1.0, -1.0],
    loss: Loss::Logistic,
};

/// Logistic loss on separable data: the risk has no finite minimiser.
pub const LOGISTIC_SEPARABLE: Dataset = Dataset {
    name: "logistic loss, separable data",
    a: &[1.0, 0.6, 0.8, 1.4, 0.5, 0.9],
    y: &[1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    loss: Loss::Logistic,
};

impl Dataset {
    /// A run of the two-layer linear net on this data.
    pub fn config(&self, lr: LearningRate, steps: usize, observe_every: usize) -> RunConfig {
        RunConfig {
            data: DataConfig::Degenerate {
                a: self.a.to_vec(),
                y: self.y.to_vec(),
                dim: DIM,
            },
            model: ModelConfig::TwoLayerLinear { width: WIDTH },
            loss: self.loss,
            seed: SEED,
            lr,
            steps,
            observe_every,
        }
    }

    /// The 1-D risk `L(w)` of the collapsed network.
    pub fn problem(&self) -> Result<DegenerateProblem> {
        DegenerateProblem::new(self.a, self.y, self.loss)
            .with_context(|| format!("{}: theory", self.name))
    }

    /// The minimiser of the 1-D risk; an error on separable data.
    pub fn minimum(&self) -> Result<Minimum> {
        self.problem()?
            .minimiser()
            .ok_or_else(|| anyhow!("{}: the risk has no finite minimiser", self.name))
    }

    /// `λ0`, the top eigenvalue of Θ/n at initialisation, from a run of zero steps.
    pub fn lambda0(&self) -> Result<f64> {
        let probe = self.config(LearningRate::Factor(1.0), 0, 1);
        Ok(run_one(&probe, self.name)?.lambda0)
    }
}

/// How a config's learning rate reads in messages.
pub fn describe_lr(lr: LearningRate) -> String {
    match lr {
        LearningRate::Value(eta) => format!("η = {eta}"),
        LearningRate::Factor(factor) => format!("η = {factor}/λ0"),
    }
}

fn run_one(config: &RunConfig, what: &str) -> Result<RunRecord> {
    catapult_lab::run(config, |_, _| {})
        .with_context(|| format!("{what}: run at {}", describe_lr(config.lr)))
}

/// Runs every config, spread over the available cores; records come back in input order.
pub fn run_all(dataset: &Dataset, configs: &[RunConfig]) -> Result<Vec<RunRecord>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, configs.len().max(1));
    let mut slots: Vec<Option<Result<RunRecord>>> = configs.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                scope.spawn(move || {
                    (worker..configs.len())
                        .step_by(threads)
                        .map(|i| (i, run_one(&configs[i], dataset.name)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for worker in workers {
            match worker.join() {
                Ok(done) => {
                    for (i, result) in done {
                        slots[i] = Some(result);
                    }
                }
                Err(_) => return Err(anyhow!("{}: a worker thread panicked", dataset.name)),
            }
        }
        Ok(())
    })?;
    slots
        .into_iter()
        .map(|slot| {
            slot.unwrap_or_else(|| Err(anyhow!("{}: a run was never started", dataset.name)))
        })
        .collect()
}

/// `n` values from `lo` to `hi` (inclusive), evenly spaced on a log scale.
pub fn log_space(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    match n {
        0 => Vec::new(),
        1 => vec![lo],
        _ => {
            let (l, h) = (lo.ln(), hi.ln());
            (0..n)
                .map(|i| (l + (h - l) * i as f64 / (n - 1) as f64).exp())
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_space_hits_both_ends() {
        let v = log_space(0.1, 10.0, 3);
        assert!(
            (v[0] - 0.1).abs() < 1e-15 && (v[1] - 1.0).abs() < 1e-12 && (v[2] - 10.0).abs() < 1e-12
        );
    }

    #[test]
    fn datasets_are_what_the_theory_expects() {
        assert!(LOGISTIC_NONSEPARABLE.minimum().is_ok());
        assert!(LOGISTIC_SEPARABLE.minimum().is_err());
        assert!(
            SQUARED
                .config(LearningRate::Factor(1.0), 1, 1)
                .validate()
                .is_ok()
        );
    }
}
