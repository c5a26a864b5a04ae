//! The shipped real datasets' separability as documented,
//! checked with the crate's exact separability test; plus the known decomposition of
//! `separable_mix` and the separability of well-separated Gaussians, checked the same way.

use catapult_data::{
    Bias, Separability, decompose, iris_setosa_vs_rest, iris_versicolor_vs_virginica, separability,
    separable_mix, two_gaussians, winequality_red,
};

#[test]
fn iris_setosa_is_separable_and_versicolor_virginica_is_not() {
    let setosa = iris_setosa_vs_rest();
    for bias in [Bias::Without, Bias::With] {
        assert!(
            separability(&setosa, bias).unwrap().is_separable(),
            "{bias}"
        );
    }
    let pair = iris_versicolor_vs_virginica();
    for bias in [Bias::Without, Bias::With] {
        assert!(!separability(&pair, bias).unwrap().is_separable(), "{bias}");
    }
}

#[test]
fn binarised_winequality_is_not_separable() {
    let wine = winequality_red();
    assert!(!separability(&wine, Bias::With).unwrap().is_separable());
}

#[test]
fn separable_mix_decomposes_into_its_documented_blocks() {
    let mix = separable_mix(60, 3, 2, 0.5, 1).unwrap();
    let dec = decompose(&mix.data).unwrap();
    assert_eq!(
        dec.separable,
        mix.separable_samples.clone().collect::<Vec<_>>()
    );
    assert_eq!(
        dec.non_separable,
        mix.nonseparable_samples.clone().collect::<Vec<_>>()
    );
    assert_eq!(dec.dim(), 2);
    let projector = dec.projector();
    for i in 0..5 {
        for j in 0..5 {
            let expected = if i == j && mix.nonseparable_coords.contains(&i) {
                1.0
            } else {
                0.0
            };
            assert!((projector[(i, j)] - expected).abs() < 1e-8, "({i}, {j})");
        }
    }
    let part = dec.separable_part.expect("a separable part");
    assert!((part.margin - mix.margin).abs() < 1e-6, "{}", part.margin);
    for j in 0..5 {
        assert!((part.direction[j] - mix.direction[j]).abs() < 1e-6);
    }
    for bias in [Bias::Without, Bias::With] {
        assert!(matches!(
            separability(&mix.data, bias).unwrap(),
            Separability::NotSeparable(_)
        ));
    }
}

#[test]
fn well_separated_gaussians_are_separable() {
    let data = two_gaussians(100, 3, 10.0, 1.0, 0).unwrap();
    assert!(separability(&data, Bias::Without).unwrap().is_separable());
    let data = two_gaussians(100, 3, 0.5, 1.0, 0).unwrap();
    assert!(!separability(&data, Bias::With).unwrap().is_separable());
}
