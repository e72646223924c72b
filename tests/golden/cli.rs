//! `paved new`, `paved upgrade` and `paved golden outdated` end to end, with the template in a
//! real git repository.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

const TEMPLATE: &str = r#"apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: svc
spec:
  type: service
  parameters:
    required: [name]
    properties:
      name: {type: string}
  steps:
    - id: fetch
      action: fetch:template
      input:
        url: ./skeleton
        targetPath: services/${{ parameters.name }}
        values:
          name: ${{ parameters.name }}
    - action: catalog:register
      input:
        catalogInfoPath: services/${{ parameters.name }}/catalog-info.yaml
"#;

const ENTITY: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {{values.name}}\nspec:\n  type: service\n  lifecycle: production\n  owner: group:team-a\n";

fn write(root: &Path, files: &[(&str, &str)]) {
    for (p, c) in files {
        let p = root.join(p);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, c).unwrap();
    }
}

/// Commits the whole work tree and tags the commit.
fn commit(repo: &git2::Repository, tag: &str) {
    let mut index = repo.index().unwrap();
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).unwrap();
    index.update_all(["*"], None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("t", "t@example.com").unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    let id = repo.commit(Some("HEAD"), &sig, &sig, tag, &tree, &parents).unwrap();
    repo.tag_lightweight(tag, &repo.find_object(id, None).unwrap(), false).unwrap();
}

fn paved(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("paved").unwrap().args(args).env_remove("PAVED_GOLDEN_PATHS").output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn new_then_upgrade_merges_and_keeps_deletions() {
    let tpl = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(tpl.path()).unwrap();
    write(
        tpl.path(),
        &[
            ("golden-paths/svc/template.yaml", TEMPLATE),
            ("golden-paths/svc/skeleton/README.md", "# {{values.name}}\nline2\nline3\nline4\n"),
            ("golden-paths/svc/skeleton/notes.txt", "notes\n"),
            ("golden-paths/svc/skeleton/catalog-info.yaml", ENTITY),
        ],
    );
    commit(&repo, "v1");
    let templates = tpl.path().join("golden-paths");
    let templates = templates.to_str().unwrap();

    let proj = tempfile::tempdir().unwrap();
    write(
        proj.path(),
        &[
            (
                "catalog-info.yaml",
                "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets:\n    - ./team/catalog-info.yaml\n",
            ),
            (
                "team/catalog-info.yaml",
                "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n",
            ),
        ],
    );
    let out = proj.path().to_str().unwrap();
    let (code, stdout, stderr) = paved(&["new", "svc", "--templates", templates, "--out", out, "--set", "name=pay"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let svc = proj.path().join("services/pay");
    assert!(fs::read_to_string(svc.join("catalog-info.yaml")).unwrap().contains("paved.dev/template: svc@v1"));
    assert!(fs::read_to_string(svc.join(".paved/answers.yaml")).unwrap().contains("version: v1\n"));
    assert!(
        fs::read_to_string(proj.path().join("catalog-info.yaml")).unwrap().contains("./services/pay/catalog-info.yaml")
    );
    // Rendering again would overwrite: refused without --force.
    let (code, _, stderr) = paved(&["new", "svc", "--templates", templates, "--out", out, "--set", "name=pay"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("would be overwritten"), "{stderr}");
    assert_eq!(paved(&["golden", "outdated", out, "--templates", templates]).0, 0);

    // The user edits one line and deletes a file; the template changes other lines.
    write(&svc, &[("README.md", "# pay (ours)\nline2\nline3\nline4\n")]);
    fs::remove_file(svc.join("notes.txt")).unwrap();
    write(
        tpl.path(),
        &[
            ("golden-paths/svc/skeleton/README.md", "# {{values.name}}\nline2\nline3\nline4 v2\n"),
            ("golden-paths/svc/skeleton/notes.txt", "notes v2\n"),
            ("golden-paths/svc/skeleton/CHANGELOG.md", "# {{values.name}} changes\n"),
        ],
    );
    commit(&repo, "v2");
    let (code, stdout, _) = paved(&["golden", "outdated", out, "--templates", templates]);
    assert_eq!(code, 1);
    assert!(stdout.contains("component:default/pay") && stdout.contains(" v1 ") && stdout.contains("v2"), "{stdout}");

    let dir = svc.to_str().unwrap();
    let (code, stdout, stderr) = paved(&["upgrade", dir, "--templates", templates]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(fs::read_to_string(svc.join("README.md")).unwrap(), "# pay (ours)\nline2\nline3\nline4 v2\n");
    assert!(!svc.join("notes.txt").exists(), "a deleted file stays deleted");
    assert!(stdout.contains("notes.txt: you deleted it"), "{stdout}");
    assert_eq!(fs::read_to_string(svc.join("CHANGELOG.md")).unwrap(), "# pay changes\n");
    assert!(fs::read_to_string(svc.join(".paved/answers.yaml")).unwrap().contains("version: v2\n"));
    assert!(fs::read_to_string(svc.join("catalog-info.yaml")).unwrap().contains("paved.dev/template: svc@v2"));
    assert_eq!(paved(&["golden", "outdated", out, "--templates", templates]).0, 0);

    // A template change to the line the user changed is a conflict.
    write(
        tpl.path(),
        &[("golden-paths/svc/skeleton/README.md", "# {{values.name}} service\nline2\nline3\nline4 v2\n")],
    );
    commit(&repo, "v3");
    let (code, _, stderr) = paved(&["upgrade", dir, "--templates", templates, "--to", "v3"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("README.md"), "{stderr}");
    assert_eq!(
        fs::read_to_string(svc.join("README.md")).unwrap(),
        "<<<<<<< your changes\n# pay (ours)\n=======\n# pay service\n>>>>>>> svc@v3\nline2\nline3\nline4 v2\n"
    );
}

#[test]
fn new_reports_every_parameter_problem_and_template_error() {
    let tpl = tempfile::tempdir().unwrap();
    write(
        tpl.path(),
        &[
            (
                "svc/template.yaml",
                &TEMPLATE.replace(
                    "name: {type: string}",
                    "name: {type: string, pattern: '^[a-z]+$'}\n      port: {type: integer}",
                ),
            ),
            ("svc/skeleton/catalog-info.yaml", ENTITY),
        ],
    );
    let dir = tpl.path().join("svc");
    let (code, _, stderr) =
        paved(&["new", dir.to_str().unwrap(), "--set", "name=Bad", "--set", "port=x", "--set", "nope=1", "--dry-run"]);
    assert_eq!(code, 1);
    for want in ["unknown parameter `nope`", "parameter `name`", "parameter `port`"] {
        assert!(stderr.contains(want), "{want}: {stderr}");
    }
    write(tpl.path(), &[("svc/template.yaml", &TEMPLATE.replace("catalog:register", "catalog:write"))]);
    let (code, _, stderr) = paved(&["new", dir.to_str().unwrap(), "--set", "name=a", "--dry-run"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown action `catalog:write`"), "{stderr}");
}
