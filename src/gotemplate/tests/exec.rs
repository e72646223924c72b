//! Execution semantics: `missingkey` modes, truthiness, `and`/`or`, comparisons, builtins,
//! Go's argument checking, value printing, shared maps, environment, unsupported functions
//! and the resource limits.

use std::collections::BTreeMap;

use serde_json::json;

use super::{e, r, strict};
use crate::gotemplate::{MissingKey, Options, Template, render};

fn d() -> serde_json::Value {
    json!({
        "a": {"b": "x"}, "n": 3, "f": 1.5, "one": 1.0, "l": ["p", "q"], "m": {"z": 1, "y": 2},
        "nul": null, "t": true, "s": "", "big": 18446744073709551615u64, "neg": -4,
        "nested": {"list": [{"name": "first"}]}
    })
}

fn zero(t: &str) -> Result<String, crate::gotemplate::Error> {
    render("t", t, &d(), &Options { missing_key_zero: true, ..Options::default() })
}

#[test]
fn missing_keys() {
    // missingkey=default: the missing value, printed <no value>, and fields of it too.
    assert_eq!(r("{{ .missing }}|{{ .missing.deeper }}|{{ .a.nope }}", d()), "<no value>|<no value>|<no value>");
    assert_eq!(r("{{ .nul }}", d()), "<no value>");
    assert!(e("{{ .nul.x }}", d()).message.ends_with("nil pointer evaluating interface {}.x"));
    assert!(e("{{ .n.x }}", d()).message.ends_with("can't evaluate field x in type int"));
    // missingkey=zero on map[string]interface{}: the zero value is nil, printed <no value>;
    // taking a field of it fails.
    assert_eq!(zero("{{ .missing }}").unwrap(), "<no value>");
    assert!(zero("{{ .missing.deeper }}").unwrap_err().message.ends_with("nil pointer evaluating interface {}.deeper"));
    // The zero value of map[string]string is "".
    assert_eq!(zero("[{{ (split \",\" \"a\")._9 }}]").unwrap(), "[]");
    assert_eq!(r("[{{ (split \",\" \"a\")._9 }}]", d()), "[<no value>]");
    // missingkey=error (Atmos's default).
    assert_eq!(
        strict("{{ .vars.stage }}", json!({"vars": {}})).unwrap_err().to_string(),
        "t:1:4: executing \"t\" at <.vars.stage>: map has no entry for key \"stage\""
    );
    assert!(
        strict("{{ if .missing }}{{ end }}", d())
            .unwrap_err()
            .message
            .ends_with("map has no entry for key \"missing\"")
    );
    assert_eq!(strict("{{ index . \"missing\" }} {{ hasKey . \"missing\" }}", d()).unwrap(), "<no value> false");
    assert!(
        strict("{{ $x := index . \"missing\" }}{{ $x.y }}", d())
            .unwrap_err()
            .message
            .ends_with("nil data; no entry for key \"y\"")
    );
    // Null data is the missing value.
    assert_eq!(r("{{ . }} {{ .x }}", json!(null)), "<no value> <no value>");
}

#[test]
fn truthiness() {
    let data = json!({"z": 0, "zf": 0.0, "s": "", "l": [], "m": {}, "f": false, "nul": null,
                      "s0": "0", "sp": " ", "l0": [0], "mn": {"a": null}, "neg": -1});
    let t = "{{ range $k, $v := . }}{{ $k }}={{ if $v }}T{{ else }}F{{ end }} {{ end }}";
    assert_eq!(r(t, data), "f=F l=F l0=T m=F mn=T neg=T nul=F s=F s0=T sp=T z=F zf=F ");
    assert_eq!(r("{{ if .missing }}T{{ else }}F{{ end }}", d()), "F");
}

#[test]
fn and_or_not() {
    assert_eq!(r("{{ or .missing \"\" 0 \"x\" 2 }}", d()), "x");
    assert_eq!(r("{{ or 0 \"\" }}|{{ and 1 \"a\" 0 \"b\" }}|{{ and 1 \"a\" }}", d()), "|0|a");
    // Short-circuit (Go 1.18): later operands are not evaluated.
    assert_eq!(r("{{ or true (fail \"boom\") }} {{ and false (index .l 99) }}", d()), "true false");
    assert_eq!(r("{{ .n | and true }} {{ .missing | or \"d\" }}", d()), "3 d");
    assert_eq!(r("{{ not 0 }} {{ not \"x\" }} {{ not .missing }}", d()), "true false true");
    assert!(e("{{ and }}", d()).message.ends_with("wrong number of args for and: want at least 1 got 0"));
}

#[test]
fn comparisons() {
    for (t, want) in [
        ("{{ eq .n 1 2 3 }}", "true"),
        ("{{ eq \"a\" \"b\" }}", "false"),
        ("{{ eq .missing \"x\" }} {{ eq .missing .nul }} {{ eq .l nil }}", "false true false"),
        ("{{ eq (add 1 2) 3 }} {{ eq .big 1 }} {{ eq .n 3 }}", "true false true"),
        ("{{ eq .one 1.0 }} {{ eq .t true }}", "true true"),
        ("{{ ne 1 2 }} {{ ne \"a\" \"a\" }}", "true false"),
        ("{{ lt 1 2 }} {{ lt \"a\" \"b\" }} {{ lt 1.5 2.5 }} {{ lt .neg .big }}", "true true true true"),
        ("{{ le 2 2 }} {{ gt 3 2 }} {{ ge 2 3 }} {{ gt \"b\" \"a\" }}", "true true false true"),
    ] {
        assert_eq!(r(t, d()), want, "{t}");
    }
    for (t, msg) in [
        ("{{ eq 1 1.0 }}", "error calling eq: incompatible types for comparison"),
        ("{{ eq .one 1 }}", "error calling eq: incompatible types for comparison"),
        ("{{ eq .l .l }}", "error calling eq: non-comparable type [p q]: []interface {}"),
        ("{{ eq 1 }}", "error calling eq: missing argument for comparison"),
        ("{{ lt true false }}", "error calling lt: invalid type for comparison"),
        ("{{ lt 1 2.0 }}", "error calling lt: incompatible types for comparison"),
        ("{{ lt .l 1 }}", "error calling lt: invalid type for comparison"),
    ] {
        assert!(e(t, d()).message.ends_with(msg), "{t}: {}", e(t, d()));
    }
}

#[test]
fn builtins() {
    for (t, want) in [
        ("{{ len \"héllo\" }} {{ len .l }} {{ len .m }} {{ len \"\" }}", "6 2 2 0"),
        ("{{ index .l 1 }} {{ index .m \"y\" }} {{ index .m \"nope\" }} {{ index \"abc\" 1 }}", "q 2 <no value> 98"),
        ("{{ index .nested \"list\" 0 \"name\" }} {{ index .l }}", "first [p q]"),
        ("{{ print 1 2 \"a\" 3 \"b\" \"c\" }}", "1 2a3bc"),
        ("{{ print .missing }} {{ print nil 1 }}", "<nil> <nil> 1"),
        ("{{ println 1 \"a\" }}", "1 a\n"),
        ("{{ html \"<a href='x'>&\\\"</a>\" }}", "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;"),
        ("{{ html 1 \"<\" }}", "1&lt;"),
        ("{{ js \"it's <b>\\n\" }}", "it\\'s \\u003Cb\\u003E\\u000A"),
        ("{{ urlquery \"a b&c=d/é~\" }}", "a+b%26c%3Dd%2F%C3%A9~"),
        ("{{ slice .l 1 }} {{ slice (list 1 2 3 4) 1 3 }} {{ slice (list) }}", "[q] [2 3] <no value>"),
    ] {
        assert_eq!(r(t, d()), want, "{t}");
    }
    for (t, msg) in [
        ("{{ len 3 }}", "error calling len: len of type int"),
        ("{{ len .missing }}", "error calling len: len of nil pointer"),
        ("{{ index .l 5 }}", "error calling index: index out of range: 5"),
        ("{{ index .l -1 }}", "error calling index: index out of range: -1"),
        ("{{ index .m 1 }}", "error calling index: value has type int; should be string"),
        ("{{ index .n 0 }}", "error calling index: can't index item of type int"),
        ("{{ index nil 1 }}", "error calling index: index of untyped nil"),
        ("{{ index .m \"nope\" \"x\" }}", "error calling index: index of nil pointer"),
        ("{{ index .l \"a\" }}", "error calling index: cannot index slice/array with type string"),
        ("{{ slice \"abc\" 1 }}", "error calling slice: list should be type of slice or array but string"),
        ("{{ slice .l 1 5 }}", "error calling slice: reflect: slice index out of range [1:5]"),
        ("{{ call .n }}", "error calling call: non-function of type int"),
    ] {
        assert!(e(t, d()).message.ends_with(msg), "{t}: {}", e(t, d()));
    }
}

#[test]
fn argument_checks() {
    for (t, msg) in [
        ("{{ upper }}", "wrong number of args for upper: want 1 got 0"),
        ("{{ upper \"a\" \"b\" }}", "wrong number of args for upper: want 1 got 2"),
        ("{{ \"a\" | upper \"b\" }}", "wrong number of args for upper: want 1 got 2"),
        ("{{ printf }}", "wrong number of args for printf: want at least 1 got 0"),
        ("{{ upper 3 }}", "expected string; found 3"),
        ("{{ upper .n }}", "wrong type for value; expected string; got int"),
        ("{{ .n | upper }}", "wrong type for value; expected string; got int"),
        ("{{ upper .missing }}", "invalid value; expected string"),
        ("{{ upper .nul }}", "wrong type for value; expected string; got interface {}"),
        ("{{ upper nil }}", "cannot assign nil to string"),
        ("{{ repeat (add 1 1) \"x\" }}", "wrong type for value; expected int; got int64"),
        ("{{ repeat 1.5 \"x\" }}", "expected integer; found 1.5"),
        ("{{ ternary 1 2 \"yes\" }}", "expected bool; found \"yes\""),
        ("{{ set \"x\" \"k\" 1 }}", "can't handle \"x\" for arg of type map[string]interface {}"),
        ("{{ .a.b 1 }}", "b is not a method but has arguments"),
        ("{{ .a.b.c 1 }}", "can't evaluate field c in type string"),
        ("{{ .a 1 }}", "a is not a method but has arguments"),
        ("{{ 1 | .a }}", "a is not a method but has arguments"),
        ("{{ \"x\" 1 }}", "can't give argument to non-function \"x\""),
        ("{{ $x := 1 }}{{ $x 2 }}", "can't give argument to non-function $x"),
        ("{{ nil }}", "nil is not a command"),
    ] {
        assert!(e(t, d()).message.ends_with(msg), "{t}: {}", e(t, d()));
    }
    // An integer literal is also a valid int argument when written as 2.0 (Go's NumberNode).
    assert_eq!(r("{{ repeat 2.0 \"ab\" }}", d()), "abab");
    // The missing value is nil for interface{} and map parameters.
    assert_eq!(r("{{ default \"d\" .missing }} {{ hasKey .missing \"k\" }} {{ .nul | default 7 }}", d()), "d false 7");
}

#[test]
fn printing() {
    let data = json!({"mixed": ["a", 1, 1.5, true, null, {"k": "v"}, ["x"]], "e": [], "em": {},
                      "one": 1.0, "bigf": 1e21, "small": 0.00001, "i": 1000000, "f6": 1000000.0,
                      "u": 18446744073709551615u64, "nm": {"b": {"c": [1, 2]}, "a": null}});
    assert_eq!(r("{{ .mixed }}", data.clone()), "[a 1 1.5 true <nil> map[k:v] [x]]");
    assert_eq!(r("{{ .e }} {{ .em }} {{ .nm }}", data.clone()), "[] map[] map[a:<nil> b:map[c:[1 2]]]");
    assert_eq!(
        r("{{ .one }} {{ .bigf }} {{ .small }} {{ .i }} {{ .f6 }} {{ .u }}", data),
        "1 1e+21 1e-05 1000000 1e+06 18446744073709551615"
    );
}

#[test]
fn shared_maps() {
    assert_eq!(r("{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ $d }}", d()), "map[a:1 b:2]");
    assert_eq!(r("{{ $_ := set . \"x\" 5 }}{{ .x }}", d()), "5");
    assert_eq!(r("{{ $_ := unset .a \"b\" }}{{ .a }}", d()), "map[]");
    // A map that contains itself can be built and queried, but not printed.
    let t = "{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ hasKey $d.self.self \"self\" }}";
    assert_eq!(r(t, d()), "true");
    let err = e("{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ $d }}", d());
    assert!(err.message.contains("nested deeper than"), "{err}");
    // Go's JSON encoder rejects the cycle; toJson swallows the error, mustToJson reports it.
    assert_eq!(r("{{ $d := dict }}{{ $_ := set $d \"s\" $d }}{{ toJson $d }}", d()), "");
    assert!(e("{{ $d := dict }}{{ $_ := set $d \"s\" $d }}{{ mustToJson $d }}", d()).message.contains("nested deeper"));
}

#[test]
fn environment_comes_from_options() {
    let mut env = BTreeMap::new();
    env.insert("HOME".to_string(), "/h".to_string());
    env.insert("B".to_string(), "b".to_string());
    let opts = Options { env, missing_key_zero: false };
    let t = "{{ env \"HOME\" }}|{{ env \"NOPE\" }}|{{ expandenv \"$HOME-${B}-$NOPE-$\" }}|{{ env.Getenv \"NOPE\" \"dflt\" }}|{{ getenv \"B\" }}";
    assert_eq!(render("t", t, &json!({}), &opts).unwrap(), "/h||/h-b--$|dflt|b");
    // Nothing leaks from the process environment.
    assert_eq!(r("[{{ env \"PATH\" }}]", d()), "[]");
}

#[test]
fn unsupported_functions_fail_where_they_are_called() {
    let err = e("vars:\n  x: '{{ (atmos.Component \"vpc\" .stack).outputs.id }}'", json!({"stack": "s"}));
    assert_eq!((err.line, err.column), (2, 11));
    assert!(
        err.message.contains("function \"atmos.Component\" is not supported by paved: it reads other components"),
        "{err}"
    );
    assert!(e("{{ atmos.Store \"s\" \"a\" \"b\" \"c\" }}", d()).message.contains("\"atmos.Store\" is not supported"));
    assert!(
        e("{{ now | unixEpoch }}", d())
            .message
            .contains("\"now\" is not supported by paved: its result depends on the clock")
    );
    assert!(e("{{ randAlpha 5 }}", d()).message.contains("is random"));
    assert!(e("{{ (datasource \"ip\").ip }}", d()).message.contains("needs IO"));
    assert!(e("{{ aws.EC2Region }}", d()).message.contains("\"aws.EC2Region\" is not supported"));
    assert!(e("{{ strings.Slug \"x\" }}", d()).message.contains("does not implement it yet"));
}

#[test]
fn limits() {
    let err = e("{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}", d());
    assert!(err.message.ends_with("exceeded maximum template depth (100)"), "{err}");
    let err = e("{{ range 100000000 }}{{ end }}", d());
    assert!(err.message.contains("exceeded its evaluation budget"), "{err}");
    let err = e("{{ repeat 100000000 \"xx\" }}", d());
    assert!(err.message.contains("exceeds the limit"), "{err}");
    let err = e("{{ range 2000 }}{{ repeat 10000 \"x\" }}{{ end }}", d());
    assert!(err.message.contains("output exceeds the limit of 16777216 bytes"), "{err}");
    let err = e("{{ $l := list }}{{ range 100000 }}{{ $l = append $l . }}{{ end }}", d());
    assert!(err.message.contains("evaluation budget"), "{err}");
    let mut deep = json!(1);
    for _ in 0..300 {
        deep = json!([deep]);
    }
    assert!(e("{{ . }}", deep).message.contains("nested deeper than 200 levels"));
    // Go gives up on a width over a million and reports the format as broken.
    assert_eq!(r("{{ printf \"%999999999d\" 1 }}", d()), "%!(NOVERB)%!(EXTRA int=1)");
}

#[test]
fn template_is_reusable_and_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Template>();
    let t = Template::parse("name_template", "{{ .vars.tenant }}-{{ .vars.stage }}").unwrap();
    assert_eq!(t.name(), "name_template");
    let opts = Options::default();
    for (tenant, stage) in [("a", "dev"), ("b", "prod")] {
        let data = json!({"vars": {"tenant": tenant, "stage": stage}});
        assert_eq!(t.execute(&data, &opts).unwrap(), format!("{tenant}-{stage}"));
        assert_eq!(t.execute_with(&data, &opts, MissingKey::Error).unwrap(), format!("{tenant}-{stage}"));
    }
    let t2 = t.clone();
    let handle =
        std::thread::spawn(move || t2.execute(&json!({"vars": {"tenant": "x", "stage": "y"}}), &Options::default()));
    assert_eq!(handle.join().unwrap().unwrap(), "x-y");
}

/// Hostile nesting and huge values run in a thread with a 2 MiB stack (the default for
/// spawned threads) without overflowing it: the evaluator's recursion is bounded and deep
/// values are dropped iteratively.
#[test]
fn hostile_templates_fit_a_small_stack() {
    fn in_small_thread(t: String) -> Result<String, crate::gotemplate::Error> {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || render("t", &t, &json!({}), &Options::default()))
            .unwrap()
            .join()
            .unwrap()
    }
    // A list nested 100,000 deep, and a 100,000-long chain of maps built by mutation.
    assert_eq!(
        in_small_thread("{{ $l := list }}{{ range 100000 }}{{ $l = list $l }}{{ end }}ok".into()).unwrap(),
        "ok"
    );
    let chain = "{{ $c := dict }}{{ range 100000 }}{{ $n := dict }}{{ $_ := set $c \"n\" $n }}{{ $c = $n }}{{ end }}ok";
    assert_eq!(in_small_thread(chain.into()).unwrap(), "ok");
    for depth in [1, 20, 90] {
        let body = format!("{}{{{{ template \"r\" . }}}}{}", "{{ if 1 }}".repeat(depth), "{{ end }}".repeat(depth));
        let t = format!("{{{{ define \"r\" }}}}{body}{{{{ end }}}}{{{{ template \"r\" . }}}}");
        let err = in_small_thread(t).unwrap_err();
        assert!(err.message.contains("nested deeper than") || err.message.contains("maximum template depth"), "{err}");
    }
    let parens = format!(
        "{{{{ define \"r\" }}}}{{{{ {}template{} }}}}{{{{ end }}}}{{{{ template \"r\" . }}}}",
        "(".repeat(95),
        ")".repeat(95)
    )
    .replace("(template)", "(print 1)");
    let _ = in_small_thread(parens);
    let first_word = format!(
        "{{{{ define \"r\" }}}}{{{{ {}1{} }}}}{{{{ template \"r\" . }}}}{{{{ end }}}}{{{{ template \"r\" . }}}}",
        "(".repeat(95),
        ")".repeat(95)
    );
    let err = in_small_thread(first_word).unwrap_err();
    assert!(err.message.contains("nested deeper than") || err.message.contains("maximum template depth"), "{err}");
}
