//! Learning-rate thresholds between the lazy, catapult and divergent phases.

use crate::{DegenerateProblem, Phase};
use catapult_losses::Loss;

/// The lazy/catapult boundary `η = 2/(λ·L''(w*))`: the step size at which GD stops being
/// stable at a minimiser whose sharpness is `λ·L''(w*)` (the classical 2/sharpness bound).
///
/// For the squared loss `L'' = mean(a²)` and this is `2/λ0` with `λ0` the top eigenvalue of
/// Θ/n (Lewkowycz et al. 2020, arXiv 2003.02218); for the logistic and exponential losses on
/// non-separable degenerate data it is `2/(λ_init·L''(w*))` (Huang et al., arXiv 2011.12547).
pub fn catapult_threshold(lambda: f64, curvature_at_minimum: f64) -> f64 {
    2.0 / (lambda * curvature_at_minimum)
}

/// The squared-loss divergence boundary `η_max = 4/λ0` of the two-layer linear net
/// (Lewkowycz et al. 2020, arXiv 2003.02218), with `λ0` the top eigenvalue of Θ/n at init.
/// It holds for the squared loss only: for the logistic loss the boundary grows with width.
pub fn squared_loss_divergence_threshold(lambda0: f64) -> f64 {
    4.0 / lambda0
}

/// A predicted phase boundary in units of `η·λ0`, with the formula it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictedBoundary {
    /// The boundary's `η·λ0`.
    pub factor: f64,
    /// The phase below the boundary.
    pub below: Phase,
    /// The phase above it.
    pub above: Phase,
    /// The formula, for legends: e.g. `η·λ0 = 2`.
    pub formula: String,
}

/// The phase boundaries that have a closed form, in units of `η·λ0` (`λ0` the top
/// eigenvalue of Θ/n at initialisation), for a loss and, where the data is degenerate
/// (every input on one line), its one-dimensional problem:
///
/// - squared loss, any data: lazy | catapult at 2 and catapult | divergent at 4 (Lewkowycz et
///   al. 2020, arXiv 2003.02218);
/// - logistic or exponential loss on non-separable degenerate data: lazy | catapult at
///   `η_crit·λ0 = 2·mean(a²)/L''(w*)` (Huang et al., arXiv 2011.12547, since
///   `λ_init = λ0/mean(a²)`); its divergence boundary grows with the width and has no closed
///   form;
/// - anything else: none.
pub fn predicted_boundaries(
    loss: Loss,
    degenerate: Option<&DegenerateProblem>,
) -> Vec<PredictedBoundary> {
    match (loss, degenerate) {
        (Loss::Squared, _) => vec![
            PredictedBoundary {
                factor: catapult_threshold(1.0, 1.0),
                below: Phase::Lazy,
                above: Phase::Catapult,
                formula: "η·λ0 = 2".into(),
            },
            PredictedBoundary {
                factor: squared_loss_divergence_threshold(1.0),
                below: Phase::Catapult,
                above: Phase::Divergent,
                formula: "η·λ0 = 4".into(),
            },
        ],
        (_, Some(problem)) => problem
            .minimiser()
            .map(|minimum| {
                let factor = catapult_threshold(1.0 / problem.mean_square(), minimum.curvature);
                vec![PredictedBoundary {
                    factor,
                    below: Phase::Lazy,
                    above: Phase::Catapult,
                    formula: format!("η_crit·λ0 = {factor:.3}"),
                }]
            })
            .unwrap_or_default(),
        (_, None) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squared_loss_boundaries_are_two_and_four() {
        let b = predicted_boundaries(Loss::Squared, None);
        assert_eq!(b.iter().map(|b| b.factor).collect::<Vec<_>>(), [2.0, 4.0]);
        assert_eq!(
            (b[1].below, b[1].above),
            (Phase::Catapult, Phase::Divergent)
        );
    }

    #[test]
    fn logistic_boundary_is_eta_crit_on_nonseparable_data_and_absent_otherwise() {
        let a = [1.0, 0.6, -0.8, 1.4, -0.3, 0.9];
        let y = [1.0, 1.0, 1.0, 1.0, 1.0, -1.0];
        let problem = DegenerateProblem::new(&a, &y, Loss::Logistic).unwrap();
        let b = predicted_boundaries(Loss::Logistic, Some(&problem));
        assert_eq!(b.len(), 1);
        // The README's η_crit·λ0 = 8.44 for these data.
        assert!((b[0].factor - 8.44).abs() < 0.01, "{}", b[0].factor);
        let positive = [1.0, 0.6, 0.8, 1.4, 0.5, 0.9];
        let separable = DegenerateProblem::new(&positive, &[1.0; 6], Loss::Logistic).unwrap();
        assert!(predicted_boundaries(Loss::Logistic, Some(&separable)).is_empty());
        assert!(predicted_boundaries(Loss::Exponential, None).is_empty());
    }

    #[test]
    fn thresholds_are_two_and_four_over_the_curvature() {
        assert_eq!(catapult_threshold(4.0, 0.5), 1.0);
        assert_eq!(squared_loss_divergence_threshold(2.0), 2.0);
    }
}
