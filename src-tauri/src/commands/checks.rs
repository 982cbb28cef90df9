//! JWKS checks: fetch a URL and explain every problem, stop one the user cancels; the kept
//! results.

use std::collections::HashMap;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;

use chrono::Utc;
use ltikeys_core::{ErrorKind, HttpClient, JwksCheck, JwksRole};
use tauri::State;
use tokio::sync::oneshot;

use super::with_vault;
use crate::error::IpcError;
use crate::state::AppState;

/// A check started with a ticket: how to tell it to stop.
struct Running {
    /// Set once cancelled, so the result of a fetch still under way is not kept.
    cancelled: Arc<AtomicBool>,
    /// Wakes the command waiting for the check.
    stop: Option<oneshot::Sender<()>>,
}

/// The checks started with a ticket and not finished, by ticket.
#[derive(Default)]
pub struct RunningChecks(HashMap<u32, Running>);

impl RunningChecks {
    /// Tells the check under `ticket` to stop; false when none runs (it finished already).
    fn cancel(&mut self, ticket: u32) -> bool {
        let Some(running) = self.0.get_mut(&ticket) else {
            return false;
        };
        running.cancelled.store(true, Ordering::SeqCst);
        // A dropped receiver means the command has just ended: nothing is left to stop.
        running
            .stop
            .take()
            .is_some_and(|stop| stop.send(()).is_ok())
    }
}

/// Removes a check from the running ones when its command ends, however it ends.
struct Registered<'a> {
    state: &'a AppState,
    ticket: u32,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.state.checks().0.remove(&self.ticket);
    }
}

/// Fetches and checks a JWKS URL; with `expect_tool`, also against that tool's published keys.
/// With a `ticket`, `cancel_check` can stop it: it then fails at once with kind `cancelled`,
/// and its result is not kept.
#[tauri::command]
pub async fn check_jwks(
    state: State<'_, AppState>,
    url: String,
    role: Option<JwksRole>,
    expect_tool: Option<String>,
    ticket: Option<u32>,
) -> Result<JwksCheck, IpcError> {
    run_check(&state, url, role, expect_tool, ticket).await
}

/// Stops the check started with `ticket`; answers whether one was running.
#[tauri::command]
pub fn cancel_check(state: State<'_, AppState>, ticket: u32) -> bool {
    state.checks().cancel(ticket)
}

pub(crate) async fn run_check(
    state: &AppState,
    url: String,
    role: Option<JwksRole>,
    expect_tool: Option<String>,
    ticket: Option<u32>,
) -> Result<JwksCheck, IpcError> {
    let cancelled = Arc::new(AtomicBool::new(false));
    let (stop, stopped) = oneshot::channel();
    let _registered = match ticket {
        Some(ticket) => Some(register(state, ticket, cancelled.clone(), stop)?),
        None => None,
    };
    let check = with_vault(state, move |v| {
        v.check_jwks_unless_cancelled(
            &HttpClient::default(),
            &url,
            role,
            expect_tool.as_deref(),
            Utc::now(),
            &cancelled,
        )
    });
    until_stopped(check, stopped)
        .await
        .unwrap_or_else(|| Err(cancelled_error()))
}

fn register<'a>(
    state: &'a AppState,
    ticket: u32,
    cancelled: Arc<AtomicBool>,
    stop: oneshot::Sender<()>,
) -> Result<Registered<'a>, IpcError> {
    let mut checks = state.checks();
    if checks.0.contains_key(&ticket) {
        return Err(IpcError {
            kind: ErrorKind::Invalid,
            message: format!(
                "A check with ticket {ticket} is running already: wait for it, or cancel it."
            ),
            field: Some("ticket".into()),
            remedies: vec![],
        });
    }
    let running = Running {
        cancelled,
        stop: Some(stop),
    };
    checks.0.insert(ticket, running);
    Ok(Registered { state, ticket })
}

/// The error of a cancelled check.
fn cancelled_error() -> IpcError {
    IpcError {
        kind: ErrorKind::Cancelled,
        message: "The check was cancelled.".into(),
        field: None,
        remedies: vec![],
    }
}

/// `work`'s output, or `None` as soon as `stop` hears a value. A `stop` whose sender went
/// without sending never stops `work`.
async fn until_stopped<T>(work: impl Future<Output = T>, stop: oneshot::Receiver<()>) -> Option<T> {
    let mut work = pin!(work);
    let mut stop = Some(stop);
    std::future::poll_fn(move |cx| {
        if let Some(receiver) = stop.as_mut() {
            match Pin::new(receiver).poll(cx) {
                Poll::Ready(Ok(())) => return Poll::Ready(None),
                Poll::Ready(Err(_)) => stop = None,
                Poll::Pending => {}
            }
        }
        work.as_mut().poll(cx).map(Some)
    })
    .await
}

/// The last check of each URL, newest first.
#[tauri::command]
pub async fn last_checks(state: State<'_, AppState>) -> Result<Vec<JwksCheck>, IpcError> {
    with_vault(&state, |v| v.last_checks()).await
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::net::TcpListener;
    use std::time::{Duration, Instant};

    use super::*;

    /// A server on 127.0.0.1 that accepts connections and never answers; it stops when the
    /// test process does.
    fn silent_server() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for mut conn in listener.incoming().flatten() {
                let mut request = [0u8; 1024];
                let _ = conn.read(&mut request);
                held.push(conn);
            }
        });
        url
    }

    fn cancel_after(state: &Arc<AppState>, ticket: u32, wait: Duration) {
        let state = state.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(5);
            // Cancel once the check is registered (and a little later, so the fetch has begun).
            while !state.checks().0.contains_key(&ticket) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            std::thread::sleep(wait);
            assert!(state.checks().cancel(ticket), "the check was running");
        });
    }

    #[test]
    fn a_cancelled_check_fails_at_once_as_cancelled_and_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let state = Arc::new(AppState::new(dir.path().to_path_buf()));
        let url = silent_server();
        cancel_after(&state, 7, Duration::from_millis(300));
        let started = Instant::now();
        let err = tauri::async_runtime::block_on(run_check(&state, url, None, None, Some(7)))
            .unwrap_err();
        let took = started.elapsed();
        assert_eq!(err, cancelled_error(), "{err:?}");
        assert_eq!(
            serde_json::to_value(&err).unwrap()["kind"],
            "cancelled",
            "the UI branches on this code"
        );
        assert_eq!(err.message, "The check was cancelled.");
        assert!(
            took < Duration::from_secs(3),
            "stopped well before the 10 s timeout: {took:?}"
        );
        assert!(
            took >= Duration::from_millis(300),
            "not before it was cancelled"
        );
        assert!(
            state.checks().0.is_empty(),
            "the ticket is free again once the command ended"
        );
        assert!(!state.checks().cancel(7), "nothing is left to cancel");
        let kept = with_vault(&state, |v| v.last_checks());
        assert!(
            tauri::async_runtime::block_on(kept).unwrap().is_empty(),
            "a cancelled check is not kept"
        );
    }

    #[test]
    fn a_check_with_a_ticket_runs_to_its_result_when_nobody_cancels() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(dir.path().to_path_buf());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        // Nothing listens any more: the check fails fast with a finding, not an error.
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        drop(listener);
        let check =
            tauri::async_runtime::block_on(run_check(&state, url.clone(), None, None, Some(1)))
                .unwrap();
        assert_eq!(check.url, url);
        assert_eq!(check.status, None, "nobody answered");
        assert!(state.checks().0.is_empty(), "the ticket is free again");
        assert!(
            !state.checks().cancel(1),
            "a finished check cannot be cancelled"
        );
    }

    #[test]
    fn a_ticket_in_use_is_refused_and_cancelling_an_unknown_one_is_harmless() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(dir.path().to_path_buf());
        let (stop, _stopped) = oneshot::channel();
        let held = register(&state, 3, Arc::default(), stop).unwrap();
        let (again, _) = oneshot::channel();
        let err = register(&state, 3, Arc::default(), again).err().unwrap();
        assert_eq!(err.field.as_deref(), Some("ticket"));
        assert!(err.message.contains("running already"), "{err:?}");
        assert!(!state.checks().cancel(4));
        drop(held);
        assert!(state.checks().0.is_empty());
    }

    #[test]
    fn until_stopped_waits_for_the_work_when_the_sender_goes_without_a_word() {
        let (stop, stopped) = oneshot::channel::<()>();
        drop(stop);
        let out = tauri::async_runtime::block_on(until_stopped(async { 42 }, stopped));
        assert_eq!(out, Some(42));
    }
}
