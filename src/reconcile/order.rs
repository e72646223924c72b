//! Dependency order over the targets of a run, as a pure scheduler: which targets may start now,
//! and which are skipped when one fails. Dependencies outside the run are taken as settled.
//! A destroy runs before the destroy of what it depends on (the reverse of creation).

use std::collections::{BTreeMap, BTreeSet};

use crate::store::LockKey;

/// Where a node of the schedule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Waiting,
    Started,
    Succeeded,
    /// Failed, or skipped because something it needs failed.
    Failed,
}

/// A dependency cycle among the targets, listed in order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dependency cycle: {}", .0.iter().map(|k| format!("{}/{}", k.stack, k.component)).collect::<Vec<_>>().join(" -> "))]
pub struct Cycle(pub Vec<LockKey>);

/// The schedule of one run.
#[derive(Debug, Clone)]
pub struct Schedule {
    keys: Vec<LockKey>,
    /// `needs[i]`: nodes that must succeed before `i` starts.
    needs: Vec<BTreeSet<usize>>,
    state: Vec<Node>,
}

/// One target for the scheduler: its key, whether it is destroyed, and what it depends on.
#[derive(Debug, Clone)]
pub struct Item {
    pub key: LockKey,
    pub deleted: bool,
    pub depends_on: Vec<LockKey>,
}

impl Schedule {
    pub fn new(items: &[Item]) -> Result<Schedule, Cycle> {
        let index: BTreeMap<&LockKey, usize> = items.iter().enumerate().map(|(i, it)| (&it.key, i)).collect();
        let mut needs = vec![BTreeSet::new(); items.len()];
        for (i, it) in items.iter().enumerate() {
            for dep in &it.depends_on {
                let Some(&j) = index.get(dep) else { continue };
                if i == j {
                    continue;
                }
                // Destroying both: the dependent goes first.
                if it.deleted && items[j].deleted {
                    needs[j].insert(i)
                } else {
                    needs[i].insert(j)
                };
            }
        }
        let schedule = Schedule {
            keys: items.iter().map(|i| i.key.clone()).collect(),
            needs,
            state: vec![Node::Waiting; items.len()],
        };
        schedule.check_acyclic()?;
        Ok(schedule)
    }

    fn check_acyclic(&self) -> Result<(), Cycle> {
        // Depth-first search with colours; the grey path is the cycle.
        fn visit(s: &Schedule, i: usize, colour: &mut [u8], path: &mut Vec<usize>) -> Option<Vec<usize>> {
            colour[i] = 1;
            path.push(i);
            for &j in &s.needs[i] {
                if colour[j] == 1 {
                    let from = path.iter().position(|&p| p == j).unwrap_or(0);
                    let mut cycle = path[from..].to_vec();
                    cycle.push(j);
                    return Some(cycle);
                }
                if colour[j] == 0
                    && let Some(c) = visit(s, j, colour, path)
                {
                    return Some(c);
                }
            }
            path.pop();
            colour[i] = 2;
            None
        }
        let mut colour = vec![0u8; self.keys.len()];
        for i in 0..self.keys.len() {
            if colour[i] == 0
                && let Some(cycle) = visit(self, i, &mut colour, &mut Vec::new())
            {
                return Err(Cycle(cycle.into_iter().rev().map(|i| self.keys[i].clone()).collect()));
            }
        }
        Ok(())
    }

    /// Nodes that may start now (all they need succeeded), in input order, marked started.
    pub fn take_ready(&mut self, limit: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for i in 0..self.keys.len() {
            if out.len() >= limit {
                break;
            }
            if self.state[i] == Node::Waiting && self.needs[i].iter().all(|&j| self.state[j] == Node::Succeeded) {
                self.state[i] = Node::Started;
                out.push(i);
            }
        }
        out
    }

    /// Records how a started node ended. On failure, returns every waiting node that can now
    /// never run (its dependents, transitively), marked failed.
    pub fn finish(&mut self, i: usize, ok: bool) -> Vec<usize> {
        self.state[i] = if ok { Node::Succeeded } else { Node::Failed };
        if ok {
            return Vec::new();
        }
        let mut skipped = Vec::new();
        loop {
            let next = (0..self.keys.len()).find(|&k| {
                self.state[k] == Node::Waiting && self.needs[k].iter().any(|&j| self.state[j] == Node::Failed)
            });
            match next {
                Some(k) => {
                    self.state[k] = Node::Failed;
                    skipped.push(k);
                }
                None => return skipped,
            }
        }
    }

    /// Marks a node failed without starting it (e.g. its lock is held); returns its dependents.
    pub fn hold_back(&mut self, i: usize) -> Vec<usize> {
        self.finish(i, false)
    }

    /// Nothing is waiting or running.
    pub fn is_done(&self) -> bool {
        self.state.iter().all(|s| matches!(s, Node::Succeeded | Node::Failed))
    }

    /// Something is running.
    pub fn is_running(&self) -> bool {
        self.state.contains(&Node::Started)
    }

    /// A full order, as if every node succeeded one at a time: what `--dry-run` prints.
    pub fn order(items: &[Item]) -> Result<Vec<usize>, Cycle> {
        let mut s = Schedule::new(items)?;
        let mut out = Vec::new();
        while let Some(&i) = s.take_ready(1).first() {
            s.finish(i, true);
            out.push(i);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(c: &str, deps: &[&str]) -> Item {
        Item {
            key: LockKey::new("dev", c),
            deleted: false,
            depends_on: deps.iter().map(|d| LockKey::new("dev", *d)).collect(),
        }
    }

    fn names(items: &[Item], idx: &[usize]) -> Vec<String> {
        idx.iter().map(|&i| items[i].key.component.clone()).collect()
    }

    #[test]
    fn dependencies_first_independents_together() {
        let items = [
            item("eks", &["vpc"]),
            item("app", &["eks", "rds"]),
            item("rds", &["vpc"]),
            item("vpc", &[]),
            item("dns", &[]),
        ];
        assert_eq!(names(&items, &Schedule::order(&items).unwrap()), ["vpc", "eks", "rds", "app", "dns"]);
        let mut s = Schedule::new(&items).unwrap();
        assert_eq!(names(&items, &s.take_ready(10)), ["vpc", "dns"]);
        assert!(s.take_ready(10).is_empty());
        s.finish(3, true);
        assert_eq!(names(&items, &s.take_ready(1)), ["eks"], "the limit holds");
        assert_eq!(names(&items, &s.take_ready(10)), ["rds"]);
        // eks fails: app is skipped; rds still finishes.
        assert_eq!(names(&items, &s.finish(0, false)), ["app"]);
        s.finish(2, true);
        s.finish(4, true);
        assert!(s.is_done() && s.take_ready(10).is_empty());
    }

    #[test]
    fn outside_dependencies_are_settled_and_cycles_are_named() {
        let items = [item("eks", &["vpc"])];
        assert_eq!(Schedule::order(&items).unwrap(), [0]);
        let cyc = [item("a", &["b"]), item("b", &["c"]), item("c", &["a"])];
        let e = Schedule::new(&cyc).unwrap_err();
        assert_eq!(e.0.len(), 4);
        assert!(e.to_string().starts_with("dependency cycle: dev/"), "{e}");
    }

    #[test]
    fn destroys_run_in_reverse() {
        let mut items = [item("eks", &["vpc"]), item("vpc", &[])];
        items.iter_mut().for_each(|i| i.deleted = true);
        assert_eq!(names(&items, &Schedule::order(&items).unwrap()), ["eks", "vpc"]);
        let mut s = Schedule::new(&items).unwrap();
        assert_eq!(s.take_ready(5), [0]);
        assert_eq!(names(&items, &s.hold_back(0)), ["vpc"]);
    }
}
