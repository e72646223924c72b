//! Tests of the Go template engine. Expected outputs follow Go's `text/template` and Sprig
//! documentation (and Go's implementation where the docs are silent).

mod atmos;
mod docs;
mod exec;
mod printf;
mod props;
mod smoke;
mod syntax;
mod table;

use serde_json::{Value as J, json};

use super::{Error, MissingKey, Options, Template, render};

/// Renders with default options; panics with the error.
pub(super) fn r(t: &str, data: J) -> String {
    match render("t", t, &data, &Options::default()) {
        Ok(s) => s,
        Err(e) => panic!("{t:?} failed: {e}"),
    }
}

/// Renders expecting an error.
pub(super) fn e(t: &str, data: J) -> Error {
    match render("t", t, &data, &Options::default()) {
        Ok(s) => panic!("{t:?} rendered {s:?}, expected an error"),
        Err(e) => e,
    }
}

pub(super) fn strict(t: &str, data: J) -> Result<String, Error> {
    Template::parse("t", t)?.execute_with(&data, &Options::default(), MissingKey::Error)
}

#[allow(dead_code)]
fn _uses() -> J {
    json!(null)
}
