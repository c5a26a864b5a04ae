//! The [`Model`] trait: an architecture as the operations the risk needs.

use crate::InputLayer;
use faer::{ColMut, ColRef, MatRef};

/// A scalar-output model `f_θ: R^d → R` with a flat parameter vector θ ∈ R^p.
///
/// Inputs come as `x` (n × d, one sample per row). Parameter-space vectors are contiguous
/// slices of length [`Model::num_params`]; sample-space vectors are faer columns of length n.
/// With `J` the n × p Jacobian of `(f_θ(x_1), …, f_θ(x_n))`, a model provides `f`, `Jᵀr`,
/// `Jv` and `Σ_i r_i ∇²f_θ(x_i)·v`, from which the risk builds its gradient and exact
/// Hessian-vector product. Each call is self-contained: it does not rely on an earlier call.
pub trait Model {
    /// Scratch buffers, allocated once by [`Model::workspace`] so that calls do not allocate.
    type Workspace;

    /// Number of parameters `p`.
    fn num_params(&self) -> usize;

    /// Input dimension `d`.
    fn input_dim(&self) -> usize;

    /// Where the input layer sits in θ, for a model that reads its input `x` only through
    /// `W x` with `W` a block of θ; `None` for a model that does not. Used by the restricted
    /// sharpness ([`crate::RestrictedHessianOperator`]).
    fn input_layer(&self) -> Option<InputLayer>;

    /// Scratch for inputs of `n_samples` rows.
    fn workspace(&self, n_samples: usize) -> Self::Workspace;

    /// `out_i = f_θ(x_i)`.
    fn forward(
        &self,
        theta: &[f64],
        x: MatRef<'_, f64>,
        workspace: &mut Self::Workspace,
        out: ColMut<'_, f64>,
    );

    /// `out = Jᵀ r` (vector-Jacobian product), overwriting `out`.
    fn vjp(
        &self,
        theta: &[f64],
        x: MatRef<'_, f64>,
        r: ColRef<'_, f64>,
        workspace: &mut Self::Workspace,
        out: &mut [f64],
    );

    /// `out = J v` (Jacobian-vector product), overwriting `out`.
    fn jvp(
        &self,
        theta: &[f64],
        x: MatRef<'_, f64>,
        v: &[f64],
        workspace: &mut Self::Workspace,
        out: ColMut<'_, f64>,
    );

    /// `out += Σ_i r_i ∇²f_θ(x_i) v`: the part of the risk Hessian that the Gauss-Newton term
    /// `Jᵀ diag(ℓ'') J` misses.
    fn add_curvature_product(
        &self,
        theta: &[f64],
        x: MatRef<'_, f64>,
        r: ColRef<'_, f64>,
        v: &[f64],
        workspace: &mut Self::Workspace,
        out: &mut [f64],
    );

    /// `out = Jᵀ diag(c) J v + Σ_i r_i ∇²f_θ(x_i) v`, overwriting `out`: the risk's
    /// Hessian-vector product when `c_i = ℓ''(f_i)/n` and `r_i = ℓ'(f_i)/n`. `jv` (length n)
    /// is scratch. The default is [`Model::jvp`], the scaling by `c`, [`Model::vjp`] and
    /// [`Model::add_curvature_product`]; a model may fuse them to share work.
    #[allow(clippy::too_many_arguments)]
    fn hessian_vector_product(
        &self,
        theta: &[f64],
        x: MatRef<'_, f64>,
        c: ColRef<'_, f64>,
        r: ColRef<'_, f64>,
        v: &[f64],
        workspace: &mut Self::Workspace,
        mut jv: ColMut<'_, f64>,
        out: &mut [f64],
    ) {
        self.jvp(theta, x, v, workspace, jv.as_mut());
        faer::zip!(jv.as_mut(), c).for_each(|faer::unzip!(j, c)| *j *= *c);
        self.vjp(theta, x, jv.as_ref(), workspace, out);
        self.add_curvature_product(theta, x, r, v, workspace, out);
    }
}
