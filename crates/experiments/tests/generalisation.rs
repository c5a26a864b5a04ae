//! The generalisation experiment: determinism across thread counts, phases read off the loss
//! curve, step-0 measurements, the known non-separable dimensions, and spec validation.

use catapult_experiments::generalisation::{
    GeneralisationSpec, Phase, RunPlan, Task, run_grid, run_task, summarise,
};

fn small_spec() -> GeneralisationSpec {
    GeneralisationSpec {
        tasks: vec![Task::IrisVersicolorVirginica, Task::SeparableMix],
        seeds: vec![0, 1],
        edge_multiples: vec![0.5, 2.0],
        depth: 2,
        width: 16,
        checkpoints: vec![20, 60],
        anneal: Some((30, 0.5)),
        test_fraction: 0.3,
        restricted_sharpness: true,
    }
}

fn plan(edge_multiple: f64, checkpoints: Vec<usize>) -> RunPlan {
    RunPlan::constant(2, 32, edge_multiple, checkpoints).unwrap()
}

#[test]
fn rows_are_identical_bits_on_one_and_two_threads() {
    let spec = small_spec();
    let csv = |threads| {
        let rows = run_grid(&spec, threads, |_, _| {}).unwrap();
        let mut bytes = Vec::new();
        catapult_lab::write_csv_rows(&rows, &mut bytes).unwrap();
        (rows, bytes)
    };
    let (rows, one) = csv(1);
    let (_, two) = csv(2);
    assert_eq!(one, two);
    // 2 tasks × 2 seeds × (2 constant + 1 annealed) runs × (step 0 + 2 checkpoints), unless a
    // run diverged.
    assert!(rows.iter().all(|r| r.phase != Phase::Divergent));
    assert_eq!(rows.len(), 2 * 2 * 3 * 3);
    let header = String::from_utf8(one).unwrap();
    assert!(header.starts_with("task,seed,schedule,edge_multiple,eta,eta_small,sharpness0,phase,"));
}

#[test]
fn a_small_step_is_lazy_and_measures_at_step_zero() {
    let task = Task::WineRed.prepare(2, 0.3, true).unwrap();
    let result = run_task(&task, &plan(0.25, vec![0, 50, 200])).unwrap();
    assert_eq!(result.phase, Phase::Lazy);
    assert_eq!(result.first_rise, None);
    let steps: Vec<usize> = result.checkpoints.iter().map(|c| c.step).collect();
    assert_eq!(steps, [0, 50, 200]);
    let losses: Vec<f64> = result.checkpoints.iter().map(|c| c.train_loss).collect();
    assert!(losses.windows(2).all(|w| w[1] < w[0]), "{losses:?}");
    let start = result.checkpoints[0];
    assert!((start.sharpness - result.sharpness0).abs() <= 1e-6 * result.sharpness0);
    assert_eq!(result.unit, 2.0 / result.sharpness0);
}

#[test]
fn a_step_above_the_boundary_catapults_and_a_huge_one_diverges_with_finite_rows() {
    let task = Task::WineRed.prepare(2, 0.3, true).unwrap();
    let catapult = run_task(&task, &plan(3.0, vec![0, 400])).unwrap();
    assert_eq!(catapult.phase, Phase::Catapult);
    let last = catapult.checkpoints.last().unwrap();
    assert!(last.sharpness < catapult.sharpness0);
    assert!(last.sharpness * 3.0 * catapult.unit < 2.0 + 1e-6);

    let blown = run_task(&task, &plan(1e4, vec![0, 400])).unwrap();
    assert_eq!(blown.phase, Phase::Divergent);
    assert_eq!(blown.checkpoints.len(), 1);
    let start = blown.checkpoints[0];
    for value in [
        start.train_loss,
        start.test_loss,
        start.sharpness,
        start.gradient_norm,
    ] {
        assert!(value.is_finite());
    }
}

#[test]
fn the_large_then_small_schedule_switches_step_size() {
    let task = Task::IrisVersicolorVirginica
        .prepare(0, 0.3, false)
        .unwrap();
    let constant = run_task(&task, &plan(2.0, vec![0, 100, 300])).unwrap();
    let mut annealed = plan(2.0, vec![0, 100, 300]);
    annealed.schedule = "seq:[fix:k0=2@100,fix:k0=0.5]".parse().unwrap();
    let result = run_task(&task, &annealed).unwrap();
    assert_ne!(result.phase, Phase::Divergent);
    assert_eq!(result.unit, constant.unit);
    assert_eq!(result.checkpoints[..2], constant.checkpoints[..2]);
    assert_ne!(result.checkpoints[2], constant.checkpoints[2]);
}

#[test]
fn non_separable_dimensions_are_the_known_ones() {
    let mix = Task::SeparableMix.prepare(1, 0.3, true).unwrap();
    let subspaces = mix.subspaces.unwrap();
    assert_eq!(
        (subspaces.nonseparable.ncols(), subspaces.complement.ncols()),
        (4, 4)
    );
    let setosa = Task::IrisSetosaVsRest.prepare(1, 0.3, true).unwrap();
    assert_eq!(setosa.subspaces.as_ref().unwrap().nonseparable.ncols(), 0);
    let result = run_task(&setosa, &plan(0.5, vec![0, 10])).unwrap();
    for checkpoint in &result.checkpoints {
        assert!(checkpoint.sharpness_nonseparable.is_none());
        assert!(checkpoint.sharpness_complement.is_some());
    }
    let skipped = Task::IrisSetosaVsRest.prepare(1, 0.3, false).unwrap();
    assert!(skipped.subspaces.is_none());
    let result = run_task(&skipped, &plan(0.5, vec![0, 10])).unwrap();
    for checkpoint in &result.checkpoints {
        assert!(checkpoint.sharpness_complement.is_none());
    }
}

#[test]
fn the_summary_pairs_seeds_against_the_smallest_step() {
    let rows = run_grid(&small_spec(), 2, |_, _| {}).unwrap();
    let summary = summarise(&rows, 60);
    let reference = summary
        .groups
        .iter()
        .find(|g| g.task == "separable-mix" && g.schedule == "constant" && g.edge_multiple == 0.5)
        .unwrap();
    let gain = reference.accuracy_gain.unwrap();
    assert_eq!((gain.mean, gain.sd, reference.runs), (0.0, 0.0, 2));
    for group in &summary.groups {
        assert_eq!(group.runs, 2);
        let accuracy = group.test_accuracy.unwrap();
        assert!((0.0..=1.0).contains(&accuracy.mean));
    }
}

#[test]
fn bad_specs_name_their_field() {
    let field = |edit: fn(&mut GeneralisationSpec)| {
        let mut spec = small_spec();
        edit(&mut spec);
        spec.validate().unwrap_err().field
    };
    assert_eq!(field(|s| s.tasks.clear()), "tasks");
    assert_eq!(field(|s| s.seeds.clear()), "seeds");
    assert_eq!(
        field(|s| s.edge_multiples = vec![1.0, f64::NAN]),
        "edge_multiples"
    );
    assert_eq!(field(|s| s.edge_multiples = vec![-1.0]), "edge_multiples");
    assert_eq!(field(|s| s.depth = 1), "depth");
    assert_eq!(field(|s| s.width = 0), "width");
    assert_eq!(field(|s| s.checkpoints = vec![10, 10]), "checkpoints");
    assert_eq!(field(|s| s.test_fraction = 1.0), "test_fraction");
    assert_eq!(field(|s| s.anneal = Some((60, 0.5))), "anneal");
    assert_eq!(field(|s| s.anneal = Some((10, 0.0))), "anneal");
    let error = run_grid(
        &GeneralisationSpec {
            width: 0,
            ..small_spec()
        },
        1,
        |_, _| {},
    )
    .unwrap_err();
    assert!(error.to_string().contains("width"), "{error}");
    assert!(
        "no-such-task"
            .parse::<Task>()
            .unwrap_err()
            .contains("iris-setosa")
    );
}
