//! Does the flatter minimum of the catapult phase generalise better? The experiment of Huang
//! et al. (arXiv 2011.12547) on real and synthetic data, with error bars.
//!
//! For every task ([`Task`]) and seed, the data is drawn (synthetic), split 70/30
//! (stratified), standardised (real data, statistics of the training part) and decomposed
//! into its separable and non-separable parts. A deep linear net (NTK parametrisation) is
//! trained with the logistic loss by full-batch GD at `η = x·2/S0`, `S0` the sharpness at
//! initialisation and `x = η·S0/2` the edge multiple (the step as a multiple of the initial
//! stability edge `2/S0`), for every edge multiple of the grid, with a constant step and with
//! a large-then-small schedule (the edge multiple for the first steps, then a small one) at
//! the same budget. At each checkpoint (fixed step budgets) the run records the train and test loss
//! and accuracy, the gradient norm (has the run converged?), the sharpness, and the
//! sharpness restricted to the non-separable input subspace and to its complement.
//!
//! Phases come from the one rule of `catapult-theory` ([`Phase::classify`]), read off the
//! full-batch loss at every step and the sharpness at the start and the last checkpoint.
//! The measured boundary of a task ([`Summary::boundary`]) is the smallest edge multiple at
//! which most seeds catapult.
//!
//! ```
//! use catapult_experiments::generalisation::{GeneralisationSpec, Task, run_grid, summarise};
//! let mut spec = GeneralisationSpec::quick();
//! spec.tasks = vec![Task::IrisVersicolorVirginica];
//! spec.seeds = vec![0];
//! spec.edge_multiples = vec![0.5, 2.0];
//! spec.checkpoints = vec![50, 200];
//! spec.anneal = Some((100, 0.5));
//! spec.width = 32;
//! let rows = run_grid(&spec, 1, |_, _| {}).unwrap();
//! // (2 edge multiples + large-then-small at 2.0) × (step 0 + 2 checkpoints)
//! assert_eq!(rows.len(), 3 * 3);
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
    /// Step sizes as edge multiples `x = η·S0/2` (`η = x·2/S0`, `S0` the sharpness at
    /// initialisation).
    pub edge_multiples: Vec<f64>,
    /// Depth of the deep linear net.
    pub depth: usize,
    /// Hidden width.
    pub width: usize,
    /// Steps at which to measure, increasing; the last one is the budget. Step 0 (the
    /// initialisation) is always measured too.
    pub checkpoints: Vec<usize>,
    /// The large-then-small schedule: switch step and small edge multiple. It runs for every
    /// edge multiple above the small one.
    pub anneal: Option<(usize, f64)>,
    /// Fraction of each class sent to the test part.
    pub test_fraction: f64,
    /// Whether to compute the non-separable subspace and measure the restricted sharpness
    /// (the decomposition is slow on large data: see [`Task::prepare`]).
    pub restricted_sharpness: bool,
}

impl GeneralisationSpec {
    /// The full experiment: 5 tasks × 5 seeds × 12 edge multiples from 0.25 to 64 (×√2… steps)
    /// with a 10 000-step budget, checkpoints at 100, 1000, 10 000; annealing to 0.5 after
    /// 1000 steps; depth 2, width 256.
    pub fn standard() -> Self {
        Self {
            tasks: Task::ALL.to_vec(),
            seeds: (0..5).collect(),
            edge_multiples: vec![
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

    /// A smaller grid for a first look (about a tenth of the work): 3 seeds, 7 edge multiples,
    /// 2000 steps.
    pub fn quick() -> Self {
        Self {
            seeds: (0..3).collect(),
            edge_multiples: vec![0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0],
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
        if self.edge_multiples.is_empty()
            || self
                .edge_multiples
                .iter()
                .any(|x| !(x.is_finite() && *x > 0.0))
        {
            return bad(
                "edge_multiples",
                "a non-empty list of finite positive edge multiples is needed",
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
                return bad(
                    "anneal",
                    "the small edge multiple must be finite and positive",
                );
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

    /// Every run of the grid: per task and seed, each edge multiple with a constant step, then
    /// each edge multiple above the small one with the large-then-small schedule.
    fn runs(&self) -> Result<Vec<GridRun>, ExperimentError> {
        let mut checkpoints = self.checkpoints.clone();
        if checkpoints.first() != Some(&0) {
            checkpoints.insert(0, 0);
        }
        let mut runs = Vec::new();
        for &edge_multiple in &self.edge_multiples {
            runs.push(GridRun {
                schedule: "constant",
                edge_multiple,
                small_edge_multiple: None,
                plan: RunPlan::constant(
                    self.depth,
                    self.width,
                    edge_multiple,
                    checkpoints.clone(),
                )?,
            });
        }
        if let Some((switch_at, small_edge_multiple)) = self.anneal {
            for &edge_multiple in self
                .edge_multiples
                .iter()
                .filter(|&&x| x > small_edge_multiple)
            {
                let mut plan =
                    RunPlan::constant(self.depth, self.width, edge_multiple, checkpoints.clone())?;
                plan.schedule = LrSchedule::Sequence(Sequence::new(
                    vec![(Fixed::new(edge_multiple)?.into(), switch_at)],
                    Fixed::new(small_edge_multiple)?.into(),
                )?);
                runs.push(GridRun {
                    schedule: "large-then-small",
                    edge_multiple,
                    small_edge_multiple: Some(small_edge_multiple),
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
    edge_multiple: f64,
    small_edge_multiple: Option<f64>,
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
    /// The (first) step size as an edge multiple `η·S0/2`.
    pub edge_multiple: f64,
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
    /// Gradient steps taken at the checkpoint (this and the fields below are the
    /// checkpoint's measurements, see [`Checkpoint`]).
    pub step: usize,
    /// Logistic loss on the training part.
    pub train_loss: f64,
    /// Fraction of the training part classified correctly (`y·f > 0`).
    pub train_accuracy: f64,
    /// Logistic loss on the test part.
    pub test_loss: f64,
    /// Fraction of the test part classified correctly.
    pub test_accuracy: f64,
    /// `|∇L(θ)|` on the training part.
    pub gradient_norm: f64,
    /// Top eigenvalue of the training-loss Hessian.
    pub sharpness: f64,
    /// Sharpness restricted to the input-layer directions on the non-separable subspace;
    /// `None` when that subspace is `{0}` or was not computed.
    pub sharpness_nonseparable: Option<f64>,
    /// The same on its complement; `None` when the complement is `{0}` or was not computed.
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
            edge_multiple: run.edge_multiple,
            eta: run.edge_multiple * result.unit,
            eta_small: run.small_edge_multiple.map(|small| small * result.unit),
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
