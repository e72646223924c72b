//! The git layer against real repositories built with the git CLI in temporary directories.

#[path = "git/support.rs"]
mod support;

#[path = "git/diff.rs"]
mod diff;
#[path = "git/notes.rs"]
mod notes;
#[path = "git/remote.rs"]
mod remote;
#[path = "git/revs.rs"]
mod revs;
#[path = "git/tree.rs"]
mod tree;
