//! Evaluating compiled policies against many inputs, in parallel.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rayon::prelude::*;
use regorus::Engine;
use regorus::utils::limits::ExecutionTimerConfig;
use serde_json::Value as Json;

use super::compile::{Entry, PolicySet, Scope, short};
use super::message::{self, Message};
use super::rules;
use super::subject::Subject;
use crate::config::PolicyConfig;
use crate::report::Diagnostic;

/// After this many timeouts a rule is skipped for the remaining inputs, so one slow policy
/// cannot hold a run for `timeout × inputs`.
const TIMEOUTS_BEFORE_SKIP: usize = 3;

/// Limits for one evaluation (one rule over one input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalOptions {
    pub timeout: Duration,
    pub max_messages: usize,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions::from(&PolicyConfig::default())
    }
}

impl From<&PolicyConfig> for EvalOptions {
    fn from(c: &PolicyConfig) -> Self {
        EvalOptions { timeout: c.timeout, max_messages: c.max_messages }
    }
}

/// A policy set with the run's data document loaded, ready to evaluate inputs. Each worker
/// thread evaluates on its own clone of the engine (clones share the compiled modules and the
/// data document).
#[derive(Debug)]
pub struct Bound {
    engine: Engine,
    /// Smaller per-scope engines (`PolicySet::scoped_engines`), with the data loaded too.
    scoped: Vec<(Scope, Engine)>,
    entries: Arc<[Entry]>,
    opts: EvalOptions,
    timeouts: Vec<AtomicUsize>,
}

impl PolicySet {
    /// Loads `data` (an object, merged under `data`) and prepares the engine once.
    pub fn bind(&self, data: Json, opts: EvalOptions) -> Result<Bound, Box<Diagnostic>> {
        self.bind_scoped(data.into(), opts, &[])
    }

    /// [`bind`](Self::bind), with smaller engines for the scopes `subjects` has. Always, not only
    /// past some size: what a rule sees must not depend on how many entities a repository has
    /// (the extra compile is ≈ 16 M instructions for the starter set, a few milliseconds).
    pub fn bind_for(
        &self,
        data: regorus::Value,
        opts: EvalOptions,
        subjects: &[Subject],
    ) -> Result<Bound, Box<Diagnostic>> {
        let scopes: Vec<Scope> = [Scope::Catalog, Scope::Stacks]
            .into_iter()
            .filter(|scope| subjects.iter().any(|s| s.scope == *scope))
            .collect();
        self.bind_scoped(data, opts, &scopes)
    }

    /// [`bind`](Self::bind), with smaller engines for `scopes` (see `PolicySet::scoped_engines`).
    pub(crate) fn bind_scoped(
        &self,
        data: regorus::Value,
        opts: EvalOptions,
        scopes: &[Scope],
    ) -> Result<Bound, Box<Diagnostic>> {
        // The engines share it (regorus values are reference-counted).
        let data = (data != regorus::Value::Null).then_some(data);
        let prepare = |base: &Engine| {
            let mut engine = base.clone();
            engine.set_execution_timer_config(timer(opts.timeout));
            engine.set_strict_builtin_errors(false);
            let fail = |e: anyhow::Error| {
                Box::new(Diagnostic::error(
                    rules::EVAL_ERROR,
                    format!("policy data cannot be loaded: {}", short(&e.to_string())),
                ))
            };
            if let Some(data) = &data {
                engine.add_data(data.clone()).map_err(fail)?;
            }
            engine.eval_query("true".into(), false).map_err(fail)?;
            Ok::<_, Box<Diagnostic>>(engine)
        };
        let engine = prepare(&self.engine)?;
        let scoped = self
            .scoped_engines(scopes)
            .iter()
            .map(|(scope, e)| prepare(e).map(|e| (*scope, e)))
            .collect::<Result<Vec<_>, _>>()?;
        let timeouts = self.entries.iter().map(|_| AtomicUsize::new(0)).collect();
        Ok(Bound { engine, scoped, entries: self.entries.clone(), opts, timeouts })
    }
}

pub(crate) fn timer(limit: Duration) -> ExecutionTimerConfig {
    ExecutionTimerConfig { limit, check_interval: NonZeroU32::new(32).expect("non-zero") }
}

/// What evaluating found: the policies' findings (which waivers may cover), and problems with
/// the policies themselves (which they may not).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Evaluated {
    pub findings: Vec<Diagnostic>,
    pub problems: Vec<Diagnostic>,
}

impl Evaluated {
    fn merge(mut self, other: Evaluated) -> Evaluated {
        self.findings.extend(other.findings);
        self.problems.extend(other.problems);
        self
    }
}

/// Items per task: small enough that at the end no core waits long for another's last task.
const ITEMS_PER_TASK: usize = 64;

/// Evaluates every subject on all cores. The findings come per-item subjects first, then the
/// aggregate ones (tenants, the repository), each group in the order given.
pub fn evaluate(bound: &Bound, subjects: &[Subject]) -> Evaluated {
    let (aggregates, items): (Vec<&Subject>, Vec<&Subject>) =
        subjects.iter().partition(|s| matches!(s.scope, Scope::Tenants | Scope::Repo));
    let engines = Engines::new(bound);
    let done: Vec<Mutex<Evaluated>> = aggregates.iter().map(|_| Mutex::default()).collect();
    let mut found = Evaluated::default();
    rayon::scope(|scope| {
        // One aggregate input (a tenant and all its components) costs as much as thousands of
        // items; started last, one ran alone on one core while the other idled. Spawned
        // first, the other cores take them (oldest first) while this one starts on the items.
        for (subject, slot) in aggregates.iter().zip(&done) {
            let engines = &engines;
            scope.spawn(move |_| *lock(slot) = engines.eval(subject));
        }
        found = items
            .par_iter()
            .with_max_len(ITEMS_PER_TASK)
            .map(|s| engines.eval(s))
            .reduce(Evaluated::default, Evaluated::merge);
    });
    done.into_iter().fold(found, |all, slot| all.merge(slot.into_inner().unwrap_or_else(PoisonError::into_inner)))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An engine per worker thread and scope, cloned on its first use there: with small tasks, a
/// clone per task would be made hundreds of times.
struct Engines<'b> {
    bound: &'b Bound,
    /// One per pool thread, and a last one for a caller outside the pool.
    slots: Vec<Mutex<Vec<(Scope, Engine)>>>,
}

impl<'b> Engines<'b> {
    fn new(bound: &'b Bound) -> Self {
        Engines { bound, slots: (0..=rayon::current_num_threads()).map(|_| Mutex::default()).collect() }
    }

    fn eval(&self, subject: &Subject) -> Evaluated {
        let outside = self.slots.len() - 1;
        let slot = rayon::current_thread_index().filter(|i| *i < outside).unwrap_or(outside);
        // Uncontended: a thread evaluates one subject at a time and never yields inside one.
        let mut engines = lock(&self.slots[slot]);
        let i = engines.iter().position(|(scope, _)| *scope == subject.scope).unwrap_or_else(|| {
            engines.push((subject.scope, self.bound.engine_for(subject.scope).clone()));
            engines.len() - 1
        });
        self.bound.eval_one(&mut engines[i].1, subject)
    }
}

impl Bound {
    /// The engine that evaluates the rules of `scope`.
    pub fn engine_for(&self, scope: Scope) -> &Engine {
        self.scoped.iter().find(|(s, _)| *s == scope).map_or(&self.engine, |(_, e)| e)
    }

    /// Evaluates the rules of the subject's scope against it.
    pub fn eval_one(&self, engine: &mut Engine, subject: &Subject) -> Evaluated {
        let mut out = Evaluated::default();
        for (i, entry) in self.entries.iter().enumerate() {
            if entry.scope != subject.scope {
                continue;
            }
            if self.timeouts[i].load(Ordering::Relaxed) >= TIMEOUTS_BEFORE_SKIP {
                continue;
            }
            engine.set_input(subject.input.clone());
            match engine.eval_rule(entry.path.clone()) {
                Ok(regorus::Value::Undefined) => {}
                Ok(v) => self.collect(entry, &v, subject, &mut out),
                Err(e) => out.problems.push(self.failure(i, entry, subject, &e)),
            }
        }
        out
    }

    fn collect(&self, entry: &Entry, value: &regorus::Value, subject: &Subject, out: &mut Evaluated) {
        let json = serde_json::to_value(value).unwrap_or(Json::Null);
        let parsed = message::parse(entry.rule.name(), &json, self.opts.max_messages);
        for m in parsed.messages {
            out.findings.push(to_diagnostic(entry, m, subject));
        }
        for p in parsed.problems {
            out.problems
                .push(at_origin(Diagnostic::error(rules::BAD_MESSAGE, p), subject).with_help(origin_help(entry)));
        }
        if parsed.dropped > 0 {
            let d = Diagnostic::warning(
                rules::TOO_MANY,
                format!(
                    "`{}` returned {} more messages than the limit of {}",
                    entry.path, parsed.dropped, self.opts.max_messages
                ),
            );
            out.problems
                .push(at_origin(d, subject).with_help("raise `policy.max_messages` in paved.yaml, or fix the policy"));
        }
    }

    fn failure(&self, i: usize, entry: &Entry, subject: &Subject, e: &anyhow::Error) -> Diagnostic {
        let is_timeout = e.chain().any(|c| {
            matches!(c.downcast_ref::<regorus::LimitError>(), Some(regorus::LimitError::TimeLimitExceeded { .. }))
        }) || e.to_string().contains("time limit");
        if is_timeout {
            let n = self.timeouts[i].fetch_add(1, Ordering::Relaxed) + 1;
            let mut msg = format!("`{}` took longer than {:?} on {}", entry.path, self.opts.timeout, describe(subject));
            if n == TIMEOUTS_BEFORE_SKIP {
                msg.push_str("; skipped for the remaining inputs");
            }
            let d = Diagnostic::error(rules::TIMEOUT, msg);
            return at_origin(d, subject).with_help(origin_help(entry) + "; raise `policy.timeout` or simplify it");
        }
        let d = Diagnostic::error(
            rules::EVAL_ERROR,
            format!("`{}` failed on {}: {}", entry.path, describe(subject), short(&e.to_string())),
        );
        at_origin(d, subject).with_help(origin_help(entry))
    }
}

fn describe(subject: &Subject) -> String {
    if subject.target.is_empty() { "the repository".into() } else { subject.target.clone() }
}

fn origin_help(entry: &Entry) -> String {
    format!("reported by `{}` in {}", entry.path, entry.file)
}

/// The rule id a message is reported under: the policy's own id (prefixed with `policy/`
/// unless it already names an area), else `policy/<package>/<rule>`.
pub(crate) fn rule_id(entry: &Entry, m: &Message) -> String {
    match &m.id {
        Some(id) if id.contains('/') => id.clone(),
        Some(id) => format!("policy/{id}"),
        None => entry.rule_id(),
    }
}

fn to_diagnostic(entry: &Entry, m: Message, subject: &Subject) -> Diagnostic {
    let rule = rule_id(entry, &m);
    let located = m.path.as_deref().and_then(|p| subject.origin.locator.as_ref().and_then(|l| l.locate(p)));
    let mut d = Diagnostic::new(rule, entry.rule.severity(), m.msg).with_help(origin_help(entry));
    match located {
        Some((file, span)) => {
            if file == subject.origin.file
                && let Some(doc) = subject.origin.document
            {
                d = d.in_document(doc);
            }
            d = d.in_file(file).at_span(span);
        }
        None => d = at_origin(d, subject),
    }
    if !subject.target.is_empty() {
        d = d.for_entity(subject.target.clone());
    }
    d
}

pub(crate) fn at_origin(mut d: Diagnostic, subject: &Subject) -> Diagnostic {
    d = d.in_file(subject.origin.file.clone()).at_span(subject.origin.span);
    if let Some(doc) = subject.origin.document {
        d = d.in_document(doc);
    }
    if !subject.target.is_empty() && d.entity.is_none() {
        d = d.for_entity(subject.target.clone());
    }
    d
}
