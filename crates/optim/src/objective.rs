//! The [`Objective`] trait: what a problem provides to optimisers and eigensolvers.

use faer::{ColMut, ColRef};

/// A twice-differentiable function `L: R^p → R` of a flat parameter vector.
///
/// Methods take `&mut self` so implementors can keep scratch buffers and never allocate per
/// call. Every vector argument has length [`Objective::dim`]; outputs are fully overwritten.
pub trait Objective {
    /// Number of parameters `p`.
    fn dim(&self) -> usize;

    /// `L(θ)`.
    fn value(&mut self, theta: ColRef<'_, f64>) -> f64;

    /// Writes `∇L(θ)` into `gradient` and returns `L(θ)`.
    fn value_and_gradient(&mut self, theta: ColRef<'_, f64>, gradient: ColMut<'_, f64>) -> f64;

    /// Writes the exact Hessian-vector product `∇²L(θ)·v` into `out`.
    fn hessian_vector_product(
        &mut self,
        theta: ColRef<'_, f64>,
        v: ColRef<'_, f64>,
        out: ColMut<'_, f64>,
    );
}
