//! The partition of the samples into the part that some linear predictor classifies with a
//! positive margin and the part that no predictor can, found with one linear program.
//!
//! Write `z_i` for the signed samples (`y_i x_i`, or `y_i (x_i, 1)` with a bias). Tucker's
//! theorem of the alternative (the strict-complementarity theorem for linear inequalities) says
//! that there are `w` and `λ` with
//!
//! ```text
//! z_iᵀw ≥ 0 and λ_i ≥ 0 for every i,   Σ_i λ_i z_i = 0,   z_iᵀw + λ_i > 0 for every i.
//! ```
//!
//! Since `Σ_i λ_i (z_iᵀw) = (Σ_i λ_i z_i)ᵀw = 0` is a sum of non-negative terms, every sample
//! has exactly one of `z_iᵀw > 0` or `λ_i > 0`. The first set is the separable part: `w` itself
//! classifies all of it with a positive margin and no sample wrongly. The second set `S` is the
//! non-separable part: for any `v` with `z_jᵀv ≥ 0` for all `j`, `Σ_{i∈S} λ_i z_iᵀv = 0` forces
//! `z_iᵀv = 0` on `S`, so no predictor is positive on a sample of `S` without being negative on
//! another. Both sets are thus unique, and `w`, `λ` certify them.
//!
//! The program below looks for such a pair directly, with both normalised to a box so that the
//! feasible set is bounded:
//!
//! ```text
//! maximise τ  s.t.  z_iᵀw + λ_i ≥ τ,  z_iᵀw ≥ 0,  0 ≤ λ_i ≤ 1,  Σ_i λ_i z_i = 0,  |w|_∞ ≤ 1,
//! ```
//!
//! with every non-zero `z_i` scaled to unit length (which changes neither set). Its optimum
//! `τ* > 0` always exists, and every sample goes to the part whose certificate is larger.
//!
//! # What the answer certifies
//!
//! The equality `Σ λ_i z_i = 0` only holds to the solver's tolerance: the residual
//! `r = Σ_{i∈S} λ_i z_i` is recomputed from the returned `λ`. For any `v` with `|v| = 1` and
//! `z_jᵀv ≥ 0` on `S`, `λ_i z_iᵀv ≤ Σ_{j∈S} λ_j z_jᵀv = rᵀv ≤ |r|`, so no such predictor
//! classifies a sample `i ∈ S` with a cosine margin above `|r|/λ_i`. The largest of these is the
//! resolution of the answer: below it, a non-separable verdict cannot be told apart from
//! separability by a tinier margin (data separable by a margin of 1e-12 is reported
//! non-separable at a resolution of about the solver tolerance). Resolutions above
//! [`MAX_RESOLUTION`] are refused. The separable part is certified by the positive margin that
//! its max-margin classifier, computed afterwards, has on the data.

use super::SeparabilityError;
use super::conic::Program;
use faer::{Col, Mat, MatRef};

/// A non-separable verdict is refused when it only rules out margins above this (cosine units).
pub(super) const MAX_RESOLUTION: f64 = 1e-6;

/// The two parts, the span of the non-separable one, and the resolution of the certificate.
pub(super) struct Partition {
    /// Samples with `z_iᵀw > λ_i`.
    pub(super) separable: Vec<usize>,
    /// Samples with `λ_i ≥ z_iᵀw`.
    pub(super) non_separable: Vec<usize>,
    /// Orthonormal basis of `span{z_i : i ∈ S}` (columns).
    pub(super) span: Mat<f64>,
    /// Orthonormal basis of the orthogonal complement of `span`.
    pub(super) complement: Mat<f64>,
    /// `max_{i∈S} |r|/λ_i` (0 for an empty `S`).
    pub(super) resolution: f64,
}

/// Splits the rows of `z` (n × d) into the two parts and certifies the non-separable one.
pub(super) fn partition(z: MatRef<'_, f64>) -> Result<Partition, SeparabilityError> {
    let (n, d) = (z.nrows(), z.ncols());
    let norms: Vec<f64> = (0..n).map(|i| z.row(i).norm_l2()).collect();
    let unit = Mat::from_fn(n, d, |i, j| {
        if norms[i] > 0.0 {
            z[(i, j)] / norms[i]
        } else {
            0.0
        }
    });
    let (w, lambda) = tucker_lp(unit.as_ref())?;

    let mut separable = Vec::new();
    let mut non_separable = Vec::new();
    for (i, &weight) in lambda.iter().enumerate() {
        let score = unit.row(i) * &w;
        let (large, small) = if score > weight {
            separable.push(i);
            (score, weight)
        } else {
            non_separable.push(i);
            (weight, score)
        };
        // An exact solution has small == 0 (complementarity); a usable one is close to it.
        if small.abs() > 0.1 * large {
            return Err(SeparabilityError::IllConditioned {
                resolution: small.abs(),
            });
        }
    }

    // Inputs that are exactly zero are in S exactly and need no certificate.
    let nonzero: Vec<usize> = non_separable
        .iter()
        .copied()
        .filter(|&i| norms[i] > 0.0)
        .collect();
    let mut residual = Col::<f64>::zeros(d);
    for &i in &nonzero {
        residual += lambda[i] * unit.row(i).transpose();
    }
    let resolution = nonzero
        .iter()
        .map(|&i| residual.norm_l2() / lambda[i])
        .fold(0.0, f64::max);
    if resolution.is_nan() || resolution > MAX_RESOLUTION {
        return Err(SeparabilityError::IllConditioned { resolution });
    }
    let (span, complement) = span_and_complement(unit.as_ref(), &nonzero)?;
    Ok(Partition {
        separable,
        non_separable,
        span,
        complement,
        resolution,
    })
}

/// The LP of the module docs, on unit rows; returns `(w, λ)`.
fn tucker_lp(unit: MatRef<'_, f64>) -> Result<(Col<f64>, Vec<f64>), SeparabilityError> {
    let (n, d) = (unit.nrows(), unit.ncols());
    // Variables: w (0..d), λ (d..d+n), τ (d+n).
    let lambda = |i: usize| d + i;
    let tau = d + n;
    let mut lp = Program::new("separability LP", d + n + 1);
    lp.linear_cost(tau, -1.0);
    for k in 0..d {
        lp.equal((0..n).map(|i| (lambda(i), unit[(i, k)])), 0.0);
    }
    for i in 0..n {
        let row = (0..d).map(|k| (k, -unit[(i, k)]));
        lp.less_equal(row.chain([(lambda(i), -1.0), (tau, 1.0)]), 0.0);
    }
    for i in 0..n {
        lp.less_equal((0..d).map(|k| (k, -unit[(i, k)])), 0.0);
    }
    for i in 0..n {
        lp.less_equal([(lambda(i), -1.0)], 0.0);
        lp.less_equal([(lambda(i), 1.0)], 1.0);
    }
    for k in 0..d {
        lp.less_equal([(k, 1.0)], 1.0);
        lp.less_equal([(k, -1.0)], 1.0);
    }
    let x = lp.solve()?.x;
    let w = Col::from_fn(d, |k| x[k]);
    Ok((w, x[d..d + n].to_vec()))
}

/// Orthonormal bases of `span{x_i : i ∈ rows}` and of its orthogonal complement, from the SVD
/// of those rows, with numerical rank `#{σ > max(|rows|, d) · ε · σ_max}`.
fn span_and_complement(
    x: MatRef<'_, f64>,
    rows: &[usize],
) -> Result<(Mat<f64>, Mat<f64>), SeparabilityError> {
    let d = x.ncols();
    if rows.is_empty() {
        return Ok((Mat::zeros(d, 0), Mat::identity(d, d)));
    }
    let part = Mat::from_fn(rows.len(), d, |r, j| x[(rows[r], j)]);
    // A thin SVD has all d right singular vectors only when |rows| ≥ d.
    let svd = if rows.len() >= d {
        part.thin_svd()
    } else {
        part.svd()
    }
    .map_err(|_| SeparabilityError::Svd)?;
    let sigma = svd.S().column_vector();
    let largest = sigma.iter().copied().fold(0.0, f64::max);
    let tolerance = largest * (rows.len().max(d) as f64) * f64::EPSILON;
    let rank = sigma.iter().filter(|&&s| s > tolerance).count();
    let v = svd.V();
    Ok((
        v.subcols(0, rank).to_owned(),
        v.subcols(rank, d - rank).to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(data: &[&[f64]]) -> Mat<f64> {
        Mat::from_fn(data.len(), data[0].len(), |i, j| data[i][j])
    }

    #[test]
    fn splits_a_cone_with_a_line_through_it() {
        // w = (1, 0, 0.1) is positive on z0..z3 (z3 leans towards +e1, so it does not cancel
        // z2); the zero sample z4 can never be classified.
        let z = rows(&[
            &[1.0, 0.0, 0.0],
            &[1.0, 1.0, 0.0],
            &[0.0, 0.0, 2.0],
            &[0.5, 0.0, -1.0],
            &[0.0, 0.0, 0.0],
        ]);
        let p = partition(z.as_ref()).unwrap();
        assert_eq!(p.separable, vec![0, 1, 2, 3]);
        assert_eq!(p.non_separable, vec![4]);
        assert!(p.resolution < 1e-7);

        // Now z2 and z3 cancel: every w with z2·w ≥ 0 and z3·w ≥ 0 has both zero.
        let z = rows(&[
            &[1.0, 0.0, 0.0],
            &[1.0, 1.0, 0.0],
            &[0.0, 0.0, 2.0],
            &[0.0, 0.0, -1.0],
        ]);
        let p = partition(z.as_ref()).unwrap();
        assert_eq!(p.separable, vec![0, 1]);
        assert_eq!(p.non_separable, vec![2, 3]);
    }

    #[test]
    fn a_positive_dependence_through_all_samples_leaves_nothing_separable() {
        let z = rows(&[&[1.0, 0.0], &[-1.0, 1.0], &[0.0, -1.0]]);
        let p = partition(z.as_ref()).unwrap();
        assert!(p.separable.is_empty());
        assert_eq!(p.non_separable, vec![0, 1, 2]);
    }
}
