//! Sharpness restricted to the parameter directions that act on an input subspace.
//!
//! Huang et al. (arXiv 2011.12547) state that in the catapult phase GD ends flatter *in the
//! span of the non-separable data*. A curvature "in an input subspace" needs a definition in
//! parameter space; this is the one used here.
//!
//! Let the model read its input only through an input layer `W` (r × d, see
//! [`InputLayer`]): `f_θ(x)` depends on `x` through `W x`. Let `Q` (d × k) be an orthonormal
//! basis of an input subspace `S ⊂ R^d`. The parameter directions *acting on S* are those
//! that change `W` by `B Qᵀ` (any `B`, r × k) and leave every other parameter unchanged. The
//! embedding `E: B ↦ (W-block = B Qᵀ, 0 elsewhere)` is an isometry (`‖BQᵀ‖_F = ‖B‖_F`), so
//! the **restricted Hessian** is the compression `H_S = Eᵀ ∇²L(θ) E` (an (r·k) × (r·k)
//! symmetric operator) and the **restricted sharpness** is its largest eigenvalue,
//!
//! `λ_S = max { δθᵀ ∇²L(θ) δθ : δθ = E b, |b| = 1 }`.
//!
//! Taking `S` the non-separable subspace and `S^⊥` its complement
//! ([`catapult_data::decompose`]) splits the curvature of the input layer between the
//! directions the data cannot separate and those it can. Deeper layers belong to neither.
//!
//! Known case: on degenerate data `x_i = a_i e` with `S = span(e)`, a two-layer (or deep)
//! linear net has `f(x_i) = gᵀ W_1 x_i` with `g = s·W_2ᵀ ⋯ w_L`, so `f` is linear in `B` and
//! `λ_S = L''(w)·|g|²` with `L''(w) = (1/n) Σ ℓ''(f_i) a_i²`; and `f` does not depend on the
//! complement at all, so `λ_{S^⊥} = 0`.
//!
//! Each application costs one Hessian-vector product plus two (r × d)·(d × k) products.

use crate::risk::EmpiricalRisk;
use crate::{Model, ModelError};
use catapult_spectral::{Lanczos, SymmetricOperator, TopEigenpair};
use faer::linalg::matmul::matmul;
use faer::{Accum, ColMut, ColRef, Mat, MatMut, MatRef, Par};

/// Largest deviation of `QᵀQ` from the identity accepted for a basis.
const ORTHONORMAL_TOLERANCE: f64 = 1e-8;

/// Where the input layer `W` (rows × d) of a model sits in θ: `θ[offset .. offset + rows·d]`
/// in column-major order, and the model depends on its input `x` only through `W x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLayer {
    /// Index in θ of `W[(0, 0)]`.
    pub offset: usize,
    /// Number of rows `r` of `W`.
    pub rows: usize,
}

/// `H_S = Eᵀ ∇²L(θ) E` at a fixed θ, for an input subspace with orthonormal basis `Q`: a
/// [`SymmetricOperator`] on `R^{r·k}` (an r × k matrix `B`, column-major).
pub struct RestrictedHessianOperator<'a, M: Model> {
    risk: &'a mut EmpiricalRisk<M>,
    theta: ColRef<'a, f64>,
    basis: MatRef<'a, f64>,
    layer: InputLayer,
    /// `E B` in parameter space; zero outside the input layer.
    embedded: Vec<f64>,
    /// `∇²L(θ) E B`.
    image: Vec<f64>,
    /// `B` and `Eᵀ ∇²L(θ) E B` as contiguous r × k buffers.
    reduced_in: Mat<f64>,
    reduced_out: Mat<f64>,
}

impl<M: Model> SymmetricOperator for RestrictedHessianOperator<'_, M> {
    fn dim(&self) -> usize {
        self.layer.rows * self.basis.ncols()
    }

    fn apply(&mut self, b: ColRef<'_, f64>, mut out: ColMut<'_, f64>) {
        let (r, d) = (self.layer.rows, self.basis.nrows());
        let span = self.layer.offset..self.layer.offset + r * d;
        for (j, mut column) in self.reduced_in.col_iter_mut().enumerate() {
            column.copy_from(b.subrows(j * r, r));
        }
        {
            let block = MatMut::from_column_major_slice_mut(&mut self.embedded[span.clone()], r, d);
            matmul(
                block,
                Accum::Replace,
                self.reduced_in.as_ref(),
                self.basis.transpose(),
                1.0,
                Par::Seq,
            );
        }
        self.risk.apply_prepared_hessian(
            self.theta,
            ColRef::from_slice(&self.embedded),
            ColMut::from_slice_mut(&mut self.image),
        );
        let gradient_block = MatRef::from_column_major_slice(&self.image[span], r, d);
        matmul(
            self.reduced_out.as_mut(),
            Accum::Replace,
            gradient_block,
            self.basis,
            1.0,
            Par::Seq,
        );
        for (j, column) in self.reduced_out.col_iter().enumerate() {
            out.as_mut().subrows_mut(j * r, r).copy_from(column);
        }
    }
}

impl<M: Model> EmpiricalRisk<M> {
    /// The restricted Hessian `H_S` (see the module docs) at θ (borrowed, length p) for the
    /// input subspace with orthonormal basis `basis` (d × k): an operator of dimension `r·k`.
    ///
    /// Errors: θ of the wrong length; a model without an input layer; a basis with another
    /// number of rows than d, with no columns, or not orthonormal (`‖QᵀQ − I‖_max > 1e-8`).
    pub fn restricted_hessian_at<'a>(
        &'a mut self,
        theta: ColRef<'a, f64>,
        basis: MatRef<'a, f64>,
    ) -> Result<RestrictedHessianOperator<'a, M>, ModelError> {
        let layer = self.model().input_layer().ok_or(ModelError::NoInputLayer)?;
        check_basis(basis, self.model().input_dim())?;
        let p = self.model().num_params();
        let operator = self.hessian_at(theta)?;
        let theta = operator.theta();
        Ok(RestrictedHessianOperator {
            risk: operator.into_risk(),
            theta,
            basis,
            layer,
            embedded: vec![0.0; p],
            image: vec![0.0; p],
            reduced_in: Mat::zeros(layer.rows, basis.ncols()),
            reduced_out: Mat::zeros(layer.rows, basis.ncols()),
        })
    }

    /// Restricted sharpness `λ_S`: the largest algebraic eigenvalue of `H_S` (module docs)
    /// and its eigenvector (an r × k matrix `B`, column-major), by Lanczos. `lanczos` must
    /// have dimension `r·k` (rows of the input layer times the subspace dimension).
    pub fn restricted_sharpness(
        &mut self,
        theta: ColRef<'_, f64>,
        basis: MatRef<'_, f64>,
        lanczos: &mut Lanczos,
        warm_start: Option<ColRef<'_, f64>>,
    ) -> Result<TopEigenpair, ModelError> {
        let mut op = self.restricted_hessian_at(theta, basis)?;
        Ok(lanczos.top(&mut op, warm_start)?)
    }
}

fn check_basis(basis: MatRef<'_, f64>, input_dim: usize) -> Result<(), ModelError> {
    if basis.nrows() != input_dim {
        return Err(ModelError::SubspaceDimension {
            expected: input_dim,
            got: basis.nrows(),
        });
    }
    if basis.ncols() == 0 {
        return Err(ModelError::EmptySubspace);
    }
    let gram: Mat<f64> = basis.transpose() * basis;
    let k = basis.ncols();
    let deviation = (0..k)
        .flat_map(|i| (0..k).map(move |j| (i, j)))
        .map(|(i, j)| (gram[(i, j)] - if i == j { 1.0 } else { 0.0 }).abs())
        .fold(
            0.0,
            |worst: f64, v| if v.is_nan() || v > worst { v } else { worst },
        );
    if deviation.is_nan() || deviation > ORTHONORMAL_TOLERANCE {
        return Err(ModelError::BasisNotOrthonormal { deviation });
    }
    Ok(())
}
