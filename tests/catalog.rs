//! Catalog validation: fixture repositories with their expected findings, the CLI's exit codes
//! and formats, hostile input, and properties.

#[path = "catalog/bad_input.rs"]
mod bad_input;
#[path = "catalog/cli.rs"]
mod cli;
#[path = "catalog/fixtures.rs"]
mod fixtures;
#[path = "catalog/model.rs"]
mod model;
#[path = "catalog/properties.rs"]
mod properties;
