//! Exit codes, plan and apply output, planfiles, and atmos missing.

use std::path::Path;

use paved::exec::plan::{parse_apply, parse_plan};
use paved::exec::{AtmosCommand, ExecError, Executor, PlanExit, ProcessExecutor, Stream};

use crate::support::{Standin, context};

#[tokio::test]
async fn plan_exit_codes_zero_one_two() {
    let s = Standin::new("plan vpc dev add=3 change=1 destroy=0\nplan eks dev exit=1\nplan dns dev\n");
    let (ctx, sink) = context();
    let planfile = s.path("dev-vpc.planfile");

    let changes = s.executor.run(&AtmosCommand::plan("vpc", "dev", &planfile).unwrap(), &ctx).await.unwrap();
    assert_eq!((changes.exit_code, changes.plan_exit()), (Some(2), PlanExit::Changes));
    assert!(!changes.success());
    let summary = parse_plan(&changes.stdout).unwrap();
    assert_eq!((summary.add, summary.change, summary.destroy, summary.no_changes), (3, 1, 0, false));
    assert!(changes.stdout.contains("Terraform will perform the following actions:"));
    assert!(planfile.is_file(), "the plan wrote its planfile");

    let none = s.executor.run(&AtmosCommand::plan("dns", "dev", &s.path("dns")).unwrap(), &ctx).await.unwrap();
    assert_eq!((none.exit_code, none.plan_exit()), (Some(0), PlanExit::NoChanges));
    assert!(parse_plan(&none.stdout).unwrap().no_changes);

    let failed = s.executor.run(&AtmosCommand::plan("eks", "dev", &s.path("eks")).unwrap(), &ctx).await.unwrap();
    assert_eq!((failed.exit_code, failed.plan_exit()), (Some(1), PlanExit::Failed));
    assert_eq!(parse_plan(&failed.stdout), None);
    assert!(sink.text(Stream::Stderr).contains("│ Error: reading EC2 VPC"));
    assert!(failed.tail.iter().any(|l| l.contains("Error: reading EC2 VPC")), "errors reach the tail");

    // The reviewed planfile is what deploy applies.
    let applied = s.executor.run(&AtmosCommand::deploy("vpc", "dev", &planfile).unwrap(), &ctx).await.unwrap();
    assert!(applied.success(), "{:?}", applied.tail);
    let done = parse_apply(&applied.stdout).unwrap();
    assert_eq!((done.added, done.changed, done.destroyed), (3, 1, 0));
}

#[tokio::test]
async fn a_failed_apply_and_a_missing_planfile_exit_one() {
    let s = Standin::new("deploy vpc dev exit=1 add=2\n");
    let (ctx, sink) = context();
    let out = s.executor.run(&AtmosCommand::new(&["terraform", "deploy"], "vpc", "dev").unwrap(), &ctx).await.unwrap();
    assert_eq!(out.exit_code, Some(1));
    assert!(out.stdout.contains("aws_subnet.private[1]: Creating..."));
    assert!(sink.text(Stream::Stderr).contains("Error: creating EC2 Subnet"));

    let missing = s.executor.run(&AtmosCommand::deploy("eks", "dev", &s.path("nope")).unwrap(), &ctx).await.unwrap();
    assert_eq!(missing.exit_code, Some(1));
    assert!(sink.text(Stream::Stderr).contains("as a plan file"));
}

#[test]
fn without_atmos_paved_says_so_plainly() {
    let empty = tempfile::tempdir().unwrap();
    let err = ProcessExecutor::locate_in("atmos", empty.path().as_os_str()).unwrap_err();
    assert!(matches!(err, ExecError::NotOnPath { .. }));
    assert_eq!(
        err.to_string(),
        "atmos not found on PATH; install Atmos or set atmos.path in paved.yaml, or use --dry-run"
    );
    let err = ProcessExecutor::locate("/nonexistent/bin/atmos").unwrap_err();
    assert_eq!(
        err.to_string(),
        "atmos not found at /nonexistent/bin/atmos; install Atmos or set atmos.path in paved.yaml, or use --dry-run"
    );
    // A file that is not executable is not atmos either.
    let plain = empty.path().join("atmos");
    std::fs::write(&plain, "#!/bin/sh\n").unwrap();
    assert!(ProcessExecutor::locate_in("atmos", empty.path().as_os_str()).is_err());
    assert!(ProcessExecutor::locate(plain.to_str().unwrap()).is_err());
    assert!(ProcessExecutor::locate_in("atmos", Path::new("/nonexistent").as_os_str()).is_err());
}
