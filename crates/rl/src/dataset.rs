//! Offline datasets of transitions `(s, a, r, s')` drawn from an MDP.

use crate::RlError;
use crate::mdp::Mdp;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// One observed transition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transition {
    /// State `s`.
    pub state: usize,
    /// Action `a`.
    pub action: usize,
    /// Reward `r(s, a, s')`.
    pub reward: f64,
    /// Next state `s'`.
    pub next: usize,
}

/// A fixed set of transitions, gathered once and reused by every fitting iteration.
#[derive(Debug, Clone, PartialEq)]
pub struct OfflineDataset {
    transitions: Vec<Transition>,
}

impl OfflineDataset {
    /// `per_pair` transitions from every `(s, a)`, in state-major order, each next state drawn
    /// from `P(·|s, a)` with a Xoshiro256++ stream seeded by `seed` (uniform coverage, as in
    /// a dataset collected by a uniformly random behaviour policy run long enough). Errors on
    /// `per_pair = 0`.
    pub fn uniform(mdp: &Mdp, per_pair: usize, seed: u64) -> Result<Self, RlError> {
        if per_pair == 0 {
            return Err(RlError::EmptyDataset);
        }
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut transitions = Vec::with_capacity(mdp.num_states() * mdp.num_actions() * per_pair);
        for state in 0..mdp.num_states() {
            for action in 0..mdp.num_actions() {
                let outcomes = mdp.outcomes(state, action);
                for _ in 0..per_pair {
                    let u: f64 = rng.random();
                    let mut cumulative = 0.0;
                    let mut chosen = outcomes[outcomes.len() - 1];
                    for outcome in outcomes {
                        cumulative += outcome.probability;
                        if u < cumulative {
                            chosen = *outcome;
                            break;
                        }
                    }
                    transitions.push(Transition {
                        state,
                        action,
                        reward: chosen.reward,
                        next: chosen.next,
                    });
                }
            }
        }
        Ok(Self { transitions })
    }

    /// The transitions.
    pub fn transitions(&self) -> &[Transition] {
        &self.transitions
    }

    /// Number of transitions.
    pub fn len(&self) -> usize {
        self.transitions.len()
    }

    /// Whether there are none (never, for a dataset built by [`OfflineDataset::uniform`]).
    pub fn is_empty(&self) -> bool {
        self.transitions.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mdp::Outcome;

    #[test]
    fn next_states_follow_the_transition_probabilities() {
        let coin = vec![
            Outcome {
                next: 0,
                probability: 0.25,
                reward: 0.0,
            },
            Outcome {
                next: 1,
                probability: 0.75,
                reward: 1.0,
            },
        ];
        let mdp = Mdp::new(2, 1, vec![coin.clone(), coin]).unwrap();
        let data = OfflineDataset::uniform(&mdp, 4000, 9).unwrap();
        assert_eq!(data.len(), 8000);
        let ones = data.transitions().iter().filter(|t| t.next == 1).count();
        let fraction = ones as f64 / 8000.0;
        assert!((fraction - 0.75).abs() < 0.02, "{fraction}");
        assert!(data.transitions().iter().all(|t| t.reward == t.next as f64));
        assert_eq!(data, OfflineDataset::uniform(&mdp, 4000, 9).unwrap());
        assert_eq!(
            OfflineDataset::uniform(&mdp, 0, 9),
            Err(RlError::EmptyDataset)
        );
    }
}
