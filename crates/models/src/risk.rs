//! The empirical risk `L(θ) = (1/n) Σ ℓ(f_θ(x_i), y_i)` of a model, a loss and a dataset,
//! with its exact gradient and Hessian-vector product and the curvature measurements of
//! training: sharpness and the NTK top eigenvalue.
//!
//! With `J` the Jacobian of the outputs, `r_i = ℓ'(f_i)/n` and `h_i = ℓ''(f_i)/n`:
//! - `∇L = Jᵀ r`;
//! - `∇²L·v = Jᵀ diag(h) J v + Σ_i r_i ∇²f_i v` (Gauss-Newton term plus the curvature of `f`);
//! - the NTK Gram matrix is `Θ = J Jᵀ` (n × n) and `Θ/n·u = J (Jᵀ u)/n`.
//!
//! On a batch `B` of sample indices (repeats allowed) the risk is a [`StochasticObjective`]:
//! `L_B(θ) = (1/|B|) Σ_{i∈B} ℓ(f_θ(x_i), y_i)` and `∇L_B = J_Bᵀ r_B` with `(r_B)_k =
//! ℓ'(f_{B_k})/|B|`, `J_B` the rows of `J` at `B`.

use crate::{Model, ModelError};
use catapult_data::Dataset;
use catapult_losses::Loss;
use catapult_optim::{Objective, StochasticObjective};
use catapult_spectral::{Lanczos, SymmetricOperator, TopEigenpair};
use faer::{Col, ColMut, ColRef, Mat};

/// `L(θ) = (1/n) Σ ℓ(f_θ(x_i), y_i)` for a [`Model`] `M`. Owns its scratch and reads θ in
/// place: no call allocates (but for the buffer a strided θ fills on its first use).
pub struct EmpiricalRisk<M: Model> {
    model: M,
    loss: Loss,
    data: Dataset,
    workspace: M::Workspace,
    outputs: Col<f64>,
    slopes: Col<f64>,
    jacobian_product: Col<f64>,
    /// `Jᵀu` (length p) between the two halves of an NTK product.
    parameter_product: Col<f64>,
    /// Scratch of the last mini-batch size, built on the first batch call.
    batch: Option<BatchScratch<M::Workspace>>,
}

/// The rows of a mini-batch and the model's buffers for them, for one batch size.
struct BatchScratch<W> {
    x: Mat<f64>,
    y: Col<f64>,
    outputs: Col<f64>,
    slopes: Col<f64>,
    workspace: W,
}

impl<W> BatchScratch<W> {
    fn new<M: Model<Workspace = W>>(model: &M, size: usize) -> Self {
        Self {
            x: Mat::zeros(size, model.input_dim()),
            y: Col::zeros(size),
            outputs: Col::zeros(size),
            slopes: Col::zeros(size),
            workspace: model.workspace(size),
        }
    }
}

impl<M: Model> EmpiricalRisk<M> {
    /// Errors if the data's input dimension differs from the model's, or if the loss is a
    /// classification loss and a label is not ±1.
    pub fn new(model: M, loss: Loss, data: Dataset) -> Result<Self, ModelError> {
        if data.dim() != model.input_dim() {
            return Err(ModelError::InputDimMismatch {
                model: model.input_dim(),
                data: data.dim(),
            });
        }
        if loss.is_classification() {
            data.check_binary_labels()?;
        }
        let n = data.len();
        let p = model.num_params();
        Ok(Self {
            workspace: model.workspace(n),
            model,
            loss,
            data,
            outputs: Col::zeros(n),
            slopes: Col::zeros(n),
            jacobian_product: Col::zeros(n),
            parameter_product: Col::zeros(p),
            batch: None,
        })
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The loss.
    pub fn loss(&self) -> Loss {
        self.loss
    }

    /// The data.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// Model outputs `f_θ(x_i)` for every sample.
    pub fn predictions(&mut self, theta: ColRef<'_, f64>) -> Result<Col<f64>, ModelError> {
        self.check_length(theta)?;
        self.forward(theta);
        Ok(self.outputs.clone())
    }

    /// Fraction of samples with `y_i · f_θ(x_i) > 0` (a zero output or target counts as wrong).
    pub fn accuracy(&mut self, theta: ColRef<'_, f64>) -> Result<f64, ModelError> {
        self.check_length(theta)?;
        self.forward(theta);
        let y = self.data.y();
        let correct = (0..y.nrows())
            .filter(|&i| y[i] * self.outputs[i] > 0.0)
            .count();
        Ok(correct as f64 / y.nrows() as f64)
    }

    /// The Hessian `∇²L(θ)` (p × p) as a matrix-free operator that borrows θ (length p); the
    /// forward pass at θ is done once here, so each application costs one `jvp`, one `vjp`
    /// and one curvature product.
    pub fn hessian_at<'a>(
        &'a mut self,
        theta: ColRef<'a, f64>,
    ) -> Result<HessianOperator<'a, M>, ModelError> {
        self.check_length(theta)?;
        self.forward(theta);
        self.prepare_slopes_and_curvatures();
        Ok(HessianOperator { risk: self, theta })
    }

    /// The NTK Gram matrix divided by n, `Θ/n = J Jᵀ/n` (n × n), as a matrix-free operator on
    /// R^n that borrows θ (length p).
    pub fn ntk_at<'a>(
        &'a mut self,
        theta: ColRef<'a, f64>,
    ) -> Result<NtkOperator<'a, M>, ModelError> {
        self.check_length(theta)?;
        Ok(NtkOperator { risk: self, theta })
    }

    /// The dense NTK Gram matrix `Θ_ij = ∇f(x_i)·∇f(x_j)` (n × n), built column by column
    /// from `J(Jᵀ e_j)`: O(n) Jacobian products. For tests and small n.
    pub fn ntk_gram(&mut self, theta: ColRef<'_, f64>) -> Result<Mat<f64>, ModelError> {
        let n = self.data.len();
        let mut op = self.ntk_at(theta)?;
        let mut gram = Mat::zeros(n, n);
        let mut unit = Col::<f64>::zeros(n);
        for j in 0..n {
            unit[j] = 1.0;
            op.apply(unit.as_ref(), gram.col_mut(j));
            unit[j] = 0.0;
        }
        gram *= faer::Scale(n as f64);
        Ok(gram)
    }

    /// Sharpness: the largest algebraic eigenvalue of `∇²L(θ)` and its eigenvector, by
    /// Lanczos on exact Hessian-vector products. `warm_start` (e.g. the previous top
    /// eigenvector along a trajectory) saves iterations.
    pub fn sharpness(
        &mut self,
        theta: ColRef<'_, f64>,
        lanczos: &mut Lanczos,
        warm_start: Option<ColRef<'_, f64>>,
    ) -> Result<TopEigenpair, ModelError> {
        let mut op = self.hessian_at(theta)?;
        Ok(lanczos.top(&mut op, warm_start)?)
    }

    /// Top eigenvalue of Θ/n (the `λ0` of Lewkowycz et al. at initialisation), by Lanczos on
    /// the matrix-free NTK operator (Θ is positive semi-definite, so top = largest).
    pub fn ntk_top(
        &mut self,
        theta: ColRef<'_, f64>,
        lanczos: &mut Lanczos,
    ) -> Result<TopEigenpair, ModelError> {
        self.ntk_top_from(theta, lanczos, None)
    }

    /// [`EmpiricalRisk::ntk_top`] with Lanczos started from `warm_start` (length n), e.g. the
    /// previous top eigenvector along a trajectory; `None` is a seeded random start.
    pub fn ntk_top_from(
        &mut self,
        theta: ColRef<'_, f64>,
        lanczos: &mut Lanczos,
        warm_start: Option<ColRef<'_, f64>>,
    ) -> Result<TopEigenpair, ModelError> {
        let mut op = self.ntk_at(theta)?;
        Ok(lanczos.top(&mut op, warm_start)?)
    }

    fn check_length(&self, v: ColRef<'_, f64>) -> Result<(), ModelError> {
        let expected = self.model.num_params();
        if v.nrows() == expected {
            Ok(())
        } else {
            Err(ModelError::ParameterLength {
                expected,
                got: v.nrows(),
            })
        }
    }

    /// Fills `outputs` with `f_θ(x_i)`.
    fn forward(&mut self, theta: ColRef<'_, f64>) {
        self.model.forward(
            theta,
            self.data.x(),
            &mut self.workspace,
            self.outputs.as_mut(),
        );
    }

    /// After `forward`: `slopes_i = ℓ'(f_i)/n`; returns `L(θ)`.
    fn prepare_slopes(&mut self) -> f64 {
        mean_loss_and_slopes(
            self.loss,
            self.outputs.as_ref(),
            self.data.y(),
            self.slopes.as_mut(),
        )
    }

    /// After `forward`: `slopes_i = ℓ'(f_i)/n` and, stored in `outputs`, `ℓ''(f_i)/n`.
    fn prepare_slopes_and_curvatures(&mut self) {
        let n = self.data.len() as f64;
        let y = self.data.y();
        for i in 0..y.nrows() {
            let at = self.loss.eval(self.outputs[i], y[i]);
            self.slopes[i] = at.first / n;
            self.outputs[i] = at.second / n;
        }
    }

    /// `out = ∇²L v` (θ, `v` and `out` of length p), given `slopes` and the curvatures (in
    /// `outputs`) at θ.
    pub(crate) fn apply_prepared_hessian(
        &mut self,
        theta: ColRef<'_, f64>,
        v: ColRef<'_, f64>,
        out: ColMut<'_, f64>,
    ) {
        self.model.hessian_vector_product(
            theta,
            self.data.x(),
            self.outputs.as_ref(),
            self.slopes.as_ref(),
            v,
            &mut self.workspace,
            self.jacobian_product.as_mut(),
            out,
        );
    }
}

impl<M: Model> Objective for EmpiricalRisk<M> {
    fn dim(&self) -> usize {
        self.model.num_params()
    }

    fn value(&mut self, theta: ColRef<'_, f64>) -> f64 {
        self.forward(theta);
        let y = self.data.y();
        let total: f64 = (0..y.nrows())
            .map(|i| self.loss.value(self.outputs[i], y[i]))
            .sum();
        total / y.nrows() as f64
    }

    fn value_and_gradient(&mut self, theta: ColRef<'_, f64>, gradient: ColMut<'_, f64>) -> f64 {
        self.forward(theta);
        let value = self.prepare_slopes();
        self.model.vjp(
            theta,
            self.data.x(),
            self.slopes.as_ref(),
            &mut self.workspace,
            gradient,
        );
        value
    }

    fn hessian_vector_product(
        &mut self,
        theta: ColRef<'_, f64>,
        v: ColRef<'_, f64>,
        out: ColMut<'_, f64>,
    ) {
        self.forward(theta);
        self.prepare_slopes_and_curvatures();
        self.apply_prepared_hessian(theta, v, out);
    }
}

/// `num_samples` is `n`, the number of rows of the data. A batch is served from scratch kept
/// in the risk and reallocated only when the batch length changes: its rows of `X` and `y`
/// are gathered, the model runs on them, and the result is `L_B(θ)` with gradient
/// `J_Bᵀ(ℓ'/|B|)`.
///
/// # Panics
///
/// `batch_value_and_gradient` panics on an empty batch or an index `≥ n`; [`catapult_optim::Sgd`]
/// never produces either.
impl<M: Model> StochasticObjective for EmpiricalRisk<M> {
    fn num_samples(&self) -> usize {
        self.data.len()
    }

    fn batch_value_and_gradient(
        &mut self,
        theta: ColRef<'_, f64>,
        batch: &[usize],
        gradient: ColMut<'_, f64>,
    ) -> f64 {
        assert!(!batch.is_empty(), "a batch needs at least one sample");
        let scratch = match &mut self.batch {
            Some(scratch) if scratch.y.nrows() == batch.len() => scratch,
            slot => slot.insert(BatchScratch::new(&self.model, batch.len())),
        };
        let n = self.data.len();
        let (x, y) = (self.data.x(), self.data.y());
        for (row, &i) in batch.iter().enumerate() {
            assert!(i < n, "sample index {i} out of range for {n} samples");
            scratch.y[row] = y[i];
        }
        for j in 0..x.ncols() {
            let (from, mut to) = (x.col(j), scratch.x.col_mut(j));
            for (row, &i) in batch.iter().enumerate() {
                to[row] = from[i];
            }
        }
        let model = &self.model;
        model.forward(
            theta,
            scratch.x.as_ref(),
            &mut scratch.workspace,
            scratch.outputs.as_mut(),
        );
        let value = mean_loss_and_slopes(
            self.loss,
            scratch.outputs.as_ref(),
            scratch.y.as_ref(),
            scratch.slopes.as_mut(),
        );
        model.vjp(
            theta,
            scratch.x.as_ref(),
            scratch.slopes.as_ref(),
            &mut scratch.workspace,
            gradient,
        );
        value
    }
}

/// `∇²L(θ)` at a fixed θ (borrowed, length p), as a [`SymmetricOperator`] on R^p for
/// Lanczos.
pub struct HessianOperator<'a, M: Model> {
    risk: &'a mut EmpiricalRisk<M>,
    theta: ColRef<'a, f64>,
}

impl<'a, M: Model> HessianOperator<'a, M> {
    /// The point θ the operator was prepared at.
    pub(crate) fn theta(&self) -> ColRef<'a, f64> {
        self.theta
    }

    /// Gives back the prepared risk (its scratch holds ℓ'/n and ℓ''/n at θ).
    pub(crate) fn into_risk(self) -> &'a mut EmpiricalRisk<M> {
        self.risk
    }
}

impl<M: Model> SymmetricOperator for HessianOperator<'_, M> {
    fn dim(&self) -> usize {
        self.risk.model.num_params()
    }

    fn apply(&mut self, x: ColRef<'_, f64>, out: ColMut<'_, f64>) {
        self.risk.apply_prepared_hessian(self.theta, x, out);
    }
}

/// `Θ/n = J Jᵀ/n` at a fixed θ (borrowed, length p), as a [`SymmetricOperator`] on R^n.
pub struct NtkOperator<'a, M: Model> {
    risk: &'a mut EmpiricalRisk<M>,
    theta: ColRef<'a, f64>,
}

impl<M: Model> SymmetricOperator for NtkOperator<'_, M> {
    fn dim(&self) -> usize {
        self.risk.data.len()
    }

    fn apply(&mut self, u: ColRef<'_, f64>, mut out: ColMut<'_, f64>) {
        let risk = &mut *self.risk;
        let x = risk.data.x();
        risk.model.vjp(
            self.theta,
            x,
            u,
            &mut risk.workspace,
            risk.parameter_product.as_mut(),
        );
        risk.model.jvp(
            self.theta,
            x,
            risk.parameter_product.as_ref(),
            &mut risk.workspace,
            out.as_mut(),
        );
        let n = x.nrows() as f64;
        for value in out.iter_mut() {
            *value /= n;
        }
    }
}

/// `slopes_i = ℓ'(f_i)/m` for the `m` outputs `f` and targets `y`; returns the mean loss
/// `(1/m) Σ_i ℓ(f_i, y_i)`, summed in index order.
fn mean_loss_and_slopes(
    loss: Loss,
    outputs: ColRef<'_, f64>,
    y: ColRef<'_, f64>,
    mut slopes: ColMut<'_, f64>,
) -> f64 {
    let m = y.nrows() as f64;
    let mut total = 0.0;
    for i in 0..y.nrows() {
        let at = loss.eval(outputs[i], y[i]);
        total += at.value;
        slopes[i] = at.first / m;
    }
    total / m
}
