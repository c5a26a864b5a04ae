//! Power-law fits on log-log axes, with a confidence interval for the exponent.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// `y ≈ c·x^k`, fitted by least squares of `ln y` on `ln x`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerLawFit {
    /// The exponent `k`.
    pub exponent: f64,
    /// The prefactor `c`.
    pub prefactor: f64,
    /// Standard error of `k`.
    pub exponent_stderr: f64,
    /// The 95% confidence interval of `k` (Student t with n − 2 degrees of freedom).
    pub exponent_ci95: (f64, f64),
    /// Number of points fitted.
    pub points: usize,
}

/// Fits `y = c·x^k` to points with `x, y > 0`. `None` with fewer than three points, a
/// non-positive or non-finite coordinate, or all `x` equal.
pub fn fit_power_law(points: &[(f64, f64)]) -> Option<PowerLawFit> {
    let n = points.len();
    if n < 3
        || points
            .iter()
            .any(|&(x, y)| !(x > 0.0 && y > 0.0 && x.is_finite() && y.is_finite()))
    {
        return None;
    }
    let logs: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (x.ln(), y.ln())).collect();
    let mean_x = logs.iter().map(|p| p.0).sum::<f64>() / n as f64;
    let mean_y = logs.iter().map(|p| p.1).sum::<f64>() / n as f64;
    let sxx: f64 = logs.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = logs.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let exponent = sxy / sxx;
    let intercept = mean_y - exponent * mean_x;
    let residual_ss: f64 = logs
        .iter()
        .map(|p| (p.1 - intercept - exponent * p.0).powi(2))
        .sum();
    let degrees = (n - 2) as f64;
    let exponent_stderr = (residual_ss / degrees / sxx).sqrt();
    let t = StudentsT::new(0.0, 1.0, degrees).ok()?.inverse_cdf(0.975);
    Some(PowerLawFit {
        exponent,
        prefactor: intercept.exp(),
        exponent_stderr,
        exponent_ci95: (
            exponent - t * exponent_stderr,
            exponent + t * exponent_stderr,
        ),
        points: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_an_exact_power_law() {
        let points: Vec<(f64, f64)> = [1.0, 2.0, 4.0, 8.0]
            .iter()
            .map(|&x: &f64| (x, 3.0 * x.powf(0.5)))
            .collect();
        let fit = fit_power_law(&points).unwrap();
        assert!((fit.exponent - 0.5).abs() < 1e-12 && (fit.prefactor - 3.0).abs() < 1e-12);
        assert!(fit.exponent_stderr < 1e-12);
    }

    #[test]
    fn interval_matches_a_hand_computation() {
        // ln y = (0, 1.1, 1.9, 3.0) on ln x = (0, 1, 2, 3): slope 0.98, residuals
        // (0.03, 0.15, −0.03, 0.09)... computed here: Sxx = 5, Sxy = 4.9.
        let ys: [f64; 4] = [0.0, 1.1, 1.9, 3.0];
        let points: Vec<(f64, f64)> = ys
            .iter()
            .enumerate()
            .map(|(i, y)| ((i as f64).exp(), y.exp()))
            .collect();
        let fit = fit_power_law(&points).unwrap();
        assert!((fit.exponent - 0.98).abs() < 1e-12);
        let intercept = 1.5 - 0.98 * 1.5;
        let ss: f64 = ys
            .iter()
            .enumerate()
            .map(|(i, y)| (y - intercept - 0.98 * i as f64).powi(2))
            .sum();
        let se = (ss / 2.0 / 5.0).sqrt();
        assert!((fit.exponent_stderr - se).abs() < 1e-12);
        // t(0.975, 2 dof) = 4.302652729...
        assert!((fit.exponent_ci95.1 - (0.98 + 4.302_652_729_911_275 * se)).abs() < 1e-9);
    }

    #[test]
    fn rejects_degenerate_inputs() {
        assert!(fit_power_law(&[(1.0, 1.0), (2.0, 2.0)]).is_none());
        assert!(fit_power_law(&[(1.0, 1.0), (2.0, -2.0), (3.0, 1.0)]).is_none());
        assert!(fit_power_law(&[(2.0, 1.0), (2.0, 2.0), (2.0, 3.0)]).is_none());
    }
}
