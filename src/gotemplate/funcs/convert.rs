//! Sprig's defaults, type inspection, conversions and integer math. Conversions follow
//! `spf13/cast` as Sprig uses it: unconvertible input becomes 0, strings are parsed with Go's
//! base prefixes (`0x10`), and a zero decimal part is accepted (`"12.0"`).

use super::super::literal::parse_int;
use super::super::value::Value;
use super::builtin::out;
use super::{Ctx, Func, Ty, arg_int, arg_str, strval};

const A: Ty = Ty::Any;
const VA: Option<Ty> = Some(Ty::Any);

pub(super) static FUNCS: &[Func] = &[
    super::f("default", &[A], VA, |_, a| {
        Ok(match a.get(1) {
            Some(g) if g.truthy() => g.clone(),
            _ => a[0].clone(),
        })
    }),
    super::f("empty", &[A], None, |_, a| Ok(Value::Bool(!a[0].truthy()))),
    super::f("coalesce", &[], VA, |_, a| Ok(a.iter().find(|v| v.truthy()).cloned().unwrap_or(Value::Nil))),
    super::f("all", &[], VA, |_, a| Ok(Value::Bool(a.iter().all(Value::truthy)))),
    super::f("any", &[], VA, |_, a| Ok(Value::Bool(a.iter().any(Value::truthy)))),
    super::f("ternary", &[A, A, Ty::Bool], None, |_, a| {
        Ok(if matches!(a[2], Value::Bool(true)) { a[0].clone() } else { a[1].clone() })
    }),
    super::f("required", &[Ty::Str, A], None, |_, a| match &a[1] {
        Value::Missing | Value::Nil => Err(arg_str(&a, 0).to_string()),
        Value::Str(s) if s.is_empty() => Err(arg_str(&a, 0).to_string()),
        v => Ok(v.clone()),
    }),
    super::f("fail", &[Ty::Str], None, |_, a| Err(arg_str(&a, 0).to_string())),
    super::f("typeOf", &[A], None, |_, a| Ok(Value::str(a[0].type_name()))),
    super::f("typeIs", &[Ty::Str, A], None, |_, a| Ok(Value::Bool(arg_str(&a, 0) == a[1].type_name()))),
    super::f("typeIsLike", &[Ty::Str, A], None, |_, a| {
        let t = a[1].type_name();
        let target = arg_str(&a, 0);
        Ok(Value::Bool(target == t || format!("*{target}") == t))
    }),
    super::f("kindOf", &[A], None, |_, a| Ok(Value::str(a[0].kind_name()))),
    super::f("kindIs", &[Ty::Str, A], None, |_, a| Ok(Value::Bool(arg_str(&a, 0) == a[1].kind_name()))),
    super::f("deepEqual", &[A, A], None, |_, a| Ok(Value::Bool(a[0].deep_equal(&a[1], 0)))),
    super::f("toString", &[A], None, |c, a| out(c, strval(&a[0])?)),
    super::f("int", &[A], None, |_, a| Ok(Value::Int(to_int64(&a[0])))),
    super::f("int64", &[A], None, |_, a| Ok(Value::Int64(to_int64(&a[0])))),
    super::f("float64", &[A], None, |_, a| Ok(Value::Float(to_float64(&a[0])))),
    super::f("atoi", &[Ty::Str], None, |_, a| Ok(Value::Int(atoi(arg_str(&a, 0))))),
    super::f("add", &[], VA, |_, a| Ok(Value::Int64(a.iter().fold(0i64, |s, v| s.wrapping_add(to_int64(v)))))),
    super::f("add1", &[A], None, |_, a| Ok(Value::Int64(to_int64(&a[0]).wrapping_add(1)))),
    super::f("sub", &[A, A], None, |_, a| Ok(Value::Int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))),
    super::f("mul", &[A], VA, |_, a| Ok(Value::Int64(a.iter().fold(1i64, |s, v| s.wrapping_mul(to_int64(v)))))),
    super::f("div", &[A, A], None, |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err("runtime error: integer divide by zero".into());
        }
        Ok(Value::Int64(to_int64(&a[0]).wrapping_div(d)))
    }),
    super::f("mod", &[A, A], None, |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err("runtime error: integer divide by zero".into());
        }
        Ok(Value::Int64(to_int64(&a[0]).wrapping_rem(d)))
    }),
    super::f("max", &[A], VA, |_, a| Ok(Value::Int64(a.iter().map(to_int64).max().unwrap_or(0)))),
    super::f("biggest", &[A], VA, |_, a| Ok(Value::Int64(a.iter().map(to_int64).max().unwrap_or(0)))),
    super::f("min", &[A], VA, |_, a| Ok(Value::Int64(a.iter().map(to_int64).min().unwrap_or(0)))),
    super::f("floor", &[A], None, |_, a| Ok(Value::Float(to_float64(&a[0]).floor()))),
    super::f("ceil", &[A], None, |_, a| Ok(Value::Float(to_float64(&a[0]).ceil()))),
    super::f("round", &[A, Ty::Int], Some(Ty::Float), round),
];

/// `cast.ToInt64`: ints, truncated floats, bools as 0/1, parsed strings; otherwise 0.
pub(super) fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint(u) => *u as i64,
        Value::Byte(b) => i64::from(*b),
        Value::Float(f) => *f as i64,
        Value::Bool(b) => i64::from(*b),
        Value::Str(s) => parse_int(trim_zero_decimal(s)).and_then(|v| i64::try_from(v).ok()).unwrap_or(0),
        _ => 0,
    }
}

/// `cast.ToFloat64`.
pub(super) fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Uint(u) => *u as f64,
        Value::Byte(b) => f64::from(*b),
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Str(s) => s.parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// cast's `trimZeroDecimal`: `"12.000"` → `"12"`.
fn trim_zero_decimal(s: &str) -> &str {
    let mut found_zero = false;
    for (i, b) in s.bytes().enumerate().rev() {
        match b {
            b'.' if found_zero => return &s[..i],
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// `strconv.Atoi`, with Sprig's 0 on error.
fn atoi(s: &str) -> i64 {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    s.parse().unwrap_or(0)
}

/// Sprig's `round value places [roundOn]`.
fn round(_: &mut Ctx, a: Vec<Value>) -> Result<Value, String> {
    let round_on = match a.get(2) {
        Some(Value::Float(f)) => *f,
        _ => 0.5,
    };
    let pow = 10f64.powf(arg_int(&a, 1) as f64);
    let digit = pow * to_float64(&a[0]);
    let frac = digit.fract();
    let r = if frac >= round_on { digit.ceil() } else { digit.floor() };
    Ok(Value::Float(r / pow))
}
