//! Singular values and the rank measures built on them: the srank of Kumar, Agarwal, Ghosh
//! and Levine (ICLR 2021), the stable rank and the entropy effective rank.

use faer::MatRef;

use crate::SpectralError;

/// Default `δ` of [`srank`], as in Kumar et al.
pub const SRANK_DELTA: f64 = 0.01;

/// The singular values of `a`, descending (min(rows, cols) of them), from faer's SVD.
/// Errors if `a` is empty, has a non-finite entry, or the SVD fails to converge.
pub fn singular_values(a: MatRef<'_, f64>) -> Result<Vec<f64>, SpectralError> {
    let (rows, cols) = (a.nrows(), a.ncols());
    if rows == 0 || cols == 0 {
        return Err(SpectralError::EmptyMatrix { rows, cols });
    }
    for col in 0..cols {
        for row in 0..rows {
            if !a[(row, col)].is_finite() {
                return Err(SpectralError::NonFiniteEntry { row, col });
            }
        }
    }
    let mut values = a
        .singular_values()
        .map_err(|_| SpectralError::SvdFailed { rows, cols })?;
    values.sort_by(|x, y| y.total_cmp(x));
    Ok(values)
}

/// `srank_δ = min{k : Σ_{i≤k} σ_i / Σ_i σ_i ≥ 1 − δ}` for singular values `σ` sorted
/// descending (Kumar et al., ICLR 2021, with `δ = 0.01` there). A zero spectrum has srank 0.
/// Errors unless `δ ∈ [0, 1)` and every value is finite and `≥ 0`.
pub fn srank(singular_values: &[f64], delta: f64) -> Result<usize, SpectralError> {
    if !(0.0..1.0).contains(&delta) {
        return Err(SpectralError::InvalidDelta(delta));
    }
    check_spectrum(singular_values)?;
    let total: f64 = singular_values.iter().sum();
    if total == 0.0 {
        return Ok(0);
    }
    let mut partial = 0.0;
    for (k, sigma) in singular_values.iter().enumerate() {
        partial += sigma;
        if partial >= (1.0 - delta) * total {
            return Ok(k + 1);
        }
    }
    Ok(singular_values.len())
}

/// The stable rank `‖A‖_F²/‖A‖_2² = Σ σ_i²/σ_1²` (0 for a zero spectrum); it lies in
/// `[1, rank]`. Errors like [`srank`].
pub fn stable_rank(singular_values: &[f64]) -> Result<f64, SpectralError> {
    check_spectrum(singular_values)?;
    let top = singular_values.iter().copied().fold(0.0, f64::max);
    if top == 0.0 {
        return Ok(0.0);
    }
    Ok(singular_values.iter().map(|s| (s / top) * (s / top)).sum())
}

/// The effective rank of Roy and Vetterli (2007), `exp(−Σ p_i ln p_i)` with
/// `p_i = σ_i/Σ_j σ_j` (0 for a zero spectrum): `k` for `k` equal non-zero values. Errors
/// like [`srank`].
pub fn effective_rank(singular_values: &[f64]) -> Result<f64, SpectralError> {
    check_spectrum(singular_values)?;
    let total: f64 = singular_values.iter().sum();
    if total == 0.0 {
        return Ok(0.0);
    }
    let entropy: f64 = singular_values
        .iter()
        .filter(|&&s| s > 0.0)
        .map(|s| {
            let p = s / total;
            -p * p.ln()
        })
        .sum();
    Ok(entropy.exp())
}

fn check_spectrum(values: &[f64]) -> Result<(), SpectralError> {
    match values.iter().position(|s| !(s.is_finite() && *s >= 0.0)) {
        Some(index) => Err(SpectralError::InvalidSingularValue {
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    /// `U diag(σ) Vᵀ` with `U`, `V` orthogonal (Householder reflections).
    fn with_spectrum(rows: usize, cols: usize, sigma: &[f64]) -> Mat<f64> {
        let reflect = |n: usize, seed: f64| {
            let u = faer::Col::from_fn(n, |i| (seed + i as f64 * 1.7).sin());
            let u = &u * faer::Scale(1.0 / u.norm_l2());
            Mat::<f64>::identity(n, n) - &u * u.transpose() * faer::Scale(2.0)
        };
        let d = Mat::from_fn(rows, cols, |i, j| if i == j { sigma[i] } else { 0.0 });
        reflect(rows, 0.3) * d * reflect(cols, 1.1)
    }

    #[test]
    fn singular_values_of_a_rotated_diagonal_are_its_entries_descending() {
        let sigma = [5.0, 3.0, 0.5, 0.0];
        let a = with_spectrum(6, 4, &sigma);
        let got = singular_values(a.as_ref()).unwrap();
        for (g, s) in got.iter().zip(sigma) {
            assert!((g - s).abs() < 1e-12, "{got:?}");
        }
    }

    #[test]
    fn srank_counts_the_values_holding_all_but_delta_of_the_sum() {
        // sums: 50, 80, 99, 100 of 100 → 1 − δ = 0.99 is reached at k = 3.
        assert_eq!(srank(&[50.0, 30.0, 19.0, 1.0], 0.01).unwrap(), 3);
        assert_eq!(srank(&[50.0, 30.0, 18.9, 1.1], 0.01).unwrap(), 4);
        assert_eq!(srank(&[50.0, 30.0, 19.0, 1.0], 0.25).unwrap(), 2);
        assert_eq!(srank(&[2.0; 7], 0.0).unwrap(), 7);
        assert_eq!(srank(&[0.0; 3], 0.01).unwrap(), 0);
        let a = with_spectrum(8, 5, &[4.0, 4.0, 1.0, 1e-3, 0.0]);
        let sv = singular_values(a.as_ref()).unwrap();
        assert_eq!(srank(&sv, SRANK_DELTA).unwrap(), 3);
    }

    #[test]
    fn stable_and_effective_ranks_of_known_spectra() {
        assert!((stable_rank(&[2.0, 2.0, 2.0]).unwrap() - 3.0).abs() < 1e-15);
        assert!((stable_rank(&[2.0, 1.0]).unwrap() - 1.25).abs() < 1e-15);
        assert!((effective_rank(&[3.0, 3.0, 3.0, 0.0]).unwrap() - 3.0).abs() < 1e-12);
        let p = [0.75f64, 0.25];
        let expected = (-(p[0] * p[0].ln() + p[1] * p[1].ln())).exp();
        assert!((effective_rank(&[3.0, 1.0]).unwrap() - expected).abs() < 1e-12);
    }

    #[test]
    fn bad_inputs_are_named() {
        assert_eq!(srank(&[1.0], 1.0), Err(SpectralError::InvalidDelta(1.0)));
        assert!(matches!(
            srank(&[1.0, f64::NAN], 0.01),
            Err(SpectralError::InvalidSingularValue { index: 1, .. })
        ));
        assert_eq!(
            stable_rank(&[-1.0]),
            Err(SpectralError::InvalidSingularValue {
                index: 0,
                value: -1.0
            })
        );
        let a = Mat::from_fn(2, 2, |i, _| if i == 0 { f64::INFINITY } else { 0.0 });
        assert_eq!(
            singular_values(a.as_ref()),
            Err(SpectralError::NonFiniteEntry { row: 0, col: 0 })
        );
        assert_eq!(
            singular_values(Mat::<f64>::zeros(0, 3).as_ref()),
            Err(SpectralError::EmptyMatrix { rows: 0, cols: 3 })
        );
    }
}
