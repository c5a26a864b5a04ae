//! The train loop: gradient steps, observers every `k` steps, divergence detection.

use crate::{GradientDescent, Objective, OptimError, Schedule, Sgd, StochasticObjective};
use faer::{Col, ColRef};

/// Called with the iterate at step 0, every `observe_every` steps, and at the last step,
/// whenever the loss there is finite. Observers compose as tuples: `(a, b)` calls `a` then `b`.
pub trait Observer<O: Objective + ?Sized> {
    /// `theta` is θ_step, `loss` is L(θ_step); `objective` is there for extra measurements
    /// (Hessian-vector products, predictions).
    fn observe(&mut self, step: usize, theta: ColRef<'_, f64>, loss: f64, objective: &mut O);
}

/// An observer that records nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl<O: Objective + ?Sized> Observer<O> for NoObserver {
    fn observe(&mut self, _: usize, _: ColRef<'_, f64>, _: f64, _: &mut O) {}
}

impl<O: Objective + ?Sized, A: Observer<O>, B: Observer<O>> Observer<O> for (A, B) {
    fn observe(&mut self, step: usize, theta: ColRef<'_, f64>, loss: f64, objective: &mut O) {
        self.0.observe(step, theta, loss, objective);
        self.1.observe(step, theta, loss, objective);
    }
}

/// How long to train, how often to observe, and when a run counts as diverged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOptions {
    steps: usize,
    observe_every: usize,
    divergence_threshold: f64,
}

impl TrainOptions {
    /// Default divergence threshold: a loss above `1e12` stops the run.
    pub const DEFAULT_DIVERGENCE_THRESHOLD: f64 = 1e12;

    /// `steps` gradient steps (0 is allowed: observe the start only), observing every
    /// `observe_every ≥ 1` steps.
    pub fn new(steps: usize, observe_every: usize) -> Result<Self, OptimError> {
        if observe_every == 0 {
            return Err(OptimError::ZeroObserveEvery);
        }
        Ok(Self {
            steps,
            observe_every,
            divergence_threshold: Self::DEFAULT_DIVERGENCE_THRESHOLD,
        })
    }

    /// A run whose loss exceeds `threshold` (or is not finite) stops and is marked diverged.
    pub fn with_divergence_threshold(mut self, threshold: f64) -> Result<Self, OptimError> {
        if !(threshold.is_finite() && threshold > 0.0) {
            return Err(OptimError::InvalidDivergenceThreshold(threshold));
        }
        self.divergence_threshold = threshold;
        Ok(self)
    }

    /// Number of gradient steps.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Observation interval.
    pub fn observe_every(&self) -> usize {
        self.observe_every
    }

    /// Whether observers see `step`: step 0, every `observe_every`, and the last step.
    fn observes(&self, step: usize) -> bool {
        step.is_multiple_of(self.observe_every) || step == self.steps
    }

    /// Whether `loss` is not finite or exceeds the divergence threshold.
    fn exceeds(&self, loss: f64) -> bool {
        !loss.is_finite() || loss > self.divergence_threshold
    }

    /// Whether a step's loss and gradient mean the run diverged.
    fn blew_up(&self, loss: f64, gradient: ColRef<'_, f64>) -> bool {
        self.exceeds(loss) || !all_finite(gradient)
    }
}

/// Whether every entry of `values` is finite. Reads every entry (no early exit) so that
/// the check vectorises: it runs once per step over all parameters.
fn all_finite(values: ColRef<'_, f64>) -> bool {
    match values.try_as_col_major() {
        Some(contiguous) => !contiguous
            .as_slice()
            .iter()
            .fold(false, |bad, x| bad | !x.is_finite()),
        None => values.is_all_finite(),
    }
}

/// Relative rise of the loss between two consecutive steps that [`TrainOutcome::first_rise`]
/// counts: rounding noise of a converged run stays below it.
pub const RISE_TOLERANCE: f64 = 1e-9;

/// What happened in a run. Losses are the last finite ones seen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOutcome {
    /// Gradient steps taken (equal to the requested steps unless the run diverged).
    pub steps_taken: usize,
    /// Whether the loss became non-finite or exceeded the divergence threshold.
    pub diverged: bool,
    /// `L(θ_0)`.
    pub initial_loss: f64,
    /// The loss at the last iterate whose loss was finite and below the threshold.
    pub final_loss: f64,
    /// The largest finite loss seen over the run (every step, not only observed ones).
    pub max_loss: f64,
    /// The largest finite loss over the second half of the run (the steps after
    /// `⌊steps/2⌋`); NaN for a run that stopped before it.
    pub late_max_loss: f64,
    /// The first step whose loss exceeded the previous step's by more than
    /// [`RISE_TOLERANCE`] (relative), if any.
    pub first_rise: Option<usize>,
}

impl TrainOutcome {
    /// A run that has seen nothing yet.
    fn empty() -> Self {
        Self {
            steps_taken: 0,
            diverged: false,
            initial_loss: f64::NAN,
            final_loss: f64::NAN,
            max_loss: f64::NAN,
            late_max_loss: f64::NAN,
            first_rise: None,
        }
    }

    /// Records the (finite, below-threshold) loss of `step` of a run of `steps` steps.
    fn record(&mut self, step: usize, steps: usize, loss: f64) {
        if step == 0 {
            self.initial_loss = loss;
        } else if self.first_rise.is_none() && loss > self.final_loss * (1.0 + RISE_TOLERANCE) {
            self.first_rise = Some(step);
        }
        if step > steps / 2 {
            self.late_max_loss = if self.late_max_loss.is_nan() {
                loss
            } else {
                self.late_max_loss.max(loss)
            };
        }
        self.final_loss = loss;
        self.max_loss = if step == 0 {
            loss
        } else {
            self.max_loss.max(loss)
        };
    }
}

/// Runs full-batch gradient descent from `theta` (updated in place) for `options.steps()`
/// steps. The loss and gradient are evaluated once per step; the gradient buffer is allocated
/// once. A loss that is not finite or exceeds the threshold, or a non-finite gradient, stops
/// the run with `diverged = true`; `theta` then holds the iterate where that was detected.
pub fn train<O, Obs>(
    objective: &mut O,
    theta: &mut Col<f64>,
    optimizer: &GradientDescent,
    options: &TrainOptions,
    observer: &mut Obs,
) -> Result<TrainOutcome, OptimError>
where
    O: Objective + ?Sized,
    Obs: Observer<O>,
{
    check_parameters(objective.dim(), theta.as_ref())?;
    let mut gradient = Col::<f64>::zeros(theta.nrows());
    let mut outcome = TrainOutcome::empty();
    for step in 0..=options.steps {
        let loss = objective.value_and_gradient(theta.as_ref(), gradient.as_mut());
        if options.blew_up(loss, gradient.as_ref()) {
            outcome.diverged = true;
            break;
        }
        outcome.record(step, options.steps, loss);
        if options.observes(step) {
            observer.observe(step, theta.as_ref(), loss, objective);
        }
        if step == options.steps {
            break;
        }
        optimizer.step(theta.as_mut(), gradient.as_ref());
        outcome.steps_taken = step + 1;
    }
    Ok(outcome)
}

/// Runs [`Sgd`] from `theta` (updated in place) for `options.steps()` steps, step `t` with
/// learning rate `η_t = schedule.learning_rate(t)`: the loop of [`train`] with mini-batches,
/// momentum, weight decay and a schedule.
///
/// At each step `t = 0, …, steps` the loss and gradient are evaluated once: on the batch
/// `B_t` of [`Sgd::next_batch`] with [`StochasticObjective::batch_value_and_gradient`], or,
/// for a full-batch step, with [`Objective::value_and_gradient`] exactly as [`train`] does.
/// A loss that is not finite or exceeds the threshold, or a non-finite gradient, stops the
/// run with `diverged = true`; `theta` then holds the iterate where that was detected.
/// [`TrainOutcome`]'s `initial_loss`, `final_loss` and `max_loss` are over these per-step
/// losses: the batch loss `L_{B_t}(θ_t)` at mini-batch steps.
///
/// Observers see step 0, every `observe_every` steps and the last step, always with the
/// full-batch training loss `L(θ_t)`: at a mini-batch step it is computed there by
/// [`Objective::value`] (one extra pass over the data per observed step), and the run also
/// stops as diverged, before observing, when that loss is not finite or exceeds the
/// threshold.
///
/// With `SgdConfig::default()` (full batch, no momentum, no decay) and a constant schedule
/// `fix:k0=η`, the run (outcome, observations and `theta`) is bit for bit that of [`train`]
/// with `GradientDescent::new(η)`. Buffers are allocated before the first step; the loop
/// does not allocate (beyond what the objective's own calls do).
///
/// Errors, before any step: `theta` of the wrong length or not finite, an `sgd` built for
/// another number of parameters or samples than the objective's, or a schedule whose
/// `η_t` is not finite and `> 0` at some step `t < steps`.
pub fn train_scheduled<O, S, Obs>(
    objective: &mut O,
    theta: &mut Col<f64>,
    sgd: &mut Sgd,
    schedule: &S,
    options: &TrainOptions,
    observer: &mut Obs,
) -> Result<TrainOutcome, OptimError>
where
    O: StochasticObjective + ?Sized,
    S: Schedule + ?Sized,
    Obs: Observer<O>,
{
    check_parameters(objective.dim(), theta.as_ref())?;
    check_optimizer(sgd, &*objective)?;
    check_schedule(schedule, options.steps)?;
    let mut gradient = Col::<f64>::zeros(theta.nrows());
    let mut outcome = TrainOutcome::empty();
    for step in 0..=options.steps {
        let batch = sgd.next_batch();
        let mini_batch = batch.is_some();
        let loss = match batch {
            Some(batch) => {
                objective.batch_value_and_gradient(theta.as_ref(), batch, gradient.as_mut())
            }
            None => objective.value_and_gradient(theta.as_ref(), gradient.as_mut()),
        };
        if options.blew_up(loss, gradient.as_ref()) {
            outcome.diverged = true;
            break;
        }
        // The outcome follows the full-batch loss: at every step for full-batch runs, at the
        // observed steps for mini-batch runs (a mini-batch loss rises and falls with the batch).
        if !mini_batch {
            outcome.record(step, options.steps, loss);
        }
        if options.observes(step) {
            let full_loss = if mini_batch {
                objective.value(theta.as_ref())
            } else {
                loss
            };
            if options.exceeds(full_loss) {
                outcome.diverged = true;
                break;
            }
            if mini_batch {
                outcome.record(step, options.steps, full_loss);
            }
            observer.observe(step, theta.as_ref(), full_loss, objective);
        }
        if step == options.steps {
            break;
        }
        sgd.step(
            schedule.learning_rate(step),
            theta.as_mut(),
            gradient.as_ref(),
        );
        outcome.steps_taken = step + 1;
    }
    Ok(outcome)
}

/// Errors unless `sgd` was built for the objective's numbers of parameters and samples.
fn check_optimizer<O>(sgd: &Sgd, objective: &O) -> Result<(), OptimError>
where
    O: StochasticObjective + ?Sized,
{
    for (what, optimizer, objective) in [
        ("parameters", sgd.dim(), objective.dim()),
        ("samples", sgd.num_samples(), objective.num_samples()),
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

/// Errors at the first step `t < steps` whose `η_t` is not finite and `> 0`.
fn check_schedule<S: Schedule + ?Sized>(schedule: &S, steps: usize) -> Result<(), OptimError> {
    match (0..steps)
        .map(|step| (step, schedule.learning_rate(step)))
        .find(|&(_, value)| !(value.is_finite() && value > 0.0))
    {
        Some((step, value)) => Err(OptimError::InvalidScheduledLearningRate { step, value }),
        None => Ok(()),
    }
}

fn check_parameters(dim: usize, theta: ColRef<'_, f64>) -> Result<(), OptimError> {
    if theta.nrows() != dim {
        return Err(OptimError::DimensionMismatch {
            expected: dim,
            got: theta.nrows(),
        });
    }
    match theta.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        Some((index, &value)) => Err(OptimError::NonFiniteParameter { index, value }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::ColMut;

    /// `L(θ) = ½ c θ²` in one dimension: GD contracts by `1 − ηc`.
    struct Parabola(f64);

    impl Objective for Parabola {
        fn dim(&self) -> usize {
            1
        }
        fn value(&mut self, t: ColRef<'_, f64>) -> f64 {
            0.5 * self.0 * t[0] * t[0]
        }
        fn value_and_gradient(&mut self, t: ColRef<'_, f64>, mut g: ColMut<'_, f64>) -> f64 {
            g[0] = self.0 * t[0];
            self.value(t)
        }
        fn hessian_vector_product(
            &mut self,
            _: ColRef<'_, f64>,
            v: ColRef<'_, f64>,
            mut out: ColMut<'_, f64>,
        ) {
            out[0] = self.0 * v[0];
        }
    }

    #[derive(Default)]
    struct Steps(Vec<usize>);

    impl<O: Objective + ?Sized> Observer<O> for Steps {
        fn observe(&mut self, step: usize, _: ColRef<'_, f64>, _: f64, _: &mut O) {
            self.0.push(step);
        }
    }

    #[test]
    fn observes_start_every_k_and_last_step() {
        let mut observer = (Steps::default(), NoObserver);
        let mut theta = Col::from_fn(1, |_| 1.0);
        let gd = GradientDescent::new(0.1).unwrap();
        let options = TrainOptions::new(25, 10).unwrap();
        let outcome = train(&mut Parabola(1.0), &mut theta, &gd, &options, &mut observer).unwrap();
        assert_eq!(observer.0.0, vec![0, 10, 20, 25]);
        assert_eq!(outcome.steps_taken, 25);
        assert!((theta[0] - 0.9f64.powi(25)).abs() < 1e-15);
        assert!((outcome.final_loss - 0.5 * 0.9f64.powi(50)).abs() < 1e-15);
        assert_eq!(outcome.initial_loss, 0.5);
        assert_eq!(outcome.max_loss, 0.5);
    }

    #[test]
    fn stops_a_diverging_run_and_keeps_finite_losses() {
        // ηc = 3: |1 − ηc| = 2, the loss grows by 4 per step and passes 1e12 after ~20 steps.
        let mut theta = Col::from_fn(1, |_| 1.0);
        let gd = GradientDescent::new(3.0).unwrap();
        let options = TrainOptions::new(1000, 1).unwrap();
        let mut observer = Steps::default();
        let outcome = train(&mut Parabola(1.0), &mut theta, &gd, &options, &mut observer).unwrap();
        assert!(outcome.diverged);
        assert!(outcome.steps_taken < 30);
        assert!(outcome.final_loss.is_finite() && outcome.final_loss <= 1e12);
        assert_eq!(outcome.max_loss, outcome.final_loss);
        assert_eq!(observer.0.len(), outcome.steps_taken);
    }

    #[test]
    fn rejects_bad_inputs() {
        let gd = GradientDescent::new(0.1).unwrap();
        let options = TrainOptions::new(1, 1).unwrap();
        let mut wrong = Col::zeros(2);
        assert_eq!(
            train(
                &mut Parabola(1.0),
                &mut wrong,
                &gd,
                &options,
                &mut NoObserver
            ),
            Err(OptimError::DimensionMismatch {
                expected: 1,
                got: 2
            })
        );
        let mut nan = Col::from_fn(1, |_| f64::NAN);
        assert!(matches!(
            train(&mut Parabola(1.0), &mut nan, &gd, &options, &mut NoObserver),
            Err(OptimError::NonFiniteParameter { index: 0, .. })
        ));
        assert_eq!(TrainOptions::new(1, 0), Err(OptimError::ZeroObserveEvery));
        assert!(
            TrainOptions::new(1, 1)
                .unwrap()
                .with_divergence_threshold(-1.0)
                .is_err()
        );
    }
}
