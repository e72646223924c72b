//! The dry-run executor records and prints, runs nothing.

use std::path::Path;

use paved::exec::{AtmosCommand, DryRunExecutor, Executor, Masker, Stream};

use crate::support::context;

#[tokio::test]
async fn dry_run_records_the_ordered_commands() {
    let dry = DryRunExecutor::new();
    let (ctx, sink) = context();
    let ctx = ctx.with_masker(Masker::new(["s3cret"]));
    let plan = AtmosCommand::plan("vpc", "plat-ue2-dev", Path::new("/w/p")).unwrap().env("TOKEN", "s3cret");
    let deploy = AtmosCommand::deploy("vpc", "plat-ue2-dev", Path::new("/w/p")).unwrap();
    for cmd in [&plan, &deploy] {
        let out = dry.run(cmd, &ctx).await.unwrap();
        assert!(out.success());
    }
    assert_eq!(dry.commands(), vec![plan, deploy]);
    assert_eq!(
        sink.text(Stream::Stdout),
        "[dry-run] atmos terraform plan vpc -s plat-ue2-dev -out=/w/p -input=false -detailed-exitcode\n\
         [dry-run] atmos terraform deploy vpc -s plat-ue2-dev --planfile /w/p\n"
    );
}
