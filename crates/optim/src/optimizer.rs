//! The [`Optimizer`] trait: the step rule the one [`crate::train`] loop runs.
//!
//! A step `t` of the loop is: the optimizer evaluates the loss and a gradient `g_t` at `θ_t`
//! ([`Optimizer::evaluate`]: on the whole objective, or on a mini-batch it draws), then
//! updates `θ_{t+1} = θ_t − η_t·d_t(g_0, …, g_t)` in place ([`Optimizer::step`]), where
//! `η_t` comes from the schedule the loop is given and the direction `d_t` is the rule's own
//! (`g_t` for gradient descent; a momentum buffer, a decayed `θ`, or later Adam's or
//! RMSProp's moment estimates). A rule keeps whatever state it needs in buffers allocated
//! when it is built, so that neither method allocates, and [`Optimizer::check`] lets the loop
//! reject, before the first step, a rule built for another problem size.
//!
//! The trait is generic over the objective so that a rule can ask for what it needs: plain
//! [`crate::GradientDescent`] runs on any [`Objective`], [`crate::Sgd`] on a
//! [`crate::StochasticObjective`] (it draws mini-batches).

use crate::{Objective, OptimError};
use faer::{ColMut, ColRef};

/// The loss an [`Optimizer::evaluate`] returns with its gradient.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepLoss {
    /// The full objective `L(θ_t)`; the gradient is `∇L(θ_t)`.
    Full(f64),
    /// A mini-batch loss `L_B(θ_t)`; the gradient is `∇L_B(θ_t)`.
    Batch(f64),
}

impl StepLoss {
    /// The loss value, full or mini-batch.
    pub fn value(self) -> f64 {
        match self {
            StepLoss::Full(loss) | StepLoss::Batch(loss) => loss,
        }
    }
}

/// A step rule `θ_{t+1} = θ_t − η_t·d_t` with its own state, run by [`crate::train`] under a
/// schedule `η_t`.
///
/// Implementors: [`crate::GradientDescent`] (`d_t = ∇L(θ_t)`) and [`crate::Sgd`] (mini-batch
/// gradients, heavy-ball or Nesterov momentum, coupled or decoupled weight decay). A new rule
/// (Adam, RMSProp) allocates its buffers in its constructor, checks their sizes in
/// [`Optimizer::check`] and updates them in [`Optimizer::step`].
pub trait Optimizer<O: Objective + ?Sized> {
    /// Errors unless the rule fits `objective` (e.g. buffers of the objective's dimension).
    /// Called once by the train loop before the first evaluation.
    fn check(&self, objective: &O) -> Result<(), OptimError>;

    /// Writes the gradient of step `t` at `theta = θ_t` into `gradient` (fully overwritten)
    /// and returns the loss it belongs to: [`StepLoss::Full`] for `∇L(θ_t)`,
    /// [`StepLoss::Batch`] for a mini-batch gradient `∇L_B(θ_t)`. Called once per step, before
    /// [`Optimizer::step`].
    fn evaluate(
        &mut self,
        objective: &mut O,
        theta: ColRef<'_, f64>,
        gradient: ColMut<'_, f64>,
    ) -> StepLoss;

    /// The update `θ_t → θ_{t+1}` in place with step size `learning_rate = η_t` (finite and
    /// `> 0`, checked by the loop), given the `gradient` that [`Optimizer::evaluate`] wrote.
    /// O(p), no allocation.
    fn step(&mut self, learning_rate: f64, theta: ColMut<'_, f64>, gradient: ColRef<'_, f64>);
}
