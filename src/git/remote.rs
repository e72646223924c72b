//! Clone, fetch and push, with token authentication through a credentials callback.
//!
//! The token is handed to libgit2 only inside the callback; it is never put into a URL, and
//! every message paved keeps from libgit2 goes through [`redact`] first.

use std::cell::Cell;
use std::path::Path;
use std::sync::LazyLock;

use git2::{Cred, CredentialType, FetchOptions, PushOptions, RemoteCallbacks, build::RepoBuilder};
use regex::Regex;

use super::{GitError, Repo};
use crate::forge::secret::Secret;

/// How to authenticate to a remote.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    /// The user name sent with the token: `x-access-token` for GitHub, `oauth2` for GitLab.
    pub username: String,
    pub token: Option<Secret>,
}

impl Auth {
    /// No credentials (public repositories, local paths, an SSH agent).
    pub fn none() -> Auth {
        Auth::default()
    }

    /// HTTPS basic authentication with a token as the password.
    pub fn token(username: impl Into<String>, token: Secret) -> Auth {
        Auth { username: username.into(), token: Some(token) }
    }
}

/// A remote repository: where it is and how to log in.
#[derive(Debug, Clone)]
pub struct Remote {
    pub url: String,
    pub auth: Auth,
}

impl Remote {
    pub fn new(url: impl Into<String>, auth: Auth) -> Remote {
        Remote { url: url.into(), auth }
    }

    /// The URL without user-info, for messages.
    pub fn display_url(&self) -> String {
        redact(&self.url, self.auth.token.as_ref())
    }

    /// Callbacks that answer libgit2's credential requests once; a second request means the
    /// credentials were refused, and asking again would loop.
    fn callbacks(&self) -> RemoteCallbacks<'_> {
        let mut cb = RemoteCallbacks::new();
        let asked = Cell::new(false);
        cb.credentials(move |_url, user_from_url, allowed| {
            if asked.replace(true) {
                return Err(git2::Error::from_str("authentication failed: the remote refused the credentials"));
            }
            match &self.auth.token {
                Some(token) if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) => {
                    let user = if self.auth.username.is_empty() { "x-access-token" } else { &self.auth.username };
                    Cred::userpass_plaintext(user, token.expose())
                }
                _ if allowed.contains(CredentialType::SSH_KEY) => {
                    Cred::ssh_key_from_agent(user_from_url.unwrap_or("git"))
                }
                _ if allowed.contains(CredentialType::DEFAULT) => Cred::default(),
                _ => Err(git2::Error::from_str("authentication required and no token is configured")),
            }
        });
        cb
    }

    fn error(&self, what: &str, e: git2::Error) -> GitError {
        GitError::Git {
            context: format!("{what} {}", self.display_url()),
            message: redact(e.message(), self.auth.token.as_ref()),
        }
    }
}

/// How to clone.
#[derive(Debug, Clone, Default)]
pub struct CloneOptions {
    /// A bare clone: no working tree (the reconciler reads trees, it never checks out).
    pub bare: bool,
    /// Only this many commits of history (`--depth`).
    pub depth: Option<u32>,
    /// The branch to check out instead of the remote's HEAD.
    pub branch: Option<String>,
}

/// Clones `remote` into `dest`.
pub fn clone(remote: &Remote, dest: &Path, opts: &CloneOptions) -> Result<Repo, GitError> {
    let mut fo = FetchOptions::new();
    fo.remote_callbacks(remote.callbacks());
    if let Some(d) = opts.depth {
        fo.depth(i32::try_from(d).unwrap_or(i32::MAX));
    }
    let mut b = RepoBuilder::new();
    b.bare(opts.bare).fetch_options(fo);
    if let Some(branch) = &opts.branch {
        b.branch(branch);
    }
    b.clone(&remote.url, dest).map(Repo::from_inner).map_err(|e| remote.error("cloning", e))
}

impl Repo {
    /// Fetches `refspecs` (e.g. `+refs/heads/*:refs/remotes/origin/*`, `refs/notes/paved:refs/notes/paved`)
    /// from `remote`, optionally deepening a shallow clone to `depth` commits.
    pub fn fetch(&self, remote: &Remote, refspecs: &[&str], depth: Option<u32>) -> Result<(), GitError> {
        let mut r = self.raw().remote_anonymous(&remote.url).map_err(|e| remote.error("fetching from", e))?;
        let mut fo = FetchOptions::new();
        fo.remote_callbacks(remote.callbacks());
        if let Some(d) = depth {
            fo.depth(i32::try_from(d).unwrap_or(i32::MAX));
        }
        r.fetch(refspecs, Some(&mut fo), None).map_err(|e| remote.error("fetching from", e))
    }

    /// Pushes `refspecs` (e.g. `refs/notes/paved:refs/notes/paved`) to `remote`. A ref the
    /// remote rejects is an error naming the ref.
    pub fn push(&self, remote: &Remote, refspecs: &[&str]) -> Result<(), GitError> {
        let mut r = self.raw().remote_anonymous(&remote.url).map_err(|e| remote.error("pushing to", e))?;
        let rejected = std::cell::RefCell::new(Vec::new());
        let mut cb = remote.callbacks();
        cb.push_update_reference(|refname, status| {
            if let Some(msg) = status {
                rejected.borrow_mut().push(format!("{refname}: {msg}"));
            }
            Ok(())
        });
        let mut po = PushOptions::new();
        po.remote_callbacks(cb);
        r.push(refspecs, Some(&mut po)).map_err(|e| remote.error("pushing to", e))?;
        drop(po);
        let rejected = rejected.into_inner();
        if rejected.is_empty() {
            Ok(())
        } else {
            Err(GitError::Git {
                context: format!("pushing to {}", remote.display_url()),
                message: format!("rejected: {}", redact(&rejected.join("; "), remote.auth.token.as_ref())),
            })
        }
    }
}

static USERINFO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)([a-z][a-z0-9+.-]*://)[^/@\s]+@").expect("a valid literal regex"));

/// `text` with URL user-info (`https://user:token@host` → `https://***@host`) and, when given,
/// every occurrence of `secret` replaced by `***`.
pub fn redact(text: &str, secret: Option<&Secret>) -> String {
    let mut out = USERINFO.replace_all(text, "${1}***@").into_owned();
    if let Some(s) = secret
        && !s.is_empty()
    {
        out = out.replace(s.expose(), "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_userinfo_and_the_token() {
        let t = Secret::new("ghp_abc123");
        assert_eq!(
            redact("failed to fetch https://x:ghp_abc123@github.com/o/r.git (ghp_abc123)", Some(&t)),
            "failed to fetch https://***@github.com/o/r.git (***)"
        );
        assert_eq!(redact("git@github.com:o/r.git", None), "git@github.com:o/r.git");
        assert_eq!(redact("ssh://git@host/x", None), "ssh://***@host/x");
    }
}
