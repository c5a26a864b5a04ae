//! The training loop does not allocate: a counting global allocator shows that the number of
//! allocations of a run does not grow with its number of steps (GD with a constant step,
//! mini-batch SGD with momentum and a schedule, and GD with an observer that stops the run
//! and a final hook), and that a Hessian-vector product allocates nothing.

use catapult_data::two_gaussians;
use catapult_losses::Loss;
use catapult_models::{DeepLinear, EmpiricalRisk};
use catapult_optim::{
    Control, GradientDescent, LrSchedule, NoObserver, Objective, Observer, OptimError, Sgd,
    SgdConfig, TrainOptions, TrainOutcome, train,
};
use catapult_spectral::SymmetricOperator;
use faer::{Col, ColRef};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting the allocations of the current thread.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `work` on this thread.
fn allocations(work: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    work();
    ALLOCATIONS.with(Cell::get) - before
}

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
