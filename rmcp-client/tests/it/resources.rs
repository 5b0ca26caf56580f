//! Resources, resource templates and prompts.

use mcpctl_rmcp_client::{ClientError, McpClient, ResourceContents};

use crate::{STARTUP, server_spec};

#[tokio::test]
async fn resources_are_listed_and_read_as_text_and_blob() {
    let client = McpClient::connect_stdio("demo", server_spec(&[]), STARTUP)
        .await
        .unwrap();
    let resources: Vec<(String, String)> = client
        .list_resources()
        .await
        .unwrap()
        .iter()
        .map(|r| (r.uri.clone(), r.name.clone()))
        .collect();
    assert_eq!(
        resources,
        [
            ("test://text".to_owned(), "greeting".to_owned()),
            ("test://blob".to_owned(), "pixel".to_owned())
        ]
    );

    let text = client.read_resource("test://text").await.unwrap();
    match &text.contents[..] {
        [
            ResourceContents::TextResourceContents {
                text, mime_type, ..
            },
        ] => {
            assert_eq!(text, "hello from the test server");
            assert_eq!(mime_type.as_deref(), Some("text/plain"));
        }
        other => panic!("expected one text content, got {other:?}"),
    }
    let blob = client.read_resource("test://blob").await.unwrap();
    match &blob.contents[..] {
        [
            ResourceContents::BlobResourceContents {
                blob, mime_type, ..
            },
        ] => {
            assert!(blob.starts_with("iVBORw0KGgo"), "{blob}");
            assert_eq!(mime_type.as_deref(), Some("image/png"));
        }
        other => panic!("expected one blob content, got {other:?}"),
    }

    let templates = client.list_resource_templates().await.unwrap();
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0].uri_template, "test://echo/{text}");
    client.shutdown().await;
}

#[tokio::test]
async fn unknown_resource_is_a_request_error_naming_it() {
    let client = McpClient::connect_stdio("demo", server_spec(&[]), STARTUP)
        .await
        .unwrap();
    let err = client.read_resource("test://nope").await.unwrap_err();
    assert!(matches!(err, ClientError::Request { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "server `demo`: resources/read `test://nope` failed: the server answered error -32002: no resource `test://nope`"
    );
    client.shutdown().await;
}

#[tokio::test]
async fn prompts_are_listed_with_their_arguments() {
    let client = McpClient::connect_stdio("demo", server_spec(&[]), STARTUP)
        .await
        .unwrap();
    let prompts = client.list_prompts().await.unwrap();
    assert_eq!(prompts.len(), 1);
    assert_eq!(prompts[0].name, "greet");
    assert_eq!(
        prompts[0].description.as_deref(),
        Some("Greets someone by name.")
    );
    let args = prompts[0].arguments.as_ref().unwrap();
    assert_eq!(args[0].name, "name");
    assert_eq!(args[0].required, Some(true));
    client.shutdown().await;
}
