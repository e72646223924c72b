//! The filters of `${{ … }}` expressions (Backstage's built-in ones plus nunjucks basics).

use serde_json::{Value as Json, json};

use super::expr::{ExprError, to_text};

/// Applies filter `name` to `v`.
pub fn apply(name: &str, v: Json, args: &[Json]) -> Result<Json, ExprError> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Json::Null);
    Ok(match name {
        "lower" => Json::String(to_text(&v).to_lowercase()),
        "upper" => Json::String(to_text(&v).to_uppercase()),
        "trim" => Json::String(to_text(&v).trim().to_string()),
        "replace" => Json::String(to_text(&v).replace(&to_text(&arg(0)), &to_text(&arg(1)))),
        "default" => {
            if v.is_null() {
                arg(0)
            } else {
                v
            }
        }
        "join" => {
            let sep = if args.is_empty() { ",".to_string() } else { to_text(&arg(0)) };
            match v {
                Json::Array(a) => Json::String(a.iter().map(to_text).collect::<Vec<_>>().join(&sep)),
                other => Json::String(to_text(&other)),
            }
        }
        "dump" => Json::String(v.to_string()),
        "length" => Json::from(match &v {
            Json::Array(a) => a.len(),
            Json::Object(m) => m.len(),
            Json::String(s) => s.chars().count(),
            _ => 0,
        }),
        "first" => match v {
            Json::Array(a) => a.into_iter().next().unwrap_or(Json::Null),
            other => other,
        },
        "last" => match v {
            Json::Array(a) => a.into_iter().last().unwrap_or(Json::Null),
            other => other,
        },
        "pick" => match v {
            Json::Object(mut m) => m.remove(&to_text(&arg(0))).unwrap_or(Json::Null),
            _ => Json::Null,
        },
        "parseRepoUrl" => parse_repo_url(&to_text(&v))?,
        "projectSlug" => {
            let r = parse_repo_url(&to_text(&v))?;
            Json::String(format!("{}/{}", to_text(&r["owner"]), to_text(&r["repo"])))
        }
        "parseEntityRef" => parse_entity_ref(&to_text(&v), args.first())?,
        other => return Err(ExprError(format!("unknown filter `{other}`"))),
    })
}

/// Backstage's RepoUrlPicker format: `host?owner=o&repo=r` (also `organization`, `workspace`,
/// `project`). An `https://host/owner/repo` URL is accepted too.
pub fn parse_repo_url(s: &str) -> Result<Json, ExprError> {
    let bad = || ExprError(format!("`{s}` is not a repository URL (expected `host?owner=OWNER&repo=REPO`)"));
    let (host, owner, repo) = if let Some((host, query)) = s.split_once('?') {
        let mut owner = None;
        let mut repo = None;
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "owner" | "organization" => owner = Some(v.into_owned()),
                "repo" => repo = Some(v.into_owned()),
                _ => {}
            }
        }
        (host.to_string(), owner.ok_or_else(bad)?, repo.ok_or_else(bad)?)
    } else {
        let u = url::Url::parse(s).map_err(|_| bad())?;
        let path = u.path().trim_matches('/').trim_end_matches(".git");
        let (owner, repo) = path.rsplit_once('/').ok_or_else(bad)?;
        (u.host_str().ok_or_else(bad)?.to_string(), owner.to_string(), repo.to_string())
    };
    if host.is_empty() || owner.is_empty() || repo.is_empty() {
        return Err(bad());
    }
    Ok(json!({"host": host, "owner": owner, "repo": repo}))
}

/// `[kind:][namespace/]name` with optional `{defaultKind, defaultNamespace}`.
fn parse_entity_ref(s: &str, defaults: Option<&Json>) -> Result<Json, ExprError> {
    let d = |k: &str| defaults.and_then(|d| d.get(k)).and_then(Json::as_str).map(str::to_string);
    let (kind, rest) = match (s.find(':'), s.find('/')) {
        (Some(c), slash) if slash.is_none_or(|sl| c < sl) => (Some(s[..c].to_string()), &s[c + 1..]),
        _ => (d("defaultKind"), s),
    };
    let (ns, name) = match rest.split_once('/') {
        Some((ns, name)) => (ns.to_string(), name.to_string()),
        None => (d("defaultNamespace").unwrap_or_else(|| "default".into()), rest.to_string()),
    };
    if name.is_empty() || ns.is_empty() || kind.as_deref() == Some("") {
        return Err(ExprError(format!("`{s}` is not an entity reference")));
    }
    Ok(json!({"kind": kind, "namespace": ns, "name": name}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_urls_and_entity_refs() {
        assert_eq!(
            parse_repo_url("gitlab.com?owner=group%2Fsub&repo=proj").unwrap(),
            json!({"host": "gitlab.com", "owner": "group/sub", "repo": "proj"})
        );
        assert_eq!(parse_repo_url("https://github.com/acme/x.git").unwrap()["repo"], "x");
        assert!(parse_repo_url("github.com?owner=acme").is_err());
        assert!(parse_repo_url("nonsense").is_err());
        assert_eq!(
            parse_entity_ref("group:team-a", None).unwrap(),
            json!({"kind": "group", "namespace": "default", "name": "team-a"})
        );
        assert_eq!(parse_entity_ref("ns/x", Some(&json!({"defaultKind": "user"}))).unwrap()["kind"], "user");
        assert!(parse_entity_ref("group:", None).is_err());
        assert!(apply("nope", Json::Null, &[]).is_err());
    }
}
