//! Degenerate data: every input on one line through the origin, `x_i = a_i·e` with `|e| = 1`
//! (Huang, Du, Xu, Liu, arXiv 2011.12547). On such data a linear network reduces to one
//! scalar `w = f(e)` and its risk to the 1-D function `L(w) = (1/n) Σ ℓ(a_i w, y_i)`.

use crate::{DataError, Dataset};
use faer::{Col, Mat};

/// The unit direction `e = (1, …, 1)/√dim` that degenerate inputs lie along.
pub fn degenerate_direction(dim: usize) -> Col<f64> {
    let entry = 1.0 / (dim as f64).sqrt();
    Col::from_fn(dim, |_| entry)
}

impl Dataset {
    /// Inputs `x_i = a_i·e` in `R^dim` with `e` = [`degenerate_direction`]`(dim)`, targets `y`.
    ///
    /// Errors: empty `a`, `dim == 0`, `a` and `y` of different lengths, non-finite values.
    pub fn degenerate(a: &[f64], y: &[f64], dim: usize) -> Result<Self, DataError> {
        if a.len() != y.len() {
            return Err(DataError::LengthMismatch {
                inputs: a.len(),
                targets: y.len(),
            });
        }
        if dim == 0 {
            return Err(DataError::ZeroDimension);
        }
        let e = degenerate_direction(dim);
        let x = Mat::from_fn(a.len(), dim, |i, j| a[i] * e[j]);
        Dataset::new(x, Col::from_fn(y.len(), |i| y[i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_lie_on_the_line_with_the_given_coordinates() {
        let data = Dataset::degenerate(&[2.0, -0.5], &[1.0, -1.0], 4).unwrap();
        let e = degenerate_direction(4);
        assert!((e.norm_l2() - 1.0).abs() < 1e-15);
        for i in 0..2 {
            let coordinate: f64 = (0..4).map(|j| data.x()[(i, j)] * e[j]).sum();
            assert!((coordinate - [2.0, -0.5][i]).abs() < 1e-15);
        }
    }

    #[test]
    fn degenerate_rejects_bad_shapes_and_values() {
        assert_eq!(Dataset::degenerate(&[], &[], 3), Err(DataError::Empty));
        assert_eq!(
            Dataset::degenerate(&[1.0], &[1.0], 0),
            Err(DataError::ZeroDimension)
        );
        assert!(matches!(
            Dataset::degenerate(&[1.0, 2.0], &[1.0], 2),
            Err(DataError::LengthMismatch {
                inputs: 2,
                targets: 1
            })
        ));
        assert!(matches!(
            Dataset::degenerate(&[f64::NAN], &[1.0], 2),
            Err(DataError::NonFiniteInput { sample: 0, .. })
        ));
    }
}
