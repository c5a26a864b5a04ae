//! Multi-class data: features and integer labels `0..C`, for one-hot (square-loss)
//! classification.

use crate::DataError;
use faer::Mat;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

/// Samples (rows of `x`) with labels in `0..num_classes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Classes {
    x: Mat<f64>,
    labels: Vec<usize>,
    num_classes: usize,
}

impl Classes {
    /// Errors on no samples, zero features, a label count other than the rows, a label
    /// `≥ num_classes`, a class without samples, or a non-finite feature.
    pub fn new(x: Mat<f64>, labels: Vec<usize>, num_classes: usize) -> Result<Self, DataError> {
        if x.nrows() == 0 {
            return Err(DataError::Empty);
        }
        if x.ncols() == 0 {
            return Err(DataError::ZeroDimension);
        }
        if labels.len() != x.nrows() {
            return Err(DataError::LengthMismatch {
                inputs: x.nrows(),
                targets: labels.len(),
            });
        }
        for class in 0..num_classes.max(1) {
            if !labels.contains(&class) {
                return Err(DataError::InvalidParameter {
                    name: "labels",
                    value: class as f64,
                    requirement: "a set where every class in 0..num_classes has a sample",
                });
            }
        }
        if let Some(&label) = labels.iter().find(|&&l| l >= num_classes) {
            return Err(DataError::InvalidParameter {
                name: "label",
                value: label as f64,
                requirement: "below num_classes",
            });
        }
        for j in 0..x.ncols() {
            for i in 0..x.nrows() {
                if !x[(i, j)].is_finite() {
                    return Err(DataError::NonFiniteInput {
                        sample: i,
                        feature: j,
                        value: x[(i, j)],
                    });
                }
            }
        }
        Ok(Self {
            x,
            labels,
            num_classes,
        })
    }

    /// Features, one sample per row.
    pub fn x(&self) -> &Mat<f64> {
        &self.x
    }

    /// Labels in `0..C`.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Number of classes C.
    pub fn num_classes(&self) -> usize {
        self.num_classes
    }

    /// Each feature shifted to mean 0 and scaled to standard deviation 1 over the samples (a
    /// constant feature is only shifted).
    pub fn standardised(&self) -> Self {
        let n = self.x.nrows() as f64;
        let mut x = self.x.clone();
        for j in 0..x.ncols() {
            let mean = (0..x.nrows()).map(|i| x[(i, j)]).sum::<f64>() / n;
            let var = (0..x.nrows())
                .map(|i| (x[(i, j)] - mean).powi(2))
                .sum::<f64>()
                / n;
            let scale = if var > 0.0 { var.sqrt() } else { 1.0 };
            for i in 0..x.nrows() {
                x[(i, j)] = (x[(i, j)] - mean) / scale;
            }
        }
        Self {
            x,
            labels: self.labels.clone(),
            num_classes: self.num_classes,
        }
    }
}

/// Iris, all three classes (setosa 0, versicolor 1, virginica 2; 50 each), raw features.
pub fn iris_classes() -> Classes {
    let iris = linfa_datasets::iris();
    let (records, targets) = (&iris.records, &iris.targets);
    let x = Mat::from_fn(records.nrows(), records.ncols(), |i, j| records[[i, j]]);
    let labels: Vec<usize> = targets.iter().copied().collect();
    Classes::new(x, labels, 3).unwrap_or_else(|e| panic!("the embedded iris data is invalid: {e}"))
}

/// `num_classes` isotropic Gaussian classes in `R^dim`, `per_class` samples each (class `c`
/// in rows `c·per_class …`), class means drawn i.i.d. `N(0, separation²·I)` and noise
/// `N(0, I)`, all from one Xoshiro256++ stream seeded by `seed`. Errors on zero classes,
/// samples or dimension, or a separation that is negative or not finite.
pub fn gaussian_classes(
    num_classes: usize,
    per_class: usize,
    dim: usize,
    separation: f64,
    seed: u64,
) -> Result<Classes, DataError> {
    if num_classes == 0 || per_class == 0 {
        return Err(DataError::Empty);
    }
    if dim == 0 {
        return Err(DataError::ZeroDimension);
    }
    if !(separation.is_finite() && separation >= 0.0) {
        return Err(DataError::InvalidParameter {
            name: "separation",
            value: separation,
            requirement: "finite and at least 0",
        });
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let means = Mat::from_fn(num_classes, dim, |_, _| {
        separation * rng.sample::<f64, _>(StandardNormal)
    });
    let n = num_classes * per_class;
    let mut x = Mat::zeros(n, dim);
    for i in 0..n {
        for j in 0..dim {
            let noise: f64 = rng.sample(StandardNormal);
            x[(i, j)] = means[(i / per_class, j)] + noise;
        }
    }
    let labels = (0..n).map(|i| i / per_class).collect();
    Classes::new(x, labels, num_classes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iris_has_fifty_of_each_class_and_standardising_centres_it() {
        let iris = iris_classes();
        for class in 0..3 {
            assert_eq!(iris.labels().iter().filter(|&&l| l == class).count(), 50);
        }
        let z = iris.standardised();
        for j in 0..4 {
            let mean: f64 = (0..150).map(|i| z.x()[(i, j)]).sum::<f64>() / 150.0;
            let var: f64 = (0..150).map(|i| z.x()[(i, j)].powi(2)).sum::<f64>() / 150.0;
            assert!(mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn gaussian_classes_are_seeded_and_centred_on_their_means() {
        let a = gaussian_classes(3, 2000, 2, 5.0, 4).unwrap();
        assert_eq!(a, gaussian_classes(3, 2000, 2, 5.0, 4).unwrap());
        assert_eq!(a.labels()[2000], 1);
        // Within-class spread is the unit noise.
        let class0: Vec<f64> = (0..2000).map(|i| a.x()[(i, 0)]).collect();
        let mean = class0.iter().sum::<f64>() / 2000.0;
        let var = class0.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 2000.0;
        assert!((var - 1.0).abs() < 0.1, "{var}");
    }

    #[test]
    fn bad_inputs_are_named() {
        assert_eq!(
            gaussian_classes(3, 0, 2, 1.0, 0).unwrap_err(),
            DataError::Empty
        );
        assert!(matches!(
            Classes::new(Mat::zeros(2, 1), vec![0, 2], 3),
            Err(DataError::InvalidParameter { name: "labels", .. })
        ));
        assert!(matches!(
            Classes::new(Mat::zeros(2, 1), vec![0, 1], 1),
            Err(DataError::InvalidParameter { name: "label", .. })
        ));
    }
}
