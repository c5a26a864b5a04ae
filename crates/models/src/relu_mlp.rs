//! ReLU multi-layer perceptrons with C output heads and optional weight normalisation, as
//! used for square-loss classification by Xu, Rangamani, Liao, Galanti and Poggio and as
//! Q-networks (one head per action) in fitted Q-iteration.
//!
//! # The function
//!
//! Depth L ≥ 2 (L weight layers), widths `m_0 = d` (features), `m_1, …, m_{L−1}` (hidden),
//! `m_L = C` (heads). No biases (append a constant feature for one); with them left out the
//! network is positively homogeneous in each layer, `F_{ρW} = Π ρ_k F_W`, which is the
//! property the paper's norm analysis uses. With `H_0 = z`,
//! `Z_k = W_k H_{k−1}`, `H_k = relu(Z_k)` for k < L, the heads are `F(z) = Z_L ∈ R^C` and the
//! penultimate features are `φ(z) = H_{L−1} ∈ R^{m_{L−1}}`.
//!
//! # One scalar per input row
//!
//! The [`Model`] trait has one scalar output per input row. A row here is `x = [z, e]` with
//! `z ∈ R^d` the features and `e ∈ R^C` a selector, and the output is `f(x) = eᵀF(z)`: with
//! `e` the c-th unit vector it is the score of class (or action) c. A dataset of n samples
//! and C classes becomes n·C rows ([`ReluMlp::class_rows`]) with targets 1 for the true
//! class and 0 otherwise, so the squared loss of [`crate::EmpiricalRisk`] on these rows is
//! the one-hot square loss `(1/(nC)) Σ_i Σ_c ½(F_c(z_i) − y_ic)²`.
//!
//! # Weight normalisation
//!
//! With [`Normalisation::PerLayer`] each layer is `W_k = ρ_k V_k/‖V_k‖_F` with the direction
//! `V_k` and the layer norm `ρ_k` both free parameters (the `W = ρV, ‖V‖ = 1` view of the
//! paper, with the unit-norm constraint built into the map rather than imposed); the norm of
//! the network is `ρ = Π_k ρ_k`. With [`Normalisation::None`] the parameters are the `W_k`
//! themselves and `ρ_k = ‖W_k‖_F`.
//!
//! # Parameter layout
//!
//! `V_1, …, V_L` (or `W_1, …, W_L`), each `m_k × m_{k−1}` in column-major order, then, under
//! weight normalisation, `ρ_1, …, ρ_L`: `p = Σ_k m_k·m_{k−1}` (plus L). θ, directions and
//! parameter-space outputs are faer views of length p in this layout ([`Model`]); the layers
//! are read as matrix views of a contiguous θ, and a strided θ goes through a buffer of the
//! workspace.
//!
//! # Derivatives
//!
//! With `G_k = ∂f/∂W_k` from back-propagation (`δ_L = r ⊙ e`, `G_k = δ_kᵀ H_{k−1}` summed over
//! rows, `δ_{k−1} = (δ_k W_k) ⊙ 1[Z_{k−1} > 0]`), weight normalisation with `ν = ‖V‖_F` gives
//! `∂/∂ρ = ⟨G, V⟩/ν` and `∂/∂V = (ρ/ν)(G − ⟨G, V⟩V/ν²)`. A direction `(δV, δρ)` moves the
//! layer by `δW = δρ V/ν + (ρ/ν)(δV − ⟨V, δV⟩V/ν²)`, pushed forward as
//! `δZ_k = δW_k H_{k−1} + W_k (1[Z_{k−1} > 0] ⊙ δZ_{k−1})`.
//!
//! The curvature product `Σ_i r_i ∇²f_i v` is **not** hand-derived: ReLU has zero second
//! derivative almost everywhere, but the products across layers and the normalisation do
//! not, and this model computes the whole term as the central difference
//! `(Jᵀr|_{θ+hv} − Jᵀr|_{θ−hv})/(2h)` of exact gradients, with `h = 10⁻⁵(1 + ‖θ‖)/‖v‖`. It is
//! accurate to O(h²) away from the kinks of the ReLUs and wrong when `θ ± hv` crosses one.

use crate::model::{Output, ParameterViews, contiguous, write_contiguous};
use crate::{InputLayer, Model, ModelError};
use catapult_data::Dataset;
use faer::linalg::matmul::matmul;
use faer::{Accum, Col, ColMut, ColRef, Mat, MatMut, MatRef, Par};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};

/// How the weight matrices are parametrised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalisation {
    /// The weights are the parameters.
    None,
    /// `W_k = ρ_k V_k/‖V_k‖_F` with `V_k` and `ρ_k` parameters (weight normalisation with one
    /// scalar norm per layer).
    PerLayer,
}

/// Architecture of a ReLU MLP with C heads (see the module documentation). θ = (vec V_1, …,
/// vec V_L) with `V_k` (m_k × m_{k−1}, `m_0 = d`, `m_L = C`) column-major, then `ρ_1, …, ρ_L`
/// under weight normalisation: `p = Σ_k m_k·m_{k−1}` (+ L).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReluMlp {
    /// `m_0 = d, m_1, …, m_{L−1}, m_L = C`.
    dims: Vec<usize>,
    /// Offset in θ of layer k at index k − 1; the entry at index L is where the ρ block (or
    /// the end) starts.
    offsets: Vec<usize>,
    normalisation: Normalisation,
}

/// Scratch of a ReLU MLP for a fixed number of rows: weights, activations and their
/// back-propagated or pushed-forward changes, the shifted points of the curvature product, and
/// the buffers a strided θ, direction or output goes through.
#[derive(Debug, Clone)]
pub struct ReluMlpWorkspace {
    layers: Buffers,
    views: ParameterViews,
    /// Shifted parameters and a gradient for the finite-difference curvature product.
    shifted: Vec<f64>,
    shifted_gradient: Vec<f64>,
}

/// The per-layer matrices of a [`ReluMlpWorkspace`].
#[derive(Debug, Clone)]
struct Buffers {
    /// Effective weights `W_k` at index k − 1.
    weights: Vec<Mat<f64>>,
    /// `Z_k` (rows × m_k) at index k − 1.
    pre: Vec<Mat<f64>>,
    /// `H_k = relu(Z_k)` at index k − 1 (k < L).
    post: Vec<Mat<f64>>,
    /// Back-propagated `δ_k`, or in a JVP the tangents `δZ_k`, at index k − 1.
    delta: Vec<Mat<f64>>,
    /// `relu'(Z_k) ⊙ δZ_k` in a JVP, at index k − 1 (k < L).
    tangent_post: Vec<Mat<f64>>,
    /// Per-layer gradients `G_k`, or layer directions `δW_k`, at index k − 1.
    layer_buffer: Vec<Mat<f64>>,
}

impl ReluMlp {
    /// Hidden widths `m_1, …, m_{L−1}` (at least one, each ≥ 1), feature dimension `d ≥ 1`,
    /// `C ≥ 1` heads.
    pub fn new(
        input_dim: usize,
        hidden: &[usize],
        outputs: usize,
        normalisation: Normalisation,
    ) -> Result<Self, ModelError> {
        if hidden.is_empty() {
            return Err(ModelError::DepthTooSmall(1));
        }
        if hidden.contains(&0) || outputs == 0 {
            return Err(ModelError::ZeroWidth);
        }
        if input_dim == 0 {
            return Err(ModelError::ZeroInputDim);
        }
        let dims: Vec<usize> = std::iter::once(input_dim)
            .chain(hidden.iter().copied())
            .chain(std::iter::once(outputs))
            .collect();
        let mut offsets = vec![0];
        for k in 1..dims.len() {
            offsets.push(offsets[k - 1] + dims[k] * dims[k - 1]);
        }
        Ok(Self {
            dims,
            offsets,
            normalisation,
        })
    }

    /// Depth L (number of weight layers).
    pub fn depth(&self) -> usize {
        self.dims.len() - 1
    }

    /// Feature dimension d.
    pub fn feature_dim(&self) -> usize {
        self.dims[0]
    }

    /// Number of heads C.
    pub fn outputs(&self) -> usize {
        self.dims[self.depth()]
    }

    /// Width `m_{L−1}` of the penultimate features.
    pub fn penultimate_width(&self) -> usize {
        self.dims[self.depth() - 1]
    }

    /// The parametrisation.
    pub fn normalisation(&self) -> Normalisation {
        self.normalisation
    }

    /// Parameters drawn from a Xoshiro256++ stream seeded by `seed`: `V_k` (or `W_k`) entries
    /// i.i.d. N(0, 2/m_{k−1}) for hidden layers (He) and N(0, 1/m_{L−1}) for the heads, in
    /// layout order; under weight normalisation `ρ_k = ‖V_k‖_F`, so `W_k = V_k` at init.
    pub fn init(&self, seed: u64) -> Col<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut theta = vec![0.0; self.num_params()];
        for k in 1..=self.depth() {
            let gain = if k < self.depth() { 2.0 } else { 1.0 };
            let std = (gain / self.dims[k - 1] as f64).sqrt();
            for entry in &mut theta[self.offsets[k - 1]..self.offsets[k]] {
                let draw: f64 = StandardNormal.sample(&mut rng);
                *entry = std * draw;
            }
        }
        if self.normalisation == Normalisation::PerLayer {
            for k in 1..=self.depth() {
                theta[self.offsets[self.depth()] + k - 1] = self.direction(&theta, k).norm_l2();
            }
        }
        Col::from_fn(theta.len(), |i| theta[i])
    }

    /// The effective weight matrix `W_k` (m_k × m_{k−1}) of layer `k ∈ 1..=L` of θ (length
    /// [`Model::num_params`]): `V_k` without normalisation, `ρ_k V_k/‖V_k‖_F` with it.
    pub fn layer_weights(&self, theta: ColRef<'_, f64>, k: usize) -> Result<Mat<f64>, ModelError> {
        self.check_theta(theta)?;
        let mut strided = Vec::new();
        let theta = contiguous(theta, &mut strided);
        if !(1..=self.depth()).contains(&k) {
            return Err(ModelError::LayerOutOfRange {
                layer: k,
                depth: self.depth(),
            });
        }
        let mut w = Mat::zeros(self.dims[k], self.dims[k - 1]);
        self.effective_weights(theta, k, w.as_mut());
        Ok(w)
    }

    /// The layer norms `‖W_k‖_F` (k = 1, …, L) of θ (length [`Model::num_params`]): `|ρ_k|`
    /// under weight normalisation (a negative `ρ_k` flips the layer's sign), the Frobenius
    /// norms of the weights otherwise.
    pub fn layer_norms(&self, theta: ColRef<'_, f64>) -> Result<Vec<f64>, ModelError> {
        self.check_theta(theta)?;
        let mut strided = Vec::new();
        let theta = contiguous(theta, &mut strided);
        Ok((1..=self.depth())
            .map(|k| match self.normalisation {
                Normalisation::None => self.direction(theta, k).norm_l2(),
                Normalisation::PerLayer => self.rho(theta, k).abs(),
            })
            .collect())
    }

    /// The heads `F(z_i)` (n × C) and penultimate features `φ(z_i)` (n × m_{L−1}) of θ
    /// (length [`Model::num_params`]) for the feature rows `z` (n × d, no selector columns).
    pub fn scores_and_features(
        &self,
        theta: ColRef<'_, f64>,
        z: MatRef<'_, f64>,
    ) -> Result<(Mat<f64>, Mat<f64>), ModelError> {
        self.check_theta(theta)?;
        if z.ncols() != self.feature_dim() {
            return Err(ModelError::InputDimMismatch {
                model: self.feature_dim(),
                data: z.ncols(),
            });
        }
        let ReluMlpWorkspace {
            layers: mut ws,
            mut views,
            ..
        } = self.workspace(z.nrows());
        self.run_forward(contiguous(theta, &mut views.theta), z, &mut ws);
        let last = self.depth();
        Ok((ws.pre[last - 1].clone(), ws.post[last - 2].clone()))
    }

    /// The n·C rows `[z_i, e_c]` with targets `1[c = label_i]`, row `i·C + c`: the one-hot
    /// square-loss dataset of features `z` (n × d) and labels in `0..C`.
    pub fn class_rows(&self, z: MatRef<'_, f64>, labels: &[usize]) -> Result<Dataset, ModelError> {
        let classes = self.outputs();
        if z.ncols() != self.feature_dim() {
            return Err(ModelError::InputDimMismatch {
                model: self.feature_dim(),
                data: z.ncols(),
            });
        }
        if labels.len() != z.nrows() {
            return Err(ModelError::LabelCount {
                rows: z.nrows(),
                labels: labels.len(),
            });
        }
        if let Some(&label) = labels.iter().find(|&&l| l >= classes) {
            return Err(ModelError::LabelOutOfRange { label, classes });
        }
        let rows = selector_rows(z, classes);
        let y = Col::from_fn(z.nrows() * classes, |row| {
            f64::from(u8::from(labels[row / classes] == row % classes))
        });
        Ok(Dataset::new(rows, y)?)
    }

    fn check_theta(&self, theta: ColRef<'_, f64>) -> Result<(), ModelError> {
        if theta.nrows() == self.num_params() {
            Ok(())
        } else {
            Err(ModelError::ParameterLength {
                expected: self.num_params(),
                got: theta.nrows(),
            })
        }
    }

    /// The raw block of layer k (`V_k`, or `W_k` without normalisation).
    fn direction<'a>(&self, theta: &'a [f64], k: usize) -> MatRef<'a, f64> {
        MatRef::from_column_major_slice(
            &theta[self.offsets[k - 1]..self.offsets[k]],
            self.dims[k],
            self.dims[k - 1],
        )
    }

    fn direction_mut<'a>(&self, out: &'a mut [f64], k: usize) -> MatMut<'a, f64> {
        MatMut::from_column_major_slice_mut(
            &mut out[self.offsets[k - 1]..self.offsets[k]],
            self.dims[k],
            self.dims[k - 1],
        )
    }

    fn rho(&self, theta: &[f64], k: usize) -> f64 {
        theta[self.offsets[self.depth()] + k - 1]
    }

    /// `out = W_k`.
    fn effective_weights(&self, theta: &[f64], k: usize, mut out: MatMut<'_, f64>) {
        let v = self.direction(theta, k);
        out.copy_from(v);
        if self.normalisation == Normalisation::PerLayer {
            out *= faer::Scale(self.rho(theta, k) / v.norm_l2());
        }
    }

    /// Fills the weights, `Z_k` and `H_k` of the workspace for feature rows `z`.
    fn run_forward(&self, theta: &[f64], z: MatRef<'_, f64>, ws: &mut Buffers) {
        let depth = self.depth();
        for k in 1..=depth {
            self.effective_weights(theta, k, ws.weights[k - 1].as_mut());
            let input = if k == 1 { z } else { ws.post[k - 2].as_ref() };
            matmul(
                ws.pre[k - 1].as_mut(),
                Accum::Replace,
                input,
                ws.weights[k - 1].transpose(),
                1.0,
                Par::Seq,
            );
            if k < depth {
                let (pre, post) = (&ws.pre[k - 1], &mut ws.post[k - 1]);
                zip_map(post.as_mut(), pre.as_ref(), pre.as_ref(), |z, _| z.max(0.0));
            }
        }
    }

    /// With `δ_k` in `ws.delta[k − 1]` for `k = top` (and the forward pass done), back-propagates
    /// to every layer `k ≤ top`, storing `G_k` in `ws.layer_buffer`; layers above `top` get
    /// `G_k = 0`.
    fn backpropagate(&self, top: usize, z: MatRef<'_, f64>, ws: &mut Buffers) {
        for k in (top + 1)..=self.depth() {
            ws.layer_buffer[k - 1].fill(0.0);
        }
        for k in (1..=top).rev() {
            let input = if k == 1 { z } else { ws.post[k - 2].as_ref() };
            matmul(
                ws.layer_buffer[k - 1].as_mut(),
                Accum::Replace,
                ws.delta[k - 1].transpose(),
                input,
                1.0,
                Par::Seq,
            );
            if k > 1 {
                let (below, above) = ws.delta.split_at_mut(k - 1);
                matmul(
                    below[k - 2].as_mut(),
                    Accum::Replace,
                    above[0].as_ref(),
                    ws.weights[k - 1].as_ref(),
                    1.0,
                    Par::Seq,
                );
                let pre = ws.pre[k - 2].as_ref();
                zip_map_in_place(
                    below[k - 2].as_mut(),
                    pre,
                    |d, z| if z > 0.0 { d } else { 0.0 },
                );
            }
        }
    }

    /// `out = ∂/∂θ` of the layer gradients `G_k` held in `ws.layer_buffer` (chain rule
    /// through the normalisation).
    fn pull_back_layers(&self, theta: &[f64], ws: &Buffers, out: &mut [f64]) {
        for k in 1..=self.depth() {
            let g = ws.layer_buffer[k - 1].as_ref();
            let mut target = self.direction_mut(out, k);
            match self.normalisation {
                Normalisation::None => target.copy_from(g),
                Normalisation::PerLayer => {
                    let v = self.direction(theta, k);
                    let norm = v.norm_l2();
                    let inner = frobenius_inner(g, v);
                    let scale = self.rho(theta, k) / norm;
                    zip_map(target.as_mut(), g, v, |g, v| {
                        scale * (g - inner * v / (norm * norm))
                    });
                    out[self.offsets[self.depth()] + k - 1] = inner / norm;
                }
            }
        }
    }

    /// `ws.layer_buffer[k − 1] = δW_k` for the parameter direction `dir`.
    fn push_forward_layers(&self, theta: &[f64], dir: &[f64], ws: &mut Buffers) {
        for k in 1..=self.depth() {
            let dv = self.direction(dir, k);
            let mut target = ws.layer_buffer[k - 1].as_mut();
            match self.normalisation {
                Normalisation::None => target.copy_from(dv),
                Normalisation::PerLayer => {
                    let v = self.direction(theta, k);
                    let norm = v.norm_l2();
                    let inner = frobenius_inner(dv, v);
                    let scale = self.rho(theta, k) / norm;
                    let drho = self.rho(dir, k);
                    zip_map(target.as_mut(), dv, v, |dv, v| {
                        drho * v / norm + scale * (dv - inner * v / (norm * norm))
                    });
                }
            }
        }
    }
}

/// A [`Model`] whose output reads penultimate features `φ_θ(x)` (one row of an n × m matrix
/// per input row), with the vector-Jacobian product of those features: what fitted
/// Q-iteration needs for the srank of the features and its penalty.
pub trait PenultimateFeatures: Model {
    /// Width m of the features.
    fn feature_width(&self) -> usize;

    /// `out` (n × m) = the features `φ_θ(x_i)` of the n input rows `x` (n × d), for θ of
    /// length [`Model::num_params`].
    fn features(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        workspace: &mut Self::Workspace,
        out: MatMut<'_, f64>,
    );

    /// `out = Σ_{i,j} g_ij ∂φ_j(x_i)/∂θ` (length p), overwriting `out`, for θ (length p), `x`
    /// (n × d) and `g` (n × m).
    fn features_vjp(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        g: MatRef<'_, f64>,
        workspace: &mut Self::Workspace,
        out: ColMut<'_, f64>,
    );
}

impl PenultimateFeatures for ReluMlp {
    fn feature_width(&self) -> usize {
        self.penultimate_width()
    }

    fn features(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        ws: &mut ReluMlpWorkspace,
        mut out: MatMut<'_, f64>,
    ) {
        let ReluMlpWorkspace {
            layers: ws, views, ..
        } = ws;
        let theta = contiguous(theta, &mut views.theta);
        self.run_forward(theta, self.feature_columns(x), ws);
        out.copy_from(&ws.post[self.depth() - 2]);
    }

    fn features_vjp(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        g: MatRef<'_, f64>,
        ws: &mut ReluMlpWorkspace,
        out: ColMut<'_, f64>,
    ) {
        let ReluMlpWorkspace {
            layers: ws, views, ..
        } = ws;
        let theta = contiguous(theta, &mut views.theta);
        let z = self.feature_columns(x);
        self.run_forward(theta, z, ws);
        let top = self.depth() - 1;
        zip_map(
            ws.delta[top - 1].as_mut(),
            g,
            ws.pre[top - 1].as_ref(),
            |g, z| {
                if z > 0.0 { g } else { 0.0 }
            },
        );
        self.backpropagate(top, z, ws);
        write_contiguous(out, &mut views.out, Output::Overwrite, |out| {
            self.pull_back_layers(theta, ws, out)
        });
    }
}

impl ReluMlp {
    fn feature_columns<'a>(&self, x: MatRef<'a, f64>) -> MatRef<'a, f64> {
        x.subcols(0, self.feature_dim())
    }

    fn selector<'a>(&self, x: MatRef<'a, f64>) -> MatRef<'a, f64> {
        x.subcols(self.feature_dim(), self.outputs())
    }
}

impl Model for ReluMlp {
    type Workspace = ReluMlpWorkspace;

    fn num_params(&self) -> usize {
        let weights = self.offsets[self.depth()];
        match self.normalisation {
            Normalisation::None => weights,
            Normalisation::PerLayer => weights + self.depth(),
        }
    }

    /// `d + C`: the features then the selector.
    fn input_dim(&self) -> usize {
        self.feature_dim() + self.outputs()
    }

    /// `None`: the first layer reads only the feature columns of a row, not the whole row.
    fn input_layer(&self) -> Option<InputLayer> {
        None
    }

    fn workspace(&self, n_samples: usize) -> ReluMlpWorkspace {
        let depth = self.depth();
        let activations = |count: usize| -> Vec<Mat<f64>> {
            (1..=count)
                .map(|k| Mat::zeros(n_samples, self.dims[k]))
                .collect()
        };
        let layers = || -> Vec<Mat<f64>> {
            (1..=depth)
                .map(|k| Mat::zeros(self.dims[k], self.dims[k - 1]))
                .collect()
        };
        ReluMlpWorkspace {
            layers: Buffers {
                weights: layers(),
                pre: activations(depth),
                post: activations(depth - 1),
                delta: activations(depth),
                tangent_post: activations(depth - 1),
                layer_buffer: layers(),
            },
            views: ParameterViews::default(),
            shifted: vec![0.0; self.num_params()],
            shifted_gradient: vec![0.0; self.num_params()],
        }
    }

    fn forward(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        ws: &mut ReluMlpWorkspace,
        mut out: ColMut<'_, f64>,
    ) {
        let ReluMlpWorkspace {
            layers: ws, views, ..
        } = ws;
        let theta = contiguous(theta, &mut views.theta);
        self.run_forward(theta, self.feature_columns(x), ws);
        select_rows(
            self.selector(x),
            ws.pre[self.depth() - 1].as_ref(),
            out.as_mut(),
        );
    }

    fn vjp(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        r: ColRef<'_, f64>,
        ws: &mut ReluMlpWorkspace,
        out: ColMut<'_, f64>,
    ) {
        let ReluMlpWorkspace {
            layers: ws, views, ..
        } = ws;
        let theta = contiguous(theta, &mut views.theta);
        let z = self.feature_columns(x);
        self.run_forward(theta, z, ws);
        let top = self.depth();
        let selector = self.selector(x);
        let delta = &mut ws.delta[top - 1];
        for c in 0..selector.ncols() {
            for i in 0..selector.nrows() {
                delta[(i, c)] = r[i] * selector[(i, c)];
            }
        }
        self.backpropagate(top, z, ws);
        write_contiguous(out, &mut views.out, Output::Overwrite, |out| {
            self.pull_back_layers(theta, ws, out)
        });
    }

    fn jvp(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        v: ColRef<'_, f64>,
        ws: &mut ReluMlpWorkspace,
        out: ColMut<'_, f64>,
    ) {
        let ReluMlpWorkspace {
            layers: ws, views, ..
        } = ws;
        let theta = contiguous(theta, &mut views.theta);
        let v = contiguous(v, &mut views.direction);
        let z = self.feature_columns(x);
        self.run_forward(theta, z, ws);
        self.push_forward_layers(theta, v, ws);
        let depth = self.depth();
        for k in 1..=depth {
            let (input, tangent_input) = if k == 1 {
                (z, None)
            } else {
                (
                    ws.post[k - 2].as_ref(),
                    Some(ws.tangent_post[k - 2].as_ref()),
                )
            };
            let dz = &mut ws.delta[k - 1];
            matmul(
                dz.as_mut(),
                Accum::Replace,
                input,
                ws.layer_buffer[k - 1].transpose(),
                1.0,
                Par::Seq,
            );
            if let Some(tangent_input) = tangent_input {
                matmul(
                    dz.as_mut(),
                    Accum::Add,
                    tangent_input,
                    ws.weights[k - 1].transpose(),
                    1.0,
                    Par::Seq,
                );
            }
            if k < depth {
                zip_map(
                    ws.tangent_post[k - 1].as_mut(),
                    ws.delta[k - 1].as_ref(),
                    ws.pre[k - 1].as_ref(),
                    |dz, z| if z > 0.0 { dz } else { 0.0 },
                );
            }
        }
        select_rows(self.selector(x), ws.delta[depth - 1].as_ref(), out);
    }

    /// Central difference of exact gradients along `v` (see the module documentation); θ,
    /// `v` and `out` are read and written in place whatever their stride.
    fn add_curvature_product(
        &self,
        theta: ColRef<'_, f64>,
        x: MatRef<'_, f64>,
        r: ColRef<'_, f64>,
        v: ColRef<'_, f64>,
        ws: &mut ReluMlpWorkspace,
        mut out: ColMut<'_, f64>,
    ) {
        let v_norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if v_norm == 0.0 {
            return;
        }
        let theta_norm = theta.iter().map(|a| a * a).sum::<f64>().sqrt();
        let h = 1e-5 * (1.0 + theta_norm) / v_norm;
        let mut shifted = std::mem::take(&mut ws.shifted);
        let mut gradient = std::mem::take(&mut ws.shifted_gradient);
        for sign in [1.0, -1.0] {
            for ((s, t), d) in shifted.iter_mut().zip(theta.iter()).zip(v.iter()) {
                *s = t + sign * h * d;
            }
            self.vjp(
                ColRef::from_slice(&shifted),
                x,
                r,
                ws,
                ColMut::from_slice_mut(&mut gradient),
            );
            for (o, g) in out.as_mut().iter_mut().zip(&gradient) {
                *o += sign * g / (2.0 * h);
            }
        }
        ws.shifted = shifted;
        ws.shifted_gradient = gradient;
    }
}

/// `out_i = Σ_c e_ic s_ic`.
fn select_rows(selector: MatRef<'_, f64>, scores: MatRef<'_, f64>, mut out: ColMut<'_, f64>) {
    out.fill(0.0);
    for c in 0..selector.ncols() {
        for i in 0..selector.nrows() {
            out[i] += selector[(i, c)] * scores[(i, c)];
        }
    }
}

/// The n·C rows `[z_i, e_c]`, row `i·C + c`.
fn selector_rows(z: MatRef<'_, f64>, classes: usize) -> Mat<f64> {
    let d = z.ncols();
    Mat::from_fn(z.nrows() * classes, d + classes, |row, col| {
        let (i, c) = (row / classes, row % classes);
        if col < d {
            z[(i, col)]
        } else {
            f64::from(u8::from(col - d == c))
        }
    })
}

/// `⟨a, b⟩_F`.
fn frobenius_inner(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
    let mut total = 0.0;
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            total += a[(i, j)] * b[(i, j)];
        }
    }
    total
}

/// `out_ij = f(a_ij, b_ij)`.
fn zip_map(
    mut out: MatMut<'_, f64>,
    a: MatRef<'_, f64>,
    b: MatRef<'_, f64>,
    f: impl Fn(f64, f64) -> f64,
) {
    for j in 0..out.ncols() {
        for i in 0..out.nrows() {
            out[(i, j)] = f(a[(i, j)], b[(i, j)]);
        }
    }
}

/// `out_ij = f(out_ij, b_ij)`.
fn zip_map_in_place(mut out: MatMut<'_, f64>, b: MatRef<'_, f64>, f: impl Fn(f64, f64) -> f64) {
    for j in 0..out.ncols() {
        for i in 0..out.nrows() {
            out[(i, j)] = f(out[(i, j)], b[(i, j)]);
        }
    }
}
