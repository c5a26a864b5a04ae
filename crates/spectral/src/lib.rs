//! Sharpness and top eigenvalues of symmetric operators.
//!
//! The sharpness of a loss is the largest **algebraic** eigenvalue of its
//! Hessian. This crate computes it matrix-free from exact Hessian-vector
//! products ([`SymmetricOperator`], [`Lanczos`]), and computes the top
//! eigenvalue of small dense symmetric matrices such as NTK Gram matrices
//! ([`dense_top_eigenvalue`], [`dense_eigenvalues`], [`DenseOperator`]). For feature and
//! weight matrices it gives the singular values ([`singular_values`]) and the rank measures
//! built on them: [`srank`], [`stable_rank`], [`effective_rank`].
//!
//! # Certified curvature: both ends, trace, density
//!
//! Beyond the single top eigenvalue (see `docs/spectral.md` for guarantees,
//! costs and measured accuracy):
//!
//! * [`extremal_eigenpairs`] / [`ExtremalLanczos`]: the `k` largest and/or `k`
//!   smallest algebraic eigenpairs ([`SpectrumEnds`], [`ExtremalOptions`]) by
//!   thick-restart Lanczos with full reorthogonalisation, locking and
//!   verification sweeps from fresh random vectors (so repeated eigenvalues
//!   come with their multiplicity). Each [`CertifiedEigenpair`] carries the
//!   explicit residual `||A y - θ y||`, a rigorous bound (some eigenvalue lies
//!   within it) and a Kato–Temple bound `||r||² / gap` conditional on an
//!   estimated gap; [`ExtremalEigenpairs`] reports the matvecs used.
//! * [`estimate_trace`]: Hutchinson with Rademacher probes or Hutch++
//!   ([`TraceMethod`], [`TraceOptions`]), with a standard error and a Student t
//!   95% interval ([`TraceEstimate`], [`student_t_quantile_975`]).
//! * [`stochastic_lanczos_quadrature`]: the spectral measure as averaged Gauss
//!   quadrature nodes and weights ([`SlqOptions`], [`SpectralMeasure`]), its
//!   Gaussian-broadened density, and the Wasserstein-1 distance to a dense
//!   spectrum ([`SpectralMeasure::wasserstein1_to_spectrum`], [`wasserstein1`]).
//!
//! # Why largest algebraic, not largest magnitude
//!
//! Away from a minimum a Hessian is indefinite, and its most negative
//! eigenvalue can be much larger in magnitude than its most positive one.
//! Power iteration and most "partial eigen" solvers (faer's matrix-free
//! solver included) converge to the eigenvalue of largest *magnitude*, which
//! would then report a large negative curvature instead of the sharpness.
//! [`Lanczos`] always selects the largest algebraic Ritz value, so a spectrum
//! like `{-100, ..., 1}` yields `1`, and an all-negative spectrum yields its
//! least negative eigenvalue.
//!
//! # Algorithm
//!
//! [`Lanczos::top`] runs the Lanczos process with full
//! reorthogonalisation: starting from a unit vector `v_0` (a warm start or a
//! seeded Gaussian vector), step `j` computes `w = A v_j`, removes from `w`
//! its components along every stored basis vector with two passes of
//! classical Gram-Schmidt (the coefficient along `v_j` is `alpha_j`), and
//! normalises the remainder by `beta_j = ||w||` to get `v_{j+1}`. After every
//! step the small tridiagonal matrix `T` (diagonal `alpha`, off-diagonal
//! `beta`) is diagonalised with faer's tridiagonal eigensolver in a
//! preallocated workspace; its largest algebraic eigenvalue `theta` with
//! eigenvector `s` has residual `|beta_j * s_last|`, and the cycle stops once
//! that estimate is below `tol * |theta|` (or at the rounding-noise level of
//! the operator). When `beta_j` vanishes, or the basis spans the whole space,
//! the Krylov space is invariant and its Ritz values are exact. If the basis
//! reaches `krylov_dim` vectors first, the process restarts explicitly from
//! the current top Ritz vector, at most `max_restarts` times. Finally the
//! Ritz vector `x = V s` is formed and one more application gives the
//! Rayleigh quotient and the true residual `||A x - value x||` that are
//! reported.
//!
//! # Cost
//!
//! Each step costs one operator application plus `O(dim * k)` for the two
//! Gram-Schmidt passes against the `k` stored vectors, plus `O(k^3)` for the
//! `k x k` tridiagonal eigenproblem (independent of `dim`, and small next to a
//! Hessian-vector product for the default `k <= 60`). Memory is the
//! `dim x krylov_dim` basis, allocated once per [`Lanczos`] workspace; the
//! iteration itself does not allocate. Results are deterministic: the same
//! operator, options and start give bitwise identical output.
//!
//! # Example: Lanczos on your own operator
//!
//! ```
//! use catapult_spectral::{Lanczos, LanczosOptions, SymmetricOperator};
//! use faer::{ColMut, ColRef};
//!
//! struct Diagonal(Vec<f64>);
//! impl SymmetricOperator for Diagonal {
//!     fn dim(&self) -> usize { self.0.len() }
//!     fn apply(&mut self, x: ColRef<'_, f64>, mut out: ColMut<'_, f64>) {
//!         for i in 0..self.0.len() { out[i] = self.0[i] * x[i]; }
//!     }
//! }
//! let mut op = Diagonal(vec![-100.0, 0.5, 2.0]);
//! let top = Lanczos::new(3, LanczosOptions::default())?.top(&mut op, None)?;
//! assert!((top.value - 2.0).abs() < 1e-9); // largest algebraic, not largest magnitude
//! # Ok::<(), catapult_spectral::SpectralError>(())
//! ```

#![warn(missing_docs)]

mod dense;
mod error;
mod extremal;
mod kernels;
mod lanczos;
mod operator;
mod rank;
mod slq;
mod trace;
mod tridiagonal;

pub use dense::{dense_eigenvalues, dense_top_eigenvalue};
pub use error::SpectralError;
pub use extremal::{
    CertifiedEigenpair, ExtremalEigenpairs, ExtremalLanczos, ExtremalOptions, SpectrumEnds,
    extremal_eigenpairs,
};
pub use lanczos::{Lanczos, LanczosOptions, TopEigenpair, top_eigenpair};
pub use operator::{DenseOperator, SymmetricOperator};
pub use rank::{SRANK_DELTA, effective_rank, singular_values, srank, stable_rank};
pub use slq::{SlqOptions, SpectralMeasure, stochastic_lanczos_quadrature, wasserstein1};
pub use trace::{TraceEstimate, TraceMethod, TraceOptions, estimate_trace, student_t_quantile_975};
