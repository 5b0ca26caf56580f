//! The MCP methods the gateway answers (rmcp's `ServerHandler`): tools, resources, prompts,
//! completion, logging and subscriptions, each over the backends that offer them.

#[allow(deprecated)] // Logging (SEP-2577): still in every protocol version the gateway serves.
use rmcp::model::SetLevelRequestParams;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CompleteRequestParams, CompleteResult,
    GetPromptRequestParams, GetPromptResponse, Implementation, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ProtocolVersion, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
    Reference, ServerCapabilities, ServerConfig, SubscribeRequestParams, UnsubscribeRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Value, json};

use super::catalog::{page, prompt_names};
use super::{Gateway, STATUS_URI, from_json, lock, log};

impl ServerHandler for Gateway {
    #[allow(deprecated)] // Logging (SEP-2577): still in every protocol version the gateway serves.
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_resources()
                .enable_resources_subscribe()
                .enable_resources_list_changed()
                .enable_prompts()
                .enable_prompts_list_changed()
                .enable_logging()
                .enable_completions()
                .build(),
        )
        .with_server_info(Implementation::new("mcpctl-gateway", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "mcpctl's gateway: every MCP server mcpctl allows, as one server. Tools and prompts are named <server>__<name>; the mcpctl://status resource lists each server and its state.",
        )
    }

    /// Up to 2025-11-25, the last version with the `initialize` handshake: approval asks the
    /// client through an elicitation request, and backends' elicitations, progress and
    /// notifications pass through on the session, which the stateless 2026-07-28 lifecycle
    /// does not have. A client that probes `server/discover` sees only these versions and
    /// falls back to `initialize`.
    fn supported_protocol_versions(&self) -> std::borrow::Cow<'static, [ProtocolVersion]> {
        std::borrow::Cow::Borrowed(ProtocolVersion::known_up_to(
            &ProtocolVersion::LATEST_WITH_INITIALIZE,
        ))
    }

    async fn on_initialized(&self, context: rmcp::service::NotificationContext<RoleServer>) {
        self.remember_client(&context.peer);
        if self.inner.eager {
            let gateway = self.clone();
            tokio::spawn(async move {
                gateway.manager().await;
            });
        }
    }

    /// The client's roots changed: tell the backends that were offered them.
    async fn on_roots_list_changed(&self, context: rmcp::service::NotificationContext<RoleServer>) {
        self.remember_client(&context.peer);
        let Some(manager) = self.inner.manager.get() else {
            return;
        };
        for connection in manager.snapshot() {
            if let Some(client) = connection.client
                && let Err(error) = client.notify_roots_list_changed().await
            {
                log(&format!(
                    "roots/list_changed to '{}': {error}",
                    connection.server.name()
                ));
            }
        }
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        self.remember_client(&context.peer);
        let catalog = self.catalog().await;
        self.retry_failed();
        let searched;
        let tools = if self.inner.tool_search {
            let mut listed = crate::tool_search::meta_tools();
            listed.extend(
                catalog
                    .tools
                    .iter()
                    .filter(|t| self.inner.pinned.iter().any(|p| p == t.name.as_ref()))
                    .cloned(),
            );
            searched = listed;
            &searched
        } else {
            &catalog.tools
        };
        let (start, next) = page(
            request.as_ref().and_then(|r| r.cursor.as_deref()),
            tools.len(),
        )?;
        let end = next
            .as_ref()
            .map_or(tools.len(), |n| n.parse().unwrap_or(tools.len()));
        let mut result = ListToolsResult::with_all_items(tools[start..end].to_vec());
        result.next_cursor = next;
        Ok(result)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        self.remember_client(&context.peer);
        if self.inner.tool_search {
            return self.tool_search_call(request, &context).await;
        }
        self.call(request, &context)
            .await
            .map(CallToolResponse::from)
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        self.remember_client(&context.peer);
        let mut resources = vec![json!({
            "uri": STATUS_URI,
            "name": "mcpctl-status",
            "description": "Every server behind this gateway, its state and why it failed.",
            "mimeType": "application/json",
        })];
        for (server, client) in self.clients_offering(|caps| caps.resources.is_some()).await {
            match client.list_resources().await {
                Ok(list) => {
                    let mut owners = lock(&self.inner.resource_owners);
                    for resource in list {
                        owners.insert(resource.uri.clone(), server.clone());
                        resources.push(serde_json::to_value(&resource).unwrap_or(Value::Null));
                    }
                }
                Err(error) => log(&format!("resources of '{server}': {error}")),
            }
        }
        from_json(json!({ "resources": resources }))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        self.remember_client(&context.peer);
        let mut templates = Vec::new();
        for (server, client) in self.clients_offering(|caps| caps.resources.is_some()).await {
            match client.list_resource_templates().await {
                Ok(list) => templates.extend(
                    list.iter()
                        .map(|t| serde_json::to_value(t).unwrap_or(Value::Null)),
                ),
                Err(error) => log(&format!("resource templates of '{server}': {error}")),
            }
        }
        from_json(json!({ "resourceTemplates": templates }))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        self.remember_client(&context.peer);
        let uri = request.uri.as_str();
        if uri == STATUS_URI {
            let connections = self.settled().await;
            let text = serde_json::to_string_pretty(&self.status(&connections)).unwrap_or_default();
            let result: ReadResourceResult = serde_json::from_value(json!({"contents": [
                {"uri": STATUS_URI, "mimeType": "application/json", "text": text}
            ]}))
            .map_err(|err| ErrorData::internal_error(err.to_string(), None))?;
            return Ok(ReadResourceResponse::from(result));
        }
        let owner = lock(&self.inner.resource_owners).get(uri).cloned();
        // A URI not listed yet (a template's) goes to each server that offers resources until
        // one has it.
        let mut candidates = self.clients_offering(|caps| caps.resources.is_some()).await;
        if let Some(owner) = &owner {
            candidates.retain(|(s, _)| s == owner);
        }
        let mut last = None;
        for (_, client) in candidates {
            match client.read_resource(uri).await {
                Ok(result) => return Ok(ReadResourceResponse::from(result)),
                Err(error) => last = Some(error.to_string()),
            }
        }
        Err(ErrorData::resource_not_found(
            last.unwrap_or_else(|| format!("no server behind the gateway has resource '{uri}'")),
            None,
        ))
    }

    #[allow(deprecated)] // Logging (SEP-2577): still in every protocol version the gateway serves.
    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.remember_client(&context.peer);
        for (server, client) in self.clients_offering(|caps| caps.logging.is_some()).await {
            if let Err(error) = client.set_log_level(request.level).await {
                log(&format!("logging/setLevel on '{server}': {error}"));
            }
        }
        Ok(())
    }

    async fn complete(
        &self,
        mut request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        self.remember_client(&context.peer);
        let mut candidates = self
            .clients_offering(|caps| caps.completions.is_some())
            .await;
        // A prompt's exposed name says its server, and the backend gets its own name. A
        // resource template is asked of each server that completes, until one answers.
        if let Reference::Prompt(prompt) = &mut request.r#ref {
            let listed = self.prompts().await;
            let Some((server, name)) = prompt_names(&listed).backend(&prompt.name).cloned() else {
                return Err(ErrorData::invalid_params(
                    format!("unknown prompt '{}'", prompt.name),
                    None,
                ));
            };
            prompt.name = name;
            candidates.retain(|(s, _)| *s == server);
        }
        for (server, client) in candidates {
            match client.complete(request.clone()).await {
                Ok(result) if !result.completion.values.is_empty() => return Ok(result),
                Ok(_) => {}
                Err(error) => log(&format!("completion/complete on '{server}': {error}")),
            }
        }
        Ok(CompleteResult::default())
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.remember_client(&context.peer);
        let uri = request.uri.as_str();
        // Already subscribed for another session: this one joins; the backend is not asked again.
        if let Some(server) = self.inner.sessions.subscribed_server(uri) {
            self.inner.sessions.subscribe(uri, &server, &context.peer);
            return Ok(());
        }
        let owner = lock(&self.inner.resource_owners).get(uri).cloned();
        let mut candidates = self
            .clients_offering(|caps| {
                caps.resources
                    .as_ref()
                    .is_some_and(|r| r.subscribe == Some(true))
            })
            .await;
        if let Some(owner) = &owner {
            candidates.retain(|(s, _)| s == owner);
        }
        let mut last = None;
        for (server, client) in candidates {
            // Recorded first: a backend may send its first update before it answers.
            self.inner.sessions.subscribe(uri, &server, &context.peer);
            match client.subscribe(uri).await {
                Ok(()) => return Ok(()),
                Err(error) => {
                    self.inner.sessions.unsubscribe(uri, &context.peer);
                    last = Some(error.to_string());
                }
            }
        }
        Err(ErrorData::invalid_params(
            last.unwrap_or_else(|| {
                format!("no server behind the gateway can subscribe to '{uri}'")
            }),
            None,
        ))
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.remember_client(&context.peer);
        let uri = request.uri.as_str();
        // Unsubscribing twice is not an error; the backend is told when the last session left.
        let Some(server) = self.inner.sessions.unsubscribe(uri, &context.peer) else {
            return Ok(());
        };
        let client = self.manager().await.client(&server);
        if let Some(client) = client
            && let Err(error) = client.unsubscribe(uri).await
        {
            return Err(ErrorData::internal_error(error.to_string(), None));
        }
        Ok(())
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        self.remember_client(&context.peer);
        let listed = self.prompts().await;
        let names = prompt_names(&listed);
        let prompts: Vec<Value> = listed
            .iter()
            .map(|(server, prompt)| {
                let name = prompt.get("name").and_then(Value::as_str).unwrap_or("");
                let mut prompt = prompt.clone();
                prompt["name"] = json!(names.exposed(server, name).unwrap_or(name));
                prompt
            })
            .collect();
        from_json(json!({ "prompts": prompts }))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        self.remember_client(&context.peer);
        let listed = self.prompts().await;
        let names = prompt_names(&listed);
        let Some((server, prompt)) = names.backend(&request.name).cloned() else {
            return Err(ErrorData::invalid_params(
                format!(
                    "unknown prompt '{}': the gateway's prompts are named <server>__<prompt>",
                    request.name
                ),
                None,
            ));
        };
        let client = self
            .ready_clients()
            .await
            .into_iter()
            .find(|(s, _)| *s == server)
            .map(|(_, c)| c)
            .ok_or_else(|| ErrorData::internal_error(format!("'{server}' is not ready"), None))?;
        client
            .get_prompt(&prompt, request.arguments)
            .await
            .map(GetPromptResponse::from)
            .map_err(|error| ErrorData::internal_error(error.to_string(), None))
    }
}

impl Gateway {
    async fn prompts(&self) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for (server, client) in self.clients_offering(|caps| caps.prompts.is_some()).await {
            match client.list_prompts().await {
                Ok(list) => out.extend(list.iter().map(|p| {
                    (
                        server.clone(),
                        serde_json::to_value(p).unwrap_or(Value::Null),
                    )
                })),
                Err(error) => log(&format!("prompts of '{server}': {error}")),
            }
        }
        out
    }
}
