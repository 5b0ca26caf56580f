//! `mcpctl serve`: a gateway that shows every enabled, policy-allowed MCP server to any MCP
//! client as one server. Tools are named `<server>__<tool>`; the approval decision table of
//! `mcpctl-approval-presets` and the requirements policy apply to every call, and every decision
//! is appended to the audit log. The CLI only parses flags and calls into this crate.
