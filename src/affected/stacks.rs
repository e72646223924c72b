//! The stacks side of a snapshot: component instances from the Atmos stacks engine.

use super::load::{Described, StackLoader};
use crate::config::Config;
use crate::source::{FileSource, RelPath};

/// The production [`StackLoader`].
pub struct Engine;

impl StackLoader for Engine {
    fn load(&self, src: &dyn FileSource, _cfg: &Config) -> Described {
        let mut d = Described::default();
        let atmos = RelPath::new("atmos.yaml").expect("literal path");
        if src.kind(&atmos).is_none() {
            d.notes.push(format!("{}: no atmos.yaml at the repository root: no stacks to compare", src.describe()));
        } else {
            d.notes.push("the stacks engine is not in this build yet: only catalog changes are compared".into());
        }
        d
    }
}
