//! Output arrives while the command runs, with secrets masked.

use std::sync::Arc;
use std::time::Duration;

use paved::exec::{AtmosCommand, ChannelSink, Executor, Masker, RunContext, Stream};

use crate::support::{Standin, context};

const SECRET: &str = "ghp_R3aLlyS3cretT0ken0123456789abcdef";

#[tokio::test]
async fn secrets_are_masked_on_both_streams_even_split_across_writes() {
    let s = Standin::new("plan vpc dev add=1 print-env=TF_VAR_github_token split-env=TF_VAR_github_token\n");
    let (ctx, sink) = context();
    let ctx = ctx.with_masker(Masker::new([SECRET]));
    let cmd = AtmosCommand::plan("vpc", "dev", &s.path("p")).unwrap().env("TF_VAR_github_token", SECRET);
    let out = s.executor.run(&cmd, &ctx).await.unwrap();

    let everything = format!("{}{}{}", out.stdout, out.tail.join("\n"), serde_json::to_string(&sink.lines()).unwrap());
    assert!(!everything.contains(SECRET), "the secret leaked");
    assert!(!everything.contains(&SECRET[..SECRET.len() / 2]), "half of the secret leaked");
    assert!(sink.text(Stream::Stdout).contains("TF_VAR_github_token=***\n"));
    assert!(sink.text(Stream::Stderr).contains("TF_VAR_github_token=***\n"));
    assert!(out.stdout.contains("token: *** (split across two writes)"), "{}", out.stdout);
    // Sanity: unmasked, the stand-in really prints it.
    let (plain_ctx, plain) = context();
    s.executor.run(&cmd, &plain_ctx).await.unwrap();
    assert!(plain.text(Stream::Stdout).contains(SECRET));
}

#[tokio::test]
async fn lines_arrive_before_the_command_ends() {
    let s = Standin::new("plan vpc dev add=1 sleep=3 lines=5\n");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let ctx = RunContext::new(Arc::new(ChannelSink(tx)));
    let cmd = AtmosCommand::plan("vpc", "dev", &s.path("p")).unwrap();
    let run = s.executor.run(&cmd, &ctx);
    tokio::pin!(run);
    let mut seen = Vec::new();
    // Collect until the refresh lines printed before the pause have arrived, while the run goes on.
    while !seen.iter().any(|l: &String| l.contains("extra[4]")) {
        tokio::select! {
            line = rx.recv() => seen.push(line.expect("sink open").text),
            out = &mut run => panic!("the command ended before its output was streamed: {:?}", out.map(|o| o.duration)),
        }
    }
    assert!(seen.iter().any(|l| l == "Terraform has been successfully initialized!"));
    assert!(!seen.iter().any(|l| l.starts_with("Plan:")), "the plan comes after the pause");
    let out = run.await.unwrap();
    assert!(out.duration >= Duration::from_secs(3));
    assert!(out.stdout.contains("Plan: 1 to add"));
}

#[tokio::test]
async fn large_output_is_kept_in_full_and_tailed() {
    let s = Standin::new("plan vpc dev add=2 lines=3000\n");
    let (ctx, sink) = context();
    let out = s.executor.run(&AtmosCommand::plan("vpc", "dev", &s.path("p")).unwrap(), &ctx).await.unwrap();
    assert_eq!(out.stdout.matches("aws_ssm_parameter.extra[").count(), 3000);
    assert_eq!(sink.lines().len(), out.stdout.lines().count());
    assert_eq!(out.tail.len(), paved::exec::TAIL_LINES);
    assert!(out.tail.iter().any(|l| l.starts_with("Plan: 2 to add")), "{:?}", out.tail);
    assert!(out.tail.last().unwrap().contains("terraform apply"), "the tail ends where the output ends");
}
