//! A table of function calls and their outputs, mostly the examples of the Sprig
//! documentation (masterminds.github.io/sprig) and Gomplate's, over one data set.

use serde_json::json;

use super::r;

fn data() -> serde_json::Value {
    json!({
        "name": "hello world", "empty": "", "n": 7, "f": 2.5, "neg": -3, "t": true, "nul": null,
        "list": [1, 2, 3, 4, 5], "strs": ["b", "a", "c"], "dup": [1, 2, 2, "x", "x", [1], [1]],
        "d": {"name1": "value1", "name2": "value2", "nested": {"k": "v"}},
        "vars": {"tenant": "plat", "environment": "ue2", "stage": "dev", "region": "us-east-2"},
        "json": "{\"a\":1,\"b\":[true,null]}",
        "yaml": "a: 1\nb:\n  - x\n  - 2.5\n",
        "html": "<b>&</b>"
    })
}

/// (template, expected output)
const CASES: &[(&str, &str)] = &[
    // Defaults and flow (sprig/defaults.html).
    (r#"{{ default "foo" .empty }}"#, "foo"),
    (r#"{{ .name | default "foo" }}"#, "hello world"),
    (r#"{{ default 42 0 }} {{ default "d" false }} {{ default "d" (list) }}"#, "42 d d"),
    (r#"{{ empty .empty }} {{ empty 0 }} {{ empty .list }} {{ empty .missing }}"#, "true true false true"),
    (r#"{{ coalesce 0 1 2 }} {{ coalesce .missing .empty "x" }}"#, "1 x"),
    (r#"{{ coalesce "" 0 }}"#, "<no value>"),
    (r#"{{ ternary "foo" "bar" true }} {{ false | ternary "foo" "bar" }}"#, "foo bar"),
    (r#"{{ all 1 "a" .t }} {{ all 1 "" }} {{ any 0 "" 3 }} {{ any }}"#, "true false true false"),
    (r#"{{ required "needed" .name }}"#, "hello world"),
    // Strings (sprig/strings.html).
    (r#"{{ trim "   hello    " }}"#, "hello"),
    (r#"{{ trimAll "$" "$5.00" }}"#, "5.00"),
    (r#"{{ trimSuffix "-" "hello-" }} {{ trimPrefix "-" "-hello" }}"#, "hello hello"),
    (r#"{{ upper "hello" }} {{ lower "HELLO" }}"#, "HELLO hello"),
    (r#"{{ title "hello world" }} {{ title "vpc-flow_logs x.y" }}"#, "Hello World Vpc-Flow_logs X.Y"),
    (r#"{{ repeat 3 "hello" }}"#, "hellohellohello"),
    (r#"{{ substr 0 5 "hello world" }} {{ substr 6 -1 "hello world" }} {{ substr -1 2 "abc" }}"#, "hello world ab"),
    (r#"{{ nospace "hello w o r l d" }}"#, "helloworld"),
    (r#"{{ trunc 5 "hello world" }}|{{ trunc -5 "hello world" }}|{{ trunc 50 "hi" }}"#, "hello|world|hi"),
    (r#"{{ contains "cat" "catch" }} {{ hasPrefix "cat" "catch" }} {{ hasSuffix "ch" "catch" }}"#, "true true true"),
    (r#"{{ quote "hi" 1 .nul "a\"b" }}"#, "\"hi\" \"1\" \"a\\\"b\""),
    (r#"{{ squote "hi" 2 }}"#, "'hi' '2'"),
    (r#"{{ cat "hello" "beautiful" "world" }} {{ cat 1 .nul "x" }}"#, "hello beautiful world 1 x"),
    (r#"{{ indent 4 "a\nb" }}|{{ nindent 2 "x" }}"#, "    a\n    b|\n  x"),
    (r#"{{ "I Am Henry VIII" | replace " " "-" }}"#, "I-Am-Henry-VIII"),
    (r#"{{ replace "" "-" "abc" }}"#, "-a-b-c-"),
    (
        r#"{{ plural "one anchovy" "many anchovies" 1 }}, {{ plural "one anchovy" "many anchovies" 2 }}"#,
        "one anchovy, many anchovies",
    ),
    (r#"{{ $a := split "$" "foo$bar$baz" }}{{ $a._0 }} {{ $a._2 }} {{ $a }}"#, "foo baz map[_0:foo _1:bar _2:baz]"),
    (r#"{{ splitList "$" "foo$bar$baz" }} {{ splitList "" "ab" }}"#, "[foo bar baz] [a b]"),
    (r#"{{ (splitn "$" 2 "foo$bar$baz")._1 }}"#, "bar$baz"),
    (r#"{{ join "-" .strs }} {{ join "," (list 1 .nul "a") }} {{ join "+" "solo" }}"#, "b-a-c 1,a solo"),
    (r#"{{ toString 1.5 }} {{ toString .list }} {{ toString .nul }}"#, "1.5 [1 2 3 4 5] <nil>"),
    // Regular expressions.
    (r#"{{ regexMatch "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[A-Za-z]{2,}$" "test@acme.com" }}"#, "true"),
    (r#"{{ regexMatch "(" "x" }}"#, "false"),
    (
        r#"{{ regexFindAll "[2,4,6,8]" "123456789" -1 }} {{ regexFindAll "[2,4,6,8]" "123456789" 2 }}"#,
        "[2 4 6 8] [2 4]",
    ),
    (r#"{{ regexFind "[a-zA-Z][1-9]" "abcd1234" }}"#, "d1"),
    (r#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}"#, "-W-xxW-"),
    (r#"{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}"#, "-${1}-${1}-"),
    (r#"{{ regexSplit "z+" "pizza" -1 }} {{ regexSplit "z+" "pizza" 1 }}"#, "[pi a] [pizza]"),
    (r#"{{ regexQuoteMeta "1.2.3" }}"#, "1\\.2\\.3"),
    // Conversions and math (sprig/conversion.html, math.html).
    (r#"{{ atoi "42" }} {{ atoi "4x" }} {{ atoi "-7" }}"#, "42 0 -7"),
    (
        r#"{{ int "12" }} {{ int "0x1A" }} {{ int 3.9 }} {{ int "12.00" }} {{ int "abc" }} {{ int .t }}"#,
        "12 26 3 12 0 1",
    ),
    (r#"{{ int64 "9" }} {{ float64 "1.5" }} {{ float64 3 }} {{ typeOf (int64 1) }}"#, "9 1.5 3 int64"),
    (r#"{{ add 1 2 3 }} {{ add1 4 }} {{ sub 10 "3" }} {{ mul 2 3 4 }}"#, "6 5 7 24"),
    (r#"{{ div 7 2 }} {{ mod 7 2 }} {{ div -7 2 }} {{ mod -7 2 }}"#, "3 1 -3 -1"),
    (r#"{{ max 1 2 3 }} {{ min 4 2 9 }} {{ biggest 5 8 }} {{ max 1.9 1 }}"#, "3 2 8 1"),
    (r#"{{ floor 123.9999 }} {{ ceil 123.001 }} {{ round 123.555555 3 }} {{ round 1.4 0 }}"#, "123 124 123.556 1"),
    (r#"{{ until 5 }} {{ until -2 }}"#, "[0 1 2 3 4] [0 -1]"),
    (r#"{{ add .f 1 }} {{ add "x" 1 }}"#, "3 1"),
    // Lists (sprig/lists.html).
    (
        r#"{{ $myList := list 1 2 3 4 5 }}{{ first $myList }} {{ rest $myList }} {{ last $myList }} {{ initial $myList }}"#,
        "1 [2 3 4 5] 5 [1 2 3 4]",
    ),
    (r#"{{ first (list) }}|{{ rest (list) }}|{{ last (list) }}"#, "<no value>|<no value>|<no value>"),
    (r#"{{ $new := append .list 6 }}{{ $new }} {{ .list }}"#, "[1 2 3 4 5 6] [1 2 3 4 5]"),
    (r#"{{ prepend .list 0 }} {{ push (list) "x" }}"#, "[0 1 2 3 4 5] [x]"),
    (r#"{{ concat .list (list 6 7) (list 8) }}"#, "[1 2 3 4 5 6 7 8]"),
    (r#"{{ reverse .list }} {{ reverse .strs }}"#, "[5 4 3 2 1] [c a b]"),
    (r#"{{ uniq .dup }}"#, "[1 2 x [1]]"),
    (r#"{{ without .list 1 3 5 }}"#, "[2 4]"),
    (r#"{{ has 4 .list }} {{ has "hello" .list }} {{ has 1 .nul }}"#, "true false false"),
    (r#"{{ compact (list 1 "" 0 "a" .nul (list)) }}"#, "[1 a]"),
    (r#"{{ slice .list 1 3 }} {{ slice .list 3 }} {{ slice .list "1" }}"#, "[2 3] [4 5] [2 3 4 5]"),
    (r#"{{ sortAlpha .strs }} {{ sortAlpha (list 10 9 "a") }}"#, "[a b c] [10 9 a]"),
    (r#"{{ toStrings (list 1 "a" 2.5) }} {{ typeOf (toStrings .list) }}"#, "[1 a 2.5] []string"),
    // Dictionaries (sprig/dicts.html).
    (
        r#"{{ $d := dict "name1" "value1" "name2" "value2" "name3" "value 3" }}{{ get $d "name1" }}|{{ get $d "nope" }}"#,
        "value1|",
    ),
    (r#"{{ $d := dict "a" 1 "odd" }}{{ $d }}"#, "map[a:1 odd:]"),
    (
        r#"{{ $d := dict }}{{ $_ := set $d "k" "v" }}{{ $_ := set $d "n" 1 }}{{ $d }} {{ hasKey $d "k" }} {{ hasKey $d "x" }}"#,
        "map[k:v n:1] true false",
    ),
    (r#"{{ $d := dict "a" 1 "b" 2 }}{{ $_ := unset $d "a" }}{{ $_ := unset $d "zz" }}{{ $d }}"#, "map[b:2]"),
    (r#"{{ keys .d }} {{ keys .d (dict "zz" 1) }}"#, "[name1 name2 nested] [name1 name2 nested zz]"),
    (r#"{{ values (dict "b" 2 "a" 1) }}"#, "[1 2]"),
    (r#"{{ pluck "name1" .d (dict "name1" "other") (dict "x" 1) }}"#, "[value1 other]"),
    (r#"{{ pick .d "name1" "nope" }} {{ omit .d "name1" "nested" }}"#, "map[name1:value1] map[name2:value2]"),
    (
        r#"{{ dig "nested" "k" "dflt" .d }} {{ dig "nested" "zz" "dflt" .d }} {{ dig "x" "y" "dflt" .d }}"#,
        "v dflt dflt",
    ),
    (
        r#"{{ $dst := dict "a" 1 "e" "" "m" (dict "x" 1) }}{{ $_ := merge $dst (dict "a" 2 "b" 3 "e" "filled" "m" (dict "x" 2 "y" 2)) }}{{ $dst }}"#,
        "map[a:1 b:3 e:filled m:map[x:1 y:2]]",
    ),
    (
        r#"{{ $dst := dict "a" 1 "l" (list 1) }}{{ $_ := mergeOverwrite $dst (dict "a" 2 "b" 3 "l" (list 2)) }}{{ $dst }}"#,
        "map[a:2 b:3 l:[2]]",
    ),
    (r#"{{ merge (dict "f" false) (dict "f" true) }} {{ merge (dict) (dict "n" .nul) }}"#, "map[f:true] map[]"),
    (
        r#"{{ $c := deepCopy .d }}{{ $_ := set $c.nested "k" "changed" }}{{ .d.nested.k }} {{ $c.nested.k }}"#,
        "v changed",
    ),
    (
        r#"{{ collectKeys (dict "e1" (dict "regions" (dict "us" 1)) "e2" (dict "regions" (dict "eu" 1 "us" 2))) "regions" }} {{ collectKeys .d }}"#,
        "[eu us] [name1 name2 nested]",
    ),
    // Type inspection (sprig/reflection.html).
    (
        r#"{{ typeOf "x" }} {{ typeOf 1 }} {{ typeOf 1.5 }} {{ typeOf .list }} {{ typeOf .d }} {{ typeOf .nul }} {{ typeOf (split "," "a") }}"#,
        "string int float64 []interface {} map[string]interface {} <nil> map[string]string",
    ),
    (
        r#"{{ kindOf "x" }} {{ kindOf .list }} {{ kindOf .d }} {{ kindOf .missing }} {{ kindIs "int" 3 }} {{ kindIs "slice" .list }}"#,
        "string slice map invalid true true",
    ),
    (
        r#"{{ typeIs "string" "x" }} {{ typeIsLike "string" "x" }} {{ deepEqual (list 1 (dict "a" 1)) (list 1 (dict "a" 1)) }}"#,
        "true true true",
    ),
    // Encoding (sprig/encoding.html, defaults.html).
    (r#"{{ toJson .d }}"#, r#"{"name1":"value1","name2":"value2","nested":{"k":"v"}}"#),
    (r#"{{ toJson .html }} {{ toRawJson .html }}"#, r#""\u003cb\u003e\u0026\u003c/b\u003e" "<b>&</b>""#),
    (r#"{{ toJson (list 1.5 1e21 0.0000001 "\n\t\u2028") }}"#, r#"[1.5,1e+21,1e-7,"\n\t\u2028"]"#),
    (
        "{{ toPrettyJson (dict \"a\" (list 1 2) \"b\" (dict) \"c\" (list)) }}",
        "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": []\n}",
    ),
    (
        r#"{{ $j := fromJson .json }}{{ $j.a }} {{ typeOf $j.a }} {{ $j.b }} {{ fromJson "nope" }}"#,
        "1 float64 [true <nil>] <no value>",
    ),
    (
        r#"{{ b64enc "Hello, World!" }} {{ b64dec "SGVsbG8sIFdvcmxkIQ==" }} {{ b64enc "" }}"#,
        "SGVsbG8sIFdvcmxkIQ== Hello, World! ",
    ),
    (r#"{{ b64dec "not base64!" }}"#, "illegal base64 data at input byte 3"),
    (r#"{{ sha256sum "Hello world!" }}"#, "c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a"),
    (r#"{{ adler32sum "Wikipedia" }}"#, "300286872"),
    (r#"{{ html .html }} {{ urlquery "a b" }}"#, "&lt;b&gt;&amp;&lt;/b&gt; a+b"),
    // Gomplate namespaces (docs.gomplate.ca).
    (
        r#"{{ strings.Title .vars.tenant }} {{ .vars.stage | strings.Quote }} {{ strings.Squote "it's" }}"#,
        "Plat \"dev\" 'it''s'",
    ),
    (
        r#"{{ strings.ToUpper "a" }} {{ strings.ToLower "B" }} {{ strings.TrimSpace "  c " }} {{ strings.Trim "-" "--d--" }}"#,
        "A b c d",
    ),
    (
        r#"{{ strings.TrimPrefix "a-" "a-b" }} {{ strings.TrimSuffix "-b" "a-b" }} {{ strings.ReplaceAll "." "-" "a.b.c" }}"#,
        "b a a-b-c",
    ),
    (
        r#"{{ strings.Contains "ell" "hello" }} {{ strings.HasPrefix "he" "hello" }} {{ strings.HasSuffix "lo" "hello" }}"#,
        "true true true",
    ),
    (
        r#"{{ strings.Split "," "a,b" }} {{ strings.SplitN "," 2 "a,b,c" }} {{ strings.Repeat 2 "ab" }} {{ strings.Trunc 3 "hello" }}"#,
        "[a b] [a b,c] abab hel",
    ),
    ("{{ strings.Indent 2 \"a\\n\\nb\" }}|{{ strings.Indent 1 \"> \" \"q\" }}", "  a\n\n  b|> q"),
    (
        r#"{{ conv.ToBool "yes" }} {{ conv.ToBool "off" }} {{ conv.ToBool 1 }} {{ conv.ToInt "1,000" }} {{ conv.ToInt64 "3.7" }} {{ conv.ToFloat64 "2.5" }}"#,
        "true false true 1000 3 2.5",
    ),
    (
        r#"{{ conv.ToString .nul }} {{ conv.Default "d" "" }} {{ conv.Join (list 1 2) "-" }} {{ conv.Has .d "name1" }}"#,
        "nil d 1-2 true",
    ),
    (
        r#"{{ math.Add 1 2 }} {{ math.Add 1 2.5 }} {{ math.Sub 5 2 }} {{ math.Mul 2 3 }} {{ math.Div 7 2 }} {{ math.Rem 7 2 }}"#,
        "3 3.5 3 6 3.5 1",
    ),
    (
        r#"{{ math.Max 1 5 3 }} {{ math.Min 2.5 1 }} {{ math.Abs -3 }} {{ math.Floor 1.5 }} {{ math.Ceil 1.2 }} {{ math.Round 2.5 }}"#,
        "5 1 3 1 2 3",
    ),
    (
        r#"{{ (data.JSON .json).a }} {{ (data.YAML .yaml).b }} {{ (yaml .yaml).a }} {{ data.JSONArray "[1,2]" }}"#,
        "1 [x 2.5] 1 [1 2]",
    ),
    (r#"{{ data.ToJSON (dict "a" 1) }} {{ toJSON (list "<") }}"#, r#"{"a":1} ["\u003c"]"#),
    ("{{ data.ToJSONPretty \"  \" (dict \"a\" 1) }}", "{\n  \"a\": 1\n}"),
    // Same data as Gomplate's toYAML; the layout is yaml_serde's (see docs/go-templates.md).
    ("{{ toYAML (dict \"b\" (list 1 2.0 \"x\") \"a\" \"yes\") }}", "a: yes\nb:\n- 1\n- 2\n- x\n"),
    (
        r#"{{ coll.Dict "a" 1 }} {{ coll.Slice 1 "a" }} {{ coll.Has (list 1 2) 2 }} {{ coll.Keys (dict "b" 1 "a" 2) }} {{ coll.Values (dict "b" 1 "a" 2) }}"#,
        "map[a:1] [1 a] true [a b] [2 1]",
    ),
    (
        r#"{{ coll.Append 3 (list 1 2) }} {{ coll.Prepend 0 (list 1) }} {{ coll.Uniq (list 1 1 2) }} {{ coll.Reverse (list 1 2) }}"#,
        "[1 2 3] [0 1] [1 2] [2 1]",
    ),
    (
        r#"{{ coll.Merge (dict "a" 1 "m" (dict "x" 1)) (dict "a" 2 "b" "" "m" (dict "y" 2)) }}"#,
        "map[a:1 b: m:map[x:1 y:2]]",
    ),
    (r#"{{ coll.Pick "name1" .d }} {{ coll.Omit "name1" "nested" .d }}"#, "map[name1:value1] map[name2:value2]"),
    (
        r#"{{ base64.Encode "hi" }} {{ base64.Decode "aGk=" }} {{ crypto.SHA256 "" }}"#,
        "aGk= hi e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ),
    (
        r#"{{ regexp.Match "^a" "abc" }} {{ regexp.Find "[0-9]+" "ab12c" }} {{ regexp.Replace "(a)(b)" "$2$1" "xaby" }} {{ regexp.QuoteMeta "a.b" }}"#,
        "true 12 xbay a\\.b",
    ),
    (
        r#"{{ test.Ternary "y" "n" true }} {{ test.Kind .list }} {{ test.IsKind "number" 1.5 }} {{ test.Required "v" }}{{ test.Assert true }}"#,
        "y slice true v",
    ),
    (
        r#"{{ path.Base "/a/b.txt" }} {{ path.Dir "/a/b.txt" }} {{ path.Ext "b.tar.gz" }} {{ path.Join "a" "../b" "c" }} {{ path.Clean "a//b/./c/.." }} {{ filepath.Base "x/" }}"#,
        "b.txt /a .gz b/c a/b x",
    ),
];

#[test]
fn function_table() {
    let d = data();
    let mut failures = Vec::new();
    for (t, want) in CASES {
        match crate::gotemplate::render("t", t, &d, &Default::default()) {
            Ok(got) if got == *want => {}
            Ok(got) => failures.push(format!("{t}\n   got: {got:?}\n  want: {want:?}")),
            Err(e) => failures.push(format!("{t}\n  error: {e}")),
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), CASES.len(), failures.join("\n"));
    assert!(CASES.len() >= 100, "{} cases", CASES.len());
}

#[test]
fn function_errors() {
    for (t, msg) in [
        (r#"{{ required "A valid foo is required!" .empty }}"#, "error calling required: A valid foo is required!"),
        (r#"{{ required "need it" .missing }}"#, "error calling required: need it"),
        (
            r#"{{ fail "Please accept the end user license agreement" }}"#,
            "error calling fail: Please accept the end user license agreement",
        ),
        (r#"{{ div 1 0 }}"#, "error calling div: runtime error: integer divide by zero"),
        (r#"{{ first 3 }}"#, "error calling first: Cannot find first on type int"),
        (r#"{{ concat (list 1) 2 }}"#, "error calling concat: Cannot concat type int as list"),
        (r#"{{ regexFind "(" "x" }}"#, "error calling regexFind: regexp: Compile(\"(\")"),
        (r#"{{ repeat -1 "x" }}"#, "error calling repeat: strings: negative Repeat count"),
        (r#"{{ substr 5 2 "abc" }}"#, "error calling substr: runtime error: slice bounds out of range [5:2]"),
        (r#"{{ trunc 1 "é" }}"#, "would split a UTF-8 character"),
        (r#"{{ set .missing "k" 1 }}"#, "error calling set: assignment to entry in nil map"),
        (r#"{{ dig "a" "b" }}"#, "error calling dig: dig needs at least three arguments"),
        (
            r#"{{ dig "name1" "x" "d" .d }}"#,
            "interface conversion: interface {} is string, not map[string]interface {}",
        ),
        (r#"{{ mustFromJson "{" }}"#, "error calling mustFromJson: EOF while parsing an object"),
        (r#"{{ test.Fail "stop" }}"#, "error calling test.Fail: template generation failed: stop"),
        (r#"{{ test.Required "" }}"#, "can not render template: a required value was not set"),
        (r#"{{ conv.Join 1 "," }}"#, "input to Join must be an array"),
        (r#"{{ data.JSON "[1]" }}"#, "expected a map, got []interface {}"),
        (r#"{{ collectKeys (list) }}"#, "collectKeys: expected a map, got []interface {}"),
    ] {
        let err = crate::gotemplate::render("t", t, &data(), &Default::default()).unwrap_err();
        assert!(err.message.contains(msg), "{t}: {err}");
    }
    // mustRegexMatch reports a bad expression; regexMatch quietly says false.
    assert_eq!(r(r#"{{ regexMatch "(" "x" }}"#, data()), "false");
}
