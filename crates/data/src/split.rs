//! Stratified, seeded train/test splits.
//!
//! Samples are grouped by their exact target value (the classes, for labels ±1). Each class
//! of `n_c` samples sends `round(test_fraction · n_c)` of them (halves rounded away from zero)
//! to the test part and the rest to the training part, so both parts keep the class
//! proportions up to rounding. Within a class, the test samples are the first ones of a
//! seeded shuffle (`Xoshiro256PlusPlus`, classes visited in increasing label order); both
//! parts keep the samples in their original order.
//!
//! Meant for classification: with real-valued targets every distinct value is its own
//! "class" and a class of one sample goes wholly to one side.
//!
//! ```
//! use catapult_data::two_gaussians;
//! let data = two_gaussians(50, 2, 3.0, 1.0, 0).unwrap(); // 50 of each class
//! let (train, test) = data.split(0.2, 1).unwrap();
//! assert_eq!((train.len(), test.len()), (80, 20));
//! assert_eq!(test.y().iter().filter(|&&v| v == 1.0).count(), 10);
//! ```

use crate::{DataError, Dataset};
use faer::{Col, Mat};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;

impl Dataset {
    /// Splits into `(train, test)`, stratified by label (see the module docs): each class sends
    /// `round(test_fraction · n_c)` samples to `test`.
    ///
    /// Errors: `test_fraction` outside the open interval `(0, 1)`, or a split that leaves
    /// `train` or `test` empty.
    pub fn split(&self, test_fraction: f64, seed: u64) -> Result<(Dataset, Dataset), DataError> {
        if !(test_fraction > 0.0 && test_fraction < 1.0) {
            return Err(DataError::InvalidParameter {
                name: "test_fraction",
                value: test_fraction,
                requirement: "strictly between 0 and 1",
            });
        }
        let y = self.y();
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| y[a].total_cmp(&y[b]).then(a.cmp(&b)));
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut is_test = vec![false; self.len()];
        let mut start = 0;
        while start < order.len() {
            let label = y[order[start]];
            let end = start
                + order[start..]
                    .iter()
                    .take_while(|&&i| y[i].total_cmp(&label).is_eq())
                    .count();
            let class = &mut order[start..end];
            let n_test = (test_fraction * class.len() as f64).round() as usize;
            class.shuffle(&mut rng);
            for &i in &class[..n_test.min(class.len())] {
                is_test[i] = true;
            }
            start = end;
        }
        let test: Vec<usize> = (0..self.len()).filter(|&i| is_test[i]).collect();
        let train: Vec<usize> = (0..self.len()).filter(|&i| !is_test[i]).collect();
        for (part, indices) in [("train", &train), ("test", &test)] {
            if indices.is_empty() {
                return Err(DataError::EmptySplit {
                    part,
                    test_fraction,
                    samples: self.len(),
                });
            }
        }
        Ok((self.select(&train)?, self.select(&test)?))
    }

    /// The samples at `indices`, in that order.
    fn select(&self, indices: &[usize]) -> Result<Dataset, DataError> {
        let x = Mat::from_fn(indices.len(), self.dim(), |r, j| self.x()[(indices[r], j)]);
        let y = Col::from_fn(indices.len(), |r| self.y()[indices[r]]);
        Dataset::new(x, y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labelled(labels: &[f64]) -> Dataset {
        let n = labels.len();
        Dataset::new(
            Mat::from_fn(n, 1, |i, _| i as f64),
            Col::from_fn(n, |i| labels[i]),
        )
        .unwrap()
    }

    #[test]
    fn parts_partition_the_samples_in_order() {
        let data = labelled(&[1.0, -1.0, 1.0, 1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0]);
        let (train, test) = data.split(0.5, 3).unwrap();
        // 6 positive → 3 test, 4 negative → 2 test
        assert_eq!((train.len(), test.len()), (5, 5));
        let mut ids: Vec<f64> = train
            .x()
            .col(0)
            .iter()
            .chain(test.x().col(0).iter())
            .copied()
            .collect();
        for part in [&train, &test] {
            let col: Vec<f64> = part.x().col(0).iter().copied().collect();
            assert!(col.windows(2).all(|w| w[0] < w[1]), "order kept: {col:?}");
            for (r, &id) in col.iter().enumerate() {
                assert_eq!(part.y()[r], data.y()[id as usize]);
            }
        }
        ids.sort_by(f64::total_cmp);
        assert_eq!(ids, (0..10).map(|i| i as f64).collect::<Vec<_>>());
    }

    #[test]
    fn seeds_decide_the_split() {
        let data = labelled(&[1.0; 20]);
        let a = data.split(0.3, 1).unwrap();
        assert_eq!(a, data.split(0.3, 1).unwrap());
        assert_ne!(a.1, data.split(0.3, 2).unwrap().1);
    }

    #[test]
    fn bad_fractions_and_empty_parts_are_errors() {
        let data = labelled(&[1.0, -1.0, 1.0]);
        for f in [0.0, 1.0, -0.5, f64::NAN] {
            assert!(matches!(
                data.split(f, 0),
                Err(DataError::InvalidParameter {
                    name: "test_fraction",
                    ..
                })
            ));
        }
        // 0.1·2 and 0.1·1 both round to 0: no test sample.
        let err = data.split(0.1, 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a test fraction of 0.1 leaves the test part of 3 samples empty"
        );
        assert!(matches!(
            data.split(0.9, 0),
            Err(DataError::EmptySplit { part: "train", .. })
        ));
    }
}
