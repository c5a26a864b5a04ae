//! Does the flatter minimum of the catapult phase generalise better? The experiment of Huang
//! et al. (arXiv 2011.12547) on real and synthetic data, with error bars.
//!
//! For every task ([`Task`]) and seed, the data is drawn (synthetic), split 70/30
//! (stratified), standardised (real data, statistics of the training part) and decomposed
//! into its separable and non-separable parts. A deep linear net (NTK parametrisation) is
//! trained with the logistic loss by full-batch GD at `η = factor·2/S0`, `S0` the sharpness
//! at initialisation, for every factor of the grid, with a constant step and with a
//! large-then-small schedule (the factor for the first steps, then a small factor) at the same
//! budget. At each checkpoint (fixed step budgets) the run records the train and test loss
//! and accuracy, the gradient norm (has the run converged?), the sharpness, and the
//! sharpness restricted to the non-separable input subspace and to its complement.
//!
//! Phases come from the one rule of `catapult-theory` ([`Phase::classify`]), read off the
//! full-batch loss at every step and the sharpness at the start and the last checkpoint.
//! The measured boundary of a task ([`Summary::boundary`]) is the smallest factor at which
//! most seeds catapult.
//!
//! ```
//! use catapult_experiments::generalisation::{GeneralisationSpec, Task, run_grid, summarise};
//! let mut spec = GeneralisationSpec::quick();
//! spec.tasks = vec![Task::IrisVersicolorVirginica];
//! spec.seeds = vec![0];
//! spec.factors = vec![0.5, 2.0];
//! spec.checkpoints = vec![50, 200];
//! spec.anneal = Some((100, 0.5));
//! spec.width = 32;
//! let rows = run_grid(&spec, 1, |_, _| {}).unwrap();
//! assert_eq!(rows.len(), 3 * 3); // (2 factors + large-then-small at 2.0) × (step 0 + 2 checkpoints)
//! let summary = summarise(&rows, 200);
//! assert!(summary.groups.iter().all(|g| g.runs == 1));
//! ```

mod run;
mod summary;

pub use catapult_data::LabelColumn;
pub use catapult_lab::task::{InputSubspaces, PreparedTask, Task, prepare_all};
pub use catapult_theory::{Phase, PhaseCriterion};
pub use run::{Checkpoint, RunPlan, RunResult, run_task};
pub use summary::{Group, Spread, Summary, summarise};

use crate::ExperimentError;
use catapult_lab::{ConfigError, parallel_map};
use catapult_optim::LrSchedule;
use catapult_optim::schedule::{Fixed, Sequence};
use serde::{Deserialize, Serialize};

/// The grid of the experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneralisationSpec {
    /// The tasks.
    pub tasks: Vec<Task>,
    /// Seeds of data, split and initialisation.
    pub seeds: Vec<u64>,
    /// Step sizes in units of `2/S0`.
    pub factors: Vec<f64>,
    /// Depth of the deep linear net.
    pub depth: usize,
    /// Hidden width.
    pub width: usize,
    /// Steps at which to measure, increasing; the last one is the budget. Step 0 (the
    /// initialisation) is always measured too.
    pub checkpoints: Vec<usize>,
    /// The large-then-small schedule: switch step and small factor. It runs for every
    /// factor above the small one.
    pub anneal: Option<(usize, f64)>,
    /// Fraction of each class sent to the test part.
    pub test_fraction: f64,
    /// Whether to compute the non-separable subspace and measure the restricted sharpness
    /// (the decomposition is slow on large data: see [`Task::prepare`]).
    pub restricted_sharpness: bool,
}

impl GeneralisationSpec {
    /// The full experiment: 5 tasks × 5 seeds × 12 factors from 0.25 to 64 (×√2… steps)
    /// with a 10 000-step budget, checkpoints at 100, 1000, 10 000; annealing to 0.5 after
    /// 1000 steps; depth 2, width 256.
    pub fn standard() -> Self {
        Self {
            tasks: Task::ALL.to_vec(),
            seeds: (0..5).collect(),
            factors: vec![
                0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 16.0, 32.0, 64.0,
            ],
            depth: 2,
            width: 256,
            checkpoints: vec![100, 1000, 10_000],
            anneal: Some((1000, 0.5)),
            test_fraction: 0.3,
            restricted_sharpness: true,
        }
    }

    /// A smaller grid for a first look (about a tenth of the work): 3 seeds, 7 factors,
    /// 2000 steps.
    pub fn quick() -> Self {
        Self {
            seeds: (0..3).collect(),
            factors: vec![0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0],
            checkpoints: vec![100, 500, 2000],
            anneal: Some((500, 0.5)),
            ..Self::standard()
        }
    }

    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |field: &'static str, problem: &str| {
            Err(ConfigError {
                field,
                problem: problem.to_string(),
            })
        };
        if self.tasks.is_empty() {
            return bad("tasks", "at least one task is needed");
        }
        if self.seeds.is_empty() {
            return bad("seeds", "at least one seed is needed");
        }
        if self.factors.is_empty() || self.factors.iter().any(|f| !(f.is_finite() && *f > 0.0)) {
            return bad(
                "factors",
                "a non-empty list of finite positive factors is needed",
            );
        }
        if self.depth < 2 {
            return bad("depth", "must be at least 2");
        }
        if self.width == 0 {
            return bad("width", "must be at least 1");
        }
        if self.checkpoints.is_empty() || self.checkpoints.windows(2).any(|w| w[0] >= w[1]) {
            return bad(
                "checkpoints",
                "must be a non-empty increasing list of steps",
            );
        }
        if !(self.test_fraction > 0.0 && self.test_fraction < 1.0) {
            return bad("test_fraction", "must be strictly between 0 and 1");
        }
        if let Some((switch_at, small)) = self.anneal {
            if !(small.is_finite() && small > 0.0) {
                return bad("anneal", "the small factor must be finite and positive");
            }
            if switch_at == 0 || switch_at >= self.budget() {
                return bad("anneal", "the switch step must lie inside the budget");
            }
        }
        Ok(())
    }

    /// The step budget (last checkpoint).
    pub fn budget(&self) -> usize {
        self.checkpoints.last().copied().unwrap_or(0)
    }

    /// Every run of the grid: per task and seed, each factor with a constant step, then
    /// each factor above the small one with the large-then-small schedule.
    fn runs(&self) -> Result<Vec<GridRun>, ExperimentError> {
        let mut checkpoints = self.checkpoints.clone();
        if checkpoints.first() != Some(&0) {
            checkpoints.insert(0, 0);
        }
        let mut runs = Vec::new();
        for &factor in &self.factors {
            runs.push(GridRun {
                schedule: "constant",
                factor,
                small_factor: None,
                plan: RunPlan::constant(self.depth, self.width, factor, checkpoints.clone())?,
            });
        }
        if let Some((switch_at, small_factor)) = self.anneal {
            for &factor in self.factors.iter().filter(|&&f| f > small_factor) {
                let mut plan =
                    RunPlan::constant(self.depth, self.width, factor, checkpoints.clone())?;
                plan.schedule = LrSchedule::Sequence(Sequence::new(
                    vec![(Fixed::new(factor)?.into(), switch_at)],
                    Fixed::new(small_factor)?.into(),
                )?);
                runs.push(GridRun {
                    schedule: "large-then-small",
                    factor,
                    small_factor: Some(small_factor),
                    plan,
                });
            }
        }
        Ok(runs)
    }
}

/// One run of the grid with its labels.
struct GridRun {
    schedule: &'static str,
    factor: f64,
    small_factor: Option<f64>,
    plan: RunPlan,
}

/// One checkpoint of one run: the unit of the experiment's CSV table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Task name.
    pub task: String,
    /// Seed of data, split and initialisation.
    pub seed: u64,
    /// `constant` or `large-then-small`.
    pub schedule: String,
    /// The (first) step size in units of `2/S0`.
    pub factor: f64,
    /// The (first) step size.
    pub eta: f64,
    /// The step size after the switch, for `large-then-small`.
    pub eta_small: Option<f64>,
    /// Sharpness at initialisation.
    pub sharpness0: f64,
    /// Phase of the whole run ([`Phase::classify`]).
    pub phase: Phase,
    /// The criterion of the phase rule that decided it.
    pub phase_criterion: PhaseCriterion,
    /// First step whose loss rose.
    pub first_rise: Option<usize>,
    /// Dimension of the training data's non-separable subspace, when computed.
    pub nonseparable_dim: Option<usize>,
    /// The checkpoint's measurements (see [`Checkpoint`]).
    pub step: usize,
    pub train_loss: f64,
    pub train_accuracy: f64,
    pub test_loss: f64,
    pub test_accuracy: f64,
    pub gradient_norm: f64,
    pub sharpness: f64,
    pub sharpness_nonseparable: Option<f64>,
    pub sharpness_complement: Option<f64>,
}

/// Runs the grid on `threads` threads (runs are independent and sequential inside), calling
/// `progress(done, total)` after each run; rows come back in grid order whatever the thread
/// count, so the same spec gives the same bits.
pub fn run_grid(
    spec: &GeneralisationSpec,
    threads: usize,
    progress: impl Fn(usize, usize) + Sync,
) -> Result<Vec<Row>, ExperimentError> {
    spec.validate()?;
    let prepared = prepare_all(
        &spec.tasks,
        &spec.seeds,
        spec.test_fraction,
        spec.restricted_sharpness,
        threads,
    )?;
    let runs = spec.runs()?;
    let jobs: Vec<(&PreparedTask, &GridRun)> = prepared
        .iter()
        .flat_map(|task| runs.iter().map(move |run| (task, run)))
        .collect();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let results = parallel_map(&jobs, threads, |&(task, run)| {
        let result = run_task(task, &run.plan);
        let finished = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        progress(finished, jobs.len());
        result
    });
    let mut rows = Vec::new();
    for (&(task, run), result) in jobs.iter().zip(results) {
        let result = result?;
        rows.extend(result.checkpoints.iter().map(|checkpoint| Row {
            task: task.task.name(),
            seed: task.seed,
            schedule: run.schedule.to_string(),
            factor: run.factor,
            eta: run.factor * result.unit,
            eta_small: run.small_factor.map(|small| small * result.unit),
            sharpness0: result.sharpness0,
            phase: result.phase,
            phase_criterion: result.phase_criterion,
            first_rise: result.first_rise,
            nonseparable_dim: task.subspaces.as_ref().map(|s| s.nonseparable.ncols()),
            step: checkpoint.step,
            train_loss: checkpoint.train_loss,
            train_accuracy: checkpoint.train_accuracy,
            test_loss: checkpoint.test_loss,
            test_accuracy: checkpoint.test_accuracy,
            gradient_norm: checkpoint.gradient_norm,
            sharpness: checkpoint.sharpness,
            sharpness_nonseparable: checkpoint.sharpness_nonseparable,
            sharpness_complement: checkpoint.sharpness_complement,
        }));
    }
    Ok(rows)
}
