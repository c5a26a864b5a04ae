//! Integration tests of stratified splits and the train-only standardiser.

use catapult_data::{Dataset, Standardizer, iris_setosa_vs_rest, winequality_red};
use faer::{Col, Mat};

fn count(data: &Dataset, label: f64) -> usize {
    data.y().iter().filter(|&&v| v == label).count()
}

/// 30 positive and 70 negative samples, interleaved; feature 0 is the sample index.
fn imbalanced() -> Dataset {
    let y = Col::from_fn(100, |i| if i % 10 < 3 { 1.0 } else { -1.0 });
    let x = Mat::from_fn(100, 2, |i, j| {
        if j == 0 {
            i as f64
        } else {
            (i * i % 17) as f64
        }
    });
    Dataset::new(x, y).unwrap()
}

#[test]
fn stratification_keeps_class_proportions() {
    let data = imbalanced();
    for seed in 0..5 {
        let (train, test) = data.split(0.2, seed).unwrap();
        assert_eq!((count(&test, 1.0), count(&test, -1.0)), (6, 14));
        assert_eq!((count(&train, 1.0), count(&train, -1.0)), (24, 56));
    }
    let iris = iris_setosa_vs_rest();
    let (train, test) = iris.split(0.3, 0).unwrap();
    assert_eq!((count(&test, 1.0), count(&test, -1.0)), (15, 30));
    assert_eq!((count(&train, 1.0), count(&train, -1.0)), (35, 70));
    // 855 / 744: round(0.25·855) = 214, round(0.25·744) = 186
    let wine = winequality_red();
    let (train, test) = wine.split(0.25, 9).unwrap();
    assert_eq!((count(&test, 1.0), count(&test, -1.0)), (214, 186));
    assert_eq!(train.len(), 1599 - 400);
}

#[test]
fn splits_are_seeded_partitions() {
    let data = imbalanced();
    let (train, test) = data.split(0.2, 3).unwrap();
    assert_eq!((train.clone(), test.clone()), data.split(0.2, 3).unwrap());
    assert_ne!(test, data.split(0.2, 4).unwrap().1);
    // every sample lands in exactly one part, with its own label
    let mut seen = [0u8; 100];
    for part in [&train, &test] {
        for r in 0..part.len() {
            let id = part.x()[(r, 0)] as usize;
            seen[id] += 1;
            assert_eq!(part.y()[r], data.y()[id]);
            assert_eq!(part.x()[(r, 1)], data.x()[(id, 1)]);
        }
    }
    assert!(seen.iter().all(|&k| k == 1));
}

#[test]
fn standardizer_uses_training_statistics_only() {
    let wine = winequality_red();
    let (train, test) = wine.split(0.3, 1).unwrap();
    let scaler = Standardizer::fit(&train);
    let fitted = scaler.clone();
    let n = train.len() as f64;
    for j in 0..train.dim() {
        let column = train.x().col(j);
        let mean = column.iter().sum::<f64>() / n;
        let std = (column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        assert!((scaler.mean()[j] - mean).abs() <= 1e-12 * mean.abs().max(1.0));
        assert!((scaler.scale()[j] - std).abs() <= 1e-12 * std);
    }
    let train_z = scaler.transform(&train).unwrap();
    for j in 0..train.dim() {
        let column = train_z.x().col(j);
        let mean = column.iter().sum::<f64>() / n;
        let var = column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        assert!(mean.abs() < 1e-12, "feature {j}: mean {mean}");
        assert!((var - 1.0).abs() < 1e-12, "feature {j}: variance {var}");
    }
    // Transforming the test split neither refits nor changes the statistics…
    let test_z = scaler.transform(&test).unwrap();
    assert_eq!(scaler, fitted);
    assert_eq!(test_z.y(), test.y());
    for i in [0, 17, test.len() - 1] {
        for j in 0..test.dim() {
            let expected = (test.x()[(i, j)] - fitted.mean()[j]) / fitted.scale()[j];
            assert_eq!(test_z.x()[(i, j)], expected);
        }
    }
    // …and the statistics differ from those of the whole data (the test part is not used).
    let whole = Standardizer::fit(&wine);
    assert!((0..wine.dim()).any(|j| whole.mean()[j] != fitted.mean()[j]));
    let test_mean = test_z.x().col(10).iter().sum::<f64>() / test.len() as f64;
    assert!(
        test_mean.abs() > 1e-6,
        "the test part is not centred on itself"
    );
}
