//! Lanczos iteration for the largest algebraic eigenvalue of a symmetric
//! operator. See the crate documentation for the algorithm.

use faer::linalg::matmul::matmul;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Accum, Col, ColMut, ColRef, Mat, Par};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

use crate::SpectralError;
use crate::operator::SymmetricOperator;
use crate::tridiagonal::{TopRitz, TridiagonalEigen};

/// Residuals below `ROUNDING_NOISE_FACTOR * eps * sqrt(n) * ||A||` are treated
/// as rounding noise: no computed vector can do much better, so such a
/// residual counts as converged (this is what lets an exact top eigenvalue of
/// zero converge) and such a Lanczos `beta` signals an invariant subspace.
pub(crate) const ROUNDING_NOISE_FACTOR: f64 = 16.0;

/// Smallest useful basis: with a single vector an explicit restart would
/// restart from the same vector and never make progress.
const MIN_BASIS_SIZE: usize = 2;

/// Tuning knobs of [`Lanczos`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanczosOptions {
    /// Maximum number of basis vectors before an explicit restart. Clamped to
    /// the operator dimension; a value of 1 is raised to 2 (when the dimension
    /// allows) because a one-vector basis cannot make progress. Default 60.
    pub krylov_dim: usize,
    /// Maximum number of explicit restarts after the first cycle. Default 20.
    pub max_restarts: usize,
    /// Relative residual tolerance: converged when
    /// `||A x - value x|| <= tol * |value|` (or when the residual is at the
    /// rounding-noise level of the operator). Default `1e-9`.
    pub tol: f64,
    /// Seed of the Gaussian start vector used when no warm start is given.
    /// Default 0.
    pub seed: u64,
}

impl Default for LanczosOptions {
    fn default() -> Self {
        Self {
            krylov_dim: 60,
            max_restarts: 20,
            tol: 1e-9,
            seed: 0,
        }
    }
}

/// Result of [`Lanczos::top`]: the largest algebraic eigenvalue and its
/// eigenvector.
#[derive(Debug, Clone)]
pub struct TopEigenpair {
    /// The eigenvalue estimate: the Rayleigh quotient `xᵀ A x` of `vector`.
    pub value: f64,
    /// Unit-norm eigenvector estimate `x`.
    pub vector: Col<f64>,
    /// True residual `||A x - value x||`, computed with an extra application.
    pub residual: f64,
    /// Number of operator applications used, including the final residual
    /// check.
    pub applications: usize,
    /// Whether `residual` met the tolerance (see [`LanczosOptions::tol`]).
    pub converged: bool,
}

/// Reusable Lanczos workspace for operators of one dimension.
///
/// All buffers (the `dim x krylov_dim` basis included) are allocated by
/// [`Lanczos::new`]; [`Lanczos::top`] reuses them, so calling it repeatedly
/// along a training trajectory does not reallocate the basis.
pub struct Lanczos {
    dim: usize,
    options: LanczosOptions,
    /// Orthonormal Krylov basis, one vector per column.
    basis: Mat<f64>,
    /// `A v_j`, then the orthogonalised residual direction.
    product: Col<f64>,
    /// Current top Ritz vector.
    ritz_vector: Col<f64>,
    /// Gram-Schmidt coefficients `Vᵀ w`.
    projections: Col<f64>,
    /// Diagonal `alpha_j` of the Lanczos tridiagonal matrix.
    diagonal: Vec<f64>,
    /// Off-diagonal `beta_j` of the Lanczos tridiagonal matrix.
    off_diagonal: Vec<f64>,
    tridiagonal: TridiagonalEigen,
}

/// How one Lanczos cycle (a basis built from one start vector) ended.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CycleEnd {
    /// The residual estimate met the tolerance, or the Krylov space became
    /// invariant (so its Ritz values are exact).
    Settled,
    /// The basis is full without convergence: restart.
    BasisFull,
}

#[derive(Debug, Clone, Copy)]
struct CycleOutcome {
    basis_size: usize,
    top: TopRitz,
    end: CycleEnd,
}

/// Bookkeeping shared by all cycles of one [`Lanczos::top`] call.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    pub(crate) applications: usize,
    /// Largest `||A v||` seen for unit `v`: a lower bound on `||A||` used to
    /// scale the rounding-noise floor.
    pub(crate) operator_scale: f64,
}

/// The true residual check of a Ritz vector.
#[derive(Debug, Clone, Copy)]
struct Verification {
    value: f64,
    residual: f64,
    converged: bool,
}

impl Lanczos {
    /// Allocates a workspace for operators of dimension `dim`.
    ///
    /// Errors if `dim` is 0, `options.krylov_dim` is 0, or `options.tol` is
    /// not finite and positive.
    pub fn new(dim: usize, options: LanczosOptions) -> Result<Self, SpectralError> {
        if dim == 0 {
            return Err(SpectralError::ZeroDimension);
        }
        if options.krylov_dim == 0 {
            return Err(SpectralError::ZeroKrylovDim);
        }
        if !(options.tol.is_finite() && options.tol > 0.0) {
            return Err(SpectralError::InvalidTolerance(options.tol));
        }
        let capacity = options.krylov_dim.max(MIN_BASIS_SIZE).min(dim);
        Ok(Self {
            dim,
            options,
            basis: Mat::zeros(dim, capacity),
            product: Col::zeros(dim),
            ritz_vector: Col::zeros(dim),
            projections: Col::zeros(capacity),
            diagonal: vec![0.0; capacity],
            off_diagonal: vec![0.0; capacity],
            tridiagonal: TridiagonalEigen::new(capacity),
        })
    }

    /// Largest algebraic eigenvalue of `op` and its eigenvector.
    ///
    /// `start` is an optional warm start (for example the previous top
    /// eigenvector along a trajectory); when it is `None` or zero, a Gaussian
    /// vector drawn deterministically from `options.seed` is used. A warm start
    /// lying exactly in an invariant subspace that excludes the top
    /// eigenvector cannot reveal it; the random start avoids this with
    /// probability one.
    ///
    /// Errors: operator dimension differs from the workspace, start vector of
    /// the wrong length or with non-finite entries, non-finite operator
    /// output ([`SpectralError::NonFinite`]).
    pub fn top(
        &mut self,
        op: &mut impl SymmetricOperator,
        start: Option<ColRef<'_, f64>>,
    ) -> Result<TopEigenpair, SpectralError> {
        if op.dim() != self.dim {
            return Err(SpectralError::DimensionMismatch {
                operator: op.dim(),
                workspace: self.dim,
            });
        }
        self.load_start_vector(start)?;
        let mut progress = Progress::default();
        let mut restarts = 0;
        loop {
            let outcome = self.run_cycle(op, &mut progress)?;
            self.assemble_ritz_vector(&outcome);
            let last_cycle = restarts == self.options.max_restarts;
            if outcome.end == CycleEnd::Settled || last_cycle {
                let check = self.verify_ritz_vector(op, &mut progress)?;
                if check.converged || last_cycle {
                    return Ok(TopEigenpair {
                        value: check.value,
                        vector: self.ritz_vector.clone(),
                        residual: check.residual,
                        applications: progress.applications,
                        converged: check.converged,
                    });
                }
            }
            self.basis.col_mut(0).copy_from(&self.ritz_vector);
            restarts += 1;
        }
    }

    /// Writes the unit start vector into the first basis column.
    fn load_start_vector(&mut self, start: Option<ColRef<'_, f64>>) -> Result<(), SpectralError> {
        if let Some(start) = start {
            if start.nrows() != self.dim {
                return Err(SpectralError::StartLengthMismatch {
                    start: start.nrows(),
                    expected: self.dim,
                });
            }
            if let Some(index) = start.iter().position(|x| !x.is_finite()) {
                return Err(SpectralError::NonFiniteStart { index });
            }
            self.basis.col_mut(0).copy_from(start);
            if normalise(self.basis.col_mut(0)) {
                return Ok(());
            }
        }
        self.fill_gaussian_start();
        Ok(())
    }

    /// Fills the first basis column with a unit Gaussian vector seeded by
    /// `options.seed`.
    fn fill_gaussian_start(&mut self) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(self.options.seed);
        let mut first = self.basis.col_mut(0);
        for entry in first.rb_mut().iter_mut() {
            *entry = rng.sample(StandardNormal);
        }
        if !normalise(first.rb_mut()) {
            // Only reachable if every Gaussian draw is exactly zero.
            first.fill(0.0);
            first[0] = 1.0;
        }
    }

    /// Builds a Krylov basis from the unit vector in column 0 until the top
    /// Ritz pair settles or the basis is full.
    fn run_cycle(
        &mut self,
        op: &mut impl SymmetricOperator,
        progress: &mut Progress,
    ) -> Result<CycleOutcome, SpectralError> {
        let capacity = self.basis.ncols();
        let mut step = 0;
        loop {
            let basis_size = step + 1;
            apply_checked(op, self.basis.col(step), self.product.as_mut(), progress)?;
            let alpha = self.orthogonalise_product(basis_size);
            let beta = self.product.norm_l2();
            if !(alpha.is_finite() && beta.is_finite()) {
                return Err(SpectralError::NonFinite {
                    application: progress.applications,
                });
            }
            self.diagonal[step] = alpha;
            let top = self
                .tridiagonal
                .top(&self.diagonal[..basis_size], &self.off_diagonal[..step])?;
            let noise = self.rounding_noise(progress.operator_scale);
            let invariant = basis_size == self.dim || beta <= noise;
            let residual_estimate = beta * top.last_component.abs();
            let threshold = self.acceptance_threshold(top.value, progress.operator_scale);
            let end = if invariant || residual_estimate <= threshold {
                Some(CycleEnd::Settled)
            } else if basis_size == capacity {
                Some(CycleEnd::BasisFull)
            } else {
                None
            };
            if let Some(end) = end {
                return Ok(CycleOutcome {
                    basis_size,
                    top,
                    end,
                });
            }
            self.off_diagonal[step] = beta;
            self.append_basis_vector(basis_size, beta);
            step += 1;
        }
    }

    /// Removes from `product` its components along the first `basis_size`
    /// basis vectors (classical Gram-Schmidt, two passes) and returns the
    /// total coefficient along the newest one, i.e. the Lanczos `alpha`.
    fn orthogonalise_product(&mut self, basis_size: usize) -> f64 {
        let basis = self.basis.as_ref().subcols(0, basis_size);
        let mut alpha = 0.0;
        for _pass in 0..2 {
            let mut coefficients = self.projections.as_mut().subrows_mut(0, basis_size);
            matmul(
                coefficients.rb_mut(),
                Accum::Replace,
                basis.transpose(),
                self.product.as_ref(),
                1.0,
                Par::Seq,
            );
            matmul(
                self.product.as_mut(),
                Accum::Add,
                basis,
                coefficients.rb(),
                -1.0,
                Par::Seq,
            );
            alpha += coefficients[basis_size - 1];
        }
        alpha
    }

    /// Stores `product / beta` as basis column `column`.
    fn append_basis_vector(&mut self, column: usize, beta: f64) {
        let product = self.product.as_ref();
        for (target, &source) in self.basis.col_mut(column).iter_mut().zip(product.iter()) {
            *target = source / beta;
        }
    }

    /// Forms the top Ritz vector `V s` of a finished cycle, normalised.
    fn assemble_ritz_vector(&mut self, outcome: &CycleOutcome) {
        let size = outcome.basis_size;
        matmul(
            self.ritz_vector.as_mut(),
            Accum::Replace,
            self.basis.as_ref().subcols(0, size),
            self.tridiagonal.eigenvector(outcome.top.column, size),
            1.0,
            Par::Seq,
        );
        normalise(self.ritz_vector.as_mut());
    }

    /// One extra application: Rayleigh quotient and true residual of the
    /// current Ritz vector.
    fn verify_ritz_vector(
        &mut self,
        op: &mut impl SymmetricOperator,
        progress: &mut Progress,
    ) -> Result<Verification, SpectralError> {
        apply_checked(
            op,
            self.ritz_vector.as_ref(),
            self.product.as_mut(),
            progress,
        )?;
        let value = dot(self.ritz_vector.as_ref(), self.product.as_ref());
        // The product is not needed after this check: it becomes the residual `Ax − value·x`.
        faer::zip!(self.product.as_mut(), self.ritz_vector.as_ref())
            .for_each(|faer::unzip!(ax, x)| *ax -= value * *x);
        let residual = self.product.norm_l2();
        if !(value.is_finite() && residual.is_finite()) {
            return Err(SpectralError::NonFinite {
                application: progress.applications,
            });
        }
        let converged = residual <= self.acceptance_threshold(value, progress.operator_scale);
        Ok(Verification {
            value,
            residual,
            converged,
        })
    }

    /// Residual level that cannot be distinguished from rounding error for
    /// an operator of norm about `operator_scale`.
    fn rounding_noise(&self, operator_scale: f64) -> f64 {
        ROUNDING_NOISE_FACTOR * f64::EPSILON * (self.dim as f64).sqrt() * operator_scale
    }

    /// Residual at or below which the eigenvalue estimate `value` is accepted.
    fn acceptance_threshold(&self, value: f64, operator_scale: f64) -> f64 {
        (self.options.tol * value.abs()).max(self.rounding_noise(operator_scale))
    }
}

/// Largest algebraic eigenpair of `op` with a fresh workspace built from
/// `options` (pass `LanczosOptions::default()` for the defaults) and a seeded
/// Gaussian start vector.
pub fn top_eigenpair(
    op: &mut impl SymmetricOperator,
    options: LanczosOptions,
) -> Result<TopEigenpair, SpectralError> {
    Lanczos::new(op.dim(), options)?.top(op, None)
}

/// `out = A x`, counting the application, rejecting non-finite output and
/// tracking the operator scale.
pub(crate) fn apply_checked(
    op: &mut impl SymmetricOperator,
    x: ColRef<'_, f64>,
    mut out: ColMut<'_, f64>,
    progress: &mut Progress,
) -> Result<(), SpectralError> {
    op.apply(x, out.rb_mut());
    progress.applications += 1;
    // A NaN or infinite entry makes the norm NaN or infinite, so this one check covers all.
    let image_norm = out.norm_l2();
    if !image_norm.is_finite() {
        return Err(SpectralError::NonFinite {
            application: progress.applications,
        });
    }
    progress.operator_scale = progress.operator_scale.max(image_norm);
    Ok(())
}

pub(crate) fn dot(a: ColRef<'_, f64>, b: ColRef<'_, f64>) -> f64 {
    a.transpose() * b
}

/// Scales `v` to unit Euclidean norm, overflow- and underflow-safely.
/// Returns `false` (leaving `v` unchanged) if `v` is zero.
pub(crate) fn normalise(mut v: ColMut<'_, f64>) -> bool {
    let largest = v.norm_max();
    if largest == 0.0 {
        return false;
    }
    // Multiplying by reciprocals (not dividing) keeps this a fast vector loop; a subnormal
    // `largest` has no finite reciprocal and is divided by.
    let to_unit_max = largest.recip();
    if to_unit_max.is_finite() {
        faer::zip!(v.rb_mut()).for_each(|faer::unzip!(x)| *x *= to_unit_max);
    } else {
        faer::zip!(v.rb_mut()).for_each(|faer::unzip!(x)| *x /= largest);
    }
    let to_unit_norm = v.norm_l2().recip();
    faer::zip!(v).for_each(|faer::unzip!(x)| *x *= to_unit_norm);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DenseOperator;

    /// A diagonal operator; counts nothing, allocates nothing.
    struct Diagonal(Vec<f64>);

    impl SymmetricOperator for Diagonal {
        fn dim(&self) -> usize {
            self.0.len()
        }
        fn apply(&mut self, x: ColRef<'_, f64>, out: ColMut<'_, f64>) {
            for ((o, &xi), &d) in out.iter_mut().zip(x.iter()).zip(&self.0) {
                *o = d * xi;
            }
        }
    }

    fn evenly_spaced(n: usize, low: f64, high: f64) -> Vec<f64> {
        (0..n)
            .map(|i| low + (high - low) * i as f64 / (n - 1) as f64)
            .collect()
    }

    #[test]
    fn default_options_match_documentation() {
        let options = LanczosOptions::default();
        assert_eq!(options.krylov_dim, 60);
        assert_eq!(options.max_restarts, 20);
        assert_eq!(options.tol, 1e-9);
        assert_eq!(options.seed, 0);
    }

    #[test]
    fn new_rejects_invalid_settings() {
        let options = LanczosOptions::default();
        assert_eq!(
            Lanczos::new(0, options).err(),
            Some(SpectralError::ZeroDimension)
        );
        let zero_krylov = LanczosOptions {
            krylov_dim: 0,
            ..options
        };
        assert_eq!(
            Lanczos::new(3, zero_krylov).err(),
            Some(SpectralError::ZeroKrylovDim)
        );
        for tol in [0.0, -1.0, f64::INFINITY] {
            let bad = LanczosOptions { tol, ..options };
            assert_eq!(
                Lanczos::new(3, bad).err(),
                Some(SpectralError::InvalidTolerance(tol))
            );
        }
        let nan_tol = LanczosOptions {
            tol: f64::NAN,
            ..options
        };
        assert!(matches!(
            Lanczos::new(3, nan_tol),
            Err(SpectralError::InvalidTolerance(t)) if t.is_nan()
        ));
    }

    #[test]
    fn basis_is_clamped_to_dimension() {
        let lanczos = Lanczos::new(7, LanczosOptions::default()).unwrap();
        assert_eq!(lanczos.basis.ncols(), 7);
        let one = LanczosOptions {
            krylov_dim: 1,
            ..LanczosOptions::default()
        };
        assert_eq!(Lanczos::new(7, one).unwrap().basis.ncols(), MIN_BASIS_SIZE);
        assert_eq!(Lanczos::new(1, one).unwrap().basis.ncols(), 1);
    }

    #[test]
    fn picks_largest_algebraic_not_largest_magnitude() {
        let mut op = Diagonal(vec![-50.0, 3.0, -7.0, 0.0, 2.0, -49.0]);
        let result = top_eigenpair(&mut op, LanczosOptions::default()).unwrap();
        assert!(result.converged);
        assert!((result.value - 3.0).abs() < 1e-12, "{}", result.value);
        assert!((result.vector[1].abs() - 1.0).abs() < 1e-10);
    }

    #[test]
    fn explicit_restarts_converge_with_small_basis() {
        let mut spectrum = evenly_spaced(200, -1.0, 1.0);
        spectrum[137] = 10.0;
        let mut op = Diagonal(spectrum);
        let options = LanczosOptions {
            krylov_dim: 4,
            max_restarts: 50,
            ..LanczosOptions::default()
        };
        let result = top_eigenpair(&mut op, options).unwrap();
        assert!(result.converged);
        assert!((result.value - 10.0).abs() < 1e-8);
        // Four steps per cycle cannot reach 1e-9 in one cycle: restarts ran.
        assert!(result.applications > 5, "{}", result.applications);
    }

    #[test]
    fn krylov_dim_one_still_makes_progress() {
        let mut op = Diagonal(vec![1.0, -4.0, 2.0, 0.5]);
        let options = LanczosOptions {
            krylov_dim: 1,
            max_restarts: 500,
            ..LanczosOptions::default()
        };
        let result = top_eigenpair(&mut op, options).unwrap();
        assert!(result.converged);
        assert!((result.value - 2.0).abs() < 1e-8);
    }

    #[test]
    fn unconverged_result_is_reported_honestly() {
        let mut op = Diagonal(evenly_spaced(500, -1.0, 1.0));
        let options = LanczosOptions {
            krylov_dim: 3,
            max_restarts: 0,
            ..LanczosOptions::default()
        };
        let result = top_eigenpair(&mut op, options).unwrap();
        assert!(!result.converged);
        // 3 Lanczos steps plus the residual check.
        assert_eq!(result.applications, 4);
        assert!(result.residual > options.tol * result.value.abs());
        assert!(result.value <= 1.0 + 1e-12);
    }

    #[test]
    fn zero_operator_has_top_eigenvalue_zero() {
        let mut op = Diagonal(vec![0.0; 5]);
        let result = top_eigenpair(&mut op, LanczosOptions::default()).unwrap();
        assert!(result.converged);
        assert_eq!(result.value, 0.0);
        assert_eq!(result.residual, 0.0);
    }

    #[test]
    fn exact_zero_top_eigenvalue_converges() {
        // Negative semidefinite with a zero eigenvalue: tol * |value| is 0,
        // so only the rounding-noise floor lets this converge.
        let mut op = Diagonal(evenly_spaced(80, -3.0, 0.0));
        let result = top_eigenpair(&mut op, LanczosOptions::default()).unwrap();
        assert!(result.converged);
        assert!(result.value.abs() < 1e-12, "{}", result.value);
    }

    #[test]
    fn zero_start_vector_falls_back_to_seeded_gaussian() {
        let a = faer::Mat::from_fn(6, 6, |i, j| {
            1.0 / (1 + i + j) as f64 - if i == j { 0.3 } else { 0.0 }
        });
        let mut op = DenseOperator::new(a.as_ref()).unwrap();
        let mut lanczos = Lanczos::new(6, LanczosOptions::default()).unwrap();
        let zero = Col::<f64>::zeros(6);
        let from_zero = lanczos.top(&mut op, Some(zero.as_ref())).unwrap();
        let from_none = lanczos.top(&mut op, None).unwrap();
        assert_eq!(from_zero.value.to_bits(), from_none.value.to_bits());
        assert_eq!(from_zero.applications, from_none.applications);
    }

    #[test]
    fn non_finite_start_is_rejected() {
        let mut op = Diagonal(vec![1.0, 2.0, 3.0]);
        let mut lanczos = Lanczos::new(3, LanczosOptions::default()).unwrap();
        let start = Col::from_fn(3, |i| if i == 2 { f64::INFINITY } else { 1.0 });
        assert_eq!(
            lanczos.top(&mut op, Some(start.as_ref())).unwrap_err(),
            SpectralError::NonFiniteStart { index: 2 }
        );
    }

    #[test]
    fn huge_start_vector_is_normalised_without_overflow() {
        let mut op = Diagonal(vec![1.0, 2.0, 3.0]);
        let mut lanczos = Lanczos::new(3, LanczosOptions::default()).unwrap();
        let start = Col::from_fn(3, |_| 1e300);
        let result = lanczos.top(&mut op, Some(start.as_ref())).unwrap();
        assert!((result.value - 3.0).abs() < 1e-12);
    }

    #[test]
    fn overflowing_operator_is_reported_as_non_finite() {
        let mut op = Diagonal(vec![f64::MAX, f64::MAX]);
        let mut lanczos = Lanczos::new(2, LanczosOptions::default()).unwrap();
        let start = Col::from_fn(2, |_| 1.0);
        assert!(matches!(
            lanczos.top(&mut op, Some(start.as_ref())),
            Err(SpectralError::NonFinite { application: 1 })
        ));
    }

    #[test]
    fn normalise_handles_zero_and_scales() {
        let mut zero = Col::<f64>::zeros(3);
        assert!(!normalise(zero.as_mut()));
        let mut v = Col::from_fn(2, |i| [3.0e-310, 4.0e-310][i]);
        assert!(normalise(v.as_mut()));
        assert!((v[0] - 0.6).abs() < 1e-15 && (v[1] - 0.8).abs() < 1e-15);
    }
}
