//! Integration tests of the separability tests and max-margin references: known cases, brute
//! force in 2-D, an independent per-sample LP, the decomposition of mixed data, and the ℓ1
//! against the ℓ2 max-margin on a sparse teacher.

use catapult_data::{
    Bias, DataError, Dataset, Separability, SeparabilityError, decompose, degenerate_direction,
    max_margin_l1, max_margin_l2, separability,
};
use faer::{Col, ColRef, Mat, MatRef};
use std::f64::consts::PI;

/// SplitMix64 with Box–Muller normals: enough randomness for seeded test data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        (-2.0 * self.uniform().ln()).sqrt() * (2.0 * PI * self.uniform()).cos()
    }

    fn sign(&mut self) -> f64 {
        if self.uniform() < 0.5 { -1.0 } else { 1.0 }
    }
}

fn dataset(rows: &[Vec<f64>], labels: &[f64]) -> Dataset {
    let x = Mat::from_fn(rows.len(), rows[0].len(), |i, j| rows[i][j]);
    Dataset::new(x, Col::from_fn(labels.len(), |i| labels[i])).unwrap()
}

fn margin_of(data: &Dataset, u: ColRef<'_, f64>, bias: f64) -> f64 {
    let (x, y) = (data.x(), data.y());
    (0..data.len())
        .map(|i| y[i] * ((x.row(i) * u) + bias))
        .fold(f64::INFINITY, f64::min)
}

fn max_abs_diff(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
    assert_eq!((a.nrows(), a.ncols()), (b.nrows(), b.ncols()));
    let mut worst = 0.0f64;
    for i in 0..a.nrows() {
        for j in 0..a.ncols() {
            worst = worst.max((a[(i, j)] - b[(i, j)]).abs());
        }
    }
    worst
}

fn separable(answer: Separability) -> catapult_data::MaxMargin {
    match answer {
        Separability::Separable(m) => m,
        Separability::NotSeparable(d) => panic!("expected separable, got {d:?}"),
    }
}

fn not_separable(answer: Separability) -> catapult_data::Decomposition {
    match answer {
        Separability::NotSeparable(d) => d,
        Separability::Separable(m) => panic!("expected not separable, got {m:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Known cases
// ---------------------------------------------------------------------------------------------

#[test]
fn points_at_plus_minus_two_have_margin_two_along_e1() {
    let rows: Vec<Vec<f64>> = [
        [2.0, 1.0],
        [2.0, -3.0],
        [2.0, 0.0],
        [-2.0, 0.5],
        [-2.0, 2.0],
    ]
    .iter()
    .map(|r| r.to_vec())
    .collect();
    let data = dataset(&rows, &[1.0, 1.0, 1.0, -1.0, -1.0]);
    for bias in [Bias::Without, Bias::With] {
        let m = separable(separability(&data, bias).unwrap());
        assert!((m.margin - 2.0).abs() < 1e-6, "{bias}: {m:?}");
        assert!((m.direction[0] - 1.0).abs() < 1e-6 && m.direction[1].abs() < 1e-6);
        assert!(m.bias.abs() < 1e-6);
        assert_eq!(max_margin_l2(&data, bias).unwrap(), m);
        // ℓ1: e1 has ℓ1 norm 1 as well, and nothing does better.
        let l1 = max_margin_l1(&data, bias).unwrap();
        assert!((l1.margin - 2.0).abs() < 1e-6, "{bias}: {l1:?}");
        assert!((l1.direction.norm_l1() - 1.0).abs() < 1e-12);
        assert!((l1.direction[0] - 1.0).abs() < 1e-6);
    }
}

#[test]
fn a_shifted_gap_needs_the_bias() {
    // First coordinate 3 (label +1) or -1 (label -1): with a bias the gap [-1, 3] gives margin 2
    // at threshold 1; without one the best line through the origin does worse.
    let rows: Vec<Vec<f64>> = [[3.0, 1.0], [3.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]]
        .iter()
        .map(|r| r.to_vec())
        .collect();
    let data = dataset(&rows, &[1.0, 1.0, -1.0, -1.0]);
    let with = max_margin_l2(&data, Bias::With).unwrap();
    assert!((with.margin - 2.0).abs() < 1e-6, "{with:?}");
    assert!((with.bias + 1.0).abs() < 1e-6, "{with:?}");
    assert!((with.direction[0] - 1.0).abs() < 1e-6);
    let without = max_margin_l2(&data, Bias::Without).unwrap();
    assert_eq!(without.bias, 0.0);
    // Without bias: margin(θ) = min(3c - |s|, c - |s|) at best, so u = e1 and margin 1.
    assert!((without.margin - 1.0).abs() < 1e-6, "{without:?}");
}

#[test]
fn xor_is_not_separable_with_or_without_bias() {
    let rows: Vec<Vec<f64>> = [[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]]
        .iter()
        .map(|r| r.to_vec())
        .collect();
    let data = dataset(&rows, &[1.0, 1.0, -1.0, -1.0]);
    for bias in [Bias::Without, Bias::With] {
        let d = not_separable(separability(&data, bias).unwrap());
        assert_eq!(d.non_separable, vec![0, 1, 2, 3]);
        assert!(d.separable.is_empty() && d.separable_part.is_none());
        assert_eq!((d.dim(), d.complement.ncols()), (2, 0));
        assert!(max_abs_diff(d.projector().as_ref(), Mat::<f64>::identity(2, 2).as_ref()) < 1e-12);
        let err = max_margin_l2(&data, bias).unwrap_err();
        assert_eq!(
            err,
            SeparabilityError::NotSeparable {
                bias,
                non_separable: 4,
                samples: 4
            }
        );
        assert!(matches!(
            max_margin_l1(&data, bias),
            Err(SeparabilityError::NotSeparable { .. })
        ));
    }
}

#[test]
fn one_input_with_both_labels_is_the_only_non_separable_part() {
    // Samples 0 and 1 share x = (1, 1) with opposite labels; samples 2 and 3 are classified by
    // (1, -1)/√2, which is orthogonal to (1, 1), with margin 3/√2 each.
    let rows: Vec<Vec<f64>> = [[1.0, 1.0], [1.0, 1.0], [2.0, -1.0], [-1.0, 2.0]]
        .iter()
        .map(|r| r.to_vec())
        .collect();
    let data = dataset(&rows, &[1.0, -1.0, 1.0, -1.0]);
    for bias in [Bias::Without, Bias::With] {
        let d = not_separable(separability(&data, bias).unwrap());
        assert_eq!(d.non_separable, vec![0, 1], "{bias}");
        assert_eq!(d.separable, vec![2, 3]);
        assert_eq!(d.dim(), 1);
        let e = 1.0 / 2f64.sqrt();
        let expected = Mat::from_fn(2, 2, |_, _| 0.5);
        assert!(max_abs_diff(d.projector().as_ref(), expected.as_ref()) < 1e-12);
        let part = d.separable_part.unwrap();
        assert!((part.margin - 3.0 * e).abs() < 1e-6, "{part:?}");
        assert!((part.direction[0] - e).abs() < 1e-6 && (part.direction[1] + e).abs() < 1e-6);
    }
}

#[test]
fn nearly_parallel_non_separable_inputs_still_span_a_plane() {
    // (1, 0, 0) and (1, 1e-6, 0) each carry both labels: non-separable, spanning the plane of
    // e1 and e2 (the second singular value is about 7e-7, far above rounding). (0, 0, 1) is
    // separable along e3.
    let rows = [
        vec![1.0, 0.0, 0.0],
        vec![1.0, 0.0, 0.0],
        vec![1.0, 1e-6, 0.0],
        vec![1.0, 1e-6, 0.0],
        vec![0.0, 0.0, 1.0],
    ];
    let data = dataset(&rows, &[1.0, -1.0, 1.0, -1.0, 1.0]);
    let d = decompose(&data).unwrap();
    assert_eq!(d.non_separable, vec![0, 1, 2, 3]);
    assert_eq!(d.separable, vec![4]);
    assert_eq!(d.dim(), 2);
    let expected = Mat::from_fn(3, 3, |i, j| f64::from(u8::from(i == j && i < 2)));
    assert!(max_abs_diff(d.projector().as_ref(), expected.as_ref()) < 1e-8);
    let part = d.separable_part.unwrap();
    assert!((part.margin - 1.0).abs() < 1e-6 && (part.direction[2] - 1.0).abs() < 1e-6);
}

#[test]
fn degenerate_data_with_mixed_signs_has_the_line_as_non_separable_subspace() {
    let dim = 3;
    let e = degenerate_direction(dim);
    let e_et = &e * e.transpose();
    // y_i a_i = 1, 2, -1, -0.5: mixed.
    let data = Dataset::degenerate(&[1.0, 2.0, -1.0, 0.5], &[1.0, 1.0, 1.0, -1.0], dim).unwrap();
    let d = not_separable(separability(&data, Bias::Without).unwrap());
    assert_eq!(d.non_separable, vec![0, 1, 2, 3]);
    assert_eq!((d.dim(), d.complement.ncols()), (1, 2));
    assert!(max_abs_diff(d.projector().as_ref(), e_et.as_ref()) < 1e-12);
    let complement = &d.complement * d.complement.transpose();
    let rest = Mat::<f64>::identity(dim, dim) - &e_et;
    assert!(max_abs_diff(complement.as_ref(), rest.as_ref()) < 1e-12);
    // The positive 0.5 lies between -1 and 1, both positive: no threshold helps either.
    assert!(!separability(&data, Bias::With).unwrap().is_separable());
    assert_eq!(decompose(&data).unwrap(), d);
}

#[test]
fn degenerate_data_with_positive_signed_coordinates_is_separable_along_the_line() {
    let dim = 4;
    let e = degenerate_direction(dim);
    let a = [1.0, -2.0, 0.5, -3.0];
    let y = [1.0, -1.0, 1.0, -1.0];
    let data = Dataset::degenerate(&a, &y, dim).unwrap();
    let m = separable(separability(&data, Bias::Without).unwrap());
    assert!((m.margin - 0.5).abs() < 1e-6, "{m:?}");
    assert!((&m.direction - &e).norm_l2() < 1e-6);
    let d = decompose(&data).unwrap();
    assert!(d.non_separable.is_empty() && d.dim() == 0);
    assert_eq!(d.separable, vec![0, 1, 2, 3]);
    assert!(
        max_abs_diff(
            (&d.complement * d.complement.transpose()).as_ref(),
            Mat::<f64>::identity(dim, dim).as_ref()
        ) < 1e-12
    );
    let part = d.separable_part.unwrap();
    assert!((part.margin - 0.5).abs() < 1e-6 && (&part.direction - &e).norm_l2() < 1e-6);
}

#[test]
fn degenerate_data_separable_only_with_a_threshold() {
    // a = 1, 2, 3 with labels -, +, +: y a is mixed (no line through the origin works), but the
    // threshold 1.5 separates with margin 0.5.
    let dim = 2;
    let data = Dataset::degenerate(&[1.0, 2.0, 3.0], &[-1.0, 1.0, 1.0], dim).unwrap();
    let d = not_separable(separability(&data, Bias::Without).unwrap());
    assert_eq!(d.dim(), 1);
    let m = separable(separability(&data, Bias::With).unwrap());
    assert!((m.margin - 0.5).abs() < 1e-6, "{m:?}");
    assert!((m.bias + 1.5).abs() < 1e-6, "{m:?}");
    assert!((&m.direction - &degenerate_direction(dim)).norm_l2() < 1e-6);
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[test]
fn labels_other_than_plus_minus_one_are_rejected() {
    let data = dataset(&[vec![1.0], vec![2.0]], &[1.0, 0.0]);
    let expected = SeparabilityError::Labels(DataError::NotBinaryLabel {
        sample: 1,
        value: 0.0,
    });
    assert_eq!(separability(&data, Bias::Without).unwrap_err(), expected);
    assert_eq!(max_margin_l2(&data, Bias::With).unwrap_err(), expected);
    assert_eq!(max_margin_l1(&data, Bias::With).unwrap_err(), expected);
    assert_eq!(decompose(&data).unwrap_err(), expected);
}

#[test]
fn a_single_class_is_an_error_with_a_bias_and_a_half_space_question_without() {
    let in_half_plane = dataset(
        &[vec![1.0, 0.0], vec![1.0, 2.0], vec![2.0, -1.0]],
        &[1.0; 3],
    );
    for result in [
        separability(&in_half_plane, Bias::With).map(|_| ()),
        max_margin_l2(&in_half_plane, Bias::With).map(|_| ()),
        max_margin_l1(&in_half_plane, Bias::With).map(|_| ()),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err, SeparabilityError::SingleClass { label: 1.0 });
        assert!(err.to_string().contains("trivially separable"));
    }
    // Without a bias: all three points have positive first coordinate... but (1, 2) and
    // (2, -1) pull apart; the direction (2, 1)/√5 gives 2/√5, 4/√5, 3/√5.
    let m = separable(separability(&in_half_plane, Bias::Without).unwrap());
    assert!(m.margin > 0.0 && m.bias == 0.0);
    assert!(margin_of(&in_half_plane, m.direction.as_ref(), 0.0) >= 2.0 / 5f64.sqrt() - 1e-6);
    // x and -x with the same label: no half-space holds both.
    let opposite = dataset(
        &[vec![1.0, 1.0], vec![-1.0, -1.0], vec![0.0, 1.0]],
        &[-1.0; 3],
    );
    let d = not_separable(separability(&opposite, Bias::Without).unwrap());
    assert_eq!(d.non_separable, vec![0, 1]);
    assert_eq!(d.separable, vec![2]);
}

#[test]
fn verdicts_near_the_boundary_are_honest_about_their_resolution() {
    // (1, 0) and (-1, δ), both +1: separable only by directions close to (δ/2, 1), with
    // cosine margin m(δ) = δ/√(4 + δ²) ≈ δ/2 (the second sample has norm ≈ 1). Whatever the
    // verdict, it must be true up to its stated resolution.
    let mut verdicts = Vec::new();
    for exponent in 1..=14 {
        let delta = 10f64.powi(-exponent);
        let data = dataset(&[vec![1.0, 0.0], vec![-1.0, delta]], &[1.0, 1.0]);
        let true_margin = delta / (4.0 + delta * delta).sqrt();
        match separability(&data, Bias::Without) {
            Ok(Separability::Separable(m)) => {
                assert!(
                    (m.margin - true_margin).abs() < 1e-8 + 1e-6 * true_margin,
                    "δ = {delta:e}: {m:?}"
                );
                verdicts.push('S');
            }
            Ok(Separability::NotSeparable(d)) => {
                assert!(
                    d.resolution >= true_margin * (1.0 - 1e-6),
                    "δ = {delta:e}: non-separable at resolution {:e} but margin {true_margin:e}",
                    d.resolution
                );
                assert!(d.resolution <= 1e-6);
                verdicts.push('N');
            }
            Err(SeparabilityError::IllConditioned { resolution }) => {
                assert!(
                    resolution > 1e-6 || delta < 1e-5,
                    "δ = {delta:e}: {resolution:e}"
                );
                verdicts.push('?');
            }
            Err(other) => panic!("δ = {delta:e}: {other}"),
        }
    }
    // Clear margins are found; margins far below the solver tolerance cannot be.
    let verdicts: String = verdicts.into_iter().collect();
    assert!(verdicts.starts_with("SSSSS"), "{verdicts}");
    assert!(verdicts.ends_with('N'), "{verdicts}");
    eprintln!("verdicts for δ = 1e-1 .. 1e-14: {verdicts}");
}

// ---------------------------------------------------------------------------------------------
// Brute force in 2-D
// ---------------------------------------------------------------------------------------------

/// Maximises `f` over the circle: a grid of `steps` angles, then golden-section search in the
/// two grid cells around the best one.
fn maximise_on_circle(f: impl Fn(f64) -> f64, steps: usize) -> f64 {
    let h = 2.0 * PI / steps as f64;
    let best = (0..steps)
        .map(|k| k as f64 * h)
        .max_by(|a, b| f(*a).total_cmp(&f(*b)))
        .unwrap();
    let (mut lo, mut hi) = (best - h, best + h);
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..100 {
        let a = hi - ratio * (hi - lo);
        let b = lo + ratio * (hi - lo);
        if f(a) < f(b) {
            lo = a;
        } else {
            hi = b;
        }
    }
    f(0.5 * (lo + hi)).max(f(best))
}

/// `min_i y_i (uᵀx_i)` for `u = (cos θ, sin θ)/norm(cos θ, sin θ)`.
fn min_margin(data: &Dataset, theta: f64, l1: bool) -> f64 {
    let (c, s) = (theta.cos(), theta.sin());
    let norm = if l1 { c.abs() + s.abs() } else { 1.0 };
    let (x, y) = (data.x(), data.y());
    (0..data.len())
        .map(|i| y[i] * (c * x[(i, 0)] + s * x[(i, 1)]) / norm)
        .fold(f64::INFINITY, f64::min)
}

/// With the best bias for `u`: half the gap between the classes' projections.
fn min_margin_with_bias(data: &Dataset, theta: f64) -> f64 {
    let (c, s) = (theta.cos(), theta.sin());
    let (x, y) = (data.x(), data.y());
    let mut lowest_positive = f64::INFINITY;
    let mut highest_negative = f64::NEG_INFINITY;
    for i in 0..data.len() {
        let p = c * x[(i, 0)] + s * x[(i, 1)];
        if y[i] > 0.0 {
            lowest_positive = lowest_positive.min(p);
        } else {
            highest_negative = highest_negative.max(p);
        }
    }
    0.5 * (lowest_positive - highest_negative)
}

fn random_2d(rng: &mut Rng, n: usize, flip: f64) -> Dataset {
    let teacher = rng.uniform() * 2.0 * PI;
    let rows: Vec<Vec<f64>> = (0..n).map(|_| vec![rng.normal(), rng.normal()]).collect();
    let labels: Vec<f64> = rows
        .iter()
        .map(|r| {
            let s = (r[0] * teacher.cos() + r[1] * teacher.sin()).signum();
            if rng.uniform() < flip { -s } else { s }
        })
        .collect();
    dataset(&rows, &labels)
}

/// The brute-force margin of trial `trial` is far enough from 0 to call separability.
fn assert_callable(trial: usize, brute: f64) {
    assert!(
        brute.abs() > 1e-6,
        "trial {trial}: too close to call ({brute})"
    );
}

/// Clarabel found a separable trial with `margin`: the brute force agrees.
fn assert_separable_like_brute(trial: usize, brute: f64, margin: f64) {
    assert!(
        brute > 0.0,
        "trial {trial}: clarabel separable, brute force {brute}"
    );
    assert!(
        (margin - brute).abs() < 1e-4,
        "trial {trial}: {margin} vs {brute}"
    );
}

#[test]
fn clarabel_matches_a_brute_force_scan_of_directions_in_2d() {
    let mut rng = Rng(20240611);
    let steps = 100_000;
    let (mut separable_cases, mut non_separable_cases, mut biased_cases) = (0, 0, 0);
    for trial in 0..40 {
        let n = 3 + trial % 6;
        let data = random_2d(&mut rng, n, if trial % 2 == 0 { 0.0 } else { 0.25 });

        // Without bias, ℓ2.
        let brute = maximise_on_circle(|t| min_margin(&data, t, false), steps);
        assert_callable(trial, brute);
        match separability(&data, Bias::Without).unwrap() {
            Separability::Separable(m) => {
                separable_cases += 1;
                assert_separable_like_brute(trial, brute, m.margin);
                // ℓ1 too.
                let brute_l1 = maximise_on_circle(|t| min_margin(&data, t, true), steps);
                let l1 = max_margin_l1(&data, Bias::Without).unwrap();
                assert!(
                    (l1.margin - brute_l1).abs() < 1e-4,
                    "trial {trial}: {l1:?} vs {brute_l1}"
                );
            }
            Separability::NotSeparable(d) => {
                non_separable_cases += 1;
                assert!(
                    brute < 0.0,
                    "trial {trial}: clarabel not separable, brute force {brute}"
                );
                assert!(!d.non_separable.is_empty());
            }
        }

        // With bias, when both classes are present.
        let y = data.y();
        if y.iter().all(|&v| v == y[0]) {
            assert!(matches!(
                separability(&data, Bias::With),
                Err(SeparabilityError::SingleClass { .. })
            ));
            continue;
        }
        let brute = maximise_on_circle(|t| min_margin_with_bias(&data, t), steps);
        assert_callable(trial, brute);
        match separability(&data, Bias::With).unwrap() {
            Separability::Separable(m) => {
                biased_cases += 1;
                assert_separable_like_brute(trial, brute, m.margin);
            }
            Separability::NotSeparable(_) => {
                assert!(
                    brute < 0.0,
                    "trial {trial}: clarabel not separable, brute force {brute}"
                )
            }
        }
    }
    // Both answers must have been exercised.
    assert!(separable_cases >= 5 && non_separable_cases >= 5 && biased_cases >= 5);
}

// ---------------------------------------------------------------------------------------------
// The decomposition
// ---------------------------------------------------------------------------------------------

/// `k` coordinates in which block A is separable with margin ≥ 0.5 (with arbitrary values in
/// the other `m` coordinates), `m` coordinates in which block B (zero in the first `k`) has
/// random labels: B is non-separable, A separable, and span(B) is the last `m` coordinates.
/// Samples are interleaved; returns the data and the indices of block B.
fn separable_mix(rng: &mut Rng, k: usize, m: usize, a: usize, b: usize) -> (Dataset, Vec<usize>) {
    let teacher: Vec<f64> = (0..k).map(|_| rng.normal()).collect();
    let norm = teacher.iter().map(|t| t * t).sum::<f64>().sqrt();
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    let mut block_b = Vec::new();
    let (mut left_a, mut left_b) = (a, b);
    while left_a + left_b > 0 {
        let take_a = left_b == 0 || (left_a > 0 && rng.uniform() < 0.5);
        let mut row = vec![0.0; k + m];
        let label;
        if take_a {
            left_a -= 1;
            // Resample until the margin along the teacher is at least 0.5.
            loop {
                for v in row.iter_mut().take(k) {
                    *v = rng.normal();
                }
                let p: f64 = (0..k).map(|j| row[j] * teacher[j]).sum::<f64>() / norm;
                if p.abs() >= 0.5 {
                    label = p.signum();
                    break;
                }
            }
            for v in row.iter_mut().skip(k) {
                *v = rng.normal();
            }
        } else {
            left_b -= 1;
            block_b.push(rows.len());
            for v in row.iter_mut().skip(k) {
                *v = rng.normal();
            }
            label = rng.sign();
        }
        rows.push(row);
        labels.push(label);
    }
    (dataset(&rows, &labels), block_b)
}

#[test]
fn separable_mix_has_the_non_separable_block_as_its_subspace() {
    let mut rng = Rng(7);
    let (k, m) = (2, 3);
    let (data, block_b) = separable_mix(&mut rng, k, m, 15, 40);
    let block_a: Vec<usize> = (0..data.len()).filter(|i| !block_b.contains(i)).collect();
    for bias in [Bias::Without, Bias::With] {
        let d = not_separable(separability(&data, bias).unwrap());
        assert_eq!(d.non_separable, block_b, "{bias}");
        assert_eq!(d.separable, block_a);
        assert_eq!((d.dim(), d.complement.ncols()), (m, k));
        let expected = Mat::from_fn(k + m, k + m, |i, j| f64::from(u8::from(i == j && i >= k)));
        assert!(max_abs_diff(d.projector().as_ref(), expected.as_ref()) < 1e-10);
        let complement = &d.complement * d.complement.transpose();
        let rest = Mat::<f64>::identity(k + m, k + m) - &expected;
        assert!(max_abs_diff(complement.as_ref(), rest.as_ref()) < 1e-10);
        assert!(d.resolution <= 1e-6);

        // The separable part's max-margin direction lives in the first block and is the
        // max-margin direction of block A restricted to it.
        let part = d.separable_part.unwrap();
        assert!(part.direction.as_ref().subrows(k, m).norm_l2() < 1e-10);
        let rows: Vec<Vec<f64>> = block_a
            .iter()
            .map(|&i| (0..k).map(|j| data.x()[(i, j)]).collect())
            .collect();
        let labels: Vec<f64> = block_a.iter().map(|&i| data.y()[i]).collect();
        let restricted = max_margin_l2(&dataset(&rows, &labels), Bias::Without).unwrap();
        assert!((part.margin - restricted.margin).abs() < 1e-6);
        assert!((part.direction.as_ref().subrows(0, k) - &restricted.direction).norm_l2() < 1e-5);
    }
}

/// Sample `i` is separable iff `max y_i wᵀx_i` over `y_j wᵀx_j ≥ 0 ∀j`, `|w|_∞ ≤ 1` is
/// positive: one LP per sample, written here directly against clarabel.
fn per_sample_separable(data: &Dataset) -> Vec<bool> {
    use clarabel::algebra::CscMatrix;
    use clarabel::solver::{
        DefaultSettingsBuilder, DefaultSolver, IPSolver, NonnegativeConeT, SolverStatus,
    };
    let (x, y) = (data.x(), data.y());
    let (n, d) = (data.len(), data.dim());
    // Rows: -y_j x_jᵀ w ≤ 0 (n), w ≤ 1 (d), -w ≤ 1 (d).
    let dense: Vec<Vec<f64>> = (0..n)
        .map(|j| (0..d).map(|k| -y[j] * x[(j, k)]).collect())
        .chain((0..d).map(|k| (0..d).map(|c| f64::from(u8::from(c == k))).collect()))
        .chain((0..d).map(|k| (0..d).map(|c| -f64::from(u8::from(c == k))).collect()))
        .collect();
    let (mut rows, mut cols, mut vals) = (Vec::new(), Vec::new(), Vec::new());
    for (r, row) in dense.iter().enumerate() {
        for (c, &v) in row.iter().enumerate() {
            if v != 0.0 {
                rows.push(r);
                cols.push(c);
                vals.push(v);
            }
        }
    }
    let a = CscMatrix::new_from_triplets(n + 2 * d, d, rows, cols, vals);
    let b: Vec<f64> = (0..n).map(|_| 0.0).chain((0..2 * d).map(|_| 1.0)).collect();
    let p = CscMatrix::<f64>::zeros((d, d));
    (0..n)
        .map(|i| {
            let q: Vec<f64> = (0..d).map(|k| -y[i] * x[(i, k)]).collect();
            let settings = DefaultSettingsBuilder::default()
                .verbose(false)
                .build()
                .unwrap();
            let mut solver =
                DefaultSolver::new(&p, &q, &a, &b, &[NonnegativeConeT(n + 2 * d)], settings)
                    .unwrap();
            solver.solve();
            assert_eq!(solver.solution.status, SolverStatus::Solved);
            -solver.solution.obj_val > 1e-6
        })
        .collect()
}

#[test]
fn the_partition_agrees_with_one_lp_per_sample() {
    let mut rng = Rng(99);
    let mut mixed = 0;
    for trial in 0..12 {
        // Random mixes in random orientation: rotate a separable_mix by a random orthogonal
        // matrix (from the QR of a Gaussian one), and sometimes add duplicated samples with
        // flipped labels, which join the non-separable part.
        let (k, m) = (1 + trial % 3, 1 + (trial / 3) % 3);
        let (data, _) = separable_mix(&mut rng, k, m, 6, 3 * m + 2);
        let dim = k + m;
        let g = Mat::from_fn(dim, dim, |_, _| rng.normal());
        let q = g.qr().compute_Q();
        let mut x = data.x() * &q;
        let mut y = data.y().to_owned();
        if trial % 2 == 1 {
            let extra = x.nrows();
            x = Mat::from_fn(extra + 1, dim, |i, j| x[(i.min(extra - 1), j)]);
            y = Col::from_fn(extra + 1, |i| if i < extra { y[i] } else { -y[extra - 1] });
        }
        let data = Dataset::new(x, y).unwrap();
        let reference = per_sample_separable(&data);
        let d = decompose(&data).unwrap();
        let ours: Vec<bool> = (0..data.len()).map(|i| d.separable.contains(&i)).collect();
        assert_eq!(ours, reference, "trial {trial}");
        if !d.separable.is_empty() && !d.non_separable.is_empty() {
            mixed += 1;
        }
        // Every non-separable sample lies in the subspace; the separable part's direction is
        // orthogonal to it and classifies the separable part with a positive margin.
        let projector = d.projector();
        for &i in &d.non_separable {
            let xi = data.x().row(i).transpose().to_owned();
            assert!((&projector * &xi - &xi).norm_l2() < 1e-9 * (1.0 + xi.norm_l2()));
        }
        if let Some(part) = &d.separable_part {
            assert!((d.subspace.transpose() * &part.direction).norm_l2() < 1e-9);
            for &i in &d.separable {
                let score = data.y()[i] * (data.x().row(i) * &part.direction);
                assert!(score >= part.margin - 1e-12 && part.margin > 0.0);
            }
        }
    }
    assert!(mixed >= 6, "only {mixed} trials had both parts");
}

// ---------------------------------------------------------------------------------------------
// ℓ1 against ℓ2 on a sparse teacher
// ---------------------------------------------------------------------------------------------

#[test]
fn l1_max_margin_is_sparser_and_wins_in_its_own_norm() {
    let mut rng = Rng(3);
    let (n, d) = (20, 60);
    let x = Mat::from_fn(n, d, |_, _| rng.normal());
    let y = Col::from_fn(n, |i| x[(i, 0)].signum());
    let data = Dataset::new(x, y).unwrap();
    let l1 = max_margin_l1(&data, Bias::Without).unwrap();
    let l2 = max_margin_l2(&data, Bias::Without).unwrap();
    assert!((l1.direction.norm_l1() - 1.0).abs() < 1e-12);
    assert!((l2.direction.norm_l2() - 1.0).abs() < 1e-12);

    // Each is optimal in its own norm.
    let l2_in_l1 = margin_of(
        &data,
        (&l2.direction / l2.direction.norm_l1()).as_ref(),
        0.0,
    );
    let l1_in_l2 = margin_of(
        &data,
        (&l1.direction / l1.direction.norm_l2()).as_ref(),
        0.0,
    );
    assert!(l1.margin >= l2_in_l1 - 1e-7, "{} < {l2_in_l1}", l1.margin);
    assert!(l2.margin >= l1_in_l2 - 1e-7, "{} < {l1_in_l2}", l2.margin);
    // ... and they differ: each strictly beats the other in its own norm.
    assert!(l1.margin > 1.05 * l2_in_l1 && l2.margin > 1.05 * l1_in_l2);
    // The teacher e1 is feasible for the ℓ1 problem.
    let teacher = (0..n)
        .map(|i| data.x()[(i, 0)].abs())
        .fold(f64::INFINITY, f64::min);
    assert!(l1.margin >= teacher - 1e-7);

    // Sparsity: the ℓ2 direction lies in the span of the samples and is dense; a vertex of the
    // ℓ1 LP has at most n non-zeros.
    let support = |v: &Col<f64>| {
        let largest = v.iter().fold(0.0f64, |a, b| a.max(b.abs()));
        v.iter().filter(|c| c.abs() > 1e-6 * largest).count()
    };
    assert_eq!(support(&l2.direction), d);
    assert!(
        support(&l1.direction) <= n,
        "ℓ1 support {}",
        support(&l1.direction)
    );
}
