//! The function table: Go's builtins, the Sprig functions and the Gomplate namespaces Atmos
//! registers, each with its Go signature so arguments are checked the way Go checks them
//! (`wrong type for value; expected string; got int`). Functions that need IO, the clock or
//! randomness (and a few paved does not implement) are known names that fail when called, with
//! the reason; any other name is a parse error, as in Go.

mod builtin;
mod convert;
mod encoding;
mod gomplate;
mod lists;
mod paths;
mod strings;

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use regex::Regex;

use super::fmt::sprint_v;
use super::value::{MapRef, Value};
use super::{MAX_OUTPUT_BYTES, MAX_STEPS};

/// A parameter type, as Go's `reflect` sees it when it checks an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    /// `interface {}`: anything; the missing value becomes nil.
    Any,
    /// `reflect.Value` (Go's builtins): anything, the missing value kept.
    Val,
    Str,
    Int,
    Float,
    Bool,
    /// `map[string]interface {}`
    Map,
}

impl Ty {
    pub fn go_name(self) -> &'static str {
        match self {
            Ty::Any => "interface {}",
            Ty::Val => "reflect.Value",
            Ty::Str => "string",
            Ty::Int => "int",
            Ty::Float => "float64",
            Ty::Bool => "bool",
            Ty::Map => "map[string]interface {}",
        }
    }
}

pub(super) type NativeFn = fn(&mut Ctx, Vec<Value>) -> Result<Value, String>;

pub(super) enum Imp {
    Native(NativeFn),
    /// `and`/`or` short-circuit, so the evaluator runs them.
    And,
    Or,
    /// A function Atmos has that paved cannot or does not evaluate, with the reason.
    Unsupported(&'static str),
}

/// A template function and its Go signature.
pub(super) struct Func {
    pub name: &'static str,
    pub params: &'static [Ty],
    pub variadic: Option<Ty>,
    pub imp: Imp,
}

impl std::fmt::Debug for Func {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "func {}", self.name)
    }
}

/// Shorthand for table entries.
pub(super) const fn f(name: &'static str, params: &'static [Ty], variadic: Option<Ty>, imp: NativeFn) -> Func {
    Func { name, params, variadic, imp: Imp::Native(imp) }
}

const fn unsupported(name: &'static str, why: &'static str) -> Func {
    Func { name, params: &[], variadic: Some(Ty::Any), imp: Imp::Unsupported(why) }
}

const IO: &str = "it needs IO or external state, and paved renders templates without IO";
const CLOCK: &str = "its result depends on the clock, so renders would not be reproducible";
const RANDOM: &str = "its result is random, so renders would not be reproducible";
const LATER: &str = "paved does not implement it yet";

/// Known functions that fail when called.
static UNSUPPORTED: &[Func] = &[
    unsupported("now", CLOCK),
    unsupported("date", CLOCK),
    unsupported("dateInZone", CLOCK),
    unsupported("date_in_zone", CLOCK),
    unsupported("dateModify", CLOCK),
    unsupported("date_modify", CLOCK),
    unsupported("mustDateModify", CLOCK),
    unsupported("must_date_modify", CLOCK),
    unsupported("ago", CLOCK),
    unsupported("duration", LATER),
    unsupported("durationRound", CLOCK),
    unsupported("toDate", CLOCK),
    unsupported("mustToDate", CLOCK),
    unsupported("unixEpoch", CLOCK),
    unsupported("htmlDate", CLOCK),
    unsupported("htmlDateInZone", CLOCK),
    unsupported("randAlpha", RANDOM),
    unsupported("randAlphaNum", RANDOM),
    unsupported("randAscii", RANDOM),
    unsupported("randNumeric", RANDOM),
    unsupported("randBytes", RANDOM),
    unsupported("randInt", RANDOM),
    unsupported("shuffle", RANDOM),
    unsupported("uuidv4", RANDOM),
    unsupported("genPrivateKey", RANDOM),
    unsupported("genCA", RANDOM),
    unsupported("genCAWithKey", RANDOM),
    unsupported("genSelfSignedCert", RANDOM),
    unsupported("genSelfSignedCertWithKey", RANDOM),
    unsupported("genSignedCert", RANDOM),
    unsupported("genSignedCertWithKey", RANDOM),
    unsupported("buildCustomCert", LATER),
    unsupported("encryptAES", RANDOM),
    unsupported("decryptAES", LATER),
    unsupported("bcrypt", RANDOM),
    unsupported("htpasswd", RANDOM),
    unsupported("derivePassword", LATER),
    unsupported("getHostByName", IO),
    unsupported("datasource", IO),
    unsupported("ds", IO),
    unsupported("datasourceExists", IO),
    unsupported("datasourceReachable", IO),
    unsupported("defineDatasource", IO),
    unsupported("include", IO),
    unsupported("sha1sum", LATER),
    unsupported("sha512sum", LATER),
    unsupported("b32enc", LATER),
    unsupported("b32dec", LATER),
    unsupported("addf", LATER),
    unsupported("subf", LATER),
    unsupported("mulf", LATER),
    unsupported("divf", LATER),
    unsupported("maxf", LATER),
    unsupported("minf", LATER),
    unsupported("camelcase", LATER),
    unsupported("snakecase", LATER),
    unsupported("kebabcase", LATER),
    unsupported("swapcase", LATER),
    unsupported("untitle", LATER),
    unsupported("initials", LATER),
    unsupported("wrap", LATER),
    unsupported("wrapWith", LATER),
    unsupported("abbrev", LATER),
    unsupported("abbrevboth", LATER),
    unsupported("semver", LATER),
    unsupported("semverCompare", LATER),
    unsupported("urlParse", LATER),
    unsupported("urlJoin", LATER),
    unsupported("seq", LATER),
    unsupported("untilStep", LATER),
    unsupported("toDecimal", LATER),
    unsupported("chunk", LATER),
    unsupported("mustChunk", LATER),
    unsupported("add1f", LATER),
    // Gomplate-only top-level aliases paved does not implement.
    unsupported("jsonpath", LATER),
    unsupported("jq", LATER),
    unsupported("flatten", LATER),
    unsupported("sort", LATER),
    unsupported("csv", LATER),
    unsupported("csvByRow", LATER),
    unsupported("csvByColumn", LATER),
    unsupported("toCSV", LATER),
    unsupported("toml", LATER),
    unsupported("toTOML", LATER),
    unsupported("tpl", LATER),
    unsupported("pow", LATER),
    unsupported("isInt", LATER),
    unsupported("isFloat", LATER),
    unsupported("isNum", LATER),
];

/// Other names of implemented functions: Sprig's `must*` variants (errors are always errors
/// here), Sprig's path functions and Gomplate's top-level aliases.
static ALIASES: &[(&str, &str)] = &[
    ("tuple", "list"),
    ("trimall", "trimAll"),
    ("mustCompact", "compact"),
    ("mustDeepCopy", "deepCopy"),
    ("mustMerge", "merge"),
    ("mustMergeOverwrite", "mergeOverwrite"),
    ("mustAppend", "append"),
    ("mustPush", "push"),
    ("mustPrepend", "prepend"),
    ("mustFirst", "first"),
    ("mustRest", "rest"),
    ("mustLast", "last"),
    ("mustInitial", "initial"),
    ("mustReverse", "reverse"),
    ("mustUniq", "uniq"),
    ("mustWithout", "without"),
    ("mustHas", "has"),
    ("mustSlice", "slice"),
    ("mustRegexReplaceAllLiteral", "regexReplaceAllLiteral"),
    ("mustRegexSplit", "regexSplit"),
    ("base", "path.Base"),
    ("dir", "path.Dir"),
    ("clean", "path.Clean"),
    ("ext", "path.Ext"),
    ("isAbs", "path.IsAbs"),
    ("osBase", "filepath.Base"),
    ("osDir", "filepath.Dir"),
    ("osClean", "filepath.Clean"),
    ("osExt", "filepath.Ext"),
    ("osIsAbs", "filepath.IsAbs"),
    ("bool", "conv.ToBool"),
    ("kind", "test.Kind"),
    ("isKind", "test.IsKind"),
    ("assert", "test.Assert"),
    ("rem", "math.Rem"),
];

/// Gomplate/Atmos namespaces. Members paved implements are in the tables; any other member
/// fails when called with the namespace's reason.
static NAMESPACES: &[Func] = &[
    unsupported(
        "atmos",
        "it reads other components, Terraform state or stores (needs IO); \
                          paved keeps such values opaque",
    ),
    unsupported("aws", IO),
    unsupported("gcp", IO),
    unsupported("file", IO),
    unsupported("net", IO),
    unsupported("sockaddr", IO),
    unsupported("tmpl", LATER),
    unsupported("time", CLOCK),
    unsupported("random", RANDOM),
    unsupported("uuid", RANDOM),
    unsupported("strings", LATER),
    unsupported("conv", LATER),
    unsupported("math", LATER),
    unsupported("data", LATER),
    unsupported("coll", LATER),
    unsupported("base64", LATER),
    unsupported("crypto", LATER),
    unsupported("regexp", LATER),
    unsupported("env", LATER),
    unsupported("test", LATER),
    unsupported("path", LATER),
    unsupported("filepath", LATER),
    unsupported("semver", LATER),
];

static TABLE: LazyLock<HashMap<&'static str, &'static Func>> = LazyLock::new(|| {
    let mut m = HashMap::new();
    for table in [
        builtin::FUNCS,
        strings::FUNCS,
        lists::FUNCS,
        convert::FUNCS,
        encoding::FUNCS,
        gomplate::FUNCS,
        paths::FUNCS,
        UNSUPPORTED,
    ] {
        for func in table {
            m.insert(func.name, func);
        }
    }
    for (alias, target) in ALIASES {
        if let Some(func) = m.get(target).copied() {
            m.insert(alias, func);
        }
    }
    m
});

/// Whether `name` is a Gomplate/Atmos namespace (`strings` in `strings.Title`). `env` is both
/// a Sprig function and a Gomplate namespace; the parser tells them apart by the `.Member`.
pub(super) fn is_namespace(name: &str) -> bool {
    NAMESPACES.iter().any(|n| n.name == name)
}

/// The function called `name` (`ns.Member` for namespaced ones).
pub(super) fn lookup(name: &str) -> Option<&'static Func> {
    if let Some(func) = TABLE.get(name) {
        return Some(func);
    }
    let (ns, _) = name.split_once('.')?;
    NAMESPACES.iter().find(|n| n.name == ns)
}

/// Go's message for an unknown function, with a hint where Atmos users commonly slip.
pub(super) fn undefined_message(name: &str) -> String {
    let hint = match name {
        "toYaml" | "fromYaml" => " (Helm's name; Atmos has Gomplate's toYAML / data.ToYAML and yaml / data.YAML)",
        _ => "",
    };
    format!("function {name:?} not defined{hint}")
}

/// What functions may use while they run: the environment, the evaluation budget and the
/// record of maps they changed (so reference cycles can be broken after execution).
pub(super) struct Ctx<'e> {
    pub env: &'e BTreeMap<String, String>,
    pub steps_left: u64,
    pub mutated: Vec<MapRef>,
    regexes: HashMap<String, Regex>,
}

impl<'e> Ctx<'e> {
    pub fn new(env: &'e BTreeMap<String, String>) -> Ctx<'e> {
        Ctx { env, steps_left: MAX_STEPS, mutated: Vec::new(), regexes: HashMap::new() }
    }

    /// Spends `n` units of the evaluation budget.
    pub fn charge(&mut self, n: u64) -> Result<(), String> {
        if n > self.steps_left {
            self.steps_left = 0;
            return Err(format!(
                "template exceeded its evaluation budget ({MAX_STEPS} steps): a loop, recursion or value too large"
            ));
        }
        self.steps_left -= n;
        Ok(())
    }

    /// Charges for a string about to be built and refuses it beyond the output limit.
    pub fn charge_str(&mut self, len: usize) -> Result<(), String> {
        if len > MAX_OUTPUT_BYTES {
            return Err(format!("string of {len} bytes exceeds the limit of {MAX_OUTPUT_BYTES} bytes"));
        }
        self.charge(len as u64 / 16 + 1)
    }

    /// Records a map a function changed in place.
    pub fn mutated(&mut self, m: &MapRef) {
        self.mutated.push(m.clone());
    }

    /// A compiled regular expression (Go's RE2 syntax and Rust's `regex` agree closely).
    pub fn regex(&mut self, re: &str) -> Result<Regex, String> {
        if let Some(r) = self.regexes.get(re) {
            return Ok(r.clone());
        }
        self.charge(re.len() as u64 + 10)?;
        let r = Regex::new(re).map_err(|e| format!("regexp: Compile({re:?}): {e}"))?;
        if self.regexes.len() < 256 {
            self.regexes.insert(re.to_string(), r.clone());
        }
        Ok(r)
    }
}

/// Sprig's `strval`: strings as they are, anything else as `%v`.
pub(super) fn strval(v: &Value) -> Result<String, String> {
    match v {
        Value::Str(s) => Ok(s.to_string()),
        v => sprint_v(v),
    }
}

/// Sprig's `strslice`: a list's non-nil elements as strings; nil is empty; anything else is a
/// one-element list.
pub(super) fn strslice(v: &Value) -> Result<Vec<String>, String> {
    match v {
        Value::List(items, _) => items.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Value::Missing | Value::Nil => Ok(Vec::new()),
        v => Ok(vec![strval(v)?]),
    }
}

/// The string argument at `i` (already checked against a `Str` parameter).
pub(super) fn arg_str(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

/// The `int` argument at `i` (already checked against an `Int` parameter).
pub(super) fn arg_int(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(n) | Value::Int64(n)) => *n,
        _ => 0,
    }
}

/// Go's `strings.Split`, including the empty-separator case (one element per character).
pub(super) fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let mut out: Vec<String> = s.chars().map(String::from).collect();
        if n > 0 && out.len() > n as usize {
            let tail: String = out[n as usize - 1..].concat();
            out.truncate(n as usize - 1);
            out.push(tail);
        }
        return out;
    }
    if n < 0 { s.split(sep).map(String::from).collect() } else { s.splitn(n as usize, sep).map(String::from).collect() }
}

/// Every function name, implemented or known-unsupported, with whether it is implemented.
#[cfg(test)]
pub(super) fn all_names() -> Vec<(&'static str, bool)> {
    let mut v: Vec<(&str, bool)> =
        TABLE.iter().map(|(name, f)| (*name, !matches!(f.imp, Imp::Unsupported(_)))).collect();
    v.sort_unstable();
    v
}

/// The namespaces and whether any of their members are implemented.
#[cfg(test)]
pub(super) fn namespaces() -> Vec<&'static str> {
    NAMESPACES.iter().map(|n| n.name).collect()
}
