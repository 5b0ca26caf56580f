/// Splits `KEY=VALUE` at the first `=`, for clap's `value_parser` on flags such as
/// `--env KEY=VALUE` and `--header NAME=VALUE`.
///
/// The value may be empty or contain further `=`; the key must not be empty. Nothing is
/// trimmed. The error is the text clap shows after the flag name.
pub fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        Some(_) => Err(format!("expected KEY=VALUE, got '{s}' (the key is empty)")),
        None => Err(format!("expected KEY=VALUE, got '{s}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_first_equals() {
        assert_eq!(
            parse_key_value("TOKEN=a=b"),
            Ok(("TOKEN".to_owned(), "a=b".to_owned()))
        );
        assert_eq!(
            parse_key_value("EMPTY="),
            Ok(("EMPTY".to_owned(), String::new()))
        );
    }

    #[test]
    fn rejects_missing_equals_and_empty_key() {
        assert_eq!(
            parse_key_value("TOKEN"),
            Err("expected KEY=VALUE, got 'TOKEN'".to_owned())
        );
        assert_eq!(
            parse_key_value("=x"),
            Err("expected KEY=VALUE, got '=x' (the key is empty)".to_owned())
        );
    }

    #[test]
    fn works_as_a_clap_value_parser() {
        use clap::Parser;

        #[derive(Parser, Debug)]
        struct Cli {
            #[arg(long = "env", value_parser = parse_key_value)]
            env: Vec<(String, String)>,
        }

        let cli = Cli::try_parse_from(["t", "--env", "A=1", "--env", "B=two=2"]).unwrap();
        assert_eq!(
            cli.env,
            vec![
                ("A".to_owned(), "1".to_owned()),
                ("B".to_owned(), "two=2".to_owned())
            ]
        );
        let error = Cli::try_parse_from(["t", "--env", "nope"]).unwrap_err();
        assert!(
            error.to_string().contains("expected KEY=VALUE, got 'nope'"),
            "{error}"
        );
    }
}
