//! The built-in tasks: real and synthetic binary datasets (or a file of the user's), split,
//! standardised and decomposed into their separable and non-separable parts.

use crate::{LabError, parallel_map};
use catapult_data::{
    Dataset, LabelColumn, Standardizer, decompose, iris_setosa_vs_rest,
    iris_versicolor_vs_virginica, load_csv, load_idx_pair, separable_mix, two_gaussians,
    winequality_red,
};
use faer::Mat;
use std::fmt;
use std::path::PathBuf;
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

/// A binary classification task of the experiment: a built-in one ([`Task::ALL`]) or a file
/// of the user's.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// A CSV file with a header row ([`catapult_data::load_csv`]): the label column's value
    /// `positive` is `+1`, its other value `−1`; standardised like the real tasks.
    Csv {
        /// The file.
        path: PathBuf,
        /// Which column holds the labels.
        label: LabelColumn,
        /// The label value that is `+1`.
        positive: String,
    },
    /// An MNIST / Fashion-MNIST IDX pair ([`catapult_data::load_idx_pair`]), raw or
    /// gzipped: class `class_a` is `+1`, `class_b` is `−1`; pixels in `[0, 1]`, then
    /// standardised like the real tasks.
    Idx {
        /// The images file.
        images: PathBuf,
        /// The labels file.
        labels: PathBuf,
        /// The digit (0–9) that is `+1`.
        class_a: u8,
        /// The digit that is `−1`.
        class_b: u8,
    },
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

    /// The name used on the command line and in tables: `csv:FILE` and
    /// `idx:FILE:A-vs-B` (FILE the file name of the CSV or images file) for the user's files.
    pub fn name(&self) -> String {
        let file_name = |path: &PathBuf| {
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into(),
            )
        };
        match self {
            Task::IrisVersicolorVirginica => "iris-versicolor-virginica".to_string(),
            Task::IrisSetosaVsRest => "iris-setosa".to_string(),
            Task::WineRed => "wine-red".to_string(),
            Task::SeparableMix => "separable-mix".to_string(),
            Task::Gaussians => "gaussians".to_string(),
            Task::Csv { path, .. } => format!("csv:{}", file_name(path)),
            Task::Idx {
                images,
                class_a,
                class_b,
                ..
            } => format!("idx:{}:{class_a}-vs-{class_b}", file_name(images)),
        }
    }

    /// Whether the data is measured (shipped or the user's) rather than generated: such data
    /// is standardised.
    pub fn is_real(&self) -> bool {
        !matches!(self, Task::SeparableMix | Task::Gaussians)
    }

    /// The task's data for `seed`: synthetic data is drawn with `seed`; every task is then
    /// split (stratified, `test_fraction` to test) with `seed`; real data is standardised
    /// with the mean and scale of its training part. With `with_subspaces`, the non-separable
    /// subspace of the training part and its complement are computed
    /// ([`catapult_data::decompose`], a sequence of LPs: about 3 s at n = 1000, d = 100 and
    /// 47 s at n = 2000, d = 200, so skip it on large data).
    ///
    /// Errors: a file that cannot be loaded (the error names the file and the problem), a
    /// split that leaves a part empty, a failed separability solve.
    pub fn prepare(
        &self,
        seed: u64,
        test_fraction: f64,
        with_subspaces: bool,
    ) -> Result<PreparedTask, LabError> {
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
            Task::Csv {
                path,
                label,
                positive,
            } => load_csv(path, label.clone(), positive)?,
            Task::Idx {
                images,
                labels,
                class_a,
                class_b,
            } => load_idx_pair(images, labels, *class_a, *class_b)?,
        };
        let (mut train, mut test) = data.split(test_fraction, seed)?;
        if self.is_real() {
            let standardizer = Standardizer::fit(&train);
            train = standardizer.transform(&train)?;
            test = standardizer.transform(&test)?;
        }
        let subspaces = if with_subspaces {
            let split = decompose(&train)?;
            Some(InputSubspaces {
                nonseparable: split.subspace,
                complement: split.complement,
            })
        } else {
            None
        };
        Ok(PreparedTask {
            task: self.clone(),
            seed,
            train,
            test,
            subspaces,
        })
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Task {
    type Err = String;

    /// A built-in task by name (files are given with their own options).
    fn from_str(name: &str) -> Result<Self, String> {
        Task::ALL
            .into_iter()
            .find(|task| task.name() == name)
            .ok_or_else(|| {
                let known: Vec<String> = Task::ALL.iter().map(Task::name).collect();
                format!("unknown task `{name}` (known: {})", known.join(", "))
            })
    }
}

/// Every task for every seed ([`Task::prepare`]) on `threads` threads, task by task.
pub fn prepare_all(
    tasks: &[Task],
    seeds: &[u64],
    test_fraction: f64,
    with_subspaces: bool,
    threads: usize,
) -> Result<Vec<PreparedTask>, LabError> {
    let pairs: Vec<(&Task, u64)> = tasks
        .iter()
        .flat_map(|task| seeds.iter().map(move |&seed| (task, seed)))
        .collect();
    parallel_map(&pairs, threads, |&(task, seed)| {
        task.prepare(seed, test_fraction, with_subspaces)
    })
    .into_iter()
    .collect()
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
    /// The training part's non-separable subspace and its complement, when computed.
    pub subspaces: Option<InputSubspaces>,
}

/// The split of the input space by the training data's separability.
#[derive(Debug, Clone)]
pub struct InputSubspaces {
    /// Orthonormal basis (d × k) of the non-separable subspace.
    pub nonseparable: Mat<f64>,
    /// Orthonormal basis (d × (d − k)) of its complement.
    pub complement: Mat<f64>,
}
