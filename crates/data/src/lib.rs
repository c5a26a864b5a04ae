//! Datasets for catapult: inputs as a faer matrix (one sample per row), targets as a column,
//! validated once at construction so that models can trust them.
//!
//! ```
//! use catapult_data::Dataset;
//! // Four points on one line in R^3 (the "degenerate" data of Huang et al.).
//! let data = Dataset::degenerate(&[1.0, 2.0, -1.0, 0.5], &[1.0, 1.0, 1.0, -1.0], 3).unwrap();
//! assert_eq!((data.len(), data.dim()), (4, 3));
//! data.check_binary_labels().unwrap();
//! ```

#![warn(missing_docs)]

mod classes;
mod dataset;
mod degenerate;
mod idx;
mod load;
mod real;
mod separability;
mod sparse;
mod split;
mod standardize;
mod synthetic;
mod tabular;

pub use classes::{Classes, gaussian_classes, iris_classes};
pub use dataset::{DataError, Dataset};
pub use degenerate::degenerate_direction;
pub use idx::{load_idx_classes, load_idx_pair};
pub use load::LoadError;
pub use real::{iris_setosa_vs_rest, iris_versicolor_vs_virginica, winequality_red};
pub use separability::{
    Bias, Decomposition, MaxMargin, Separability, SeparabilityError, decompose, max_margin_l1,
    max_margin_l2, separability,
};
pub use sparse::sparse_teacher;
pub use standardize::Standardizer;
pub use synthetic::{SeparableMix, flip_labels, separable_mix, two_gaussians};
pub use tabular::{LabelColumn, load_csv};
