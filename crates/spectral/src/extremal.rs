//! The `k` largest and/or `k` smallest (algebraic) eigenpairs of a symmetric
//! operator, each with a certified error bound: a thick-restart Lanczos with
//! full reorthogonalisation, locking, and verification sweeps from fresh
//! random vectors. See [`ExtremalLanczos`] for the algorithm.

use faer::linalg::matmul::matmul;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Accum, Col, Mat, MatRef, Par};
use rand::rngs::Xoshiro256PlusPlus;

use crate::SpectralError;
use crate::kernels::{
    Coefficients, SymmetricEigen, fill_gaussian, orthogonalise_robust, seeded_rng,
};
use crate::lanczos::{Progress, ROUNDING_NOISE_FACTOR, apply_checked, dot, normalise};
use crate::operator::SymmetricOperator;

const TOP: usize = 0;
const BOTTOM: usize = 1;

/// A Ritz pair is locked once its residual estimate is below
/// `tol ||A||_est / LOCK_MARGIN`: locking with a margin leaves room for the
/// deflation error (a pair found against locked vectors with residual `r_L`
/// has an explicit residual up to about its estimate plus `r_L`), so the
/// explicit residual still meets `tol ||A||_est`.
const LOCK_MARGIN: f64 = 8.0;

/// Convergence thresholds of one Rayleigh-Ritz step.
#[derive(Debug, Clone, Copy)]
struct Thresholds {
    /// Residual estimate at or below which a Ritz pair is locked.
    lock: f64,
    /// Explicit residual at or below which a pair counts as converged; also
    /// the margin by which a value must exceed the `k`-th locked one.
    accept: f64,
}

/// Which end(s) of the spectrum [`ExtremalLanczos`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpectrumEnds {
    /// The `k` largest algebraic eigenvalues (e.g. the sharpness and its runners-up).
    Top,
    /// The `k` smallest algebraic eigenvalues (the most negative curvature).
    Bottom,
    /// Both: `k` at the top and `k` at the bottom.
    Both,
}

impl SpectrumEnds {
    fn wants(self) -> [bool; 2] {
        match self {
            Self::Top => [true, false],
            Self::Bottom => [false, true],
            Self::Both => [true, true],
        }
    }
}

/// Options of [`ExtremalLanczos`] and [`extremal_eigenpairs`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExtremalOptions {
    /// Number of eigenpairs per requested end. Must be at least 1; when it
    /// exceeds the dimension `n`, `n` pairs are returned per end. Default 1.
    pub k: usize,
    /// Which end(s) of the spectrum. Default [`SpectrumEnds::Both`].
    pub ends: SpectrumEnds,
    /// Tolerance relative to the operator scale: a returned pair counts as
    /// converged when its explicit residual is at most `tol * ||A||_est` (or
    /// at most four times the rounding-noise level `16 ε √n ||A||_est`), where
    /// `||A||_est` is the largest of `||A v||` over the unit vectors applied
    /// and `|θ|` over the Ritz values, a lower bound on `||A||₂`. Pairs are
    /// locked at an eight times smaller estimated residual. Default `1e-10`.
    pub tol: f64,
    /// Budget of operator applications for the Lanczos expansion steps.
    /// When it runs out, the `k` most extreme Ritz pairs of the last basis are
    /// returned with `converged == false`. The explicit residual check of each
    /// locked or returned pair (one application each) is never skipped, so
    /// [`ExtremalEigenpairs::matvecs`] can exceed the budget by the checks of
    /// the last Rayleigh–Ritz step (at most `2k` plus the pairs converging
    /// there). Default 5000.
    pub max_matvecs: usize,
    /// Seed of every random start vector (Xoshiro256++, Gaussian entries).
    /// Default 0.
    pub seed: u64,
    /// Number of basis vectors between thick restarts; `None` picks
    /// `max(30, 3 k e + 10)` for `e` requested ends. Clamped to `[3, n]`.
    pub krylov_dim: Option<usize>,
}

impl Default for ExtremalOptions {
    fn default() -> Self {
        Self {
            k: 1,
            ends: SpectrumEnds::Both,
            tol: 1e-10,
            max_matvecs: 5000,
            seed: 0,
            krylov_dim: None,
        }
    }
}

/// One eigenpair estimate `(θ, y)` with its certificate.
///
/// Rigorous part: for any nonzero `y` and real `θ`, the symmetric operator `A`
/// has an eigenvalue `λ` with `|λ - θ| <= ||A y - θ y|| / ||y||` (Parlett, *The
/// Symmetric Eigenvalue Problem*, Thm 4.5.1). `bound` is that quantity plus a
/// floating-point allowance, computed from an explicit application of `A`.
///
/// Conditional part: if the distance from `θ` to every *other* eigenvalue of
/// `A` is at least `gap > ||r||`, the Kato–Temple inequality sharpens this to
/// `|λ - θ| <= ||r||² / gap` (Kato 1949; Parlett Thm 11.7.1). The gap is only
/// estimated (from the other computed Ritz values and their residuals), so
/// `gap_bound` holds only if that estimate is a true lower bound.
///
/// Both bounds treat the operator's output as exact: rounding *inside* the
/// operator (for a dense product up to `n ε |A| |y|` per entry) is the
/// operator's own error and is not included.
#[derive(Debug, Clone)]
pub struct CertifiedEigenpair {
    /// Rayleigh quotient `θ = yᵀ A y` of the unit vector `y`.
    pub value: f64,
    /// Unit eigenvector estimate `y`.
    pub vector: Col<f64>,
    /// `||A y - θ y||`, from an explicit application of the operator (not the
    /// Lanczos identity).
    pub residual: f64,
    /// Rigorous: some eigenvalue lies in `[θ - bound, θ + bound]`.
    /// `bound = (residual + (n + 4) ε (||A y|| + |θ| ||y||)) / ||y||`; the
    /// second term covers the rounding of the residual itself.
    pub bound: f64,
    /// Estimated distance from `θ` to the rest of the spectrum (other distinct
    /// eigenvalues), `None` when no estimate is available (budget exhausted
    /// before the rest of the spectrum was probed, or no other eigenvalue).
    pub gap: Option<f64>,
    /// Kato–Temple bound `bound² / gap` plus the rounding allowance of `θ`
    /// (the inequality is about the exact Rayleigh quotient), capped at
    /// `bound`; **conditional on `gap`**. `None` when `gap` is unknown or not
    /// larger than `bound`.
    pub gap_bound: Option<f64>,
    /// Whether `residual` met the tolerance of [`ExtremalOptions::tol`].
    pub converged: bool,
}

/// Result of [`ExtremalLanczos::compute`].
#[derive(Debug, Clone)]
pub struct ExtremalEigenpairs {
    /// The `min(k, n)` largest eigenpairs, value descending (empty unless the
    /// top end was requested).
    pub top: Vec<CertifiedEigenpair>,
    /// The `min(k, n)` smallest eigenpairs, value ascending (empty unless the
    /// bottom end was requested).
    pub bottom: Vec<CertifiedEigenpair>,
    /// Operator applications used, residual checks included.
    pub matvecs: usize,
    /// Lanczos sweeps run: the first plus every verification sweep from a
    /// fresh random vector.
    pub sweeps: usize,
    /// Every returned pair converged and every requested end was verified (a
    /// sweep from a fresh random start found nothing beyond the returned
    /// values, or the whole space was spanned).
    pub converged: bool,
}

/// What is known about the spectrum of the operator restricted to the
/// orthogonal complement of the locked vectors, at one end.
#[derive(Debug, Clone, Copy)]
enum Rest {
    /// Nothing (the budget ran out first).
    Unknown,
    /// The complement holds no further eigenvalue at this end.
    Empty,
    /// The most extreme eigenvalue of the complement at this end is estimated
    /// by a converged Ritz value `value` with residual estimate `residual`.
    Estimate { value: f64, residual: f64 },
}

/// How one sweep ended.
#[derive(Debug, Clone, Copy)]
enum SweepEnd {
    /// Every open end found a converged Ritz value not beyond its `k`-th
    /// locked value; `locks` pairs were locked per end on the way.
    Satisfied { locks: [usize; 2] },
    /// The basis spanned the whole complement of the locked vectors: all
    /// eigenvalues are resolved.
    Complete,
    /// The matrix-vector budget ran out.
    Budget,
}

/// The locked (converged, deflated) eigenpairs.
struct Locked {
    vectors: Mat<f64>,
    values: Vec<f64>,
    residuals: Vec<f64>,
    bounds: Vec<f64>,
    /// Rounding allowance of each value and residual (part of its bound).
    roundings: Vec<f64>,
    converged: Vec<bool>,
}

impl Locked {
    fn len(&self) -> usize {
        self.values.len()
    }

    fn clear(&mut self) {
        self.values.clear();
        self.residuals.clear();
        self.bounds.clear();
        self.roundings.clear();
        self.converged.clear();
    }
}

/// Reusable workspace computing the `k` largest and/or smallest algebraic
/// eigenpairs of symmetric operators of one dimension.
///
/// # Algorithm
///
/// A thick-restart Lanczos (Wu and Simon 2000; equivalently Stewart's
/// Krylov–Schur for symmetric matrices) with full reorthogonalisation and
/// locking, run in *sweeps*:
///
/// * **Expansion.** With an orthonormal basis `V = [v_0 .. v_j]` orthogonal
///   to the locked vectors `L`, compute `w = A v_j`, remove its components
///   along `L` and `V` with two passes of block classical Gram–Schmidt
///   (faer matrix products), store the coefficients `Vᵀ A v_j` as column `j`
///   of the projected matrix `H = Vᵀ A V`, and append `w / ||w||`.
/// * **Rayleigh–Ritz.** When the basis is full (`krylov_dim` vectors) or
///   invariant (`||w||` at rounding level), diagonalise `H = S Θ Sᵀ`. The
///   Lanczos identity `A V = V H + β v_{m+1} e_mᵀ` gives the residual estimate
///   `|β s_{m,i}|` of each Ritz pair.
/// * **Locking.** At each requested end, walk the Ritz values from the most
///   extreme inwards: a converged one (estimate below `tol ||A||_est / 8`,
///   the margin absorbing the deflation error) is locked (moved into `L`, its residual
///   checked with one explicit application) if fewer than `k` values are
///   locked or it lies beyond the current `k`-th most extreme locked value;
///   the first converged one that does not closes the end for this sweep
///   (it estimates the next eigenvalue, used for the gap); an unconverged one
///   leaves the end open.
/// * **Restart.** Keep the most extreme unlocked Ritz vectors of the open
///   ends (about half the basis) and continue from `v_{m+1}`; if the space
///   was invariant, keep all of them and continue from a fresh random vector
///   orthogonal to `L` and `V`.
///
/// A single Krylov space holds only one direction of each eigenspace, so a
/// repeated eigenvalue shows up once per sweep. A sweep that locked anything
/// at an end is therefore followed by a verification sweep from a fresh
/// random vector orthogonal to `L`; an end is verified when such a sweep
/// locks nothing there. An eigenvalue of multiplicity `p` costs up to `p`
/// extra sweeps; a sweep whose basis spans the whole complement of `L` needs
/// no verification (tiny dimensions).
///
/// # Cost
///
/// One operator application per Lanczos step plus `O(n (|L| + m))` for the
/// reorthogonalisation, `O(m³)` per restart for the dense `m x m`
/// eigenproblem, plus one application per locked pair for its explicit
/// residual. Memory: two `n x m` bases and the `n x |L|` locked vectors, all
/// allocated by [`ExtremalLanczos::new`] (the locked block grows only if more
/// than `2k + 4` pairs get locked); the Lanczos steps do not allocate.
/// Deterministic: same operator, options and warm start give the same bits.
pub struct ExtremalLanczos {
    dim: usize,
    options: ExtremalOptions,
    /// Number of eigenpairs per end actually returned, `min(k, dim)`.
    k: usize,
    capacity: usize,
    basis: Mat<f64>,
    spare: Mat<f64>,
    continuation: Col<f64>,
    product: Col<f64>,
    ritz: Col<f64>,
    pass: Col<f64>,
    total: Col<f64>,
    lock_pass: Col<f64>,
    lock_total: Col<f64>,
    projected: Mat<f64>,
    kept_coefficients: Mat<f64>,
    eigen: SymmetricEigen,
    residual_estimates: Vec<f64>,
    marks: Vec<bool>,
    keep: Vec<usize>,
    scratch_values: Vec<f64>,
    order: Vec<usize>,
    locked: Locked,
    rng: Xoshiro256PlusPlus,
}

impl ExtremalLanczos {
    /// Allocates a workspace for operators of dimension `dim`.
    ///
    /// Errors: `dim == 0`, `k == 0`, `tol` not finite and positive,
    /// `max_matvecs == 0`, `krylov_dim == Some(0)`.
    pub fn new(dim: usize, options: ExtremalOptions) -> Result<Self, SpectralError> {
        if dim == 0 {
            return Err(SpectralError::ZeroDimension);
        }
        if options.k == 0 {
            return Err(SpectralError::ZeroEigenpairCount);
        }
        if !(options.tol.is_finite() && options.tol > 0.0) {
            return Err(SpectralError::InvalidTolerance(options.tol));
        }
        if options.max_matvecs == 0 {
            return Err(SpectralError::ZeroMatvecBudget);
        }
        if options.krylov_dim == Some(0) {
            return Err(SpectralError::ZeroKrylovDim);
        }
        let ends = options.ends.wants().iter().filter(|&&w| w).count();
        let capacity = options
            .krylov_dim
            .unwrap_or((3 * options.k * ends + 10).max(30))
            .max(3)
            .min(dim);
        let k = options.k.min(dim);
        let lock_capacity = (2 * k + 4).min(dim);
        Ok(Self {
            dim,
            options,
            k,
            capacity,
            basis: Mat::zeros(dim, capacity),
            spare: Mat::zeros(dim, capacity),
            continuation: Col::zeros(dim),
            product: Col::zeros(dim),
            ritz: Col::zeros(dim),
            pass: Col::zeros(capacity),
            total: Col::zeros(capacity),
            lock_pass: Col::zeros(lock_capacity),
            lock_total: Col::zeros(lock_capacity),
            projected: Mat::zeros(capacity, capacity),
            kept_coefficients: Mat::zeros(capacity, capacity),
            eigen: SymmetricEigen::new(capacity),
            residual_estimates: vec![0.0; capacity],
            marks: vec![false; capacity],
            keep: Vec::with_capacity(capacity),
            scratch_values: Vec::with_capacity(capacity + lock_capacity),
            order: Vec::with_capacity(lock_capacity),
            locked: Locked {
                vectors: Mat::zeros(dim, lock_capacity),
                values: Vec::with_capacity(lock_capacity),
                residuals: Vec::with_capacity(lock_capacity),
                bounds: Vec::with_capacity(lock_capacity),
                roundings: Vec::with_capacity(lock_capacity),
                converged: Vec::with_capacity(lock_capacity),
            },
            rng: seeded_rng(options.seed),
        })
    }

    /// Computes the requested extremal eigenpairs of `op`.
    ///
    /// `warm_start` holds optional start vectors as columns (for example the
    /// eigenvectors of the previous step along a trajectory); the first sweep
    /// starts from the sum of their normalised columns, so exact eigenvectors
    /// with distinct eigenvalues span an invariant Krylov space after as many
    /// steps as there are columns. Without one (or if it sums to zero) a
    /// seeded Gaussian vector is used.
    ///
    /// Errors: dimension mismatch, warm start with the wrong number of rows
    /// ([`SpectralError::StartLengthMismatch`]) or a non-finite entry
    /// ([`SpectralError::NonFiniteStart`], index in column-major order),
    /// non-finite operator output ([`SpectralError::NonFinite`]).
    pub fn compute(
        &mut self,
        op: &mut impl SymmetricOperator,
        warm_start: Option<MatRef<'_, f64>>,
    ) -> Result<ExtremalEigenpairs, SpectralError> {
        if op.dim() != self.dim {
            return Err(SpectralError::DimensionMismatch {
                operator: op.dim(),
                workspace: self.dim,
            });
        }
        self.rng = seeded_rng(self.options.seed);
        self.locked.clear();
        let mut progress = Progress::default();
        let wanted = self.options.ends.wants();
        let mut verified = [!wanted[TOP], !wanted[BOTTOM]];
        let mut rest = [Rest::Unknown; 2];
        let mut budget_exhausted = false;
        let mut sweeps = 0;
        if !self.load_warm_start(warm_start)? {
            self.random_start(0);
        }
        loop {
            sweeps += 1;
            match self.sweep(op, &mut progress, verified, &mut rest)? {
                SweepEnd::Budget => {
                    budget_exhausted = true;
                    break;
                }
                SweepEnd::Complete => {
                    verified = [true, true];
                    break;
                }
                SweepEnd::Satisfied { locks } => {
                    for end in [TOP, BOTTOM] {
                        verified[end] |= locks[end] == 0;
                    }
                }
            }
            if verified[TOP] && verified[BOTTOM] {
                break;
            }
            if progress.applications >= self.options.max_matvecs {
                budget_exhausted = true;
                break;
            }
            if !self.random_start(0) {
                // The locked vectors span the space numerically.
                verified = [true, true];
                break;
            }
        }
        Ok(self.finish(&progress, verified, rest, sweeps, budget_exhausted))
    }

    /// Writes the normalised sum of the normalised warm-start columns into
    /// basis column 0. Returns `false` if there is no usable warm start.
    fn load_warm_start(&mut self, warm: Option<MatRef<'_, f64>>) -> Result<bool, SpectralError> {
        let Some(warm) = warm else {
            return Ok(false);
        };
        if warm.nrows() != self.dim {
            return Err(SpectralError::StartLengthMismatch {
                start: warm.nrows(),
                expected: self.dim,
            });
        }
        for col in 0..warm.ncols() {
            for row in 0..warm.nrows() {
                if !warm[(row, col)].is_finite() {
                    return Err(SpectralError::NonFiniteStart {
                        index: col * warm.nrows() + row,
                    });
                }
            }
        }
        let mut first = self.basis.col_mut(0);
        first.fill(0.0);
        for col in 0..warm.ncols() {
            self.ritz.copy_from(warm.col(col));
            if normalise(self.ritz.as_mut()) {
                faer::zip!(first.rb_mut(), self.ritz.as_ref())
                    .for_each(|faer::unzip!(f, r)| *f += *r);
            }
        }
        Ok(normalise(first))
    }

    /// Fills basis column `column` with a seeded Gaussian vector orthogonal to
    /// the locked vectors and to basis columns `0..column`, normalised.
    /// Returns `false` if that complement is numerically empty.
    fn random_start(&mut self, column: usize) -> bool {
        for _attempt in 0..3 {
            let (kept, mut rest) = self.basis.as_mut().split_at_col_mut(column);
            let mut target = rest.rb_mut().col_mut(0);
            fill_gaussian(&mut self.rng, target.rb_mut());
            let before = target.norm_l2();
            let after = orthogonalise_robust(
                self.locked
                    .vectors
                    .as_ref()
                    .subcols(0, self.locked.values.len()),
                kept.rb(),
                target.rb_mut(),
                Coefficients {
                    pass: self
                        .lock_pass
                        .as_mut()
                        .subrows_mut(0, self.locked.values.len()),
                    total: self
                        .lock_total
                        .as_mut()
                        .subrows_mut(0, self.locked.values.len()),
                },
                Coefficients {
                    pass: self.pass.as_mut().subrows_mut(0, column),
                    total: self.total.as_mut().subrows_mut(0, column),
                },
            );
            if after > 1e-8 * before && normalise(target) {
                return true;
            }
        }
        false
    }

    /// Basis vectors that fit: the basis capacity, at most the dimension of
    /// the complement of the locked vectors.
    fn room(&self) -> usize {
        self.capacity.min(self.dim - self.locked.len())
    }

    /// Floor below which a residual or `β` is rounding noise.
    fn noise(&self, progress: &Progress) -> f64 {
        ROUNDING_NOISE_FACTOR * f64::EPSILON * (self.dim as f64).sqrt() * progress.operator_scale
    }

    /// One sweep of thick-restart Lanczos from the unit vector in basis
    /// column 0, until every end not in `closed` is satisfied.
    fn sweep(
        &mut self,
        op: &mut impl SymmetricOperator,
        progress: &mut Progress,
        mut closed: [bool; 2],
        rest: &mut [Rest; 2],
    ) -> Result<SweepEnd, SpectralError> {
        let mut locks = [0usize; 2];
        let mut size = 0;
        let mut columns = 1;
        loop {
            let room = self.room();
            let mut invariant = false;
            let mut budget = false;
            let mut beta_last = 0.0;
            while size < columns {
                if progress.applications >= self.options.max_matvecs {
                    budget = true;
                    break;
                }
                let beta = self.expand(op, progress, size)?;
                size += 1;
                if beta <= self.noise(progress) || self.locked.len() + size >= self.dim {
                    invariant = true;
                    beta_last = beta;
                    break;
                }
                if size == room {
                    for (c, &p) in self.continuation.iter_mut().zip(self.product.iter()) {
                        *c = p / beta;
                    }
                    beta_last = beta;
                    break;
                }
                let product = self.product.as_ref();
                for (target, &p) in self.basis.col_mut(size).iter_mut().zip(product.iter()) {
                    *target = p / beta;
                }
                columns += 1;
            }
            if size == 0 {
                return Ok(SweepEnd::Budget);
            }
            let conv = self.rayleigh_ritz(size, beta_last, progress)?;
            let complete = invariant && self.locked.len() + size >= self.dim;
            if complete {
                // The basis spans the whole complement of the locked vectors,
                // so its Ritz values are the rest of the spectrum: re-examine
                // every requested end, even one closed earlier on partial
                // information (a second copy of a repeated eigenvalue may only
                // show up now).
                let wanted = self.options.ends.wants();
                closed = [!wanted[TOP], !wanted[BOTTOM]];
            }
            self.marks[..size].fill(false);
            for end in [TOP, BOTTOM] {
                if closed[end] {
                    continue;
                }
                let (found, marked) = self.scan(end, size, conv, complete);
                locks[end] += marked;
                if let Some(found) = found {
                    closed[end] = true;
                    rest[end] = found;
                }
            }
            if budget {
                for end in [TOP, BOTTOM] {
                    if !closed[end] {
                        self.mark_best_available(end, size);
                    }
                }
                self.lock_marked(op, progress, size, conv)?;
                return Ok(SweepEnd::Budget);
            }
            self.lock_marked(op, progress, size, conv)?;
            if complete || self.locked.len() >= self.dim {
                return Ok(SweepEnd::Complete);
            }
            if closed[TOP] && closed[BOTTOM] {
                return Ok(SweepEnd::Satisfied { locks });
            }
            match self.restart(size, invariant, closed) {
                Some(kept) => {
                    size = kept;
                    columns = kept + 1;
                }
                None => return Ok(SweepEnd::Complete),
            }
        }
    }

    /// Lanczos step on basis column `j`: `w = A v_j` orthogonalised against
    /// the locked vectors and `v_0..v_j`, column `j` of `H`; returns `||w||`
    /// and leaves `w` in `product`.
    fn expand(
        &mut self,
        op: &mut impl SymmetricOperator,
        progress: &mut Progress,
        j: usize,
    ) -> Result<f64, SpectralError> {
        apply_checked(op, self.basis.col(j), self.product.as_mut(), progress)?;
        let locked = self.locked.len();
        let beta = orthogonalise_robust(
            self.locked.vectors.as_ref().subcols(0, locked),
            self.basis.as_ref().subcols(0, j + 1),
            self.product.as_mut(),
            Coefficients {
                pass: self.lock_pass.as_mut().subrows_mut(0, locked),
                total: self.lock_total.as_mut().subrows_mut(0, locked),
            },
            Coefficients {
                pass: self.pass.as_mut().subrows_mut(0, j + 1),
                total: self.total.as_mut().subrows_mut(0, j + 1),
            },
        );
        for i in 0..=j {
            self.projected[(i, j)] = self.total[i];
            self.projected[(j, i)] = self.total[i];
        }
        if !(beta.is_finite() && self.total[j].is_finite()) {
            return Err(SpectralError::NonFinite {
                application: progress.applications,
            });
        }
        Ok(beta)
    }

    /// Diagonalises `H[..size, ..size]`, fills the residual estimates
    /// `|β s_{size-1, i}|` and returns the convergence thresholds.
    fn rayleigh_ritz(
        &mut self,
        size: usize,
        beta: f64,
        progress: &Progress,
    ) -> Result<Thresholds, SpectralError> {
        self.eigen
            .decompose(self.projected.as_ref().submatrix(0, 0, size, size))?;
        let vectors = self.eigen.vectors(size);
        for i in 0..size {
            self.residual_estimates[i] = (beta * vectors[(size - 1, i)]).abs();
        }
        let values = self.eigen.values(size);
        let largest = values[0].abs().max(values[size - 1].abs());
        let scale = progress.operator_scale.max(largest);
        let noise = self.noise(progress);
        Ok(Thresholds {
            lock: (self.options.tol * scale / LOCK_MARGIN).max(noise),
            accept: (self.options.tol * scale).max(4.0 * noise),
        })
    }

    /// Ritz index of the `rank`-th most extreme value at `end` (ascending
    /// storage).
    fn ritz_index(end: usize, size: usize, rank: usize) -> usize {
        if end == TOP { size - 1 - rank } else { rank }
    }

    /// Walks the Ritz values of `end` from the most extreme inwards, marking
    /// the converged ones that must be locked. Returns what closes the end
    /// (if anything) and the number marked.
    fn scan(
        &mut self,
        end: usize,
        size: usize,
        conv: Thresholds,
        complete: bool,
    ) -> (Option<Rest>, usize) {
        let mut marked = 0;
        for rank in 0..size {
            let idx = Self::ritz_index(end, size, rank);
            if self.marks[idx] {
                continue;
            }
            let residual = self.residual_estimates[idx];
            if residual > conv.lock {
                return (None, marked);
            }
            let value = self.eigen.values(size)[idx];
            let beyond = match self.kth_extreme(end, size) {
                None => true,
                Some(tau) if end == TOP => value > tau + conv.accept,
                Some(tau) => value < tau - conv.accept,
            };
            if beyond {
                self.marks[idx] = true;
                marked += 1;
            } else {
                return (Some(Rest::Estimate { value, residual }), marked);
            }
        }
        (complete.then_some(Rest::Empty), marked)
    }

    /// The `k`-th most extreme value at `end` among the locked values and the
    /// marked Ritz values, or `None` if there are fewer than `k`.
    fn kth_extreme(&mut self, end: usize, size: usize) -> Option<f64> {
        self.scratch_values.clear();
        self.scratch_values.extend_from_slice(&self.locked.values);
        let values = self.eigen.values(size);
        for idx in 0..size {
            if self.marks[idx] {
                self.scratch_values.push(values[idx]);
            }
        }
        if self.scratch_values.len() < self.k {
            return None;
        }
        let (_, kth, _) = if end == TOP {
            self.scratch_values
                .select_nth_unstable_by(self.k - 1, |a, b| b.total_cmp(a))
        } else {
            self.scratch_values
                .select_nth_unstable_by(self.k - 1, f64::total_cmp)
        };
        Some(*kth)
    }

    /// When the budget runs out: marks the `k` most extreme Ritz values of
    /// `end` (the result then takes the `k` most extreme of everything locked).
    fn mark_best_available(&mut self, end: usize, size: usize) {
        for rank in 0..self.k.min(size) {
            self.marks[Self::ritz_index(end, size, rank)] = true;
        }
    }

    /// Forms the marked Ritz vectors, checks each with one explicit
    /// application and appends them to the locked set.
    fn lock_marked(
        &mut self,
        op: &mut impl SymmetricOperator,
        progress: &mut Progress,
        size: usize,
        conv: Thresholds,
    ) -> Result<(), SpectralError> {
        for idx in 0..size {
            if !self.marks[idx] {
                continue;
            }
            matmul(
                self.ritz.as_mut(),
                Accum::Replace,
                self.basis.as_ref().subcols(0, size),
                self.eigen.vectors(size).col(idx),
                1.0,
                Par::Seq,
            );
            let locked = self.locked.len();
            let remaining = orthogonalise_robust(
                self.locked.vectors.as_ref().subcols(0, locked),
                self.basis.as_ref().subcols(0, 0),
                self.ritz.as_mut(),
                Coefficients {
                    pass: self.lock_pass.as_mut().subrows_mut(0, locked),
                    total: self.lock_total.as_mut().subrows_mut(0, locked),
                },
                Coefficients {
                    pass: self.pass.as_mut().subrows_mut(0, 0),
                    total: self.total.as_mut().subrows_mut(0, 0),
                },
            );
            if remaining == 0.0 || !normalise(self.ritz.as_mut()) {
                continue;
            }
            apply_checked(op, self.ritz.as_ref(), self.product.as_mut(), progress)?;
            let value = dot(self.ritz.as_ref(), self.product.as_ref());
            let image_norm = self.product.norm_l2();
            faer::zip!(self.product.as_mut(), self.ritz.as_ref())
                .for_each(|faer::unzip!(ay, y)| *ay -= value * *y);
            let residual = self.product.norm_l2();
            if !(value.is_finite() && residual.is_finite()) {
                return Err(SpectralError::NonFinite {
                    application: progress.applications,
                });
            }
            let norm = self.ritz.norm_l2();
            let rounding =
                (self.dim as f64 + 4.0) * f64::EPSILON * (image_norm + value.abs() * norm) / norm;
            let bound = residual / norm + rounding;
            self.push_locked(value, residual, bound, rounding, residual <= conv.accept);
        }
        Ok(())
    }

    /// Appends the vector in `ritz` to the locked set, growing it if full.
    fn push_locked(
        &mut self,
        value: f64,
        residual: f64,
        bound: f64,
        rounding: f64,
        converged: bool,
    ) {
        let column = self.locked.len();
        if column == self.locked.vectors.ncols() {
            let grown = (2 * column).clamp(1, self.dim);
            self.locked.vectors.resize_with(self.dim, grown, |_, _| 0.0);
            self.lock_pass.resize_with(grown, |_| 0.0);
            self.lock_total.resize_with(grown, |_| 0.0);
        }
        self.locked.vectors.col_mut(column).copy_from(&self.ritz);
        self.locked.values.push(value);
        self.locked.residuals.push(residual);
        self.locked.bounds.push(bound);
        self.locked.roundings.push(rounding);
        self.locked.converged.push(converged);
    }

    /// Thick restart: keeps the most extreme unlocked Ritz vectors of the open
    /// ends and appends the continuation vector (or a random vector when the
    /// space was invariant). Returns the number kept, or `None` if no new
    /// direction is left.
    fn restart(&mut self, size: usize, invariant: bool, closed: [bool; 2]) -> Option<usize> {
        let room = self.room();
        if room == 0 {
            return None;
        }
        let target = if invariant {
            room - 1
        } else {
            ((room - 1) / 2).max(usize::from(room >= 2))
        };
        self.keep.clear();
        let mut next_rank = [0usize; 2];
        'fill: while self.keep.len() < target {
            let mut progressed = false;
            for end in [TOP, BOTTOM].into_iter().filter(|&e| !closed[e]) {
                while next_rank[end] < size {
                    let idx = Self::ritz_index(end, size, next_rank[end]);
                    next_rank[end] += 1;
                    if !self.marks[idx] && !self.keep.contains(&idx) {
                        self.keep.push(idx);
                        progressed = true;
                        break;
                    }
                }
                if self.keep.len() == target {
                    break 'fill;
                }
            }
            if !progressed {
                break;
            }
        }
        let kept = self.keep.len();
        let vectors = self.eigen.vectors(size);
        for (column, &idx) in self.keep.iter().enumerate() {
            self.kept_coefficients
                .as_mut()
                .col_mut(column)
                .subrows_mut(0, size)
                .copy_from(vectors.col(idx));
        }
        matmul(
            self.spare.as_mut().subcols_mut(0, kept),
            Accum::Replace,
            self.basis.as_ref().subcols(0, size),
            self.kept_coefficients.as_ref().submatrix(0, 0, size, kept),
            1.0,
            Par::Seq,
        );
        std::mem::swap(&mut self.basis, &mut self.spare);
        let values = self.eigen.values(size);
        self.projected
            .as_mut()
            .submatrix_mut(0, 0, kept + 1, kept + 1)
            .fill(0.0);
        for (column, &idx) in self.keep.iter().enumerate() {
            self.projected[(column, column)] = values[idx];
        }
        if !invariant {
            self.basis.col_mut(kept).copy_from(&self.continuation);
            let locked = self.locked.len();
            let (previous, mut rest) = self.basis.as_mut().split_at_col_mut(kept);
            let mut target = rest.rb_mut().col_mut(0);
            let remaining = orthogonalise_robust(
                self.locked.vectors.as_ref().subcols(0, locked),
                previous.rb(),
                target.rb_mut(),
                Coefficients {
                    pass: self.lock_pass.as_mut().subrows_mut(0, locked),
                    total: self.lock_total.as_mut().subrows_mut(0, locked),
                },
                Coefficients {
                    pass: self.pass.as_mut().subrows_mut(0, kept),
                    total: self.total.as_mut().subrows_mut(0, kept),
                },
            );
            if remaining > 0.0 && normalise(target) {
                return Some(kept);
            }
        }
        self.random_start(kept).then_some(kept)
    }

    /// Assembles the result from the locked pairs.
    fn finish(
        &mut self,
        progress: &Progress,
        verified: [bool; 2],
        rest: [Rest; 2],
        sweeps: usize,
        budget_exhausted: bool,
    ) -> ExtremalEigenpairs {
        let wanted = self.options.ends.wants();
        let count = self.locked.len();
        let mut lists: [Vec<CertifiedEigenpair>; 2] = [Vec::new(), Vec::new()];
        for end in [TOP, BOTTOM] {
            if !wanted[end] {
                continue;
            }
            self.order.clear();
            self.order.extend(0..count);
            let values = &self.locked.values;
            if end == TOP {
                self.order
                    .sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
            } else {
                self.order
                    .sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
            }
            for &i in self.order.iter().take(self.k) {
                let gap = self.gap_estimate(i, end, rest[end], progress);
                let bound = self.locked.bounds[i];
                let rounding = self.locked.roundings[i];
                let gap_bound = gap
                    .filter(|&g| g > bound)
                    .map(|g| (bound * bound / g + rounding).min(bound));
                lists[end].push(CertifiedEigenpair {
                    value: values[i],
                    vector: self.locked.vectors.col(i).to_owned(),
                    residual: self.locked.residuals[i],
                    bound,
                    gap,
                    gap_bound,
                    converged: self.locked.converged[i],
                });
            }
        }
        let [top, bottom] = lists;
        let all_pairs_converged = top.iter().chain(&bottom).all(|p| p.converged);
        let complete_lists =
            (0..2).all(|end| !wanted[end] || lists_len(&top, &bottom, end) == self.k);
        ExtremalEigenpairs {
            converged: !budget_exhausted
                && verified[TOP]
                && verified[BOTTOM]
                && all_pairs_converged
                && complete_lists,
            top,
            bottom,
            matvecs: progress.applications,
            sweeps,
        }
    }

    /// Distance from locked value `i` to the rest of the spectrum: the other
    /// locked values not within the sum of residual bounds (which may be the
    /// same eigenvalue), each less its bound, and the estimate of the
    /// remaining spectrum at `end`.
    fn gap_estimate(&self, i: usize, end: usize, rest: Rest, progress: &Progress) -> Option<f64> {
        let values = &self.locked.values;
        let bounds = &self.locked.bounds;
        let theta = values[i];
        let same =
            |j: usize| (values[j] - theta).abs() <= bounds[i] + bounds[j] + self.noise(progress);
        let mut gap = f64::INFINITY;
        for j in 0..values.len() {
            if j != i && !same(j) {
                gap = gap.min((values[j] - theta).abs() - bounds[j]);
            }
        }
        match rest {
            Rest::Unknown => return None,
            Rest::Empty => {}
            Rest::Estimate { value, residual } => {
                let distance = if end == TOP {
                    theta - value - residual
                } else {
                    value - residual - theta
                };
                gap = gap.min(distance);
            }
        }
        (gap.is_finite() && gap > 0.0).then_some(gap)
    }
}

fn lists_len(top: &[CertifiedEigenpair], bottom: &[CertifiedEigenpair], end: usize) -> usize {
    if end == TOP { top.len() } else { bottom.len() }
}

/// The extremal eigenpairs of `op` with a fresh [`ExtremalLanczos`] workspace
/// and a seeded random start (see [`ExtremalLanczos::compute`]).
pub fn extremal_eigenpairs(
    op: &mut impl SymmetricOperator,
    options: ExtremalOptions,
) -> Result<ExtremalEigenpairs, SpectralError> {
    ExtremalLanczos::new(op.dim(), options)?.compute(op, None)
}
