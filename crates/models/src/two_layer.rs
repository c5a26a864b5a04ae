//! The two-layer linear network in NTK parametrisation, `f(x) = vᵀ U x / √m`
//! (Lewkowycz et al. 2020, arXiv 2003.02218; Huang et al., arXiv 2011.12547).
//!
//! Parameter layout (p = m·d + m): `θ[0 .. m·d]` is `U` (m × d) in column-major order, so
//! `U[i, j] = θ[j·m + i]`; `θ[m·d .. m·d + m]` is `v`.
//!
//! The network is linear in `x`: with the end-to-end vector `c = Uᵀv/√m`, `f = X c`. Every
//! operation below therefore costs O((n + m)·d), never O(n·m·d):
//! - forward: `f = X c`;
//! - `Jᵀr`: with `q = Xᵀr`, `∂U = v qᵀ/√m`, `∂v = U q/√m`;
//! - `J(δU, δv) = X (δUᵀv + Uᵀδv)/√m`;
//! - `Σ r_i ∇²f(x_i)(δU, δv)`: U-part `δv qᵀ/√m`, v-part `δU q/√m` with `q = Xᵀr`.

use crate::{Model, ModelError};
use faer::linalg::matmul::matmul;
use faer::{Accum, Col, ColMut, ColRef, MatMut, MatRef, Par};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};

/// Architecture of `f(x) = vᵀ U x / √m` with `U ∈ R^{m×d}`, `v ∈ R^m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoLayerLinear {
    width: usize,
    input_dim: usize,
}

/// Scratch of the two-layer net: two vectors of length d.
#[derive(Debug, Clone)]
pub struct TwoLayerWorkspace {
    end_to_end: Col<f64>,
    projected: Col<f64>,
}

impl TwoLayerLinear {
    /// Width `m ≥ 1` of the hidden layer, input dimension `d ≥ 1`.
    pub fn new(width: usize, input_dim: usize) -> Result<Self, ModelError> {
        if width == 0 {
            return Err(ModelError::ZeroWidth);
        }
        if input_dim == 0 {
            return Err(ModelError::ZeroInputDim);
        }
        Ok(Self { width, input_dim })
    }

    /// Hidden width `m`.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Parameters with every entry drawn i.i.d. N(0, 1) from a Xoshiro256++ stream seeded by
    /// `seed` (U first, column by column, then v): the same seed gives the same bits.
    pub fn init(&self, seed: u64) -> Col<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        Col::from_fn(self.num_params(), |_| StandardNormal.sample(&mut rng))
    }

    /// `U` (m × d) as a view into θ.
    pub fn first_layer<'a>(&self, theta: &'a [f64]) -> MatRef<'a, f64> {
        MatRef::from_column_major_slice(&theta[..self.split()], self.width, self.input_dim)
    }

    /// `v` (length m) as a view into θ.
    pub fn second_layer<'a>(&self, theta: &'a [f64]) -> ColRef<'a, f64> {
        ColRef::from_slice(&theta[self.split()..])
    }

    fn split(&self) -> usize {
        self.width * self.input_dim
    }

    fn scale(&self) -> f64 {
        1.0 / (self.width as f64).sqrt()
    }

    fn layers_mut<'a>(&self, out: &'a mut [f64]) -> (MatMut<'a, f64>, ColMut<'a, f64>) {
        let (u, v) = out.split_at_mut(self.split());
        (
            MatMut::from_column_major_slice_mut(u, self.width, self.input_dim),
            ColMut::from_slice_mut(v),
        )
    }

    /// `out = Uᵀ v / √m` for any (U, v), e.g. a direction.
    fn end_to_end(&self, u: MatRef<'_, f64>, v: ColRef<'_, f64>, out: ColMut<'_, f64>) {
        matmul(
            out.as_mat_mut(),
            Accum::Replace,
            u.transpose(),
            v.as_mat(),
            self.scale(),
            Par::Seq,
        );
    }
}

impl Model for TwoLayerLinear {
    type Workspace = TwoLayerWorkspace;

    fn num_params(&self) -> usize {
        self.width * (self.input_dim + 1)
    }

    fn input_dim(&self) -> usize {
        self.input_dim
    }

    fn workspace(&self, _n_samples: usize) -> TwoLayerWorkspace {
        TwoLayerWorkspace {
            end_to_end: Col::zeros(self.input_dim),
            projected: Col::zeros(self.input_dim),
        }
    }

    fn forward(
        &self,
        theta: &[f64],
        x: MatRef<'_, f64>,
        ws: &mut TwoLayerWorkspace,
        out: ColMut<'_, f64>,
    ) {
        self.end_to_end(
            self.first_layer(theta),
            self.second_layer(theta),
            ws.end_to_end.as_mut(),
        );
        matmul(
            out.as_mat_mut(),
            Accum::Replace,
            x,
            ws.end_to_end.as_mat(),
            1.0,
            Par::Seq,
        );
    }

    fn vjp(
        &self,
        theta: &[f64],
        x: MatRef<'_, f64>,
        r: ColRef<'_, f64>,
        ws: &mut TwoLayerWorkspace,
        out: &mut [f64],
    ) {
        let q = ws.projected.as_mut();
        matmul(
            q.as_mat_mut(),
            Accum::Replace,
            x.transpose(),
            r.as_mat(),
            1.0,
            Par::Seq,
        );
        let q = ws.projected.as_ref();
        let (grad_u, grad_v) = self.layers_mut(out);
        let s = self.scale();
        matmul(
            grad_u,
            Accum::Replace,
            self.second_layer(theta).as_mat(),
            q.transpose().as_mat(),
            s,
            Par::Seq,
        );
        matmul(
            grad_v.as_mat_mut(),
            Accum::Replace,
            self.first_layer(theta),
            q.as_mat(),
            s,
            Par::Seq,
        );
    }

    fn jvp(
        &self,
        theta: &[f64],
        x: MatRef<'_, f64>,
        v: &[f64],
        ws: &mut TwoLayerWorkspace,
        out: ColMut<'_, f64>,
    ) {
        let s = self.scale();
        let c = ws.end_to_end.as_mut();
        matmul(
            c.as_mat_mut(),
            Accum::Replace,
            self.first_layer(v).transpose(),
            self.second_layer(theta).as_mat(),
            s,
            Par::Seq,
        );
        matmul(
            ws.end_to_end.as_mat_mut(),
            Accum::Add,
            self.first_layer(theta).transpose(),
            self.second_layer(v).as_mat(),
            s,
            Par::Seq,
        );
        matmul(
            out.as_mat_mut(),
            Accum::Replace,
            x,
            ws.end_to_end.as_mat(),
            1.0,
            Par::Seq,
        );
    }

    fn add_curvature_product(
        &self,
        _theta: &[f64],
        x: MatRef<'_, f64>,
        r: ColRef<'_, f64>,
        v: &[f64],
        ws: &mut TwoLayerWorkspace,
        out: &mut [f64],
    ) {
        let q = ws.projected.as_mut();
        matmul(
            q.as_mat_mut(),
            Accum::Replace,
            x.transpose(),
            r.as_mat(),
            1.0,
            Par::Seq,
        );
        let q = ws.projected.as_ref();
        let (out_u, out_v) = self.layers_mut(out);
        let s = self.scale();
        matmul(
            out_u,
            Accum::Add,
            self.second_layer(v).as_mat(),
            q.transpose().as_mat(),
            s,
            Par::Seq,
        );
        matmul(
            out_v.as_mat_mut(),
            Accum::Add,
            self.first_layer(v),
            q.as_mat(),
            s,
            Par::Seq,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_matches_the_formula() {
        let model = TwoLayerLinear::new(3, 2).unwrap();
        let theta = model.init(1);
        let x = faer::Mat::from_fn(4, 2, |i, j| (i as f64) - 0.5 * j as f64);
        let mut ws = model.workspace(4);
        let mut f = Col::zeros(4);
        let theta = theta.try_as_col_major().unwrap().as_slice();
        model.forward(theta, x.as_ref(), &mut ws, f.as_mut());
        let (u, v) = (model.first_layer(theta), model.second_layer(theta));
        for i in 0..4 {
            let mut expected = 0.0;
            for k in 0..3 {
                for j in 0..2 {
                    expected += v[k] * u[(k, j)] * x[(i, j)];
                }
            }
            expected /= 3f64.sqrt();
            assert!((f[i] - expected).abs() < 1e-13);
        }
    }

    #[test]
    fn init_is_seeded_and_standard_normal() {
        let model = TwoLayerLinear::new(5000, 4).unwrap();
        assert_eq!(model.init(3), model.init(3));
        assert_ne!(model.init(3), model.init(4));
        let theta = model.init(3);
        let n = theta.nrows() as f64;
        let mean = theta.iter().sum::<f64>() / n;
        let var = theta.iter().map(|t| (t - mean) * (t - mean)).sum::<f64>() / n;
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.04,
            "mean {mean} var {var}"
        );
    }

    #[test]
    fn rejects_zero_sizes() {
        assert_eq!(TwoLayerLinear::new(0, 3), Err(ModelError::ZeroWidth));
        assert_eq!(TwoLayerLinear::new(3, 0), Err(ModelError::ZeroInputDim));
    }
}
