//! Deep ReLU classifiers trained with the square loss, weight normalisation and weight decay
//! (Xu, Rangamani, Liao, Galanti, Poggio): the norm `ρ = Π_k ρ_k`, the training loss and
//! margin, the spectra of the weight matrices and neural collapse (NC1–NC3) over training, for
//! several weight decays λ.
//!
//! The network is [`catapult_models::ReluMlp`] (no biases) with one head per class, trained on
//! one-hot targets by [`catapult_optim::Sgd`] (full batch unless a batch size is given) under a
//! learning-rate schedule, with coupled weight decay: the step is that of
//! `L(θ) + ½λ‖θ‖²`, `L` the square loss averaged over the n·C sample-class scores. Under
//! weight normalisation the decay acts on the directions `V_k` and on the layer norms `ρ_k`;
//! only the latter changes the function.
//!
//! Cost: the model sees each sample once per class (n·C rows of `[x, e_c]`), so a step costs C
//! forward passes of the trunk; MNIST-sized inputs need a small `per_class` and fewer steps.

mod measure;

pub use measure::{
    CollapseMeasures, LayerSpectrum, NeuralCollapse, measure, neural_collapse, spectrum,
};

use crate::ExperimentError;
use catapult_data::{Classes, gaussian_classes, iris_classes, load_idx_classes};
use catapult_lab::{ConfigError, parallel_map};
use catapult_losses::Loss;
use catapult_models::{EmpiricalRisk, Model, Normalisation, ReluMlp};
use catapult_optim::{
    Control, LrSchedule, Observer, Sgd, SgdConfig, TrainOptions, WeightDecay, train,
};
use faer::ColRef;
use serde::Serialize;
use std::path::PathBuf;

/// The classification task.
#[derive(Debug, Clone, PartialEq)]
pub enum ClassTask {
    /// [`gaussian_classes`] with the run's seed.
    Gaussian {
        /// Number of classes C.
        classes: usize,
        /// Samples per class.
        per_class: usize,
        /// Input dimension d.
        dim: usize,
        /// Standard deviation of the class means (noise has unit variance).
        separation: f64,
    },
    /// Iris, three classes, standardised features.
    Iris,
    /// An MNIST / Fashion-MNIST IDX pair ([`load_idx_classes`]): the items of `digits`
    /// (class c is `digits[c]`), at most `per_class` of each, pixels in [0, 1].
    Idx {
        /// Path of the IDX images file.
        images: PathBuf,
        /// Path of the IDX labels file.
        labels: PathBuf,
        /// The labels kept, in class order.
        digits: Vec<u8>,
        /// At most this many samples per class; `None` keeps all.
        per_class: Option<usize>,
    },
}

impl ClassTask {
    /// The data of this task for `seed` (the Gaussian classes are drawn with it).
    pub fn data(&self, seed: u64) -> Result<Classes, ExperimentError> {
        Ok(match *self {
            ClassTask::Gaussian {
                classes,
                per_class,
                dim,
                separation,
            } => gaussian_classes(classes, per_class, dim, separation, seed)?,
            ClassTask::Iris => iris_classes().standardised(),
            ClassTask::Idx {
                ref images,
                ref labels,
                ref digits,
                per_class,
            } => load_idx_classes(images, labels, digits, per_class)?,
        })
    }

    /// A short name for tables.
    pub fn name(&self) -> String {
        match self {
            ClassTask::Gaussian {
                classes,
                per_class,
                dim,
                ..
            } => format!("gaussian-{classes}x{per_class}-d{dim}"),
            ClassTask::Iris => "iris-3".to_string(),
            ClassTask::Idx { digits, .. } => format!(
                "idx-{}",
                digits
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("")
            ),
        }
    }
}

/// The grid of the experiment: every weight decay on the same task, network and seed.
#[derive(Debug, Clone, PartialEq)]
pub struct CollapseSpec {
    /// The classification task.
    pub task: ClassTask,
    /// Hidden widths (depth = len + 1).
    pub hidden: Vec<usize>,
    /// Weight normalisation of the layers (none or per layer).
    pub normalisation: Normalisation,
    /// Learning-rate schedule spec (see [`catapult_optim::schedule`]).
    pub schedule: String,
    /// Mini-batch size in sample-class rows; `None` for full-batch GD.
    pub batch: Option<usize>,
    /// Optimisation steps per run.
    pub steps: usize,
    /// Measure every this many steps.
    pub observe_every: usize,
    /// The weight decays λ, one run each.
    pub weight_decays: Vec<f64>,
    /// Seed of data, initialisation and batches.
    pub seed: u64,
}

impl CollapseSpec {
    /// Four Gaussian classes (50 each, d = 10, separation 1), ReLU MLP 10 → 64 → 64 → 4 with
    /// per-layer weight normalisation, full-batch GD at a constant rate 0.5 for 20000 steps,
    /// observed every 500; λ ∈ {0, 10⁻³, 5·10⁻³, 10⁻²}; seed 0.
    pub fn standard() -> Self {
        Self {
            task: ClassTask::Gaussian {
                classes: 4,
                per_class: 50,
                dim: 10,
                separation: 1.0,
            },
            hidden: vec![64, 64],
            normalisation: Normalisation::PerLayer,
            schedule: "fix:k0=0.5".to_string(),
            batch: None,
            steps: 20_000,
            observe_every: 500,
            weight_decays: vec![0.0, 1e-3, 5e-3, 1e-2],
            seed: 0,
        }
    }

    fn validate(&self) -> Result<LrSchedule, ExperimentError> {
        if self.weight_decays.is_empty() {
            return Err(ConfigError {
                field: "weight_decays",
                problem: "at least one weight decay is needed".to_string(),
            }
            .into());
        }
        Ok(self.schedule.parse()?)
    }
}

/// One observation of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollapseRow {
    /// Task name ([`ClassTask::name`]).
    pub task: String,
    /// Weight normalisation: `none` or `per-layer`.
    pub normalisation: String,
    /// Weight decay λ of the run.
    pub weight_decay: f64,
    /// Optimisation step of the observation.
    pub step: usize,
    /// Square loss `(1/(nC)) Σ_i Σ_c ½(F_c(x_i) − 1[c = y_i])²` on the training data.
    pub loss: f64,
    /// Training accuracy (fraction in [0, 1]).
    pub accuracy: f64,
    /// Margin `min_i (F_{y_i}(x_i) − max_{c≠y_i} F_c(x_i))`.
    pub margin: f64,
    /// Margin of the normalised network, `margin/ρ`.
    pub normalised_margin: f64,
    /// Norm `ρ = Π_k ρ_k` of the network.
    pub rho: f64,
    /// `ρ_L` of the last layer.
    pub rho_last: f64,
    /// Stable rank `‖W_L‖_F²/‖W_L‖_2²` of the last layer.
    pub stable_rank_last: f64,
    /// Entropy effective rank of the last layer's singular values.
    pub effective_rank_last: f64,
    /// `srank_0.01` of the last layer.
    pub srank_last: usize,
    /// Stable rank of the penultimate layer `W_{L−1}`.
    pub stable_rank_penultimate: f64,
    /// Entropy effective rank of the penultimate layer.
    pub effective_rank_penultimate: f64,
    /// `srank_0.01` of the penultimate layer.
    pub srank_penultimate: usize,
    /// NC1 of the penultimate features ([`NeuralCollapse::nc1`]).
    pub nc1: f64,
    /// NC2 norm spread ([`NeuralCollapse::nc2_norm_spread`]).
    pub nc2_norm_spread: f64,
    /// NC2 angle spread ([`NeuralCollapse::nc2_angle_spread`]).
    pub nc2_angle_spread: f64,
    /// NC3 ([`NeuralCollapse::nc3`]).
    pub nc3: f64,
}

/// Every weight decay of `spec` (`threads` runs at a time), rows in the order of
/// `spec.weight_decays` then step.
pub fn run_collapse(
    spec: &CollapseSpec,
    threads: usize,
) -> Result<Vec<CollapseRow>, ExperimentError> {
    let schedule = spec.validate()?;
    let runs = parallel_map(&spec.weight_decays, threads, |&lambda| {
        run_one(spec, &schedule, lambda)
    });
    let mut rows = Vec::new();
    for run in runs {
        rows.extend(run?);
    }
    Ok(rows)
}

/// One run with weight decay `lambda`.
pub fn run_one(
    spec: &CollapseSpec,
    schedule: &LrSchedule,
    lambda: f64,
) -> Result<Vec<CollapseRow>, ExperimentError> {
    let data = spec.task.data(spec.seed)?;
    let mlp = ReluMlp::new(
        data.x().ncols(),
        &spec.hidden,
        data.num_classes(),
        spec.normalisation,
    )?;
    let rows = mlp.class_rows(data.x().as_ref(), data.labels())?;
    let mut risk = EmpiricalRisk::new(mlp.clone(), Loss::Squared, rows)?;
    let mut theta = mlp.init(spec.seed);
    let config = SgdConfig {
        batch: spec.batch,
        weight_decay: if lambda > 0.0 {
            WeightDecay::Coupled(lambda)
        } else {
            WeightDecay::None
        },
        seed: spec.seed,
        ..SgdConfig::default()
    };
    let mut sgd = Sgd::new(
        config,
        mlp.num_params(),
        data.labels().len() * data.num_classes(),
    )?;
    let options = TrainOptions::new(spec.steps, spec.observe_every)?;
    let mut observer = Recorder {
        mlp: &mlp,
        data: &data,
        spec,
        lambda,
        rows: Vec::new(),
    };
    let outcome = train(
        &mut risk,
        &mut theta,
        &mut sgd,
        schedule,
        &options,
        &mut observer,
    )?;
    if outcome.diverged {
        return Err(ExperimentError::Diverged {
            step: outcome.steps_taken,
        });
    }
    Ok(observer.rows)
}

/// Measures at every observed step; a failed measurement ends the run with its error.
struct Recorder<'a> {
    mlp: &'a ReluMlp,
    data: &'a Classes,
    spec: &'a CollapseSpec,
    lambda: f64,
    rows: Vec<CollapseRow>,
}

impl<O: catapult_optim::Objective + ?Sized> Observer<O> for Recorder<'_> {
    type Error = ExperimentError;

    fn observe(
        &mut self,
        step: usize,
        theta: ColRef<'_, f64>,
        _: f64,
        _: &mut O,
    ) -> Result<Control, ExperimentError> {
        let m = measure(self.mlp, theta, self.data)?;
        let depth = m.layers.len();
        let (last, penultimate) = (&m.layers[depth - 1], &m.layers[depth - 2]);
        self.rows.push(CollapseRow {
            task: self.spec.task.name(),
            normalisation: match self.spec.normalisation {
                Normalisation::None => "none",
                Normalisation::PerLayer => "per-layer",
            }
            .to_string(),
            weight_decay: self.lambda,
            step,
            loss: m.loss,
            accuracy: m.accuracy,
            margin: m.margin,
            normalised_margin: m.normalised_margin,
            rho: m.rho,
            rho_last: m.layer_norms[depth - 1],
            stable_rank_last: last.stable_rank,
            effective_rank_last: last.effective_rank,
            srank_last: last.srank,
            stable_rank_penultimate: penultimate.stable_rank,
            effective_rank_penultimate: penultimate.effective_rank,
            srank_penultimate: penultimate.srank,
            nc1: m.collapse.nc1,
            nc2_norm_spread: m.collapse.nc2_norm_spread,
            nc2_angle_spread: m.collapse.nc2_angle_spread,
            nc3: m.collapse.nc3,
        });
        Ok(Control::Continue)
    }
}
