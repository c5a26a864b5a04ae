//! The empirical risk `L(θ) = (1/n) Σ ℓ(f_θ(x_i), y_i)` of a model, a loss and a dataset,
//! with its exact gradient and Hessian-vector product and the curvature measurements of
//! training: sharpness and the NTK top eigenvalue.
//!
//! The model has C outputs per sample ([`Model::num_outputs`]) and `ℓ` is an [`OutputLoss`]
//! of a sample's C outputs (a scalar loss for C = 1; softmax cross-entropy or the one-hot
//! squared loss for C ≥ 2 classes, the target `y_i` then being the class index). With `J` the
//! nC × p Jacobian of the outputs, `r = ∇_f ℓ/n` (length nC) and `H_i = ∇²_f ℓ(f_i, y_i)` the
//! C × C Hessian of sample i's loss in its outputs:
//! - `∇L = Jᵀ r`;
//! - `∇²L·v = Jᵀ (⊕_i H_i/n) J v + Σ_j r_j ∇²f_j v` (Gauss-Newton term plus the curvature of
//!   `f`); for every loss but cross-entropy `⊕_i H_i` is diagonal;
//! - the NTK Gram matrix is `Θ = J Jᵀ` (nC × nC) and `Θ/n·u = J (Jᵀ u)/n`.
//!
//! On a batch `B` of sample indices (repeats allowed) the risk is a [`StochasticObjective`]:
//! `L_B(θ) = (1/|B|) Σ_{i∈B} ℓ(f_θ(x_i), y_i)` and `∇L_B = J_Bᵀ r_B` with `r_B` the loss
//! gradients of the batch's samples divided by `|B|`, `J_B` the rows of `J` at `B`.

use crate::{Model, ModelError};
use catapult_data::Dataset;
use catapult_losses::{OutputLoss, softmax};
use catapult_optim::{Objective, StochasticObjective};
use catapult_spectral::{Lanczos, SymmetricOperator, TopEigenpair};
use faer::{Col, ColMut, ColRef, Mat};

/// `L(θ) = (1/n) Σ ℓ(f_θ(x_i), y_i)` for a [`Model`] `M` with C outputs per sample. Owns its
/// scratch and reads θ in place: no call allocates (but for the buffer a strided θ fills on
/// its first use).
pub struct EmpiricalRisk<M: Model> {
    model: M,
    loss: OutputLoss,
    data: Dataset,
    workspace: M::Workspace,
    /// `f_θ(x_i)_k` at `i·C + k`.
    outputs: Vec<f64>,
    /// `∇_f ℓ / n`, sample-major like the outputs.
    slopes: Vec<f64>,
    /// At a prepared point: `∂²ℓ/∂f_j² / n` for a loss with a diagonal Hessian, the softmax
    /// probabilities `p` for cross-entropy.
    curvatures: Vec<f64>,
    /// `J v` (length nC) inside a Hessian-vector product.
    jacobian_product: Vec<f64>,
    /// `(⊕_i H_i/n) J v` (length nC), for a loss whose Hessian is not diagonal.
    loss_product: Vec<f64>,
    /// `Jᵀu` (length p) between the two halves of an NTK product.
    parameter_product: Col<f64>,
    /// Scratch of the last mini-batch size, built on the first batch call.
    batch: Option<BatchScratch<M::Workspace>>,
}

/// The rows of a mini-batch and the model's buffers for them, for one batch size.
struct BatchScratch<W> {
    x: Mat<f64>,
    y: Vec<f64>,
    outputs: Vec<f64>,
    slopes: Vec<f64>,
    workspace: W,
}

impl<W> BatchScratch<W> {
    fn new<M: Model<Workspace = W>>(model: &M, size: usize) -> Self {
        let outputs = size * model.num_outputs();
        Self {
            x: Mat::zeros(size, model.input_dim()),
            y: vec![0.0; size],
            outputs: vec![0.0; outputs],
            slopes: vec![0.0; outputs],
            workspace: model.workspace(size),
        }
    }
}

/// The loss and accuracy of the samples of one class, at one θ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassSummary {
    /// The class index `k`.
    pub class: usize,
    /// Number of samples of the class.
    pub samples: usize,
    /// Mean loss over the class's samples.
    pub loss: f64,
    /// Fraction of the class's samples predicted as `k`.
    pub accuracy: f64,
}

impl<M: Model> EmpiricalRisk<M> {
    /// Joins a model, a loss and a dataset. `loss` is an [`OutputLoss`] or a scalar
    /// [`catapult_losses::Loss`] (for a one-output model).
    ///
    /// Errors: the data's input dimension differs from the model's; the loss cannot serve the
    /// model's number of outputs (a scalar loss needs one output, the class losses C ≥ 2);
    /// a label the loss cannot take (±1 for the margin losses, a class index in `0..C` for the
    /// class losses), naming the sample.
    pub fn new(model: M, loss: impl Into<OutputLoss>, data: Dataset) -> Result<Self, ModelError> {
        let loss = loss.into();
        if data.dim() != model.input_dim() {
            return Err(ModelError::InputDimMismatch {
                model: model.input_dim(),
                data: data.dim(),
            });
        }
        let outputs = model.num_outputs();
        loss.kind()
            .for_outputs(outputs)
            .map_err(ModelError::LossOutputs)?;
        match loss {
            OutputLoss::Scalar(scalar) if scalar.is_classification() => {
                data.check_binary_labels()?
            }
            OutputLoss::Scalar(_) => {}
            OutputLoss::CrossEntropy | OutputLoss::OneHotSquared => {
                for (sample, &label) in data.y().iter().enumerate() {
                    loss.check_target(label, outputs)
                        .map_err(|source| ModelError::Label { sample, source })?;
                }
            }
        }
        let n = data.len();
        let p = model.num_params();
        Ok(Self {
            workspace: model.workspace(n),
            model,
            loss,
            data,
            outputs: vec![0.0; n * outputs],
            slopes: vec![0.0; n * outputs],
            curvatures: vec![0.0; n * outputs],
            jacobian_product: vec![0.0; n * outputs],
            loss_product: vec![0.0; n * outputs],
            parameter_product: Col::zeros(p),
            batch: None,
        })
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The loss.
    pub fn loss(&self) -> OutputLoss {
        self.loss
    }

    /// The data.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// Model outputs `f_θ(x_i)_k` for every sample, at `i·C + k` (length nC).
    pub fn predictions(&mut self, theta: ColRef<'_, f64>) -> Result<Col<f64>, ModelError> {
        self.check_length(theta)?;
        self.forward(theta);
        Ok(Col::from_fn(self.outputs.len(), |j| self.outputs[j]))
    }

    /// Fraction of samples predicted right ([`OutputLoss::is_correct`]): `y_i · f_θ(x_i) > 0`
    /// for one output (a zero output or target counts as wrong), the largest output at the
    /// label's class for C ≥ 2 (a tie counts as wrong).
    pub fn accuracy(&mut self, theta: ColRef<'_, f64>) -> Result<f64, ModelError> {
        self.check_length(theta)?;
        self.forward(theta);
        let (c, y) = (self.model.num_outputs(), self.data.y());
        let correct = (0..y.nrows())
            .filter(|&i| {
                self.loss
                    .is_correct(&self.outputs[i * c..(i + 1) * c], y[i])
            })
            .count();
        Ok(correct as f64 / y.nrows() as f64)
    }

    /// The loss and accuracy of each class at θ, for a class loss (C ≥ 2 outputs, one entry
    /// per class in `0..C`); `None` for a scalar loss.
    pub fn class_summaries(
        &mut self,
        theta: ColRef<'_, f64>,
    ) -> Result<Option<Vec<ClassSummary>>, ModelError> {
        if let OutputLoss::Scalar(_) = self.loss {
            return Ok(None);
        }
        self.check_length(theta)?;
        self.forward(theta);
        let (c, y) = (self.model.num_outputs(), self.data.y());
        let mut summaries: Vec<ClassSummary> = (0..c)
            .map(|class| ClassSummary {
                class,
                samples: 0,
                loss: 0.0,
                accuracy: 0.0,
            })
            .collect();
        for i in 0..y.nrows() {
            let f = &self.outputs[i * c..(i + 1) * c];
            let summary = &mut summaries[y[i] as usize];
            summary.samples += 1;
            summary.loss += self.loss.value(f, y[i]);
            if self.loss.is_correct(f, y[i]) {
                summary.accuracy += 1.0;
            }
        }
        for summary in &mut summaries {
            let count = summary.samples.max(1) as f64;
            summary.loss /= count;
            summary.accuracy /= count;
        }
        Ok(Some(summaries))
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

    /// The NTK Gram matrix divided by n, `Θ/n = J Jᵀ/n` (nC × nC, over every output of every
    /// sample), as a matrix-free operator on R^{nC} that borrows θ (length p).
    pub fn ntk_at<'a>(
        &'a mut self,
        theta: ColRef<'a, f64>,
    ) -> Result<NtkOperator<'a, M>, ModelError> {
        self.check_length(theta)?;
        Ok(NtkOperator { risk: self, theta })
    }

    /// The dense NTK Gram matrix `Θ_jl = ∇f_j·∇f_l` over the nC outputs (nC × nC), built
    /// column by column from `J(Jᵀ e_l)`: O(nC) Jacobian products. For tests and small n.
    pub fn ntk_gram(&mut self, theta: ColRef<'_, f64>) -> Result<Mat<f64>, ModelError> {
        let n = self.data.len();
        let size = n * self.model.num_outputs();
        let mut op = self.ntk_at(theta)?;
        let mut gram = Mat::zeros(size, size);
        let mut unit = Col::<f64>::zeros(size);
        for j in 0..size {
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
            ColMut::from_slice_mut(&mut self.outputs),
        );
    }

    /// After `forward`: `slopes = ∇_f ℓ/n`; returns `L(θ)`.
    fn prepare_slopes(&mut self) -> f64 {
        mean_loss_and_slopes(
            self.loss,
            self.model.num_outputs(),
            &self.outputs,
            self.data.y(),
            &mut self.slopes,
        )
    }

    /// After `forward`: `slopes = ∇_f ℓ/n` and `curvatures` = the loss's Hessian in the
    /// outputs: its diagonal divided by n, or the softmax probabilities for cross-entropy.
    fn prepare_slopes_and_curvatures(&mut self) {
        let n = self.data.len() as f64;
        let (c, y) = (self.model.num_outputs(), self.data.y());
        for i in 0..y.nrows() {
            let sample = i * c..(i + 1) * c;
            let f = &self.outputs[sample.clone()];
            self.loss
                .value_and_gradient(f, y[i], &mut self.slopes[sample.clone()]);
            let curvature = &mut self.curvatures[sample];
            match self.loss {
                OutputLoss::CrossEntropy => softmax(f, curvature),
                _ => {
                    self.loss.second_derivatives(f, y[i], curvature);
                    curvature.iter_mut().for_each(|h| *h /= n);
                }
            }
        }
        self.slopes.iter_mut().for_each(|r| *r /= n);
    }

    /// `out = ∇²L v` (θ, `v` and `out` of length p), given `slopes` and `curvatures` at θ.
    pub(crate) fn apply_prepared_hessian(
        &mut self,
        theta: ColRef<'_, f64>,
        v: ColRef<'_, f64>,
        mut out: ColMut<'_, f64>,
    ) {
        let x = self.data.x();
        if self.loss.has_diagonal_hessian() {
            self.model.hessian_vector_product(
                theta,
                x,
                ColRef::from_slice(&self.curvatures),
                ColRef::from_slice(&self.slopes),
                v,
                &mut self.workspace,
                ColMut::from_slice_mut(&mut self.jacobian_product),
                out,
            );
            return;
        }
        let c = self.model.num_outputs();
        self.model.jvp(
            theta,
            x,
            v,
            &mut self.workspace,
            ColMut::from_slice_mut(&mut self.jacobian_product),
        );
        let n = self.data.len() as f64;
        for ((ju, p), hju) in self
            .jacobian_product
            .chunks_exact(c)
            .zip(self.curvatures.chunks_exact(c))
            .zip(self.loss_product.chunks_exact_mut(c))
        {
            OutputLoss::softmax_hessian_product(p, ju, hju);
            hju.iter_mut().for_each(|h| *h /= n);
        }
        self.model.vjp(
            theta,
            x,
            ColRef::from_slice(&self.loss_product),
            &mut self.workspace,
            out.as_mut(),
        );
        self.model.add_curvature_product(
            theta,
            x,
            ColRef::from_slice(&self.slopes),
            v,
            &mut self.workspace,
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
        let (c, y) = (self.model.num_outputs(), self.data.y());
        let total: f64 = (0..y.nrows())
            .map(|i| self.loss.value(&self.outputs[i * c..(i + 1) * c], y[i]))
            .sum();
        total / y.nrows() as f64
    }

    fn value_and_gradient(&mut self, theta: ColRef<'_, f64>, gradient: ColMut<'_, f64>) -> f64 {
        self.forward(theta);
        let value = self.prepare_slopes();
        self.model.vjp(
            theta,
            self.data.x(),
            ColRef::from_slice(&self.slopes),
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
            Some(scratch) if scratch.y.len() == batch.len() => scratch,
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
            ColMut::from_slice_mut(&mut scratch.outputs),
        );
        let value = mean_loss_and_slopes(
            self.loss,
            model.num_outputs(),
            &scratch.outputs,
            ColRef::from_slice(&scratch.y),
            &mut scratch.slopes,
        );
        model.vjp(
            theta,
            scratch.x.as_ref(),
            ColRef::from_slice(&scratch.slopes),
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

/// `Θ/n = J Jᵀ/n` at a fixed θ (borrowed, length p), as a [`SymmetricOperator`] on R^{nC}.
pub struct NtkOperator<'a, M: Model> {
    risk: &'a mut EmpiricalRisk<M>,
    theta: ColRef<'a, f64>,
}

impl<M: Model> SymmetricOperator for NtkOperator<'_, M> {
    fn dim(&self) -> usize {
        self.risk.data.len() * self.risk.model.num_outputs()
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

/// `slopes = ∇_f ℓ/m` for the `m` samples' outputs `f` (C per sample, sample-major) and
/// targets `y`; returns the mean loss `(1/m) Σ_i ℓ(f_i, y_i)`, summed in sample order.
fn mean_loss_and_slopes(
    loss: OutputLoss,
    outputs_per_sample: usize,
    outputs: &[f64],
    y: ColRef<'_, f64>,
    slopes: &mut [f64],
) -> f64 {
    let m = y.nrows() as f64;
    let mut total = 0.0;
    for ((f, slope), &target) in outputs
        .chunks_exact(outputs_per_sample)
        .zip(slopes.chunks_exact_mut(outputs_per_sample))
        .zip(y.iter())
    {
        total += loss.value_and_gradient(f, target, slope);
        slope.iter_mut().for_each(|r| *r /= m);
    }
    total / m
}
