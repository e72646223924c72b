//! Locks, the queue, events and deliveries: how replicas share the work.

/// Implements [`Locks`](crate::store::Locks), [`Queue`](crate::store::Queue),
/// [`Events`](crate::store::Events), [`Deliveries`](crate::store::Deliveries) and
/// [`Store`](crate::store::Store).
macro_rules! work_backend {
    ($store:ident, $db:ty) => {
        // A const block keeps these imports out of the backend's module.
        const _: () = {
            use std::time::Duration;

            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use serde_json::Value;
            use sqlx::types::Json;

            use crate::store::backend::RETRIES;
            use crate::store::error::{Result, StoreError, is_unique_violation, op};
            use crate::store::logic::{LockDecision, check_delivery_id, decide_lock, lease_until};
            use crate::store::rows::*;
            use crate::store::sql::*;
            use crate::store::*;

            /// Ends a running run as interrupted, with its running steps.
            async fn interrupt_run(
                tx: &mut sqlx::Transaction<'_, $db>,
                run_id: i64,
                why: &str,
                now: DateTime<Utc>,
            ) -> Result<()> {
                sqlx::query(RUN_INTERRUPT)
                    .bind(run_id)
                    .bind(why)
                    .bind(now)
                    .execute(&mut **tx)
                    .await
                    .map_err(op("interrupt"))?;
                sqlx::query(STEPS_INTERRUPT)
                    .bind(run_id)
                    .bind(now)
                    .execute(&mut **tx)
                    .await
                    .map_err(op("interrupt"))?;
                Ok(())
            }

            #[async_trait]
            impl Locks for $store {
                async fn acquire_lock(&self, req: &LockRequest) -> Result<LockOutcome> {
                    let now = self.clock.now();
                    let until = lease_until(now, req.lease)?;
                    let pr = pr_in(req.pull_request)?;
                    // The holder that refused the insert may release the lock before it can be read
                    // (PostgreSQL, between the two statements): then insert again.
                    for _ in 0..RETRIES {
                        let mut tx = self.begin_write("acquire_lock").await?;
                        let inserted = sqlx::query(LOCK_INSERT)
                            .bind(&req.key.stack)
                            .bind(&req.key.component)
                            .bind(&req.owner)
                            .bind(req.run_id)
                            .bind(pr)
                            .bind(now)
                            .bind(until)
                            .execute(&mut *tx)
                            .await
                            .map_err(op("acquire_lock"))?
                            .rows_affected();
                        if inserted == 1 {
                            tx.commit().await.map_err(op("acquire_lock"))?;
                            return Ok(LockOutcome::Acquired { taken_over: None });
                        }
                        let held = sqlx::query_as::<_, LockRow>(Self::LOCK_GET)
                            .bind(&req.key.stack)
                            .bind(&req.key.component)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(op("acquire_lock"))?;
                        let Some(held) = held else { continue };
                        let outcome = match decide_lock(held.into_model()?, req, now) {
                            LockDecision::Renew => {
                                let q =
                                    sqlx::query(LOCK_RENEW).bind(&req.key.stack).bind(&req.key.component).bind(until);
                                q.bind(&req.owner).execute(&mut *tx).await.map_err(op("acquire_lock"))?;
                                LockOutcome::Acquired { taken_over: None }
                            }
                            LockDecision::TakeOver(previous) => {
                                sqlx::query(LOCK_TAKE)
                                    .bind(&req.key.stack)
                                    .bind(&req.key.component)
                                    .bind(&req.owner)
                                    .bind(req.run_id)
                                    .bind(pr)
                                    .bind(now)
                                    .bind(until)
                                    .execute(&mut *tx)
                                    .await
                                    .map_err(op("acquire_lock"))?;
                                interrupt_run(&mut tx, previous.run_id, INTERRUPTED_LEASE, now).await?;
                                LockOutcome::Acquired { taken_over: Some(previous) }
                            }
                            LockDecision::Held(holder) => LockOutcome::HeldBy(holder),
                        };
                        tx.commit().await.map_err(op("acquire_lock"))?;
                        return Ok(outcome);
                    }
                    Err(StoreError::Invalid("acquire_lock: the lock changed under every attempt; try again".into()))
                }

                async fn renew_lock(&self, key: &LockKey, owner: &str, lease: Duration) -> Result<bool> {
                    let until = lease_until(self.clock.now(), lease)?;
                    let q = sqlx::query(LOCK_RENEW).bind(&key.stack).bind(&key.component).bind(until).bind(owner);
                    Ok(q.execute(&self.pool).await.map_err(op("renew_lock"))?.rows_affected() == 1)
                }

                async fn release_lock(&self, key: &LockKey, owner: &str) -> Result<bool> {
                    let q = sqlx::query(LOCK_RELEASE).bind(&key.stack).bind(&key.component).bind(owner);
                    Ok(q.execute(&self.pool).await.map_err(op("release_lock"))?.rows_affected() == 1)
                }

                async fn release_all(&self, owner: &str) -> Result<u64> {
                    let done = sqlx::query(LOCK_RELEASE_ALL).bind(owner).execute(&self.pool).await;
                    Ok(done.map_err(op("release_all"))?.rows_affected())
                }

                async fn list_locks(&self) -> Result<Vec<Lock>> {
                    let rows = sqlx::query_as::<_, LockRow>(LOCK_LIST).fetch_all(&self.pool).await;
                    all(rows.map_err(op("list_locks"))?, LockRow::into_model)
                }

                async fn force_unlock(&self, key: &LockKey) -> Result<Option<Lock>> {
                    let row = sqlx::query_as::<_, LockRow>(LOCK_FORCE).bind(&key.stack).bind(&key.component);
                    row.fetch_optional(&self.pool)
                        .await
                        .map_err(op("force_unlock"))?
                        .map(LockRow::into_model)
                        .transpose()
                }
            }

            impl $store {
                /// Enqueues `req`, recording `delivery` first in the same transaction when given;
                /// `None` when that delivery was already recorded.
                async fn enqueue_in_tx(
                    &self,
                    req: &ReconcileRequest,
                    delivery: Option<&str>,
                ) -> Result<Option<Enqueued>> {
                    let pr = queue_pr(req.pull_request)?;
                    // The waiting duplicate that refused the insert may be claimed before it can absorb this
                    // request (PostgreSQL, between the two statements): then insert again.
                    for _ in 0..RETRIES {
                        let mut tx = self.begin_write("enqueue").await?;
                        if let Some(id) = delivery {
                            let q = sqlx::query(DELIVERY_INSERT).bind(id).bind(self.clock.now());
                            if q.execute(&mut *tx).await.map_err(op("enqueue"))?.rows_affected() == 0 {
                                // A replay: the transaction is dropped, so nothing is written.
                                return Ok(None);
                            }
                        }
                        let new: Option<i64> = sqlx::query_scalar(QUEUE_INSERT)
                            .bind(&req.repo)
                            .bind(&req.git_ref)
                            .bind(pr)
                            .bind(&req.reason)
                            .bind(self.clock.now())
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(op("enqueue"))?;
                        let outcome = match new {
                            Some(id) => Some(Enqueued::New(id)),
                            None => sqlx::query_scalar(QUEUE_COLLAPSE)
                                .bind(&req.repo)
                                .bind(&req.git_ref)
                                .bind(pr)
                                .bind(&req.reason)
                                .fetch_optional(&mut *tx)
                                .await
                                .map_err(op("enqueue"))?
                                .map(Enqueued::Collapsed),
                        };
                        // Nothing queued: roll back (the delivery too) and try again.
                        let Some(outcome) = outcome else { continue };
                        tx.commit().await.map_err(op("enqueue"))?;
                        return Ok(Some(outcome));
                    }
                    Err(StoreError::Invalid("enqueue: the queue changed under every attempt; try again".into()))
                }
            }

            #[async_trait]
            impl Queue for $store {
                async fn enqueue(&self, req: &ReconcileRequest) -> Result<Enqueued> {
                    let done = self.enqueue_in_tx(req, None).await?;
                    done.ok_or_else(|| StoreError::Invalid("enqueue: no request was queued".into()))
                }

                async fn enqueue_delivery(
                    &self,
                    req: &ReconcileRequest,
                    delivery_id: &str,
                ) -> Result<Option<Enqueued>> {
                    check_delivery_id(delivery_id)?;
                    self.enqueue_in_tx(req, Some(delivery_id)).await
                }

                async fn claim_next(&self, replica: &str, lease: Duration) -> Result<Option<Claim>> {
                    let now = self.clock.now();
                    let until = lease_until(now, lease)?;
                    let mut tx = self.begin_records("claim_next").await?;
                    Self::serialise_claims(&mut tx).await?;
                    let candidate: Option<i64> = sqlx::query_scalar(Self::CLAIM_CANDIDATE)
                        .bind(now)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(op("claim_next"))?;
                    let claim = match candidate {
                        None => None,
                        Some(id) => Some(
                            sqlx::query_as::<_, ClaimRow>(QUEUE_TAKE)
                                .bind(id)
                                .bind(replica)
                                .bind(now)
                                .bind(until)
                                .fetch_one(&mut *tx)
                                .await
                                .map_err(op("claim_next"))?
                                .into_model()?,
                        ),
                    };
                    tx.commit().await.map_err(op("claim_next"))?;
                    Ok(claim)
                }

                async fn renew_lease(&self, id: i64, replica: &str, lease: Duration) -> Result<bool> {
                    let until = lease_until(self.clock.now(), lease)?;
                    let done = sqlx::query(QUEUE_RENEW).bind(id).bind(replica).bind(until).execute(&self.records).await;
                    Ok(done.map_err(op("renew_lease"))?.rows_affected() == 1)
                }

                async fn complete(&self, id: i64, replica: &str) -> Result<bool> {
                    let done = sqlx::query(QUEUE_COMPLETE).bind(id).bind(replica).execute(&self.records).await;
                    Ok(done.map_err(op("complete"))?.rows_affected() == 1)
                }

                async fn release(&self, id: i64, replica: &str) -> Result<bool> {
                    match sqlx::query(QUEUE_RELEASE).bind(id).bind(replica).execute(&self.records).await {
                        Ok(done) => Ok(done.rows_affected() == 1),
                        // A duplicate is already waiting: this request merges into it.
                        Err(e) if is_unique_violation(&e) => self.complete(id, replica).await,
                        Err(e) => Err(op("release")(e)),
                    }
                }

                async fn depth(&self) -> Result<QueueDepth> {
                    let (pending, total): (i64, i64) = sqlx::query_as(QUEUE_DEPTH)
                        .bind(self.clock.now())
                        .fetch_one(&self.pool)
                        .await
                        .map_err(op("depth"))?;
                    Ok(QueueDepth { pending: pending as u64, claimed: (total - pending) as u64 })
                }
            }

            #[async_trait]
            impl Events for $store {
                async fn publish_event(&self, kind: &str, payload: &Value) -> Result<Event> {
                    let mut tx = self.begin_records("publish_event").await?;
                    Self::serialise_events(&mut tx).await?;
                    let row = sqlx::query_as::<_, EventRow>(EVENT_INSERT)
                        .bind(kind)
                        .bind(Json(payload))
                        .bind(self.clock.now());
                    let event = row.fetch_one(&mut *tx).await.map_err(op("publish_event"))?.into_model();
                    tx.commit().await.map_err(op("publish_event"))?;
                    Ok(event)
                }

                async fn events_since(&self, after_id: i64, limit: u32) -> Result<Vec<Event>> {
                    let rows = sqlx::query_as::<_, EventRow>(EVENTS_SINCE).bind(after_id).bind(i64::from(limit));
                    Ok(rows
                        .fetch_all(&self.pool)
                        .await
                        .map_err(op("events_since"))?
                        .into_iter()
                        .map(EventRow::into_model)
                        .collect())
                }

                async fn latest_event_id(&self) -> Result<i64> {
                    let id: i64 = sqlx::query_scalar(EVENT_LATEST_ID)
                        .fetch_one(&self.pool)
                        .await
                        .map_err(op("latest_event_id"))?;
                    Ok(id)
                }
            }

            #[async_trait]
            impl Deliveries for $store {
                async fn record_delivery(&self, id: &str) -> Result<bool> {
                    check_delivery_id(id)?;
                    let done = sqlx::query(DELIVERY_INSERT).bind(id).bind(self.clock.now()).execute(&self.pool).await;
                    Ok(done.map_err(op("record_delivery"))?.rows_affected() == 1)
                }

                async fn forget_deliveries(&self, before: DateTime<Utc>) -> Result<u64> {
                    let done = sqlx::query(DELIVERY_FORGET).bind(before).execute(&self.pool).await;
                    Ok(done.map_err(op("forget_deliveries"))?.rows_affected())
                }
            }

            #[async_trait]
            impl Store for $store {
                fn backend(&self) -> &'static str {
                    Self::BACKEND
                }

                async fn ping(&self) -> Result<()> {
                    sqlx::query("SELECT 1").execute(&self.pool).await.map_err(op("ping"))?;
                    Ok(())
                }
            }
        };
    };
}
pub(crate) use work_backend;
