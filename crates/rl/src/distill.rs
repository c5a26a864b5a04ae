//! The deep-linear view of implicit under-parameterisation: a deep linear network's
//! end-to-end map refitted, round after round, to targets built from its own previous output
//! (self-distillation), with weight decay.
//!
//! The network is `W = W_L ⋯ W_1` (n × m, hidden width h), trained in round k by
//! `steps_per_round` full-batch GD steps, from where round k − 1 ended, on
//! `½‖W − Y_k‖_F² + (λ/2) Σ_k ‖W_k‖_F²` with targets `Y_k = R + γ P Ŵ_{k−1}` (`Ŵ_0 = Y_0`
//! given): `P = I`, `R = 0`, `γ = 1` is pure self-distillation; `P` a transition matrix and
//! `R` rewards is bootstrapped policy evaluation in matrix form.
//!
//! Over all factorisations of a matrix, `min Σ_k ‖W_k‖_F²/2 = (L/2) Σ_i σ_i^{2/L}` (balanced
//! layers). So a round fitted to convergence maps the singular values of its target `s_i` to
//! `argmin_σ ½(σ − s)² + (λL/2) σ^{2/L}` along the target's singular vectors; for L = 2 this
//! is the soft threshold `max(s − λ, 0)` (the proximal map of `λ‖·‖_*`), so under pure
//! self-distillation every singular value falls by λ per round and the rank drops each time
//! one reaches zero. The gradient of layer k is
//! `(W_L ⋯ W_{k+1})ᵀ (W − Y) (W_{k−1} ⋯ W_1)ᵀ + λ W_k`.

use crate::RlError;
use catapult_spectral::{SRANK_DELTA, singular_values, srank};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};

/// Settings of [`self_distill`].
#[derive(Debug, Clone, PartialEq)]
pub struct DistillConfig {
    /// Number of weight layers L ≥ 1.
    pub depth: usize,
    /// Hidden width h ≥ 1.
    pub width: usize,
    /// Rounds of refitting, ≥ 1.
    pub rounds: usize,
    /// GD steps per round, ≥ 1.
    pub steps_per_round: usize,
    /// Learning rate, finite and > 0.
    pub learning_rate: f64,
    /// Weight decay λ ≥ 0.
    pub weight_decay: f64,
    /// Discount γ ∈ [0, 1] (1 is allowed: pure self-distillation).
    pub gamma: f64,
    /// Standard deviation of the i.i.d. Gaussian initial weights.
    pub init_scale: f64,
    /// Seed of the initial weights.
    pub seed: u64,
}

/// The end-to-end map after a round.
#[derive(Debug, Clone, PartialEq)]
pub struct DistillRecord {
    /// Round k (1-based).
    pub round: usize,
    /// Singular values of `W`, descending.
    pub singular_values: Vec<f64>,
    /// `srank_0.01(W)`.
    pub srank: usize,
    /// `‖W − Y_k‖_F` at the end of the round.
    pub fit_error: f64,
}

/// Runs the rounds (see the module documentation) on `Y_0 = initial` (n × m), rewards
/// `rewards` (n × m) and `transition` (n × n). Errors on mismatched shapes, non-finite
/// entries, a zero depth, width, round or step count, a learning rate that is not finite and
/// positive, a negative weight decay, `γ ∉ [0, 1]`, or a run whose weights stop being finite.
pub fn self_distill(
    initial: MatRef<'_, f64>,
    rewards: MatRef<'_, f64>,
    transition: MatRef<'_, f64>,
    config: &DistillConfig,
) -> Result<Vec<DistillRecord>, RlError> {
    check(initial, rewards, transition, config)?;
    let (n, m) = (initial.nrows(), initial.ncols());
    let dims: Vec<usize> = std::iter::once(m)
        .chain(std::iter::repeat_n(config.width, config.depth - 1))
        .chain(std::iter::once(n))
        .collect();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(config.seed);
    let mut layers: Vec<Mat<f64>> = (1..=config.depth)
        .map(|k| {
            Mat::from_fn(dims[k], dims[k - 1], |_, _| {
                let draw: f64 = StandardNormal.sample(&mut rng);
                config.init_scale * draw
            })
        })
        .collect();
    let mut grads: Vec<Mat<f64>> = layers
        .iter()
        .map(|w| Mat::zeros(w.nrows(), w.ncols()))
        .collect();
    // prefix[k] = W_k ⋯ W_1 (prefix[0] = I_m), suffix[k] = W_L ⋯ W_{k+1} (suffix[L] = I_n).
    let mut prefix: Vec<Mat<f64>> = (0..=config.depth).map(|k| Mat::zeros(dims[k], m)).collect();
    let mut suffix: Vec<Mat<f64>> = (0..=config.depth).map(|k| Mat::zeros(n, dims[k])).collect();
    // back[k − 1] = suffix[k]ᵀ · residual (m_k × m).
    let mut back: Vec<Mat<f64>> = (1..=config.depth).map(|k| Mat::zeros(dims[k], m)).collect();
    let mut residual = Mat::<f64>::zeros(n, m);
    let mut scratch = Mat::<f64>::zeros(n, m);
    let mut previous = initial.to_owned();
    let mut targets = Mat::<f64>::zeros(n, m);
    let mut records = Vec::with_capacity(config.rounds);
    for round in 1..=config.rounds {
        targets.copy_from(rewards);
        matmul(
            targets.as_mut(),
            Accum::Add,
            transition,
            previous.as_ref(),
            config.gamma,
            Par::Seq,
        );
        for _ in 0..config.steps_per_round {
            products(&layers, &mut prefix, &mut suffix);
            residual.copy_from(&prefix[config.depth]);
            residual -= &targets;
            for k in 1..=config.depth {
                // G_k = λ W_k + suffix[k]ᵀ · residual · prefix[k − 1]ᵀ.
                matmul(
                    back[k - 1].as_mut(),
                    Accum::Replace,
                    suffix[k].transpose(),
                    residual.as_ref(),
                    1.0,
                    Par::Seq,
                );
                grads[k - 1].copy_from(&layers[k - 1]);
                grads[k - 1] *= faer::Scale(config.weight_decay);
                matmul(
                    grads[k - 1].as_mut(),
                    Accum::Add,
                    back[k - 1].as_ref(),
                    prefix[k - 1].transpose(),
                    1.0,
                    Par::Seq,
                );
            }
            for (w, g) in layers.iter_mut().zip(&grads) {
                *w -= g * faer::Scale(config.learning_rate);
            }
        }
        products(&layers, &mut prefix, &mut suffix);
        let end_to_end = &prefix[config.depth];
        if !end_to_end.is_all_finite() {
            return Err(RlError::Diverged { iteration: round });
        }
        scratch.copy_from(end_to_end);
        scratch -= &targets;
        let sigma = singular_values(end_to_end.as_ref())?;
        records.push(DistillRecord {
            round,
            srank: srank(&sigma, SRANK_DELTA)?,
            singular_values: sigma,
            fit_error: scratch.norm_l2(),
        });
        previous.copy_from(end_to_end);
    }
    Ok(records)
}

/// Fills the prefix and suffix products of the layers.
fn products(layers: &[Mat<f64>], prefix: &mut [Mat<f64>], suffix: &mut [Mat<f64>]) {
    let depth = layers.len();
    set_identity(&mut prefix[0]);
    for k in 1..=depth {
        let (done, rest) = prefix.split_at_mut(k);
        matmul(
            rest[0].as_mut(),
            Accum::Replace,
            layers[k - 1].as_ref(),
            done[k - 1].as_ref(),
            1.0,
            Par::Seq,
        );
    }
    set_identity(&mut suffix[depth]);
    for k in (0..depth).rev() {
        let (head, tail) = suffix.split_at_mut(k + 1);
        matmul(
            head[k].as_mut(),
            Accum::Replace,
            tail[0].as_ref(),
            layers[k].as_ref(),
            1.0,
            Par::Seq,
        );
    }
}

fn set_identity(a: &mut Mat<f64>) {
    a.fill(0.0);
    for i in 0..a.nrows().min(a.ncols()) {
        a[(i, i)] = 1.0;
    }
}

/// A seeded random Markov chain with rewards: `P` (n × n) with rows drawn uniform on [0, 1]
/// and normalised to sum to 1, and `R` (n × m) with entries uniform on [0, 1]. Errors on
/// `n = 0` or `m = 0`.
pub fn random_chain(n: usize, m: usize, seed: u64) -> Result<(Mat<f64>, Mat<f64>), RlError> {
    if n == 0 || m == 0 {
        return Err(RlError::InvalidDistillConfig(format!(
            "a chain needs n, m >= 1, got {n} and {m}"
        )));
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut p = Mat::from_fn(n, n, |_, _| rng.random::<f64>());
    for i in 0..n {
        let total: f64 = (0..n).map(|j| p[(i, j)]).sum();
        for j in 0..n {
            p[(i, j)] /= total;
        }
    }
    let r = Mat::from_fn(n, m, |_, _| rng.random::<f64>());
    Ok((p, r))
}

/// `Q = (I − γP)⁻¹ R` by the fixed-point iteration `Q ← R + γPQ` until the largest change is
/// below `1e-12`. Errors unless `γ ∈ [0, 1)` and the shapes agree.
pub fn policy_values(
    transition: MatRef<'_, f64>,
    rewards: MatRef<'_, f64>,
    gamma: f64,
) -> Result<Mat<f64>, RlError> {
    crate::mdp::check_discount(gamma)?;
    let n = rewards.nrows();
    if transition.nrows() != n || transition.ncols() != n {
        return Err(RlError::InvalidDistillConfig(format!(
            "the transition matrix is {} × {} but must be {n} × {n}",
            transition.nrows(),
            transition.ncols()
        )));
    }
    let mut q = rewards.to_owned();
    let mut next = rewards.to_owned();
    for _ in 0..100_000 {
        next.copy_from(rewards);
        matmul(
            next.as_mut(),
            Accum::Add,
            transition,
            q.as_ref(),
            gamma,
            Par::Seq,
        );
        let change = (&next - &q).norm_max();
        std::mem::swap(&mut q, &mut next);
        if change < 1e-12 {
            return Ok(q);
        }
    }
    Err(RlError::NotConverged {
        max_iterations: 100_000,
    })
}

fn check(
    initial: MatRef<'_, f64>,
    rewards: MatRef<'_, f64>,
    transition: MatRef<'_, f64>,
    config: &DistillConfig,
) -> Result<(), RlError> {
    let bad = |problem: String| Err(RlError::InvalidDistillConfig(problem));
    let (n, m) = (initial.nrows(), initial.ncols());
    if n == 0 || m == 0 {
        return bad("the initial targets are empty".into());
    }
    if rewards.nrows() != n || rewards.ncols() != m {
        return bad(format!(
            "rewards are {} × {} but the targets are {n} × {m}",
            rewards.nrows(),
            rewards.ncols()
        ));
    }
    if transition.nrows() != n || transition.ncols() != n {
        return bad(format!(
            "the transition matrix is {} × {} but must be {n} × {n}",
            transition.nrows(),
            transition.ncols()
        ));
    }
    if !(initial.is_all_finite() && rewards.is_all_finite() && transition.is_all_finite()) {
        return bad("the targets, rewards and transition matrix must be finite".into());
    }
    if config.depth == 0 || config.width == 0 || config.rounds == 0 || config.steps_per_round == 0 {
        return bad("depth, width, rounds and steps_per_round must be at least 1".into());
    }
    if !(config.learning_rate.is_finite() && config.learning_rate > 0.0) {
        return bad(format!(
            "learning_rate must be finite and > 0, got {}",
            config.learning_rate
        ));
    }
    if !(config.weight_decay.is_finite() && config.weight_decay >= 0.0) {
        return bad(format!(
            "weight_decay must be finite and >= 0, got {}",
            config.weight_decay
        ));
    }
    if !(0.0..=1.0).contains(&config.gamma) {
        return bad(format!("gamma must be in [0, 1], got {}", config.gamma));
    }
    if !(config.init_scale.is_finite() && config.init_scale >= 0.0) {
        return bad(format!(
            "init_scale must be finite and >= 0, got {}",
            config.init_scale
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `U diag(σ) Vᵀ` with orthogonal `U`, `V` (Householder reflections).
    fn with_spectrum(n: usize, sigma: &[f64]) -> Mat<f64> {
        let reflect = |seed: f64| {
            let u = faer::Col::from_fn(n, |i| (seed + i as f64 * 1.3).sin());
            let u = &u * faer::Scale(1.0 / u.norm_l2());
            Mat::<f64>::identity(n, n) - &u * u.transpose() * faer::Scale(2.0)
        };
        let d = Mat::from_fn(n, n, |i, j| if i == j { sigma[i] } else { 0.0 });
        reflect(0.4) * d * reflect(2.1)
    }

    fn pure(depth: usize, rounds: usize) -> DistillConfig {
        DistillConfig {
            depth,
            width: 6,
            rounds,
            steps_per_round: 4000,
            learning_rate: 0.05,
            weight_decay: 0.2,
            gamma: 1.0,
            init_scale: 0.3,
            seed: 5,
        }
    }

    #[test]
    fn depth_two_self_distillation_soft_thresholds_every_round() {
        let sigma = [3.0, 2.0, 1.2, 0.55, 0.3];
        let y0 = with_spectrum(5, &sigma);
        let zero = Mat::<f64>::zeros(5, 5);
        let identity = Mat::<f64>::identity(5, 5);
        let records =
            self_distill(y0.as_ref(), zero.as_ref(), identity.as_ref(), &pure(2, 3)).unwrap();
        for record in &records {
            let shift = 0.2 * record.round as f64;
            for (got, s) in record.singular_values.iter().zip(sigma) {
                let want = (s - shift).max(0.0);
                assert!(
                    (got - want).abs() < 2e-3,
                    "round {}: {got} vs {want}",
                    record.round
                );
            }
        }
        // 0.3 reaches zero in round 2, 0.55 in round 3.
        assert_eq!(records[0].srank, 5);
        assert_eq!(records[2].srank, 3);
    }

    #[test]
    fn without_weight_decay_a_round_reproduces_its_target() {
        let y0 = with_spectrum(4, &[2.0, 1.0, 0.5, 0.1]);
        let zero = Mat::<f64>::zeros(4, 4);
        let identity = Mat::<f64>::identity(4, 4);
        let config = DistillConfig {
            weight_decay: 0.0,
            ..pure(2, 2)
        };
        let records = self_distill(y0.as_ref(), zero.as_ref(), identity.as_ref(), &config).unwrap();
        assert!(records.iter().all(|r| r.fit_error < 1e-3), "{records:?}");
    }

    #[test]
    fn policy_values_of_a_self_loop_are_geometric_and_chains_are_stochastic() {
        let identity = Mat::<f64>::identity(3, 3);
        let r = Mat::from_fn(3, 2, |i, j| (i + j) as f64);
        let q = policy_values(identity.as_ref(), r.as_ref(), 0.75).unwrap();
        assert!((q - &r * faer::Scale(4.0)).norm_max() < 1e-10);
        let (p, r) = random_chain(6, 3, 1).unwrap();
        for i in 0..6 {
            let total: f64 = (0..6).map(|j| p[(i, j)]).sum();
            assert!((total - 1.0).abs() < 1e-12);
        }
        assert_eq!((r.nrows(), r.ncols()), (6, 3));
    }

    #[test]
    fn bad_settings_are_named() {
        let y = Mat::<f64>::zeros(3, 2);
        let p = Mat::<f64>::identity(2, 2);
        assert!(matches!(
            self_distill(y.as_ref(), y.as_ref(), p.as_ref(), &pure(2, 1)),
            Err(RlError::InvalidDistillConfig(message)) if message.contains("transition")
        ));
        let p = Mat::<f64>::identity(3, 3);
        let config = DistillConfig {
            gamma: 1.5,
            ..pure(2, 1)
        };
        assert!(matches!(
            self_distill(y.as_ref(), y.as_ref(), p.as_ref(), &config),
            Err(RlError::InvalidDistillConfig(message)) if message.contains("gamma")
        ));
    }
}
