use paved::report::{Diagnostic, Format, Report, Summary};

use crate::fixture;
use crate::rendered;

#[test]
fn plain() {
    let out = rendered(&fixture::report(), Format::Human, false);
    assert!(!out.contains('\x1b'), "no escape sequence without colour, not even from the files");
    insta::assert_snapshot!(out);
}

#[test]
fn coloured() {
    let out = rendered(&fixture::report(), Format::Human, true);
    assert!(out.contains("\x1b[1;31merror[backstage/metadata-name]\x1b[0m"));
    // The only escapes are the renderer's own SGR sequences: ESC [ digits/; m.
    for (i, _) in out.match_indices('\x1b') {
        let rest = &out[i + 1..];
        let end = rest.find('m').expect("SGR sequence ends in m");
        assert!(rest[..end].starts_with('[') && rest[1..end].chars().all(|c| c.is_ascii_digit() || c == ';'));
    }
    insta::assert_snapshot!(out.replace('\x1b', "\\e"));
}

/// Run in CI, human output lands in a log that the GitHub Actions runner scans for commands
/// (`::name::` and `##[name]` at the start of a line, leading blanks ignored). No line may
/// start with text taken from a descriptor.
#[test]
fn descriptor_text_never_starts_a_line() {
    for color in [false, true] {
        let out = rendered(&fixture::report(), Format::Human, color);
        for line in out.lines() {
            let t = line.trim_start();
            assert!(!t.starts_with("::") && !t.starts_with("##"), "{line:?}");
        }
        assert!(out.contains("::error::injected"), "the text is still shown");
    }
}

#[test]
fn same_text_with_and_without_colour() {
    let plain = rendered(&fixture::report(), Format::Human, false);
    let coloured = rendered(&fixture::report(), Format::Human, true);
    let stripped = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap().replace_all(&coloured, "");
    assert_eq!(stripped, plain);
}

#[test]
fn frame_is_dropped_when_the_lookup_has_no_text() {
    let d = Diagnostic::error("backstage/metadata-name", "bad").in_file("catalog/payments.yaml").at(4, 9);
    let report = Report { diagnostics: vec![d], ..Default::default() };
    let none = paved::report::render(&report, Format::Human, &|_| None, Default::default());
    assert_eq!(
        none,
        "error[backstage/metadata-name]: bad\n --> catalog/payments.yaml:4:9\n\n0 errors, 0 warnings in 0 files (0 documents, 0 entities)\n"
    );
    let with = rendered(&report, Format::Human, false);
    assert!(with.contains("4 |   name: My Payments\n  |         ^\n"), "{with}");
}

#[test]
fn clean_report_is_only_the_summary() {
    let report = Report {
        summary: Summary { files: 3, documents: 4, entities: 4, errors: 0, warnings: 0 },
        ..Default::default()
    };
    assert_eq!(rendered(&report, Format::Human, true), "0 errors, 0 warnings in 3 files (4 documents, 4 entities)\n");
}

#[test]
fn gutter_widens_with_line_numbers() {
    let text: String = (1..=120).map(|i| format!("key{i}: value{i}\n")).collect();
    let text: std::sync::Arc<str> = text.into();
    let d = Diagnostic::warning("r/x", "m").in_file("f.yaml").at(100, 8);
    let report = Report { diagnostics: vec![d], ..Default::default() };
    let out = paved::report::render(&report, Format::Human, &|_| Some(text.clone()), Default::default());
    insta::assert_snapshot!(out, @r"
    warning[r/x]: m
       --> f.yaml:100:8
        |
     99 | key99: value99
    100 | key100: value100
        |        ^

    0 errors, 0 warnings in 0 files (0 documents, 0 entities)
    ");
}

proptest::proptest! {
    /// Any text, any position (stale, reversed, past the end, zero): a frame or none, never a
    /// panic, and no carriage return or escape character from the file reaches the terminal.
    #[test]
    fn any_text_and_position_renders(
        text in "([a-z :\t#\r\n\u{301}\u{FEFF}\u{1b}]|支|🚀){0,200}",
        line in 0u32..30,
        column in 0u32..40,
        end in proptest::option::of((0u32..30, 0u32..40)),
        color in proptest::bool::ANY,
    ) {
        let mut d = Diagnostic::error("r/x", "m").in_file("f.yaml").at(line, column);
        if let Some((l, c)) = end {
            d.end_line = Some(l);
            d.end_column = Some(c);
        }
        let report = Report { diagnostics: vec![d], ..Default::default() };
        let text: std::sync::Arc<str> = text.into();
        let out = paved::report::render(&report, Format::Human, &|_| Some(text.clone()), paved::report::HumanOptions { color });
        proptest::prop_assert!(out.ends_with("entities)\n"));
        proptest::prop_assert!(color || !out.contains('\x1b'));
        proptest::prop_assert!(!out.contains('\r'));
    }
}
