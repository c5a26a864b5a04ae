//! Exact linear-separability tests and max-margin references, solved with clarabel.
//!
//! Labels must be ±1. A dataset is (strictly) linearly separable when some `w` (and bias `b`)
//! gives `y_i (wᵀx_i + b) > 0` for every sample.
//!
//! # How separability is decided
//!
//! Not by asking whether the hard-margin SVM is feasible (an interior-point solver is weakest
//! exactly at the boundary between feasible and infeasible), but by finding the partition of
//! [`Decomposition`] with certificates on both sides: the data is separable iff its
//! non-separable part is empty. Signed samples are `z_i = y_i x_i`, or `y_i (x_i, 1)` with a
//! bias (the decision with a bias is the bias-free decision for the augmented inputs).
//!
//! 1. One bounded LP (Tucker's strict complementarity, below) splits the samples: a `w` that is
//!    positive on the separable part and non-negative everywhere, and weights `λ ≥ 0` on the
//!    non-separable part `S` with `Σ_{i∈S} λ_i z_i = r ≈ 0`.
//! 2. The non-separable part is certified by `λ`: for every unit `v` with `z_jᵀv ≥ 0` on `S`,
//!    `λ_i z_iᵀv ≤ rᵀv ≤ |r|`, so no such predictor gives a sample `i ∈ S` a cosine margin
//!    `z_iᵀv/|z_i|` above `|r|/λ_i` (`r` recomputed with unit-length `z_i`). The largest of
//!    these is [`Decomposition::resolution`], at most about the solver tolerance: a "not
//!    separable" verdict means "no margin above the resolution", so data separable by a margin
//!    of 1e-12 is reported non-separable. Resolutions above `1e-6` are refused with
//!    [`SeparabilityError::IllConditioned`].
//! 3. A separable verdict is certified by its max-margin classifier, whose margin is recomputed
//!    from the data and must be positive.
//!
//! Inputs exactly 0 are in the non-separable part exactly (no predictor without a bias is
//! positive on them) and need no certificate.
//!
//! # The non-separable subspace (Ji & Telgarsky's decomposition), without bias
//!
//! Following Ji & Telgarsky ("Risk and parameter convergence of logistic regression"), the
//! samples split uniquely into a separable part, on which one predictor `ū` has `y_i ūᵀx_i > 0`
//! while `y_j ūᵀx_j ≥ 0` on all samples, and the non-separable part `S`, on which every
//! predictor that is nowhere negative is zero. The construction used here is Tucker's strict
//! complementarity theorem: there are `w` and `λ ≥ 0` with `y_i wᵀx_i ≥ 0`,
//! `Σ λ_i y_i x_i = 0` and `y_i wᵀx_i + λ_i > 0` for every `i`; since `Σ λ_i y_i wᵀx_i = 0` is
//! a sum of non-negative terms, each sample has exactly one of the two positive, and
//! `S = {i : λ_i > 0}`. One bounded LP (`max τ` s.t. `y_i wᵀx_i + λ_i ≥ τ`, `y_i wᵀx_i ≥ 0`,
//! `0 ≤ λ ≤ 1`, `Σ λ_i y_i x_i = 0`, `|w|_∞ ≤ 1`, on unit-length samples) finds such a pair. It
//! is the combined form of "sample `i` is separable iff some `w` has `y_j wᵀx_j ≥ 0` for all `j`
//! and `y_i wᵀx_i > 0`" (one LP per sample), with the non-separable part certified too.
//!
//! The non-separable subspace is `span{x_i : i ∈ S}`; its orthonormal basis comes from the SVD
//! of the unit-length rows `x_i/|x_i|, i ∈ S`, keeping singular values above
//! `max(|S|, d) · ε · σ_max`, and the remaining right singular vectors span its orthogonal
//! complement. On the complement the separable part is separable by `ū`; its ℓ2 max-margin
//! direction there (the direction gradient descent on the logistic loss converges to, by Ji &
//! Telgarsky's theorem as recalled here, not checked against the paper) is
//! [`Decomposition::separable_part`]. The decomposition is defined without a bias: a bias is a
//! constant input feature, and the deep linear and diagonal models it is meant for have none.
//! [`separability`] with [`Bias::With`] decides separability with a bias but reports this
//! bias-free decomposition when the answer is no (data not separable with a bias is not
//! separable without one either).
//!
//! # A single class
//!
//! With a bias, data of a single class is trivially separable (`w = 0`, `b = y`) with an infinite
//! margin and no max-margin direction: [`separability`], [`max_margin_l2`] and
//! [`max_margin_l1`] with [`Bias::With`] return [`SeparabilityError::SingleClass`]. Without a
//! bias it is an ordinary question (do the points lie in an open half-space through the
//! origin?) and is answered as for two classes.
//!
//! ```
//! use catapult_data::{separability, Bias, Dataset, Separability};
//! use faer::{Col, Mat};
//! // (±2, t) labelled by the sign of the first coordinate: margin 2 along e1.
//! let x = Mat::from_fn(4, 2, |i, j| [[2.0, 1.0], [2.0, -3.0], [-2.0, 0.5], [-2.0, 2.0]][i][j]);
//! let y = Col::from_fn(4, |i| [1.0, 1.0, -1.0, -1.0][i]);
//! let data = Dataset::new(x, y).unwrap();
//! match separability(&data, Bias::Without).unwrap() {
//!     Separability::Separable(m) => assert!((m.margin - 2.0).abs() < 1e-6),
//!     Separability::NotSeparable(_) => unreachable!(),
//! }
//! ```

mod conic;
mod margin;
mod tucker;

use crate::{DataError, Dataset};
use faer::{Col, Mat};

/// Whether the predictor has a bias (intercept) term `b` next to its weights `w`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bias {
    /// Predictors `wᵀx + b`.
    With,
    /// Predictors `wᵀx` (hyperplanes through the origin).
    Without,
}

impl std::fmt::Display for Bias {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Bias::With => "with a bias",
            Bias::Without => "without a bias",
        })
    }
}

/// A max-margin linear classifier `x ↦ directionᵀx + bias`.
#[derive(Debug, Clone, PartialEq)]
pub struct MaxMargin {
    /// Unit length in the norm of the problem (ℓ2 for [`max_margin_l2`], ℓ1 for
    /// [`max_margin_l1`]).
    pub direction: Col<f64>,
    /// The bias in the same units as the margin; exactly 0 without a bias.
    pub bias: f64,
    /// `min_i y_i (directionᵀx_i + bias)`, computed from the data and the returned direction;
    /// for the ℓ2 problem the geometric margin `1/|w*|`.
    pub margin: f64,
}

/// The split of a dataset into its separable and non-separable parts (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Decomposition {
    /// Indices of the samples that some nowhere-negative predictor classifies positively.
    pub separable: Vec<usize>,
    /// Indices `S` of the samples on which every nowhere-negative predictor is zero.
    pub non_separable: Vec<usize>,
    /// Orthonormal basis (d × k) of `span{x_i : i ∈ S}`, `k` its numerical rank.
    pub subspace: Mat<f64>,
    /// Orthonormal basis (d × (d − k)) of the orthogonal complement of `subspace`.
    pub complement: Mat<f64>,
    /// ℓ2 max-margin classifier (no bias) of the separable part projected onto `complement`;
    /// `None` when that part is empty.
    pub separable_part: Option<MaxMargin>,
    /// No predictor that is non-negative on the non-separable part classifies one of its
    /// samples with a cosine margin `y_i vᵀx_i / (|v| |x_i|)` above this; at most `1e-6` when
    /// returned, typically 1e-9 or far less (about 1e-13 on iris), and 0 when the part is empty.
    pub resolution: f64,
}

impl Decomposition {
    /// Dimension `k` of the non-separable subspace.
    pub fn dim(&self) -> usize {
        self.subspace.ncols()
    }

    /// The orthogonal projector (d × d) onto the non-separable subspace.
    pub fn projector(&self) -> Mat<f64> {
        &self.subspace * self.subspace.transpose()
    }
}

/// The answer of [`separability`].
#[derive(Debug, Clone, PartialEq)]
pub enum Separability {
    /// Separable, with the ℓ2 max-margin classifier.
    Separable(MaxMargin),
    /// Not separable, with the (bias-free) decomposition of the data.
    NotSeparable(Decomposition),
}

impl Separability {
    /// True for [`Separability::Separable`].
    pub fn is_separable(&self) -> bool {
        matches!(self, Separability::Separable(_))
    }
}

/// Why a separability test or max-margin program gave no answer. (An empty dataset cannot
/// reach these functions: [`Dataset`] rejects it.)
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SeparabilityError {
    /// A label other than ±1.
    #[error(transparent)]
    Labels(#[from] DataError),
    /// Every label is the same and a bias was asked for.
    #[error(
        "every label is {label}: with a bias the data is trivially separable (w = 0, b = {label}) \
         with an infinite margin and no max-margin direction; without a bias the question is \
         whether the points lie in an open half-space"
    )]
    SingleClass {
        /// The one label (−1 or +1) every sample carries.
        label: f64,
    },
    /// A max-margin direction was asked of data that is not separable.
    #[error(
        "the data is not linearly separable {bias}: {non_separable} of {samples} samples have no \
         positive-margin classification"
    )]
    NotSeparable {
        /// Whether the test was with or without a bias.
        bias: Bias,
        /// Number of samples in the non-separable part `S`.
        non_separable: usize,
        /// Number of samples `n` in the dataset.
        samples: usize,
    },
    /// The certificates are too loose (or inconsistent) to decide at the solver's accuracy.
    #[error(
        "separability cannot be decided at solver accuracy: the certificates only rule out \
         margins above {resolution:e} (at most 1e-6 is accepted)"
    )]
    IllConditioned {
        /// The certificate's cosine-margin resolution (above the accepted 1e-6, or NaN).
        resolution: f64,
    },
    /// clarabel stopped without a solution.
    #[error("clarabel did not solve the {problem}: status {status}")]
    Solver {
        /// Which program, e.g. `"separability LP"` or `"l2 max-margin QP"`.
        problem: &'static str,
        /// clarabel's status, or why its solution was rejected (a non-positive margin).
        status: String,
    },
    /// clarabel rejected the problem before solving it.
    #[error("clarabel rejected the {problem}: {message}")]
    Setup {
        /// Which program, e.g. `"separability LP"` or `"l2 max-margin QP"`.
        problem: &'static str,
        /// clarabel's error message.
        message: String,
    },
    /// The SVD of the non-separable samples did not converge.
    #[error("the SVD of the non-separable samples did not converge")]
    Svd,
}

/// Decides whether `data` is strictly linearly separable (with or without a bias). Separable
/// data comes with its ℓ2 max-margin classifier ([`max_margin_l2`]), non-separable data with
/// its bias-free [`decompose`]ition.
pub fn separability(data: &Dataset, bias: Bias) -> Result<Separability, SeparabilityError> {
    check(data, bias)?;
    let split = tucker::partition(signed(data, bias).as_ref())?;
    if split.non_separable.is_empty() {
        return margin::l2(data.x(), data.y(), bias).map(Separability::Separable);
    }
    let split = match bias {
        Bias::Without => split,
        Bias::With => tucker::partition(signed(data, Bias::Without).as_ref())?,
    };
    decomposition(data, split).map(Separability::NotSeparable)
}

/// The ℓ2 max-margin classifier: `max γ` s.t. `y_i (wᵀx_i + b) ≥ γ`, `|w|_2 ≤ 1`, solved as
/// the hard-margin SVM `min ½|w|²` s.t. `y_i (wᵀx_i + b) ≥ 1`. Errors on non-separable data.
pub fn max_margin_l2(data: &Dataset, bias: Bias) -> Result<MaxMargin, SeparabilityError> {
    require_separable(data, bias)?;
    margin::l2(data.x(), data.y(), bias)
}

/// The ℓ1 max-margin classifier: `max γ` s.t. `y_i (wᵀx_i + b) ≥ γ`, `|w|_1 ≤ 1`, as an LP in
/// `w = w⁺ − w⁻`. The margin is measured with the ℓ1-normalised direction (so it is the
/// ℓ∞-distance margin). Errors on non-separable data.
///
/// The LP may have several optimal directions; the interior-point solver returns one from the
/// middle of the optimal face, not necessarily the sparsest.
pub fn max_margin_l1(data: &Dataset, bias: Bias) -> Result<MaxMargin, SeparabilityError> {
    require_separable(data, bias)?;
    margin::l1(data.x(), data.y(), bias)
}

/// The bias-free decomposition of `data` into its separable and non-separable parts (see the
/// module docs). Separable data has an empty non-separable part and a 0-dimensional subspace.
pub fn decompose(data: &Dataset) -> Result<Decomposition, SeparabilityError> {
    check(data, Bias::Without)?;
    let split = tucker::partition(signed(data, Bias::Without).as_ref())?;
    decomposition(data, split)
}

fn check(data: &Dataset, bias: Bias) -> Result<(), SeparabilityError> {
    data.check_binary_labels()?;
    let y = data.y();
    if bias == Bias::With && y.iter().all(|&v| v == y[0]) {
        return Err(SeparabilityError::SingleClass { label: y[0] });
    }
    Ok(())
}

fn require_separable(data: &Dataset, bias: Bias) -> Result<(), SeparabilityError> {
    check(data, bias)?;
    let split = tucker::partition(signed(data, bias).as_ref())?;
    if split.non_separable.is_empty() {
        Ok(())
    } else {
        Err(SeparabilityError::NotSeparable {
            bias,
            non_separable: split.non_separable.len(),
            samples: data.len(),
        })
    }
}

/// Rows `y_i x_i`, with a last column `y_i` for a bias. Inputs are divided by their largest
/// row norm so that the bias column is of the same scale.
fn signed(data: &Dataset, bias: Bias) -> Mat<f64> {
    let (x, y) = (data.x(), data.y());
    let (n, d) = (x.nrows(), x.ncols());
    let scale = (0..n).map(|i| x.row(i).norm_l2()).fold(0.0, f64::max);
    let scale = if scale > 0.0 { scale } else { 1.0 };
    let cols = d + usize::from(bias == Bias::With);
    Mat::from_fn(n, cols, |i, j| {
        if j < d {
            y[i] * x[(i, j)] / scale
        } else {
            y[i]
        }
    })
}

fn decomposition(
    data: &Dataset,
    split: tucker::Partition,
) -> Result<Decomposition, SeparabilityError> {
    let x = data.x();
    // Without a bias the signed rows y_i x_i span the same space as the inputs.
    let (subspace, complement) = (split.span, split.complement);
    let separable_part = if split.separable.is_empty() {
        None
    } else {
        // The separable samples projected onto the complement (coordinates in its basis),
        // then mapped back to R^d.
        let rows = Mat::from_fn(split.separable.len(), x.ncols(), |r, j| {
            x[(split.separable[r], j)]
        });
        let coords = &rows * &complement;
        let labels = Col::from_fn(split.separable.len(), |r| data.y()[split.separable[r]]);
        let m = margin::l2(coords.as_ref(), labels.as_ref(), Bias::Without)?;
        Some(MaxMargin {
            direction: &complement * &m.direction,
            bias: 0.0,
            margin: m.margin,
        })
    };
    Ok(Decomposition {
        separable: split.separable,
        non_separable: split.non_separable,
        subspace,
        complement,
        separable_part,
        resolution: split.resolution,
    })
}
