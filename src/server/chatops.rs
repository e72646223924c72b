//! ChatOps: `/paved …` commands in pull-request comments.
//!
//! Parsing is pure; the server checks the commenter's permission and turns an accepted command
//! into a reconcile request whose `reason` is the command's canonical text
//! (`comment: /paved plan -s STACK COMPONENT`), which the reconciler parses back with
//! [`ChatCommand::from_reason`].

use std::fmt;

/// The prefix every command starts with.
pub const PREFIX: &str = "/paved";

/// A command from a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatCommand {
    /// Plan the request's affected components, or only those named.
    Plan(Target),
    /// Apply them (only where the apply requirements hold; the reconciler checks).
    Apply(Target),
    /// Release the locks this request holds.
    Unlock,
    /// Stop this request's running plan or apply.
    Cancel,
    Help,
}

/// Which components a plan or apply covers; empty means all affected ones.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    pub stack: Option<String>,
    pub component: Option<String>,
}

/// A comment that starts like a command but is not one. The message is shown to the commenter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ChatError(pub String);

impl ChatCommand {
    /// The command in a comment: its first non-blank line must start with `/paved`. `Ok(None)`
    /// for an ordinary comment.
    pub fn parse(comment: &str) -> Result<Option<ChatCommand>, ChatError> {
        let Some(line) = comment.lines().map(str::trim).find(|l| !l.is_empty()) else {
            return Ok(None);
        };
        let mut words = line.split_whitespace();
        if words.next() != Some(PREFIX) {
            return Ok(None);
        }
        let Some(verb) = words.next() else {
            return Ok(Some(ChatCommand::Help));
        };
        let rest: Vec<&str> = words.collect();
        match verb {
            "plan" => Ok(Some(ChatCommand::Plan(parse_target(&rest)?))),
            "apply" => Ok(Some(ChatCommand::Apply(parse_target(&rest)?))),
            "unlock" => no_args(verb, &rest).map(|_| Some(ChatCommand::Unlock)),
            "cancel" => no_args(verb, &rest).map(|_| Some(ChatCommand::Cancel)),
            "help" | "--help" | "-h" => Ok(Some(ChatCommand::Help)),
            other => Err(ChatError(format!("unknown command `{}`; try `/paved help`", shorten(other)))),
        }
    }

    /// Parses a reconcile request's `reason` written by [`ChatCommand::reason`].
    pub fn from_reason(reason: &str) -> Option<ChatCommand> {
        let text = reason.strip_prefix("comment: ")?;
        ChatCommand::parse(text).ok().flatten()
    }

    /// The reconcile request reason for this command.
    pub fn reason(&self) -> String {
        format!("comment: {self}")
    }

    /// Whether running the command needs write permission on the repository (all but help).
    pub fn needs_write(&self) -> bool {
        !matches!(self, ChatCommand::Help)
    }
}

impl fmt::Display for ChatCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (verb, target) = match self {
            ChatCommand::Plan(t) => ("plan", Some(t)),
            ChatCommand::Apply(t) => ("apply", Some(t)),
            ChatCommand::Unlock => ("unlock", None),
            ChatCommand::Cancel => ("cancel", None),
            ChatCommand::Help => ("help", None),
        };
        write!(f, "{PREFIX} {verb}")?;
        if let Some(t) = target {
            if let Some(s) = &t.stack {
                write!(f, " -s {s}")?;
            }
            if let Some(c) = &t.component {
                write!(f, " {c}")?;
            }
        }
        Ok(())
    }
}

fn parse_target(args: &[&str]) -> Result<Target, ChatError> {
    let mut target = Target::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match *arg {
            "-s" | "--stack" => {
                let value = it.next().ok_or_else(|| ChatError("`-s` needs a stack name".into()))?;
                set_once(&mut target.stack, "stack", value)?;
            }
            a if a.starts_with("--stack=") => set_once(&mut target.stack, "stack", &a["--stack=".len()..])?,
            a if a.starts_with('-') => {
                return Err(ChatError(format!("unknown flag `{}`; try `/paved help`", shorten(a))));
            }
            a => set_once(&mut target.component, "component", a)?,
        }
    }
    Ok(target)
}

fn set_once(slot: &mut Option<String>, what: &str, value: &str) -> Result<(), ChatError> {
    check_name(what, value)?;
    if slot.is_some() {
        return Err(ChatError(format!("more than one {what} given")));
    }
    *slot = Some(value.to_string());
    Ok(())
}

/// Stack and component names go into `atmos` arguments and lock keys: allow only what Atmos
/// names use, so a comment cannot smuggle a flag, a path or shell syntax.
fn check_name(what: &str, value: &str) -> Result<(), ChatError> {
    let ok = !value.is_empty()
        && value.len() <= 200
        && !value.starts_with(['-', '/', '.'])
        && !value.split('/').any(|seg| seg.is_empty() || seg == "..")
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if ok { Ok(()) } else { Err(ChatError(format!("`{}` is not a valid {what} name", shorten(value)))) }
}

fn no_args(verb: &str, rest: &[&str]) -> Result<(), ChatError> {
    if rest.is_empty() { Ok(()) } else { Err(ChatError(format!("`/paved {verb}` takes no arguments"))) }
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control() && *c != '`').take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// The reply to `/paved help` and to a command paved does not understand.
pub fn help_text() -> &'static str {
    "paved commands (comment on the pull request; all but `help` need write access):\n\n\
     | command | what it does |\n\
     |---|---|\n\
     | `/paved plan [-s STACK] [COMPONENT]` | plan the affected components again, or only those named |\n\
     | `/paved apply [-s STACK] [COMPONENT]` | apply reviewed plans where the apply requirements hold |\n\
     | `/paved unlock` | release the locks this pull request holds |\n\
     | `/paved cancel` | stop this pull request's running plan or apply |\n\
     | `/paved help` | this text |\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(stack: Option<&str>, component: Option<&str>) -> Target {
        Target { stack: stack.map(Into::into), component: component.map(Into::into) }
    }

    #[test]
    fn parses_commands() {
        assert_eq!(ChatCommand::parse("/paved plan").unwrap(), Some(ChatCommand::Plan(t(None, None))));
        assert_eq!(
            ChatCommand::parse("\n  /paved apply -s plat-ue2-dev vpc\nthanks").unwrap(),
            Some(ChatCommand::Apply(t(Some("plat-ue2-dev"), Some("vpc"))))
        );
        assert_eq!(
            ChatCommand::parse("/paved plan --stack=core-uw2-prod eks/cluster").unwrap(),
            Some(ChatCommand::Plan(t(Some("core-uw2-prod"), Some("eks/cluster"))))
        );
        assert_eq!(ChatCommand::parse("/paved unlock").unwrap(), Some(ChatCommand::Unlock));
        assert_eq!(ChatCommand::parse("/paved cancel").unwrap(), Some(ChatCommand::Cancel));
        assert_eq!(ChatCommand::parse("/paved").unwrap(), Some(ChatCommand::Help));
        assert_eq!(ChatCommand::parse("/paved help").unwrap(), Some(ChatCommand::Help));
    }

    #[test]
    fn ordinary_comments_are_not_commands() {
        for c in ["", "LGTM", "please run /paved plan", "/pavedplan", "> /paved plan"] {
            assert_eq!(ChatCommand::parse(c).unwrap(), None, "{c:?}");
        }
    }

    #[test]
    fn refuses_hostile_names_and_unknown_input() {
        for c in [
            "/paved plan -s ../../etc vpc",
            "/paved plan -s x --destroy",
            "/paved plan -s x $(rm -rf /)",
            "/paved plan -s x;reboot",
            "/paved plan -s",
            "/paved plan a b",
            "/paved apply -s a -s b",
            "/paved unlock now",
            "/paved destroy",
            "/paved plan -s /abs",
        ] {
            assert!(ChatCommand::parse(c).is_err(), "{c:?} should be refused");
        }
        let err = ChatCommand::parse("/paved `evil`\u{7}").unwrap_err();
        // Backticks and control characters from the comment are dropped, so the reply's code span holds.
        assert!(err.0.starts_with("unknown command `evil`;"), "{err}");
    }

    #[test]
    fn reason_round_trips() {
        for cmd in [
            ChatCommand::Plan(t(Some("a-b"), Some("vpc"))),
            ChatCommand::Apply(t(None, Some("eks"))),
            ChatCommand::Plan(t(None, None)),
            ChatCommand::Unlock,
            ChatCommand::Cancel,
        ] {
            assert_eq!(ChatCommand::from_reason(&cmd.reason()), Some(cmd.clone()));
        }
        assert_eq!(ChatCommand::Plan(t(Some("s"), Some("c"))).reason(), "comment: /paved plan -s s c");
        assert_eq!(ChatCommand::from_reason("push"), None);
    }
}
