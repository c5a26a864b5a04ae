//! Seeded data from a sparse linear teacher `w*` (few non-zero entries), for the implicit
//! bias of diagonal networks: regression targets `y = X w*` and classification labels
//! `y = sign(X w*)`.
//!
//! Inputs are Gaussian with equicorrelated features: `x_ij = √(1−ρ)·g_ij + √ρ·h_i`, with
//! `g_ij, h_i ~ N(0, 1)` i.i.d., so every feature has variance 1 and every pair correlation
//! `ρ ∈ [0, 1)`. Draws come from `Xoshiro256PlusPlus` seeded with `seed`, row by row (the
//! shared factor `h_i` first), so the same arguments give the same bits.
//!
//! ```
//! use catapult_data::sparse_teacher;
//! let teacher = [3.0, 0.0, -1.0, 0.0];
//! let data = sparse_teacher(10, &teacher, 0.0, false, 1).unwrap();
//! let x = data.x();
//! for i in 0..10 {
//!     let target = 3.0 * x[(i, 0)] - x[(i, 2)];
//!     assert!((data.y()[i] - target).abs() < 1e-12);
//! }
//! let labels = sparse_teacher(10, &teacher, 0.5, true, 1).unwrap();
//! assert!(labels.y().iter().all(|y| y.abs() == 1.0));
//! ```

use crate::{DataError, Dataset};
use faer::{Col, Mat};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

/// `n` samples from the teacher `w*` (its length is the dimension): `y = X w*`, or
/// `y = sign(X w*)` when `classify` (a sample with `X w* = 0` exactly gets `+1`), with feature
/// correlation `ρ` (see the module docs).
///
/// Errors: `n == 0`, an empty or non-finite teacher, an all-zero teacher, `ρ` outside `[0, 1)`.
pub fn sparse_teacher(
    n: usize,
    teacher: &[f64],
    correlation: f64,
    classify: bool,
    seed: u64,
) -> Result<Dataset, DataError> {
    if n == 0 {
        return Err(DataError::Empty);
    }
    if teacher.is_empty() {
        return Err(DataError::ZeroDimension);
    }
    if let Some(&value) = teacher.iter().find(|v| !v.is_finite()) {
        return Err(DataError::InvalidParameter {
            name: "teacher entry",
            value,
            requirement: "finite",
        });
    }
    if teacher.iter().all(|&v| v == 0.0) {
        return Err(DataError::InvalidParameter {
            name: "teacher norm",
            value: 0.0,
            requirement: "positive (a teacher with a non-zero entry)",
        });
    }
    if !(0.0..1.0).contains(&correlation) {
        return Err(DataError::InvalidParameter {
            name: "correlation",
            value: correlation,
            requirement: "in [0, 1)",
        });
    }
    let d = teacher.len();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (own, shared) = ((1.0 - correlation).sqrt(), correlation.sqrt());
    let mut x = Mat::zeros(n, d);
    for i in 0..n {
        let common: f64 = rng.sample(StandardNormal);
        for j in 0..d {
            let g: f64 = rng.sample(StandardNormal);
            x[(i, j)] = own * g + shared * common;
        }
    }
    let y = Col::from_fn(n, |i| {
        let target: f64 = (0..d).map(|j| x[(i, j)] * teacher[j]).sum();
        match (classify, target >= 0.0) {
            (false, _) => target,
            (true, true) => 1.0,
            (true, false) => -1.0,
        }
    });
    Dataset::new(x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_and_correlated_as_asked() {
        let teacher = [1.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(
            sparse_teacher(50, &teacher, 0.3, false, 4).unwrap(),
            sparse_teacher(50, &teacher, 0.3, false, 4).unwrap()
        );
        let data = sparse_teacher(4000, &teacher, 0.6, false, 9).unwrap();
        let x = data.x();
        let n = 4000.0;
        let cov = |a: usize, b: usize| (0..4000).map(|i| x[(i, a)] * x[(i, b)]).sum::<f64>() / n;
        assert!((cov(0, 0) - 1.0).abs() < 0.06 && (cov(1, 3) - 0.6).abs() < 0.06);
    }

    #[test]
    fn rejects_bad_arguments() {
        assert_eq!(
            sparse_teacher(0, &[1.0], 0.0, false, 0),
            Err(DataError::Empty)
        );
        assert_eq!(
            sparse_teacher(3, &[], 0.0, false, 0),
            Err(DataError::ZeroDimension)
        );
        assert!(sparse_teacher(3, &[0.0, 0.0], 0.0, false, 0).is_err());
        assert!(sparse_teacher(3, &[f64::NAN], 0.0, false, 0).is_err());
        assert!(sparse_teacher(3, &[1.0], 1.0, false, 0).is_err());
        assert!(sparse_teacher(3, &[1.0], -0.1, false, 0).is_err());
    }
}
