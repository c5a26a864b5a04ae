//! The [`Model`] trait: an architecture as the operations the risk needs.

use crate::InputLayer;
use faer::{ColMut, ColRef, MatRef};

/// A model `f_θ: R^d → R^C` with C = [`Model::num_outputs`] outputs (1 unless a model says
/// otherwise) and a flat parameter vector θ ∈ R^p.
///
/// Inputs come as `x` (n × d, one sample per row). Every vector is a faer view: θ and
/// parameter-space directions `v` are `ColRef`s of length p = [`Model::num_params`],
/// parameter-space outputs are `ColMut`s of length p, output-space vectors (`r`, `c`, `f`,
/// `J v`) are columns of length n·C, sample-major: output `k` of sample `i` sits at
/// `i·C + k` (each sample's C outputs are contiguous; for C = 1 the index is the sample's).
/// Each model documents its flat layout of θ. Views of a
/// `Col` or a slice are contiguous and are read in place; a strided view is accepted too and
/// goes through a buffer of the workspace allocated on its first use, so that no call
/// allocates once the workspace is warm.
///
/// With `J` the nC × p Jacobian of `(f_θ(x_1), …, f_θ(x_n))`, a model provides `f`, `Jᵀr`,
/// `Jv` and `Σ_{i,k} r_{ik} ∇²f_θ(x_i)_k·v`, from which the risk builds its gradient and exact
/// Hessian-vector product. Each call is self-contained: it does not rely on an earlier call.
pub trait Model {
    /// Scratch buffers, allocated once by [`Model::workspace`] so that calls do not allocate.
    type Workspace;

    /// Number of parameters `p`.
    fn num_params(&self) -> usize;

    /// Input dimension `d`.
    fn input_dim(&self) -> usize;

    /// Number of outputs `C` per sample (the length of `f_θ(x)`); 1 for a scalar model.
    fn num_outputs(&self) -> usize {
        1
    }

    /// Where the input layer sits in θ, for a model that reads its input `x` only through
    /// `W x` with `W` a block of θ; `None` for a model that does not. Used by the restricted
    /// sharpness ([`crate::RestrictedHessianOperator`]).
    fn input_layer(&self) -> Option<InputLayer>;

    /// Scratch for inputs of `n_samples` rows.
    fn workspace(&self, n_samples: usize) -> Self::Workspace;

    /// `out_{iC+k} = f_θ(x_i)_k`: θ (length p), `x` (n × d), `out` (length nC).
    fn forward(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        workspace: &mut Self::Workspace,
        out: ColMut<'_, f64>,
    );

    /// `out = Jᵀ r` (vector-Jacobian product), overwriting `out`: θ (length p), `x` (n × d),
    /// `r` (length nC), `out` (length p).
    fn vjp(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        r: ColRef<'_, f64>,
        workspace: &mut Self::Workspace,
        out: ColMut<'_, f64>,
    );

    /// `out = J v` (Jacobian-vector product), overwriting `out`: θ and `v` (length p), `x`
    /// (n × d), `out` (length nC).
    fn jvp(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        v: ColRef<'_, f64>,
        workspace: &mut Self::Workspace,
        out: ColMut<'_, f64>,
    );

    /// `out += Σ_{i,k} r_{iC+k} ∇²f_θ(x_i)_k v`: the part of the risk Hessian that the
    /// Gauss-Newton term `Jᵀ H_ℓ J` misses. θ, `v` and `out` have length p, `r` length nC, `x`
    /// is n × d.
    fn add_curvature_product(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        r: ColRef<'_, f64>,
        v: ColRef<'_, f64>,
        workspace: &mut Self::Workspace,
        out: ColMut<'_, f64>,
    );

    /// `out = Jᵀ diag(c) J v + Σ_j r_j ∇²f_j v`, overwriting `out` (j over the nC outputs):
    /// the risk's Hessian-vector product for a loss whose Hessian in the outputs is diagonal,
    /// with `c_j = ∂²ℓ/∂f_j²/n` and `r_j = ∂ℓ/∂f_j/n`. θ, `v` and `out` have length p; `c`,
    /// `r` and `jv` (scratch) length nC. The default is [`Model::jvp`],
    /// the scaling by `c`, [`Model::vjp`] and [`Model::add_curvature_product`]; a model may
    /// fuse them to share work.
    #[allow(clippy::too_many_arguments)]
    fn hessian_vector_product(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        c: ColRef<'_, f64>,
        r: ColRef<'_, f64>,
        v: ColRef<'_, f64>,
        workspace: &mut Self::Workspace,
        mut jv: ColMut<'_, f64>,
        mut out: ColMut<'_, f64>,
    ) {
        self.jvp(theta, x, v, workspace, jv.as_mut());
        faer::zip!(jv.as_mut(), c).for_each(|faer::unzip!(j, c)| *j *= *c);
        self.vjp(theta, x, jv.as_ref(), workspace, out.as_mut());
        self.add_curvature_product(theta, x, r, v, workspace, out);
    }
}

/// The buffers through which a model that indexes θ as a slice reads strided views.
///
/// A parameter-space view with row stride 1 (any view of a `Col` or of a slice) is read and
/// written in place, without a copy. A strided one is copied into one of these buffers,
/// which is allocated on the first strided call and reused by every later call, so that a
/// model call never allocates once its workspace is warm and computes the same bits as on a
/// contiguous copy. Part of each model's workspace.
#[derive(Debug, Clone, Default)]
pub(crate) struct ParameterViews {
    /// θ, when strided.
    pub(crate) theta: Vec<f64>,
    /// A direction `v`, when strided.
    pub(crate) direction: Vec<f64>,
    /// A parameter-space output, when strided.
    pub(crate) out: Vec<f64>,
}

/// `view` as a slice: borrowed when its row stride is 1, else copied into `buffer` (which
/// then keeps its capacity for the next call).
pub(crate) fn contiguous<'a>(view: ColRef<'a, f64>, buffer: &'a mut Vec<f64>) -> &'a [f64] {
    match view.try_as_col_major() {
        Some(column) => column.as_slice(),
        None => {
            buffer.clear();
            buffer.extend(view.iter().copied());
            buffer
        }
    }
}

/// Whether a write through [`write_contiguous`] reads the output's current entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    /// `write` overwrites every entry.
    Overwrite,
    /// `write` accumulates into the entries (`+=`).
    Accumulate,
}

/// Runs `write` on `out` as a slice: in place when its row stride is 1, else on `buffer`
/// (filled from `out` first for [`Output::Accumulate`]) and copied back.
pub(crate) fn write_contiguous(
    mut out: ColMut<'_, f64>,
    buffer: &mut Vec<f64>,
    mode: Output,
    write: impl FnOnce(&mut [f64]),
) {
    if let Some(column) = out.as_mut().try_as_col_major_mut() {
        write(column.as_slice_mut());
        return;
    }
    buffer.clear();
    match mode {
        Output::Overwrite => buffer.resize(out.nrows(), 0.0),
        Output::Accumulate => buffer.extend(out.as_ref().iter().copied()),
    }
    write(buffer);
    out.copy_from(ColRef::from_slice(buffer));
}
