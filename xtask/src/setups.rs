//! What the figure modules share: the built-in degenerate datasets, helpers to run the lab on
//! them (in parallel), the run lengths and sweep ranges of the degenerate-data figures, panel
//! sizes, and [`Built`], what a figure module returns.

use anyhow::{Context, Result, anyhow};
use catapult_lab::{DataConfig, LearningRate, ModelConfig, OptimizerConfig, RunConfig, RunRecord};
use catapult_losses::Loss;
use catapult_plot::Figure;
use catapult_theory::{
    DegenerateProblem, Minimum, SUITE_A, SUITE_NONSEPARABLE_Y, SUITE_SEPARABLE_A, SUITE_SQUARED_Y,
};

/// A figure and the remarks worth printing about its runs (phase vs prediction).
pub struct Built {
    pub figure: Figure,
    pub notes: Vec<String>,
}

pub const TWO_PANELS: (u32, u32) = (1400, 720);
pub const THREE_PANELS: (u32, u32) = (1950, 720);
pub const SQUARED_STEPS: usize = 3000;
pub const LOGISTIC_STEPS: usize = 5000;
pub const SWEEP_POINTS: usize = 25;
pub const SWEEP_EVERY: usize = 100;
/// η·λ0 range of the squared-loss sweeps.
pub const SQUARED_SWEEP: (f64, f64) = (0.1, 6.0);
/// η·λ0 range of the logistic-loss sweeps.
pub const LOGISTIC_SWEEP: (f64, f64) = (0.1, 200.0);

/// Hidden width of the two-layer linear network in every figure.
pub const WIDTH: usize = 1000;
/// Input dimension (the data lie on one line of it).
pub const DIM: usize = 5;
/// Initialisation seed.
pub const SEED: u64 = 0;

/// Degenerate data `x_i = a_i e` with labels or targets `y_i`, and the loss trained on it
/// (the data of the theory crate's check suite).
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
    a: &SUITE_A,
    y: &SUITE_SQUARED_Y,
    loss: Loss::Squared,
};

/// Logistic loss on non-separable data: a finite minimiser `w*` exists.
pub const LOGISTIC_NONSEPARABLE: Dataset = Dataset {
    name: "logistic loss, non-separable data",
    a: &SUITE_A,
    y: &SUITE_NONSEPARABLE_Y,
    loss: Loss::Logistic,
};

/// Logistic loss on separable data: the risk has no finite minimiser.
pub const LOGISTIC_SEPARABLE: Dataset = Dataset {
    name: "logistic loss, separable data",
    a: &SUITE_SEPARABLE_A,
    y: &[1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    loss: Loss::Logistic,
};

impl Dataset {
    /// A run of the two-layer linear net of width [`WIDTH`] on this data.
    pub fn config(&self, lr: LearningRate, steps: usize, observe_every: usize) -> RunConfig {
        self.config_at(WIDTH, lr, steps, observe_every)
    }

    /// A run of the two-layer linear net of width `width` on this data.
    pub fn config_at(
        &self,
        width: usize,
        lr: LearningRate,
        steps: usize,
        observe_every: usize,
    ) -> RunConfig {
        RunConfig {
            data: DataConfig::Degenerate {
                a: self.a.to_vec(),
                y: self.y.to_vec(),
                dim: DIM,
            },
            model: ModelConfig::TwoLayerLinear { width },
            loss: self.loss,
            seed: SEED,
            lr,
            optimizer: OptimizerConfig::Gd,
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

    /// `λ0`, the top eigenvalue of Θ/n at initialisation, from a run of one step (runs
    /// measure λ0 before their first step).
    pub fn lambda0(&self) -> Result<f64> {
        let probe = self.config(LearningRate::Factor(1.0), 1, 1);
        Ok(run_one(&probe, self.name)?.lambda0)
    }
}

/// How a config's learning rate reads in messages.
pub fn describe_lr(lr: &LearningRate) -> String {
    match lr {
        LearningRate::Value(eta) => format!("η = {eta}"),
        LearningRate::Factor(factor) => format!("η = {factor}/λ0"),
        LearningRate::Schedule(schedule) => format!("η_t = {schedule}"),
        LearningRate::FactorSchedule(schedule) => format!("η_t = ({schedule})/λ0"),
    }
}

fn run_one(config: &RunConfig, what: &str) -> Result<RunRecord> {
    catapult_lab::run(config, |_, _| {})
        .with_context(|| format!("{what}: run at {}", describe_lr(&config.lr)))
}

/// Runs every config, spread over the available cores; records come back in input order.
pub fn run_all(dataset: &Dataset, configs: &[RunConfig]) -> Result<Vec<RunRecord>> {
    parallel_map(configs, |config| run_one(config, dataset.name))
        .into_iter()
        .collect()
}

/// The number of worker threads: the available cores.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `job` applied to every item on [`threads`] worker threads; results in input order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R> {
    catapult_lab::parallel_map(items, threads(), job)
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
