//! Learning-rate thresholds between the lazy, catapult and divergent phases.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_two_and_four_over_the_curvature() {
        assert_eq!(catapult_threshold(4.0, 0.5), 1.0);
        assert_eq!(squared_loss_divergence_threshold(2.0), 2.0);
    }
}
