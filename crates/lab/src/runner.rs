//! Executes a [`RunConfig`]: data → model → risk → gradient descent with observers → record.

use crate::config::ConfigError;
use crate::scaled::Scaled;
use crate::{DataConfig, FinalState, LearningRate, Phase, RunConfig, RunRecord, Trace};
use catapult_data::{DataError, Dataset, LoadError, SeparabilityError};
use catapult_models::{DeepLinear, EmpiricalRisk, Model, ModelError};
use catapult_optim::schedule::Fixed;
use catapult_optim::{
    Control, Objective, Observer, OptimError, Schedule, ScheduleError, Sgd, TrainOptions, train,
};
use catapult_spectral::{Lanczos, LanczosOptions, SpectralError};
use catapult_theory::{CurvatureEvidence, PhaseEvidence};
use faer::{Col, ColRef};

/// Why a run could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// A config value out of range.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The data is invalid.
    #[error("data: {0}")]
    Data(#[from] DataError),
    /// The model could not be built or measured.
    #[error("model: {0}")]
    Model(#[from] ModelError),
    /// A learning-rate schedule out of range.
    #[error("schedule: {0}")]
    Schedule(#[from] ScheduleError),
    /// Bad optimiser settings.
    #[error("optimiser: {0}")]
    Optim(#[from] OptimError),
    /// A data file could not be loaded.
    #[error("loading data: {0}")]
    Load(#[from] LoadError),
    /// A separability or decomposition solve failed.
    #[error("separability: {0}")]
    Separability(#[from] SeparabilityError),
    /// An eigen-solver failed.
    #[error("eigen-solver: {0}")]
    Spectral(#[from] SpectralError),
    /// The loss at initialisation is already non-finite or above the divergence threshold.
    #[error("the loss at initialisation is {0}: the run diverged before its first step")]
    DivergedAtStart(f64),
}

/// Runs one config. `progress(step, steps)` is called at every observation. The record's
/// `eta` is the step size of step 0 (the only one for a constant step).
///
/// Measurements: `lambda0` and `ntk_top` by Lanczos on the matrix-free Θ/n; `sharpness0` and
/// `sharpness` by Lanczos on exact Hessian-vector products, warm-started along the trajectory
/// from the previous top eigenvector.
pub fn run(
    config: &RunConfig,
    mut progress: impl FnMut(usize, usize),
) -> Result<RunRecord, LabError> {
    let (data, model, mut theta) = initial_state(config)?;
    let mut risk = EmpiricalRisk::new(model, config.loss, data)?;

    let mut curvature = CurvatureProbe::new(risk.dim(), risk.data().len())?;
    let lambda0 = curvature.ntk_top(&mut risk, theta.as_ref())?;
    let (schedule, unit) = match &config.lr {
        LearningRate::Value(value) => (Fixed::new(*value)?.into(), 1.0),
        LearningRate::Factor(factor) => (Fixed::new(factor / lambda0)?.into(), 1.0),
        LearningRate::Schedule(schedule) => (schedule.clone(), 1.0),
        LearningRate::FactorSchedule(schedule) => (schedule.clone(), 1.0 / lambda0),
    };
    let schedule = Scaled {
        schedule: &schedule,
        unit,
    };
    let eta = schedule.learning_rate(0);

    let mut optimizer = Sgd::new(
        config.optimizer.sgd_config(config.seed)?,
        risk.dim(),
        risk.data().len(),
    )?;
    let options = TrainOptions::new(config.steps, config.observe_every)?;
    let mut recorder = Recorder {
        curvature,
        trace: Trace::default(),
        progress: |step| progress(step, config.steps),
    };
    let outcome = train(
        &mut risk,
        &mut theta,
        &mut optimizer,
        &schedule,
        &options,
        &mut recorder,
    )?;
    let trace = recorder.trace;
    let last = trace
        .step
        .len()
        .checked_sub(1)
        .ok_or(LabError::DivergedAtStart(outcome.initial_loss))?;
    let final_state = FinalState {
        loss: trace.loss[last],
        accuracy: trace.accuracy[last],
        ntk_top: trace.ntk_top[last],
        sharpness: trace.sharpness[last],
        diverged: outcome.diverged,
    };
    let sharpness0 = trace.sharpness[0];
    let curvature = CurvatureEvidence {
        initial: lambda0,
        end: final_state.ntk_top,
        final_sharpness: final_state.sharpness,
        peak_eta: schedule.peak_learning_rate(config.steps),
    };
    let label = Phase::classify(&PhaseEvidence::of(&outcome).with_curvature(curvature));
    Ok(RunRecord {
        config: config.clone(),
        eta,
        lambda0,
        sharpness0,
        trace,
        final_state,
        phase: label.phase,
        phase_criterion: Some(label.criterion),
    })
}

/// What a run starts from: the validated config's training data, its model and θ0 (drawn
/// with the run's seed). [`crate::starting_point`] writes the same three out.
pub(crate) fn initial_state(
    config: &RunConfig,
) -> Result<(Dataset, DeepLinear, Col<f64>), LabError> {
    config.validate()?;
    let data = build_data(&config.data, config.seed)?;
    let model = config.model.build(data.dim())?;
    let theta = model.init(config.seed);
    Ok((data, model, theta))
}

/// The training data: degenerate data as given, or the training part of a task split with
/// the run's seed.
fn build_data(config: &DataConfig, seed: u64) -> Result<Dataset, LabError> {
    match config {
        DataConfig::Degenerate { a, y, dim } => Ok(Dataset::degenerate(a, y, *dim)?),
        DataConfig::Task { .. } | DataConfig::Csv { .. } | DataConfig::Idx { .. } => {
            Ok(config.task()?.prepare(seed, TEST_FRACTION, false)?.train)
        }
    }
}

/// The test fraction of a task split in a run config (the generalisation experiment's).
const TEST_FRACTION: f64 = 0.3;

/// Lanczos workspaces for the Hessian (dimension p) and Θ/n (dimension n), and the previous
/// top eigenvectors of each as warm starts along the trajectory.
struct CurvatureProbe {
    hessian: Lanczos,
    ntk: Lanczos,
    previous_top: Option<Col<f64>>,
    previous_ntk_top: Option<Col<f64>>,
}

impl CurvatureProbe {
    fn new(num_params: usize, num_samples: usize) -> Result<Self, SpectralError> {
        let options = LanczosOptions::default();
        Ok(Self {
            hessian: Lanczos::new(num_params, options)?,
            ntk: Lanczos::new(num_samples, options)?,
            previous_top: None,
            previous_ntk_top: None,
        })
    }

    fn ntk_top<M: Model>(
        &mut self,
        risk: &mut EmpiricalRisk<M>,
        theta: ColRef<'_, f64>,
    ) -> Result<f64, ModelError> {
        let warm = self.previous_ntk_top.as_ref().map(|v| v.as_ref());
        let top = risk.ntk_top_from(theta, &mut self.ntk, warm)?;
        self.previous_ntk_top = Some(top.vector);
        Ok(top.value)
    }

    fn sharpness<M: Model>(
        &mut self,
        risk: &mut EmpiricalRisk<M>,
        theta: ColRef<'_, f64>,
    ) -> Result<f64, ModelError> {
        let warm = self.previous_top.as_ref().map(|v| v.as_ref());
        let top = risk.sharpness(theta, &mut self.hessian, warm)?;
        self.previous_top = Some(top.vector);
        Ok(top.value)
    }
}

/// Fills the trace at every observation; a failed measurement ends the run with its error.
struct Recorder<P: FnMut(usize)> {
    curvature: CurvatureProbe,
    trace: Trace,
    progress: P,
}

impl<M: Model, P: FnMut(usize)> Observer<EmpiricalRisk<M>> for Recorder<P> {
    type Error = LabError;

    fn observe(
        &mut self,
        step: usize,
        theta: ColRef<'_, f64>,
        loss: f64,
        risk: &mut EmpiricalRisk<M>,
    ) -> Result<Control, LabError> {
        let accuracy = risk.accuracy(theta)?;
        let ntk_top = self.curvature.ntk_top(risk, theta)?;
        let sharpness = self.curvature.sharpness(risk, theta)?;
        self.trace.step.push(step);
        self.trace.loss.push(loss);
        self.trace.accuracy.push(accuracy);
        self.trace.ntk_top.push(ntk_top);
        self.trace.sharpness.push(sharpness);
        (self.progress)(step);
        Ok(Control::Continue)
    }
}
