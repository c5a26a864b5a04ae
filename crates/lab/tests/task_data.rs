//! Run configs on real, synthetic and file data: the training part of a task, split with the
//! run's seed; unknown names and bad label indices are errors naming the field.

use catapult_lab::{RunConfig, run};

fn config(data: &str) -> String {
    format!(
        r#"{{"data": {data}, "model": {{"kind": "deep-linear", "depth": 3, "width": 32}},
        "loss": "logistic", "seed": 2, "lr": {{"factor": 0.5}}, "steps": 40, "observe_every": 20}}"#
    )
}

#[test]
fn a_task_trains_on_its_training_part() {
    let config =
        RunConfig::from_json(&config(r#"{"kind": "task", "name": "iris-setosa"}"#)).unwrap();
    let record = run(&config, |_, _| {}).unwrap();
    assert_eq!(record.trace.step, [0, 20, 40]);
    assert!(record.final_state.loss < record.trace.loss[0]);
    assert!(record.final_state.accuracy > 0.9);
    // Same seed, same split and initialisation: the same bits.
    let again = run(&config, |_, _| {}).unwrap();
    assert_eq!(
        again.final_state.loss.to_bits(),
        record.final_state.loss.to_bits()
    );
}

#[test]
fn a_csv_file_is_a_data_source() {
    let path = std::env::temp_dir().join(format!("catapult-task-data-{}.csv", std::process::id()));
    let mut text = String::from("x,y,class\n");
    for i in 0..30 {
        let (x, y) = ((i % 6) as f64 - 2.5, (i % 5) as f64 - 2.0);
        text.push_str(&format!(
            "{x},{y},{}\n",
            if x + 0.5 * y > 0.0 { "a" } else { "b" }
        ));
    }
    std::fs::write(&path, text).unwrap();
    for label in ["class", "#2"] {
        let data = format!(
            r#"{{"kind": "csv", "path": {:?}, "label": "{label}", "positive": "a"}}"#,
            path.display().to_string()
        );
        let record = run(&RunConfig::from_json(&config(&data)).unwrap(), |_, _| {}).unwrap();
        assert!(record.final_state.loss.is_finite());
    }
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn bad_data_sources_name_the_field() {
    let error = |data: &str| RunConfig::from_json(&config(data)).unwrap_err().to_string();
    assert!(error(r#"{"kind": "task", "name": "mnist"}"#).contains("`data.name`"));
    assert!(
        error(r##"{"kind": "csv", "path": "x.csv", "label": "#two", "positive": "1"}"##)
            .contains("`data.label`")
    );
    let missing = RunConfig::from_json(&config(
        r#"{"kind": "idx", "images": "/nonexistent/images", "labels": "/nonexistent/labels", "classes": [3, 5]}"#,
    ))
    .unwrap();
    let message = run(&missing, |_, _| {}).unwrap_err().to_string();
    assert!(message.contains("/nonexistent/"), "{message}");
    assert!(message.contains("cannot read the file"), "{message}");
}
