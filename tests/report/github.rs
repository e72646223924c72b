use paved::report::{Diagnostic, Format, Report, Severity};
use proptest::prelude::*;

use crate::fixture;
use crate::rendered;

#[test]
fn snapshot() {
    insta::assert_snapshot!(rendered(&fixture::report(), Format::Github, false));
}

/// A workflow command as the Actions runner reads one line: `::name k=v,k=v::data`.
#[derive(Debug, PartialEq)]
struct Command {
    name: String,
    properties: Vec<(String, String)>,
    data: String,
}

/// Parses a line the way the runner does: the command runs to the first `::` after the
/// opening one; properties split on `,` and then the first `=`; values are unescaped.
fn parse(line: &str) -> Option<Command> {
    let rest = line.strip_prefix("::")?;
    let end = rest.find("::")?;
    let (info, data) = (&rest[..end], &rest[end + 2..]);
    let (name, props) = info.split_once(' ').unwrap_or((info, ""));
    let properties = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), unescape(v))
        })
        .collect();
    Some(Command { name: name.to_string(), properties, data: unescape(data) })
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 3);
        let c = match code {
            Some("25") => '%',
            Some("0D") => '\r',
            Some("0A") => '\n',
            Some("3A") => ':',
            Some("2C") => ',',
            _ => panic!("stray % in {s:?}"),
        };
        out.push(c);
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    out
}

fn prop<'a>(c: &'a Command, key: &str) -> Option<&'a str> {
    c.properties.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

#[test]
fn one_command_per_finding_and_hostile_text_round_trips() {
    let report = fixture::report();
    let out = rendered(&report, Format::Github, false);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), report.diagnostics.len());
    assert!(!out.contains('\r'));
    for (line, d) in lines.iter().zip(&report.diagnostics) {
        let c = parse(line).unwrap_or_else(|| panic!("not a command: {line}"));
        let want = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        assert_eq!(c.name, want);
        assert_eq!(prop(&c, "title"), Some(d.rule.as_str()));
        assert_eq!(prop(&c, "file"), (!d.file.is_empty()).then_some(d.file.as_str()));
        assert!(c.data.starts_with(&d.message), "{c:?}");
    }
    let hostile = lines.iter().find(|l| l.contains("weird")).unwrap();
    assert_eq!(
        *hostile,
        "::error file=catalog/weird%2C name%3A1.yaml,line=2,col=1,title=backstage/metadata-annotations::annotation \"a::b\" is invalid%0A::error::injected, 100%25 fake%0D%0A::warning file=x,line=1::y%0A%0Ahelp: line one%0Aline two: 50%25"
    );
}

proptest! {
    /// Whatever the rule, file and message hold, the output is one command per finding and
    /// reads back to the same values.
    #[test]
    fn no_text_can_inject_a_command(
        rule in ".{0,20}",
        file in "\\PC{0,20}|[:,%\r\n= ]{0,8}",
        message in "(\\PC|[\r\n%:,=]){0,60}",
        line in 0u32..5,
    ) {
        let d = Diagnostic::warning(rule.clone(), message.clone()).in_file(file.clone()).at(line, 1);
        let out = rendered(&Report { diagnostics: vec![d], ..Default::default() }, Format::Github, false);
        prop_assert!(out.ends_with('\n'));
        let body = &out[..out.len() - 1];
        prop_assert!(!body.contains('\n') && !body.contains('\r'));
        let c = parse(body).unwrap();
        prop_assert_eq!(&c.name, "warning");
        prop_assert_eq!(&c.data, &message);
        prop_assert_eq!(prop(&c, "title"), Some(rule.as_str()));
        prop_assert_eq!(prop(&c, "file"), (!file.is_empty()).then_some(file.as_str()));
    }
}
