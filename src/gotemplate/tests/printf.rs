//! `printf` against the `fmt` package documentation: verbs, flags, width and precision, the
//! `%!verb(type=value)` error forms, and Go's float formatting.

use serde_json::json;

use super::{e, r};

/// `printf FORMAT ARGS…` with ARGS written as template literals or fields of the data.
fn p(format: &str, args: &str) -> String {
    let data = json!({"l": ["a", 1], "m": {"a": 1}, "nums": [1, 2], "u": 18446744073709551615u64,
                      "third": 0.3333333333333333, "e": "é", "hi": "hi", "nul": null});
    r(&format!("{{{{ printf {format:?} {args} }}}}"), data)
}

#[test]
fn integers() {
    for (f, a, want) in [
        ("%d", "42", "42"),
        ("%5d|", "42", "   42|"),
        ("%-5d|", "42", "42   |"),
        ("%05d", "42", "00042"),
        ("%05d", "-42", "-0042"),
        ("%+d", "42", "+42"),
        ("% d", "42", " 42"),
        ("%.3d", "7", "007"),
        ("%8.3d|", "7", "     007|"),
        ("%.0d|", "0", "|"),
        ("%x %X %#x %#X", "255 255 255 255", "ff FF 0xff 0XFF"),
        ("%x", "-255", "-ff"),
        ("%o %#o %O", "8 8 8", "10 010 0o10"),
        ("%b %#b", "5 5", "101 0b101"),
        ("%c%c", "65 0x1F600", "A😀"),
        ("%q", "65", "'A'"),
        ("%U %#U", "0x1F600 65", "U+1F600 U+0041 'A'"),
        ("%v %d", ".u .u", "18446744073709551615 18446744073709551615"),
        ("%x", "(index \"a\" 0)", "61"),
        ("%d", "(add 1 2)", "3"),
    ] {
        assert_eq!(p(f, a), want, "{f} {a}");
    }
}

#[test]
fn strings() {
    for (f, a, want) in [
        ("%s", ".hi", "hi"),
        ("%10s|", ".hi", "        hi|"),
        ("%-10s|", ".hi", "hi        |"),
        ("%05s", ".hi", "   hi"),
        ("%.1s", ".hi", "h"),
        ("%.1s", "\"éa\"", "é"),
        ("%q", "\"a\\\"b\\n\"", "\"a\\\"b\\n\""),
        ("%q", ".e", "\"é\""),
        ("%+q", ".e", "\"\\u00e9\""),
        ("%#q", "\"ab\"", "`ab`"),
        ("%#q", "\"a`b\"", "\"a`b\""),
        ("%q", "\"\\x01\\x7f\\u00a0\\U0001F600\"", "\"\\x01\\x7f\\u00a0😀\""),
        ("%x", ".e", "c3a9"),
        ("%X", "\"hé\"", "68C3A9"),
        ("% x", ".hi", "68 69"),
        ("%#x", ".hi", "0x6869"),
        ("%# x", ".hi", "0x68 0x69"),
        ("%6x|", ".hi", "  6869|"),
        ("%v|%5v|%-5v|", ".hi .hi .hi", "hi|   hi|hi   |"),
    ] {
        assert_eq!(p(f, a), want, "{f} {a}");
    }
}

#[test]
fn composites_and_types() {
    for (f, a, want) in [
        ("%v", ".l", "[a 1]"),
        ("%+v", ".m", "map[a:1]"),
        ("%d", ".nums", "[1 2]"),
        ("%s", ".l", "[a %!s(int=1)]"),
        ("%d", ".m", "map[%!d(string=a):1]"),
        ("%#v", "\"x\"", "\"x\""),
        ("%#v", "42", "42"),
        ("%#v", ".l", "[]interface {}{\"a\", 1}"),
        ("%#v", ".m", "map[string]interface {}{\"a\":1}"),
        ("%#v", "(list nil)", "[]interface {}{interface {}(nil)}"),
        ("%T %T %T %T %T", "\"x\" 1 1.5 true .l", "string int float64 bool []interface {}"),
        ("%T %T %T %T", ".m (add 1 1) (splitList \",\" \"a\") .nul", "map[string]interface {} int64 []string <nil>"),
        ("%t %5t|", "true false", "true false|"),
        ("%v", ".nul", "<nil>"),
        ("%v", "(list .nul 1)", "[<nil> 1]"),
    ] {
        assert_eq!(p(f, a), want, "{f} {a}");
    }
}

#[test]
fn floats() {
    for (f, a, want) in [
        ("%f", "3.14159", "3.141590"),
        ("%.2f", "3.14159", "3.14"),
        ("%8.3f|", "3.14159", "   3.142|"),
        ("%-8.2f|", "3.14159", "3.14    |"),
        ("%F", "2.5", "2.500000"),
        ("%e", "1234.5678", "1.234568e+03"),
        ("%E", "1234.5678", "1.234568E+03"),
        ("%.3e", "0.0", "0.000e+00"),
        ("%g", "1234.5678", "1234.5678"),
        ("%g", "0.00001234", "1.234e-05"),
        ("%.3g", "1234.5678", "1.23e+03"),
        ("%.3g", "1.0", "1"),
        ("%.2g", "0.000123", "0.00012"),
        ("%.10g", ".third", "0.3333333333"),
        ("%G", "0.0000001", "1E-07"),
        ("%g %g %g", "0.0 100000.0 1000000.0", "0 100000 1e+06"),
        ("%v %v", "1e21 123456789.0", "1e+21 1.23456789e+08"),
        ("%+.1f", "2.0", "+2.0"),
        ("%06.2f", "-1.5", "-01.50"),
        ("%+07.2f", "1.0", "+001.00"),
        ("% .2f", "1.0", " 1.00"),
        ("%.0f %.0f %.0f", "0.5 1.5 2.5", "0 2 2"),
        ("%.1f %.2f", "0.25 1.005", "0.2 1.00"),
        ("%5.1f|%-7.3e|", "-0.0 1.0", " -0.0|1.000e+00|"),
        ("%v", "(float64 \"1e400\")", "+Inf"),
        ("%6v|%06v|", "(float64 \"-inf\") (float64 \"nan\")", "  -Inf|   NaN|"),
    ] {
        assert_eq!(p(f, a), want, "{f} {a}");
    }
}

#[test]
fn mismatches_and_malformed_formats() {
    for (f, a, want) in [
        ("%d", "\"x\"", "%!d(string=x)"),
        ("%s", "1", "%!s(int=1)"),
        ("%f", "1", "%!f(int=1)"),
        ("%d", "1.5", "%!d(float64=1.5)"),
        ("%t", "1", "%!t(int=1)"),
        ("%s", "nil", "%!s(<nil>)"),
        ("%z", "1", "%!z(int=1)"),
        ("%5d", "\"x\"", "%!d(string=    x)"),
        ("%d %d", "1", "1 %!d(MISSING)"),
        ("a", "1 \"x\"", "a%!(EXTRA int=1, string=x)"),
        ("a", "nil", "a%!(EXTRA <nil>)"),
        ("%", "", "%!(NOVERB)"),
        ("%!", "", "%!!(MISSING)"),
        ("%%|%5%", "", "%|%"),
        ("%*d|%-*d|%*d|", "5 42 5 42 -5 42", "   42|42   |42   |"),
        ("%.*f", "2 3.14159", "3.14"),
        ("%*d", "\"x\" 1", "%!(BADWIDTH)1"),
        ("%.*d", "\"x\" 1", "%!(BADPREC)1"),
    ] {
        assert_eq!(p(f, a), want, "{f} {a}");
    }
    assert!(e("{{ printf \"%[1]d\" 1 }}", json!({})).message.contains("explicit argument indexes"));
    assert!(e("{{ printf \"%x\" 1.5 }}", json!({})).message.contains("%x of a float64 is not supported"));
    assert!(e("{{ printf \"%#g\" 1.5 }}", json!({})).message.contains("'#' flag with floats"));
}

#[test]
fn sprint_spacing() {
    assert_eq!(r("{{ print \"a\" \"b\" 1 2 \"c\" }}", json!({})), "ab1 2c");
    assert_eq!(r("{{ print (list 1) (list 2) }}", json!({})), "[1] [2]");
    assert_eq!(r("{{ println }}", json!({})), "\n");
}
