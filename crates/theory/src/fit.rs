//! Power-law fits on log-log axes, with a confidence interval for the exponent: pooled over
//! every point, or seed by seed with an interval over seeds.

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

/// A power law fitted seed by seed, with an interval over seeds.
///
/// Points measured on several seeds at the same widths are not independent draws around one
/// curve: a seed shifts all of its points together (its initialisation sets λ0 and the whole
/// run). Pooling them in one least-squares fit treats `widths × seeds` points as independent
/// and gives an interval that ignores the seed-to-seed variation. Here each seed `s` gets its
/// own fit `k_s` over the widths, and the interval is the Student t interval of the mean over
/// seeds, `k̄ ± t_{0.975, S−1}·sd(k_s)/√S` with `S` the number of seeds: the exponent of a new
/// seed's curve varies with spread `sd(k_s)`, and `k̄` estimates its mean (a cluster-level
/// interval, the simplest of the random-slope models).
#[derive(Debug, Clone, PartialEq)]
pub struct SeedLevelFit {
    /// The fit of each seed over the widths, in the order of the seeds given.
    pub per_seed: Vec<(u64, PowerLawFit)>,
    /// `k̄`, the mean of the per-seed exponents.
    pub exponent: f64,
    /// `sd(k_s)`, the sample standard deviation of the per-seed exponents (n − 1).
    pub spread: f64,
    /// `k̄ ± t_{0.975, S−1}·sd(k_s)/√S`.
    pub exponent_ci95: (f64, f64),
}

/// Fits `y = c_s·x^{k_s}` for each seed of `points = (seed, x, y)` and the seed-level
/// interval of [`SeedLevelFit`]. `None` with fewer than two seeds that each have a fit
/// ([`fit_power_law`]: three or more valid points).
pub fn fit_power_law_per_seed(points: &[(u64, f64, f64)]) -> Option<SeedLevelFit> {
    let mut seeds: Vec<u64> = Vec::new();
    for &(seed, _, _) in points {
        if !seeds.contains(&seed) {
            seeds.push(seed);
        }
    }
    let per_seed: Vec<(u64, PowerLawFit)> = seeds
        .iter()
        .map(|&seed| {
            let xy: Vec<(f64, f64)> = points
                .iter()
                .filter(|p| p.0 == seed)
                .map(|p| (p.1, p.2))
                .collect();
            fit_power_law(&xy).map(|fit| (seed, fit))
        })
        .collect::<Option<_>>()?;
    let count = per_seed.len();
    if count < 2 {
        return None;
    }
    let exponents = per_seed.iter().map(|(_, fit)| fit.exponent);
    let exponent = exponents.clone().sum::<f64>() / count as f64;
    let spread =
        (exponents.map(|k| (k - exponent).powi(2)).sum::<f64>() / (count - 1) as f64).sqrt();
    let t = StudentsT::new(0.0, 1.0, (count - 1) as f64)
        .ok()?
        .inverse_cdf(0.975);
    let half = t * spread / (count as f64).sqrt();
    Some(SeedLevelFit {
        per_seed,
        exponent,
        spread,
        exponent_ci95: (exponent - half, exponent + half),
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

    #[test]
    fn seed_level_interval_is_the_t_interval_of_the_per_seed_exponents() {
        // Three seeds, each an exact power law with exponents 0.4, 0.5, 0.9: the per-seed
        // fits are exact, k̄ = 0.6, sd = √((0.04 + 0.01 + 0.09)/2) = √0.07, and the interval is
        // 0.6 ± t(0.975, 2)·√0.07/√3, whatever the pooled fit would say.
        let mut points = Vec::new();
        for (seed, k) in [(7u64, 0.4), (8, 0.5), (9, 0.9)] {
            for x in [64.0, 128.0, 256.0, 512.0] {
                points.push((seed, x, 2.0 * f64::powf(x, k)));
            }
        }
        let fit = fit_power_law_per_seed(&points).unwrap();
        assert_eq!(fit.per_seed.len(), 3);
        assert_eq!(fit.per_seed[2].0, 9);
        assert!((fit.per_seed[2].1.exponent - 0.9).abs() < 1e-12);
        assert!((fit.exponent - 0.6).abs() < 1e-12);
        assert!((fit.spread - 0.07f64.sqrt()).abs() < 1e-12);
        let half = 4.302_652_729_911_275 * 0.07f64.sqrt() / 3f64.sqrt();
        assert!((fit.exponent_ci95.0 - (0.6 - half)).abs() < 1e-9);
        assert!((fit.exponent_ci95.1 - (0.6 + half)).abs() < 1e-9);
    }

    #[test]
    fn seed_level_fit_needs_two_fitted_seeds() {
        let one_seed: Vec<(u64, f64, f64)> = [1.0, 2.0, 4.0].iter().map(|&x| (0, x, x)).collect();
        assert!(fit_power_law_per_seed(&one_seed).is_none());
        let mut short = one_seed.clone();
        short.push((1, 1.0, 1.0));
        short.push((1, 2.0, 2.0));
        assert!(fit_power_law_per_seed(&short).is_none());
    }
}
