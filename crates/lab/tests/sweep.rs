//! `run_sweep` through the library: callbacks, resuming, conflicts, failures, bad setups.

use catapult_lab::RunConfig;
use catapult_lab::sweep::{RunError, RunOutcome, Shard, SweepError, SweepSpec, run_sweep};
use std::path::PathBuf;
use std::sync::Mutex;

const DATA: &str =
    r#"{"kind": "degenerate", "a": [1.0, 0.6, -0.8], "y": [1.0, 1.0, -1.0], "dim": 3}"#;

fn spec(data: &str) -> SweepSpec {
    let base = RunConfig::from_json(&format!(
        r#"{{"data": {data},
        "model": {{"kind": "two-layer-linear", "width": 8}}, "loss": "logistic",
        "lr": {{"value": 0.1}}, "steps": 40, "observe_every": 20}}"#
    ))
    .unwrap();
    SweepSpec::new(base, vec![0.5, 2.0, 8.0], vec![4, 8], vec![0, 1]).unwrap()
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("catapult-lab-sweep-{}", std::process::id()))
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn on_done_sees_every_run_of_the_shard_once() {
    let spec = spec(DATA);
    let dir = scratch("callback");
    let seen = Mutex::new(Vec::new());
    let shard = Shard::new(1, 2).unwrap();
    let summary = run_sweep(&spec, shard, &dir, 3, |key, outcome| {
        assert!(matches!(outcome, RunOutcome::Done), "{outcome:?}");
        seen.lock().unwrap().push(key.file_name());
    })
    .unwrap();
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    let mut expected: Vec<String> = spec
        .shard_keys(shard)
        .iter()
        .map(|(_, k)| k.file_name())
        .collect();
    expected.sort();
    assert_eq!(seen, expected);
    assert_eq!((summary.grid_runs, summary.shard_runs), (12, 6));
    assert_eq!(
        (summary.done, summary.skipped, summary.failures.len()),
        (6, 0, 0)
    );
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert_eq!(on_disk, expected);
}

#[test]
fn a_record_of_another_config_is_a_conflict_and_stays_untouched() {
    let spec = spec(DATA);
    let dir = scratch("conflict");
    run_sweep(&spec, Shard::ALL, &dir, 2, |_, _| {}).unwrap();
    let keys = spec.keys();
    let (victim, other) = (dir.join(keys[0].file_name()), dir.join(keys[5].file_name()));
    std::fs::copy(&other, &victim).unwrap();
    let summary = run_sweep(&spec, Shard::ALL, &dir, 2, |_, _| {}).unwrap();
    assert_eq!((summary.done, summary.skipped), (0, 11));
    let [failure] = &summary.failures[..] else {
        panic!("{:?}", summary.failures)
    };
    assert_eq!((failure.index, failure.key), (0, keys[0]));
    assert!(matches!(failure.error, RunError::Conflict { .. }));
    assert_eq!(
        std::fs::read(&victim).unwrap(),
        std::fs::read(&other).unwrap()
    );
}

#[test]
fn failing_runs_are_collected_in_grid_order() {
    let dir = scratch("failing");
    let absent = dir.with_extension("absent.csv");
    let spec = spec(&format!(
        r#"{{"kind": "csv", "path": "{}", "label": "y", "positive": "1"}}"#,
        absent.display()
    ));
    let summary = run_sweep(&spec, Shard::ALL, &dir, 2, |_, _| {}).unwrap();
    assert_eq!(summary.done, 0);
    let indices: Vec<usize> = summary.failures.iter().map(|f| f.index).collect();
    assert_eq!(indices, (0..12).collect::<Vec<_>>());
    assert!(
        summary.failures[3]
            .error
            .to_string()
            .contains("absent.csv: cannot read the file")
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn bad_setups_are_errors_before_any_run() {
    let spec = spec(DATA);
    let dir = scratch("setup");
    let error = run_sweep(&spec, Shard::ALL, &dir, 0, |_, _| {}).unwrap_err();
    assert!(matches!(error, SweepError::NoThreads));
    assert!(!dir.exists());
    std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
    std::fs::write(&dir, "a file, not a directory").unwrap();
    let error = run_sweep(&spec, Shard::ALL, &dir.join("runs"), 1, |_, _| {}).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("creating the output directory"),
        "{error}"
    );
}
