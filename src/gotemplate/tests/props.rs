//! Property tests: no input makes the engine panic, and every error points inside the text.

use proptest::prelude::*;
use serde_json::json;

use crate::gotemplate::{Error, MissingKey, Options, Template};

const TOKENS: &[&str] = &[
    "{{",
    "}}",
    "{{- ",
    " -}}",
    " ",
    "\n",
    "text",
    ".a",
    ".b.c",
    ".l",
    ".m",
    ".n",
    "$x",
    "$",
    " := ",
    " = ",
    " | ",
    "(",
    ")",
    ",",
    "if ",
    "else ",
    "end",
    "range ",
    "with ",
    "define ",
    "template ",
    "block ",
    "break",
    "continue",
    "\"s\"",
    "`r`",
    "'c'",
    "1",
    "-2",
    "1.5",
    "0x1F",
    "1e3",
    "nil",
    "true",
    "/*",
    "*/",
    "len ",
    "index ",
    "printf \"%v %d %s\" ",
    "eq ",
    "and ",
    "or ",
    "not ",
    "default ",
    "list ",
    "dict ",
    "set ",
    "merge ",
    "toJson ",
    "slice ",
    "print ",
    "repeat ",
    "until ",
    "strings.Title ",
    "atmos.Component ",
    "now ",
    "\"x\"",
    "$y",
    "é",
    "{{/*",
    "*/}}",
    "{{end}}",
    "{{else}}",
    "{{range .l}}",
    "{{if .a}}",
    "{{define \"t\"}}",
    "{{template \"t\" .}}",
];

fn data() -> serde_json::Value {
    json!({"a": {"b": {"c": 1}}, "l": [1, "two", null, [3]], "m": {"k": "v", "n": null}, "n": 5})
}

fn check(text: &str, result: Result<String, Error>) {
    if let Err(e) = result {
        let lines = text.split('\n').count() as u32;
        assert!(e.line >= 1 && e.line <= lines.max(1), "line {} of {lines}: {e}", e.line);
        assert!(e.column >= 1, "{e}");
        assert!(!e.message.is_empty());
    }
}

fn run_all(text: &str) {
    let opts = Options::default();
    match Template::parse("p", text) {
        Err(e) => check(text, Err(e)),
        Ok(t) => {
            for mode in [MissingKey::Default, MissingKey::Zero, MissingKey::Error] {
                check(text, t.execute_with(&data(), &opts, mode));
            }
            check(text, t.execute(&serde_json::Value::Null, &opts));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,120}") {
        run_all(&text);
    }

    #[test]
    fn arbitrary_actions_never_panic(text in "\\{\\{[ -~]{0,60}\\}\\}") {
        run_all(&text);
    }

    #[test]
    fn token_soup_never_panics(parts in proptest::collection::vec(proptest::sample::select(TOKENS), 0..40)) {
        run_all(&parts.concat());
    }
}
