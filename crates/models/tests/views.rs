//! Parameters as faer views: a strided θ, direction or output (a row of a matrix) gives the
//! same bits as a contiguous one, for every model and every product of the [`Model`] trait.

use catapult_models::{
    DeepLinear, DiagonalNet, Model, Normalisation, PenultimateFeatures, ReluMlp,
};
use faer::{Col, ColMut, ColRef, Mat, MatRef};

/// `values` as row `row` of a 3 × len matrix (row stride 3 in the column view), other rows
/// filled with a sentinel.
fn strided(values: ColRef<'_, f64>, row: usize) -> Mat<f64> {
    Mat::from_fn(
        3,
        values.nrows(),
        |r, j| if r == row { values[j] } else { -7.5 },
    )
}

fn view(m: &Mat<f64>, row: usize) -> ColRef<'_, f64> {
    m.row(row).transpose()
}

fn view_mut(m: &mut Mat<f64>, row: usize) -> ColMut<'_, f64> {
    m.row_mut(row).transpose_mut()
}

fn same_bits(a: ColRef<'_, f64>, b: ColRef<'_, f64>, what: &str) {
    assert_eq!(a.nrows(), b.nrows(), "{what}: lengths");
    for i in 0..a.nrows() {
        assert_eq!(
            a[i].to_bits(),
            b[i].to_bits(),
            "{what}: entry {i}: {} vs {}",
            a[i],
            b[i]
        );
    }
}

/// Every product of `model` at θ along `v`, once on contiguous columns and once on strided
/// rows, compared bit for bit; the other rows of the strided outputs are left untouched.
fn strided_matches_contiguous<M: Model>(
    model: &M,
    x: MatRef<'_, f64>,
    theta: &Col<f64>,
    name: &str,
) {
    let (n, p) = (x.nrows(), model.num_params());
    let v = Col::from_fn(p, |i| ((i as f64) * 0.37 + 0.2).sin());
    let r = Col::from_fn(n, |i| ((i as f64) * 1.1).cos());
    let c = Col::from_fn(n, |i| 0.1 + 0.02 * i as f64);
    let start = Col::from_fn(p, |i| 0.5 - (i as f64) * 0.01);
    let (theta_rows, v_rows) = (strided(theta.as_ref(), 1), strided(v.as_ref(), 2));
    let (t, d) = (view(&theta_rows, 1), view(&v_rows, 2));
    let mut ws = model.workspace(n);

    let (mut f, mut f_strided) = (Col::zeros(n), Col::zeros(n));
    model.forward(theta.as_ref(), x, &mut ws, f.as_mut());
    model.forward(t, x, &mut ws, f_strided.as_mut());
    same_bits(f.as_ref(), f_strided.as_ref(), &format!("{name} forward"));

    let mut g = Col::zeros(p);
    let mut g_rows = strided(Col::<f64>::zeros(p).as_ref(), 0);
    model.vjp(theta.as_ref(), x, r.as_ref(), &mut ws, g.as_mut());
    model.vjp(t, x, r.as_ref(), &mut ws, view_mut(&mut g_rows, 0));
    same_bits(g.as_ref(), view(&g_rows, 0), &format!("{name} vjp"));
    assert!(g_rows.row(1).iter().all(|&e| e == -7.5));

    let (mut jv, mut jv_strided) = (Col::zeros(n), Col::zeros(n));
    model.jvp(theta.as_ref(), x, v.as_ref(), &mut ws, jv.as_mut());
    model.jvp(t, x, d, &mut ws, jv_strided.as_mut());
    same_bits(jv.as_ref(), jv_strided.as_ref(), &format!("{name} jvp"));

    let mut curvature = start.clone();
    let mut curvature_rows = strided(start.as_ref(), 2);
    model.add_curvature_product(
        theta.as_ref(),
        x,
        r.as_ref(),
        v.as_ref(),
        &mut ws,
        curvature.as_mut(),
    );
    model.add_curvature_product(
        t,
        x,
        r.as_ref(),
        d,
        &mut ws,
        view_mut(&mut curvature_rows, 2),
    );
    same_bits(
        curvature.as_ref(),
        view(&curvature_rows, 2),
        &format!("{name} curvature"),
    );

    let mut hv = Col::zeros(p);
    let mut hv_rows = strided(start.as_ref(), 0);
    let mut scratch = Col::zeros(n);
    model.hessian_vector_product(
        theta.as_ref(),
        x,
        c.as_ref(),
        r.as_ref(),
        v.as_ref(),
        &mut ws,
        scratch.as_mut(),
        hv.as_mut(),
    );
    model.hessian_vector_product(
        t,
        x,
        c.as_ref(),
        r.as_ref(),
        d,
        &mut ws,
        scratch.as_mut(),
        view_mut(&mut hv_rows, 0),
    );
    same_bits(hv.as_ref(), view(&hv_rows, 0), &format!("{name} hvp"));
}

fn inputs(n: usize, d: usize) -> Mat<f64> {
    Mat::from_fn(n, d, |i, j| ((i * d + j) as f64 * 0.73).sin())
}

#[test]
fn deep_linear_products_on_strided_views_match_contiguous_ones() {
    for widths in [vec![5], vec![4, 3], vec![3, 6, 2]] {
        let model = DeepLinear::with_widths(&widths, 3).unwrap();
        let x = inputs(7, 3);
        strided_matches_contiguous(
            &model,
            x.as_ref(),
            &model.init(2),
            &format!("deep {widths:?}"),
        );
        let theta = model.init(2);
        let rows = strided(theta.as_ref(), 1);
        let mut ws = model.workspace(1);
        same_bits(
            model.end_to_end(theta.as_ref(), &mut ws).as_ref(),
            model.end_to_end(view(&rows, 1), &mut ws).as_ref(),
            "end to end",
        );
    }
}

#[test]
fn diagonal_products_on_strided_views_match_contiguous_ones() {
    for depth in [1, 2, 3] {
        let model = DiagonalNet::new(depth, 4).unwrap();
        let theta = Col::from_fn(8, |i| 0.3 + 0.1 * (i as f64).cos());
        strided_matches_contiguous(
            &model,
            inputs(6, 4).as_ref(),
            &theta,
            &format!("diagonal {depth}"),
        );
    }
}

#[test]
fn relu_mlp_products_on_strided_views_match_contiguous_ones() {
    for normalisation in [Normalisation::None, Normalisation::PerLayer] {
        let mlp = ReluMlp::new(3, &[5, 4], 3, normalisation).unwrap();
        let x = mlp
            .class_rows(inputs(4, 3).as_ref(), &[0, 1, 2, 1])
            .unwrap()
            .x()
            .to_owned();
        let theta = mlp.init(4);
        strided_matches_contiguous(&mlp, x.as_ref(), &theta, &format!("mlp {normalisation:?}"));

        let rows = strided(theta.as_ref(), 1);
        let m = mlp.feature_width();
        let mut ws = mlp.workspace(x.nrows());
        let (mut phi, mut phi_strided) = (Mat::zeros(x.nrows(), m), Mat::zeros(x.nrows(), m));
        mlp.features(theta.as_ref(), x.as_ref(), &mut ws, phi.as_mut());
        mlp.features(view(&rows, 1), x.as_ref(), &mut ws, phi_strided.as_mut());
        assert_eq!(phi, phi_strided);
        let g = Mat::from_fn(x.nrows(), m, |i, j| ((i * m + j) as f64 * 0.77).sin());
        let mut pulled = Col::zeros(mlp.num_params());
        let mut pulled_rows = strided(Col::<f64>::zeros(mlp.num_params()).as_ref(), 2);
        mlp.features_vjp(
            theta.as_ref(),
            x.as_ref(),
            g.as_ref(),
            &mut ws,
            pulled.as_mut(),
        );
        mlp.features_vjp(
            view(&rows, 1),
            x.as_ref(),
            g.as_ref(),
            &mut ws,
            view_mut(&mut pulled_rows, 2),
        );
        same_bits(pulled.as_ref(), view(&pulled_rows, 2), "features vjp");
        let z = inputs(4, 3);
        assert_eq!(
            mlp.scores_and_features(theta.as_ref(), z.as_ref()).unwrap(),
            mlp.scores_and_features(view(&rows, 1), z.as_ref()).unwrap()
        );
        assert_eq!(
            mlp.layer_norms(theta.as_ref()),
            mlp.layer_norms(view(&rows, 1))
        );
        assert_eq!(
            mlp.layer_weights(theta.as_ref(), 2),
            mlp.layer_weights(view(&rows, 1), 2)
        );
    }
}
