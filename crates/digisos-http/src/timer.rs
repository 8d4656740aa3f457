//! The timer task: sleeps until the core's next deadline and submits a tick at the
//! clock's now, so SLA breaches, acceptance cascades and overdue duties are recorded
//! without any request. Recomputes the deadline after every commit.

use std::future::Future;
use std::time::Duration;

use crate::writer::ServiceHandle;

/// Longest sleep when nothing is due (the deadline is recomputed after every commit
/// anyway; this only bounds clock drift).
pub const IDLE: Duration = Duration::from_secs(60);

/// How often the read model folds what other writers appended (another instance on the
/// same PostgreSQL database, the CLI next to the server).
pub const REFRESH: Duration = Duration::from_secs(2);

/// Pause after a failed tick before trying again (store down).
pub const RETRY: Duration = Duration::from_secs(1);

/// Runs until `stop` completes. Spawn it next to the server.
pub async fn run_timer(handle: ServiceHandle, stop: impl Future<Output = ()>) {
    let changed = handle.changed();
    tokio::pin!(stop);
    loop {
        let next = handle.read().next_timeout();
        let now = handle.now();
        let wait = match next {
            Some(due) => (due - now).to_std().unwrap_or(Duration::ZERO).min(IDLE),
            None => IDLE,
        }
        .min(REFRESH);
        tokio::select! {
            () = &mut stop => break,
            () = changed.notified() => {}
            () = tokio::time::sleep(wait) => {
                if let Err(err) = handle.refresh().await {
                    tracing::warn!(%err, "refresh from the log failed");
                }
                if next.is_some_and(|due| due <= handle.now())
                    && let Err(err) = handle.tick().await
                {
                    tracing::warn!(%err, "timer tick failed; retrying");
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    }
}
