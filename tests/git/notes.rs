use paved::git::{AUDIT_NOTES_REF, Repo};

use crate::support::TestRepo;

#[test]
fn writes_reads_appends_and_lists_notes_that_git_itself_can_read() {
    let t = TestRepo::new();
    t.write("a", "1");
    let one = t.commit("one");
    t.write("a", "2");
    let two = t.commit("two");
    let repo = Repo::open(t.path()).unwrap();
    let (c1, c2) = (repo.resolve(&one).unwrap().id, repo.resolve(&two).unwrap().id);
    assert_eq!(repo.read_note(AUDIT_NOTES_REF, c1).unwrap(), None);
    assert!(repo.list_notes(AUDIT_NOTES_REF).unwrap().is_empty());

    repo.write_note(AUDIT_NOTES_REF, c1, "applied vpc in plat-ue2-dev").unwrap();
    repo.append_note(AUDIT_NOTES_REF, c1, "applied eks in plat-ue2-dev").unwrap();
    repo.append_note(AUDIT_NOTES_REF, c2, "first on two").unwrap();
    assert_eq!(
        repo.read_note(AUDIT_NOTES_REF, c1).unwrap().unwrap(),
        "applied vpc in plat-ue2-dev\n\napplied eks in plat-ue2-dev"
    );
    assert_eq!(t.git(&["notes", "--ref", "paved", "show", &two]), "first on two");
    let all = repo.list_notes(AUDIT_NOTES_REF).unwrap();
    assert_eq!(all.len(), 2);
    // Other refs are separate.
    assert_eq!(repo.read_note("refs/notes/commits", c1).unwrap(), None);
    // Replacing.
    repo.write_note(AUDIT_NOTES_REF, c2, "replaced").unwrap();
    assert_eq!(repo.read_note(AUDIT_NOTES_REF, c2).unwrap().unwrap(), "replaced");
}
