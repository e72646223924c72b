//! Lexing and parsing: trim markers, comments, literals, pipelines, variables, control
//! structures, template definitions, and parse errors with their positions. Expected outputs
//! follow the `text/template` package documentation.

use serde_json::json;

use super::{e, r};
use crate::gotemplate::{Template, is_template};

fn d() -> serde_json::Value {
    json!({
        "a": {"b": "x"}, "n": 3, "l": ["p", "q"], "nums": [0, 1, 2, 3, 4],
        "empty": [], "m": {"z": 1, "y": 2}
    })
}

#[test]
fn trim_markers() {
    // The package documentation's own example.
    assert_eq!(r("{{23 -}} < {{- 45}}", d()), "23<45");
    assert_eq!(r("a \n\t {{- .n }} \r\n b", d()), "a3 \r\n b");
    assert_eq!(r("a {{ .n -}} \n\n b", d()), "a 3b");
    // "-3" without a space is a number, not a trim marker.
    assert_eq!(r("a {{-3}}", d()), "a -3");
    assert_eq!(r("x {{- /* note */ -}} y", d()), "xy");
}

#[test]
fn comments() {
    assert_eq!(r("a{{/* a comment */}}b", d()), "ab");
    assert_eq!(r("a{{/* spans\nlines */}}b", d()), "ab");
    assert_eq!(r("a{{- /* trimmed */}} b", d()), "a b");
    assert_eq!(e("{{/* open", d()).message, "unclosed comment");
    assert_eq!(e("{{/* c */ 1 }}", d()).message, "comment ends before closing delimiter");
    // A comment must start right after the delimiter (and trim marker).
    assert_eq!(e("{{ /* c */ }}", d()).message, "unexpected \"/\" in command");
}

#[test]
fn literals() {
    for (t, want) in [
        ("{{ \"a\\tb\\u00e9\\x41\" }}", "a\tbéA"),
        ("{{ `raw \\n \"q\"` }}", "raw \\n \"q\""),
        ("{{ 'a' }} {{ '\\n' }}", "97 10"),
        ("{{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000 }}", "31 15 15 5 1000"),
        ("{{ 1.5 }} {{ 1e3 }} {{ -2.50 }} {{ .5 }} {{ 1. }}", "1.5 1000 -2.5 0.5 1"),
        ("{{ true }} {{ false }}", "true false"),
        ("{{ -7 }} {{ +7 }}", "-7 7"),
    ] {
        assert_eq!(r(t, d()), want, "{t}");
    }
    assert_eq!(e("{{ 3.a }}", d()).message, "bad number syntax: \"3.a\"");
    assert_eq!(e("{{ 1e999 }}", d()).message, "illegal number syntax: \"1e999\"");
    assert_eq!(e("{{ 99999999999999999999 }}", d()).message, "integer overflow: \"99999999999999999999\"");
    assert_eq!(e("{{ 2i }}", d()).message, "complex number 2i is not supported");
    assert_eq!(e("{{ \"abc }}", d()).message, "unterminated quoted string");
    assert_eq!(e("{{ `abc }}", d()).message, "unterminated raw quoted string");
    assert_eq!(e("{{ 'ab' }}", d()).message, "malformed character constant: 'ab'");
    // A uint64-only constant overflows Go's int when used as a value.
    assert!(e("{{ 18446744073709551615 }}", d()).message.ends_with("18446744073709551615 overflows int"));
}

#[test]
fn pipelines_and_parens() {
    assert_eq!(r("{{ \"a\" | printf \"%s-%s\" \"b\" }}", d()), "b-a");
    assert_eq!(r("{{ printf \"%d\" (len \"abc\") }}", d()), "3");
    assert_eq!(r("{{ (index .l 1) }}", d()), "q");
    assert_eq!(r("{{ (dict \"k\" .a).k.b }}", d()), "x");
    assert_eq!(r("{{ .a.b | printf \"%s!\" | upper }}", d()), "X!");
    // Newlines are allowed inside actions.
    assert_eq!(r("{{ printf\n  \"%d-%d\"\n  1 2 }}", d()), "1-2");
    assert_eq!(e("{{ .a | 3 }}", d()).message, "non executable command in pipeline stage 2");
    assert_eq!(e("{{ }}", d()).message, "missing value for command");
    assert_eq!(e("{{ (1 }}", d()).message, "unclosed left paren");
    assert_eq!(e("{{ 1) }}", d()).message, "unexpected right paren");
    assert_eq!(e("{{ .a", d()).message, "unclosed action");
    assert_eq!(e("{{ .a-b }}", d()).message, "bad character U+002D '-'");
    assert_eq!(e("{{ \"x\".y }}", d()).message, "unexpected . after term");
    assert_eq!(e("{{ .a \"x\"\"y\" }}", d()).message, "unexpected \"\\\"y\\\"\" in operand");
}

#[test]
fn variables() {
    assert_eq!(r("{{ $x := 1 }}{{ $x }}", d()), "1");
    assert_eq!(r("{{ $x := 1 }}{{ $x = 2 }}{{ $x }}", d()), "2");
    assert_eq!(r("{{ $.a.b }} {{ with .l }}{{ $.n }}{{ end }}", d()), "x 3");
    assert_eq!(r("{{ $x := .a }}{{ $x.b }}", d()), "x");
    // Declarations end with their control structure; assignments reach outer variables.
    assert_eq!(
        r("{{ $x := \"outer\" }}{{ if true }}{{ $x := \"inner\" }}{{ $x }}{{ end }} {{ $x }}", d()),
        "inner outer"
    );
    assert_eq!(r("{{ $s := \"\" }}{{ range .l }}{{ $s = print $s . }}{{ end }}{{ $s }}", d()), "pq");
    assert_eq!(r("{{ if $v := .a.b }}{{ $v }}{{ end }}", d()), "x");
    assert_eq!(e("{{ $y }}", d()).message, "undefined variable \"$y\"");
    assert_eq!(e("{{ if true }}{{ $z := 1 }}{{ end }}{{ $z }}", d()).message, "undefined variable \"$z\"");
    assert_eq!(e("{{ with $a, $b := . }}{{ end }}", d()).message, "too many declarations in with");
    assert_eq!(e("{{ range $a, $b, $c := . }}{{ end }}", d()).message, "too many declarations in range");
    assert_eq!(e("{{$x=1}}", d()).message, "bad character U+003D '='");
    // Assigning a variable that was never declared fails when it runs (as in Go).
    assert!(e("{{ $q = 1 }}", d()).message.ends_with("undefined variable: $q"));
}

#[test]
fn conditionals() {
    let t = "{{ if eq .n 1 }}one{{ else if eq .n 3 }}three{{ else }}other{{ end }}";
    assert_eq!(r(t, d()), "three");
    assert_eq!(r("{{ if .missing }}y{{ else }}n{{ end }}", d()), "n");
    assert_eq!(r("{{ with .a }}{{ .b }}{{ end }}", d()), "x");
    assert_eq!(r("{{ with .missing }}x{{ else }}none{{ end }}", d()), "none");
    assert_eq!(r("{{ with .missing }}a{{ else with .a }}{{ .b }}{{ end }}", d()), "x");
    assert_eq!(e("{{ if true }}x", d()).message, "unexpected EOF");
    assert_eq!(e("{{ end }}", d()).message, "unexpected {{end}}");
    assert_eq!(e("{{ else }}", d()).message, "unexpected {{else}}");
    assert_eq!(e("{{ if 1 }}{{ else }}{{ else }}{{ end }}", d()).message, "expected end; found {{else}}");
    assert_eq!(e("{{ if }}{{ end }}", d()).message, "missing value for if");
    assert_eq!(e("{{ range 1 }}{{ else if 1 }}{{ end }}{{ end }}", d()).message, "unexpected <if> in input");
}

#[test]
fn ranges() {
    assert_eq!(r("{{ range .l }}[{{ . }}]{{ end }}", d()), "[p][q]");
    assert_eq!(r("{{ range $i, $e := .l }}{{ $i }}{{ $e }}{{ end }}", d()), "0p1q");
    assert_eq!(r("{{ range $e := .l }}{{ $e }}{{ end }}", d()), "pq");
    // Maps range in key order.
    assert_eq!(r("{{ range $k, $v := .m }}{{ $k }}{{ $v }}{{ end }}", d()), "y2z1");
    assert_eq!(r("{{ range .m }}{{ . }}{{ end }}", d()), "21");
    assert_eq!(r("{{ range .empty }}x{{ else }}empty{{ end }}", d()), "empty");
    assert_eq!(r("{{ range .missing }}x{{ else }}none{{ end }}", d()), "none");
    // Go 1.22: range over an integer.
    assert_eq!(r("{{ range 3 }}{{ . }}{{ end }}", d()), "012");
    assert_eq!(r("{{ range $i := .n }}{{ $i }}{{ end }}", d()), "012");
    assert!(
        e("{{ range $i, $e := 3 }}{{ end }}", d())
            .message
            .ends_with("can't use 3 to iterate over more than one variable")
    );
    assert!(e("{{ range \"abc\" }}{{ end }}", d()).message.ends_with("range can't iterate over abc"));
    let t = "{{ range $e := .nums }}{{ if eq $e 3 }}{{ break }}{{ end }}{{ if eq $e 1 }}{{ continue }}{{ end }}{{ $e }}{{ end }}";
    assert_eq!(r(t, d()), "02");
    assert_eq!(r("{{ range .l }}{{ range .}}{{ break }}{{ end }}{{ . }}{{ end }}", json!({"l": [[1], [2]]})), "[1][2]");
    assert_eq!(e("{{ break }}", d()).message, "{{break}} outside {{range}}");
    assert_eq!(e("{{ if 1 }}{{ continue }}{{ end }}", d()).message, "{{continue}} outside {{range}}");
    assert_eq!(e("{{ range .l }}{{ break 1 }}{{ end }}", d()).message, "unexpected \"1\" in {{break}}");
    // A variable assigned in the range pipeline can be reassigned per iteration.
    assert_eq!(r("{{ $i := 0 }}{{ $e := 0 }}{{ range $i, $e = .l }}{{ end }}{{ $i }}{{ $e }}", d()), "1q");
}

#[test]
fn templates() {
    assert_eq!(r("{{ define \"x\" }}[{{ . }}]{{ end }}{{ template \"x\" \"hi\" }}", d()), "[hi]");
    assert_eq!(r("{{ template \"x\" .n }}{{ define \"x\" }}<{{ . }}>{{ end }}", d()), "<3>");
    assert_eq!(r("{{ define \"x\" }}{{ . }}{{ end }}{{ template \"x\" }}", d()), "<no value>");
    assert_eq!(r("{{ block \"b\" .a.b }}<{{ . }}>{{ end }}", d()), "<x>");
    // Within one text a block and a non-empty define of the same name clash (Go redefines
    // blocks only through a second parse).
    assert_eq!(
        e("{{ block \"b\" . }}default{{ end }}{{ define \"b\" }}custom{{ end }}", d()).message,
        "template: multiple definition of template \"b\""
    );
    assert_eq!(r("{{ block \"b\" . }}default{{ end }}{{ define \"b\" }} {{ end }}", d()), "default");
    assert_eq!(
        r(
            "{{ define \"r\" }}{{ if . }}{{ len . }}{{ template \"r\" (rest .) }}{{ end }}{{ end }}{{ template \"r\" .nums }}",
            d()
        ),
        "54321"
    );
    assert_eq!(e("{{ $x := 1 }}{{ define \"d\" }}{{ $x }}{{ end }}", d()).message, "undefined variable \"$x\"");
    assert!(e("{{ template \"nope\" }}", d()).message.ends_with("template \"nope\" not defined"));
    assert_eq!(
        e("{{ define \"a\" }}1{{ end }}{{ define \"a\" }}2{{ end }}", d()).message,
        "template: multiple definition of template \"a\""
    );
    assert_eq!(e("{{ if 1 }}{{ define \"a\" }}{{ end }}{{ end }}", d()).message, "unexpected <define> in command");
    assert_eq!(e("{{ template .n }}", d()).message, "unexpected \".n\" in template clause");
    // The file's own name can be called recursively, bounded by the depth limit.
    let err = e("{{ template \"t\" . }}", d());
    assert!(err.message.ends_with("exceeded maximum template depth (100)"), "{err}");
}

#[test]
fn functions_resolve_at_parse_time() {
    assert_eq!(e("{{ if false }}{{ nope }}{{ end }}", d()).message, "function \"nope\" not defined");
    assert!(e("{{ toYaml . }}", d()).message.starts_with("function \"toYaml\" not defined (Helm's name"));
    assert_eq!(
        e("{{ strings }}", d()).message,
        "\"strings\" is a function namespace: call one of its functions (strings.Name)"
    );
    // Known-but-unsupported functions parse, and fail only when they run.
    assert_eq!(r("{{ if false }}{{ atmos.Component \"vpc\" .stack }}{{ now }}{{ end }}ok", d()), "ok");
}

#[test]
fn error_positions() {
    let err = e("line one\n  naïve {{ .a.b.c }}", d());
    assert_eq!((err.line, err.column), (2, 12));
    assert_eq!(err.to_string(), "t:2:12: executing \"t\" at <.a.b.c>: can't evaluate field c in type string");
    let err = e("{{ if true }}\n\n   {{ nope 1 }}{{ end }}", d());
    assert_eq!((err.line, err.column, err.name.as_str()), (3, 7, "t"));
    let err = e("{{ define \"inner\" }}{{ index . 9 }}{{ end }}{{ template \"inner\" .l }}", d());
    assert_eq!(err.message, "executing \"inner\" at <index . 9>: error calling index: index out of range: 9");
    assert_eq!(err.column, 24);
}

#[test]
fn delimiters_and_quick_check() {
    let t = Template::parse_with_delims("t", "[[ .n ]] {{ .n }} [[- /* c */ -]] !", "[[", "]]").unwrap();
    assert_eq!(t.execute(&d(), &Default::default()).unwrap(), "3 {{ .n }}!");
    assert!(Template::parse_with_delims("t", "x", "", "]]").is_err());
    assert!(is_template("a {{ b"));
    assert!(!is_template("a { b }"));
}

#[test]
fn nesting_is_bounded() {
    let deep = format!("{{{{ {}1{} }}}}", "(".repeat(150), ")".repeat(150));
    assert_eq!(e(&deep, d()).message, "nesting deeper than 100 levels");
    let ifs = format!("{}x{}", "{{ if 1 }}".repeat(150), "{{ end }}".repeat(150));
    assert_eq!(e(&ifs, d()).message, "nesting deeper than 100 levels");
    let ok = format!("{}x{}", "{{ if 1 }}".repeat(90), "{{ end }}".repeat(90));
    assert_eq!(r(&ok, d()), "x");
}
