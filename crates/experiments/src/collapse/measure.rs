//! What training does to a square-loss ReLU classifier (Xu, Rangamani, Liao, Galanti,
//! Poggio): its norm, margin, the spectra of its weight matrices, and neural collapse.

use crate::ExperimentError;
use catapult_data::Classes;
use catapult_lab::ConfigError;
use catapult_models::{ModelError, ReluMlp};
use catapult_spectral::{SRANK_DELTA, effective_rank, singular_values, srank, stable_rank};
use faer::{ColRef, Mat, MatRef};

/// Rank measures of one weight matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerSpectrum {
    /// `‖W‖_F² / ‖W‖_2²`.
    pub stable_rank: f64,
    /// Entropy effective rank of the singular values.
    pub effective_rank: f64,
    /// `srank_0.01`.
    pub srank: usize,
    /// Singular values, descending.
    pub singular_values: Vec<f64>,
}

/// Neural-collapse measures of penultimate features `h_i` with labels `y_i` and the last
/// layer `W_L` (C × m). With class means `μ_c`, global mean `μ_G` (of all samples),
/// `Σ_W = (1/N) Σ_i (h_i − μ_{y_i})(h_i − μ_{y_i})ᵀ`, `M = [μ_c − μ_G]_c` (m × C) and
/// `Σ_B = M Mᵀ / C`:
/// - NC1 `= tr(Σ_W Σ_B⁺)/C`;
/// - NC2: `norm_spread` = sd/mean of `‖μ_c − μ_G‖`, `angle_spread` = mean over pairs `c ≠ c'`
///   of `|cos(μ_c − μ_G, μ_c' − μ_G) + 1/(C − 1)|` (0 for a simplex equiangular tight frame);
/// - NC3 `= ‖W_L/‖W_L‖_F − Mᵀ/‖M‖_F‖_F`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeuralCollapse {
    /// NC1 `= tr(Σ_W Σ_B⁺)/C`: within-class variability relative to between-class (0 at
    /// collapse).
    pub nc1: f64,
    /// NC2 norms: sd/mean of the centred class-mean norms `‖μ_c − μ_G‖` (0 when equinorm).
    pub nc2_norm_spread: f64,
    /// NC2 angles: mean `|cos + 1/(C − 1)|` over class-mean pairs (0 for a simplex ETF).
    pub nc2_angle_spread: f64,
    /// NC3 `= ‖W_L/‖W_L‖_F − Mᵀ/‖M‖_F‖_F`: distance of the last layer from the class means
    /// (0 at self-duality).
    pub nc3: f64,
}

/// Everything measured at one point of training.
#[derive(Debug, Clone, PartialEq)]
pub struct CollapseMeasures {
    /// `(1/(nC)) Σ_i Σ_c ½(F_c(x_i) − 1[c = y_i])²`.
    pub loss: f64,
    /// Fraction of samples whose largest score is their class's.
    pub accuracy: f64,
    /// `min_i (F_{y_i}(x_i) − max_{c≠y_i} F_c(x_i))`.
    pub margin: f64,
    /// The margin divided by `ρ`: the margin of the normalised network `F/ρ`.
    pub normalised_margin: f64,
    /// `ρ = Π_k ρ_k`.
    pub rho: f64,
    /// `ρ_1, …, ρ_L`.
    pub layer_norms: Vec<f64>,
    /// Spectra of `W_1, …, W_L`.
    pub layers: Vec<LayerSpectrum>,
    /// Neural collapse of the penultimate features on the training data.
    pub collapse: NeuralCollapse,
}

/// Measures the network θ (length `mlp.num_params()`, read in place) of `mlp` on `data`
/// (features `data.x()`, labels).
pub fn measure(
    mlp: &ReluMlp,
    theta: ColRef<'_, f64>,
    data: &Classes,
) -> Result<CollapseMeasures, ExperimentError> {
    let (scores, features) = mlp.scores_and_features(theta, data.x().as_ref())?;
    let labels = data.labels();
    let classes = mlp.outputs();
    let n = labels.len();
    let (mut loss, mut correct, mut margin) = (0.0, 0, f64::INFINITY);
    for (i, &label) in labels.iter().enumerate() {
        let mut best_other = f64::NEG_INFINITY;
        for c in 0..classes {
            let target = f64::from(u8::from(c == label));
            loss += 0.5 * (scores[(i, c)] - target).powi(2);
            if c != label {
                best_other = best_other.max(scores[(i, c)]);
            }
        }
        let gap = scores[(i, label)] - best_other;
        margin = margin.min(gap);
        correct += usize::from(gap > 0.0);
    }
    let layer_norms = mlp.layer_norms(theta)?;
    let rho: f64 = layer_norms.iter().product();
    let layers = (1..=mlp.depth())
        .map(|k| spectrum(mlp.layer_weights(theta, k)?.as_ref()))
        .collect::<Result<Vec<_>, ExperimentError>>()?;
    let last = mlp.layer_weights(theta, mlp.depth())?;
    Ok(CollapseMeasures {
        loss: loss / (n * classes) as f64,
        accuracy: correct as f64 / n as f64,
        margin,
        normalised_margin: margin / rho,
        rho,
        layer_norms,
        layers,
        collapse: neural_collapse(features.as_ref(), labels, classes, last.as_ref())?,
    })
}

/// Singular values and rank measures of `w`.
pub fn spectrum(w: MatRef<'_, f64>) -> Result<LayerSpectrum, ExperimentError> {
    let sigma = singular_values(w)?;
    Ok(LayerSpectrum {
        stable_rank: stable_rank(&sigma)?,
        effective_rank: effective_rank(&sigma)?,
        srank: srank(&sigma, SRANK_DELTA)?,
        singular_values: sigma,
    })
}

/// NC1–NC3 (see [`NeuralCollapse`]) of features `h` (N × m), labels in `0..C` (every class
/// present, C ≥ 2) and last layer `w_last` (C × m).
pub fn neural_collapse(
    h: MatRef<'_, f64>,
    labels: &[usize],
    classes: usize,
    w_last: MatRef<'_, f64>,
) -> Result<NeuralCollapse, ExperimentError> {
    let (n, m) = (h.nrows(), h.ncols());
    if classes < 2 || labels.len() != n || w_last.nrows() != classes || w_last.ncols() != m {
        return Err(ConfigError {
            field: "neural_collapse",
            problem: format!(
                "{n} × {m} features, {} labels, {classes} classes and a {} × {} last layer do not fit (at least 2 classes, one label per row, last layer C × m)",
                labels.len(),
                w_last.nrows(),
                w_last.ncols()
            ),
        }
        .into());
    }
    let mut counts = vec![0usize; classes];
    let mut means = Mat::<f64>::zeros(m, classes);
    for (i, &label) in labels.iter().enumerate() {
        counts[label] += 1;
        for j in 0..m {
            means[(j, label)] += h[(i, j)];
        }
    }
    if let Some(empty) = counts.iter().position(|&c| c == 0) {
        return Err(ModelError::LabelOutOfRange {
            label: empty,
            classes,
        }
        .into());
    }
    for c in 0..classes {
        for j in 0..m {
            means[(j, c)] /= counts[c] as f64;
        }
    }
    let global: Vec<f64> = (0..m)
        .map(|j| (0..n).map(|i| h[(i, j)]).sum::<f64>() / n as f64)
        .collect();
    let centred = Mat::from_fn(m, classes, |j, c| means[(j, c)] - global[j]);
    // Σ_B⁺ = C (M Mᵀ)⁺ = C Σ_{s_j > tol} u_j u_jᵀ / s_j², so
    // tr(Σ_W Σ_B⁺) = C Σ_j (1/N) Σ_i (u_jᵀ(h_i − μ_{y_i}))² / s_j².
    let svd = centred
        .thin_svd()
        .map_err(|_| catapult_spectral::SpectralError::SvdFailed {
            rows: m,
            cols: classes,
        })?;
    let (u, s) = (svd.U(), svd.S().column_vector());
    let top = (0..s.nrows()).map(|j| s[j]).fold(0.0, f64::max);
    let mut trace = 0.0;
    for j in 0..s.nrows() {
        if s[j] <= 1e-12 * top {
            continue;
        }
        let mut within = 0.0;
        for (i, &label) in labels.iter().enumerate() {
            let projection: f64 = (0..m)
                .map(|k| u[(k, j)] * (h[(i, k)] - means[(k, label)]))
                .sum();
            within += projection * projection;
        }
        trace += classes as f64 * (within / n as f64) / (s[j] * s[j]);
    }
    let norms: Vec<f64> = (0..classes).map(|c| centred.col(c).norm_l2()).collect();
    let mean_norm = norms.iter().sum::<f64>() / classes as f64;
    let sd_norm =
        (norms.iter().map(|v| (v - mean_norm).powi(2)).sum::<f64>() / classes as f64).sqrt();
    let mut angle_total = 0.0;
    let mut pairs = 0usize;
    for a in 0..classes {
        for b in (a + 1)..classes {
            let cos = (centred.col(a).transpose() * centred.col(b)) / (norms[a] * norms[b]);
            angle_total += (cos + 1.0 / (classes as f64 - 1.0)).abs();
            pairs += 1;
        }
    }
    let (w_norm, m_norm) = (w_last.norm_l2(), centred.norm_l2());
    let mut nc3 = 0.0;
    for c in 0..classes {
        for j in 0..m {
            nc3 += (w_last[(c, j)] / w_norm - centred[(j, c)] / m_norm).powi(2);
        }
    }
    Ok(NeuralCollapse {
        nc1: trace / classes as f64,
        nc2_norm_spread: sd_norm / mean_norm,
        nc2_angle_spread: angle_total / pairs as f64,
        nc3: nc3.sqrt(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_classes_on_a_line_have_nc1_a_squared_over_two() {
        // Class 0 at −1 ± a, class 1 at 1 ± a: Σ_B = 1, Σ_W = a², NC1 = a²/1/C = a²/2.
        let a = 0.3;
        let h = Mat::from_fn(4, 1, |i, _| [-1.0 - a, -1.0 + a, 1.0 - a, 1.0 + a][i]);
        let w = Mat::from_fn(2, 1, |c, _| if c == 0 { -2.0 } else { 2.0 });
        let nc = neural_collapse(h.as_ref(), &[0, 0, 1, 1], 2, w.as_ref()).unwrap();
        assert!((nc.nc1 - a * a / 2.0).abs() < 1e-12, "{nc:?}");
        assert!(nc.nc2_norm_spread.abs() < 1e-12);
        assert!(nc.nc2_angle_spread.abs() < 1e-12);
        assert!(nc.nc3.abs() < 1e-12);
    }

    #[test]
    fn a_collapsed_simplex_has_zero_nc_and_a_misaligned_classifier_does_not() {
        // Three class means at the vertices of an equilateral triangle in R², two samples
        // each exactly at the mean, classifier rows equal to the means.
        let vertex = |c: usize| {
            let t = 2.0 * std::f64::consts::PI * c as f64 / 3.0;
            [t.cos(), t.sin()]
        };
        let labels = [0, 0, 1, 1, 2, 2];
        let h = Mat::from_fn(6, 2, |i, j| vertex(labels[i])[j]);
        let w = Mat::from_fn(3, 2, |c, j| 5.0 * vertex(c)[j]);
        let nc = neural_collapse(h.as_ref(), &labels, 3, w.as_ref()).unwrap();
        assert!(nc.nc1.abs() < 1e-12);
        assert!(nc.nc2_norm_spread.abs() < 1e-12);
        assert!(nc.nc2_angle_spread.abs() < 1e-12);
        assert!(nc.nc3.abs() < 1e-12);
        let flipped = Mat::from_fn(3, 2, |c, j| -vertex(c)[j]);
        let nc = neural_collapse(h.as_ref(), &labels, 3, flipped.as_ref()).unwrap();
        assert!((nc.nc3 - 2.0).abs() < 1e-12, "{nc:?}");
    }

    #[test]
    fn spectrum_of_a_diagonal_matrix() {
        let w = Mat::from_fn(3, 3, |i, j| if i == j { [3.0, 1.0, 0.0][i] } else { 0.0 });
        let s = spectrum(w.as_ref()).unwrap();
        assert_eq!(s.srank, 2);
        assert!((s.stable_rank - 10.0 / 9.0).abs() < 1e-12);
    }
}
