//! Tool-call arguments from the command line, typed and checked by the tool's input schema
//! before anything is sent.
//!
//! The checker covers the JSON Schema subset tool schemas use in practice: `type` (one or a
//! list), `properties`, `required`, `additionalProperties: false`, `enum`, `const`, `items`,
//! `minimum`/`maximum`, `minLength`/`maxLength`, `minItems`/`maxItems`. Keywords it does not
//! know are ignored, so it never rejects what a server would accept for a reason it can't name.

use serde_json::{Map, Value};

use crate::error::CoreError;

/// Builds the arguments object from `--args JSON` or `KEY=VALUE` pairs, typing each value by
/// the schema (`a=2` is a number where the schema says number), else as JSON, else a string.
pub fn build_tool_arguments(
    tool: &str,
    schema: &Value,
    json: Option<&str>,
    pairs: &[String],
) -> Result<Value, CoreError> {
    let invalid = |message: String| CoreError::InvalidToolArguments {
        tool: tool.to_string(),
        message,
    };
    let mut object = match json {
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(other) => {
                return Err(invalid(format!(
                    "--args must be a JSON object, got {}",
                    json_type(&other)
                )));
            }
            Err(err) => return Err(invalid(format!("--args is not valid JSON: {err}"))),
        },
        None => Map::new(),
    };
    let properties = schema.get("properties").and_then(Value::as_object);
    let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
    // Keys given more than once in this command line: their values are collected into an array.
    let mut repeated: Vec<String> = Vec::new();
    for pair in pairs {
        let Some((key, raw)) = pair.split_once('=') else {
            return Err(invalid(format!(
                "expected KEY=VALUE, got '{pair}' (or pass --args '{{...}}')"
            )));
        };
        if key.is_empty() {
            return Err(invalid(format!("the key is empty in '{pair}'")));
        }
        let property = properties.and_then(|p| p.get(key));
        if property.is_none()
            && !closed
            && let Some(known) = properties
            && let Some(close) =
                mcpctl_fuzzy_match::did_you_mean(key, known.keys().map(String::as_str))
        {
            // A typo of a known argument would be sent and ignored by most servers.
            return Err(invalid(format!(
                "{key}: not an argument of this tool (did you mean '{close}'?); pass it with --args to send it anyway"
            )));
        }
        let is_array = property.is_some_and(|p| schema_types(p).iter().any(|t| t == "array"));
        if is_array {
            let item = property.and_then(|p| p.get("items"));
            let values =
                array_values(raw, item).map_err(|message| invalid(format!("{key}: {message}")))?;
            if repeated.iter().any(|k| k == key)
                && let Some(Value::Array(existing)) = object.get_mut(key)
            {
                existing.extend(values);
            } else {
                object.insert(key.to_string(), Value::Array(values));
                repeated.push(key.to_string());
            }
            continue;
        }
        let value =
            typed_value(raw, property).map_err(|message| invalid(format!("{key}: {message}")))?;
        object.insert(key.to_string(), value);
    }
    let arguments = Value::Object(object);
    let mut problems = Vec::new();
    check(schema, &arguments, "", &mut problems);
    if problems.is_empty() {
        Ok(arguments)
    } else {
        Err(invalid(format!(
            "the tool's input schema rejects the arguments:\n  {}",
            problems.join("\n  ")
        )))
    }
}

/// The items an array argument gets from one `KEY=VALUE`: a JSON array as it is, otherwise one
/// item typed by the `items` schema (`paths=a paths=b` builds `["a", "b"]`).
fn array_values(raw: &str, item: Option<&Value>) -> Result<Vec<Value>, String> {
    if raw.trim_start().starts_with('[')
        && let Ok(Value::Array(items)) = serde_json::from_str::<Value>(raw)
    {
        return Ok(items);
    }
    Ok(vec![typed_value(raw, item)?])
}

fn typed_value(raw: &str, property: Option<&Value>) -> Result<Value, String> {
    let types = property.map(schema_types).unwrap_or_default();
    let wants = |t: &str| types.iter().any(|x| x == t);
    if wants("string") && types.len() == 1 {
        return Ok(Value::String(raw.to_string()));
    }
    if (wants("integer") || wants("number")) && !wants("string") {
        return serde_json::from_str::<Value>(raw.trim())
            .ok()
            .filter(Value::is_number)
            .ok_or_else(|| format!("expected a number, got '{raw}'"));
    }
    if wants("boolean") && !wants("string") {
        return match raw.trim() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("expected true or false, got '{raw}'")),
        };
    }
    if (wants("array") || wants("object")) && !wants("string") {
        return serde_json::from_str::<Value>(raw)
            .map_err(|err| format!("expected JSON ({}), got '{raw}': {err}", types.join(" or ")));
    }
    Ok(serde_json::from_str::<Value>(raw).unwrap_or_else(|_| Value::String(raw.to_string())))
}

fn schema_types(schema: &Value) -> Vec<String> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn type_matches(expected: &str, value: &Value) -> bool {
    match expected {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

/// Appends one line per problem, each starting with the argument's path.
fn check(schema: &Value, value: &Value, path: &str, problems: &mut Vec<String>) {
    let here = if path.is_empty() { "arguments" } else { path };
    let types = schema_types(schema);
    if !types.is_empty() && !types.iter().any(|t| type_matches(t, value)) {
        problems.push(format!(
            "{here}: expected {}, got {}",
            types.join(" or "),
            json_type(value)
        ));
        return;
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        let shown: Vec<String> = options.iter().map(Value::to_string).collect();
        problems.push(format!("{here}: must be one of {}", shown.join(", ")));
    }
    if let Some(constant) = schema.get("const")
        && constant != value
    {
        problems.push(format!("{here}: must be {constant}"));
    }
    if let Some(n) = value.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            problems.push(format!("{here}: must be at least {min}"));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            problems.push(format!("{here}: must be at most {max}"));
        }
    }
    if let Some(s) = value.as_str() {
        let len = s.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && len < min
        {
            problems.push(format!("{here}: must be at least {min} characters"));
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && len > max
        {
            problems.push(format!("{here}: must be at most {max} characters"));
        }
    }
    if let Some(items) = value.as_array() {
        let len = items.len() as u64;
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
            && len < min
        {
            problems.push(format!("{here}: needs at least {min} items"));
        }
        if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
            && len > max
        {
            problems.push(format!("{here}: allows at most {max} items"));
        }
        if let Some(item_schema) = schema.get("items").filter(|s| s.is_object()) {
            for (i, item) in items.iter().enumerate() {
                check(item_schema, item, &format!("{here}[{i}]"), problems);
            }
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for key in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(key) {
                    let name = if path.is_empty() {
                        key.to_string()
                    } else {
                        format!("{path}.{key}")
                    };
                    problems.push(format!("{name}: required but missing"));
                }
            }
        }
        for (key, inner) in object {
            let name = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            match properties.and_then(|p| p.get(key)) {
                Some(property) => check(property, inner, &name, problems),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    let known: Vec<&str> = properties
                        .map(|p| p.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    let hint = mcpctl_fuzzy_match::did_you_mean(key, known.iter().copied())
                        .map(|k| format!(" (did you mean '{k}'?)"))
                        .unwrap_or_default();
                    problems.push(format!("{name}: not an argument of this tool{hint}"));
                }
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "a": {"type": "number"},
                "n": {"type": "integer", "minimum": 1},
                "text": {"type": "string"},
                "flag": {"type": "boolean"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "mode": {"type": "string", "enum": ["fast", "slow"]}
            },
            "required": ["a"],
            "additionalProperties": false
        })
    }

    fn pairs(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn values_are_typed_by_the_schema() {
        let args = build_tool_arguments(
            "t",
            &schema(),
            None,
            &pairs(&["a=2", "text=42", "flag=true", "tags=[\"x\"]", "n=3"]),
        )
        .unwrap();
        assert_eq!(
            args,
            json!({"a": 2, "text": "42", "flag": true, "tags": ["x"], "n": 3})
        );
    }

    #[test]
    fn array_arguments_take_repeats_and_bare_values() {
        let args = build_tool_arguments(
            "t",
            &schema(),
            None,
            &pairs(&["a=1", "tags=x", "tags=y", "tags=[\"z\"]"]),
        )
        .unwrap();
        assert_eq!(args["tags"], json!(["x", "y", "z"]));
        let one =
            build_tool_arguments("t", &schema(), None, &pairs(&["a=1", "tags=solo"])).unwrap();
        assert_eq!(one["tags"], json!(["solo"]));
        let numbers = json!({"type": "object", "properties": {"n": {"type": "array", "items": {"type": "integer"}}}});
        let args = build_tool_arguments("t", &numbers, None, &pairs(&["n=1", "n=2"])).unwrap();
        assert_eq!(args["n"], json!([1, 2]));
        let err = build_tool_arguments("t", &numbers, None, &pairs(&["n=x"])).unwrap_err();
        assert!(err.to_string().contains("n: expected a number"), "{err}");
    }

    #[test]
    fn a_misspelt_key_suggests_the_close_one_even_in_an_open_schema() {
        let open = json!({"type": "object", "properties": {"message": {"type": "string"}}});
        let err = build_tool_arguments("t", &open, None, &pairs(&["mesage=hi"])).unwrap_err();
        assert!(err.to_string().contains("did you mean 'message'?"), "{err}");
        // A key nothing resembles is sent as it is (the schema allows extra keys).
        let args = build_tool_arguments("t", &open, None, &pairs(&["zzz=1"])).unwrap();
        assert_eq!(args, json!({"zzz": 1}));
    }

    #[test]
    fn untyped_values_are_json_then_string() {
        let args = build_tool_arguments(
            "t",
            &json!({"type": "object"}),
            None,
            &pairs(&["x=1", "y=hi"]),
        )
        .unwrap();
        assert_eq!(args, json!({"x": 1, "y": "hi"}));
    }

    #[test]
    fn schema_violations_are_listed_before_sending() {
        let err = build_tool_arguments(
            "t",
            &schema(),
            Some(r#"{"n": 0, "mode": "medium", "txet": "x"}"#),
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("a: required but missing"), "{err}");
        assert!(err.contains("n: must be at least 1"), "{err}");
        assert!(
            err.contains("mode: must be one of \"fast\", \"slow\""),
            "{err}"
        );
        assert!(
            err.contains("txet: not an argument of this tool (did you mean 'text'?)"),
            "{err}"
        );
    }

    #[test]
    fn wrongly_typed_pair_names_the_key() {
        let err = build_tool_arguments("t", &schema(), None, &pairs(&["a=two"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("a: expected a number, got 'two'"), "{err}");
        let err = build_tool_arguments("t", &schema(), Some("[1]"), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--args must be a JSON object"), "{err}");
    }
}
