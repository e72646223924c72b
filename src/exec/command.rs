//! [`AtmosCommand`]: an atmos invocation as a value, checked so that no stack or component
//! name can become an option or leave the components folder.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// One atmos invocation: `atmos <subcommand…> <component> -s <stack> <args…>`.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct AtmosCommand {
    subcommand: Vec<String>,
    component: String,
    stack: String,
    args: Vec<String>,
    /// Not serialised or shown: values may be secrets.
    #[serde(skip)]
    env: BTreeMap<String, String>,
    cwd: Option<PathBuf>,
}

/// A name or path paved refuses to hand to atmos, with the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {name:?} is refused: {rule}")]
pub struct CommandError {
    /// `component`, `stack`, `subcommand`, `planfile`.
    pub what: &'static str,
    pub name: String,
    pub rule: &'static str,
}

const COMPONENT_CHARS: &str = "component names use only letters, digits, spaces and / - _ { } . (as Atmos allows)";
const STACK_CHARS: &str = "stack names use only letters, digits and . _ - / : @ + = , (no spaces or shell characters)";
const NO_DASH: &str = "names must not start with `-`, which would make them an option";
const NO_DOTDOT: &str =
    "names must not contain a `..` segment or start with `/`, which would leave the components folder";
const NOT_EMPTY: &str = "names must have 1 to 255 characters";
const SUBCOMMAND: &str = "subcommand words are lower-case letters, digits and -, starting with a letter";
const PLANFILE_ABSOLUTE: &str = "planfile paths must be absolute: Atmos runs Terraform in the component's folder";
const PLANFILE_UTF8: &str = "planfile paths must be valid UTF-8";

impl AtmosCommand {
    /// `atmos <subcommand…> <component> -s <stack>`, with both names checked.
    pub fn new(subcommand: &[&str], component: &str, stack: &str) -> Result<AtmosCommand, CommandError> {
        if subcommand.is_empty() {
            return Err(CommandError { what: "subcommand", name: String::new(), rule: SUBCOMMAND });
        }
        for word in subcommand {
            let ok = word.starts_with(|c: char| c.is_ascii_lowercase())
                && word.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !ok {
                return Err(CommandError { what: "subcommand", name: word.to_string(), rule: SUBCOMMAND });
            }
        }
        check_component(component)?;
        check_stack(stack)?;
        Ok(AtmosCommand {
            subcommand: subcommand.iter().map(|s| s.to_string()).collect(),
            component: component.into(),
            stack: stack.into(),
            args: Vec::new(),
            env: BTreeMap::new(),
            cwd: None,
        })
    }

    /// `atmos terraform plan COMPONENT -s STACK -out=PLANFILE -input=false -detailed-exitcode`:
    /// exit 0 no changes, 1 error, 2 changes.
    pub fn plan(component: &str, stack: &str, planfile: &Path) -> Result<AtmosCommand, CommandError> {
        let planfile = planfile_arg(planfile)?;
        Ok(AtmosCommand::new(&["terraform", "plan"], component, stack)?
            .arg(format!("-out={planfile}"))
            .arg("-input=false")
            .arg("-detailed-exitcode"))
    }

    /// `atmos terraform deploy COMPONENT -s STACK --planfile PLANFILE`: applies exactly the
    /// reviewed plan (deploy is apply with auto-approve).
    pub fn deploy(component: &str, stack: &str, planfile: &Path) -> Result<AtmosCommand, CommandError> {
        let planfile = planfile_arg(planfile)?;
        Ok(AtmosCommand::new(&["terraform", "deploy"], component, stack)?.arg("--planfile").arg(planfile))
    }

    /// `atmos terraform destroy COMPONENT -s STACK -auto-approve -input=false`.
    pub fn destroy(component: &str, stack: &str) -> Result<AtmosCommand, CommandError> {
        Ok(AtmosCommand::new(&["terraform", "destroy"], component, stack)?.arg("-auto-approve").arg("-input=false"))
    }

    /// Appends an argument after `-s STACK` (e.g. `-lock=false`, `--skip-init`).
    pub fn arg(mut self, arg: impl Into<String>) -> AtmosCommand {
        self.args.push(arg.into());
        self
    }

    /// Sets an environment variable for this command only.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> AtmosCommand {
        self.env.insert(key.into(), value.into());
        self
    }

    /// Runs atmos in `dir` (the repository root, where `atmos.yaml` lives).
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> AtmosCommand {
        self.cwd = Some(dir.into());
        self
    }

    pub fn subcommand(&self) -> &[String] {
        &self.subcommand
    }

    /// The last subcommand word: `plan`, `deploy`, `destroy`, …
    pub fn verb(&self) -> &str {
        self.subcommand.last().map(String::as_str).unwrap_or_default()
    }

    pub fn component(&self) -> &str {
        &self.component
    }

    pub fn stack(&self) -> &str {
        &self.stack
    }

    pub fn args(&self) -> &[String] {
        &self.args
    }

    pub fn env_vars(&self) -> &BTreeMap<String, String> {
        &self.env
    }

    pub fn working_dir(&self) -> Option<&Path> {
        self.cwd.as_deref()
    }

    /// The planfile this command writes (`-out=`) or reads (`--planfile`).
    pub fn planfile(&self) -> Option<&str> {
        let mut args = self.args.iter();
        while let Some(a) = args.next() {
            if let Some(p) = a.strip_prefix("-out=").or_else(|| a.strip_prefix("--planfile=")) {
                return Some(p);
            }
            if a == "--planfile" || a == "-out" {
                return args.next().map(String::as_str);
            }
        }
        None
    }

    /// The full command line as Atmos documents it, starting with `atmos`.
    pub fn argv(&self) -> Vec<String> {
        let mut argv = Vec::with_capacity(self.subcommand.len() + self.args.len() + 4);
        argv.push("atmos".to_string());
        argv.extend(self.subcommand.iter().cloned());
        argv.push(self.component.clone());
        argv.push("-s".into());
        argv.push(self.stack.clone());
        argv.extend(self.args.iter().cloned());
        argv
    }
}

/// The command line, quoted for a POSIX shell (what `--dry-run` prints). Environment values are
/// never shown.
impl fmt::Display for AtmosCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, word) in self.argv().iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(&shell_quote(word))?;
        }
        Ok(())
    }
}

impl fmt::Debug for AtmosCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtmosCommand")
            .field("argv", &self.argv())
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .field("cwd", &self.cwd)
            .finish()
    }
}

fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@+,%".contains(c));
    if plain { word.to_string() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

fn check_common(what: &'static str, name: &str) -> Result<(), CommandError> {
    let err = |rule| Err(CommandError { what, name: name.to_string(), rule });
    if name.is_empty() || name.chars().count() > 255 {
        return err(NOT_EMPTY);
    }
    if name.starts_with('-') {
        return err(NO_DASH);
    }
    if name.starts_with('/') || name.split('/').any(|seg| seg.trim() == "..") {
        return err(NO_DOTDOT);
    }
    Ok(())
}

/// Atmos's own rule for component names (`^[/a-zA-Z0-9-_{}. ]+$`), plus no option-like or
/// escaping names.
pub fn check_component(name: &str) -> Result<(), CommandError> {
    check_common("component", name)?;
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || "/-_{}. ".contains(c)) {
        return Err(CommandError { what: "component", name: name.into(), rule: COMPONENT_CHARS });
    }
    Ok(())
}

/// Stack names as Atmos derives them (`plat-ue2-dev`, `orgs/acme/plat/dev/us-east-2`), without
/// whitespace or shell metacharacters.
pub fn check_stack(name: &str) -> Result<(), CommandError> {
    check_common("stack", name)?;
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || "._-/:@+=,".contains(c)) {
        return Err(CommandError { what: "stack", name: name.into(), rule: STACK_CHARS });
    }
    Ok(())
}

fn planfile_arg(path: &Path) -> Result<String, CommandError> {
    let text = path.to_str().ok_or_else(|| CommandError {
        what: "planfile",
        name: path.to_string_lossy().into_owned(),
        rule: PLANFILE_UTF8,
    })?;
    if !path.is_absolute() {
        return Err(CommandError { what: "planfile", name: text.into(), rule: PLANFILE_ABSOLUTE });
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_atmos_accepts() {
        for c in ["vpc", "infra/vpc", "eks/cluster-1", "test_component.v2", "{tenant}-vpc", "my component"] {
            check_component(c).unwrap_or_else(|e| panic!("{e}"));
        }
        for s in ["plat-ue2-dev", "orgs/acme/plat/dev/us-east-2", "tenant1_ue2_dev", "a.b:c@d+e=f,g"] {
            check_stack(s).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn hostile_names_are_refused_naming_the_rule() {
        let cases: &[(&str, &str)] = &[
            ("-rf", "must not start with `-`"),
            ("--help", "must not start with `-`"),
            ("../../etc", "`..` segment"),
            ("vpc/../../x", "`..` segment"),
            ("/etc/passwd", "start with `/`"),
            ("vpc;rm -rf /", "component names use only"),
            ("$(id)", "component names use only"),
            ("vpc\n", "component names use only"),
            ("", "1 to 255"),
        ];
        for (name, rule) in cases {
            let e = check_component(name).unwrap_err();
            assert!(e.to_string().contains(rule), "{name:?}: {e}");
            assert_eq!(e.what, "component");
        }
        for name in
            ["-s", "dev prod", "dev;id", "dev`id`", "dev|x", "dev&", "dev$HOME", "dev\"", "dev'", "dev*", "d{x}"]
        {
            assert!(check_stack(name).is_err(), "{name:?} accepted");
        }
        let e = AtmosCommand::plan("vpc", "dev", Path::new("plans/x.planfile")).unwrap_err();
        assert_eq!(e.rule, PLANFILE_ABSOLUTE);
        assert!(AtmosCommand::new(&["terraform", "--plan"], "vpc", "dev").is_err());
        assert!(AtmosCommand::new(&[], "vpc", "dev").is_err());
    }

    #[test]
    fn display_quotes_for_a_shell_and_hides_the_environment() {
        let cmd = AtmosCommand::plan("my component", "plat-ue2-dev", Path::new("/tmp/p q.planfile"))
            .unwrap()
            .env("TF_TOKEN_app_terraform_io", "s3cret");
        assert_eq!(
            cmd.to_string(),
            "atmos terraform plan 'my component' -s plat-ue2-dev '-out=/tmp/p q.planfile' -input=false -detailed-exitcode"
        );
        assert!(!format!("{cmd:?}").contains("s3cret"));
        assert_eq!(cmd.planfile(), Some("/tmp/p q.planfile"));
        assert_eq!(cmd.verb(), "plan");
        let deploy = AtmosCommand::deploy("vpc", "dev", Path::new("/p")).unwrap();
        assert_eq!(deploy.planfile(), Some("/p"));
    }
}
