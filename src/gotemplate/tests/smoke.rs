use serde_json::json;

use super::{e, r};

#[test]
fn smoke() {
    let d = json!({"a": {"b": "x"}, "n": 3, "f": 1.5, "l": ["p", "q"], "m": {"z": 1, "y": 2}, "nul": null});
    for (t, want) in [
        ("hi {{ .a.b }}!", "hi x!"),
        ("{{ .missing }}", "<no value>"),
        ("{{ .nul }}", "<no value>"),
        ("{{ .l }} {{ .m }}", "[p q] map[y:2 z:1]"),
        ("{{ range $i, $e := .l }}{{ $i }}={{ $e }};{{ end }}", "0=p;1=q;"),
        ("{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}", "y=2;z=1;"),
        ("{{ if eq .n 3 }}yes{{ else }}no{{ end }}", "yes"),
        ("{{ printf \"%05.2f|%-4d|%q|%v\" .f .n .a.b .l }}", "01.50|3   |\"x\"|[p q]"),
        ("{{ .a.b | upper | quote }}", "\"X\""),
        ("{{ default \"foo\" .missing }}", "foo"),
        ("{{- \"  a  \" -}}  ", "  a  "),
        ("  {{- 3 }}  {{- 4 -}}  5", "345"),
        ("{{ toJson . }}", r#"{"a":{"b":"x"},"f":1.5,"l":["p","q"],"m":{"y":2,"z":1},"n":3,"nul":null}"#),
        ("{{ 1e6 }} {{ 100000.0 }} {{ 0.000012 }}", "1e+06 100000 1.2e-05"),
        (
            "{{ strings.Title \"top-level-component1\" }} {{ \"tenant1-ue2-dev\" | strings.Quote }}",
            "Top-Level-Component1 \"tenant1-ue2-dev\"",
        ),
    ] {
        assert_eq!(r(t, d.clone()), want, "{t}");
    }
    let err = e("{{ nope }}", json!({}));
    assert_eq!(err.to_string(), "t:1:4: function \"nope\" not defined");
    let err = e("a\n {{ index .l 5 }}", d.clone());
    assert_eq!(err.to_string(), "t:2:5: executing \"t\" at <index .l 5>: error calling index: index out of range: 5");
}
