//! Stochastic gradient descent with mini-batches, momentum (heavy-ball or Nesterov) and
//! weight decay (coupled or decoupled), following the conventions of PyTorch's
//! `torch.optim.SGD`, and of SGDW (Loshchilov & Hutter, "Decoupled weight decay
//! regularization", arXiv 1711.05101) for decoupled decay.
//!
//! One step with learning rate `η_t`, gradient `g = ∇L_B(θ_t)` (or `∇L(θ_t)` on a full
//! batch), momentum `μ ∈ [0, 1)` and decay `λ ≥ 0`:
//! 1. coupled weight decay (an L2 penalty `½λ|θ|²` folded into the gradient): `g ← g + λθ_t`;
//! 2. momentum buffer: `v ← μ v + g`, with `v = 0` before the first step (so the first step
//!    has `v = g`);
//! 3. direction: heavy ball `d = v`; Nesterov `d = g + μ v` (with the updated `v`); without
//!    momentum (`μ = 0`) `d = g` and no buffer is kept;
//! 4. update: `θ_{t+1} = θ_t − η_t d`, and under decoupled weight decay
//!    `θ_{t+1} = θ_t − η_t d − η_t λ θ_t` (the decay uses the pre-update `θ_t`, is scaled by
//!    the same `η_t`, and never enters the gradient or the momentum buffer).
//!
//! With `μ = 0` and no decay the update is `θ ← θ − η_t g`, computed exactly as
//! [`crate::GradientDescent::step`] does, so a full-batch run of [`crate::train`] reproduces
//! gradient descent bit for bit.
//!
//! # Batches
//!
//! A config with `batch: None`, or a batch size `b ≥ n` (`n` the number of samples), takes
//! full-batch steps on the exact loss, whatever the [`Sampling`]. With `b < n`:
//! - [`Sampling::WithoutReplacement`]: an epoch is one shuffle of `0..n` cut into `⌊n/b⌋`
//!   consecutive batches of `b` indices; the last `n mod b` indices of the shuffle are
//!   dropped (so every batch has exactly `b` distinct indices) and the next epoch reshuffles.
//!   Within an epoch no index repeats; over many epochs every index is used equally often on
//!   average.
//! - [`Sampling::WithReplacement`]: every batch is `b` i.i.d. uniform indices in `0..n`
//!   (repeats possible), and epochs play no role.
//!
//! Randomness comes from one Xoshiro256++ stream seeded by [`SgdConfig::seed`]: the same
//! config and seed give the same batches and the same bits.

use crate::{OptimError, Optimizer, StepLoss, StochasticObjective};
use faer::{Col, ColMut, ColRef};
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

/// How mini-batch indices are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sampling {
    /// Each batch is `b` i.i.d. uniform indices (repeats possible).
    WithReplacement,
    /// Each epoch is a fresh shuffle cut into `⌊n/b⌋` batches of `b` distinct indices; the
    /// remaining `n mod b` indices of the epoch are dropped.
    WithoutReplacement,
}

/// Weight decay `λ ≥ 0` and how it enters the step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeightDecay {
    /// No decay.
    None,
    /// Coupled decay (the L2 penalty `½λ|θ|²` of PyTorch's `SGD(weight_decay=λ)`):
    /// `g ← g + λθ` before the momentum buffer.
    Coupled(f64),
    /// Decoupled decay (SGDW, Loshchilov & Hutter): `θ ← θ − η_t d − η_t λ θ`, outside the
    /// gradient and the momentum buffer.
    Decoupled(f64),
}

/// Settings of [`Sgd`]. The default is full-batch gradient descent.
#[derive(Debug, Clone, PartialEq)]
pub struct SgdConfig {
    /// Mini-batch size `b ≥ 1`; `None`, or `b ≥ n`, for full-batch steps.
    pub batch: Option<usize>,
    /// Momentum `μ ∈ [0, 1)`; 0 for none.
    pub momentum: f64,
    /// Nesterov momentum `d = g + μ v` instead of heavy ball `d = v`; needs `μ > 0`.
    pub nesterov: bool,
    /// Weight decay, coupled or decoupled.
    pub weight_decay: WeightDecay,
    /// How mini-batch indices are drawn.
    pub sampling: Sampling,
    /// Seed of the index stream.
    pub seed: u64,
}

impl Default for SgdConfig {
    /// Full batch, no momentum, no decay, sampling without replacement, seed 0.
    fn default() -> Self {
        Self {
            batch: None,
            momentum: 0.0,
            nesterov: false,
            weight_decay: WeightDecay::None,
            sampling: Sampling::WithoutReplacement,
            seed: 0,
        }
    }
}

/// Stochastic gradient descent (see the module documentation for the update and the batch
/// convention). Owns its momentum buffer, random stream and index buffers, all allocated by
/// [`Sgd::new`]: [`Sgd::next_batch`] and [`Sgd::step`] do not allocate. This state carries
/// over between [`crate::train`] calls, so a second call continues the run (with its
/// schedule restarting at `t = 0`); build a new `Sgd` for a fresh start.
#[derive(Debug, Clone)]
pub struct Sgd {
    config: SgdConfig,
    dim: usize,
    num_samples: usize,
    /// `b` for mini-batch steps, `None` for full-batch ones.
    batch_size: Option<usize>,
    /// The momentum buffer `v` (empty when `μ = 0`).
    velocity: Col<f64>,
    rng: Xoshiro256PlusPlus,
    /// Without replacement: the current epoch's shuffle of `0..n`.
    permutation: Vec<usize>,
    /// Without replacement: where the next batch starts in `permutation`.
    cursor: usize,
    /// With replacement: the last batch drawn.
    batch: Vec<usize>,
}

impl Sgd {
    /// An optimizer for `dim` parameters and `num_samples` samples.
    ///
    /// Errors, checked in this order: `batch == Some(0)` ([`OptimError::ZeroBatchSize`]),
    /// `momentum` outside `[0, 1)` ([`OptimError::InvalidMomentum`]), a decay `λ` that is
    /// negative or not finite ([`OptimError::InvalidWeightDecay`]), `nesterov` with
    /// `momentum == 0` ([`OptimError::NesterovWithoutMomentum`]), `num_samples == 0`
    /// ([`OptimError::NoSamples`]).
    pub fn new(config: SgdConfig, dim: usize, num_samples: usize) -> Result<Self, OptimError> {
        if config.batch == Some(0) {
            return Err(OptimError::ZeroBatchSize);
        }
        if !(0.0..1.0).contains(&config.momentum) {
            return Err(OptimError::InvalidMomentum(config.momentum));
        }
        if let WeightDecay::Coupled(lambda) | WeightDecay::Decoupled(lambda) = config.weight_decay
            && !(lambda.is_finite() && lambda >= 0.0)
        {
            return Err(OptimError::InvalidWeightDecay(lambda));
        }
        if config.nesterov && config.momentum == 0.0 {
            return Err(OptimError::NesterovWithoutMomentum);
        }
        if num_samples == 0 {
            return Err(OptimError::NoSamples);
        }
        let batch_size = config.batch.filter(|&b| b < num_samples);
        let (permutation, batch) = match (batch_size, config.sampling) {
            (None, _) => (Vec::new(), Vec::new()),
            (Some(_), Sampling::WithoutReplacement) => ((0..num_samples).collect(), Vec::new()),
            (Some(b), Sampling::WithReplacement) => (Vec::new(), vec![0; b]),
        };
        Ok(Self {
            velocity: Col::zeros(if config.momentum > 0.0 { dim } else { 0 }),
            rng: Xoshiro256PlusPlus::seed_from_u64(config.seed),
            config,
            dim,
            num_samples,
            batch_size,
            permutation,
            cursor: num_samples,
            batch,
        })
    }

    /// The settings.
    pub fn config(&self) -> &SgdConfig {
        &self.config
    }

    /// Number of parameters.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of samples `n`.
    pub fn num_samples(&self) -> usize {
        self.num_samples
    }

    /// The mini-batch size `b < n`, or `None` when every step is full-batch.
    pub fn batch_size(&self) -> Option<usize> {
        self.batch_size
    }

    /// The sample indices of the next step, or `None` for a full-batch step. Without
    /// replacement: the next `b` indices of the epoch's shuffle, reshuffling first when fewer
    /// than `b` remain (the leftover `n mod b` are dropped); with replacement: `b` i.i.d.
    /// uniform indices. Every index is below `n`.
    pub fn next_batch(&mut self) -> Option<&[usize]> {
        let size = self.batch_size?;
        match self.config.sampling {
            Sampling::WithoutReplacement => {
                if self.cursor + size > self.num_samples {
                    self.permutation.shuffle(&mut self.rng);
                    self.cursor = 0;
                }
                let start = self.cursor;
                self.cursor += size;
                Some(&self.permutation[start..self.cursor])
            }
            Sampling::WithReplacement => {
                let n = self.num_samples;
                for index in &mut self.batch {
                    *index = self.rng.random_range(0..n);
                }
                Some(&self.batch)
            }
        }
    }

    /// One update with step size `lr = η_t` (finite and `> 0`; not checked here) given the
    /// gradient `g` at `θ_t`, in place, entry by entry:
    /// 1. coupled decay: `g ← g + λθ_t`;
    /// 2. `v ← μ v + g` (no buffer when `μ = 0`);
    /// 3. `d = v` (heavy ball), `d = g + μ v` (Nesterov) or `d = g` (`μ = 0`);
    /// 4. `θ ← θ_t − η_t d`, then under decoupled decay `θ ← θ − η_t λ θ_t`, so
    ///    `θ_{t+1} = (θ_t − η_t d) − η_t λ θ_t`.
    ///
    /// O(p), no allocation.
    ///
    /// # Panics
    ///
    /// If `theta` or `gradient` does not have length [`Sgd::dim`].
    pub fn step(&mut self, lr: f64, mut theta: ColMut<'_, f64>, gradient: ColRef<'_, f64>) {
        assert_eq!(theta.nrows(), self.dim, "θ has the wrong length");
        assert_eq!(
            gradient.nrows(),
            self.dim,
            "the gradient has the wrong length"
        );
        let eta = lr;
        let mu = self.config.momentum;
        let nesterov = self.config.nesterov;
        let (coupled, decoupled) = match self.config.weight_decay {
            WeightDecay::None => (None, None),
            WeightDecay::Coupled(lambda) => (Some(lambda), None),
            WeightDecay::Decoupled(lambda) => (None, Some(lambda)),
        };
        let penalised = |g: f64, theta: f64| coupled.map_or(g, |lambda| g + lambda * theta);
        let decay = |t: &mut f64, previous: f64| {
            if let Some(lambda) = decoupled {
                *t -= eta * lambda * previous;
            }
        };
        if mu == 0.0 && self.config.weight_decay == WeightDecay::None {
            // Plain gradient descent, kept branch-free so that it vectorises.
            faer::zip!(theta.as_mut(), gradient).for_each(|faer::unzip!(t, g)| *t -= eta * *g);
        } else if mu == 0.0 {
            faer::zip!(theta.as_mut(), gradient).for_each(|faer::unzip!(t, g)| {
                let previous = *t;
                *t -= eta * penalised(*g, previous);
                decay(t, previous);
            });
        } else {
            faer::zip!(theta.as_mut(), gradient, self.velocity.as_mut()).for_each(
                |faer::unzip!(t, g, v)| {
                    let previous = *t;
                    let g = penalised(*g, previous);
                    *v = mu * *v + g;
                    let d = if nesterov { g + mu * *v } else { *v };
                    *t -= eta * d;
                    decay(t, previous);
                },
            );
        }
    }
}

impl<O: StochasticObjective + ?Sized> Optimizer<O> for Sgd {
    /// Errors ([`OptimError::OptimizerMismatch`]) unless the optimizer was built for the
    /// objective's numbers of parameters and samples.
    fn check(&self, objective: &O) -> Result<(), OptimError> {
        for (what, optimizer, objective) in [
            ("parameters", self.dim, objective.dim()),
            ("samples", self.num_samples, objective.num_samples()),
        ] {
            if optimizer != objective {
                return Err(OptimError::OptimizerMismatch {
                    what,
                    optimizer,
                    objective,
                });
            }
        }
        Ok(())
    }

    /// On the batch `B_t` of [`Sgd::next_batch`]: `∇L_B(θ_t)` by
    /// [`StochasticObjective::batch_value_and_gradient`], a [`StepLoss::Batch`]; on a
    /// full-batch step: `∇L(θ_t)` by [`crate::Objective::value_and_gradient`], a
    /// [`StepLoss::Full`].
    fn evaluate(
        &mut self,
        objective: &mut O,
        theta: ColRef<'_, f64>,
        gradient: ColMut<'_, f64>,
    ) -> StepLoss {
        match self.next_batch() {
            Some(batch) => {
                StepLoss::Batch(objective.batch_value_and_gradient(theta, batch, gradient))
            }
            None => StepLoss::Full(objective.value_and_gradient(theta, gradient)),
        }
    }

    /// [`Sgd::step`].
    fn step(&mut self, learning_rate: f64, theta: ColMut<'_, f64>, gradient: ColRef<'_, f64>) {
        Sgd::step(self, learning_rate, theta, gradient);
    }
}
