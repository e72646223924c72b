//! The documentation stays true to the code: documented configuration parses.

#[test]
fn the_documented_paved_yaml_is_valid() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/configuration.md")).unwrap();
    let start = doc.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = start + doc[start..].find("```").expect("the block ends");
    if let Err(errs) = paved::config::Config::parse("docs/configuration.md", &doc[start..end]) {
        panic!("{errs:#?}");
    }
}
