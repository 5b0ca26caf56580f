//! Answering a server's elicitation requests during `call`: on a terminal the user is asked
//! field by field; otherwise `--elicit defaults|decline` decides (decline by default).

use std::io::{IsTerminal as _, Write as _};
use std::sync::Arc;

use clap::ValueEnum;
use mcpctl_core::client::{
    BoxFuture, ClientHooks, DeclineElicitation, DefaultsElicitation, ElicitRequestParams,
    ElicitResult, ElicitationAction, ElicitationHandler, ProgressHook, ProgressNotificationParam,
};
use serde_json::Value;

use crate::output::errln;
use crate::render::one_line;

/// How to answer a server's request for user input during a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ElicitMode {
    /// Answer with the default values of the requested schema.
    Defaults,
    /// Decline every request.
    Decline,
}

/// Hooks for commands that may run a tool: elicitation as chosen, progress on a terminal.
pub fn hooks(mode: Option<ElicitMode>) -> ClientHooks {
    let handler: Arc<dyn ElicitationHandler> = match mode {
        Some(ElicitMode::Defaults) => Arc::new(DefaultsElicitation),
        Some(ElicitMode::Decline) => Arc::new(DeclineElicitation),
        None if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => {
            Arc::new(TerminalElicitation)
        }
        None => Arc::new(DeclineElicitation),
    };
    // Progress goes to stderr on a terminal only; scripts get just the result.
    let progress: Option<ProgressHook> =
        std::io::stderr().is_terminal().then(|| -> ProgressHook {
            Arc::new(|server: &str, p: &ProgressNotificationParam| {
                let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
                let message = p.message.as_deref().map(one_line).unwrap_or_default();
                errln(&format!(
                    "  {}: progress {}{total} {message}",
                    one_line(server),
                    p.progress
                ));
            })
        });
    ClientHooks {
        elicitation: Some(handler),
        progress,
        ..ClientHooks::default()
    }
}

/// Asks the user on the terminal for each field of an elicitation request.
struct TerminalElicitation;

impl ElicitationHandler for TerminalElicitation {
    fn elicit<'a>(
        &'a self,
        server: &'a str,
        request: ElicitRequestParams,
    ) -> BoxFuture<'a, ElicitResult> {
        let server = server.to_string();
        Box::pin(async move {
            let request = serde_json::to_value(&request).unwrap_or(Value::Null);
            tokio::task::spawn_blocking(move || ask(&server, &request))
                .await
                .unwrap_or_else(|_| ElicitResult::new(ElicitationAction::Cancel))
        })
    }
}

fn prompt(text: &str) -> Option<String> {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{text}");
    let _ = err.flush();
    drop(err);
    let mut line = String::new();
    match std::io::stdin().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_string()),
    }
}

fn ask(server: &str, request: &Value) -> ElicitResult {
    let message = request.get("message").and_then(Value::as_str).unwrap_or("");
    errln(&format!(
        "\nMCP server '{}' asks: {}",
        one_line(server),
        one_line(message)
    ));
    if let Some(url) = request.get("url").and_then(Value::as_str) {
        errln(&format!("  open this URL to continue: {}", one_line(url)));
        return match prompt("  press Enter when done, or type :decline: ") {
            Some(answer) if answer == ":decline" => ElicitResult::new(ElicitationAction::Decline),
            Some(_) => ElicitResult::new(ElicitationAction::Accept),
            None => ElicitResult::new(ElicitationAction::Cancel),
        };
    }
    let Some(properties) = request
        .pointer("/requestedSchema/properties")
        .and_then(Value::as_object)
    else {
        return ElicitResult::new(ElicitationAction::Decline);
    };
    let required: Vec<&str> = request
        .pointer("/requestedSchema/required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    errln(
        "(press Enter for the default; * marks a required field; type :decline or :cancel to refuse)",
    );
    let mut content = serde_json::Map::new();
    for (name, property) in properties {
        let field = Field::new(name, property, required.contains(&name.as_str()));
        if let Some(description) = property.get("description").and_then(Value::as_str) {
            errln(&format!("  {}", one_line(description)));
        }
        loop {
            let Some(answer) = prompt(&field.prompt()) else {
                return ElicitResult::new(ElicitationAction::Cancel);
            };
            match answer.as_str() {
                ":decline" => return ElicitResult::new(ElicitationAction::Decline),
                ":cancel" => return ElicitResult::new(ElicitationAction::Cancel),
                _ => {}
            }
            match field.value(&answer) {
                Ok(Some(value)) => {
                    content.insert(name.clone(), value);
                    break;
                }
                Ok(None) => break,
                Err(problem) => errln(&format!("    {problem}; try again")),
            }
        }
    }
    ElicitResult::new(ElicitationAction::Accept).with_content(Value::Object(content))
}

/// One field of a requested schema: how to ask for it and how to check the answer.
struct Field<'a> {
    title: String,
    kind: &'a str,
    choices: Vec<String>,
    default: Option<&'a Value>,
    required: bool,
    property: &'a Value,
}

impl<'a> Field<'a> {
    fn new(name: &'a str, property: &'a Value, required: bool) -> Self {
        let choices = property
            .get("enum")
            .or_else(|| property.pointer("/items/enum"))
            .and_then(Value::as_array)
            .map(|v| {
                v.iter()
                    .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            title: one_line(
                property
                    .get("title")
                    .and_then(Value::as_str)
                    .unwrap_or(name),
            )
            .into_owned(),
            kind: property
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("string"),
            choices,
            default: property.get("default"),
            required,
            property,
        }
    }

    fn prompt(&self) -> String {
        let mark = if self.required { "*" } else { "" };
        let choices = if self.choices.is_empty() {
            String::new()
        } else {
            format!(" one of {}", one_line(&self.choices.join(" | ")))
        };
        let default = self
            .default
            .map(|d| format!(" [{}]", one_line(&d.to_string())))
            .unwrap_or_default();
        format!("  {}{mark} ({}{choices}){default}: ", self.title, self.kind)
    }

    /// The typed value of `answer`; `Ok(None)` leaves an optional field out.
    fn value(&self, answer: &str) -> Result<Option<Value>, String> {
        if answer.is_empty() {
            return match (self.default, self.required) {
                (Some(d), _) => Ok(Some(d.clone())),
                (None, false) => Ok(None),
                (None, true) => Err("this field is required".to_string()),
            };
        }
        let value = match self.kind {
            "number" | "integer" => {
                let number = serde_json::from_str::<Value>(answer)
                    .ok()
                    .filter(Value::is_number)
                    .ok_or_else(|| format!("expected a {}", self.kind))?;
                if self.kind == "integer" && !(number.is_i64() || number.is_u64()) {
                    return Err("expected a whole number".to_string());
                }
                let n = number.as_f64().unwrap_or_default();
                if let Some(min) = self.property.get("minimum").and_then(Value::as_f64)
                    && n < min
                {
                    return Err(format!("must be at least {min}"));
                }
                if let Some(max) = self.property.get("maximum").and_then(Value::as_f64)
                    && n > max
                {
                    return Err(format!("must be at most {max}"));
                }
                number
            }
            "boolean" => match answer {
                "true" | "yes" | "y" => Value::Bool(true),
                "false" | "no" | "n" => Value::Bool(false),
                _ => return Err("expected yes or no".to_string()),
            },
            "array" => Value::Array(
                answer
                    .split(',')
                    .map(|s| Value::String(s.trim().to_string()))
                    .collect(),
            ),
            _ => Value::String(answer.to_string()),
        };
        if !self.choices.is_empty() {
            let items: Vec<&Value> = match &value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for item in items {
                let text = item
                    .as_str()
                    .map_or_else(|| item.to_string(), str::to_string);
                if !self.choices.contains(&text) {
                    return Err(format!("expected one of {}", self.choices.join(", ")));
                }
            }
        }
        if let Some(text) = value.as_str() {
            let len = text.chars().count() as u64;
            if let Some(min) = self.property.get("minLength").and_then(Value::as_u64)
                && len < min
            {
                return Err(format!("must be at least {min} characters"));
            }
            if let Some(max) = self.property.get("maxLength").and_then(Value::as_u64)
                && len > max
            {
                return Err(format!("must be at most {max} characters"));
            }
        }
        Ok(Some(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_are_typed_and_checked_against_the_schema() {
        let schema = json!({"type": "integer", "minimum": 1, "maximum": 5});
        let field = Field::new("n", &schema, true);
        assert_eq!(field.value("3"), Ok(Some(json!(3))));
        assert!(field.value("9").unwrap_err().contains("at most 5"));
        assert!(field.value("2.5").unwrap_err().contains("whole number"));
        assert!(field.value("").unwrap_err().contains("required"));

        let choice = json!({"type": "string", "enum": ["red", "blue"], "default": "red"});
        let field = Field::new("c", &choice, false);
        assert_eq!(field.value(""), Ok(Some(json!("red"))));
        assert!(field.value("green").unwrap_err().contains("red, blue"));
        assert!(field.prompt().contains("one of red | blue"));

        let optional = json!({"type": "string"});
        assert_eq!(Field::new("o", &optional, false).value(""), Ok(None));
    }
}
