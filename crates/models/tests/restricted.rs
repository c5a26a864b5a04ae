//! Sharpness restricted to an input subspace: the closed form on degenerate data, the dense
//! compression `Eᵀ H E` on general data, and the errors for bad bases.

use catapult_data::{Dataset, decompose};
use catapult_losses::Loss;
use catapult_models::{DeepLinear, EmpiricalRisk, Model, ModelError};
use catapult_optim::Objective;
use catapult_spectral::{Lanczos, LanczosOptions, dense_top_eigenvalue};
use faer::{Col, ColRef, Mat};

fn lanczos(dim: usize) -> Lanczos {
    Lanczos::new(
        dim,
        LanczosOptions {
            tol: 1e-11,
            ..LanczosOptions::default()
        },
    )
    .unwrap()
}

/// `g = s·W_2ᵀ ⋯ W_{L−1}ᵀ w_L`, the vector through which `W_1 x` reaches the output.
fn input_layer_readout(model: &DeepLinear, theta: ColRef<'_, f64>) -> Col<f64> {
    let depth = model.depth();
    let mut g: Col<f64> = model.layer(theta, depth).unwrap().col(0).to_owned();
    for k in (2..depth).rev() {
        g = model.layer(theta, k).unwrap().transpose() * &g;
    }
    let s = (model.widths().iter().product::<usize>() as f64)
        .sqrt()
        .recip();
    g * faer::Scale(s)
}

#[test]
fn degenerate_data_has_the_closed_form_and_a_flat_complement() {
    // Non-separable (a_5 = −0.3 with y = +1 sits against the others), logistic loss.
    let a = [1.0, 0.6, -0.8, 1.4, -0.3, 0.9];
    let y = [1.0, 1.0, 1.0, 1.0, 1.0, -1.0];
    let dim = 5;
    let data = Dataset::degenerate(&a, &y, dim).unwrap();
    let split = decompose(&data).unwrap();
    assert_eq!((split.dim(), split.complement.ncols()), (1, dim - 1));
    for depth in [2, 3, 4] {
        let width = 16;
        let model = DeepLinear::new(depth, width, dim).unwrap();
        let theta = model.init(3);
        let g = input_layer_readout(&model, theta.as_ref());
        let mut risk = EmpiricalRisk::new(model, Loss::Logistic, data.clone()).unwrap();
        let outputs = risk.predictions(theta.as_ref()).unwrap();
        let curvature: f64 = (0..a.len())
            .map(|i| Loss::Logistic.eval(outputs[i], y[i]).second * a[i] * a[i])
            .sum::<f64>()
            / a.len() as f64;
        let expected = curvature * g.squared_norm_l2();

        let mut on_subspace = lanczos(width * split.dim());
        let top = risk
            .restricted_sharpness(
                theta.as_ref(),
                split.subspace.as_ref(),
                &mut on_subspace,
                None,
            )
            .unwrap();
        assert!(
            (top.value - expected).abs() <= 1e-10 * expected,
            "depth {depth}: {} vs {expected}",
            top.value
        );

        let mut on_complement = lanczos(width * split.complement.ncols());
        let flat = risk
            .restricted_sharpness(
                theta.as_ref(),
                split.complement.as_ref(),
                &mut on_complement,
                None,
            )
            .unwrap();
        assert!(flat.value.abs() < 1e-12, "depth {depth}: {}", flat.value);

        let total = risk
            .sharpness(theta.as_ref(), &mut lanczos(risk.dim()), None)
            .unwrap();
        assert!(top.value <= total.value * (1.0 + 1e-10));
    }
}

/// Dense Hessian by Hessian-vector products on the unit vectors.
fn dense_hessian(risk: &mut EmpiricalRisk<DeepLinear>, theta: &Col<f64>) -> Mat<f64> {
    let p = risk.dim();
    let mut h = Mat::zeros(p, p);
    let mut unit = Col::<f64>::zeros(p);
    for j in 0..p {
        unit[j] = 1.0;
        risk.hessian_vector_product(theta.as_ref(), unit.as_ref(), h.col_mut(j));
        unit[j] = 0.0;
    }
    h
}

#[test]
fn matches_the_dense_compression_on_general_data() {
    let (n, dim, width) = (7, 4, 3);
    let x = Mat::from_fn(n, dim, |i, j| ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0);
    let y = Col::from_fn(n, |i| if i % 3 == 0 { -1.0 } else { 1.0 });
    let data = Dataset::new(x, y).unwrap();
    // A 2-dimensional subspace: thin Q of a fixed 4 × 2 matrix.
    let raw = Mat::from_fn(dim, 2, |i, j| {
        1.0 + (i as f64) * (j as f64 + 0.5) - (i * i) as f64 / 3.0
    });
    let basis: Mat<f64> = raw.qr().compute_thin_Q();
    for (depth, loss) in [
        (2, Loss::Logistic),
        (3, Loss::Squared),
        (3, Loss::Exponential),
    ] {
        // The input layer has `width` rows; deeper layers are wider.
        let widths: Vec<usize> = (0..depth - 1).map(|k| width + 2 * k).collect();
        let model = DeepLinear::with_widths(&widths, dim).unwrap();
        let theta = model.init(11) * faer::Scale(0.7);
        let mut risk = EmpiricalRisk::new(model, loss, data.clone()).unwrap();
        let hessian = dense_hessian(&mut risk, &theta);
        // E maps B (width × 2, column-major) to the W_1 block B Qᵀ (column-major, offset 0).
        let k = basis.ncols();
        let embedding = Mat::from_fn(risk.dim(), width * k, |param, entry| {
            let (row, col) = (entry % width, entry / width);
            if param < width * dim && param % width == row {
                basis[(param / width, col)]
            } else {
                0.0
            }
        });
        let compressed: Mat<f64> = embedding.transpose() * &hessian * &embedding;
        let expected = dense_top_eigenvalue(compressed.as_ref()).unwrap();
        let top = risk
            .restricted_sharpness(
                theta.as_ref(),
                basis.as_ref(),
                &mut lanczos(width * k),
                None,
            )
            .unwrap();
        assert!(
            (top.value - expected).abs() <= 1e-9 * (1.0 + expected.abs()),
            "depth {depth}, {loss}: {} vs {expected}",
            top.value
        );
    }
}

#[test]
fn bad_bases_and_thetas_are_errors() {
    let data = Dataset::degenerate(&[1.0, -1.0], &[1.0, 1.0], 3).unwrap();
    let model = DeepLinear::two_layer(4, 3).unwrap();
    let theta = model.init(0);
    assert!(model.input_layer().is_some());
    let mut risk = EmpiricalRisk::new(model, Loss::Logistic, data).unwrap();
    let identity = Mat::<f64>::identity(3, 3);
    let mut solver = lanczos(12);
    let mut measure = |basis: Mat<f64>, theta: &Col<f64>| {
        risk.restricted_sharpness(theta.as_ref(), basis.as_ref(), &mut solver, None)
            .map(|top| top.value)
    };
    assert_eq!(
        measure(Mat::identity(2, 2), &theta),
        Err(ModelError::SubspaceDimension {
            expected: 3,
            got: 2
        })
    );
    assert_eq!(
        measure(Mat::zeros(3, 0), &theta),
        Err(ModelError::EmptySubspace)
    );
    assert!(matches!(
        measure(identity.clone() * faer::Scale(2.0), &theta),
        Err(ModelError::BasisNotOrthonormal { .. })
    ));
    assert!(matches!(
        measure(Mat::from_fn(3, 1, |_, _| f64::NAN), &theta),
        Err(ModelError::BasisNotOrthonormal { .. })
    ));
    assert_eq!(
        measure(identity.clone(), &Col::zeros(5)),
        Err(ModelError::ParameterLength {
            expected: 16,
            got: 5
        })
    );
    assert!(measure(identity, &theta).unwrap().is_finite());
}
