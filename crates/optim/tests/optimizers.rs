//! The step rules of the train loop: SGD's update rules against closed forms on a quadratic,
//! gradient descent against a hand-written loop and full-batch SGD against gradient descent
//! bit for bit, seeded batch sampling, and the errors.

use catapult_optim::{
    Control, GradientDescent, LrSchedule, NoObserver, Objective, Observer, OptimError, Sampling,
    Schedule, Sgd, SgdConfig, StochasticObjective, TrainOptions, TrainOutcome, WeightDecay, train,
};
use faer::{Col, ColMut, ColRef};
use proptest::prelude::*;

/// `L(θ) = ½ Σ_i c_i θ_i²`, the mean over `n = p` samples `ℓ_i(θ) = ½ n c_i θ_i²`.
struct Quadratic(Vec<f64>);

impl Objective for Quadratic {
    fn dim(&self) -> usize {
        self.0.len()
    }

    fn value(&mut self, theta: ColRef<'_, f64>) -> f64 {
        self.0
            .iter()
            .enumerate()
            .map(|(i, c)| 0.5 * c * theta[i] * theta[i])
            .sum()
    }

    fn value_and_gradient(&mut self, theta: ColRef<'_, f64>, mut g: ColMut<'_, f64>) -> f64 {
        for (i, c) in self.0.iter().enumerate() {
            g[i] = c * theta[i];
        }
        self.value(theta)
    }

    fn hessian_vector_product(
        &mut self,
        _: ColRef<'_, f64>,
        v: ColRef<'_, f64>,
        mut out: ColMut<'_, f64>,
    ) {
        for (i, c) in self.0.iter().enumerate() {
            out[i] = c * v[i];
        }
    }
}

impl StochasticObjective for Quadratic {
    fn num_samples(&self) -> usize {
        self.0.len()
    }

    fn batch_value_and_gradient(
        &mut self,
        theta: ColRef<'_, f64>,
        batch: &[usize],
        mut g: ColMut<'_, f64>,
    ) -> f64 {
        let n = self.0.len() as f64;
        let size = batch.len() as f64;
        g.fill(0.0);
        let mut total = 0.0;
        for &i in batch {
            total += 0.5 * n * self.0[i] * theta[i] * theta[i];
            g[i] += n * self.0[i] * theta[i] / size;
        }
        total / size
    }
}

/// Every observation: step, loss and θ.
#[derive(Default)]
struct Record(Vec<(usize, f64, Vec<f64>)>);

impl<O: Objective + ?Sized> Observer<O> for Record {
    type Error = OptimError;

    fn observe(
        &mut self,
        step: usize,
        theta: ColRef<'_, f64>,
        loss: f64,
        _: &mut O,
    ) -> Result<Control, OptimError> {
        self.0.push((step, loss, theta.iter().copied().collect()));
        Ok(Control::Continue)
    }
}

impl Record {
    fn thetas(&self) -> Vec<Vec<f64>> {
        self.0.iter().map(|(_, _, theta)| theta.clone()).collect()
    }

    fn bits(&self) -> Vec<(usize, u64, Vec<u64>)> {
        self.0
            .iter()
            .map(|(step, loss, theta)| {
                (
                    *step,
                    loss.to_bits(),
                    theta.iter().map(|v| v.to_bits()).collect(),
                )
            })
            .collect()
    }
}

const CURVATURES: [f64; 4] = [0.5, 1.0, 3.0, 6.0];
const START: [f64; 4] = [1.0, -2.0, 0.5, 1.5];

fn schedule(spec: &str) -> LrSchedule {
    spec.parse().unwrap()
}

fn start() -> Col<f64> {
    Col::from_fn(START.len(), |i| START[i])
}

/// Runs SGD on the quadratic for `steps` steps, observing every step.
fn run(config: SgdConfig, spec: &str, steps: usize) -> (TrainOutcome, Record, Col<f64>) {
    let mut objective = Quadratic(CURVATURES.to_vec());
    let mut sgd = Sgd::new(config, CURVATURES.len(), CURVATURES.len()).unwrap();
    let mut theta = start();
    let mut record = Record::default();
    let options = TrainOptions::new(steps, 1).unwrap();
    let outcome = train(
        &mut objective,
        &mut theta,
        &mut sgd,
        &schedule(spec),
        &options,
        &mut record,
    )
    .unwrap();
    (outcome, record, theta)
}

fn assert_close(got: f64, expected: f64, what: &str) {
    assert!(
        (got - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "{what}: got {got}, expected {expected}"
    );
}

/// Checks the observed iterates against `expected(i, t)` for coordinate `i` at step `t`.
fn assert_trajectory(record: &Record, steps: usize, expected: impl Fn(usize, usize) -> f64) {
    let thetas = record.thetas();
    assert_eq!(thetas.len(), steps + 1);
    for (t, theta) in thetas.iter().enumerate() {
        for (i, &value) in theta.iter().enumerate() {
            assert_close(value, expected(i, t), &format!("θ_{t}[{i}]"));
        }
    }
}

type Matrix2 = [[f64; 2]; 2];

fn multiply(a: Matrix2, b: Matrix2) -> Matrix2 {
    let entry = |r: usize, c: usize| a[r][0] * b[0][c] + a[r][1] * b[1][c];
    [[entry(0, 0), entry(0, 1)], [entry(1, 0), entry(1, 1)]]
}

/// `a^t` by repeated squaring: a different computation from iterating the recursion.
fn power(mut a: Matrix2, mut t: usize) -> Matrix2 {
    let mut result = [[1.0, 0.0], [0.0, 1.0]];
    while t > 0 {
        if t % 2 == 1 {
            result = multiply(result, a);
        }
        a = multiply(a, a);
        t /= 2;
    }
    result
}

/// θ_t from `(θ_0, v_0 = 0)` under the companion matrix `a` of `(θ, v) ↦ (θ', v')`.
fn companion_iterate(a: Matrix2, theta0: f64, t: usize) -> f64 {
    power(a, t)[0][0] * theta0
}

fn momentum(momentum: f64, nesterov: bool, weight_decay: WeightDecay) -> SgdConfig {
    SgdConfig {
        momentum,
        nesterov,
        weight_decay,
        ..SgdConfig::default()
    }
}

#[test]
fn gradient_descent_contracts_each_coordinate_by_one_minus_eta_c() {
    let (eta, steps) = (0.3, 60);
    let (_, record, _) = run(SgdConfig::default(), "fix:k0=0.3", steps);
    assert_trajectory(&record, steps, |i, t| {
        (1.0 - eta * CURVATURES[i]).powi(t as i32) * START[i]
    });
}

#[test]
fn heavy_ball_follows_its_two_term_recursion() {
    // v_{t+1} = μ v_t + c θ_t, θ_{t+1} = θ_t − η v_{t+1} = (1 − ηc) θ_t − ημ v_t.
    let (eta, mu, steps) = (0.1, 0.9, 80);
    let (_, record, _) = run(momentum(mu, false, WeightDecay::None), "fix:k0=0.1", steps);
    assert_trajectory(&record, steps, |i, t| {
        let c = CURVATURES[i];
        companion_iterate([[1.0 - eta * c, -eta * mu], [c, mu]], START[i], t)
    });
}

#[test]
fn nesterov_follows_its_two_term_recursion() {
    // d = c θ_t + μ v_{t+1} = (1 + μ) c θ_t + μ² v_t.
    let (eta, mu, steps) = (0.1, 0.8, 80);
    let (_, record, _) = run(momentum(mu, true, WeightDecay::None), "fix:k0=0.1", steps);
    assert_trajectory(&record, steps, |i, t| {
        let c = CURVATURES[i];
        let a = [[1.0 - eta * (1.0 + mu) * c, -eta * mu * mu], [c, mu]];
        companion_iterate(a, START[i], t)
    });
}

#[test]
fn the_first_momentum_step_has_v_equal_to_g() {
    // Heavy ball: θ_1 = θ_0 − η g; Nesterov: θ_1 = θ_0 − η (1 + μ) g.
    let (eta, mu) = (0.1, 0.8);
    let (_, heavy, _) = run(momentum(mu, false, WeightDecay::None), "fix:k0=0.1", 1);
    let (_, nesterov, _) = run(momentum(mu, true, WeightDecay::None), "fix:k0=0.1", 1);
    for i in 0..START.len() {
        let g = CURVATURES[i] * START[i];
        assert_close(heavy.thetas()[1][i], START[i] - eta * g, "heavy ball");
        assert_close(
            nesterov.thetas()[1][i],
            START[i] - eta * (1.0 + mu) * g,
            "Nesterov",
        );
    }
}

#[test]
fn coupled_decay_is_gradient_descent_on_c_plus_lambda() {
    let (eta, lambda, steps) = (0.2, 0.7, 60);
    let (_, record, _) = run(
        momentum(0.0, false, WeightDecay::Coupled(lambda)),
        "fix:k0=0.2",
        steps,
    );
    assert_trajectory(&record, steps, |i, t| {
        (1.0 - eta * (CURVATURES[i] + lambda)).powi(t as i32) * START[i]
    });
}

#[test]
fn coupled_decay_with_momentum_is_heavy_ball_on_c_plus_lambda() {
    let (eta, mu, lambda, steps) = (0.1, 0.9, 0.7, 80);
    let (_, record, _) = run(
        momentum(mu, false, WeightDecay::Coupled(lambda)),
        "fix:k0=0.1",
        steps,
    );
    assert_trajectory(&record, steps, |i, t| {
        let c = CURVATURES[i] + lambda;
        companion_iterate([[1.0 - eta * c, -eta * mu], [c, mu]], START[i], t)
    });
}

#[test]
fn decoupled_decay_shrinks_theta_outside_the_momentum_buffer() {
    // v_{t+1} = μ v_t + c θ_t, θ_{t+1} = θ_t − η v_{t+1} − ηλ θ_t.
    let (eta, mu, lambda, steps) = (0.1, 0.9, 0.7, 80);
    let (_, decoupled, _) = run(
        momentum(mu, false, WeightDecay::Decoupled(lambda)),
        "fix:k0=0.1",
        steps,
    );
    assert_trajectory(&decoupled, steps, |i, t| {
        let c = CURVATURES[i];
        let a = [[1.0 - eta * (c + lambda), -eta * mu], [c, mu]];
        companion_iterate(a, START[i], t)
    });
    let (_, coupled, _) = run(
        momentum(mu, false, WeightDecay::Coupled(lambda)),
        "fix:k0=0.1",
        steps,
    );
    // Equal after one step (v_1 = g), apart once λθ has entered the coupled buffer.
    for i in 0..START.len() {
        assert_close(decoupled.thetas()[1][i], coupled.thetas()[1][i], "step 1");
        assert!((decoupled.thetas()[2][i] - coupled.thetas()[2][i]).abs() > 1e-3);
    }
}

#[test]
fn decoupled_decay_without_momentum_is_gradient_descent_on_c_plus_lambda() {
    let (eta, lambda, steps) = (0.2, 0.7, 60);
    let (_, record, _) = run(
        momentum(0.0, false, WeightDecay::Decoupled(lambda)),
        "fix:k0=0.2",
        steps,
    );
    assert_trajectory(&record, steps, |i, t| {
        (1.0 - eta * (CURVATURES[i] + lambda)).powi(t as i32) * START[i]
    });
}

#[test]
fn a_schedule_sets_the_step_of_each_iteration() {
    // η_t = 0.4 · 0.5^⌊t/3⌋.
    let rate = |t: usize| 0.4 * 0.5f64.powi((t / 3) as i32);
    let steps = 20;
    let (_, record, _) = run(SgdConfig::default(), "step:k0=0.4,gamma=0.5,l=3", steps);
    assert_trajectory(&record, steps, |i, t| {
        (0..t)
            .map(|s| 1.0 - rate(s) * CURVATURES[i])
            .product::<f64>()
            * START[i]
    });
    let mu = 0.5;
    let (_, record, _) = run(
        momentum(mu, true, WeightDecay::None),
        "step:k0=0.4,gamma=0.5,l=3",
        steps,
    );
    assert_trajectory(&record, steps, |i, t| {
        let c = CURVATURES[i];
        let a = (0..t).fold([[1.0, 0.0], [0.0, 1.0]], |a, s| {
            let eta = rate(s);
            multiply([[1.0 - eta * (1.0 + mu) * c, -eta * mu * mu], [c, mu]], a)
        });
        a[0][0] * START[i]
    });
}

fn assert_same_bits(a: &Col<f64>, b: &Col<f64>) {
    let bits = |v: &Col<f64>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(a), bits(b));
}

#[test]
fn full_batch_sgd_is_gradient_descent_bit_for_bit() {
    // η = 0.1 converges; η = 0.4 diverges (|1 − 0.4·6| > 1) and stops at the threshold.
    for (eta, batch) in [(0.1, None), (0.1, Some(4)), (0.4, None), (0.4, Some(9))] {
        let options = TrainOptions::new(300, 7).unwrap();
        let mut gd_theta = start();
        let mut gd_record = Record::default();
        let gd_outcome = train(
            &mut Quadratic(CURVATURES.to_vec()),
            &mut gd_theta,
            &mut GradientDescent,
            &eta,
            &options,
            &mut gd_record,
        )
        .unwrap();
        let config = SgdConfig {
            batch,
            ..SgdConfig::default()
        };
        let mut sgd = Sgd::new(config, 4, 4).unwrap();
        let mut theta = start();
        let mut record = Record::default();
        let outcome = train(
            &mut Quadratic(CURVATURES.to_vec()),
            &mut theta,
            &mut sgd,
            &schedule(&format!("fix:k0={eta}")),
            &options,
            &mut record,
        )
        .unwrap();
        assert_eq!(outcome, gd_outcome);
        assert_eq!(outcome.diverged, eta > 0.3);
        assert_same_bits(&theta, &gd_theta);
        assert_eq!(record.bits(), gd_record.bits());
    }
}

/// Gradient descent written out by hand: `θ_i ← θ_i − η_t·g_i` after evaluating the loss and
/// gradient at every step, stopping (without that step's record) once the loss passes the
/// default threshold; every `(step, loss, θ)` before each update.
fn hand_written_gd(rate: impl Fn(usize) -> f64, steps: usize) -> Record {
    let mut objective = Quadratic(CURVATURES.to_vec());
    let mut theta = START.to_vec();
    let mut gradient = Col::<f64>::zeros(START.len());
    let mut record = Record::default();
    for step in 0..=steps {
        let loss = objective.value_and_gradient(
            Col::from_fn(theta.len(), |i| theta[i]).as_ref(),
            gradient.as_mut(),
        );
        if !loss.is_finite() || loss > TrainOptions::DEFAULT_DIVERGENCE_THRESHOLD {
            break;
        }
        record.0.push((step, loss, theta.clone()));
        for (i, t) in theta.iter_mut().enumerate() {
            *t -= rate(step) * gradient[i];
        }
    }
    record
}

#[test]
fn gradient_descent_in_the_train_loop_is_the_hand_written_update_bit_for_bit() {
    let steps = 200;
    let cases: [(&str, &dyn Fn(usize) -> f64); 3] = [
        ("fix:k0=0.3", &|_| 0.3),
        ("fix:k0=0.4", &|_| 0.4),
        ("step:k0=0.4,gamma=0.5,l=3", &|t| {
            0.4 * 0.5f64.powi((t / 3) as i32)
        }),
    ];
    for (spec, rate) in cases {
        let expected = hand_written_gd(rate, steps);
        let mut theta = start();
        let mut record = Record::default();
        let options = TrainOptions::new(steps, 1).unwrap();
        let outcome = train(
            &mut Quadratic(CURVATURES.to_vec()),
            &mut theta,
            &mut GradientDescent,
            &schedule(spec),
            &options,
            &mut record,
        )
        .unwrap();
        assert_eq!(record.bits(), expected.bits(), "{spec}");
        assert_eq!(outcome.diverged, expected.0.len() <= steps, "{spec}");
        assert_eq!(outcome.steps_taken, expected.0.len().min(steps), "{spec}");
    }
    // A constant `f64` is the same schedule as `fix`.
    let mut record = Record::default();
    train(
        &mut Quadratic(CURVATURES.to_vec()),
        &mut start(),
        &mut GradientDescent,
        &0.3,
        &TrainOptions::new(steps, 1).unwrap(),
        &mut record,
    )
    .unwrap();
    assert_eq!(record.bits(), hand_written_gd(|_| 0.3, steps).bits());
}

fn mini_batch(batch: usize, sampling: Sampling, seed: u64) -> SgdConfig {
    SgdConfig {
        batch: Some(batch),
        sampling,
        seed,
        ..SgdConfig::default()
    }
}

fn batches(config: SgdConfig, n: usize, count: usize) -> Vec<Vec<usize>> {
    let mut sgd = Sgd::new(config, 1, n).unwrap();
    (0..count)
        .map(|_| sgd.next_batch().unwrap().to_vec())
        .collect()
}

#[test]
fn full_batch_configs_draw_no_batches() {
    for batch in [None, Some(10), Some(11), Some(1000)] {
        for sampling in [Sampling::WithReplacement, Sampling::WithoutReplacement] {
            let config = SgdConfig {
                batch,
                sampling,
                ..SgdConfig::default()
            };
            let mut sgd = Sgd::new(config.clone(), 3, 10).unwrap();
            assert_eq!(sgd.batch_size(), None);
            assert_eq!(sgd.next_batch(), None);
            assert_eq!(sgd.config(), &config);
        }
    }
    let sgd = Sgd::new(mini_batch(9, Sampling::WithReplacement, 0), 3, 10).unwrap();
    assert_eq!(sgd.batch_size(), Some(9));
}

#[test]
fn without_replacement_each_epoch_is_a_fresh_permutation() {
    let (n, b) = (12, 4);
    let drawn = batches(mini_batch(b, Sampling::WithoutReplacement, 3), n, 3 * 6);
    let epochs: Vec<Vec<usize>> = drawn.chunks(3).map(|epoch| epoch.concat()).collect();
    for epoch in &epochs {
        let mut sorted = epoch.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..n).collect::<Vec<_>>());
    }
    for pair in epochs.windows(2) {
        assert_ne!(pair[0], pair[1], "every epoch reshuffles");
    }
}

#[test]
fn without_replacement_drops_the_short_last_batch_of_an_epoch() {
    let (n, b) = (10, 4);
    let drawn = batches(mini_batch(b, Sampling::WithoutReplacement, 5), n, 2 * 40);
    assert!(drawn.iter().all(|batch| batch.len() == b));
    let mut counts = vec![0usize; n];
    for epoch in drawn.chunks(2) {
        let mut indices = epoch.concat();
        indices.sort_unstable();
        indices.dedup();
        assert_eq!(indices.len(), 8, "⌊10/4⌋·4 distinct indices per epoch");
        for i in indices {
            counts[i] += 1;
        }
    }
    assert!(counts.iter().all(|&count| count > 0 && count < 40));
}

#[test]
fn with_replacement_draws_uniform_indices_that_may_repeat() {
    let (n, b, count) = (10, 3, 3000);
    let drawn = batches(mini_batch(b, Sampling::WithReplacement, 11), n, count);
    let mut counts = vec![0usize; n];
    for batch in &drawn {
        assert_eq!(batch.len(), b);
        for &i in batch {
            counts[i] += 1;
        }
    }
    // 9000 draws, 900 expected per index, standard deviation 28.5.
    for count in counts {
        assert!((750..=1050).contains(&count), "count {count}");
    }
    assert!(drawn.iter().any(|batch| batch[0] == batch[1]));
}

#[test]
fn the_seed_fixes_the_batches() {
    for sampling in [Sampling::WithReplacement, Sampling::WithoutReplacement] {
        let a = batches(mini_batch(5, sampling, 42), 20, 50);
        let b = batches(mini_batch(5, sampling, 42), 20, 50);
        let c = batches(mini_batch(5, sampling, 43), 20, 50);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}

fn mini_batch_run(config: SgdConfig, steps: usize) -> (TrainOutcome, Record, Col<f64>) {
    run(config, "fix:k0=0.05", steps)
}

#[test]
fn seeded_mini_batch_runs_repeat_bit_for_bit() {
    for sampling in [Sampling::WithReplacement, Sampling::WithoutReplacement] {
        let config = |seed| SgdConfig {
            momentum: 0.5,
            ..mini_batch(2, sampling, seed)
        };
        let (outcome_a, record_a, theta_a) = mini_batch_run(config(1), 100);
        let (outcome_b, record_b, theta_b) = mini_batch_run(config(1), 100);
        let (_, _, theta_c) = mini_batch_run(config(2), 100);
        assert_eq!(outcome_a, outcome_b);
        assert_eq!(record_a.bits(), record_b.bits());
        assert_same_bits(&theta_a, &theta_b);
        assert_ne!(theta_a, theta_c);
        let (first, last) = (record_a.0[0].1, record_a.0[100].1);
        assert!(last < 1e-6 * first, "full loss {first} → {last}");
    }
}

#[test]
fn mini_batch_observers_and_the_outcome_see_the_full_loss() {
    let config = mini_batch(1, Sampling::WithoutReplacement, 9);
    let (outcome, record, _) = mini_batch_run(config.clone(), 30);
    let mut objective = Quadratic(CURVATURES.to_vec());
    for (_, loss, theta) in &record.0 {
        let theta = Col::from_fn(theta.len(), |i| theta[i]);
        assert_eq!(loss.to_bits(), objective.value(theta.as_ref()).to_bits());
    }
    // The outcome follows the full-batch loss at the observed steps, not the batch loss
    // (which rises and falls with the batch).
    let mut sgd = Sgd::new(config, 4, 4).unwrap();
    let batch = sgd.next_batch().unwrap().to_vec();
    let mut gradient = Col::zeros(4);
    let first = objective.batch_value_and_gradient(start().as_ref(), &batch, gradient.as_mut());
    assert_eq!(outcome.initial_loss, record.0[0].1);
    assert_ne!(outcome.initial_loss, first);
    assert_eq!(outcome.final_loss, record.0.last().unwrap().1);
}

/// Batch losses of 1 with zero gradient, and a full loss of `self.0`.
struct Inconsistent(f64);

impl Objective for Inconsistent {
    fn dim(&self) -> usize {
        1
    }

    fn value(&mut self, _: ColRef<'_, f64>) -> f64 {
        self.0
    }

    fn value_and_gradient(&mut self, _: ColRef<'_, f64>, mut g: ColMut<'_, f64>) -> f64 {
        g.fill(0.0);
        self.0
    }

    fn hessian_vector_product(
        &mut self,
        _: ColRef<'_, f64>,
        _: ColRef<'_, f64>,
        mut out: ColMut<'_, f64>,
    ) {
        out.fill(0.0);
    }
}

impl StochasticObjective for Inconsistent {
    fn num_samples(&self) -> usize {
        2
    }

    fn batch_value_and_gradient(
        &mut self,
        _: ColRef<'_, f64>,
        _: &[usize],
        mut g: ColMut<'_, f64>,
    ) -> f64 {
        g.fill(0.0);
        1.0
    }
}

#[test]
fn mini_batch_runs_stop_when_the_full_loss_blows_up() {
    let run = |full_loss: f64| {
        let mut sgd = Sgd::new(mini_batch(1, Sampling::WithoutReplacement, 0), 1, 2).unwrap();
        let mut record = Record::default();
        let outcome = train(
            &mut Inconsistent(full_loss),
            &mut Col::zeros(1),
            &mut sgd,
            &schedule("fix:k0=0.1"),
            &TrainOptions::new(10, 5).unwrap(),
            &mut record,
        )
        .unwrap();
        (outcome, record.0.len())
    };
    let (fine, observed) = run(1e11);
    assert!(!fine.diverged && fine.steps_taken == 10 && observed == 3);
    // The outcome follows the full loss (1e11), not the batch losses (1).
    assert_eq!(
        (fine.initial_loss, fine.final_loss, fine.max_loss),
        (1e11, 1e11, 1e11)
    );
    for full_loss in [1e13, f64::INFINITY, f64::NAN] {
        let (blown, observed) = run(full_loss);
        assert!(blown.diverged && blown.steps_taken == 0 && observed == 0);
        // Diverged at the first full loss: no finite loss was recorded.
        assert!(blown.initial_loss.is_nan());
    }
}

/// A schedule with `value` at step `at` and 0.1 elsewhere.
struct Broken {
    at: usize,
    value: f64,
}

impl Schedule for Broken {
    fn learning_rate(&self, t: usize) -> f64 {
        if t == self.at { self.value } else { 0.1 }
    }

    fn horizon(&self) -> Option<usize> {
        None
    }
}

#[test]
fn a_schedule_value_that_is_not_finite_and_positive_is_rejected_before_any_step() {
    for value in [0.0, -0.5, f64::NAN, f64::INFINITY] {
        let mut theta = start();
        let mut sgd = Sgd::new(SgdConfig::default(), 4, 4).unwrap();
        let result = train(
            &mut Quadratic(CURVATURES.to_vec()),
            &mut theta,
            &mut sgd,
            &Broken { at: 3, value },
            &TrainOptions::new(10, 1).unwrap(),
            &mut NoObserver,
        );
        match &result {
            Err(OptimError::InvalidScheduledLearningRate {
                step: 3,
                value: got,
            }) => {
                assert_eq!(got.to_bits(), value.to_bits());
            }
            other => panic!("{value}: {other:?}"),
        }
        let message = result.unwrap_err().to_string();
        assert!(message.contains("step 3"), "{message}");
        assert_same_bits(&theta, &start());
    }
    // A bad rate after the last step is never used.
    let mut sgd = Sgd::new(SgdConfig::default(), 4, 4).unwrap();
    let outcome = train(
        &mut Quadratic(CURVATURES.to_vec()),
        &mut start(),
        &mut sgd,
        &Broken { at: 3, value: 0.0 },
        &TrainOptions::new(3, 1).unwrap(),
        &mut NoObserver,
    );
    assert!(outcome.is_ok());
}

#[test]
fn each_bad_config_has_its_error() {
    let with = |f: fn(&mut SgdConfig)| {
        let mut config = SgdConfig::default();
        f(&mut config);
        Sgd::new(config, 4, 4).map(|_| ()).unwrap_err()
    };
    assert_eq!(with(|c| c.batch = Some(0)), OptimError::ZeroBatchSize);
    assert_eq!(with(|c| c.momentum = 1.0), OptimError::InvalidMomentum(1.0));
    assert_eq!(
        with(|c| c.momentum = -0.1),
        OptimError::InvalidMomentum(-0.1)
    );
    assert!(matches!(
        with(|c| c.momentum = f64::NAN),
        OptimError::InvalidMomentum(m) if m.is_nan()
    ));
    assert_eq!(
        with(|c| c.weight_decay = WeightDecay::Coupled(-1.0)),
        OptimError::InvalidWeightDecay(-1.0)
    );
    assert_eq!(
        with(|c| c.weight_decay = WeightDecay::Decoupled(f64::INFINITY)),
        OptimError::InvalidWeightDecay(f64::INFINITY)
    );
    assert!(matches!(
        with(|c| c.weight_decay = WeightDecay::Decoupled(f64::NAN)),
        OptimError::InvalidWeightDecay(l) if l.is_nan()
    ));
    assert_eq!(
        with(|c| c.nesterov = true),
        OptimError::NesterovWithoutMomentum
    );
    assert_eq!(
        Sgd::new(SgdConfig::default(), 4, 0).map(|_| ()),
        Err(OptimError::NoSamples)
    );
    for (error, field) in [
        (with(|c| c.batch = Some(0)), "batch"),
        (with(|c| c.momentum = 2.0), "momentum"),
        (
            with(|c| c.weight_decay = WeightDecay::Coupled(-1.0)),
            "weight_decay",
        ),
        (with(|c| c.nesterov = true), "nesterov"),
    ] {
        assert!(error.to_string().contains(field), "{error}");
    }
    let valid = SgdConfig {
        batch: Some(1),
        momentum: 0.0,
        nesterov: false,
        weight_decay: WeightDecay::Decoupled(0.0),
        sampling: Sampling::WithReplacement,
        seed: u64::MAX,
    };
    assert!(Sgd::new(valid, 4, 4).is_ok());
}

#[test]
fn an_optimizer_for_another_problem_is_rejected() {
    let options = TrainOptions::new(1, 1).unwrap();
    for (dim, samples, what) in [(3, 4, "parameters"), (4, 5, "samples")] {
        let mut sgd = Sgd::new(SgdConfig::default(), dim, samples).unwrap();
        let result = train(
            &mut Quadratic(CURVATURES.to_vec()),
            &mut start(),
            &mut sgd,
            &schedule("fix:k0=0.1"),
            &options,
            &mut NoObserver,
        );
        assert!(matches!(result, Err(OptimError::OptimizerMismatch { what: w, .. }) if w == what));
    }
}

#[test]
#[should_panic(expected = "wrong length")]
fn a_step_on_a_vector_of_the_wrong_length_panics() {
    let mut sgd = Sgd::new(SgdConfig::default(), 3, 1).unwrap();
    let mut theta = Col::<f64>::zeros(2);
    sgd.step(0.1, theta.as_mut(), Col::<f64>::zeros(2).as_ref());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn without_replacement_epochs_hold_distinct_indices(
        n in 2usize..60,
        b_fraction in 0.0f64..1.0,
        seed in any::<u64>(),
    ) {
        let b = 1 + ((n - 1) as f64 * b_fraction) as usize;
        let per_epoch = n / b;
        let drawn = batches(mini_batch(b, Sampling::WithoutReplacement, seed), n, 3 * per_epoch);
        for epoch in drawn.chunks(per_epoch) {
            let mut indices = epoch.concat();
            prop_assert_eq!(indices.len(), per_epoch * b);
            indices.sort_unstable();
            indices.dedup();
            prop_assert_eq!(indices.len(), per_epoch * b);
            prop_assert!(indices.iter().all(|&i| i < n));
        }
    }

    #[test]
    fn with_replacement_indices_are_in_range(
        n in 2usize..60,
        b_fraction in 0.0f64..1.0,
        seed in any::<u64>(),
    ) {
        let b = 1 + ((n - 1) as f64 * b_fraction) as usize;
        let drawn = batches(mini_batch(b, Sampling::WithReplacement, seed), n, 20);
        prop_assert!(drawn.iter().all(|batch| batch.len() == b && batch.iter().all(|&i| i < n)));
    }
}
