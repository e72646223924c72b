//! Runs, steps and plans: the records of what paved did.

/// Implements [`Runs`](crate::store::Runs), [`Steps`](crate::store::Steps) and
/// [`Plans`](crate::store::Plans).
macro_rules! records_backend {
    ($store:ident, $db:ty) => {
        // A const block keeps these imports out of the backend's module.
        const _: () = {
            use async_trait::async_trait;
            use serde_json::Value;
            use sqlx::types::Json;

            use crate::store::error::{Result, StoreError, op};
            use crate::store::logic::{check_end, log_slice};
            use crate::store::rows::*;
            use crate::store::sql::*;
            use crate::store::*;

            #[async_trait]
            impl Runs for $store {
                async fn create_run(&self, run: &NewRun) -> Result<Run> {
                    sqlx::query_as::<_, RunRow>(RUN_INSERT)
                        .bind(&run.repo)
                        .bind(&run.git_ref)
                        .bind(&run.sha)
                        .bind(pr_in(run.pull_request)?)
                        .bind(run.kind.as_str())
                        .bind(&run.actor)
                        .bind(Json(Value::Object(Default::default())))
                        .bind(self.clock.now())
                        .fetch_one(&self.records)
                        .await
                        .map_err(op("create_run"))?
                        .into_model()
                }

                async fn start_run(&self, id: i64, replica: &str) -> Result<bool> {
                    let done = sqlx::query(RUN_START)
                        .bind(id)
                        .bind(replica)
                        .bind(self.clock.now())
                        .execute(&self.records)
                        .await;
                    Ok(done.map_err(op("start_run"))?.rows_affected() == 1)
                }

                async fn finish_run(&self, id: i64, end: &RunEnd) -> Result<bool> {
                    check_end(end)?;
                    let done = sqlx::query(RUN_FINISH)
                        .bind(id)
                        .bind(end.status.as_str())
                        .bind(&end.conclusion)
                        .bind(Json(&end.summary))
                        .bind(self.clock.now())
                        .execute(&self.records)
                        .await;
                    Ok(done.map_err(op("finish_run"))?.rows_affected() == 1)
                }

                async fn get_run(&self, id: i64) -> Result<Option<Run>> {
                    let row = sqlx::query_as::<_, RunRow>(RUN_GET).bind(id).fetch_optional(&self.pool).await;
                    row.map_err(op("get_run"))?.map(RunRow::into_model).transpose()
                }

                async fn list_runs(&self, f: &RunFilter) -> Result<Vec<Run>> {
                    let rows = sqlx::query_as::<_, RunRow>(RUN_LIST)
                        .bind(&f.repo)
                        .bind(&f.git_ref)
                        .bind(pr_in(f.pull_request)?)
                        .bind(f.kind.map(RunKind::as_str))
                        .bind(f.status.map(RunStatus::as_str))
                        .bind(f.before_id)
                        .bind(i64::from(if f.limit == 0 { 50 } else { f.limit }))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(op("list_runs"))?;
                    all(rows, RunRow::into_model)
                }

                async fn mark_interrupted(&self, scope: &InterruptScope) -> Result<Vec<i64>> {
                    let replica = match scope {
                        InterruptScope::Replica(r) => Some(r.as_str()),
                        InterruptScope::AllRunning => None,
                    };
                    let now = self.clock.now();
                    let mut tx = self.begin_write("mark_interrupted").await?;
                    let ids: Vec<i64> = sqlx::query_scalar(RUNS_INTERRUPT)
                        .bind(replica)
                        .bind(INTERRUPTED_RESTART)
                        .bind(now)
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(op("mark_interrupted"))?;
                    for id in &ids {
                        sqlx::query(STEPS_INTERRUPT)
                            .bind(id)
                            .bind(now)
                            .execute(&mut *tx)
                            .await
                            .map_err(op("mark_interrupted"))?;
                        sqlx::query(LOCKS_PIN).bind(id).execute(&mut *tx).await.map_err(op("mark_interrupted"))?;
                    }
                    tx.commit().await.map_err(op("mark_interrupted"))?;
                    Ok(ids)
                }
            }

            #[async_trait]
            impl Steps for $store {
                async fn start_step(&self, run_id: i64, name: &str) -> Result<Step> {
                    let row = sqlx::query_as::<_, StepRow>(STEP_INSERT).bind(run_id).bind(name).bind(self.clock.now());
                    row.fetch_one(&self.records).await.map_err(op("start_step"))?.into_model()
                }

                async fn append_log(&self, step_id: i64, chunk: &str) -> Result<()> {
                    let mut tx = self.begin_records("append_log").await?;
                    let current: Option<i64> = sqlx::query_scalar(Self::STEP_LOG_BYTES)
                        .bind(step_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(op("append_log"))?;
                    let current = current.ok_or_else(|| StoreError::Invalid(format!("there is no step {step_id}")))?;
                    if let Some(text) = log_slice(u64::try_from(current).unwrap_or(0), chunk) {
                        sqlx::query(STEP_LOG_INSERT)
                            .bind(step_id)
                            .bind(&text)
                            .execute(&mut *tx)
                            .await
                            .map_err(op("append_log"))?;
                        let grown =
                            sqlx::query(STEP_LOG_GROW).bind(step_id).bind(text.len() as i64).execute(&mut *tx).await;
                        grown.map_err(op("append_log"))?;
                    }
                    tx.commit().await.map_err(op("append_log"))
                }

                async fn finish_step(&self, step_id: i64, status: StepStatus) -> Result<bool> {
                    if status == StepStatus::Running {
                        return Err(StoreError::Invalid("a step cannot finish as `running`".into()));
                    }
                    let done = sqlx::query(STEP_FINISH)
                        .bind(step_id)
                        .bind(status.as_str())
                        .bind(self.clock.now())
                        .execute(&self.records)
                        .await;
                    Ok(done.map_err(op("finish_step"))?.rows_affected() == 1)
                }

                async fn steps(&self, run_id: i64) -> Result<Vec<Step>> {
                    let rows = sqlx::query_as::<_, StepRow>(STEPS_OF_RUN).bind(run_id).fetch_all(&self.pool).await;
                    all(rows.map_err(op("steps"))?, StepRow::into_model)
                }

                async fn step_log(&self, step_id: i64) -> Result<String> {
                    let chunks: Vec<String> = sqlx::query_scalar(STEP_LOG)
                        .bind(step_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(op("step_log"))?;
                    Ok(chunks.concat())
                }
            }

            #[async_trait]
            impl Plans for $store {
                async fn record_plan(&self, p: &NewPlan) -> Result<PlanRecord> {
                    sqlx::query_as::<_, PlanRow>(PLAN_INSERT)
                        .bind(p.run_id)
                        .bind(&p.stack)
                        .bind(&p.component)
                        .bind(&p.planfile)
                        .bind(&p.planfile_digest)
                        .bind(&p.plan_digest)
                        .bind(i64::from(p.add))
                        .bind(i64::from(p.change))
                        .bind(i64::from(p.destroy))
                        .bind(p.no_changes)
                        .bind(i64::from(p.exit_code))
                        .bind(self.clock.now())
                        .fetch_one(&self.records)
                        .await
                        .map_err(op("record_plan"))?
                        .into_model()
                }

                async fn plans_for_run(&self, run_id: i64) -> Result<Vec<PlanRecord>> {
                    let rows = sqlx::query_as::<_, PlanRow>(PLANS_OF_RUN).bind(run_id).fetch_all(&self.pool).await;
                    all(rows.map_err(op("plans_for_run"))?, PlanRow::into_model)
                }

                async fn latest_plan(
                    &self,
                    repo: &str,
                    pull_request: u64,
                    key: &LockKey,
                ) -> Result<Option<PlanRecord>> {
                    let row = sqlx::query_as::<_, PlanRow>(PLAN_LATEST)
                        .bind(repo)
                        .bind(pr_in(Some(pull_request))?)
                        .bind(&key.stack)
                        .bind(&key.component)
                        .fetch_optional(&self.pool)
                        .await;
                    row.map_err(op("latest_plan"))?.map(PlanRow::into_model).transpose()
                }
            }
        };
    };
}
pub(crate) use records_backend;
