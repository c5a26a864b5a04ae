//! Finite MDPs with tabular transitions and rewards on transitions, the Bellman optimality
//! operator and value iteration.
//!
//! `(T Q)(s, a) = Σ_{s'} P(s'|s, a) (r(s, a, s') + γ max_{a'} Q(s', a'))`; `T` is a
//! γ-contraction in the sup norm, so value iteration `Q_{k+1} = T Q_k` from `Q_0 = 0` converges
//! to the unique fixed point `Q*`, and once `‖Q_{k+1} − Q_k‖_∞ ≤ ε` the iterate is within
//! `γε/(1 − γ)` of `Q*`.

use crate::RlError;

/// One possible outcome of taking an action: the next state, its probability and the reward
/// received on that transition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Index of the next state.
    pub next: usize,
    /// `P(next | s, a)`.
    pub probability: f64,
    /// `r(s, a, next)`.
    pub reward: f64,
}

/// A finite MDP with `S` states and `A` actions.
#[derive(Debug, Clone, PartialEq)]
pub struct Mdp {
    num_states: usize,
    num_actions: usize,
    /// The outcomes of `(s, a)` at index `s·A + a`.
    outcomes: Vec<Vec<Outcome>>,
}

/// A table `Q(s, a)` (state-major: `s·A + a`).
#[derive(Debug, Clone, PartialEq)]
pub struct QTable {
    num_states: usize,
    num_actions: usize,
    values: Vec<f64>,
}

impl QTable {
    /// A table of `S·A` values in state-major order. Errors on a length other than `S·A`.
    pub fn new(num_states: usize, num_actions: usize, values: Vec<f64>) -> Result<Self, RlError> {
        if values.len() != num_states * num_actions {
            return Err(RlError::TableLength {
                expected: num_states * num_actions,
                got: values.len(),
            });
        }
        Ok(Self {
            num_states,
            num_actions,
            values,
        })
    }

    /// `Q(s, a)`.
    pub fn get(&self, state: usize, action: usize) -> f64 {
        self.values[state * self.num_actions + action]
    }

    /// `max_a Q(s, a)`.
    pub fn max(&self, state: usize) -> f64 {
        self.row(state)
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// The values of state `s`, one per action.
    pub fn row(&self, state: usize) -> &[f64] {
        &self.values[state * self.num_actions..(state + 1) * self.num_actions]
    }

    /// All values, state-major.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Number of states.
    pub fn num_states(&self) -> usize {
        self.num_states
    }

    /// Number of actions.
    pub fn num_actions(&self) -> usize {
        self.num_actions
    }

    /// Root mean square of `Q − other` over every pair. Errors on another shape.
    pub fn rms_distance(&self, other: &QTable) -> Result<f64, RlError> {
        if other.values.len() != self.values.len() {
            return Err(RlError::TableLength {
                expected: self.values.len(),
                got: other.values.len(),
            });
        }
        let total: f64 = self
            .values
            .iter()
            .zip(&other.values)
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        Ok((total / self.values.len() as f64).sqrt())
    }
}

impl Mdp {
    /// An MDP from the outcomes of every `(s, a)` at index `s·A + a`. Errors if a list is
    /// empty, a next state is out of range, a probability is negative or not finite, the
    /// probabilities of a pair do not sum to 1 (within 1e-9), or a reward is not finite.
    pub fn new(
        num_states: usize,
        num_actions: usize,
        outcomes: Vec<Vec<Outcome>>,
    ) -> Result<Self, RlError> {
        if num_states == 0 || num_actions == 0 {
            return Err(RlError::EmptyMdp {
                num_states,
                num_actions,
            });
        }
        if outcomes.len() != num_states * num_actions {
            return Err(RlError::TableLength {
                expected: num_states * num_actions,
                got: outcomes.len(),
            });
        }
        for (pair, list) in outcomes.iter().enumerate() {
            let (state, action) = (pair / num_actions, pair % num_actions);
            let mut total = 0.0;
            for outcome in list {
                if outcome.next >= num_states {
                    return Err(RlError::StateOutOfRange {
                        state: outcome.next,
                        num_states,
                    });
                }
                let valid = outcome.probability.is_finite()
                    && outcome.probability >= 0.0
                    && outcome.reward.is_finite();
                if !valid {
                    return Err(RlError::InvalidOutcome { state, action });
                }
                total += outcome.probability;
            }
            if (total - 1.0).abs() > 1e-9 {
                return Err(RlError::ProbabilitiesDoNotSumToOne {
                    state,
                    action,
                    total,
                });
            }
        }
        Ok(Self {
            num_states,
            num_actions,
            outcomes,
        })
    }

    /// Number of states `S`.
    pub fn num_states(&self) -> usize {
        self.num_states
    }

    /// Number of actions `A`.
    pub fn num_actions(&self) -> usize {
        self.num_actions
    }

    /// The outcomes of taking `action` in `state`.
    pub fn outcomes(&self, state: usize, action: usize) -> &[Outcome] {
        &self.outcomes[state * self.num_actions + action]
    }

    /// `out = T Q` (the Bellman optimality operator with discount `γ`). Errors on `γ ∉ [0, 1)`
    /// or a table of another shape.
    pub fn bellman_backup(&self, q: &QTable, gamma: f64) -> Result<QTable, RlError> {
        check_discount(gamma)?;
        self.check_table(q)?;
        let values = (0..self.num_states * self.num_actions)
            .map(|pair| {
                self.outcomes[pair]
                    .iter()
                    .map(|o| o.probability * (o.reward + gamma * q.max(o.next)))
                    .sum()
            })
            .collect();
        QTable::new(self.num_states, self.num_actions, values)
    }

    /// `Q*` by value iteration from `Q_0 = 0`, stopped at the first `k` with
    /// `‖Q_{k+1} − Q_k‖_∞ ≤ tolerance·(1 − γ)/γ` (so `‖Q_{k+1} − Q*‖_∞ ≤ tolerance`); returns
    /// `Q_{k+1}`. Errors on `γ ∉ [0, 1)`, a tolerance that is not finite and `> 0`, or no
    /// convergence within `max_iterations`.
    pub fn value_iteration(
        &self,
        gamma: f64,
        tolerance: f64,
        max_iterations: usize,
    ) -> Result<QTable, RlError> {
        check_discount(gamma)?;
        if !(tolerance.is_finite() && tolerance > 0.0) {
            return Err(RlError::InvalidTolerance(tolerance));
        }
        let threshold = if gamma == 0.0 {
            f64::INFINITY
        } else {
            tolerance * (1.0 - gamma) / gamma
        };
        let mut q = QTable::new(
            self.num_states,
            self.num_actions,
            vec![0.0; self.num_states * self.num_actions],
        )?;
        for _ in 0..max_iterations {
            let next = self.bellman_backup(&q, gamma)?;
            let change = next
                .values
                .iter()
                .zip(&q.values)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            q = next;
            if change <= threshold {
                return Ok(q);
            }
        }
        Err(RlError::NotConverged { max_iterations })
    }

    fn check_table(&self, q: &QTable) -> Result<(), RlError> {
        if q.num_states == self.num_states && q.num_actions == self.num_actions {
            Ok(())
        } else {
            Err(RlError::TableLength {
                expected: self.num_states * self.num_actions,
                got: q.values.len(),
            })
        }
    }
}

/// Errors unless `γ ∈ [0, 1)`.
pub(crate) fn check_discount(gamma: f64) -> Result<(), RlError> {
    if (0.0..1.0).contains(&gamma) {
        Ok(())
    } else {
        Err(RlError::InvalidDiscount(gamma))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sure(next: usize, reward: f64) -> Vec<Outcome> {
        vec![Outcome {
            next,
            probability: 1.0,
            reward,
        }]
    }

    /// Two states, two actions. In state 0, action 0 stays (reward 0) and action 1 moves to
    /// state 1 (reward 0); in state 1, action 0 stays with reward 1 and action 1 moves to
    /// state 0 with reward 2. By hand, with `V = max_a Q`: `V(1) = max(1 + γV(1),
    /// 2 + γV(0))`, `V(0) = γV(1)`. For γ = 0.5: staying gives `V(1) = 2`, so `V(0) = 1` and
    /// the switch `2 + 0.5·1 = 2.5` beats it; cycling gives `V(1) = 2 + γ²V(1)`, `V(1) = 8/3`,
    /// `V(0) = 4/3`, and staying `1 + 4/3 = 7/3 < 8/3`: the cycle is optimal.
    fn two_state() -> Mdp {
        Mdp::new(
            2,
            2,
            vec![sure(0, 0.0), sure(1, 0.0), sure(1, 1.0), sure(0, 2.0)],
        )
        .unwrap()
    }

    #[test]
    fn value_iteration_solves_the_two_state_mdp_by_hand() {
        let q = two_state().value_iteration(0.5, 1e-12, 10_000).unwrap();
        let v1 = 8.0 / 3.0;
        let v0 = 4.0 / 3.0;
        let expected = [0.5 * v0, 0.5 * v1, 1.0 + 0.5 * v1, 2.0 + 0.5 * v0];
        for (got, want) in q.values().iter().zip(expected) {
            assert!((got - want).abs() < 1e-11, "{got} vs {want}");
        }
    }

    #[test]
    fn a_stochastic_self_loop_has_the_geometric_value() {
        // One state, one action: reward 1 with probability 0.3, 0 otherwise, always back.
        let mdp = Mdp::new(
            1,
            1,
            vec![vec![
                Outcome {
                    next: 0,
                    probability: 0.3,
                    reward: 1.0,
                },
                Outcome {
                    next: 0,
                    probability: 0.7,
                    reward: 0.0,
                },
            ]],
        )
        .unwrap();
        let q = mdp.value_iteration(0.9, 1e-10, 10_000).unwrap();
        assert!((q.get(0, 0) - 0.3 / 0.1).abs() < 1e-9);
        let backed = mdp.bellman_backup(&q, 0.9).unwrap();
        assert!((backed.get(0, 0) - q.get(0, 0)).abs() < 1e-10);
    }

    #[test]
    fn bad_mdps_and_discounts_are_named() {
        assert_eq!(
            Mdp::new(1, 1, vec![sure(1, 0.0)]),
            Err(RlError::StateOutOfRange {
                state: 1,
                num_states: 1
            })
        );
        let half = Outcome {
            next: 0,
            probability: 0.5,
            reward: 0.0,
        };
        assert!(matches!(
            Mdp::new(1, 1, vec![vec![half]]),
            Err(RlError::ProbabilitiesDoNotSumToOne { .. })
        ));
        assert_eq!(
            two_state().value_iteration(1.0, 1e-6, 10),
            Err(RlError::InvalidDiscount(1.0))
        );
        assert_eq!(
            two_state().value_iteration(0.99, 1e-12, 3),
            Err(RlError::NotConverged { max_iterations: 3 })
        );
        assert!(matches!(
            two_state().value_iteration(0.5, f64::NAN, 3),
            Err(RlError::InvalidTolerance(t)) if t.is_nan()
        ));
    }
}
