//! Small shared kernels of the restarted and stochastic Lanczos methods: block
//! Gram-Schmidt, seeded random vectors, and a preallocated dense symmetric
//! eigensolver for the projected (Rayleigh-Ritz) matrix.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::evd::{
    ComputeEigenvectors, SelfAdjointEvdParams, self_adjoint_evd, self_adjoint_evd_scratch,
};
use faer::linalg::matmul::matmul;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Accum, Col, ColMut, ColRef, Mat, MatRef, Par, Spec};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

use crate::SpectralError;

/// Scratch for [`orthogonalise_robust`]: per-basis coefficient buffers.
pub(crate) struct Coefficients<'a> {
    /// Scratch of one pass.
    pub pass: ColMut<'a, f64>,
    /// Receives the summed coefficients of all passes.
    pub total: ColMut<'a, f64>,
}

/// Removes from `w` its components along the orthonormal columns of `first`
/// and of `second` (block classical Gram-Schmidt, both bases per pass) and
/// returns the norm of what is left, or 0 when `w` lies numerically in their
/// span.
///
/// Passes repeat while a pass shrinks the norm by more than half (the
/// criterion of Daniel, Gragg, Kaufman and Stewart 1976; "twice is enough",
/// Parlett 1980 §6.9), at most three: if the third still shrinks it, `w` is
/// rounding noise inside the span and normalising it would produce a vector
/// that is not orthogonal to the bases, so 0 is returned (a breakdown: the
/// span is invariant for Lanczos). The coefficient buffers must have
/// `first.ncols()` and `second.ncols()` rows.
pub(crate) fn orthogonalise_robust(
    first: MatRef<'_, f64>,
    second: MatRef<'_, f64>,
    mut w: ColMut<'_, f64>,
    mut a: Coefficients<'_>,
    mut b: Coefficients<'_>,
) -> f64 {
    const SHRINK: f64 = 0.5;
    const MAX_PASSES: usize = 3;
    a.total.fill(0.0);
    b.total.fill(0.0);
    let mut previous = w.norm_l2();
    for pass in 1..=MAX_PASSES {
        project_out(first, w.rb_mut(), &mut a);
        project_out(second, w.rb_mut(), &mut b);
        let norm = w.norm_l2();
        if pass >= 2 && norm >= SHRINK * previous {
            return norm;
        }
        if pass == MAX_PASSES || norm == 0.0 {
            return 0.0;
        }
        previous = norm;
    }
    0.0
}

/// One Gram-Schmidt pass: `w <- w - B (Bᵀ w)`, adding `Bᵀ w` to the total.
fn project_out(
    basis: MatRef<'_, f64>,
    mut w: ColMut<'_, f64>,
    coefficients: &mut Coefficients<'_>,
) {
    if basis.ncols() == 0 {
        return;
    }
    matmul(
        coefficients.pass.rb_mut(),
        Accum::Replace,
        basis.transpose(),
        w.rb(),
        1.0,
        Par::Seq,
    );
    matmul(
        w.rb_mut(),
        Accum::Add,
        basis,
        coefficients.pass.rb(),
        -1.0,
        Par::Seq,
    );
    faer::zip!(coefficients.total.rb_mut(), coefficients.pass.rb())
        .for_each(|faer::unzip!(t, p)| *t += *p);
}

/// Fills `v` with independent standard Gaussian draws.
pub(crate) fn fill_gaussian(rng: &mut Xoshiro256PlusPlus, v: ColMut<'_, f64>) {
    for entry in v.iter_mut() {
        *entry = rng.sample(StandardNormal);
    }
}

/// Fills `v` with independent Rademacher signs (`±1`, probability 1/2 each).
pub(crate) fn fill_rademacher(rng: &mut Xoshiro256PlusPlus, v: ColMut<'_, f64>) {
    for entry in v.iter_mut() {
        *entry = if rng.random::<bool>() { 1.0 } else { -1.0 };
    }
}

/// The named seeded generator of the crate: Xoshiro256++, portable across
/// platforms and rand versions.
pub(crate) fn seeded_rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

/// Workspace for the eigendecomposition of dense symmetric matrices of size
/// up to `capacity` (the projected matrix `H = Vᵀ A V` of a restarted
/// Lanczos), allocated once. Eigenvalues come out ascending.
pub(crate) struct SymmetricEigen {
    values: Col<f64>,
    vectors: Mat<f64>,
    scratch: MemBuffer,
}

impl SymmetricEigen {
    /// Allocates everything needed for sizes `1..=capacity`.
    pub fn new(capacity: usize) -> Self {
        let per_size: Vec<StackReq> = (1..=capacity.max(1))
            .map(|size| {
                self_adjoint_evd_scratch::<f64>(
                    size,
                    ComputeEigenvectors::Yes,
                    Par::Seq,
                    Spec::<SelfAdjointEvdParams, f64>::default(),
                )
            })
            .collect();
        Self {
            values: Col::zeros(capacity),
            vectors: Mat::zeros(capacity, capacity),
            scratch: MemBuffer::new(StackReq::any_of(&per_size)),
        }
    }

    /// Decomposes the symmetric `a` (only its lower triangle is read).
    pub fn decompose(&mut self, a: MatRef<'_, f64>) -> Result<(), SpectralError> {
        let size = a.nrows();
        debug_assert!(size <= self.values.nrows() && a.ncols() == size);
        self_adjoint_evd(
            a,
            self.values.as_mut().subrows_mut(0, size).as_diagonal_mut(),
            Some(self.vectors.as_mut().submatrix_mut(0, 0, size, size)),
            Par::Seq,
            MemStack::new(&mut self.scratch),
            Spec::<SelfAdjointEvdParams, f64>::default(),
        )
        .map_err(|_| SpectralError::EigenFailed { dim: size })
    }

    /// Ascending eigenvalues of the last matrix of size `size`.
    pub fn values(&self, size: usize) -> ColRef<'_, f64> {
        self.values.as_ref().subrows(0, size)
    }

    /// Eigenvectors (columns, matching [`values`](Self::values)) of the last
    /// matrix of size `size`.
    pub fn vectors(&self, size: usize) -> MatRef<'_, f64> {
        self.vectors.as_ref().submatrix(0, 0, size, size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robust_orthogonalisation_detects_vectors_in_the_span() {
        let basis = Mat::from_fn(5, 2, |i, j| if i == j { 1.0 } else { 0.0 });
        let empty = Mat::<f64>::zeros(5, 0);
        let mut scratch = [Col::zeros(2), Col::zeros(2), Col::zeros(0), Col::zeros(0)];
        let [p, t, q, u] = &mut scratch;
        // In the span: a breakdown.
        let mut w = Col::from_fn(5, |i| [1.0, 2.0, 0.0, 0.0, 0.0][i]);
        let beta = orthogonalise_robust(
            basis.as_ref(),
            empty.as_ref(),
            w.as_mut(),
            Coefficients {
                pass: p.as_mut(),
                total: t.as_mut(),
            },
            Coefficients {
                pass: q.as_mut(),
                total: u.as_mut(),
            },
        );
        assert_eq!(beta, 0.0);
        // A genuine new direction survives with its norm.
        let mut w = Col::from_fn(5, |i| [1.0, 2.0, 0.0, 3.0, 4.0][i]);
        let beta = orthogonalise_robust(
            empty.as_ref(),
            basis.as_ref(),
            w.as_mut(),
            Coefficients {
                pass: q.as_mut(),
                total: u.as_mut(),
            },
            Coefficients {
                pass: p.as_mut(),
                total: t.as_mut(),
            },
        );
        assert!((beta - 5.0).abs() < 1e-15);
        assert_eq!((t[0], t[1]), (1.0, 2.0));
    }

    #[test]
    fn symmetric_eigen_is_ascending_and_reusable() {
        let mut eigen = SymmetricEigen::new(3);
        let a = Mat::from_fn(3, 3, |i, j| if i == j { [2.0, -1.0, 0.5][i] } else { 0.0 });
        eigen.decompose(a.as_ref()).unwrap();
        assert_eq!(eigen.values(3)[0], -1.0);
        assert_eq!(eigen.values(3)[2], 2.0);
        let b = Mat::from_fn(2, 2, |i, j| if i == j { 2.0 } else { 1.0 });
        eigen.decompose(b.as_ref()).unwrap();
        assert!((eigen.values(2)[0] - 1.0).abs() < 1e-14);
        assert!((eigen.values(2)[1] - 3.0).abs() < 1e-14);
    }

    #[test]
    fn rademacher_entries_are_signs() {
        let mut rng = seeded_rng(3);
        let mut v = Col::zeros(100);
        fill_rademacher(&mut rng, v.as_mut());
        assert!(v.iter().all(|&x| x == 1.0 || x == -1.0));
        let plus = v.iter().filter(|&&x| x > 0.0).count();
        assert!(plus > 30 && plus < 70);
    }
}
