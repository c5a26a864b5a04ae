//! `catapult collapse` writes one row per (λ, observed step) and prints the last one per λ;
//! an unknown task is refused by name.

use std::process::Command;

#[test]
fn short_iris_run_writes_the_rows() {
    let out = std::env::temp_dir().join(format!("catapult-collapse-{}.csv", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args([
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
        ])
        .arg(&out)
        .output()
        .expect("the catapult binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("0.01 | 40 |"), "{stdout}");
    let rows = std::fs::read_to_string(&out).unwrap();
    assert_eq!(rows.lines().count(), 1 + 2 * 3);
    assert!(rows.starts_with("task,normalisation,weight_decay,step,loss,"));
    let _ = std::fs::remove_file(&out);
}

#[test]
fn an_unknown_task_is_named() {
    let output = Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args(["collapse", "--task", "cifar", "--out", "/dev/null"])
        .output()
        .expect("the catapult binary runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown task `cifar`"));
}

#[test]
fn idx_files_run_as_a_multi_class_task() {
    let dir = std::env::temp_dir().join(format!("catapult-collapse-idx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
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
    let output = Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args(["collapse", "--task", "idx", "--images"])
        .arg(dir.join("images"))
        .arg("--labels")
        .arg(dir.join("labels"))
        .args([
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
        ])
        .arg(&out)
        .output()
        .expect("the catapult binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows = std::fs::read_to_string(&out).unwrap();
    assert_eq!(rows.lines().count(), 1 + 2);
    assert!(rows.lines().nth(1).unwrap().starts_with("idx-20,"));
    let _ = std::fs::remove_dir_all(&dir);
}
