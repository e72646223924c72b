use super::*;
use crate::exec::transcript;

const TERRAFORM_COLOURED: &str = "\x1b[0m\x1b[1maws_vpc.default: Refreshing state... [id=vpc-0a1b]\x1b[0m\n\n\
Terraform used the selected providers to generate the following execution\nplan. Resource actions are indicated with \
the following symbols:\n  \x1b[32m+\x1b[0m create\n\n\
Terraform will perform the following actions:\n\n\
\x1b[1m  # aws_subnet.a\x1b[0m will be created\n\x1b[0m  \x1b[32m+\x1b[0m\x1b[0m resource \"aws_subnet\" \"a\" {\n      \
\x1b[32m+\x1b[0m\x1b[0m id = (known after apply)\n    }\n\n\
\x1b[1mPlan:\x1b[0m 3 to add, 1 to change, 2 to destroy.\n\x1b[90m\n─────\x1b[0m\n\n\
Saved the plan to: /tmp/run-1/dev-vpc.planfile\n";

const OPENTOFU: &str = "\nOpenTofu used the selected providers to generate the following execution\nplan. Resource \
actions are indicated with the following symbols:\n  + create\n\nOpenTofu will perform the following actions:\n\n  \
# random_pet.p will be created\n  + resource \"random_pet\" \"p\" {\n      + id = (known after apply)\n    }\n\n\
Plan: 1 to add, 0 to change, 0 to destroy.\n";

#[test]
fn counts_from_terraform_and_opentofu_with_and_without_colour() {
    let s = parse_plan(TERRAFORM_COLOURED).unwrap();
    assert_eq!(s, PlanSummary { add: 3, change: 1, destroy: 2, import: 0, no_changes: false });
    assert_eq!(parse_plan(&strip_ansi(TERRAFORM_COLOURED)), Some(s));
    assert_eq!(parse_plan(OPENTOFU).unwrap().add, 1);
    let s = parse_plan(&transcript::plan_output(4, 0, 7, Some("/p"))).unwrap();
    assert_eq!((s.add, s.change, s.destroy, s.no_changes), (4, 0, 7, false));
}

#[test]
fn no_changes_in_every_wording() {
    let none = PlanSummary { no_changes: true, ..PlanSummary::default() };
    for text in [
        "\nNo changes. Your infrastructure matches the configuration.\n\nTerraform has compared your real infrastructure",
        "\x1b[0m\x1b[1m\x1b[32mNo changes.\x1b[0m\x1b[1m Your infrastructure matches the configuration.\x1b[0m\n",
        "No changes. Infrastructure is up-to-date.\n\nThis means that Terraform did not detect any differences",
        "\nNo changes. Your infrastructure still matches the configuration.\n",
        "Plan: 0 to add, 0 to change, 0 to destroy.\n",
    ] {
        assert_eq!(parse_plan(text), Some(none), "{text:?}");
    }
    assert_eq!(parse_plan(&transcript::plan_output(0, 0, 0, None)), Some(none));
}

#[test]
fn imports_outputs_and_failures() {
    let s = parse_plan("Plan: 2 to import, 1 to add, 0 to change, 0 to destroy.\n").unwrap();
    assert_eq!((s.import, s.add, s.no_changes), (2, 1, false));
    let only_import = parse_plan("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.").unwrap();
    assert!(!only_import.no_changes);
    let outputs = "\nChanges to Outputs:\n  + vpc_id = \"vpc-1\"\n\nYou can apply this plan to save these new output \
                   values to the Terraform state, without changing any real infrastructure.\n";
    assert_eq!(parse_plan(outputs), Some(PlanSummary::default()));
    assert_eq!(parse_plan(&transcript::error_output("Invalid reference")), None);
    assert_eq!(parse_plan(""), None);
}

#[test]
fn apply_and_destroy_summaries() {
    assert_eq!(
        parse_apply(&transcript::apply_output(2, 1, 0)),
        Some(ApplySummary { added: 2, changed: 1, destroyed: 0, imported: 0 })
    );
    assert_eq!(
        parse_apply(
            "\x1b[0m\x1b[1m\x1b[32mApply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed.\x1b[0m"
        ),
        Some(ApplySummary { imported: 1, ..ApplySummary::default() })
    );
    assert_eq!(parse_apply("Destroy complete! Resources: 5 destroyed.\n").unwrap().destroyed, 5);
    assert_eq!(parse_apply("Error: apply failed"), None);
}

#[test]
fn the_digest_ignores_what_varies_between_runs_of_one_plan() {
    let reviewed = transcript::plan_output(2, 1, 0, Some("/tmp/pr-5/dev-vpc.planfile"));
    let mut replanned = String::from("2025-01-01T10:00:00.123Z [INFO]  Terraform version: 1.9.8\n");
    replanned.push_str(&transcript::plan_output(2, 1, 0, Some("/tmp/merge-9/dev-vpc.planfile")));
    replanned = replanned.replace(
        "Initializing the backend...",
        "Initializing the backend...\nAcquiring state lock. This may take a few moments...",
    );
    let coloured = replanned.replace("Plan:", "\x1b[1mPlan:\x1b[0m").replace("  + create", "  \x1b[32m+\x1b[0m create");
    assert_eq!(plan_text_digest(&reviewed), plan_text_digest(&replanned));
    assert_eq!(plan_text_digest(&reviewed), plan_text_digest(&coloured));
    assert_ne!(plan_text_digest(&reviewed), plan_text_digest(&transcript::plan_output(2, 2, 0, None)));
    assert_ne!(
        plan_text_digest(&reviewed),
        plan_text_digest(&reviewed.replace("10.0.1.0/24", "10.0.9.0/24")),
        "a changed attribute is a changed plan"
    );
    let body = normalise_plan(&reviewed);
    assert!(body.starts_with("Terraform used the selected providers") && body.ends_with("0 to destroy."), "{body}");
    assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

#[test]
fn file_digests_read_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.planfile");
    std::fs::write(&p, b"abc").unwrap();
    assert_eq!(file_digest(&p).unwrap(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert!(file_digest(&dir.path().join("missing")).is_err());
}
