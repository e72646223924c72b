//! Finds the descriptor files of a repository the way Backstage would: from the root files,
//! following Location entities (relative `url` targets, relative `file` targets when that type
//! is allowed, globs), then the files paved.yaml's `catalog.globs` add, which no Location may
//! reach (orphans). Files of one discovery level are read and checked in parallel.

use std::collections::HashSet;

use globset::GlobSet;
use rayon::prelude::*;

use super::document::ExtraSchema;
use super::entity::Entity;
use super::file::{self, FileCheck};
use super::placeholder::SourceResolver;
use super::rules::{self, FILE_UNREADABLE, LOCATION_EXTERNAL, LOCATION_TARGET, ROOT_MISSING};
use crate::config::{self, Config};
use crate::report::Diagnostic;
use crate::source::{EntryKind, FileSource, RelPath, compile_globs};

/// Directories never worth descending into.
const SKIP_DIRS: &[&str] = &[".git", "node_modules", "target", ".terraform", ".paved"];

/// One file that discovery read.
#[derive(Debug)]
pub struct Found {
    pub path: RelPath,
    /// Reached from a root through Locations (false: only through paved.yaml globs).
    pub reached: bool,
    pub check: FileCheck,
}

/// Every file reached, and the problems met while following Locations.
pub fn discover(src: &dyn FileSource, cfg: &Config, extra: &[ExtraSchema]) -> (Vec<Found>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut seen: HashSet<RelPath> = HashSet::new();
    let mut found: Vec<Found> = Vec::new();
    let default_roots = cfg.catalog.roots == Config::default().catalog.roots;
    let mut frontier = Vec::new();
    for root in &cfg.catalog.roots {
        if src.kind(root).is_none() {
            if !default_roots {
                diags.push(
                    Diagnostic::error(ROOT_MISSING, format!("catalog root `{root}` does not exist"))
                        .in_file(config::FILE_NAME),
                );
            }
        } else if seen.insert(root.clone()) {
            frontier.push(root.clone());
        }
    }
    while !frontier.is_empty() {
        let level: Vec<Found> = frontier
            .par_iter()
            .map(|p| Found { path: p.clone(), reached: true, check: read_and_check(src, p, cfg, extra) })
            .collect();
        frontier = Vec::new();
        for f in &level {
            for e in &f.check.entities {
                for target in targets(src, &f.path, e, cfg, &mut diags) {
                    if seen.insert(target.clone()) {
                        frontier.push(target);
                    }
                }
            }
        }
        found.extend(level);
    }
    if !cfg.catalog.globs.is_empty() {
        match glob_files(src, &cfg.catalog.globs) {
            Ok(paths) => {
                let rest: Vec<RelPath> = paths.into_iter().filter(|p| !seen.contains(p)).collect();
                let more: Vec<Found> = rest
                    .par_iter()
                    .map(|p| Found { path: p.clone(), reached: false, check: read_and_check(src, p, cfg, extra) })
                    .collect();
                found.extend(more);
            }
            Err(e) => diags.push(Diagnostic::error(FILE_UNREADABLE, e).in_file(config::FILE_NAME)),
        }
    }
    (found, diags)
}

fn read_and_check(src: &dyn FileSource, path: &RelPath, cfg: &Config, extra: &[ExtraSchema]) -> FileCheck {
    match src.read(path, cfg.limits.max_file_size) {
        Ok(bytes) => {
            let resolver = SourceResolver { src, file: path, max_len: cfg.limits.max_file_size };
            file::check(path.as_str(), &bytes, cfg, extra, Some(&resolver))
        }
        Err(e) => {
            FileCheck {
                diagnostics: vec![Diagnostic::error(FILE_UNREADABLE, e.to_string()).in_file(path.as_str()).with_help(
                    "descriptor files must be regular files inside the repository, under limits.max_file_size",
                )],
                ..FileCheck::default()
            }
        }
    }
}

/// The files a Location entity points at, reporting targets that are missing or leave the
/// repository.
fn targets(
    src: &dyn FileSource,
    file: &RelPath,
    e: &Entity,
    cfg: &Config,
    diags: &mut Vec<Diagnostic>,
) -> Vec<RelPath> {
    let Some(loc) = &e.location else { return Vec::new() };
    let mut out = Vec::new();
    let diag = |rule: &'static str, span, msg: String| {
        Diagnostic::new(rule, rules::severity(rule), msg)
            .in_file(file.as_str())
            .at_span(span)
            .in_document(e.document)
            .for_entity(e.entity_ref.clone())
    };
    let followed = loc.kind == "url" || (loc.kind == "file" && cfg.catalog.location_types.iter().any(|t| t == "file"));
    for (target, span) in &loc.targets {
        let relative = match loc.kind.as_str() {
            "url" if !target.contains("://") => true,
            "file" => target.starts_with('.'),
            _ => false,
        };
        if !followed || !relative {
            diags.push(diag(
                LOCATION_EXTERNAL,
                *span,
                format!("{} target `{target}` is outside this repository and is not followed", loc.kind),
            ));
            continue;
        }
        let base = file.parent();
        let resolved = match target.strip_prefix('/') {
            Some(abs) => RelPath::new(abs),
            None => base.join(target),
        };
        let path = match resolved {
            Ok(p) => p,
            Err(err) => {
                diags.push(diag(LOCATION_TARGET, *span, format!("target `{target}`: {err}")));
                continue;
            }
        };
        if path.as_str().contains(['*', '?', '[', '{']) {
            match glob_files(src, &[path.as_str().to_string()]) {
                Ok(files) if files.is_empty() && !loc.optional => {
                    diags.push(diag(LOCATION_TARGET, *span, format!("target `{target}` matches no file")))
                }
                Ok(files) => out.extend(files),
                Err(msg) => diags.push(diag(LOCATION_TARGET, *span, format!("target `{target}`: {msg}"))),
            }
            continue;
        }
        match src.kind(&path) {
            None if loc.optional => {}
            None => diags.push(diag(LOCATION_TARGET, *span, format!("target `{target}` does not exist ({path})"))),
            Some(EntryKind::Dir) => {
                diags.push(diag(LOCATION_TARGET, *span, format!("target `{target}` is a directory, not a file")))
            }
            Some(_) => out.push(path),
        }
    }
    out
}

/// Files (and symbolic links, so that a link out of the repository is reported rather than
/// skipped) matching any of `patterns`, sorted.
pub fn glob_files(src: &dyn FileSource, patterns: &[String]) -> Result<Vec<RelPath>, String> {
    let set = compile_globs(patterns).map_err(|e| format!("invalid glob: {e}"))?;
    let base = patterns.iter().map(|p| literal_dir(p)).reduce(|a, b| common_dir(&a, &b)).unwrap_or_default();
    let shape = match patterns {
        [p] => fixed_shape(p, &base),
        _ => None,
    };
    let base = RelPath::new(&base).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    walk(src, &base, &set, shape, &mut out)?;
    out.sort();
    Ok(out)
}

/// For a pattern whose segments below its literal base `base` are words of `*` and `?`
/// wildcards ending in a literal file name (`services/*/catalog-info.yaml`): how many segments
/// lie below the base, and the name. Only files that deep can match, and only by that name.
fn fixed_shape<'p>(pattern: &'p str, base: &str) -> Option<(usize, &'p str)> {
    let p = pattern.trim_start_matches("./");
    if p.contains("**") || p.contains(['[', ']', '{', '}', '\\']) {
        return None;
    }
    let segs: Vec<&str> = p.split('/').collect();
    let below = segs.len().checked_sub(if base.is_empty() { 0 } else { base.split('/').count() })?;
    let name = *segs.last()?;
    (below >= 2 && !name.is_empty() && !name.contains(['*', '?'])).then_some((below, name))
}

/// Lists `dir` breadth-first, the directories of one depth in parallel: a repository of many
/// small service directories spends its discovery waiting on `read_dir`. With a `shape` (see
/// [`fixed_shape`]) the walk stops at the depth of the name's directories and asks each for
/// that one name instead of listing it: one `lstat` where a listing costs five system calls.
fn walk(
    src: &dyn FileSource,
    dir: &RelPath,
    set: &GlobSet,
    shape: Option<(usize, &str)>,
    out: &mut Vec<RelPath>,
) -> Result<(), String> {
    let mut level = vec![dir.clone()];
    let mut depth = 0;
    while !level.is_empty() {
        if let Some((below, name)) = shape
            && depth + 1 == below
        {
            let found: Vec<_> = level
                .par_iter()
                .map(|d| {
                    let p = d.join(name).map_err(|e| e.to_string())?;
                    let kind = src.entry_kind(&p).map_err(|e| e.to_string())?;
                    Ok::<_, String>((p, kind))
                })
                .collect();
            for f in found {
                let (p, kind) = f?;
                if matches!(kind, Some(EntryKind::File | EntryKind::Symlink)) && set.is_match(p.as_str()) {
                    out.push(p);
                }
            }
            return Ok(());
        }
        depth += 1;
        let listed: Vec<_> = level.par_iter().map(|d| src.list(d)).collect();
        level = Vec::new();
        for entries in listed {
            for e in entries.map_err(|e| e.to_string())? {
                match e.kind {
                    EntryKind::File | EntryKind::Symlink if set.is_match(e.path.as_str()) => out.push(e.path),
                    EntryKind::Dir if !SKIP_DIRS.contains(&e.path.file_name()) => level.push(e.path),
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

fn literal_dir(pattern: &str) -> String {
    let p = pattern.trim_start_matches("./");
    let segs: Vec<&str> = p.split('/').collect();
    let mut dirs = Vec::new();
    for seg in &segs[..segs.len().saturating_sub(1)] {
        if seg.contains(['*', '?', '[', '{']) {
            break;
        }
        dirs.push(*seg);
    }
    dirs.join("/")
}

fn common_dir(a: &str, b: &str) -> String {
    a.split('/').zip(b.split('/')).take_while(|(x, y)| x == y).map(|(x, _)| x).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{MemorySource, WorkTree};

    /// The walk that stops at the name's directories and asks for the name finds what the
    /// walk that lists every directory finds, links, directories named like the file, skipped
    /// directories and deeper files included.
    #[test]
    fn a_fixed_shape_glob_finds_what_listing_finds() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |p: &str| {
            let p = root.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "kind: x\n").unwrap();
        };
        write("services/a/catalog-info.yaml");
        write("services/b/Catalog-Info.yaml");
        write("services/c/sub/catalog-info.yaml");
        write("services/node_modules/catalog-info.yaml");
        write("services/.hidden/catalog-info.yaml");
        write("services/catalog-info.yaml");
        write("services/d/x/y/catalog-info.yaml");
        write("other/e/catalog-info.yaml");
        std::fs::create_dir_all(root.join("services/f/catalog-info.yaml")).unwrap();
        std::fs::create_dir_all(root.join("services/g")).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("services/a"), root.join("services/h")).unwrap();
            std::fs::create_dir_all(root.join("services/i")).unwrap();
            std::os::unix::fs::symlink(root.join("services/a"), root.join("services/i/catalog-info.yaml")).unwrap();
            std::fs::create_dir_all(root.join("services/j")).unwrap();
            std::os::unix::fs::symlink("/nonexistent", root.join("services/j/catalog-info.yaml")).unwrap();
        }
        let wt = WorkTree::new(root).unwrap();
        let mem = MemorySource::new()
            .with("services/k/catalog-info.yaml", "a: 1")
            .with("services/k/l/catalog-info.yaml", "a: 1")
            .with("services/catalog-info.yaml", "a: 1");
        for pattern in [
            "services/*/catalog-info.yaml",
            "./services/*/catalog-info.yaml",
            "services/?/catalog-info.yaml",
            "*/*/catalog-info.yaml",
            "services/*/*/catalog-info.yaml",
            "services/d/*/*/catalog-info.yaml",
            "services/*/x/*/catalog-info.yaml",
            "missing/*/catalog-info.yaml",
        ] {
            let patterns = [pattern.to_string()];
            let base = literal_dir(pattern);
            assert!(fixed_shape(pattern, &base).is_some(), "{pattern}");
            let set = compile_globs(&patterns).unwrap();
            let base = RelPath::new(&base).unwrap();
            for src in [&wt as &dyn FileSource, &mem] {
                let mut listed = Vec::new();
                walk(src, &base, &set, None, &mut listed).unwrap();
                listed.sort();
                assert_eq!(glob_files(src, &patterns).unwrap(), listed, "{pattern}");
            }
        }
        let found = glob_files(&wt, &["services/*/catalog-info.yaml".to_string()]).unwrap();
        let names: Vec<&str> = found.iter().map(RelPath::as_str).collect();
        #[cfg(unix)]
        assert_eq!(
            names,
            [
                "services/.hidden/catalog-info.yaml",
                "services/a/catalog-info.yaml",
                "services/i/catalog-info.yaml",
                "services/j/catalog-info.yaml",
            ]
        );
        for other in
            ["services/**/catalog-info.yaml", "services/*.yaml", "services/{a,b}/catalog-info.yaml", "s/*/c*.yaml"]
        {
            assert!(fixed_shape(other, &literal_dir(other)).is_none(), "{other}");
        }
    }
}
