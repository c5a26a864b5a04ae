//! Seeded synthetic classification data with labels ±1: two overlapping Gaussians, a mix of a
//! separable and a non-separable block of coordinates whose split is known exactly, and
//! label-flip noise.
//!
//! Every generator draws from `Xoshiro256PlusPlus` seeded with `seed` (rand 0.10), so the same
//! arguments give the same bits.
//!
//! # Two Gaussians ([`two_gaussians`])
//!
//! `n_per_class` samples of each class in `R^dim`; samples `0..n_per_class` have `y = +1`, the
//! next `n_per_class` have `y = −1`, and
//!
//! `x_i = y_i · (mean_gap / 2) · e_1 + std · g_i`,   `g_i ~ N(0, I_dim)`,
//!
//! so the class means are `±(mean_gap/2)·e_1` (distance `mean_gap` apart) and each class is
//! isotropic with standard deviation `std` in every coordinate. Along `e_1` sample `i` is on the
//! wrong side of the origin when `y_i g_i1 < −mean_gap/(2·std)`, which happens with probability
//! `Φ(−mean_gap/(2·std))` (the Bayes error): about `2.9e-7` for `mean_gap = 10·std` (clearly
//! separable by `e_1` at moderate `n`), `0.31` for `mean_gap = std` (heavily overlapping).
//!
//! # A separable and a non-separable block ([`separable_mix`])
//!
//! Inputs live in `R^{k1 + k2}` with `k1 = separable_dims` and `k2 = nonseparable_dims`;
//! coordinates `0..k1` are the separable block and `k1..k1+k2` the non-separable block.
//! `u = (1, …, 1)/√k1` on the first block (0 on the second) is the separating direction. With
//! `p = ⌊n/4⌋` (which must be at least `max(k2, 2)`), the first `n − 2p` samples are
//! *separable samples* and the last `2p` form `p` *mirrored pairs*:
//!
//! - Separable sample `i` (label `+1` for even `i`, `−1` for odd `i`): its first block is
//!   `y_i·margin·u` for `i = 0, 1` and `y_i·(margin + |ξ_i|)·u + (I − uuᵀ)g_i` for `i ≥ 2`, with
//!   `ξ_i ~ N(0, 1)`, `g_i ~ N(0, I_k1)`; its second block is label-independent noise
//!   `h_i ~ N(0, I_k2)`.
//! - Pair `q` (label `s_q = +1` for even `q`, `−1` for odd `q`): two samples `(0, b_q)` and
//!   `(0, −b_q)`, both labelled `s_q`, with `b_q ~ N(0, I_k2)`.
//!
//! What this gives, exactly:
//!
//! 1. `y_i uᵀx_i ≥ margin` on every separable sample, with equality on samples 0 and 1, and
//!    `uᵀx = 0` on every pair sample.
//! 2. Restricted to the first block, the separable samples have `u` as their unique ℓ2
//!    max-margin direction (no bias), with margin exactly `margin`: samples 0 and 1 both have
//!    `y·x = margin·u`, so any unit `w` with margin ≥ `margin` has `uᵀw ≥ 1`, i.e. `w = u`.
//! 3. No predictor separates a pair: `s_q wᵀ(0, b_q)` and `s_q wᵀ(0, −b_q)` have opposite signs
//!    unless both are 0. So a `w` with `y_i wᵀx_i ≥ 0` on every sample is zero on every pair
//!    sample, and the data is not separable, with or without a bias (with a bias, a pair of
//!    each label forces the bias to be both positive and negative).
//! 4. Hence, in Ji & Telgarsky's decomposition, the separable part is the separable samples
//!    (`w = u` is non-negative everywhere and positive on them) and the non-separable part the
//!    pair samples, whose span is the second block whenever `b_0, …, b_{p−1}` span `R^{k2}`
//!    (with probability one, since `p ≥ k2`): the non-separable subspace is exactly the
//!    coordinates [`SeparableMix::nonseparable_coords`].
//!
//! ```
//! use catapult_data::separable_mix;
//! let mix = separable_mix(40, 3, 2, 0.5, 7).unwrap();
//! assert_eq!((mix.data.len(), mix.data.dim()), (40, 5));
//! assert_eq!((mix.separable_coords.clone(), mix.nonseparable_coords.clone()), (0..3, 3..5));
//! assert_eq!(mix.nonseparable_samples, 20..40);
//! for i in mix.separable_samples.clone() {
//!     let along: f64 = (0..5).map(|j| mix.direction[j] * mix.data.x()[(i, j)]).sum();
//!     assert!(mix.data.y()[i] * along >= 0.5 - 1e-12);
//! }
//! ```
//!
//! # Label noise ([`flip_labels`])
//!
//! Flips the sign of exactly `round(fraction·n)` labels, at indices drawn uniformly without
//! replacement.
//!
//! ```
//! use catapult_data::{flip_labels, two_gaussians};
//! let clean = two_gaussians(50, 2, 4.0, 1.0, 0).unwrap();
//! let noisy = flip_labels(&clean, 0.1, 1).unwrap();
//! let flipped = (0..100).filter(|&i| clean.y()[i] != noisy.y()[i]).count();
//! assert_eq!(flipped, 10);
//! assert_eq!(clean.x(), noisy.x());
//! ```

use crate::{DataError, Dataset};
use faer::{Col, Mat};
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use std::ops::Range;

fn invalid(name: &'static str, value: f64, requirement: &'static str) -> DataError {
    DataError::InvalidParameter {
        name,
        value,
        requirement,
    }
}

/// Two isotropic Gaussian classes in `R^dim` with means `±(mean_gap/2)·e_1` and standard
/// deviation `std` per coordinate; the first `n_per_class` samples are `+1`, the rest `−1`
/// (see the module docs).
///
/// Errors: `n_per_class == 0`, `dim == 0`, a negative or non-finite `mean_gap` or `std`.
pub fn two_gaussians(
    n_per_class: usize,
    dim: usize,
    mean_gap: f64,
    std: f64,
    seed: u64,
) -> Result<Dataset, DataError> {
    if n_per_class == 0 {
        return Err(invalid("n_per_class", 0.0, "at least 1"));
    }
    if dim == 0 {
        return Err(DataError::ZeroDimension);
    }
    if !(mean_gap.is_finite() && mean_gap >= 0.0) {
        return Err(invalid("mean_gap", mean_gap, "finite and at least 0"));
    }
    if !(std.is_finite() && std >= 0.0) {
        return Err(invalid("std", std, "finite and at least 0"));
    }
    let n = 2 * n_per_class;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let y = Col::from_fn(n, |i| if i < n_per_class { 1.0 } else { -1.0 });
    let mut x = Mat::zeros(n, dim);
    for i in 0..n {
        for j in 0..dim {
            let noise: f64 = rng.sample(StandardNormal);
            let mean = if j == 0 { y[i] * mean_gap / 2.0 } else { 0.0 };
            x[(i, j)] = mean + std * noise;
        }
    }
    Dataset::new(x, y)
}

/// Data separable along one block of coordinates and non-separable along the other, with the
/// split known exactly; returned by [`separable_mix`].
#[derive(Debug, Clone, PartialEq)]
pub struct SeparableMix {
    /// The samples (labels ±1), `n × (separable_dims + nonseparable_dims)`.
    pub data: Dataset,
    /// The separable block of coordinates, `0..separable_dims`.
    pub separable_coords: Range<usize>,
    /// The non-separable block, `separable_dims..separable_dims + nonseparable_dims`: the
    /// non-separable subspace of the data.
    pub nonseparable_coords: Range<usize>,
    /// The separable samples, `0..n − 2⌊n/4⌋`.
    pub separable_samples: Range<usize>,
    /// The mirrored pairs, `n − 2⌊n/4⌋..n` (samples `2q` and `2q + 1` after the start are pair
    /// `q`).
    pub nonseparable_samples: Range<usize>,
    /// The unit separating direction `u = (1, …, 1)/√separable_dims` on the separable block,
    /// 0 on the other: the ℓ2 max-margin direction of the separable samples' first block.
    pub direction: Col<f64>,
    /// `min y_i uᵀx_i` over the separable samples: the `margin` argument, attained by samples
    /// 0 and 1.
    pub margin: f64,
}

/// A mix of separable and non-separable structure whose non-separable subspace is known
/// exactly (construction and guarantees in the module docs).
///
/// Errors: `separable_dims == 0`, `nonseparable_dims == 0`, `⌊n/4⌋ < max(nonseparable_dims, 2)`
/// (too few mirrored pairs to span the non-separable block with both labels), a `margin` that
/// is not finite and positive.
pub fn separable_mix(
    n: usize,
    separable_dims: usize,
    nonseparable_dims: usize,
    margin: f64,
    seed: u64,
) -> Result<SeparableMix, DataError> {
    if separable_dims == 0 {
        return Err(invalid("separable_dims", 0.0, "at least 1"));
    }
    if nonseparable_dims == 0 {
        return Err(invalid("nonseparable_dims", 0.0, "at least 1"));
    }
    let pairs = n / 4;
    if pairs < nonseparable_dims.max(2) {
        return Err(invalid(
            "n",
            n as f64,
            "at least 4·max(nonseparable_dims, 2), so that the mirrored pairs span the \
             non-separable block with both labels",
        ));
    }
    if !(margin.is_finite() && margin > 0.0) {
        return Err(invalid("margin", margin, "finite and positive"));
    }
    let (k1, k2) = (separable_dims, nonseparable_dims);
    let d = k1 + k2;
    let n_sep = n - 2 * pairs;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let u_entry = 1.0 / (k1 as f64).sqrt();
    let mut x = Mat::<f64>::zeros(n, d);
    let mut y = Col::<f64>::zeros(n);
    let mut g = vec![0.0; k1];
    for i in 0..n_sep {
        let label = if i % 2 == 0 { 1.0 } else { -1.0 };
        y[i] = label;
        let along = if i < 2 {
            g.iter_mut().for_each(|v| *v = 0.0);
            margin
        } else {
            let xi: f64 = rng.sample(StandardNormal);
            for v in g.iter_mut() {
                *v = rng.sample(StandardNormal);
            }
            // Remove the component along u.
            let ug: f64 = g.iter().sum::<f64>() * u_entry;
            for v in g.iter_mut() {
                *v -= ug * u_entry;
            }
            margin + xi.abs()
        };
        for j in 0..k1 {
            x[(i, j)] = label * along * u_entry + g[j];
        }
        for j in k1..d {
            x[(i, j)] = rng.sample(StandardNormal);
        }
    }
    for q in 0..pairs {
        let label = if q % 2 == 0 { 1.0 } else { -1.0 };
        let (a, b) = (n_sep + 2 * q, n_sep + 2 * q + 1);
        y[a] = label;
        y[b] = label;
        for j in k1..d {
            let v: f64 = rng.sample(StandardNormal);
            x[(a, j)] = v;
            x[(b, j)] = -v;
        }
    }
    let direction = Col::from_fn(d, |j| if j < k1 { u_entry } else { 0.0 });
    Ok(SeparableMix {
        data: Dataset::new(x, y)?,
        separable_coords: 0..k1,
        nonseparable_coords: k1..d,
        separable_samples: 0..n_sep,
        nonseparable_samples: n_sep..n,
        direction,
        margin,
    })
}

/// `data` with the labels of exactly `round(fraction·n)` samples negated, chosen uniformly
/// without replacement with the given seed; inputs unchanged.
///
/// Errors: labels other than ±1, `fraction` outside `[0, 1]` or NaN.
pub fn flip_labels(data: &Dataset, fraction: f64, seed: u64) -> Result<Dataset, DataError> {
    data.check_binary_labels()?;
    if !(0.0..=1.0).contains(&fraction) {
        return Err(invalid("fraction", fraction, "in [0, 1]"));
    }
    let n = data.len();
    let count = ((fraction * n as f64).round() as usize).min(n);
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (chosen, _) = order.partial_shuffle(&mut rng, count);
    let mut y = data.y().to_owned();
    for &i in chosen.iter() {
        y[i] = -y[i];
    }
    Dataset::new(data.x().to_owned(), y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_gaussians_has_the_documented_means_and_order() {
        let data = two_gaussians(2000, 3, 4.0, 0.5, 3).unwrap();
        assert_eq!((data.len(), data.dim()), (4000, 3));
        for (range, label) in [(0..2000, 1.0), (2000..4000, -1.0)] {
            assert!(range.clone().all(|i| data.y()[i] == label));
            for j in 0..3 {
                let mean = range.clone().map(|i| data.x()[(i, j)]).sum::<f64>() / 2000.0;
                let expected = if j == 0 { 2.0 * label } else { 0.0 };
                // standard error 0.5/√2000 ≈ 0.011
                assert!((mean - expected).abs() < 0.05, "mean {mean} vs {expected}");
                let var = range
                    .clone()
                    .map(|i| (data.x()[(i, j)] - mean).powi(2))
                    .sum::<f64>()
                    / 2000.0;
                assert!((var.sqrt() - 0.5).abs() < 0.03, "std {}", var.sqrt());
            }
        }
    }

    #[test]
    fn generators_reject_bad_arguments() {
        assert!(matches!(
            two_gaussians(0, 2, 1.0, 1.0, 0),
            Err(DataError::InvalidParameter {
                name: "n_per_class",
                ..
            })
        ));
        assert_eq!(
            two_gaussians(3, 0, 1.0, 1.0, 0),
            Err(DataError::ZeroDimension)
        );
        let err = two_gaussians(3, 2, 1.0, -1.0, 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "std is -1: it must be finite and at least 0"
        );
        assert!(two_gaussians(3, 2, f64::NAN, 1.0, 0).is_err());
        assert!(separable_mix(7, 1, 1, 1.0, 0).is_err());
        assert!(separable_mix(8, 1, 1, 1.0, 0).is_ok());
        assert!(separable_mix(11, 1, 3, 1.0, 0).is_err());
        assert!(separable_mix(12, 0, 3, 1.0, 0).is_err());
        assert!(separable_mix(12, 1, 0, 1.0, 0).is_err());
        assert!(separable_mix(12, 1, 3, 0.0, 0).is_err());
        let data = two_gaussians(3, 2, 1.0, 1.0, 0).unwrap();
        assert!(flip_labels(&data, 1.5, 0).is_err());
        assert!(flip_labels(&data, f64::NAN, 0).is_err());
        let regression =
            Dataset::new(Mat::zeros(2, 1), Col::from_fn(2, |i| (i + 1) as f64)).unwrap();
        assert!(matches!(
            flip_labels(&regression, 0.5, 0),
            Err(DataError::NotBinaryLabel { sample: 1, .. })
        ));
    }

    #[test]
    fn flip_all_and_none() {
        let data = two_gaussians(5, 2, 1.0, 1.0, 0).unwrap();
        assert_eq!(flip_labels(&data, 0.0, 9).unwrap(), data);
        let all = flip_labels(&data, 1.0, 9).unwrap();
        assert!((0..10).all(|i| all.y()[i] == -data.y()[i]));
    }
}
