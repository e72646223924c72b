//! A small seeded generator (SplitMix64): the corpus is the same bytes on every machine and
//! every run, so a disagreement found once can be found again.

use std::collections::HashMap;

pub struct Rng {
    state: u64,
    /// Next row of each table `each` walks, keyed by the table's address and length.
    turns: HashMap<(usize, usize), usize>,
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng { state: seed, turns: HashMap::new() }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with the given percentage.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// The rows of a static table in turn, starting at a seeded row: every row of a family's
    /// table is in the corpus once the family has run as many times as the table is long.
    pub fn each<T>(&mut self, items: &'static [T]) -> &'static T {
        let key = (items.as_ptr() as usize, items.len());
        let start = self.below(items.len());
        let turn = self.turns.entry(key).or_insert(start);
        let i = *turn % items.len();
        *turn += 1;
        &items[i]
    }

    /// A lower-case DNS-label-like word of two or three parts (`billing-api-7`), valid as a
    /// name, namespace, tag and label value alike.
    pub fn word(&mut self) -> String {
        const PARTS: &[&str] = &[
            "billing", "booking", "cargo", "harbor", "ledger", "manifest", "quay", "rates", "route", "tide", "vessel",
            "api", "db", "web", "worker", "core", "edge", "sync",
        ];
        let mut w = format!("{}-{}", self.pick(PARTS), self.pick(PARTS));
        if self.chance(40) {
            w.push_str(&format!("-{}", self.below(100)));
        }
        w
    }
}
