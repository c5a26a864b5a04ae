//! The exact scalar reduction of the two-layer net on degenerate data.
//!
//! With `x_i = a_i e`, `f(x) = vᵀUx/√m`, `w = vᵀUe/√m`, `λ = (|v|² + |Ue|²)/m` and
//! `g = L'(w)` for `L(w) = (1/n) Σ ℓ(a_i w, y_i)`, one full-batch GD step on (U, v) maps
//!
//! `w' = w − η λ g + (η² g²/m) w`,  `λ' = λ − (4 η g/m) w + (η² g²/m) λ`.
//!
//! Derivation: the gradients are `∂U = g v eᵀ/√m` and `∂v = g U e/√m`, so
//! `U'e = Ue − η g v/√m` and `v' = v − η g Ue/√m`; expanding `v'ᵀU'e/√m` and
//! `|v'|² + |U'e|²` gives the two lines (Huang et al., arXiv 2011.12547, for the logistic loss;
//! Lewkowycz et al., arXiv 2003.02218, for the squared loss).

use crate::DegenerateProblem;
use catapult_data::degenerate_direction;
use catapult_models::{DeepLinear, Model};
use faer::{Col, ColRef};

/// The scalar state `(w, λ)` of a two-layer linear net on degenerate data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScalarState {
    /// `w = vᵀUe/√m`, the network's output at `e`.
    pub w: f64,
    /// `λ = (|v|² + |Ue|²)/m`; the top eigenvalue of Θ/n is `λ·mean(a²)`.
    pub lambda: f64,
}

impl ScalarState {
    /// Reads `w = f(e)` and `λ = |∇_θ f(e)|²` off the parameters θ of a [`DeepLinear`] net
    /// of any depth, with `e` the [`degenerate_direction`] of its input dimension: on
    /// degenerate data the NTK is `Θ = λ·a aᵀ`, so `λ·mean(a²)` is its top eigenvalue/n. For
    /// depth 2 this is `(|v|² + |Ue|²)/m`. One forward pass and one vjp. `None` for a θ of the
    /// wrong length (θ has length p, in the layout of [`DeepLinear`]).
    pub fn of_network(model: &DeepLinear, theta: ColRef<'_, f64>) -> Option<Self> {
        if theta.nrows() != model.num_params() {
            return None;
        }
        let e = degenerate_direction(model.input_dim());
        let e_row = e.as_ref().transpose().as_mat();
        let mut workspace = model.workspace(1);
        let mut output = Col::<f64>::zeros(1);
        model.forward(theta, e_row, &mut workspace, output.as_mut());
        let mut gradient = Col::<f64>::zeros(model.num_params());
        let one = Col::<f64>::ones(1);
        model.vjp(
            theta,
            e_row,
            one.as_ref(),
            &mut workspace,
            gradient.as_mut(),
        );
        Some(Self {
            w: output[0],
            lambda: gradient.iter().map(|g| g * g).sum(),
        })
    }

    /// One GD step of size `eta` at width `width`, by the exact recursion above (two layers).
    pub fn step(self, problem: &DegenerateProblem, eta: f64, width: usize) -> Self {
        let g = problem.slope(self.w);
        let m = width as f64;
        let second_order = eta * eta * g * g / m;
        Self {
            w: self.w - eta * self.lambda * g + second_order * self.w,
            lambda: self.lambda - 4.0 * eta * g * self.w / m + second_order * self.lambda,
        }
    }

    /// `Q = λ² − 4w²/m`. Under the recursion `Q' = Q·(1 − η²g²/m)²` exactly, so Q only
    /// shrinks (while `η²g² < m`): gradient flow conserves it, and the catapult is the few
    /// steps with large `η²g²/m` that cut it down. [derived for this project from the two
    /// lines above; checked in the tests.]
    pub fn invariant(self, width: usize) -> f64 {
        self.lambda * self.lambda - 4.0 * self.w * self.w / width as f64
    }

    /// The sharpness at a minimiser `w*` with this `λ`: `λ·L''(w*)`.
    pub fn sharpness_at(self, curvature: f64) -> f64 {
        self.lambda * curvature
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use catapult_losses::Loss;

    #[test]
    fn invariant_shrinks_by_the_predicted_factor_each_step() {
        let problem = DegenerateProblem::new(
            &[1.0, 0.6, -0.8, 1.4],
            &[1.0, 1.0, 1.0, -1.0],
            Loss::Logistic,
        )
        .unwrap();
        let width = 64;
        let mut state = ScalarState {
            w: -1.3,
            lambda: 2.1,
        };
        for eta in [0.5, 3.0, 9.0, 20.0] {
            for _ in 0..30 {
                let g = problem.slope(state.w);
                let factor = (1.0 - eta * eta * g * g / width as f64).powi(2);
                let next = state.step(&problem, eta, width);
                let predicted = state.invariant(width) * factor;
                assert!(
                    (next.invariant(width) - predicted).abs() <= 1e-12 * predicted.abs().max(1.0)
                );
                state = next;
            }
        }
    }
}
