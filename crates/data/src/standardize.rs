//! Per-feature standardisation with statistics of the training split only.
//!
//! [`Standardizer::fit`] stores, for each feature `j` of the training data, the mean `μ_j` and
//! the population standard deviation `σ_j = √((1/n) Σ_i (x_ij − μ_j)²)` (divisor `n`, not
//! `n − 1`). A constant feature (all training values equal) gets `μ_j` = that value and scale
//! 1, so it maps to exactly 0 instead of dividing by zero. [`Standardizer::transform`] maps
//! `x_ij ↦ (x_ij − μ_j)/scale_j` and keeps the targets; it never refits, so the test split is
//! transformed with the training statistics.
//!
//! ```
//! use catapult_data::{iris_setosa_vs_rest, Standardizer};
//! let (train, test) = iris_setosa_vs_rest().split(0.3, 0).unwrap();
//! let scaler = Standardizer::fit(&train);
//! let train_z = scaler.transform(&train).unwrap();
//! let mean0: f64 = train_z.x().col(0).iter().sum::<f64>() / train_z.len() as f64;
//! assert!(mean0.abs() < 1e-12);
//! let test_z = scaler.transform(&test).unwrap(); // training statistics, not refitted
//! assert_eq!(test_z.y(), test.y());
//! ```

use crate::{DataError, Dataset};
use faer::{Col, ColRef, Mat};

/// Per-feature mean and scale fitted on a training split (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    mean: Col<f64>,
    scale: Col<f64>,
}

impl Standardizer {
    /// Fits the per-feature mean and population standard deviation of `train` (scale 1 for a
    /// constant feature).
    pub fn fit(train: &Dataset) -> Self {
        let (n, d) = (train.len(), train.dim());
        let x = train.x();
        let mut mean = Col::zeros(d);
        let mut scale = Col::zeros(d);
        for j in 0..d {
            let column = x.col(j);
            let first = column[0];
            if column.iter().all(|&v| v == first) {
                mean[j] = first;
                scale[j] = 1.0;
                continue;
            }
            let mu = column.iter().sum::<f64>() / n as f64;
            let var = column.iter().map(|&v| (v - mu) * (v - mu)).sum::<f64>() / n as f64;
            mean[j] = mu;
            // Not all equal, so some deviation is nonzero; guard only against underflow.
            scale[j] = if var > 0.0 { var.sqrt() } else { 1.0 };
        }
        Self { mean, scale }
    }

    /// The fitted per-feature means.
    pub fn mean(&self) -> ColRef<'_, f64> {
        self.mean.as_ref()
    }

    /// The fitted per-feature scales (standard deviations, 1 for constant features).
    pub fn scale(&self) -> ColRef<'_, f64> {
        self.scale.as_ref()
    }

    /// `(x_ij − mean_j)/scale_j` with the fitted statistics; targets unchanged.
    ///
    /// Errors: `data` of another dimension than the training data.
    pub fn transform(&self, data: &Dataset) -> Result<Dataset, DataError> {
        if data.dim() != self.mean.nrows() {
            return Err(DataError::DimensionMismatch {
                expected: self.mean.nrows(),
                found: data.dim(),
            });
        }
        let x = Mat::from_fn(data.len(), data.dim(), |i, j| {
            (data.x()[(i, j)] - self.mean[j]) / self.scale[j]
        });
        Dataset::new(x, data.y().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_features_get_scale_one_and_map_to_zero() {
        let x = Mat::from_fn(3, 2, |i, j| if j == 0 { 0.1 } else { i as f64 });
        let data = Dataset::new(x, Col::from_fn(3, |_| 1.0)).unwrap();
        let s = Standardizer::fit(&data);
        assert_eq!((s.mean()[0], s.scale()[0]), (0.1, 1.0));
        assert_eq!(s.mean()[1], 1.0);
        assert!((s.scale()[1] - (2.0f64 / 3.0).sqrt()).abs() < 1e-15);
        let z = s.transform(&data).unwrap();
        assert!(z.x().col(0).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn dimension_mismatch_is_an_error() {
        let a = Dataset::new(Mat::zeros(2, 2), Col::zeros(2)).unwrap();
        let b = Dataset::new(Mat::zeros(2, 3), Col::zeros(2)).unwrap();
        let err = Standardizer::fit(&a).transform(&b).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the dataset has dimension 3 but 2 was expected"
        );
    }
}
