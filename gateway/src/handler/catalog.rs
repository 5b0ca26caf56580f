//! What the gateway exposes: every allowed tool under its `<server>__<name>`, with its
//! approval decision, built once the backends settle (or after the listing grace) and again
//! when their tools change; paging and prompt names.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use mcpctl_core::approval_types::{Decision, Outcome};
use mcpctl_core::{ServerConnection, ServerState};
use rmcp::ErrorData;
use rmcp::model::Tool;
use serde_json::Value;

use super::{Gateway, announce_tools_changed, lock, log};
use crate::names::NameMap;

/// Tools, prompts and resources per page.
const PAGE: usize = 200;

/// What the gateway exposes, computed once after the backends settle and again after a
/// backend says its tools changed.
pub(super) struct Catalog {
    pub(super) tools: Vec<Tool>,
    pub(super) names: NameMap,
    /// By exposed name: the backend's tool as JSON and its approval decision.
    pub(super) decisions: BTreeMap<String, (Value, Decision)>,
    /// The tool-call timeout of each server.
    pub(super) timeouts: BTreeMap<String, std::time::Duration>,
    /// The servers that were ready when it was built.
    pub(super) servers: BTreeSet<String>,
}

impl Gateway {
    /// The current catalog (built on first use, and again after a backend's tools changed).
    pub(super) async fn catalog(&self) -> Arc<Catalog> {
        // A cached catalog means the backends have settled: calls skip the snapshot.
        if let Some(catalog) = lock(&self.inner.catalog).clone() {
            return catalog;
        }
        let (connections, complete) = self.current().await;
        for warning in mcpctl_core::refused_tool_warnings(&connections) {
            log(&warning);
        }
        let catalog = Arc::new(self.build_catalog(&connections));
        *lock(&self.inner.catalog) = Some(Arc::clone(&catalog));
        if !complete {
            // Some servers were still starting: once they settle, list again if any of them
            // came up, and tell every session.
            let gateway = self.clone();
            let listed = Arc::clone(&catalog);
            tokio::spawn(async move {
                let all = gateway.manager().await.wait_all().await;
                let ready: BTreeSet<String> = all
                    .iter()
                    .filter(|c| matches!(c.state, ServerState::Ready))
                    .map(|c| c.server.name().to_string())
                    .collect();
                if ready != listed.servers {
                    *lock(&gateway.inner.catalog) = None;
                    announce_tools_changed(&gateway.inner.sessions).await;
                }
            });
        }
        catalog
    }

    /// Every exposed tool of the ready servers: filtered tools, and tools the decision denies
    /// (under the `read-only` preset, those that are not read-only), are left out.
    fn build_catalog(&self, connections: &[ServerConnection]) -> Catalog {
        let ready: Vec<&ServerConnection> = connections
            .iter()
            .filter(|c| matches!(c.state, ServerState::Ready))
            .collect();
        let names = NameMap::new(ready.iter().flat_map(|c| {
            c.tools
                .iter()
                .map(move |t| (c.server.name().as_str(), t.name.as_ref()))
        }));
        let mut tools = Vec::new();
        let mut decisions = BTreeMap::new();
        for connection in &ready {
            let server = connection.server.name().as_str();
            for tool in &connection.tools {
                if mcpctl_core::filtered_reason(&connection.server, &tool.name).is_some() {
                    continue;
                }
                let value = serde_json::to_value(tool).unwrap_or(Value::Null);
                let decision = self.inner.policy.decide(connection.server.config(), &value);
                if decision.outcome == Outcome::Deny {
                    continue;
                }
                let Some(exposed) = names.exposed(server, &tool.name) else {
                    continue;
                };
                let mut renamed = tool.clone();
                renamed.name = exposed.to_string().into();
                decisions.insert(exposed.to_string(), (value, decision));
                tools.push(renamed);
            }
        }
        let timeouts = connections
            .iter()
            .map(|c| {
                (
                    c.server.name().to_string(),
                    mcpctl_core::tool_timeout(&c.server),
                )
            })
            .collect();
        Catalog {
            tools,
            names,
            decisions,
            timeouts,
            servers: ready.iter().map(|c| c.server.name().to_string()).collect(),
        }
    }
}

/// `(offset, next cursor)` of one page of `total` items.
pub(super) fn page(
    cursor: Option<&str>,
    total: usize,
) -> Result<(usize, Option<String>), ErrorData> {
    let start = match cursor {
        None => 0,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= total)
            .ok_or_else(|| ErrorData::invalid_params(format!("bad cursor '{text}'"), None))?,
    };
    let end = (start + PAGE).min(total);
    Ok((start, (end < total).then(|| end.to_string())))
}

/// Exposed names of listed prompts (`<server>__<prompt>`).
pub(super) fn prompt_names(listed: &[(String, Value)]) -> NameMap {
    NameMap::new(listed.iter().map(|(server, prompt)| {
        (
            server.as_str(),
            prompt.get("name").and_then(Value::as_str).unwrap_or(""),
        )
    }))
}
