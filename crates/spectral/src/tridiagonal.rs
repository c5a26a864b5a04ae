//! Eigen-decomposition of the small Lanczos tridiagonal matrix with a
//! preallocated workspace, so the Lanczos loop does not allocate.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::evd::{
    ComputeEigenvectors, SelfAdjointEvdParams, self_adjoint_evd_scratch,
    tridiagonal_self_adjoint_evd,
};
use faer::{Col, ColRef, Mat, Par, Spec};

use crate::SpectralError;

/// The largest algebraic Ritz value of a tridiagonal matrix `T_m` and what
/// Lanczos needs to know about its eigenvector `s`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TopRitz {
    /// Largest algebraic eigenvalue of `T_m`.
    pub value: f64,
    /// Column of the eigenvector matrix holding `s`.
    pub column: usize,
    /// `s[m - 1]`, which scales the residual estimate `|beta_m s[m - 1]|`.
    pub last_component: f64,
}

/// Workspace for the eigenpairs of symmetric tridiagonal matrices of size up
/// to `capacity`.
pub(crate) struct TridiagonalEigen {
    values: Col<f64>,
    vectors: Mat<f64>,
    scratch: MemBuffer,
}

impl TridiagonalEigen {
    /// Allocates everything needed for matrices of size `1..=capacity`.
    pub fn new(capacity: usize) -> Self {
        Self {
            values: Col::zeros(capacity),
            vectors: Mat::zeros(capacity, capacity),
            scratch: MemBuffer::new(scratch_requirement(capacity)),
        }
    }

    /// Decomposes the tridiagonal matrix with the given `diagonal` (length
    /// `m >= 1`) and `off_diagonal` (length `m - 1`) and returns its largest
    /// algebraic eigenpair.
    pub fn top(
        &mut self,
        diagonal: &[f64],
        off_diagonal: &[f64],
    ) -> Result<TopRitz, SpectralError> {
        let size = diagonal.len();
        self.decompose(diagonal, off_diagonal)?;
        let column = index_of_largest(self.values.as_ref().subrows(0, size));
        Ok(TopRitz {
            value: self.values[column],
            column,
            last_component: self.vectors[(size - 1, column)],
        })
    }

    /// Decomposes the tridiagonal matrix with the given `diagonal` (length
    /// `m >= 1`) and `off_diagonal` (length `m - 1`); read the result with
    /// [`values`](Self::values) and [`eigenvector`](Self::eigenvector).
    pub fn decompose(
        &mut self,
        diagonal: &[f64],
        off_diagonal: &[f64],
    ) -> Result<(), SpectralError> {
        let size = diagonal.len();
        debug_assert!(size >= 1 && off_diagonal.len() + 1 == size);
        debug_assert!(size <= self.values.nrows());
        tridiagonal_self_adjoint_evd(
            ColRef::from_slice(diagonal).as_diagonal(),
            ColRef::from_slice(off_diagonal).as_diagonal(),
            self.values.as_mut().subrows_mut(0, size).as_diagonal_mut(),
            Some(self.vectors.as_mut().submatrix_mut(0, 0, size, size)),
            Par::Seq,
            MemStack::new(&mut self.scratch),
            Spec::<SelfAdjointEvdParams, f64>::default(),
        )
        .map_err(|_| SpectralError::EigenFailed { dim: size })
    }

    /// The eigenvalues (ascending) from the last decomposition of size `size`.
    pub fn values(&self, size: usize) -> ColRef<'_, f64> {
        self.values.as_ref().subrows(0, size)
    }

    /// The first `size` entries of eigenvector `column` from the last call to
    /// [`top`](Self::top) with a matrix of that size.
    pub fn eigenvector(&self, column: usize, size: usize) -> ColRef<'_, f64> {
        self.vectors.as_ref().col(column).subrows(0, size)
    }
}

/// Scratch space that covers every size from 1 to `capacity`. The dense
/// self-adjoint requirement is a superset of the tridiagonal one, and taking
/// the maximum over all sizes avoids relying on monotonicity in the size.
fn scratch_requirement(capacity: usize) -> StackReq {
    let per_size = (1..=capacity).map(|size| {
        self_adjoint_evd_scratch::<f64>(
            size,
            ComputeEigenvectors::Yes,
            Par::Seq,
            Spec::<SelfAdjointEvdParams, f64>::default(),
        )
    });
    StackReq::any_of(&per_size.collect::<Vec<_>>())
}

/// Index of the largest value; the first one wins ties so results are
/// reproducible.
fn index_of_largest(values: ColRef<'_, f64>) -> usize {
    let mut best = 0;
    for (index, &value) in values.iter().enumerate() {
        if value > values[best] {
            best = index;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_by_one_is_its_own_eigenpair() {
        let mut eigen = TridiagonalEigen::new(4);
        let top = eigen.top(&[-2.5], &[]).unwrap();
        assert_eq!(top.value, -2.5);
        assert_eq!(top.column, 0);
        assert_eq!(top.last_component.abs(), 1.0);
    }

    #[test]
    fn picks_largest_algebraic_of_tridiagonal() {
        // [[-10, 1, 0], [1, 0, 1], [0, 1, 2]]: compare with the dense solver.
        let diagonal = [-10.0, 0.0, 2.0];
        let off_diagonal = [1.0, 1.0];
        let dense = Mat::from_fn(3, 3, |i, j| {
            if i == j {
                diagonal[i]
            } else if i.abs_diff(j) == 1 {
                1.0
            } else {
                0.0
            }
        });
        let expected = crate::dense_top_eigenvalue(dense.as_ref()).unwrap();
        let mut eigen = TridiagonalEigen::new(5);
        let top = eigen.top(&diagonal, &off_diagonal).unwrap();
        assert!((top.value - expected).abs() < 1e-13);
        // The returned eigenvector really is one: ||T s - value s|| small.
        let s = eigen.eigenvector(top.column, 3);
        let ts = &dense * s;
        let residual: f64 = (0..3)
            .map(|i| (ts[i] - top.value * s[i]).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!(residual < 1e-13);
        assert_eq!(top.last_component, s[2]);
    }

    #[test]
    fn scratch_covers_sizes_above_recursion_threshold() {
        // faer switches to divide and conquer from size 128; make sure the
        // preallocated scratch is large enough there too.
        let size = 150;
        let mut eigen = TridiagonalEigen::new(size);
        let diagonal: Vec<f64> = (0..size).map(|i| (i as f64).sin()).collect();
        let off_diagonal = vec![0.5; size - 1];
        let top = eigen.top(&diagonal, &off_diagonal).unwrap();
        assert!(top.value.is_finite());
    }
}
