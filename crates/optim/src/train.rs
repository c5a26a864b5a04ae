//! The train loop: one [`Optimizer`] step per iteration under a [`Schedule`], [`Observer`]s
//! every `k` steps that can fail or stop the run, divergence detection.
//!
//! # Errors of observers
//!
//! An observer names the error it can fail with ([`Observer::Error`]), and [`train`] returns
//! that same type, which must absorb the loop's own [`OptimError`] (`Error:
//! From<OptimError>`). A run's caller thus gets one typed error and propagates it with `?`:
//! the lab's recorder fails with `LabError`, an experiment's monitor with
//! `ExperimentError`, both of which already wrap an [`OptimError`]; an observer that cannot
//! fail, such as [`NoObserver`], uses [`OptimError`] itself. (The alternative, a
//! `TrainError<E> { Optim, Observer(E) }`, would make every caller unwrap a second layer
//! into a type that already has both.)

use crate::{Objective, OptimError, Optimizer, Schedule, StepLoss};
use faer::{Col, ColRef};

/// Whether the run goes on after an observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Take the next step.
    Continue,
    /// End the run at this step: no further step is taken, and the outcome's
    /// [`TrainOutcome::stopped_at`] records the step.
    Stop,
}

impl Control {
    /// [`Control::Stop`] if either `self` or `other` is, [`Control::Continue`] otherwise.
    pub fn or(self, other: Control) -> Control {
        if self == Control::Stop || other == Control::Stop {
            Control::Stop
        } else {
            Control::Continue
        }
    }
}

/// Sees the iterate at step 0, every `observe_every` steps, and at the last step, whenever
/// the loss there is finite; can fail (its error ends the run and reaches the caller of
/// [`train`]) or stop the run early ([`Control::Stop`]); and is told once how the run ended
/// ([`Observer::finish`]).
///
/// Observers compose as pairs: `(a, b)` calls `a` then `b`, ends the run with the first error
/// (without calling `b` after `a` failed), and stops when either asks to. The pair fails
/// with `a`'s error type, into which `b`'s must convert (an observer failing with
/// [`OptimError`] pairs after one failing with a type that wraps it).
pub trait Observer<O: Objective + ?Sized> {
    /// What an observation can fail with. [`train`] returns it, so it must hold the loop's
    /// own errors too (`From<OptimError>`); [`OptimError`] for an observer that cannot fail.
    type Error;

    /// Observes `theta = θ_step` with `loss = L(θ_step)` (the full-batch loss, also at
    /// mini-batch steps); `objective` is there for extra measurements (Hessian-vector
    /// products, predictions). Returns whether the run goes on.
    fn observe(
        &mut self,
        step: usize,
        theta: ColRef<'_, f64>,
        loss: f64,
        objective: &mut O,
    ) -> Result<Control, Self::Error>;

    /// Called once after the loop, whether the run completed, diverged or was stopped, with
    /// the run's `outcome` and `theta` where it ended (not called when the loop itself
    /// fails: bad inputs, or an observer error). Does nothing by default.
    fn finish(
        &mut self,
        outcome: &TrainOutcome,
        theta: ColRef<'_, f64>,
        objective: &mut O,
    ) -> Result<(), Self::Error> {
        let _ = (outcome, theta, objective);
        Ok(())
    }
}

/// An observer that records nothing and never fails or stops.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl<O: Objective + ?Sized> Observer<O> for NoObserver {
    type Error = OptimError;

    fn observe(
        &mut self,
        _: usize,
        _: ColRef<'_, f64>,
        _: f64,
        _: &mut O,
    ) -> Result<Control, OptimError> {
        Ok(Control::Continue)
    }
}

impl<O, A, B> Observer<O> for (A, B)
where
    O: Objective + ?Sized,
    A: Observer<O>,
    B: Observer<O>,
    B::Error: Into<A::Error>,
{
    type Error = A::Error;

    fn observe(
        &mut self,
        step: usize,
        theta: ColRef<'_, f64>,
        loss: f64,
        objective: &mut O,
    ) -> Result<Control, A::Error> {
        let first = self.0.observe(step, theta, loss, objective)?;
        let second = self
            .1
            .observe(step, theta, loss, objective)
            .map_err(Into::into)?;
        Ok(first.or(second))
    }

    fn finish(
        &mut self,
        outcome: &TrainOutcome,
        theta: ColRef<'_, f64>,
        objective: &mut O,
    ) -> Result<(), A::Error> {
        self.0.finish(outcome, theta, objective)?;
        self.1.finish(outcome, theta, objective).map_err(Into::into)
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
    /// Gradient steps taken (equal to the requested steps unless the run diverged or was
    /// stopped).
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
    /// `⌊steps/2⌋`); `None` for a run that stopped before it.
    pub late_max_loss: Option<f64>,
    /// The first step whose loss exceeded the previous step's by more than
    /// [`RISE_TOLERANCE`] (relative), if any.
    pub first_rise: Option<usize>,
    /// `Some(t)` when an observer returned [`Control::Stop`] at step `t`: the run ended
    /// there, with `steps_taken = t`.
    pub stopped_at: Option<usize>,
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
            late_max_loss: None,
            first_rise: None,
            stopped_at: None,
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
            self.late_max_loss = Some(self.late_max_loss.map_or(loss, |max| max.max(loss)));
        }
        self.final_loss = loss;
        self.max_loss = if step == 0 {
            loss
        } else {
            self.max_loss.max(loss)
        };
    }
}

/// Runs `optimizer` from `theta` (updated in place) for `options.steps()` steps, step `t`
/// with learning rate `η_t = schedule.learning_rate(t)`: the one train loop, for every
/// [`Optimizer`] (gradient descent, mini-batch SGD with momentum and weight decay). A
/// constant step `η` is the schedule `&η`.
///
/// At each step `t = 0, …, steps` the loss and gradient are evaluated once, by
/// [`Optimizer::evaluate`] (on a mini-batch `B_t` or on the whole objective). A loss that is
/// not finite or exceeds the threshold, or a non-finite gradient, stops the run with
/// `diverged = true`; `theta` then holds the iterate where that was detected.
/// [`TrainOutcome`]'s losses follow the full-batch loss: every step's for a full-batch
/// optimizer, the observed steps' `L(θ_t)` for a mini-batch one (whose per-step batch loss
/// rises and falls with the batch).
///
/// Observers see step 0, every `observe_every` steps and the last step, always with the
/// full-batch training loss `L(θ_t)`: at a mini-batch step it is computed there by
/// [`Objective::value`] (one extra pass over the data per observed step), and the run also
/// stops as diverged, before observing, when that loss is not finite or exceeds the
/// threshold. An observer's error ends the run and is returned; [`Control::Stop`] ends it
/// after that observation, with [`TrainOutcome::stopped_at`] set. After the loop,
/// [`Observer::finish`] is called once with the outcome.
///
/// Gradient descent, `θ_{t+1} = θ_t − η_t ∇L(θ_t)`, is computed entry by entry as
/// `θ_i ← θ_i − (η_t·g_i)`, by [`crate::GradientDescent`] and by [`crate::Sgd`] on full
/// batches without momentum or decay alike, so the two give the same bits. The gradient
/// buffer is allocated before the first step; the loop does not allocate (beyond what the
/// objective's, optimizer's and observer's own calls do).
///
/// Errors, before any step: `theta` of the wrong length or not finite, an optimizer that
/// does not fit the objective ([`Optimizer::check`]), or a schedule whose `η_t` is not
/// finite and `> 0` at some step `t < steps`; then any observer error.
pub fn train<O, R, S, Obs>(
    objective: &mut O,
    theta: &mut Col<f64>,
    optimizer: &mut R,
    schedule: &S,
    options: &TrainOptions,
    observer: &mut Obs,
) -> Result<TrainOutcome, Obs::Error>
where
    O: Objective + ?Sized,
    R: Optimizer<O> + ?Sized,
    S: Schedule + ?Sized,
    Obs: Observer<O>,
    Obs::Error: From<OptimError>,
{
    check_parameters(objective.dim(), theta.as_ref())?;
    optimizer.check(&*objective)?;
    check_schedule(schedule, options.steps)?;
    let mut gradient = Col::<f64>::zeros(theta.nrows());
    let mut outcome = TrainOutcome::empty();
    for step in 0..=options.steps {
        let evaluated = optimizer.evaluate(objective, theta.as_ref(), gradient.as_mut());
        let loss = evaluated.value();
        if options.blew_up(loss, gradient.as_ref()) {
            outcome.diverged = true;
            break;
        }
        // The outcome follows the full-batch loss: at every step for full-batch runs, at the
        // observed steps for mini-batch runs (a mini-batch loss rises and falls with the batch).
        if let StepLoss::Full(loss) = evaluated {
            outcome.record(step, options.steps, loss);
        }
        if options.observes(step) {
            let full_loss = match evaluated {
                StepLoss::Full(loss) => loss,
                StepLoss::Batch(_) => objective.value(theta.as_ref()),
            };
            if options.exceeds(full_loss) {
                outcome.diverged = true;
                break;
            }
            if let StepLoss::Batch(_) = evaluated {
                outcome.record(step, options.steps, full_loss);
            }
            if observer.observe(step, theta.as_ref(), full_loss, objective)? == Control::Stop {
                outcome.stopped_at = Some(step);
                break;
            }
        }
        if step == options.steps {
            break;
        }
        optimizer.step(
            schedule.learning_rate(step),
            theta.as_mut(),
            gradient.as_ref(),
        );
        outcome.steps_taken = step + 1;
    }
    observer.finish(&outcome, theta.as_ref(), objective)?;
    Ok(outcome)
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
    use crate::GradientDescent;
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

    /// The observed steps, and the outcomes `finish` was called with.
    #[derive(Default)]
    struct Steps {
        seen: Vec<usize>,
        finished: Vec<TrainOutcome>,
    }

    impl<O: Objective + ?Sized> Observer<O> for Steps {
        type Error = OptimError;

        fn observe(
            &mut self,
            step: usize,
            _: ColRef<'_, f64>,
            _: f64,
            _: &mut O,
        ) -> Result<Control, OptimError> {
            self.seen.push(step);
            Ok(Control::Continue)
        }

        fn finish(
            &mut self,
            outcome: &TrainOutcome,
            _: ColRef<'_, f64>,
            _: &mut O,
        ) -> Result<(), OptimError> {
            self.finished.push(*outcome);
            Ok(())
        }
    }

    /// Why [`Failing`] failed.
    #[derive(Debug, PartialEq)]
    enum TestError {
        Optim(OptimError),
        Measurement { step: usize },
    }

    impl From<OptimError> for TestError {
        fn from(error: OptimError) -> Self {
            Self::Optim(error)
        }
    }

    /// Fails at step `fail`, asks to stop at step `stop`; counts its calls.
    #[derive(Default)]
    struct Scripted {
        fail: Option<usize>,
        stop: Option<usize>,
        observed: usize,
        finished: usize,
    }

    impl<O: Objective + ?Sized> Observer<O> for Scripted {
        type Error = TestError;

        fn observe(
            &mut self,
            step: usize,
            _: ColRef<'_, f64>,
            _: f64,
            _: &mut O,
        ) -> Result<Control, TestError> {
            self.observed += 1;
            if self.fail == Some(step) {
                return Err(TestError::Measurement { step });
            }
            Ok(if self.stop == Some(step) {
                Control::Stop
            } else {
                Control::Continue
            })
        }

        fn finish(
            &mut self,
            _: &TrainOutcome,
            _: ColRef<'_, f64>,
            _: &mut O,
        ) -> Result<(), TestError> {
            self.finished += 1;
            Ok(())
        }
    }

    fn run<Obs>(
        steps: usize,
        every: usize,
        eta: f64,
        observer: &mut Obs,
    ) -> Result<TrainOutcome, Obs::Error>
    where
        Obs: Observer<Parabola>,
        Obs::Error: From<OptimError>,
    {
        run_from(&mut Col::from_fn(1, |_| 1.0), steps, every, eta, observer)
    }

    /// GD on `Parabola(1.0)` from `theta`, which holds the final iterate afterwards.
    fn run_from<Obs>(
        theta: &mut Col<f64>,
        steps: usize,
        every: usize,
        eta: f64,
        observer: &mut Obs,
    ) -> Result<TrainOutcome, Obs::Error>
    where
        Obs: Observer<Parabola>,
        Obs::Error: From<OptimError>,
    {
        let options = TrainOptions::new(steps, every).unwrap();
        train(
            &mut Parabola(1.0),
            theta,
            &mut GradientDescent,
            &eta,
            &options,
            observer,
        )
    }

    #[test]
    fn observes_start_every_k_and_last_step() {
        let mut observer = (Steps::default(), NoObserver);
        let mut theta = Col::from_fn(1, |_| 1.0);
        let outcome = run_from(&mut theta, 25, 10, 0.1, &mut observer).unwrap();
        assert_eq!(observer.0.seen, vec![0, 10, 20, 25]);
        assert_eq!(observer.0.finished, vec![outcome]);
        assert_eq!(outcome.steps_taken, 25);
        assert_eq!(outcome.stopped_at, None);
        assert!((theta[0] - 0.9f64.powi(25)).abs() < 1e-15);
        assert!((outcome.final_loss - 0.5 * 0.9f64.powi(50)).abs() < 1e-15);
        assert_eq!(outcome.initial_loss, 0.5);
        assert_eq!(outcome.max_loss, 0.5);
    }

    #[test]
    fn stops_a_diverging_run_and_keeps_finite_losses() {
        // ηc = 3: |1 − ηc| = 2, the loss grows by 4 per step and passes 1e12 after ~20 steps.
        let mut observer = Steps::default();
        let outcome = run(1000, 1, 3.0, &mut observer).unwrap();
        assert!(outcome.diverged);
        assert!(outcome.steps_taken < 30);
        assert!(outcome.final_loss.is_finite() && outcome.final_loss <= 1e12);
        assert_eq!(outcome.max_loss, outcome.final_loss);
        assert_eq!(observer.seen.len(), outcome.steps_taken);
        assert_eq!(observer.finished, vec![outcome]);
    }

    #[test]
    fn an_observer_error_ends_the_run_and_reaches_the_caller() {
        let mut observer = Scripted {
            fail: Some(6),
            ..Scripted::default()
        };
        assert_eq!(
            run(100, 3, 0.1, &mut observer),
            Err(TestError::Measurement { step: 6 })
        );
        assert_eq!((observer.observed, observer.finished), (3, 0));
        // The loop's own errors arrive in the observer's error type.
        assert_eq!(
            run(3, 1, -1.0, &mut Scripted::default()),
            Err(TestError::Optim(OptimError::InvalidScheduledLearningRate {
                step: 0,
                value: -1.0
            }))
        );
    }

    #[test]
    fn an_observer_can_stop_the_run_at_a_step() {
        let mut observer = Scripted {
            stop: Some(8),
            ..Scripted::default()
        };
        let mut theta = Col::from_fn(1, |_| 1.0);
        let outcome = run_from(&mut theta, 100, 4, 0.1, &mut observer).unwrap();
        assert_eq!(outcome.stopped_at, Some(8));
        assert_eq!(outcome.steps_taken, 8);
        assert!(!outcome.diverged);
        let expected = (0..8).fold(1.0f64, |t, _| t - 0.1 * t);
        assert_eq!(theta[0], expected);
        assert_eq!(outcome.final_loss, 0.5 * theta[0] * theta[0]);
        assert_eq!((observer.observed, observer.finished), (3, 1));
    }

    #[test]
    fn pairs_stop_when_either_asks_and_end_at_the_first_error() {
        let stop_at = |step| Scripted {
            stop: Some(step),
            ..Scripted::default()
        };
        for (first, second) in [
            (stop_at(2), Scripted::default()),
            (Scripted::default(), stop_at(2)),
        ] {
            let mut pair = (first, second);
            let outcome = run(10, 1, 0.1, &mut pair).unwrap();
            assert_eq!(outcome.stopped_at, Some(2));
            assert_eq!((pair.0.observed, pair.1.observed), (3, 3));
            assert_eq!((pair.0.finished, pair.1.finished), (1, 1));
        }
        let mut pair = (
            Scripted {
                fail: Some(1),
                ..Scripted::default()
            },
            Scripted::default(),
        );
        assert_eq!(
            run(10, 1, 0.1, &mut pair),
            Err(TestError::Measurement { step: 1 })
        );
        assert_eq!((pair.0.observed, pair.1.observed), (2, 1));
        // A pair of an observer failing with `TestError` and one failing with `OptimError`
        // fails with `TestError`.
        let mut pair = (
            Scripted {
                stop: Some(4),
                ..Scripted::default()
            },
            Steps::default(),
        );
        let outcome: Result<TrainOutcome, TestError> = run(10, 2, 0.1, &mut pair);
        assert_eq!(outcome.unwrap().stopped_at, Some(4));
        assert_eq!(pair.1.seen, vec![0, 2, 4]);
        assert_eq!(pair.1.finished.len(), 1);
    }

    #[test]
    fn rejects_bad_inputs() {
        let options = TrainOptions::new(1, 1).unwrap();
        let mut wrong = Col::zeros(2);
        assert_eq!(
            train(
                &mut Parabola(1.0),
                &mut wrong,
                &mut GradientDescent,
                &0.1,
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
            train(
                &mut Parabola(1.0),
                &mut nan,
                &mut GradientDescent,
                &0.1,
                &options,
                &mut NoObserver
            ),
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
