//! `paved describe component` and `paved describe stacks`.

use std::io::Write;

use anyhow::bail;
use paved::source::RelPath;
use paved::stacks::{DescribeError, DescribeOptions, Instance, StackSet};
use rayon::prelude::*;
use serde_json::Value as Json;

use super::Outcome;
use super::atmos::{StackArgs, load, print_diagnostics};
use super::yaml_out::to_yaml;

#[derive(Debug, clap::Args)]
#[command(about = "Describe Atmos components and stacks, computed natively (no atmos binary)")]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutFormat {
    Yaml,
    Json,
}

#[derive(Debug, clap::Subcommand)]
enum What {
    /// Every section Atmos computes for one component in one stack.
    #[command(
        after_help = "Examples:\n  paved describe component vpc -s plat-ue2-dev\n  paved describe component vpc -s plat-ue2-dev --format json\n  paved describe component vpc -s plat-ue2-dev --provenance   # where each value came from\n  cd components/terraform/vpc && paved describe component . -s plat-ue2-dev"
    )]
    Component {
        /// The Atmos component, or a path to its Terraform folder (`.`).
        component: String,
        /// The stack.
        #[arg(short, long)]
        stack: String,
        #[arg(long, short = 'f', value_enum, default_value = "yaml")]
        format: OutFormat,
        /// Annotate every value with the file and line it came from (YAML), or add a
        /// `provenance` list (JSON).
        #[arg(long)]
        provenance: bool,
        #[command(flatten)]
        common: StackArgs,
    },
    /// Every stack with its components, in Atmos's shape.
    #[command(
        after_help = "Examples:\n  paved describe stacks\n  paved describe stacks -s plat-ue2-dev --components vpc,eks --format json"
    )]
    Stacks {
        /// Only this stack.
        #[arg(short, long)]
        stack: Option<String>,
        /// Only these components.
        #[arg(long, value_delimiter = ',')]
        components: Vec<String>,
        #[arg(long, short = 'f', value_enum, default_value = "yaml")]
        format: OutFormat,
        #[command(flatten)]
        common: StackArgs,
    },
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    match args.what {
        What::Component { component, stack, format, provenance, common } => {
            component_cmd(&component, &stack, format, provenance, &common)
        }
        What::Stacks { stack, components, format, common } => {
            let loaded = load(&common)?;
            if print_diagnostics(&loaded.set.diagnostics) {
                return Ok(Outcome::Problems);
            }
            let opts = DescribeOptions {
                process_templates: common.process_templates,
                process_functions: common.process_functions,
            };
            stream_stacks(&loaded.set, stack.as_deref(), &components, opts, format)
        }
    }
}

fn component_cmd(
    component: &str,
    stack: &str,
    format: OutFormat,
    provenance: bool,
    common: &StackArgs,
) -> anyhow::Result<Outcome> {
    let loaded = load(common)?;
    let set = &loaded.set;
    if print_diagnostics(&set.diagnostics) {
        return Ok(Outcome::Problems);
    }
    let name = match resolve_component_arg(set, &loaded.cwd, component, stack) {
        Ok(n) => n,
        Err(Resolve::Usage(msg)) => {
            eprintln!("paved: {msg}");
            return Ok(Outcome::Failure);
        }
        Err(Resolve::NotFound(msg)) => {
            eprintln!("paved: {msg}");
            return Ok(Outcome::Problems);
        }
    };
    let opts =
        DescribeOptions { process_templates: common.process_templates, process_functions: common.process_functions };
    let desc = match set.describe_with(&name, stack, opts) {
        Ok(d) => d,
        Err(
            e @ (DescribeError::StackNotFound { .. }
            | DescribeError::ComponentNotFound { .. }
            | DescribeError::Conflict(_)),
        ) => {
            eprintln!("paved: {e}");
            return Ok(Outcome::Problems);
        }
        Err(e) => {
            eprintln!("paved: {e}");
            return Ok(Outcome::Problems);
        }
    };
    let mut value = desc.value;
    // Atmos prints the component folder as an absolute path.
    if let Some(p) = value.pointer_mut("/component_info/component_path")
        && let Some(rel) = p.as_str()
    {
        *p = Json::String(loaded.tree.root().join(rel).display().to_string());
    }
    if let Some(inst) = set.instance(&name, stack).filter(|i| i.component_type == "terraform")
        && let Some(info) = value.get_mut("component_info").and_then(Json::as_object_mut)
    {
        let show = |rel: &str| loaded.tree.root().join(rel).display().to_string();
        let tf = paved::stacks::tfconfig::inspect(&loaded.tree, &set.component_path(inst), &show);
        info.insert("terraform_config".into(), tf.unwrap_or(Json::Null));
    }
    if provenance {
        // Atmos's provenance mode names the transitive import list `import`.
        if let Some(imports) = value.get("imports").cloned() {
            value["import"] = imports;
        }
        if format == OutFormat::Json {
            value["provenance"] = serde_json::to_value(&desc.provenance)?;
            return emit(&value, format, &|_| None);
        }
        let map: std::collections::HashMap<&str, String> =
            desc.provenance.iter().map(|p| (p.pointer.as_str(), format!("{}:{}", p.file, p.line))).collect();
        return emit(&value, format, &|ptr| map.get(ptr).cloned());
    }
    emit(&value, format, &|_| None)
}

/// Writes `describe stacks` one stack at a time: memory stays bounded by one stack.
fn stream_stacks(
    set: &StackSet,
    stack: Option<&str>,
    components: &[String],
    opts: DescribeOptions,
    format: OutFormat,
) -> anyhow::Result<Outcome> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut first = true;
    let mut io_err: Option<std::io::Error> = None;
    let mut write = |text: &str| {
        if io_err.is_none()
            && let Err(e) = out.write_all(text.as_bytes())
        {
            io_err = Some(e);
        }
    };
    let result = (|| -> Result<(), DescribeError> {
        if let Some(s) = stack
            && set.stack(s).next().is_none()
        {
            return Err(DescribeError::StackNotFound { stack: s.to_string(), suggestion: set.suggest_stack(s) });
        }
        let names: Vec<&str> = set.stack_names().filter(|n| stack.is_none_or(|s| s == *n)).collect();
        // Stacks are described in parallel a chunk at a time and written in order, so memory
        // stays bounded by one chunk.
        for chunk in names.chunks(32) {
            // Rendering runs in parallel too: JSON is written straight from the value tree.
            let described: Vec<Result<Option<String>, DescribeError>> = chunk
                .par_iter()
                .map(|n| {
                    Ok(match format {
                        OutFormat::Json => set.describe_stack_val(n, components, opts)?.map(|v| {
                            let mut buf = Vec::with_capacity(1 << 16);
                            v.write_json_pretty(&mut buf, 1);
                            String::from_utf8(buf).unwrap_or_default()
                        }),
                        OutFormat::Yaml => set.describe_stack(n, components, opts)?.map(|v| {
                            let mut one = serde_json::Map::new();
                            one.insert(n.to_string(), v);
                            to_yaml(&Json::Object(one), &|_| None)
                        }),
                    })
                })
                .collect();
            for (name, d) in chunk.iter().zip(described) {
                if let Some(body) = d? {
                    let text = match format {
                        OutFormat::Json => {
                            let sep = if first { "{\n  " } else { ",\n  " };
                            format!("{sep}{}: {body}", Json::String(name.to_string()))
                        }
                        OutFormat::Yaml => body,
                    };
                    first = false;
                    write(&text);
                }
            }
        }
        Ok(())
    })();
    if format == OutFormat::Json && result.is_ok() {
        write(if first { "{}\n" } else { "\n}\n" });
    }
    match (result, io_err) {
        (Err(e), _) => {
            eprintln!("paved: {e}");
            Ok(Outcome::Problems)
        }
        (Ok(()), Some(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Outcome::Clean),
        (Ok(()), Some(e)) => Err(e.into()),
        (Ok(()), None) => {
            out.flush().or_else(|e| if e.kind() == std::io::ErrorKind::BrokenPipe { Ok(()) } else { Err(e) })?;
            Ok(Outcome::Clean)
        }
    }
}

enum Resolve {
    Usage(String),
    NotFound(String),
}

/// A component argument may be a path to its Terraform folder (`.`, `./vpc`).
fn resolve_component_arg(set: &StackSet, cwd: &RelPath, arg: &str, stack: &str) -> Result<String, Resolve> {
    let is_path = arg == "." || arg == ".." || arg.starts_with("./") || arg.starts_with("../");
    if !is_path {
        return Ok(arg.to_string());
    }
    let path = cwd.join(arg).map_err(|e| Resolve::Usage(format!("component path `{arg}`: {e}")))?;
    let base = &set.config.terraform_base;
    let Some(folder) = path.strip_prefix(base).filter(|f| !f.is_empty()) else {
        return Err(Resolve::Usage(format!(
            "path is not within Atmos component directories: `{arg}` ({path}) is not under {base}"
        )));
    };
    let matches: Vec<&Instance> = set.stack(stack).filter(|i| i.terraform_component == folder).collect();
    match matches.as_slice() {
        [one] => Ok(one.component.clone()),
        [] => Err(Resolve::NotFound(format!("no component in stack `{stack}` uses the folder {folder}"))),
        many => {
            let names: Vec<&str> = many.iter().map(|i| i.component.as_str()).collect();
            Err(Resolve::Usage(format!(
                "ambiguous component path: the folder {folder} is used by {} in stack `{stack}`; name one",
                names.join(", ")
            )))
        }
    }
}

fn emit(v: &Json, format: OutFormat, comment: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Outcome> {
    let text = match format {
        OutFormat::Json => {
            let mut s = serde_json::to_string_pretty(v)?;
            s.push('\n');
            s
        }
        OutFormat::Yaml => to_yaml(v, comment),
    };
    if let Err(e) = std::io::stdout().lock().write_all(text.as_bytes()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Ok(Outcome::Clean);
        }
        bail!(e);
    }
    Ok(Outcome::Clean)
}
