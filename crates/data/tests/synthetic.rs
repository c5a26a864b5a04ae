//! Integration tests of the synthetic generators: determinism per seed and the documented
//! properties (separability along `e_1`, the exact margin and mirrored pairs of
//! `separable_mix`, the exact count of flipped labels).

use catapult_data::{Dataset, flip_labels, separable_mix, two_gaussians};

fn positives(data: &Dataset) -> usize {
    data.y().iter().filter(|&&v| v == 1.0).count()
}

#[test]
fn generators_are_deterministic_per_seed() {
    assert_eq!(
        two_gaussians(20, 4, 2.0, 1.0, 5).unwrap(),
        two_gaussians(20, 4, 2.0, 1.0, 5).unwrap()
    );
    assert_ne!(
        two_gaussians(20, 4, 2.0, 1.0, 5).unwrap(),
        two_gaussians(20, 4, 2.0, 1.0, 6).unwrap()
    );
    assert_eq!(
        separable_mix(40, 3, 2, 1.0, 5).unwrap(),
        separable_mix(40, 3, 2, 1.0, 5).unwrap()
    );
    assert_ne!(
        separable_mix(40, 3, 2, 1.0, 5).unwrap().data,
        separable_mix(40, 3, 2, 1.0, 6).unwrap().data
    );
    let data = two_gaussians(20, 2, 1.0, 1.0, 0).unwrap();
    assert_eq!(
        flip_labels(&data, 0.25, 3).unwrap(),
        flip_labels(&data, 0.25, 3).unwrap()
    );
    assert_ne!(
        flip_labels(&data, 0.25, 3).unwrap(),
        flip_labels(&data, 0.25, 4).unwrap()
    );
}

#[test]
fn two_gaussians_with_gap_ten_std_is_separable_along_e1() {
    for seed in 0..3 {
        let data = two_gaussians(500, 5, 10.0, 1.0, seed).unwrap();
        assert_eq!((data.len(), data.dim(), positives(&data)), (1000, 5, 500));
        let worst = (0..data.len())
            .map(|i| data.y()[i] * data.x()[(i, 0)])
            .fold(f64::INFINITY, f64::min);
        assert!(worst > 0.0, "seed {seed}: margin along e1 {worst}");
    }
}

#[test]
fn two_gaussians_overlap_as_the_gap_shrinks() {
    // Fraction on the wrong side of the origin along e1 ≈ Φ(−gap/(2·std)).
    let wrong = |gap: f64| {
        let data = two_gaussians(5000, 2, gap, 1.0, 11).unwrap();
        (0..data.len())
            .filter(|&i| data.y()[i] * data.x()[(i, 0)] < 0.0)
            .count() as f64
            / data.len() as f64
    };
    // Φ(0) = 0.5, Φ(−0.5) = 0.3085, Φ(−1.5) = 0.0668; standard errors ≤ 0.005.
    assert!((wrong(0.0) - 0.5).abs() < 0.025);
    assert!((wrong(1.0) - 0.3085).abs() < 0.025);
    assert!((wrong(3.0) - 0.0668).abs() < 0.015);
}

#[test]
fn separable_mix_has_the_documented_blocks_margin_and_pairs() {
    let (n, k1, k2, margin) = (50, 4, 3, 0.7);
    let mix = separable_mix(n, k1, k2, margin, 2).unwrap();
    let (x, y) = (mix.data.x(), mix.data.y());
    assert_eq!((mix.data.len(), mix.data.dim()), (50, 7));
    assert_eq!(mix.separable_coords, 0..4);
    assert_eq!(mix.nonseparable_coords, 4..7);
    // ⌊50/4⌋ = 12 pairs, 26 separable samples
    assert_eq!(mix.separable_samples, 0..26);
    assert_eq!(mix.nonseparable_samples, 26..50);
    assert_eq!(mix.margin, margin);
    let u = &mix.direction;
    assert!((u.norm_l2() - 1.0).abs() < 1e-15);
    assert!((0..4).all(|j| (u[j] - 0.5).abs() < 1e-15));
    assert!((4..7).all(|j| u[j] == 0.0));
    let along = |i: usize| (0..7).map(|j| u[j] * x[(i, j)]).sum::<f64>();
    for i in mix.separable_samples.clone() {
        assert!(y[i] * along(i) >= margin - 1e-12, "sample {i}");
        assert_eq!(y[i], if i % 2 == 0 { 1.0 } else { -1.0 });
    }
    // The margin is attained, by samples 0 and 1, which lie on ±margin·u in the first block.
    for i in [0, 1] {
        assert!((y[i] * along(i) - margin).abs() < 1e-12);
        for j in 0..4 {
            assert!((x[(i, j)] - y[i] * margin * u[j]).abs() < 1e-12);
        }
    }
    // Label-independent noise in the second block of the separable samples.
    assert!((4..7).any(|j| x[(5, j)] != 0.0));
    for q in 0..12 {
        let (a, b) = (26 + 2 * q, 27 + 2 * q);
        assert_eq!(y[a], y[b]);
        assert_eq!(y[a], if q % 2 == 0 { 1.0 } else { -1.0 });
        for j in 0..4 {
            assert_eq!((x[(a, j)], x[(b, j)]), (0.0, 0.0));
        }
        for j in 4..7 {
            assert_eq!(x[(a, j)], -x[(b, j)]);
            assert!(x[(a, j)] != 0.0);
        }
    }
    // 13 of the separable samples and 6 pairs are positive.
    assert_eq!(positives(&mix.data), 13 + 12);
}

#[test]
fn flip_labels_flips_exactly_the_rounded_fraction() {
    let clean = two_gaussians(37, 3, 2.0, 1.0, 4).unwrap(); // n = 74
    for (fraction, expected) in [(0.0, 0), (0.1, 7), (0.25, 19), (0.5, 37), (1.0, 74)] {
        let noisy = flip_labels(&clean, fraction, 8).unwrap();
        assert_eq!(noisy.x(), clean.x());
        noisy.check_binary_labels().unwrap();
        let flipped = (0..74).filter(|&i| noisy.y()[i] != clean.y()[i]).count();
        assert_eq!(flipped, expected, "fraction {fraction}");
        assert!((0..74).all(|i| noisy.y()[i].abs() == 1.0));
    }
}
