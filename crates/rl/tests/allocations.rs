//! Fitted Q-iteration reads θ in place: a counting global allocator shows that the fitting
//! objective's evaluations allocate nothing (no copy of θ per evaluation), and that a run's
//! allocations do not grow with the number of gradient steps per iteration.

use catapult_models::{Model, Normalisation, ReluMlp};
use catapult_optim::Objective;
use catapult_rl::{
    FittingObjective, FqiConfig, Gridworld, GridworldConfig, OfflineDataset, QProblem, Targets,
    fitted_q_iteration,
};
use faer::{Col, Mat};
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

#[test]
fn fitting_evaluations_do_not_allocate() {
    let net = ReluMlp::new(3, &[6, 5], 2, Normalisation::None).unwrap();
    let rows = Mat::from_fn(7, 5, |i, j| {
        if j < 3 {
            ((i * 3 + j) as f64 * 0.77).sin()
        } else {
            f64::from(u8::from((i + j) % 2 == 0))
        }
    });
    let feature_rows = Mat::from_fn(4, 5, |i, j| {
        if j < 3 {
            ((i + 2 * j) as f64 * 1.31).cos()
        } else {
            0.0
        }
    });
    for penalty in [0.0, 0.5] {
        let mut fit =
            FittingObjective::new(&net, rows.clone(), feature_rows.clone(), penalty).unwrap();
        fit.targets = Col::from_fn(7, |i| i as f64 * 0.1);
        let theta = net.init(1);
        let v = net.init(2);
        let (mut gradient, mut product) =
            (Col::zeros(net.num_params()), Col::zeros(net.num_params()));
        let count = allocations(|| {
            for _ in 0..10 {
                fit.value(theta.as_ref());
                fit.value_and_gradient(theta.as_ref(), gradient.as_mut());
                fit.hessian_vector_product(theta.as_ref(), v.as_ref(), product.as_mut());
            }
        });
        assert_eq!(count, 0, "penalty {penalty}: {count} allocations");
    }
}

/// Allocations of a fitted Q-iteration run of 3 iterations with `steps` steps each.
fn fqi_run(steps: usize) -> usize {
    let config = GridworldConfig {
        width: 3,
        height: 2,
        wall_fraction: 0.0,
        reward_cells: 1,
        slip: 0.0,
    };
    let grid = Gridworld::random(&config, 1).unwrap();
    let mdp = grid.mdp().unwrap();
    let q_star = mdp.value_iteration(0.5, 1e-10, 1000).unwrap();
    let dataset = OfflineDataset::uniform(&mdp, 1, 0).unwrap();
    let features = grid.one_hot_features();
    let net = ReluMlp::new(features.ncols(), &[8], 4, Normalisation::None).unwrap();
    let mut theta = net.init(3);
    let problem = QProblem {
        mdp: &mdp,
        features: features.as_ref(),
        dataset: &dataset,
        q_star: &q_star,
    };
    let config = FqiConfig {
        gamma: 0.5,
        iterations: 3,
        steps_per_iteration: steps,
        learning_rate: 0.1,
        penalty: 0.0,
        targets: Targets::Bootstrapped,
    };
    allocations(|| {
        fitted_q_iteration(&net, &mut theta, problem, &config).unwrap();
    })
}

#[test]
fn fqi_allocations_do_not_grow_with_the_number_of_steps() {
    let (short, long) = (fqi_run(2), fqi_run(200));
    assert!(short > 0);
    assert_eq!(
        short, long,
        "{short} allocations for 2 steps per iteration, {long} for 200"
    );
}
