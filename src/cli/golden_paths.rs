//! What `paved new`, `paved upgrade` and `paved golden` share: finding a template, its version
//! in git, its files at an older version, the configuration and printing reports.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use is_terminal::IsTerminal;
use paved::changeset::FileMode;
use paved::config::{self, Config};
use paved::golden::{TEMPLATE_FILE, Template, TemplateDir};
use paved::report::{self, Format, HumanOptions, Report};
use paved::source::RelPath;

/// Where `paved new NAME` looks for golden paths when NAME is not a folder.
pub const DEFAULT_TEMPLATES: &str = "golden-paths";

/// A template read from disk, with its version.
pub struct Located {
    pub files: TemplateDir,
    pub template: Template,
    /// The folder as shown in messages.
    pub label: String,
    /// A tag at HEAD, else the abbreviated HEAD commit, else a digest of the files.
    pub version: String,
    /// The folder's path inside its git repository (its name outside git).
    pub source: String,
}

/// `arg` as a folder holding template.yaml, else `templates/arg`.
pub fn find_template(arg: &str, templates: &Path) -> anyhow::Result<PathBuf> {
    let direct = PathBuf::from(arg);
    if direct.join(TEMPLATE_FILE).is_file() {
        return Ok(direct);
    }
    let named = templates.join(arg);
    if named.join(TEMPLATE_FILE).is_file() {
        return Ok(named);
    }
    bail!("no template `{arg}`: neither {} nor {} holds a {TEMPLATE_FILE}", direct.display(), named.display())
}

/// Loads and parses a template folder. Template problems come back as a report.
pub fn load(dir: &Path) -> anyhow::Result<Result<Located, Report>> {
    let files = TemplateDir::load(dir).with_context(|| format!("cannot read template {}", dir.display()))?;
    let label = dir.display().to_string();
    let (version, source) = version_of(dir, &files);
    Ok(parse_files(files, &label, version, source))
}

/// Parses the template.yaml of `files`.
pub fn parse_files(files: TemplateDir, label: &str, version: String, source: String) -> Result<Located, Report> {
    let file = format!("{}/{TEMPLATE_FILE}", label.trim_end_matches('/'));
    let Some(text) = files.text(TEMPLATE_FILE) else {
        let d = paved::report::Diagnostic::error("golden/template-invalid", "template.yaml is missing or not UTF-8");
        return Err(Report { diagnostics: vec![d.in_file(&file)], ..Report::default() });
    };
    match Template::parse(&file, text) {
        Ok(template) => Ok(Located { files, template, label: label.to_string(), version, source }),
        Err(diagnostics) => Err(Report { diagnostics, ..Report::default() }),
    }
}

/// The version of the template in `dir` and its path inside its repository.
pub fn version_of(dir: &Path, files: &TemplateDir) -> (String, String) {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let Some((repo, rel)) = open_repo(dir) else { return (digest(files), name) };
    let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else { return (digest(files), rel) };
    let mut tags: Vec<String> =
        repo.tag_names(None).map(|names| names.iter().flatten().map(str::to_string).collect()).unwrap_or_default();
    tags.retain(|t| {
        repo.revparse_single(&format!("refs/tags/{t}"))
            .and_then(|o| o.peel_to_commit())
            .is_ok_and(|c| c.id() == head.id())
    });
    tags.sort();
    let version = tags.pop().unwrap_or_else(|| head.id().to_string()[..12].to_string());
    (version, rel)
}

/// The repository holding `dir` and `dir`'s path inside it.
pub fn open_repo(dir: &Path) -> Option<(git2::Repository, String)> {
    let repo = git2::Repository::discover(dir).ok()?;
    let work = repo.workdir()?.canonicalize().ok()?;
    let rel = dir.canonicalize().ok()?.strip_prefix(&work).ok()?.to_string_lossy().replace('\\', "/");
    Some((repo, rel))
}

fn digest(files: &TemplateDir) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (p, f) in &files.files {
        h.update(p.as_str().as_bytes());
        h.update([0]);
        h.update(&f.content);
        h.update([f.mode as u8]);
    }
    format!("sha256-{}", &hex::encode(h.finalize())[..12])
}

/// The template folder `rel` as it was at `rev` in `repo`.
pub fn files_at(repo: &git2::Repository, rev: &str, rel: &str) -> anyhow::Result<TemplateDir> {
    let commit = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .with_context(|| format!("template version `{rev}` is not a commit or tag of {}", repo.path().display()))?;
    let root = commit.tree()?;
    let tree = if rel.is_empty() {
        root
    } else {
        let entry = root.get_path(Path::new(rel)).with_context(|| format!("`{rel}` does not exist at `{rev}`"))?;
        repo.find_tree(entry.id()).with_context(|| format!("`{rel}` is not a folder at `{rev}`"))?
    };
    let mut out = TemplateDir::default();
    let mut failure = None;
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        let path = format!("{dir}{}", entry.name().unwrap_or_default());
        let mode = match entry.filemode() {
            0o100755 => FileMode::Executable,
            0o100644 => FileMode::Regular,
            0o120000 => {
                failure = Some(format!("{path} is a symbolic link; templates may not contain links"));
                return git2::TreeWalkResult::Abort;
            }
            _ => return git2::TreeWalkResult::Ok,
        };
        let (Ok(p), Ok(blob)) = (RelPath::new(&path), repo.find_blob(entry.id())) else {
            return git2::TreeWalkResult::Ok;
        };
        out.insert(p, blob.content().to_vec(), mode);
        git2::TreeWalkResult::Ok
    })?;
    if let Some(f) = failure {
        bail!(f);
    }
    Ok(out)
}

/// paved.yaml at `root` (defaults when absent). A broken file is a report.
pub fn load_config(root: &Path) -> anyhow::Result<Result<Config, Report>> {
    let path = root.join(config::FILE_NAME);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ok(Config::default())),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    Ok(Config::parse(config::FILE_NAME, &text).map_err(|diagnostics| Report { diagnostics, ..Report::default() }))
}

/// Prints a report in human form on stderr, source lines read from `roots`.
pub fn print_report(report: &mut Report, roots: &[&Path]) {
    report.finish(&Default::default());
    let lookup = |file: &str| -> Option<Arc<str>> {
        let direct = Path::new(file);
        let text = std::fs::read_to_string(direct)
            .ok()
            .or_else(|| roots.iter().find_map(|r| std::fs::read_to_string(r.join(file)).ok()))?;
        Some(Arc::from(text))
    };
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let out = report::render(report, Format::Human, &lookup, HumanOptions { color });
    let _ = std::io::stderr().lock().write_all(out.as_bytes());
}
