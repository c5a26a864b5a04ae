//! The datasets of the generalisation experiment, split, standardised and decomposed.

use crate::LabError;
use catapult_data::{
    Dataset, Standardizer, decompose, iris_setosa_vs_rest, iris_versicolor_vs_virginica,
    separable_mix, two_gaussians, winequality_red,
};
use faer::Mat;
use std::fmt;
use std::str::FromStr;

/// Samples, separable and non-separable coordinates of the synthetic mix.
const MIX_SAMPLES: usize = 400;
const MIX_SEPARABLE_DIMS: usize = 4;
const MIX_NONSEPARABLE_DIMS: usize = 4;
const MIX_MARGIN: f64 = 0.5;
/// Samples per class, dimension and mean gap (in units of the standard deviation) of the
/// overlapping Gaussians: Bayes error `Φ(−1) ≈ 0.16`.
const GAUSSIANS_PER_CLASS: usize = 200;
const GAUSSIANS_DIM: usize = 10;
const GAUSSIANS_GAP: f64 = 2.0;

/// A binary classification task of the experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Task {
    /// Iris versicolor (+1) vs virginica (−1): 100 samples, 4 features, not separable.
    IrisVersicolorVirginica,
    /// Iris setosa (+1) vs the rest (−1): 150 samples, 4 features, separable.
    IrisSetosaVsRest,
    /// Red wine, quality ≥ 6 (+1) vs ≤ 5 (−1): 1599 samples, 11 features, not separable.
    WineRed,
    /// [`catapult_data::separable_mix`] with 400 samples, 4 separable and 4 non-separable
    /// coordinates, margin 0.5: the non-separable subspace is known exactly.
    SeparableMix,
    /// [`catapult_data::two_gaussians`], 200 per class in R^10, means 2 standard deviations
    /// apart: overlapping in every direction.
    Gaussians,
}

impl Task {
    /// Every task, in a fixed order.
    pub const ALL: [Task; 5] = [
        Task::IrisVersicolorVirginica,
        Task::IrisSetosaVsRest,
        Task::WineRed,
        Task::SeparableMix,
        Task::Gaussians,
    ];

    /// The name used on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            Task::IrisVersicolorVirginica => "iris-versicolor-virginica",
            Task::IrisSetosaVsRest => "iris-setosa",
            Task::WineRed => "wine-red",
            Task::SeparableMix => "separable-mix",
            Task::Gaussians => "gaussians",
        }
    }

    /// Whether the data is real (shipped) rather than generated.
    pub fn is_real(self) -> bool {
        matches!(
            self,
            Task::IrisVersicolorVirginica | Task::IrisSetosaVsRest | Task::WineRed
        )
    }

    /// The task's data for `seed`: synthetic data is drawn with `seed`; every task is then
    /// split (stratified, `test_fraction` to test) with `seed`; real data is standardised
    /// with the mean and scale of its training part; the non-separable subspace is that of
    /// the training part ([`catapult_data::decompose`]).
    pub fn prepare(self, seed: u64, test_fraction: f64) -> Result<PreparedTask, LabError> {
        let data = match self {
            Task::IrisVersicolorVirginica => iris_versicolor_vs_virginica(),
            Task::IrisSetosaVsRest => iris_setosa_vs_rest(),
            Task::WineRed => winequality_red(),
            Task::SeparableMix => {
                separable_mix(
                    MIX_SAMPLES,
                    MIX_SEPARABLE_DIMS,
                    MIX_NONSEPARABLE_DIMS,
                    MIX_MARGIN,
                    seed,
                )?
                .data
            }
            Task::Gaussians => {
                two_gaussians(GAUSSIANS_PER_CLASS, GAUSSIANS_DIM, GAUSSIANS_GAP, 1.0, seed)?
            }
        };
        let (mut train, mut test) = data.split(test_fraction, seed)?;
        if self.is_real() {
            let standardizer = Standardizer::fit(&train);
            train = standardizer.transform(&train)?;
            test = standardizer.transform(&test)?;
        }
        let split = decompose(&train)?;
        Ok(PreparedTask {
            task: self,
            seed,
            train,
            test,
            nonseparable: split.subspace,
            complement: split.complement,
        })
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Task {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        Task::ALL
            .into_iter()
            .find(|task| task.name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = Task::ALL.iter().map(|t| t.name()).collect();
                format!("unknown task `{name}` (known: {})", known.join(", "))
            })
    }
}

/// A task's data for one seed, ready to train on.
#[derive(Debug, Clone)]
pub struct PreparedTask {
    /// Which task.
    pub task: Task,
    /// The seed of the data, the split and the initialisation.
    pub seed: u64,
    /// The training part (standardised for real data).
    pub train: Dataset,
    /// The test part (standardised with the training part's statistics).
    pub test: Dataset,
    /// Orthonormal basis (d × k) of the training data's non-separable subspace.
    pub nonseparable: Mat<f64>,
    /// Orthonormal basis (d × (d − k)) of its complement.
    pub complement: Mat<f64>,
}
