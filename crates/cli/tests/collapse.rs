//! `catapult collapse` writes one row per (λ, observed step) and prints the last one per λ;
//! an unknown task is refused by name.

mod common;

#[test]
fn short_iris_run_writes_the_rows() {
    let out = common::scratch("collapse", "iris").join("collapse.csv");
    let stdout = common::stdout_of_success(&[
        "collapse",
        "--task",
        "iris",
        "--lambdas",
        "0,0.01",
        "--hidden",
        "8,8",
        "--steps",
        "40",
        "--observe-every",
        "20",
        "--threads",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(stdout.contains("0.01 | 40 |"), "{stdout}");
    let rows = std::fs::read_to_string(&out).unwrap();
    assert_eq!(rows.lines().count(), 1 + 2 * 3);
    assert!(rows.starts_with("task,normalisation,weight_decay,step,loss,"));
    let _ = std::fs::remove_file(&out);
}

#[test]
fn an_unknown_task_is_named() {
    let output = common::catapult(&["collapse", "--task", "cifar", "--out", "/dev/null"]);
    assert!(!output.status.success());
    assert!(common::stderr(&output).contains("unknown task `cifar`"));
}

#[test]
fn idx_files_run_as_a_multi_class_task() {
    let dir = common::scratch("collapse", "idx");
    let labels: Vec<u8> = vec![0, 1, 2, 0, 1, 2];
    let mut images = vec![0, 0, 8, 3];
    images.extend(6u32.to_be_bytes());
    images.extend(2u32.to_be_bytes());
    images.extend(2u32.to_be_bytes());
    for (i, label) in labels.iter().enumerate() {
        images.extend([40 * label, 10 * i as u8, 200, 255 - 30 * label]);
    }
    let mut label_file = vec![0, 0, 8, 1];
    label_file.extend(6u32.to_be_bytes());
    label_file.extend(&labels);
    std::fs::write(dir.join("images"), images).unwrap();
    std::fs::write(dir.join("labels"), label_file).unwrap();
    let out = dir.join("rows.csv");
    let (images, labels) = (dir.join("images"), dir.join("labels"));
    common::stdout_of_success(&[
        "collapse",
        "--task",
        "idx",
        "--images",
        images.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
        "--digits",
        "2,0",
        "--hidden",
        "4,4",
        "--lambdas",
        "0",
        "--steps",
        "10",
        "--observe-every",
        "10",
        "--threads",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    let rows = std::fs::read_to_string(&out).unwrap();
    assert_eq!(rows.lines().count(), 1 + 2);
    assert!(rows.lines().nth(1).unwrap().starts_with("idx-20,"));
    let _ = std::fs::remove_dir_all(&dir);
}
