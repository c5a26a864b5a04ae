//! Full-batch gradient descent with a constant step.

use crate::OptimError;
use faer::{ColMut, ColRef};

/// `θ ← θ − η ∇L(θ)` with a constant learning rate `η > 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradientDescent {
    learning_rate: f64,
}

impl GradientDescent {
    /// Errors unless `learning_rate` is finite and positive.
    pub fn new(learning_rate: f64) -> Result<Self, OptimError> {
        if learning_rate.is_finite() && learning_rate > 0.0 {
            Ok(Self { learning_rate })
        } else {
            Err(OptimError::InvalidLearningRate(learning_rate))
        }
    }

    /// The step size `η`.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
    }

    /// One update in place: `θ ← θ − η g`. O(p), no allocation.
    pub fn step(&self, mut theta: ColMut<'_, f64>, gradient: ColRef<'_, f64>) {
        let eta = self.learning_rate;
        faer::zip!(theta.as_mut(), gradient).for_each(|faer::unzip!(t, g)| *t -= eta * *g);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Col;

    #[test]
    fn rejects_non_positive_and_non_finite_rates() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                GradientDescent::new(bad),
                Err(OptimError::InvalidLearningRate(_))
            ));
        }
    }

    #[test]
    fn step_moves_against_the_gradient() {
        let gd = GradientDescent::new(0.25).unwrap();
        let mut theta = Col::from_fn(3, |i| i as f64);
        let gradient = Col::from_fn(3, |i| 4.0 * (i as f64 + 1.0));
        gd.step(theta.as_mut(), gradient.as_ref());
        assert_eq!(theta, Col::from_fn(3, |i| i as f64 - (i as f64 + 1.0)));
    }
}
