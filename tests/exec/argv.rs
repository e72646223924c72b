//! The command line reaches atmos exactly as Atmos documents it.

use paved::exec::{AtmosCommand, Executor};

use crate::support::{Standin, context};

#[tokio::test]
async fn argv_is_exactly_what_atmos_documents() {
    let s = Standin::new("");
    let planfile = s.path("plat-ue2-dev-vpc.planfile");
    let commands = [
        AtmosCommand::plan("vpc", "plat-ue2-dev", &planfile).unwrap(),
        AtmosCommand::plan("infra/vpc-flow-logs", "orgs/acme/plat/dev/us-east-2", &planfile)
            .unwrap()
            .arg("-lock=false"),
        AtmosCommand::deploy("vpc", "plat-ue2-dev", &planfile).unwrap().arg("--skip-init"),
        AtmosCommand::destroy("legacy-sg", "plat-ue2-dev").unwrap(),
        AtmosCommand::new(&["terraform", "apply"], "my component", "plat-ue2-dev").unwrap().arg("-auto-approve"),
    ];
    let tmp = s.dir.path().display().to_string();
    let values: Vec<Vec<String>> =
        commands.iter().map(|c| c.argv().iter().map(|a| a.replace(&tmp, "<tmp>")).collect()).collect();
    insta::assert_yaml_snapshot!("argv_values", values);

    let (ctx, _) = context();
    for cmd in &commands {
        s.executor.run(cmd, &ctx).await.unwrap();
    }
    // What the process received is the value minus the program name: no shell in between.
    let received = s.argvs();
    assert_eq!(received.len(), commands.len());
    for (got, want) in received.iter().zip(&values) {
        assert_eq!(got, &want[1..]);
    }
    insta::assert_yaml_snapshot!("argv_received", received);
    let display: Vec<String> = commands.iter().map(|c| c.to_string().replace(&tmp, "<tmp>")).collect();
    insta::assert_yaml_snapshot!("argv_dry_run_lines", display);
}

#[tokio::test]
async fn the_working_directory_and_environment_reach_atmos() {
    let s = Standin::new("plan vpc dev print-env=ATMOS_BASE_PATH\n");
    let repo = s.path("repo");
    std::fs::create_dir(&repo).unwrap();
    let cmd = AtmosCommand::plan("vpc", "dev", &s.path("p")).unwrap().cwd(&repo).env("ATMOS_BASE_PATH", "infra");
    let (ctx, _) = context();
    let out = s.executor.run(&cmd, &ctx).await.unwrap();
    assert_eq!(s.calls()[0]["cwd"], repo.canonicalize().unwrap().display().to_string());
    assert!(out.stdout.contains("ATMOS_BASE_PATH=infra"), "{}", out.stdout);

    let gone = AtmosCommand::plan("vpc", "dev", &s.path("p")).unwrap().cwd(s.path("missing"));
    let err = s.executor.run(&gone, &ctx).await.unwrap_err();
    assert!(err.to_string().starts_with("the working directory"), "{err}");
}
