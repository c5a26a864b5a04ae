//! Deep linear networks in NTK parametrisation,
//! `f(x) = w_Lᵀ W_{L−1} ⋯ W_1 x / √(m_1 ⋯ m_{L−1})` (depth L ≥ 2, hidden widths
//! `m_1, …, m_{L−1}`, N(0, 1) init). With one width m this is `/√(m^{L−1})`. Depth 2 is the
//! two-layer net `vᵀUx/√m` of Lewkowycz et al. 2020 (arXiv 2003.02218) and Huang et al.
//! (arXiv 2011.12547), with `U = W_1` and `v = w_2`.
//!
//! Parameter layout, with `m_0 = d`: `W_k` (m_k × m_{k−1}) for k = 1, …, L−1, each in
//! column-major order, then `w_L` (length m_{L−1}); `p = Σ_k m_k·m_{k−1} + m_{L−1}`. For
//! depth 2 this is `U` then `v`. θ, directions and parameter-space outputs are faer views of
//! length p in this layout ([`Model`]); the layers are read as matrix views of a contiguous
//! θ, and a strided θ goes through a buffer of the workspace.
//!
//! The network is linear in `x`, so everything goes through two chains of vectors, with
//! `s = (m_1 ⋯ m_{L−1})^{−1/2}`:
//! - backward: `b_L = w_L`, `b_k = W_kᵀ b_{k+1}`; the end-to-end predictor is `c = s·b_1` and
//!   `f = X c`;
//! - forward from `q = Xᵀr`: `h_0 = q`, `h_k = W_k h_{k−1}`; then `Jᵀr` has the rank-one
//!   blocks `∂W_k = s·b_{k+1} h_{k−1}ᵀ` and `∂w_L = s·h_{L−1}`;
//! - a direction `(V_k)` perturbs them as `δb_L = v_L`, `δb_k = V_kᵀ b_{k+1} + W_kᵀ δb_{k+1}`,
//!   `δh_0 = 0`, `δh_k = V_k h_{k−1} + W_k δh_{k−1}`; `J v = X (s·δb_1)` and the curvature
//!   product `Σ r_i ∇²f_i v` has blocks `s(δb_{k+1} h_{k−1}ᵀ + b_{k+1} δh_{k−1}ᵀ)` and
//!   `s·δh_{L−1}`.
//!
//! Every operation costs O(n·d + Σ_k m_k·m_{k−1}): matrix-vector products only.

use crate::model::{Output, ParameterViews, contiguous, write_contiguous};
use crate::{InputLayer, Model, ModelError};
use faer::linalg::matmul::matmul;
use faer::{Accum, Col, ColMut, ColRef, MatMut, MatRef, Par};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};

/// Architecture of a depth-L linear network with hidden widths `m_1, …, m_{L−1}` on inputs
/// in R^d. θ = (vec W_1, …, vec W_{L−1}, w_L) with `W_k` (m_k × m_{k−1}, `m_0 = d`)
/// column-major: `p = Σ_k m_k·m_{k−1} + m_{L−1}` (module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeepLinear {
    /// `m_0 = d, m_1, …, m_{L−1}`: the length of `b_{k+1}` and `h_k` at index k.
    dims: Vec<usize>,
    /// Offset in θ of layer k at index k − 1; the last entry is p.
    offsets: Vec<usize>,
}

/// Scratch of a deep linear net: the backward and forward chains and their perturbations
/// (vectors of length d or m_k), and the buffers a strided θ, direction or output goes
/// through.
#[derive(Debug, Clone)]
pub struct DeepLinearWorkspace {
    chains: Chains,
    views: ParameterViews,
}

/// The backward and forward chains of a deep linear net and their perturbations.
#[derive(Debug, Clone)]
struct Chains {
    /// `b_1 … b_L` at index `k − 1` (b_1 has length d, the others m).
    backward: Vec<Col<f64>>,
    /// `h_0 … h_{L−1}` (h_0 has length d, the others m).
    forward: Vec<Col<f64>>,
    backward_change: Vec<Col<f64>>,
    forward_change: Vec<Col<f64>>,
}

impl DeepLinear {
    /// Depth `L ≥ 2`, every hidden width `m ≥ 1`, input dimension `d ≥ 1`.
    pub fn new(depth: usize, width: usize, input_dim: usize) -> Result<Self, ModelError> {
        if depth < 2 {
            return Err(ModelError::DepthTooSmall(depth));
        }
        Self::with_widths(&vec![width; depth - 1], input_dim)
    }

    /// Hidden widths `m_1, …, m_{L−1}` (one per hidden layer, so depth `L = widths.len() + 1
    /// ≥ 2`), each at least 1, input dimension `d ≥ 1`.
    pub fn with_widths(widths: &[usize], input_dim: usize) -> Result<Self, ModelError> {
        if widths.is_empty() {
            return Err(ModelError::DepthTooSmall(1));
        }
        if widths.contains(&0) {
            return Err(ModelError::ZeroWidth);
        }
        if input_dim == 0 {
            return Err(ModelError::ZeroInputDim);
        }
        let dims: Vec<usize> = std::iter::once(input_dim)
            .chain(widths.iter().copied())
            .collect();
        let mut offsets = vec![0];
        for k in 1..dims.len() {
            offsets.push(offsets[k - 1] + dims[k] * dims[k - 1]);
        }
        offsets.push(offsets[dims.len() - 1] + dims[dims.len() - 1]);
        Ok(Self { dims, offsets })
    }

    /// The two-layer net `vᵀUx/√m` (depth 2).
    pub fn two_layer(width: usize, input_dim: usize) -> Result<Self, ModelError> {
        Self::new(2, width, input_dim)
    }

    /// Depth L (number of weight layers).
    pub fn depth(&self) -> usize {
        self.dims.len()
    }

    /// Hidden widths `m_1, …, m_{L−1}`.
    pub fn widths(&self) -> &[usize] {
        &self.dims[1..]
    }

    /// Parameters with every entry drawn i.i.d. N(0, 1) from a Xoshiro256++ stream seeded by
    /// `seed`, in layout order: the same seed gives the same bits.
    pub fn init(&self, seed: u64) -> Col<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        Col::from_fn(self.num_params(), |_| StandardNormal.sample(&mut rng))
    }

    /// Weight layer `k` (1-based) as a view into θ (length [`Model::num_params`], in the
    /// layout of the module docs): `W_k` (m_k × m_{k−1}) or, for `k = L`, `w_L` as an
    /// m_{L−1} × 1 matrix. `None` for `k` outside `1..=L`, a θ of the wrong length, or a
    /// strided θ (row stride ≠ 1: a matrix view of it would not be column-major).
    pub fn layer<'a>(&self, theta: ColRef<'a, f64>, k: usize) -> Option<MatRef<'a, f64>> {
        let theta = theta.try_as_col_major()?.as_slice();
        ((1..=self.depth()).contains(&k) && theta.len() == self.num_params())
            .then(|| self.weights(theta, k))
    }

    /// Layer `k ∈ 1..=L` of a θ of the right length.
    fn weights<'a>(&self, theta: &'a [f64], k: usize) -> MatRef<'a, f64> {
        let (start, rows, cols) = self.layer_shape(k);
        MatRef::from_column_major_slice(&theta[start..start + rows * cols], rows, cols)
    }

    /// The end-to-end predictor `c = s·W_1ᵀ ⋯ W_{L−1}ᵀ w_L` (length d), so that `f(x) = cᵀx`,
    /// for θ of length [`Model::num_params`].
    pub fn end_to_end(
        &self,
        theta: ColRef<'_, f64>,
        workspace: &mut DeepLinearWorkspace,
    ) -> Col<f64> {
        let DeepLinearWorkspace { chains, views } = workspace;
        let theta = contiguous(theta, &mut views.theta);
        self.backward_chain(theta, 1, &mut chains.backward);
        &chains.backward[0] * faer::Scale(self.scale())
    }

    /// `(start, rows, cols)` of layer k in θ.
    fn layer_shape(&self, k: usize) -> (usize, usize, usize) {
        let start = self.offsets[k - 1];
        if k == self.depth() {
            (start, self.dims[k - 1], 1)
        } else {
            (start, self.dims[k], self.dims[k - 1])
        }
    }

    fn layer_mut<'a>(&self, out: &'a mut [f64], k: usize) -> MatMut<'a, f64> {
        let (start, rows, cols) = self.layer_shape(k);
        MatMut::from_column_major_slice_mut(&mut out[start..start + rows * cols], rows, cols)
    }

    /// `s = (m_1 ⋯ m_{L−1})^{−1/2}`, as `m^{−(L−1)/2}` for one width m (bit-identical to the
    /// uniform formula).
    fn scale(&self) -> f64 {
        let widths = self.widths();
        if widths.iter().all(|&m| m == widths[0]) {
            (widths[0] as f64).powf(-0.5 * widths.len() as f64)
        } else {
            widths.iter().map(|&m| (m as f64).sqrt().recip()).product()
        }
    }

    /// Fills `b_k … b_L` (`b[k − 1]` holds b_k): `b_L = w_L`, `b_j = W_jᵀ b_{j+1}`.
    fn backward_chain(&self, theta: &[f64], down_to: usize, b: &mut [Col<f64>]) {
        let last = self.depth();
        b[last - 1].copy_from(self.weights(theta, last).col(0));
        for j in (down_to..last).rev() {
            let (lower, upper) = b.split_at_mut(j);
            mat_vec(
                lower[j - 1].as_mut(),
                self.weights(theta, j).transpose(),
                upper[0].as_ref(),
                Accum::Replace,
            );
        }
    }

    /// Fills `h_0 = q` … `h_{L−1}`: `h_j = W_j h_{j−1}`.
    fn forward_chain(&self, theta: &[f64], h: &mut [Col<f64>]) {
        for j in 1..self.depth() {
            let (lower, upper) = h.split_at_mut(j);
            mat_vec(
                upper[0].as_mut(),
                self.weights(theta, j),
                lower[j - 1].as_ref(),
                Accum::Replace,
            );
        }
    }

    /// Writes `h_0 = Xᵀ r`.
    fn project(x: MatRef<'_, f64>, r: ColRef<'_, f64>, h0: &mut Col<f64>) {
        mat_vec(h0.as_mut(), x.transpose(), r, Accum::Replace);
    }
}

/// `out (+)= A v` through faer's matmul.
fn mat_vec(out: ColMut<'_, f64>, a: MatRef<'_, f64>, v: ColRef<'_, f64>, accum: Accum) {
    matmul(out.as_mat_mut(), accum, a, v.as_mat(), 1.0, Par::Seq);
}

/// `out = alpha·u wᵀ` (`Accum::Replace`) or `out += alpha·u wᵀ` (`Accum::Add`).
fn outer(out: MatMut<'_, f64>, accum: Accum, u: ColRef<'_, f64>, w: ColRef<'_, f64>, alpha: f64) {
    matmul(
        out,
        accum,
        u.as_mat(),
        w.transpose().as_mat(),
        alpha,
        Par::Seq,
    );
}

impl Model for DeepLinear {
    type Workspace = DeepLinearWorkspace;

    fn num_params(&self) -> usize {
        self.offsets[self.dims.len()]
    }

    fn input_dim(&self) -> usize {
        self.dims[0]
    }

    /// `W_1` (m_1 × d) at the start of θ.
    fn input_layer(&self) -> Option<InputLayer> {
        Some(InputLayer {
            offset: 0,
            rows: self.dims[1],
        })
    }

    fn workspace(&self, _n_samples: usize) -> DeepLinearWorkspace {
        let chain = || {
            self.dims
                .iter()
                .map(|&len| Col::zeros(len))
                .collect::<Vec<_>>()
        };
        DeepLinearWorkspace {
            chains: Chains {
                backward: chain(),
                forward: chain(),
                backward_change: chain(),
                forward_change: chain(),
            },
            views: ParameterViews::default(),
        }
    }

    fn forward(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        ws: &mut DeepLinearWorkspace,
        out: ColMut<'_, f64>,
    ) {
        let DeepLinearWorkspace { chains: ws, views } = ws;
        let theta = contiguous(theta, &mut views.theta);
        self.backward_chain(theta, 1, &mut ws.backward);
        matmul(
            out.as_mat_mut(),
            Accum::Replace,
            x,
            ws.backward[0].as_mat(),
            self.scale(),
            Par::Seq,
        );
    }

    fn vjp(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        r: ColRef<'_, f64>,
        ws: &mut DeepLinearWorkspace,
        out: ColMut<'_, f64>,
    ) {
        let DeepLinearWorkspace { chains: ws, views } = ws;
        let theta = contiguous(theta, &mut views.theta);
        write_contiguous(out, &mut views.out, Output::Overwrite, |out| {
            Self::project(x, r, &mut ws.forward[0]);
            self.forward_chain(theta, &mut ws.forward);
            self.backward_chain(theta, 2, &mut ws.backward);
            let s = self.scale();
            for k in 1..self.depth() {
                outer(
                    self.layer_mut(out, k),
                    Accum::Replace,
                    ws.backward[k].as_ref(),
                    ws.forward[k - 1].as_ref(),
                    s,
                );
            }
            let last = self.layer_mut(out, self.depth());
            faer::zip!(last.col_mut(0), ws.forward[self.depth() - 1].as_ref())
                .for_each(|faer::unzip!(o, h)| *o = s * *h);
        });
    }

    fn jvp(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        v: ColRef<'_, f64>,
        ws: &mut DeepLinearWorkspace,
        out: ColMut<'_, f64>,
    ) {
        let DeepLinearWorkspace { chains: ws, views } = ws;
        let theta = contiguous(theta, &mut views.theta);
        let v = contiguous(v, &mut views.direction);
        self.backward_chain(theta, 2, &mut ws.backward);
        self.backward_change_chain(theta, v, ws);
        matmul(
            out.as_mat_mut(),
            Accum::Replace,
            x,
            ws.backward_change[0].as_mat(),
            self.scale(),
            Par::Seq,
        );
    }

    fn add_curvature_product(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        r: ColRef<'_, f64>,
        v: ColRef<'_, f64>,
        ws: &mut DeepLinearWorkspace,
        out: ColMut<'_, f64>,
    ) {
        let DeepLinearWorkspace { chains: ws, views } = ws;
        let theta = contiguous(theta, &mut views.theta);
        let v = contiguous(v, &mut views.direction);
        write_contiguous(out, &mut views.out, Output::Accumulate, |out| {
            Self::project(x, r, &mut ws.forward[0]);
            self.forward_chain(theta, &mut ws.forward);
            self.backward_chain(theta, 2, &mut ws.backward);
            self.backward_change_chain(theta, v, ws);
            self.forward_change_chain(theta, v, ws);
            let s = self.scale();
            for k in 1..self.depth() {
                let mut block = self.layer_mut(out, k);
                outer(
                    block.as_mut(),
                    Accum::Add,
                    ws.backward_change[k].as_ref(),
                    ws.forward[k - 1].as_ref(),
                    s,
                );
                outer(
                    block,
                    Accum::Add,
                    ws.backward[k].as_ref(),
                    ws.forward_change[k - 1].as_ref(),
                    s,
                );
            }
            let last = self.layer_mut(out, self.depth());
            faer::zip!(
                last.col_mut(0),
                ws.forward_change[self.depth() - 1].as_ref()
            )
            .for_each(|faer::unzip!(o, h)| *o += s * *h);
        });
    }

    /// The Gauss-Newton and curvature terms share their chains: with `q = Xᵀr`, `h` its
    /// forward chain, `q' = Xᵀ(c ∘ Jv)` and `g_0 = q'`, `g_k = W_k g_{k−1} + V_k h_{k−1}`
    /// (the sum of the forward chain of `q'` and `δh`), the product has blocks
    /// `s(b_{k+1} g_{k−1}ᵀ + δb_{k+1} h_{k−1}ᵀ)` and `s·g_{L−1}`. Each chain is built once and
    /// each block written in two rank-one passes.
    fn hessian_vector_product(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        c: ColRef<'_, f64>,
        r: ColRef<'_, f64>,
        v: ColRef<'_, f64>,
        ws: &mut DeepLinearWorkspace,
        mut jv: ColMut<'_, f64>,
        out: ColMut<'_, f64>,
    ) {
        let DeepLinearWorkspace { chains: ws, views } = ws;
        let theta = contiguous(theta, &mut views.theta);
        let v = contiguous(v, &mut views.direction);
        write_contiguous(out, &mut views.out, Output::Overwrite, |out| {
            let depth = self.depth();
            let s = self.scale();
            self.backward_chain(theta, 2, &mut ws.backward);
            self.backward_change_chain(theta, v, ws);
            matmul(
                jv.as_mut().as_mat_mut(),
                Accum::Replace,
                x,
                ws.backward_change[0].as_mat(),
                s,
                Par::Seq,
            );
            faer::zip!(jv.as_mut(), c).for_each(|faer::unzip!(j, c)| *j *= *c);
            Self::project(x, r, &mut ws.forward[0]);
            for k in 1..depth - 1 {
                let (lower, upper) = ws.forward.split_at_mut(k);
                mat_vec(
                    upper[0].as_mut(),
                    self.weights(theta, k),
                    lower[k - 1].as_ref(),
                    Accum::Replace,
                );
            }
            Self::project(x, jv.as_ref(), &mut ws.forward_change[0]);
            for k in 1..depth {
                let (lower, upper) = ws.forward_change.split_at_mut(k);
                mat_vec(
                    upper[0].as_mut(),
                    self.weights(theta, k),
                    lower[k - 1].as_ref(),
                    Accum::Replace,
                );
                mat_vec(
                    upper[0].as_mut(),
                    self.weights(v, k),
                    ws.forward[k - 1].as_ref(),
                    Accum::Add,
                );
            }
            for k in 1..depth {
                let mut block = self.layer_mut(out, k);
                outer(
                    block.as_mut(),
                    Accum::Replace,
                    ws.backward[k].as_ref(),
                    ws.forward_change[k - 1].as_ref(),
                    s,
                );
                outer(
                    block,
                    Accum::Add,
                    ws.backward_change[k].as_ref(),
                    ws.forward[k - 1].as_ref(),
                    s,
                );
            }
            let last = self.layer_mut(out, depth);
            faer::zip!(last.col_mut(0), ws.forward_change[depth - 1].as_ref())
                .for_each(|faer::unzip!(o, g)| *o = s * *g);
        });
    }
}

impl DeepLinear {
    /// `δb_L = v_L`, `δb_k = V_kᵀ b_{k+1} + W_kᵀ δb_{k+1}` down to `δb_1`; needs `b_2 … b_L`.
    fn backward_change_chain(&self, theta: &[f64], v: &[f64], ws: &mut Chains) {
        let last = self.depth();
        ws.backward_change[last - 1].copy_from(self.weights(v, last).col(0));
        for k in (1..last).rev() {
            let (lower, upper) = ws.backward_change.split_at_mut(k);
            let target = lower[k - 1].as_mut();
            mat_vec(
                target,
                self.weights(v, k).transpose(),
                ws.backward[k].as_ref(),
                Accum::Replace,
            );
            mat_vec(
                lower[k - 1].as_mut(),
                self.weights(theta, k).transpose(),
                upper[0].as_ref(),
                Accum::Add,
            );
        }
    }

    /// `δh_0 = 0`, `δh_k = V_k h_{k−1} + W_k δh_{k−1}`; needs `h_0 … h_{L−1}`.
    fn forward_change_chain(&self, theta: &[f64], v: &[f64], ws: &mut Chains) {
        ws.forward_change[0].fill(0.0);
        for k in 1..self.depth() {
            let (lower, upper) = ws.forward_change.split_at_mut(k);
            mat_vec(
                upper[0].as_mut(),
                self.weights(v, k),
                ws.forward[k - 1].as_ref(),
                Accum::Replace,
            );
            mat_vec(
                upper[0].as_mut(),
                self.weights(theta, k),
                lower[k - 1].as_ref(),
                Accum::Add,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_sizes_and_depth_two_matches_the_two_layer_formula() {
        let model = DeepLinear::new(4, 3, 2).unwrap();
        assert_eq!(model.num_params(), 3 * 2 + 2 * 9 + 3);
        let two = DeepLinear::two_layer(3, 2).unwrap();
        let theta = two.init(1);
        let theta = theta.as_ref();
        let x = faer::Mat::from_fn(4, 2, |i, j| i as f64 - 0.5 * j as f64);
        let mut ws = two.workspace(4);
        let mut f = Col::zeros(4);
        two.forward(theta, x.as_ref(), &mut ws, f.as_mut());
        let (u, v) = (two.layer(theta, 1).unwrap(), two.layer(theta, 2).unwrap());
        assert!(two.layer(theta, 3).is_none() && two.layer(theta.subrows(1, 8), 1).is_none());
        let strided = faer::Mat::from_fn(2, 9, |_, j| theta[j]);
        assert!(two.layer(strided.row(0).transpose(), 1).is_none());
        for i in 0..4 {
            let mut expected = 0.0;
            for k in 0..3 {
                for j in 0..2 {
                    expected += v[(k, 0)] * u[(k, j)] * x[(i, j)];
                }
            }
            assert!((f[i] - expected / 3f64.sqrt()).abs() < 1e-13);
        }
    }

    #[test]
    fn deep_forward_is_the_matrix_product() {
        let model = DeepLinear::new(3, 4, 2).unwrap();
        let theta = model.init(5);
        let layer = |k| model.layer(theta.as_ref(), k).unwrap();
        let product = layer(3).transpose() * layer(2) * layer(1);
        let mut ws = model.workspace(1);
        let c = model.end_to_end(theta.as_ref(), &mut ws);
        for j in 0..2 {
            assert!((c[j] - product[(0, j)] / 4.0).abs() < 1e-12);
        }
    }

    #[test]
    fn per_layer_widths_shape_the_layers_and_the_scale() {
        let model = DeepLinear::with_widths(&[3, 5, 2], 4).unwrap();
        assert_eq!((model.depth(), model.widths()), (4, &[3, 5, 2][..]));
        assert_eq!(model.num_params(), 3 * 4 + 5 * 3 + 2 * 5 + 2);
        let theta = model.init(2);
        let layer = |k| model.layer(theta.as_ref(), k).unwrap();
        let shapes: Vec<(usize, usize)> = (1..=4)
            .map(|k| (layer(k).nrows(), layer(k).ncols()))
            .collect();
        assert_eq!(shapes, [(3, 4), (5, 3), (2, 5), (2, 1)]);
        let product = layer(4).transpose() * layer(3) * layer(2) * layer(1);
        let c = model.end_to_end(theta.as_ref(), &mut model.workspace(1));
        for j in 0..4 {
            assert!((c[j] - product[(0, j)] / 30f64.sqrt()).abs() < 1e-12);
        }
        assert_eq!(
            DeepLinear::with_widths(&[4, 4], 3).unwrap(),
            DeepLinear::new(3, 4, 3).unwrap()
        );
    }

    #[test]
    fn rejects_bad_shapes() {
        assert_eq!(
            DeepLinear::with_widths(&[], 2),
            Err(ModelError::DepthTooSmall(1))
        );
        assert_eq!(
            DeepLinear::with_widths(&[3, 0], 2),
            Err(ModelError::ZeroWidth)
        );
        assert_eq!(DeepLinear::new(1, 3, 2), Err(ModelError::DepthTooSmall(1)));
        assert_eq!(DeepLinear::new(2, 0, 2), Err(ModelError::ZeroWidth));
        assert_eq!(DeepLinear::new(2, 3, 0), Err(ModelError::ZeroInputDim));
    }

    #[test]
    fn init_is_seeded_and_standard_normal() {
        let model = DeepLinear::new(3, 100, 4).unwrap();
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
    fn fused_hessian_product_equals_its_three_parts() {
        for widths in [vec![5], vec![4, 3], vec![3, 6, 2]] {
            let model = DeepLinear::with_widths(&widths, 3).unwrap();
            let (n, p) = (7, model.num_params());
            let x = faer::Mat::from_fn(n, 3, |i, j| ((i * 3 + j) as f64 * 0.7).sin());
            let c = Col::from_fn(n, |i| 0.1 + 0.05 * i as f64);
            let r = Col::from_fn(n, |i| (i as f64 * 1.3).cos());
            let theta = model.init(2);
            let theta = theta.as_ref();
            let v = model.init(3);
            let mut ws = model.workspace(n);

            let mut jv = Col::zeros(n);
            model.jvp(theta, x.as_ref(), v.as_ref(), &mut ws, jv.as_mut());
            let scaled = Col::from_fn(n, |i| jv[i] * c[i]);
            let mut expected = Col::zeros(p);
            model.vjp(
                theta,
                x.as_ref(),
                scaled.as_ref(),
                &mut ws,
                expected.as_mut(),
            );
            model.add_curvature_product(
                theta,
                x.as_ref(),
                r.as_ref(),
                v.as_ref(),
                &mut ws,
                expected.as_mut(),
            );

            let mut fused = Col::from_fn(p, |_| f64::NAN);
            model.hessian_vector_product(
                theta,
                x.as_ref(),
                c.as_ref(),
                r.as_ref(),
                v.as_ref(),
                &mut ws,
                jv.as_mut(),
                fused.as_mut(),
            );
            let scale = expected.iter().fold(0.0_f64, |m, e| m.max(e.abs()));
            for (i, (f, e)) in fused.iter().zip(expected.iter()).enumerate() {
                assert!(
                    (f - e).abs() <= 1e-13 * scale,
                    "{widths:?} entry {i}: {f} vs {e}"
                );
            }
        }
    }
}
