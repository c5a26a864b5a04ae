//! The matrix-free operator abstraction and its dense implementation.

use faer::linalg::matmul::matmul;
use faer::{Accum, ColMut, ColRef, MatRef, Par};

use crate::SpectralError;
use crate::dense::validate_square_finite;

/// A symmetric linear operator `R^n -> R^n`, applied matrix-free.
///
/// Typical implementors wrap an exact Hessian-vector product. `apply` takes
/// `&mut self` so implementors can keep scratch buffers and avoid allocating
/// on every application.
pub trait SymmetricOperator {
    /// The dimension `n` of the space the operator acts on.
    fn dim(&self) -> usize;

    /// Computes `out = A x`.
    ///
    /// `x` and `out` both have length [`dim`](Self::dim); `out` must be fully
    /// overwritten (its previous contents are arbitrary).
    fn apply(&mut self, x: ColRef<'_, f64>, out: ColMut<'_, f64>);
}

/// A borrowed dense symmetric matrix used as a [`SymmetricOperator`].
///
/// Symmetry is assumed, not checked: the full matrix is multiplied, so a
/// non-symmetric input gives meaningless Lanczos results.
#[derive(Debug, Clone, Copy)]
pub struct DenseOperator<'a> {
    matrix: MatRef<'a, f64>,
}

impl<'a> DenseOperator<'a> {
    /// Wraps `a`. Errors if `a` is empty, not square, or has a non-finite
    /// entry.
    pub fn new(a: MatRef<'a, f64>) -> Result<Self, SpectralError> {
        validate_square_finite(a)?;
        Ok(Self { matrix: a })
    }
}

impl SymmetricOperator for DenseOperator<'_> {
    fn dim(&self) -> usize {
        self.matrix.nrows()
    }

    fn apply(&mut self, x: ColRef<'_, f64>, out: ColMut<'_, f64>) {
        matmul(out, Accum::Replace, self.matrix, x, 1.0, Par::Seq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::{Col, Mat};

    #[test]
    fn dense_apply_overwrites_output_with_product() {
        let a = Mat::from_fn(3, 3, |i, j| {
            (i + 2 * j) as f64 + if i == j { 1.0 } else { 0.0 }
        });
        let x = Col::from_fn(3, |i| [1.0, -2.0, 0.5][i]);
        let mut out = Col::from_fn(3, |_| f64::NAN);
        let mut op = DenseOperator::new(a.as_ref()).unwrap();
        op.apply(x.as_ref(), out.as_mut());
        for i in 0..3 {
            let expected: f64 = (0..3).map(|j| a[(i, j)] * x[j]).sum();
            assert!((out[i] - expected).abs() < 1e-14);
        }
        assert_eq!(op.dim(), 3);
    }

    #[test]
    fn dense_operator_rejects_bad_matrices() {
        assert_eq!(
            DenseOperator::new(Mat::<f64>::zeros(0, 0).as_ref()).unwrap_err(),
            SpectralError::EmptyMatrix { rows: 0, cols: 0 }
        );
        assert_eq!(
            DenseOperator::new(Mat::<f64>::zeros(3, 2).as_ref()).unwrap_err(),
            SpectralError::NotSquare { rows: 3, cols: 2 }
        );
        let mut nan = Mat::<f64>::zeros(2, 2);
        nan[(0, 1)] = f64::NAN;
        assert_eq!(
            DenseOperator::new(nan.as_ref()).unwrap_err(),
            SpectralError::NonFiniteEntry { row: 0, col: 1 }
        );
    }
}
