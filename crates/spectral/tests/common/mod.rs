//! Test helpers shared by the integration tests of the new estimators.
#![allow(dead_code)]

use faer::{ColMut, ColRef, Mat};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

/// `Q diag(eigenvalues) Qᵀ` with a random orthogonal `Q` (QR of a Gaussian
/// matrix), exactly symmetric.
pub fn matrix_with_spectrum(eigenvalues: &[f64], seed: u64) -> Mat<f64> {
    let n = eigenvalues.len();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let gaussian = Mat::from_fn(n, n, |_, _| rng.sample::<f64, _>(StandardNormal));
    let q = gaussian.qr().compute_Q();
    let scaled = Mat::from_fn(n, n, |i, j| q[(i, j)] * eigenvalues[j]);
    let a = &scaled * q.transpose();
    Mat::from_fn(n, n, |i, j| 0.5 * (a[(i, j)] + a[(j, i)]))
}

/// A symmetric matrix with independent N(0, 1) entries scaled by `1/sqrt(n)`
/// (a Wigner matrix, semicircle spectrum on about [-2, 2]).
pub fn wigner(n: usize, seed: u64) -> Mat<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let g = Mat::from_fn(n, n, |_, _| rng.sample::<f64, _>(StandardNormal));
    let scale = 1.0 / (2.0 * n as f64).sqrt();
    Mat::from_fn(n, n, |i, j| scale * (g[(i, j)] + g[(j, i)]))
}

/// Dense eigenvalues, ascending.
pub fn eigenvalues(a: &Mat<f64>) -> Vec<f64> {
    catapult_spectral::dense_eigenvalues(a.as_ref()).unwrap()
}

/// A diagonal operator that counts its applications.
pub struct Diagonal {
    pub entries: Vec<f64>,
    pub applications: usize,
}

impl Diagonal {
    pub fn new(entries: Vec<f64>) -> Self {
        Self {
            entries,
            applications: 0,
        }
    }
}

impl catapult_spectral::SymmetricOperator for Diagonal {
    fn dim(&self) -> usize {
        self.entries.len()
    }
    fn apply(&mut self, x: ColRef<'_, f64>, out: ColMut<'_, f64>) {
        self.applications += 1;
        for ((o, &xi), &d) in out.iter_mut().zip(x.iter()).zip(&self.entries) {
            *o = d * xi;
        }
    }
}
