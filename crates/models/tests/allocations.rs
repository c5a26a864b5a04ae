//! The training loop does not allocate: a counting global allocator shows that the number of
//! allocations of a run does not grow with its number of steps (GD with a constant step,
//! mini-batch SGD with momentum and a schedule, and GD with an observer that stops the run
//! and a final hook), that a Hessian-vector product allocates nothing, that every model's
//! forward, vjp, jvp, curvature and Hessian-vector products on faer views (contiguous or
//! strided) allocate nothing once the workspace is built, and that the risk's evaluations
//! and operators read θ in place instead of copying it.

use catapult_data::two_gaussians;
use catapult_losses::Loss;
use catapult_models::{
    DeepLinear, DiagonalNet, EmpiricalRisk, Model, Normalisation, PenultimateFeatures, ReluMlp,
};
use catapult_optim::{
    Control, GradientDescent, LrSchedule, NoObserver, Objective, Observer, OptimError, Sgd,
    SgdConfig, TrainOptions, TrainOutcome, train,
};
use catapult_spectral::SymmetricOperator;
use faer::{Col, ColRef, Mat, MatRef};

mod counting;
use counting::allocations;

fn risk() -> EmpiricalRisk<DeepLinear> {
    let data = two_gaussians(20, 6, 2.0, 1.0, 5).unwrap();
    EmpiricalRisk::new(DeepLinear::new(3, 32, 6).unwrap(), Loss::Logistic, data).unwrap()
}

fn gd_run(steps: usize) -> usize {
    let mut risk = risk();
    let mut theta = risk.model().init(0);
    let options = TrainOptions::new(steps, steps).unwrap();
    allocations(|| {
        train(
            &mut risk,
            &mut theta,
            &mut GradientDescent,
            &0.05,
            &options,
            &mut NoObserver,
        )
        .unwrap();
    })
}

/// Observes every step; stops at step `stop`; counts the `finish` calls.
struct StopAt {
    stop: usize,
    finished: usize,
}

impl<O: Objective + ?Sized> Observer<O> for StopAt {
    type Error = OptimError;

    fn observe(
        &mut self,
        step: usize,
        _: ColRef<'_, f64>,
        _: f64,
        _: &mut O,
    ) -> Result<Control, OptimError> {
        Ok(if step == self.stop {
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
    ) -> Result<(), OptimError> {
        self.finished += 1;
        Ok(())
    }
}

/// GD observed at every step by [`StopAt`], stopped at step `stop` of 2000.
fn stopped_run(stop: usize) -> usize {
    let mut risk = risk();
    let mut theta = risk.model().init(0);
    let options = TrainOptions::new(2000, 1).unwrap();
    let mut observer = StopAt { stop, finished: 0 };
    let count = allocations(|| {
        let outcome = train(
            &mut risk,
            &mut theta,
            &mut GradientDescent,
            &0.05,
            &options,
            &mut observer,
        )
        .unwrap();
        assert_eq!(outcome.stopped_at, Some(stop));
    });
    assert_eq!(observer.finished, 1);
    count
}

fn sgd_run(steps: usize) -> usize {
    let mut risk = risk();
    let mut theta = risk.model().init(0);
    let config = SgdConfig {
        batch: Some(8),
        momentum: 0.9,
        ..SgdConfig::default()
    };
    let mut sgd = Sgd::new(config, theta.nrows(), 40).unwrap();
    let schedule: LrSchedule = "cosine:k0=0.05,floor=0.001,T=100".parse().unwrap();
    let options = TrainOptions::new(steps, steps).unwrap();
    allocations(|| {
        train(
            &mut risk,
            &mut theta,
            &mut sgd,
            &schedule,
            &options,
            &mut NoObserver,
        )
        .unwrap();
    })
}

#[test]
fn allocations_do_not_grow_with_the_number_of_steps() {
    let (short, long) = (gd_run(10), gd_run(1000));
    // The loop's own buffers are counted, so the counter sees this thread's allocations.
    assert!(short > 0);
    assert_eq!(
        short, long,
        "GD: {short} allocations for 10 steps, {long} for 1000"
    );
    let (short, long) = (sgd_run(10), sgd_run(1000));
    assert_eq!(
        short, long,
        "SGD: {short} allocations for 10 steps, {long} for 1000"
    );
    let (short, long) = (stopped_run(10), stopped_run(1000));
    assert_eq!(
        short, long,
        "observed and stopped GD: {short} allocations for 10 steps, {long} for 1000"
    );

    let mut risk = risk();
    let theta = risk.model().init(1);
    let direction = risk.model().init(2);
    let mut product = Col::zeros(theta.nrows());
    let mut hessian = risk.hessian_at(theta.as_ref()).unwrap();
    let count = allocations(|| {
        for _ in 0..10 {
            hessian.apply(direction.as_ref(), product.as_mut());
        }
    });
    assert_eq!(
        count, 0,
        "ten Hessian-vector products allocated {count} times"
    );
}

/// Allocations of ten rounds of every [`Model`] product at θ along `v`, through contiguous
/// views and through strided ones (rows of a matrix), after one warm-up round has filled the
/// workspace's buffers for strided views.
fn model_product_allocations<M: Model>(model: &M, x: MatRef<'_, f64>, theta: &Col<f64>) -> usize {
    let (n, p) = (x.nrows(), model.num_params());
    let v = Col::from_fn(p, |i| ((i as f64) * 0.37 + 0.2).sin());
    let r = Col::from_fn(n, |i| ((i as f64) * 1.1).cos());
    let c = Col::from_fn(n, |i| 0.1 + 0.02 * i as f64);
    let theta_rows = Mat::from_fn(2, p, |row, j| if row == 0 { theta[j] } else { 0.0 });
    let v_rows = Mat::from_fn(2, p, |row, j| if row == 1 { v[j] } else { 0.0 });
    let mut out_rows = Mat::<f64>::zeros(2, p);
    let mut out = Col::zeros(p);
    let (mut f, mut jv) = (Col::zeros(n), Col::zeros(n));
    let mut ws = model.workspace(n);
    let mut round = |ws: &mut M::Workspace| {
        let views = [
            (theta.as_ref(), v.as_ref()),
            (theta_rows.row(0).transpose(), v_rows.row(1).transpose()),
        ];
        for (t, d) in views {
            model.forward(t, x, ws, f.as_mut());
            model.jvp(t, x, d, ws, jv.as_mut());
            model.vjp(t, x, r.as_ref(), ws, out.as_mut());
            model.vjp(t, x, r.as_ref(), ws, out_rows.row_mut(0).transpose_mut());
            model.add_curvature_product(t, x, r.as_ref(), d, ws, out.as_mut());
            model.add_curvature_product(
                t,
                x,
                r.as_ref(),
                d,
                ws,
                out_rows.row_mut(1).transpose_mut(),
            );
            model.hessian_vector_product(
                t,
                x,
                c.as_ref(),
                r.as_ref(),
                d,
                ws,
                jv.as_mut(),
                out.as_mut(),
            );
            model.hessian_vector_product(
                t,
                x,
                c.as_ref(),
                r.as_ref(),
                d,
                ws,
                jv.as_mut(),
                out_rows.row_mut(0).transpose_mut(),
            );
        }
    };
    round(&mut ws);
    allocations(|| {
        for _ in 0..10 {
            round(&mut ws);
        }
    })
}

#[test]
fn model_products_through_views_do_not_allocate() {
    let x = Mat::from_fn(9, 4, |i, j| ((i * 4 + j) as f64 * 0.73).sin());
    for widths in [vec![6], vec![5, 3]] {
        let model = DeepLinear::with_widths(&widths, 4).unwrap();
        let count = model_product_allocations(&model, x.as_ref(), &model.init(1));
        assert_eq!(count, 0, "deep linear {widths:?}: {count} allocations");
    }
    for depth in [1, 3] {
        let model = DiagonalNet::new(depth, 4).unwrap();
        let count =
            model_product_allocations(&model, x.as_ref(), &model.uniform_init(0.4).unwrap());
        assert_eq!(count, 0, "diagonal depth {depth}: {count} allocations");
    }
    for normalisation in [Normalisation::None, Normalisation::PerLayer] {
        let mlp = ReluMlp::new(2, &[5, 4], 2, normalisation).unwrap();
        let count = model_product_allocations(&mlp, x.as_ref(), &mlp.init(1));
        assert_eq!(count, 0, "ReLU MLP {normalisation:?}: {count} allocations");

        let theta = mlp.init(2);
        let g = Mat::from_fn(9, 4, |i, j| ((i + j) as f64).cos());
        let (mut phi, mut pulled) = (Mat::zeros(9, 4), Col::zeros(mlp.num_params()));
        let mut ws = mlp.workspace(9);
        let count = allocations(|| {
            for _ in 0..10 {
                mlp.features(theta.as_ref(), x.as_ref(), &mut ws, phi.as_mut());
                mlp.features_vjp(
                    theta.as_ref(),
                    x.as_ref(),
                    g.as_ref(),
                    &mut ws,
                    pulled.as_mut(),
                );
            }
        });
        assert_eq!(
            count, 0,
            "ReLU MLP {normalisation:?} features: {count} allocations"
        );
    }
}

#[test]
fn risk_evaluations_and_operators_do_not_copy_theta() {
    let mut risk = risk();
    let theta = risk.model().init(1);
    let direction = risk.model().init(2);
    let p = theta.nrows();
    let (mut gradient, mut product) = (Col::zeros(p), Col::zeros(p));
    let count = allocations(|| {
        for _ in 0..10 {
            risk.value(theta.as_ref());
            risk.value_and_gradient(theta.as_ref(), gradient.as_mut());
            risk.hessian_vector_product(theta.as_ref(), direction.as_ref(), product.as_mut());
        }
    });
    assert_eq!(count, 0, "risk evaluations allocated {count} times");

    let n = risk.data().len();
    let unit = Col::from_fn(n, |i| if i == 3 { 1.0 } else { 0.0 });
    let mut image = Col::zeros(n);
    let count = allocations(|| {
        let mut hessian = risk.hessian_at(theta.as_ref()).unwrap();
        hessian.apply(direction.as_ref(), product.as_mut());
        let mut ntk = risk.ntk_at(theta.as_ref()).unwrap();
        for _ in 0..10 {
            ntk.apply(unit.as_ref(), image.as_mut());
        }
    });
    assert_eq!(
        count, 0,
        "building operators and ten NTK products allocated {count} times"
    );
}
