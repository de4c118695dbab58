//! One lock and one stop flag per session: turns in a session run one at a time (turns in
//! different sessions at once), and the person's stop button reaches the running one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::store::ids::SessionId;

/// The locks and stop flags of every session that has had a turn.
#[derive(Default)]
pub struct TurnLocks {
    locks: Mutex<HashMap<SessionId, Arc<Mutex<()>>>>,
    stops: Mutex<HashMap<SessionId, Arc<AtomicBool>>>,
}

impl TurnLocks {
    /// The lock of `session`; hold its guard for the whole turn.
    pub fn of(&self, session: SessionId) -> Arc<Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(locks.entry(session).or_default())
    }

    /// The stop flag of `session`, cleared: a turn checks it after every piece of the answer.
    pub fn stop_flag(&self, session: SessionId) -> Arc<AtomicBool> {
        let mut stops = self.stops.lock().unwrap_or_else(|e| e.into_inner());
        let flag = Arc::clone(stops.entry(session).or_default());
        flag.store(false, Ordering::SeqCst);
        flag
    }

    /// Asks the running turn of `session`, if any, to stop.
    pub fn stop(&self, session: SessionId) {
        if let Some(flag) = self.stops.lock().unwrap_or_else(|e| e.into_inner()).get(&session) {
            flag.store(true, Ordering::SeqCst);
        }
    }
}
