//! The validated [`Dataset`] type and its errors.

use faer::{Col, ColRef, Mat, MatRef};

/// What is wrong with a dataset.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    /// No samples.
    #[error("the dataset is empty: it needs at least one sample")]
    Empty,
    /// Input dimension zero.
    #[error("the input dimension must be at least 1, got 0")]
    ZeroDimension,
    /// Inputs and targets disagree on the number of samples.
    #[error("{inputs} inputs but {targets} targets: they must have the same length")]
    LengthMismatch {
        /// Number of input rows (samples in `x`).
        inputs: usize,
        /// Number of targets (length of `y`).
        targets: usize,
    },
    /// A NaN or infinite input.
    #[error("input ({sample}, {feature}) is {value}: inputs must be finite")]
    NonFiniteInput {
        /// Row (sample index, 0-based) of the offending input.
        sample: usize,
        /// Column (feature index, 0-based) of the offending input.
        feature: usize,
        /// The non-finite value found (NaN or ±∞).
        value: f64,
    },
    /// A NaN or infinite target.
    #[error("target {sample} is {value}: targets must be finite")]
    NonFiniteTarget {
        /// Index (0-based) of the offending target.
        sample: usize,
        /// The non-finite value found (NaN or ±∞).
        value: f64,
    },
    /// A classification label other than ±1.
    #[error("label {sample} is {value}: classification losses need labels −1 or +1")]
    NotBinaryLabel {
        /// Index (0-based) of the offending label.
        sample: usize,
        /// The label found, neither −1 nor +1.
        value: f64,
    },
    /// A generator, split or transform argument out of its range.
    #[error("{name} is {value}: it must be {requirement}")]
    InvalidParameter {
        /// Name of the argument, as in the function signature.
        name: &'static str,
        /// The value passed.
        value: f64,
        /// The range it must lie in, in words (completes "it must be …").
        requirement: &'static str,
    },
    /// A dataset of another input dimension than the one expected (e.g. by a fitted
    /// [`Standardizer`](crate::Standardizer)).
    #[error("the dataset has dimension {found} but {expected} was expected")]
    DimensionMismatch {
        /// Input dimension `d` expected.
        expected: usize,
        /// Input dimension `d` of the dataset given.
        found: usize,
    },
    /// A split that would leave its train or test part without samples.
    #[error("a test fraction of {test_fraction} leaves the {part} part of {samples} samples empty")]
    EmptySplit {
        /// Which part would be empty: `"train"` or `"test"`.
        part: &'static str,
        /// Fraction of the samples (of each label) asked for the test part.
        test_fraction: f64,
        /// Number of samples `n` of the dataset being split.
        samples: usize,
    },
}

/// `n` samples in `R^d`: inputs `x` (n × d, one sample per row) and targets `y` (length n),
/// all finite, `n ≥ 1`, `d ≥ 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    x: Mat<f64>,
    y: Col<f64>,
}

impl Dataset {
    /// Validates and wraps inputs `x` (n × d) and targets `y` (length n).
    pub fn new(x: Mat<f64>, y: Col<f64>) -> Result<Self, DataError> {
        if x.nrows() != y.nrows() {
            return Err(DataError::LengthMismatch {
                inputs: x.nrows(),
                targets: y.nrows(),
            });
        }
        if x.nrows() == 0 {
            return Err(DataError::Empty);
        }
        if x.ncols() == 0 {
            return Err(DataError::ZeroDimension);
        }
        for feature in 0..x.ncols() {
            for sample in 0..x.nrows() {
                let value = x[(sample, feature)];
                if !value.is_finite() {
                    return Err(DataError::NonFiniteInput {
                        sample,
                        feature,
                        value,
                    });
                }
            }
        }
        if let Some((sample, &value)) = y.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(DataError::NonFiniteTarget { sample, value });
        }
        Ok(Self { x, y })
    }

    /// Number of samples `n`.
    pub fn len(&self) -> usize {
        self.x.nrows()
    }

    /// Always false: a dataset holds at least one sample.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Input dimension `d`.
    pub fn dim(&self) -> usize {
        self.x.ncols()
    }

    /// Inputs, n × d.
    pub fn x(&self) -> MatRef<'_, f64> {
        self.x.as_ref()
    }

    /// Targets, length n.
    pub fn y(&self) -> ColRef<'_, f64> {
        self.y.as_ref()
    }

    /// Checks that every target is −1 or +1, as the logistic and exponential losses need.
    pub fn check_binary_labels(&self) -> Result<(), DataError> {
        match self
            .y
            .iter()
            .enumerate()
            .find(|(_, v)| **v != 1.0 && **v != -1.0)
        {
            Some((sample, &value)) => Err(DataError::NotBinaryLabel { sample, value }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_each_kind_of_bad_input() {
        let ok_x = Mat::from_fn(2, 2, |i, j| (i + j) as f64);
        let ok_y = Col::from_fn(2, |i| i as f64);
        assert!(Dataset::new(ok_x.clone(), ok_y.clone()).is_ok());
        assert_eq!(
            Dataset::new(Mat::zeros(0, 2), Col::zeros(0)),
            Err(DataError::Empty)
        );
        assert_eq!(
            Dataset::new(Mat::zeros(2, 0), ok_y.clone()),
            Err(DataError::ZeroDimension)
        );
        assert_eq!(
            Dataset::new(ok_x.clone(), Col::zeros(3)),
            Err(DataError::LengthMismatch {
                inputs: 2,
                targets: 3
            })
        );
        let mut nan_x = ok_x.clone();
        nan_x[(1, 0)] = f64::NAN;
        assert!(matches!(
            Dataset::new(nan_x, ok_y.clone()),
            Err(DataError::NonFiniteInput {
                sample: 1,
                feature: 0,
                ..
            })
        ));
        let mut inf_y = ok_y.clone();
        inf_y[0] = f64::INFINITY;
        let err = Dataset::new(ok_x, inf_y).unwrap_err();
        assert_eq!(err.to_string(), "target 0 is inf: targets must be finite");
    }

    #[test]
    fn binary_label_check_names_the_sample() {
        let data =
            Dataset::new(Mat::zeros(3, 1), Col::from_fn(3, |i| [1.0, -1.0, 0.5][i])).unwrap();
        assert_eq!(
            data.check_binary_labels(),
            Err(DataError::NotBinaryLabel {
                sample: 2,
                value: 0.5
            })
        );
    }
}
