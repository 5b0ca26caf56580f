//! Routes a method name to its handler.

use mcpctl_app_server_protocol::{JsonRpcError, METHOD_NOT_FOUND};
use serde_json::Value;

use crate::error::parse_params;
use crate::outgoing::Answer;
use crate::server::State;
use crate::{config_methods, mcp_methods, threads};

/// Every method this server answers (besides `initialize` and `shutdown`).
pub(crate) const METHODS: &[&str] = &[
    "config/read",
    "config/value/write",
    "config/batchWrite",
    "configRequirements/read",
    "config/mcpServer/reload",
    "mcpServerStatus/list",
    "mcpServer/oauth/login",
    "mcpServer/resource/read",
    "mcpServer/tool/call",
    "thread/start",
    "thread/resume",
];

pub(crate) async fn dispatch(
    state: &State,
    method: &str,
    params: Option<Value>,
) -> Result<Answer, JsonRpcError> {
    match method {
        "config/read" => config_methods::read(state, parse_params(params)?),
        "mcpServerStatus/list" => mcp_methods::status_list(state, parse_params(params)?).await,
        other => dispatch_value(state, other, params).await.map(Answer::from),
    }
}

async fn dispatch_value(
    state: &State,
    method: &str,
    params: Option<Value>,
) -> Result<Value, JsonRpcError> {
    match method {
        "config/value/write" => config_methods::value_write(state, parse_params(params)?).await,
        "config/batchWrite" => config_methods::batch_write(state, parse_params(params)?).await,
        "configRequirements/read" => config_methods::requirements(state),
        "config/mcpServer/reload" => config_methods::reload(state).await,
        "mcpServer/oauth/login" => mcp_methods::oauth_login(state, parse_params(params)?).await,
        "mcpServer/resource/read" => mcp_methods::resource_read(state, parse_params(params)?).await,
        "mcpServer/tool/call" => threads::tool_call(state, parse_params(params)?).await,
        "thread/start" => threads::start(state, parse_params(params)?).await,
        "thread/resume" => threads::resume(state, parse_params(params)?),
        other => Err(JsonRpcError::new(
            METHOD_NOT_FOUND,
            match mcpctl_core::did_you_mean(other, METHODS.iter().copied()) {
                Some(close) => format!("method not found: `{other}`; did you mean `{close}`?"),
                None => format!("method not found: `{other}`"),
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::METHODS;
    use mcpctl_app_server_protocol::CLIENT_REQUESTS;

    /// The protocol's method table (the generated `ClientRequest` union) lists exactly the
    /// methods this server dispatches, plus `initialize` and `shutdown` (served before dispatch).
    #[test]
    fn protocol_method_table_matches_the_dispatcher() {
        let mut table: Vec<&str> = CLIENT_REQUESTS
            .iter()
            .map(|spec| spec.method)
            .filter(|method| !["initialize", "shutdown"].contains(method))
            .collect();
        let mut dispatched = METHODS.to_vec();
        table.sort_unstable();
        dispatched.sort_unstable();
        assert_eq!(table, dispatched);
    }
}
