//! The train loop: gradient steps, observers every `k` steps, divergence detection.

use crate::{GradientDescent, Objective, OptimError};
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
}

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
    let mut outcome = TrainOutcome {
        steps_taken: 0,
        diverged: false,
        initial_loss: f64::NAN,
        final_loss: f64::NAN,
        max_loss: f64::NAN,
    };
    for step in 0..=options.steps {
        let loss = objective.value_and_gradient(theta.as_ref(), gradient.as_mut());
        let blew_up = !loss.is_finite()
            || loss > options.divergence_threshold
            || !gradient.as_ref().is_all_finite();
        if blew_up {
            outcome.diverged = true;
            break;
        }
        if step == 0 {
            outcome.initial_loss = loss;
        }
        outcome.final_loss = loss;
        outcome.max_loss = if step == 0 {
            loss
        } else {
            outcome.max_loss.max(loss)
        };
        if step % options.observe_every == 0 || step == options.steps {
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
