//! The gateway's client sessions (one on stdio, one per HTTP session) and its calls in flight,
//! so that what a backend sends reaches the session it is for, and no other.
//!
//! A backend's requests and notifications carry nothing that names the gateway's client (their
//! ids and progress tokens are the gateway's own), so they are routed by what is in flight on
//! that backend: when every call in flight there comes from one session, that session gets
//! them; when calls from several sessions are in flight, the gateway cannot tell and refuses
//! (requests) or drops (log messages); when none is, the session that spoke last gets them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};

use rmcp::RoleServer;
use rmcp::model::ProgressToken;
use rmcp::service::Peer;

/// `(server, tool)`.
type ServerTool = (String, String);

/// Where something a backend sent goes.
pub(crate) enum Route {
    /// To this session.
    To(Peer<RoleServer>),
    /// Calls from several sessions are in flight on that backend.
    Ambiguous,
    /// No session is connected.
    Nobody,
}

/// Every session and every call in flight.
#[derive(Default)]
pub(crate) struct Sessions {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Every open session, the one that spoke last at the end.
    peers: Vec<Peer<RoleServer>>,
    /// Calls in flight, by backend server.
    calls: BTreeMap<String, Vec<InFlight>>,
    next_call: u64,
    /// Resource subscriptions: URI → the backend that has it and the sessions that asked.
    subscriptions: BTreeMap<String, (String, Vec<Peer<RoleServer>>)>,
    /// Tools a session's user allowed "for the rest of this session", by `(server, tool)`.
    /// (The peer held here keeps the session's identity alive, so a new session can never
    /// be taken for one that ended.)
    remembered: Vec<(Peer<RoleServer>, BTreeSet<ServerTool>)>,
}

struct InFlight {
    id: u64,
    peer: Peer<RoleServer>,
    /// The client's progress token, when it asked for progress.
    token: Option<ProgressToken>,
    /// Progress notifications forwarded so far.
    seen: u64,
}

impl State {
    /// The sessions still open (closed ones are forgotten here).
    fn open_peers(&mut self) -> &[Peer<RoleServer>] {
        self.peers.retain(|p| !p.is_transport_closed());
        &self.peers
    }
}

/// Two peers are one session when they share the `initialize` parameters the session stored.
fn same(a: &Peer<RoleServer>, b: &Peer<RoleServer>) -> bool {
    match (a.peer_info(), b.peer_info()) {
        (Some(a), Some(b)) => std::sync::Arc::ptr_eq(&a, &b),
        _ => false,
    }
}

impl Sessions {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A request came from `peer`: remember its session as the one that spoke last.
    pub(crate) fn seen(&self, peer: &Peer<RoleServer>) {
        let mut state = self.lock();
        // Every request passes here: the usual case (the same session again) costs nothing.
        if state.peers.last().is_some_and(|p| same(p, peer)) {
            return;
        }
        state.peers.retain(|p| !same(p, peer));
        state.peers.push(peer.clone());
    }

    /// The session that spoke last, if it is still open.
    pub(crate) fn latest(&self) -> Option<Peer<RoleServer>> {
        self.lock().open_peers().last().cloned()
    }

    /// Every open session.
    pub(crate) fn all(&self) -> Vec<Peer<RoleServer>> {
        self.lock().open_peers().to_vec()
    }

    /// A call from `peer` to `server` starts; the id ends it.
    pub(crate) fn begin_call(
        &self,
        server: &str,
        peer: &Peer<RoleServer>,
        token: Option<ProgressToken>,
    ) -> u64 {
        let mut state = self.lock();
        state.next_call += 1;
        let id = state.next_call;
        state
            .calls
            .entry(server.to_string())
            .or_default()
            .push(InFlight {
                id,
                peer: peer.clone(),
                token,
                seen: 0,
            });
        id
    }

    /// How many progress notifications the call has had so far.
    pub(crate) fn progress_seen(&self, server: &str, id: u64) -> u64 {
        self.lock()
            .calls
            .get(server)
            .and_then(|calls| calls.iter().find(|c| c.id == id))
            .map_or(0, |c| c.seen)
    }

    /// The call is over.
    pub(crate) fn end_call(&self, server: &str, id: u64) {
        if let Some(calls) = self.lock().calls.get_mut(server) {
            calls.retain(|c| c.id != id);
        }
    }

    /// Where a progress notification of `server` goes: the one call in flight there, when it
    /// asked for progress (with several, the backend's own tokens can't tell them apart).
    pub(crate) fn progress(&self, server: &str) -> Option<(Peer<RoleServer>, ProgressToken)> {
        let mut state = self.lock();
        match state.calls.get_mut(server).map(Vec::as_mut_slice) {
            Some([call]) => {
                let token = call.token.clone()?;
                call.seen += 1;
                Some((call.peer.clone(), token))
            }
            _ => None,
        }
    }

    /// Where a request or log message of `server` goes; see the module's documentation.
    pub(crate) fn route(&self, server: &str) -> Route {
        let mut state = self.lock();
        let callers: Vec<Peer<RoleServer>> = state
            .calls
            .get(server)
            .map(|calls| calls.iter().map(|c| c.peer.clone()).collect())
            .unwrap_or_default();
        if let Some(first) = callers.first() {
            return if callers.iter().all(|p| same(p, first)) {
                Route::To(first.clone())
            } else {
                Route::Ambiguous
            };
        }
        state
            .open_peers()
            .last()
            .cloned()
            .map_or(Route::Nobody, Route::To)
    }

    /// Whether `peer`'s user allowed `tool` of `server` for the rest of the session.
    pub(crate) fn is_remembered(&self, peer: &Peer<RoleServer>, server: &str, tool: &str) -> bool {
        self.lock().remembered.iter().any(|(p, tools)| {
            same(p, peer) && tools.contains(&(server.to_string(), tool.to_string()))
        })
    }

    /// `peer`'s user allowed `tool` of `server` for the rest of the session.
    pub(crate) fn remember(&self, peer: &Peer<RoleServer>, server: &str, tool: &str) {
        let mut state = self.lock();
        state.remembered.retain(|(p, _)| !p.is_transport_closed());
        let key = (server.to_string(), tool.to_string());
        match state.remembered.iter_mut().find(|(p, _)| same(p, peer)) {
            Some((_, tools)) => {
                tools.insert(key);
            }
            None => state.remembered.push((peer.clone(), BTreeSet::from([key]))),
        }
    }

    /// The backend that has `uri` and the sessions subscribed to it.
    pub(crate) fn subscribers(&self, uri: &str) -> Vec<Peer<RoleServer>> {
        self.lock()
            .subscriptions
            .get(uri)
            .map(|(_, peers)| peers.clone())
            .unwrap_or_default()
    }

    /// True when `uri` had no subscriber before `peer`.
    pub(crate) fn subscribe(&self, uri: &str, server: &str, peer: &Peer<RoleServer>) -> bool {
        let mut state = self.lock();
        let (_, peers) = state
            .subscriptions
            .entry(uri.to_string())
            .or_insert_with(|| (server.to_string(), Vec::new()));
        let first = peers.is_empty();
        if !peers.iter().any(|p| same(p, peer)) {
            peers.push(peer.clone());
        }
        first
    }

    /// The server to unsubscribe from when `peer` was the last subscriber of `uri`.
    pub(crate) fn unsubscribe(&self, uri: &str, peer: &Peer<RoleServer>) -> Option<String> {
        let mut state = self.lock();
        let (server, peers) = state.subscriptions.get_mut(uri)?;
        peers.retain(|p| !same(p, peer) && !p.is_transport_closed());
        if !peers.is_empty() {
            return None;
        }
        let server = server.clone();
        state.subscriptions.remove(uri);
        Some(server)
    }

    /// Whether someone subscribed to `uri` already (the backend that has it).
    pub(crate) fn subscribed_server(&self, uri: &str) -> Option<String> {
        self.lock()
            .subscriptions
            .get(uri)
            .map(|(server, _)| server.clone())
    }
}
