//! Dense symmetric eigenvalues through faer, for small matrices (NTK Gram
//! matrices, tests and cross-checks of the Lanczos solver).

use faer::{MatRef, Side};

use crate::SpectralError;

/// Checks that `a` is a non-empty square matrix with finite entries and
/// returns its dimension.
pub(crate) fn validate_square_finite(a: MatRef<'_, f64>) -> Result<usize, SpectralError> {
    let (rows, cols) = (a.nrows(), a.ncols());
    if rows == 0 || cols == 0 {
        return Err(SpectralError::EmptyMatrix { rows, cols });
    }
    if rows != cols {
        return Err(SpectralError::NotSquare { rows, cols });
    }
    for col in 0..cols {
        for row in 0..rows {
            if !a[(row, col)].is_finite() {
                return Err(SpectralError::NonFiniteEntry { row, col });
            }
        }
    }
    Ok(rows)
}

/// All eigenvalues of the dense symmetric matrix `a`, in ascending order.
///
/// Only the lower triangle of `a` is read (the matrix is assumed symmetric).
/// Errors if `a` is empty, not square, has a non-finite entry, or if the
/// eigensolver fails to converge.
pub fn dense_eigenvalues(a: MatRef<'_, f64>) -> Result<Vec<f64>, SpectralError> {
    let dim = validate_square_finite(a)?;
    let mut values = a
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|_| SpectralError::EigenFailed { dim })?;
    // faer documents ascending order; sorting again is cheap and makes the
    // contract independent of that detail.
    values.sort_by(f64::total_cmp);
    Ok(values)
}

/// Largest algebraic eigenvalue of the dense symmetric matrix `a`.
///
/// Uses faer's dense self-adjoint eigensolver, `O(n^3)`: meant for small
/// problems and for cross-checking [`crate::Lanczos`]. Same errors as
/// [`dense_eigenvalues`].
pub fn dense_top_eigenvalue(a: MatRef<'_, f64>) -> Result<f64, SpectralError> {
    let dim = validate_square_finite(a)?;
    dense_eigenvalues(a)?
        .last()
        .copied()
        .ok_or(SpectralError::EigenFailed { dim })
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    #[test]
    fn diagonal_matrix_eigenvalues_are_sorted_diagonal() {
        let a = Mat::from_fn(4, 4, |i, j| {
            if i == j {
                [3.0, -7.0, 0.5, 1.0][i]
            } else {
                0.0
            }
        });
        assert_eq!(
            dense_eigenvalues(a.as_ref()).unwrap(),
            vec![-7.0, 0.5, 1.0, 3.0]
        );
        assert_eq!(dense_top_eigenvalue(a.as_ref()).unwrap(), 3.0);
    }

    #[test]
    fn two_by_two_top_eigenvalue_matches_closed_form() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        let a = Mat::from_fn(2, 2, |i, j| if i == j { 2.0 } else { 1.0 });
        let top = dense_top_eigenvalue(a.as_ref()).unwrap();
        assert!((top - 3.0).abs() < 1e-14);
    }

    #[test]
    fn largest_algebraic_not_largest_magnitude() {
        let a = Mat::from_fn(2, 2, |i, j| match (i, j) {
            (0, 0) => -100.0,
            (1, 1) => 1.0,
            _ => 0.0,
        });
        assert_eq!(dense_top_eigenvalue(a.as_ref()).unwrap(), 1.0);
    }

    #[test]
    fn rejects_empty_non_square_and_non_finite() {
        let empty = Mat::<f64>::zeros(0, 0);
        assert_eq!(
            dense_top_eigenvalue(empty.as_ref()),
            Err(SpectralError::EmptyMatrix { rows: 0, cols: 0 })
        );
        let wide = Mat::<f64>::zeros(2, 3);
        assert_eq!(
            dense_eigenvalues(wide.as_ref()),
            Err(SpectralError::NotSquare { rows: 2, cols: 3 })
        );
        let mut bad = Mat::<f64>::identity(3, 3);
        bad[(2, 1)] = f64::INFINITY;
        assert_eq!(
            dense_top_eigenvalue(bad.as_ref()),
            Err(SpectralError::NonFiniteEntry { row: 2, col: 1 })
        );
    }
}
