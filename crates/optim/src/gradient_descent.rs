//! Full-batch gradient descent.

use crate::{Objective, OptimError, Optimizer, StepLoss};
use faer::{ColMut, ColRef};

/// Full-batch gradient descent, `θ_{t+1} = θ_t − η_t ∇L(θ_t)`, with the step sizes `η_t` of
/// the schedule [`crate::train`] is given (a constant `η` is the schedule `&η`). It keeps no
/// state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GradientDescent;

impl GradientDescent {
    /// One update in place: `θ ← θ − η g`, entry by entry as `θ_i ← θ_i − (η·g_i)`. The
    /// step size is not checked here. O(p), no allocation.
    pub fn step(&self, learning_rate: f64, mut theta: ColMut<'_, f64>, gradient: ColRef<'_, f64>) {
        let eta = learning_rate;
        faer::zip!(theta.as_mut(), gradient).for_each(|faer::unzip!(t, g)| *t -= eta * *g);
    }
}

impl<O: Objective + ?Sized> Optimizer<O> for GradientDescent {
    /// Always fits: gradient descent has no buffers.
    fn check(&self, _: &O) -> Result<(), OptimError> {
        Ok(())
    }

    /// `∇L(θ_t)` by [`Objective::value_and_gradient`]; the loss is [`StepLoss::Full`].
    fn evaluate(
        &mut self,
        objective: &mut O,
        theta: ColRef<'_, f64>,
        gradient: ColMut<'_, f64>,
    ) -> StepLoss {
        StepLoss::Full(objective.value_and_gradient(theta, gradient))
    }

    /// [`GradientDescent::step`].
    fn step(&mut self, learning_rate: f64, theta: ColMut<'_, f64>, gradient: ColRef<'_, f64>) {
        GradientDescent::step(self, learning_rate, theta, gradient);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Col;

    #[test]
    fn step_moves_against_the_gradient() {
        let mut theta = Col::from_fn(3, |i| i as f64);
        let gradient = Col::from_fn(3, |i| 4.0 * (i as f64 + 1.0));
        GradientDescent.step(0.25, theta.as_mut(), gradient.as_ref());
        assert_eq!(theta, Col::from_fn(3, |i| i as f64 - (i as f64 + 1.0)));
    }
}
