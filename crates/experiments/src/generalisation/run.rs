//! One run of the experiment: gradient descent on a task's training part, measured at
//! checkpoints on both parts.

use crate::ExperimentError;
use catapult_lab::task::PreparedTask;
use catapult_lab::{ConfigError, Scaled};
use catapult_losses::Loss;
use catapult_models::{DeepLinear, EmpiricalRisk, ModelError};
use catapult_optim::schedule::Fixed;
use catapult_optim::{
    Control, LrSchedule, Objective, Observer, Schedule, Sgd, SgdConfig, TrainOptions, train,
};
use catapult_spectral::{Lanczos, LanczosOptions};
use catapult_theory::{CurvatureEvidence, Phase, PhaseCriterion, PhaseEvidence};
use faer::{Col, ColRef, Mat};
use serde::{Deserialize, Serialize};

/// Relative residual at which the sharpness estimates stop.
const SHARPNESS_TOLERANCE: f64 = 1e-7;

/// What to run on a prepared task.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPlan {
    /// Depth of the deep linear net (NTK parametrisation, N(0, 1) init).
    pub depth: usize,
    /// Hidden width (every hidden layer).
    pub width: usize,
    /// The step sizes in units of `2/S0` (`S0` the sharpness at initialisation): `η_t =
    /// schedule(t)·2/S0`; `fix:k0=x` is a constant step `x·2/S0`.
    pub schedule: LrSchedule,
    /// Full-batch GD by default; mini-batch SGD, momentum and weight decay otherwise. Its
    /// `seed` seeds the batches.
    pub optimizer: SgdConfig,
    /// Steps at which to measure, increasing; the last one is the budget.
    pub checkpoints: Vec<usize>,
    /// Whether to keep the full-batch training loss of every step in
    /// [`RunResult::losses`].
    pub record_losses: bool,
}

impl RunPlan {
    /// A constant step `edge_multiple·2/S0` with full-batch GD, measured at `checkpoints`.
    /// Errors if `edge_multiple` is not finite and positive.
    pub fn constant(
        depth: usize,
        width: usize,
        edge_multiple: f64,
        checkpoints: Vec<usize>,
    ) -> Result<Self, ExperimentError> {
        Ok(Self {
            depth,
            width,
            schedule: LrSchedule::Fixed(Fixed::new(edge_multiple)?),
            optimizer: SgdConfig::default(),
            checkpoints,
            record_losses: false,
        })
    }
}

/// The measurements at one checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Gradient steps taken.
    pub step: usize,
    /// Logistic loss on the training part.
    pub train_loss: f64,
    /// Fraction of the training part classified correctly (`y·f > 0`).
    pub train_accuracy: f64,
    /// Logistic loss on the test part.
    pub test_loss: f64,
    /// Fraction of the test part classified correctly.
    pub test_accuracy: f64,
    /// `|∇L(θ)|` on the training part: how far from a stationary point the run is.
    pub gradient_norm: f64,
    /// Top eigenvalue of the training-loss Hessian.
    pub sharpness: f64,
    /// Sharpness restricted to the input-layer directions acting on the non-separable
    /// subspace ([`catapult_models::RestrictedHessianOperator`]); `None` when that subspace
    /// is `{0}` or was not computed.
    pub sharpness_nonseparable: Option<f64>,
    /// The same on its complement; `None` when the complement is `{0}` or was not computed.
    pub sharpness_complement: Option<f64>,
}

/// One finished run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Sharpness at initialisation `S0`.
    pub sharpness0: f64,
    /// The unit of the plan's schedule, `2/S0`: `η_t = schedule(t)·unit`.
    pub unit: f64,
    /// Lazy, catapult or divergent, by the one phase rule ([`Phase::classify`]) on the
    /// full-batch loss at every step and the sharpness at the start and the last checkpoint.
    pub phase: Phase,
    /// The criterion of the rule that decided the phase.
    pub phase_criterion: PhaseCriterion,
    /// The first step whose loss exceeded the previous one (relative `1e-9`).
    pub first_rise: Option<usize>,
    /// The checkpoints reached (all of them unless the run diverged).
    pub checkpoints: Vec<Checkpoint>,
    /// The full-batch training loss at every step taken, when the plan asks for it.
    pub losses: Vec<f64>,
}

/// Trains the plan's net with the logistic loss on `task.train` from the initialisation
/// seeded by `task.seed`, with the plan's optimizer and `η_t = schedule(t)·2/S0`, and
/// measures it at every checkpoint. The phase is read off the full-batch training loss,
/// which the monitor sees at every step.
///
/// Errors: an empty or unsorted checkpoint list, bad optimizer settings, a model that cannot
/// be built, or a failed eigen-solve.
pub fn run_task(task: &PreparedTask, plan: &RunPlan) -> Result<RunResult, ExperimentError> {
    plan.validate()?;
    let model = DeepLinear::new(plan.depth, plan.width, task.train.dim())?;
    let mut theta = model.init(task.seed);
    let test = EmpiricalRisk::new(model.clone(), Loss::Logistic, task.test.clone())?;
    let mut risk = EmpiricalRisk::new(model, Loss::Logistic, task.train.clone())?;
    let mut probe = Probe::new(task, &risk, test)?;
    let sharpness0 = probe.sharpness(&mut risk, theta.as_ref())?;
    let unit = 2.0 / sharpness0;
    let budget = *plan.checkpoints.last().unwrap_or(&0);
    let mut sgd = Sgd::new(plan.optimizer.clone(), risk.dim(), task.train.len())?;
    let mut monitor = Monitor {
        probe,
        checkpoints: &plan.checkpoints,
        next: 0,
        losses: Vec::new(),
        record_losses: plan.record_losses,
        results: Vec::new(),
    };
    let schedule = Scaled {
        schedule: &plan.schedule,
        unit,
    };
    let outcome = train(
        &mut risk,
        &mut theta,
        &mut sgd,
        &schedule,
        &TrainOptions::new(budget, 1)?,
        &mut monitor,
    )?;
    let mut evidence = PhaseEvidence::of(&outcome);
    if let Some(last) = monitor.results.last() {
        evidence = evidence.with_curvature(CurvatureEvidence {
            initial: sharpness0,
            end: last.sharpness,
            final_sharpness: last.sharpness,
            peak_eta: schedule.peak_learning_rate(budget),
        });
    }
    let label = Phase::classify(&evidence);
    Ok(RunResult {
        sharpness0,
        unit,
        phase: label.phase,
        phase_criterion: label.criterion,
        first_rise: outcome.first_rise,
        checkpoints: monitor.results,
        losses: monitor.losses,
    })
}

impl RunPlan {
    fn validate(&self) -> Result<(), ExperimentError> {
        if self.checkpoints.is_empty() || self.checkpoints.windows(2).any(|w| w[0] >= w[1]) {
            return Err(ExperimentError::from(ConfigError {
                field: "checkpoints",
                problem: "must be a non-empty increasing list of steps".to_string(),
            }));
        }
        Ok(())
    }
}

/// The test risk and the Lanczos workspaces of the three sharpness measurements.
struct Probe<'a> {
    test: EmpiricalRisk<DeepLinear>,
    total: Lanczos,
    /// A subspace basis and a Lanczos workspace of its dimension, for each non-trivial one.
    on_nonseparable: Option<(&'a Mat<f64>, Lanczos)>,
    on_complement: Option<(&'a Mat<f64>, Lanczos)>,
    previous_top: Option<Col<f64>>,
    gradient: Col<f64>,
}

impl<'a> Probe<'a> {
    fn new(
        task: &'a PreparedTask,
        train: &EmpiricalRisk<DeepLinear>,
        test: EmpiricalRisk<DeepLinear>,
    ) -> Result<Self, ExperimentError> {
        let options = LanczosOptions {
            tol: SHARPNESS_TOLERANCE,
            ..LanczosOptions::default()
        };
        let width = train.model().widths()[0];
        let restricted = |basis: Option<&'a Mat<f64>>| {
            basis
                .filter(|b| b.ncols() > 0)
                .map(|b| Lanczos::new(width * b.ncols(), options).map(|lanczos| (b, lanczos)))
                .transpose()
        };
        let subspaces = task.subspaces.as_ref();
        Ok(Self {
            total: Lanczos::new(train.dim(), options)?,
            on_nonseparable: restricted(subspaces.map(|s| &s.nonseparable))?,
            on_complement: restricted(subspaces.map(|s| &s.complement))?,
            test,
            previous_top: None,
            gradient: Col::zeros(train.dim()),
        })
    }

    fn sharpness(
        &mut self,
        risk: &mut EmpiricalRisk<DeepLinear>,
        theta: ColRef<'_, f64>,
    ) -> Result<f64, ModelError> {
        let warm = self.previous_top.as_ref().map(|v| v.as_ref());
        let top = risk.sharpness(theta, &mut self.total, warm)?;
        self.previous_top = Some(top.vector);
        Ok(top.value)
    }

    fn measure(
        &mut self,
        step: usize,
        loss: f64,
        risk: &mut EmpiricalRisk<DeepLinear>,
        theta: ColRef<'_, f64>,
    ) -> Result<Checkpoint, ModelError> {
        risk.value_and_gradient(theta, self.gradient.as_mut());
        let gradient_norm = self.gradient.norm_l2();
        let train_accuracy = risk.accuracy(theta)?;
        let test_loss = self.test.value(theta);
        let test_accuracy = self.test.accuracy(theta)?;
        let sharpness = self.sharpness(risk, theta)?;
        let mut restricted = |on: &mut Option<(&Mat<f64>, Lanczos)>| match on {
            Some((basis, lanczos)) => risk
                .restricted_sharpness(theta, basis.as_ref(), lanczos, None)
                .map(|top| Some(top.value)),
            None => Ok(None),
        };
        let sharpness_nonseparable = restricted(&mut self.on_nonseparable)?;
        let sharpness_complement = restricted(&mut self.on_complement)?;
        Ok(Checkpoint {
            step,
            train_loss: loss,
            train_accuracy,
            test_loss,
            test_accuracy,
            gradient_norm,
            sharpness,
            sharpness_nonseparable,
            sharpness_complement,
        })
    }
}

/// Keeps the loss of every step (when asked) and measures at the checkpoints; a failed
/// measurement ends the run with its error.
struct Monitor<'a> {
    probe: Probe<'a>,
    checkpoints: &'a [usize],
    next: usize,
    losses: Vec<f64>,
    record_losses: bool,
    results: Vec<Checkpoint>,
}

impl Observer<EmpiricalRisk<DeepLinear>> for Monitor<'_> {
    type Error = ExperimentError;

    fn observe(
        &mut self,
        step: usize,
        theta: ColRef<'_, f64>,
        loss: f64,
        risk: &mut EmpiricalRisk<DeepLinear>,
    ) -> Result<Control, ExperimentError> {
        if self.record_losses {
            self.losses.push(loss);
        }
        if self.checkpoints.get(self.next) == Some(&step) {
            self.next += 1;
            let checkpoint = self.probe.measure(step, loss, risk, theta)?;
            self.results.push(checkpoint);
        }
        Ok(Control::Continue)
    }
}
