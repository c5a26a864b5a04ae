//! A seeded gridworld: a `width × height` grid with walls, a few rewarding cells, four
//! actions (up, down, left, right) and an optional slip.
//!
//! The states are the open (non-wall) cells, numbered in row-major order. An action moves one
//! cell in its direction with probability `1 − slip`, and in each of the four directions with
//! probability `slip/4` (so the intended one gets `1 − 3·slip/4` in total); a move into a wall
//! or off the grid stays put. Entering (or staying in) a rewarding cell pays its reward; the
//! task is continuing (no terminal states).

use crate::RlError;
use crate::mdp::{Mdp, Outcome};
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

/// The four moves `(row, column)`: up, down, left, right.
const MOVES: [(isize, isize); 4] = [(-1, 0), (1, 0), (0, -1), (0, 1)];

/// How to draw a gridworld.
#[derive(Debug, Clone, PartialEq)]
pub struct GridworldConfig {
    /// Columns (≥ 1).
    pub width: usize,
    /// Rows (≥ 1).
    pub height: usize,
    /// Fraction of cells that are walls, in `[0, 1)`.
    pub wall_fraction: f64,
    /// Number of rewarding open cells (≥ 1).
    pub reward_cells: usize,
    /// Probability of a uniformly random move instead of the intended one, in `[0, 1]`.
    pub slip: f64,
}

impl GridworldConfig {
    /// 10 × 10, 15 % walls, 3 rewarding cells, slip 0.1.
    pub fn standard() -> Self {
        Self {
            width: 10,
            height: 10,
            wall_fraction: 0.15,
            reward_cells: 3,
            slip: 0.1,
        }
    }
}

/// A drawn gridworld (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct Gridworld {
    width: usize,
    height: usize,
    /// Whether each cell (row-major) is a wall.
    walls: Vec<bool>,
    /// Reward of entering each cell (row-major).
    rewards: Vec<f64>,
    /// The cell of each state.
    cells: Vec<usize>,
    slip: f64,
}

impl Gridworld {
    /// Draws walls (`⌊wall_fraction·cells⌋` of them) and rewarding cells uniformly without
    /// replacement from a Xoshiro256++ stream seeded by `seed`; rewards are uniform in
    /// `[0.5, 1]`. Errors on a zero side, a wall fraction outside `[0, 1)`, a slip outside
    /// `[0, 1]`, or more rewarding cells than open cells (or none).
    pub fn random(config: &GridworldConfig, seed: u64) -> Result<Self, RlError> {
        let cells = config.width * config.height;
        if cells == 0 {
            return Err(RlError::InvalidGridworld(format!(
                "the grid is {} × {}: both sides must be at least 1",
                config.width, config.height
            )));
        }
        if !(0.0..1.0).contains(&config.wall_fraction) {
            return Err(RlError::InvalidGridworld(format!(
                "wall_fraction must be in [0, 1), got {}",
                config.wall_fraction
            )));
        }
        if !(0.0..=1.0).contains(&config.slip) {
            return Err(RlError::InvalidGridworld(format!(
                "slip must be in [0, 1], got {}",
                config.slip
            )));
        }
        let wall_count = (config.wall_fraction * cells as f64).floor() as usize;
        let open = cells - wall_count;
        if config.reward_cells == 0 || config.reward_cells > open {
            return Err(RlError::InvalidGridworld(format!(
                "reward_cells must be between 1 and the {open} open cells, got {}",
                config.reward_cells
            )));
        }
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut order: Vec<usize> = (0..cells).collect();
        order.shuffle(&mut rng);
        let mut walls = vec![false; cells];
        for &cell in &order[..wall_count] {
            walls[cell] = true;
        }
        let mut rewards = vec![0.0; cells];
        for &cell in &order[wall_count..wall_count + config.reward_cells] {
            rewards[cell] = rng.random_range(0.5..=1.0);
        }
        Ok(Self::from_parts(
            config.width,
            config.height,
            walls,
            rewards,
            config.slip,
        ))
    }

    fn from_parts(
        width: usize,
        height: usize,
        walls: Vec<bool>,
        rewards: Vec<f64>,
        slip: f64,
    ) -> Self {
        let cells = (0..width * height).filter(|&c| !walls[c]).collect();
        Self {
            width,
            height,
            walls,
            rewards,
            cells,
            slip,
        }
    }

    /// Number of states (open cells).
    pub fn num_states(&self) -> usize {
        self.cells.len()
    }

    /// `(row, column)` of a state.
    pub fn position(&self, state: usize) -> (usize, usize) {
        let cell = self.cells[state];
        (cell / self.width, cell % self.width)
    }

    /// Whether the cell `(row, column)` is a wall.
    pub fn is_wall(&self, row: usize, column: usize) -> bool {
        self.walls[row * self.width + column]
    }

    /// Grid size `(width, height)`.
    pub fn size(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    /// The state reached from `state` by the move `direction` (0 up, 1 down, 2 left,
    /// 3 right) when it does not slip.
    fn step(&self, state: usize, direction: usize) -> usize {
        let (row, column) = self.position(state);
        let (dr, dc) = MOVES[direction];
        let (r, c) = (row as isize + dr, column as isize + dc);
        if r < 0 || c < 0 || r >= self.height as isize || c >= self.width as isize {
            return state;
        }
        let cell = r as usize * self.width + c as usize;
        if self.walls[cell] {
            return state;
        }
        self.cells.binary_search(&cell).unwrap_or(state)
    }

    /// The MDP of the grid (four actions, outcomes merged per next state).
    pub fn mdp(&self) -> Result<Mdp, RlError> {
        let mut outcomes = Vec::with_capacity(self.num_states() * MOVES.len());
        for state in 0..self.num_states() {
            for action in 0..MOVES.len() {
                let mut list: Vec<Outcome> = Vec::new();
                for direction in 0..MOVES.len() {
                    let mut probability = self.slip / MOVES.len() as f64;
                    if direction == action {
                        probability += 1.0 - self.slip;
                    }
                    if probability == 0.0 {
                        continue;
                    }
                    let next = self.step(state, direction);
                    match list.iter_mut().find(|o| o.next == next) {
                        Some(o) => o.probability += probability,
                        None => list.push(Outcome {
                            next,
                            probability,
                            reward: self.rewards[self.cells[next]],
                        }),
                    }
                }
                outcomes.push(list);
            }
        }
        Mdp::new(self.num_states(), MOVES.len(), outcomes)
    }

    /// One-hot state features: the `S × S` identity (row s is the feature of state s).
    pub fn one_hot_features(&self) -> faer::Mat<f64> {
        faer::Mat::identity(self.num_states(), self.num_states())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corridor_without_slip_has_the_hand_computed_values() {
        // 1 × 3 corridor, reward 1 at the right end, no walls, no slip, γ = 0.5: from the
        // right end "right" stays and pays 1 forever, V(2) = 2; V(1) = 1 + 0.5·2 = 2;
        // V(0) = 0 + 0.5·V(1) = 1.
        let grid = Gridworld::from_parts(3, 1, vec![false; 3], vec![0.0, 0.0, 1.0], 0.0);
        let q = grid
            .mdp()
            .unwrap()
            .value_iteration(0.5, 1e-12, 1000)
            .unwrap();
        assert!((q.max(2) - 2.0).abs() < 1e-10);
        assert!((q.max(1) - 2.0).abs() < 1e-10);
        assert!((q.max(0) - 1.0).abs() < 1e-10);
        // From state 0, "left" bumps the edge: 0 + 0.5·V(0) = 0.5.
        assert!((q.get(0, 2) - 0.5).abs() < 1e-10);
    }

    #[test]
    fn walls_block_and_slip_spreads_probability() {
        // 1 × 3 with a wall in the middle: two states, no way across.
        let grid = Gridworld::from_parts(3, 1, vec![false, true, false], vec![0.0; 3], 0.2);
        assert_eq!(grid.num_states(), 2);
        let mdp = grid.mdp().unwrap();
        for action in 0..4 {
            let outcomes = mdp.outcomes(0, action);
            assert_eq!(outcomes.len(), 1);
            assert_eq!(outcomes[0].next, 0);
        }
        let open = Gridworld::from_parts(2, 1, vec![false; 2], vec![0.0; 2], 0.2);
        let right = open.mdp().unwrap().outcomes(0, 3).to_vec();
        let to_one = right.iter().find(|o| o.next == 1).unwrap().probability;
        assert!((to_one - (0.8 + 0.05)).abs() < 1e-15);
    }

    #[test]
    fn the_same_seed_draws_the_same_grid_and_bad_configs_are_named() {
        let config = GridworldConfig::standard();
        let a = Gridworld::random(&config, 3).unwrap();
        assert_eq!(a, Gridworld::random(&config, 3).unwrap());
        assert_ne!(a, Gridworld::random(&config, 4).unwrap());
        assert_eq!(a.num_states(), 85);
        let bad = GridworldConfig {
            reward_cells: 0,
            ..config.clone()
        };
        assert!(matches!(
            Gridworld::random(&bad, 0),
            Err(RlError::InvalidGridworld(message)) if message.contains("reward_cells")
        ));
        let bad = GridworldConfig {
            slip: 1.5,
            ..config
        };
        assert!(Gridworld::random(&bad, 0).is_err());
    }
}
