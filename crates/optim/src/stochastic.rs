//! The [`StochasticObjective`] trait: an [`Objective`] that is a mean over samples.

use crate::Objective;
use faer::{ColMut, ColRef};

/// A problem whose loss is a mean over samples, so a gradient can be taken on a subset.
///
/// With `L(θ) = (1/n) Σ_{i<n} ℓ_i(θ)`, the loss on a batch `B` (a list of sample indices,
/// which may repeat) is `L_B(θ) = (1/|B|) Σ_{i∈B} ℓ_i(θ)`, an unbiased estimate of `L(θ)`
/// when `B` is drawn uniformly. Over `B = (0, 1, …, n − 1)` it equals `L(θ)` up to the
/// order of summation.
pub trait StochasticObjective: Objective {
    /// Number of samples `n ≥ 1`.
    fn num_samples(&self) -> usize;

    /// Mean loss and its gradient over the samples `batch` (indices may repeat), overwriting
    /// `gradient`: writes `∇L_B(θ)` and returns `L_B(θ)`. Every index is below
    /// [`StochasticObjective::num_samples`] and `batch` is not empty.
    fn batch_value_and_gradient(
        &mut self,
        theta: ColRef<'_, f64>,
        batch: &[usize],
        gradient: ColMut<'_, f64>,
    ) -> f64;
}
