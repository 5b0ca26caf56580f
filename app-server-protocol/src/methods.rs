//! Every method of the protocol with the names of its params and result types, for the
//! generated `ClientRequest`/`ServerNotification`/… unions (`generate-ts`). The server's
//! dispatcher is checked against [`CLIENT_REQUESTS`] by a test in `mcpctl-app-server`.

/// One method: its name and the message types of its params and result (`None`: no params,
/// or no answer for a notification).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodSpec {
    /// The method name, as on the wire.
    pub method: &'static str,
    /// The params type (a name from [`crate::json_schemas`]).
    pub params: Option<&'static str>,
    /// The result type (a name from [`crate::json_schemas`]).
    pub result: Option<&'static str>,
}

const fn spec(
    method: &'static str,
    params: Option<&'static str>,
    result: Option<&'static str>,
) -> MethodSpec {
    MethodSpec {
        method,
        params,
        result,
    }
}

/// Requests from the client. `shutdown` takes no params and answers `{}` (no result type).
pub const CLIENT_REQUESTS: &[MethodSpec] = &[
    spec(
        "initialize",
        Some("InitializeParams"),
        Some("InitializeResponse"),
    ),
    spec("shutdown", None, None),
    spec(
        "config/read",
        Some("ConfigReadParams"),
        Some("ConfigReadResponse"),
    ),
    spec(
        "config/value/write",
        Some("ConfigValueWriteParams"),
        Some("ConfigWriteResponse"),
    ),
    spec(
        "config/batchWrite",
        Some("ConfigBatchWriteParams"),
        Some("ConfigWriteResponse"),
    ),
    spec(
        "configRequirements/read",
        None,
        Some("ConfigRequirementsReadResponse"),
    ),
    spec(
        "config/mcpServer/reload",
        None,
        Some("McpServerRefreshResponse"),
    ),
    spec(
        "mcpServerStatus/list",
        Some("ListMcpServerStatusParams"),
        Some("ListMcpServerStatusResponse"),
    ),
    spec(
        "mcpServer/oauth/login",
        Some("McpServerOauthLoginParams"),
        Some("McpServerOauthLoginResponse"),
    ),
    spec(
        "mcpServer/resource/read",
        Some("McpResourceReadParams"),
        Some("McpResourceReadResponse"),
    ),
    spec(
        "mcpServer/tool/call",
        Some("McpServerToolCallParams"),
        Some("McpServerToolCallResponse"),
    ),
    spec(
        "thread/start",
        Some("ThreadStartParams"),
        Some("ThreadStartResponse"),
    ),
    spec(
        "thread/resume",
        Some("ThreadResumeParams"),
        Some("ThreadStartResponse"),
    ),
];

/// Notifications from the client.
pub const CLIENT_NOTIFICATIONS: &[MethodSpec] = &[spec("initialized", None, None)];

/// Notifications from the server (each also carries `emittedAtMs`).
pub const SERVER_NOTIFICATIONS: &[MethodSpec] = &[
    spec(
        "mcpServer/oauthLogin/completed",
        Some("McpServerOauthLoginCompletedNotification"),
        None,
    ),
    spec(
        "mcpServer/startupStatus/updated",
        Some("McpServerStatusUpdatedNotification"),
        None,
    ),
    spec(
        "serverRequest/resolved",
        Some("ServerRequestResolvedNotification"),
        None,
    ),
];

/// Requests from the server to the client.
pub const SERVER_REQUESTS: &[MethodSpec] = &[spec(
    "mcpServer/elicitation/request",
    Some("McpServerElicitationRequestParams"),
    Some("McpServerElicitationRequestResponse"),
)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_type_exists() {
        let names: Vec<&str> = crate::json_schemas().iter().map(|(n, _)| *n).collect();
        for spec in CLIENT_REQUESTS
            .iter()
            .chain(CLIENT_NOTIFICATIONS)
            .chain(SERVER_NOTIFICATIONS)
            .chain(SERVER_REQUESTS)
        {
            for name in spec.params.iter().chain(spec.result.iter()) {
                assert!(names.contains(name), "{}: no type {name}", spec.method);
            }
        }
    }
}
