//! Depth-D diagonal linear networks, `f(x) = ⟨w, x⟩` with `w = u₊^D − u₋^D` (element-wise
//! powers, D ≥ 1): the model of Woodworth et al. (2020), Moroshko et al. (NeurIPS 2020) and,
//! with `u₋ = 0`, the toy of Gissin, Shalev-Shwartz and Daniely (ICLR 2020).
//!
//! Parameter layout: `θ = (u₊, u₋)`, each of length d, so `p = 2d`. θ, directions and
//! parameter-space outputs are faer views of length 2d in this layout ([`Model`]), indexed in
//! place whatever their stride.
//!
//! With `q = Xᵀr` (length d) and `a_k = D u₊ₖ^{D−1}`, `b_k = D u₋ₖ^{D−1}`:
//! - `Jᵀr = (a ⊙ q, −b ⊙ q)`;
//! - `J v = X (a ⊙ v₊ − b ⊙ v₋)`;
//! - `Σ_i r_i ∇²f_i v = (c ⊙ q ⊙ v₊, −e ⊙ q ⊙ v₋)` with `c_k = D(D−1) u₊ₖ^{D−2}` and
//!   `e_k = D(D−1) u₋ₖ^{D−2}`: each `∇²f_i` is diagonal, and zero for D = 1.
//!
//! Every operation costs O(n·d).

use crate::{InputLayer, Model, ModelError};
use faer::linalg::matmul::matmul;
use faer::{Accum, Col, ColMut, ColRef, MatRef, Par};

/// Architecture of a depth-D diagonal network on inputs in R^d. θ = (u₊, u₋), each of length
/// d: `p = 2d` (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiagonalNet {
    depth: u32,
    input_dim: usize,
}

/// Scratch of a diagonal network: `q = Xᵀr` and the end-to-end change `δw`.
#[derive(Debug, Clone)]
pub struct DiagonalNetWorkspace {
    projected: Col<f64>,
    predictor_change: Col<f64>,
}

impl DiagonalNet {
    /// Depth `D ≥ 1`, input dimension `d ≥ 1`.
    pub fn new(depth: u32, input_dim: usize) -> Result<Self, ModelError> {
        if depth == 0 {
            return Err(ModelError::DiagonalDepthZero);
        }
        if input_dim == 0 {
            return Err(ModelError::ZeroInputDim);
        }
        Ok(Self { depth, input_dim })
    }

    /// Depth D.
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// The symmetric initialisation `u₊ = u₋ = α·1` (so `w(0) = 0`); `α` finite and `> 0`.
    pub fn uniform_init(&self, alpha: f64) -> Result<Col<f64>, ModelError> {
        if !(alpha.is_finite() && alpha > 0.0) {
            return Err(ModelError::InvalidInitScale(alpha));
        }
        Ok(Col::from_fn(2 * self.input_dim, |_| alpha))
    }

    /// A general initialisation `θ = (u₊, u₋)`; both of length d, every entry finite.
    pub fn init_from(&self, u_plus: &[f64], u_minus: &[f64]) -> Result<Col<f64>, ModelError> {
        for part in [u_plus, u_minus] {
            if part.len() != self.input_dim {
                return Err(ModelError::InitLength {
                    expected: self.input_dim,
                    got: part.len(),
                });
            }
        }
        let theta: Vec<f64> = u_plus.iter().chain(u_minus).copied().collect();
        if let Some(index) = theta.iter().position(|v| !v.is_finite()) {
            return Err(ModelError::NonFiniteInit {
                index,
                value: theta[index],
            });
        }
        Ok(Col::from_fn(theta.len(), |k| theta[k]))
    }

    /// The end-to-end predictor `w = u₊^D − u₋^D`; errors on a θ of the wrong length.
    pub fn predictor(&self, theta: ColRef<'_, f64>) -> Result<Col<f64>, ModelError> {
        if theta.nrows() != self.num_params() {
            return Err(ModelError::ParameterLength {
                expected: self.num_params(),
                got: theta.nrows(),
            });
        }
        let d = self.input_dim;
        let power = self.depth as i32;
        Ok(Col::from_fn(d, |k| {
            theta[k].powi(power) - theta[d + k].powi(power)
        }))
    }

    /// `D u^{D−1}`, the slope of `u ↦ u^D`.
    fn slope(&self, u: f64) -> f64 {
        f64::from(self.depth) * u.powi(self.depth as i32 - 1)
    }

    /// `D(D−1) u^{D−2}`, the curvature of `u ↦ u^D` (0 for D = 1).
    fn curvature(&self, u: f64) -> f64 {
        if self.depth == 1 {
            0.0
        } else {
            let d = f64::from(self.depth);
            d * (d - 1.0) * u.powi(self.depth as i32 - 2)
        }
    }

    /// Writes `q = Xᵀ r`.
    fn project(x: MatRef<'_, f64>, r: ColRef<'_, f64>, q: &mut Col<f64>) {
        matmul(
            q.as_mat_mut(),
            Accum::Replace,
            x.transpose(),
            r.as_mat(),
            1.0,
            Par::Seq,
        );
    }
}

impl Model for DiagonalNet {
    type Workspace = DiagonalNetWorkspace;

    fn num_params(&self) -> usize {
        2 * self.input_dim
    }

    fn input_dim(&self) -> usize {
        self.input_dim
    }

    /// A diagonal net reads `x` through `⟨w, x⟩`, not through a weight block of θ.
    fn input_layer(&self) -> Option<InputLayer> {
        None
    }

    fn workspace(&self, _n_samples: usize) -> DiagonalNetWorkspace {
        DiagonalNetWorkspace {
            projected: Col::zeros(self.input_dim),
            predictor_change: Col::zeros(self.input_dim),
        }
    }

    fn forward(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        ws: &mut DiagonalNetWorkspace,
        out: ColMut<'_, f64>,
    ) {
        let d = self.input_dim;
        let power = self.depth as i32;
        for k in 0..d {
            ws.predictor_change[k] = theta[k].powi(power) - theta[d + k].powi(power);
        }
        matmul(
            out.as_mat_mut(),
            Accum::Replace,
            x,
            ws.predictor_change.as_mat(),
            1.0,
            Par::Seq,
        );
    }

    fn vjp(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        r: ColRef<'_, f64>,
        ws: &mut DiagonalNetWorkspace,
        mut out: ColMut<'_, f64>,
    ) {
        Self::project(x, r, &mut ws.projected);
        let d = self.input_dim;
        for k in 0..d {
            let q = ws.projected[k];
            out[k] = self.slope(theta[k]) * q;
            out[d + k] = -self.slope(theta[d + k]) * q;
        }
    }

    fn jvp(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        v: ColRef<'_, f64>,
        ws: &mut DiagonalNetWorkspace,
        out: ColMut<'_, f64>,
    ) {
        let d = self.input_dim;
        for k in 0..d {
            ws.predictor_change[k] =
                self.slope(theta[k]) * v[k] - self.slope(theta[d + k]) * v[d + k];
        }
        matmul(
            out.as_mat_mut(),
            Accum::Replace,
            x,
            ws.predictor_change.as_mat(),
            1.0,
            Par::Seq,
        );
    }

    fn add_curvature_product(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        r: ColRef<'_, f64>,
        v: ColRef<'_, f64>,
        ws: &mut DiagonalNetWorkspace,
        mut out: ColMut<'_, f64>,
    ) {
        if self.depth == 1 {
            return;
        }
        Self::project(x, r, &mut ws.projected);
        let d = self.input_dim;
        for k in 0..d {
            let q = ws.projected[k];
            out[k] += self.curvature(theta[k]) * q * v[k];
            out[d + k] -= self.curvature(theta[d + k]) * q * v[d + k];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_is_the_power_difference() {
        let model = DiagonalNet::new(3, 2).unwrap();
        let theta = model.init_from(&[1.5, -0.5], &[0.5, 2.0]).unwrap();
        let w = model.predictor(theta.as_ref()).unwrap();
        assert_eq!((w[0], w[1]), (1.5f64.powi(3) - 0.125, -0.125 - 8.0));
        let x = faer::Mat::from_fn(3, 2, |i, j| (i + 2 * j) as f64 - 1.0);
        let mut f = Col::zeros(3);
        model.forward(
            theta.as_ref(),
            x.as_ref(),
            &mut model.workspace(3),
            f.as_mut(),
        );
        for i in 0..3 {
            assert!((f[i] - (x[(i, 0)] * w[0] + x[(i, 1)] * w[1])).abs() < 1e-13);
        }
    }

    #[test]
    fn uniform_init_starts_at_zero_predictor() {
        let model = DiagonalNet::new(2, 4).unwrap();
        let theta = model.uniform_init(0.3).unwrap();
        assert_eq!(theta.nrows(), 8);
        assert!(model.predictor(theta.as_ref()).unwrap().norm_l2() == 0.0);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(DiagonalNet::new(0, 3), Err(ModelError::DiagonalDepthZero));
        assert_eq!(DiagonalNet::new(2, 0), Err(ModelError::ZeroInputDim));
        let model = DiagonalNet::new(2, 2).unwrap();
        for alpha in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                model.uniform_init(alpha),
                Err(ModelError::InvalidInitScale(_))
            ));
        }
        assert_eq!(
            model.init_from(&[1.0], &[1.0, 2.0]),
            Err(ModelError::InitLength {
                expected: 2,
                got: 1
            })
        );
        assert!(matches!(
            model.init_from(&[1.0, 2.0], &[f64::NAN, 2.0]),
            Err(ModelError::NonFiniteInit { index: 2, .. })
        ));
        assert_eq!(
            model.predictor(Col::zeros(3).as_ref()),
            Err(ModelError::ParameterLength {
                expected: 4,
                got: 3
            })
        );
    }
}
