//! A small RFC 4180 reader: comma-separated fields, optional double quotes (`""` for a
//! quote, newlines allowed inside quotes), LF or CRLF. Lines starting with `#` outside a
//! record are comments; blank lines are skipped.

/// One record and the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) line: usize,
    pub(crate) fields: Vec<String>,
}

/// A syntax error: the line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) line: usize,
    pub(crate) message: String,
}

/// Splits `text` into rows; fails at the first syntax error (an unterminated quote, or
/// text after a closing quote), since nothing after it can be trusted.
pub(crate) fn rows(text: &str) -> Result<Vec<Row>, SyntaxError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        // Skip blank lines and comments at the start of a record.
        match chars.peek() {
            Some('\n') => {
                chars.next();
                line += 1;
                continue;
            }
            Some('\r') => {
                chars.next();
                continue;
            }
            Some('#') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                line += 1;
                continue;
            }
            _ => {}
        }
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        loop {
            match chars.next() {
                None => {
                    if quoted {
                        return Err(SyntaxError {
                            line: start,
                            message: "a quoted field is not closed".into(),
                        });
                    }
                    fields.push(std::mem::take(&mut field));
                    break;
                }
                Some('"') if quoted => {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        quoted = false;
                        while matches!(chars.peek(), Some(' ' | '\t')) {
                            chars.next();
                        }
                        match chars.peek() {
                            None | Some(',' | '\n' | '\r') => {}
                            Some(c) => {
                                return Err(SyntaxError {
                                    line,
                                    message: format!(
                                        "{c:?} after a closing quote; quote the whole field and write \"\" for a quote"
                                    ),
                                });
                            }
                        }
                    }
                }
                Some('"') if field.trim().is_empty() => {
                    field.clear();
                    quoted = true;
                }
                Some(c) if quoted => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
                Some(',') => fields.push(std::mem::take(&mut field)),
                Some('\r') if chars.peek() == Some(&'\n') => {}
                Some('\n') => {
                    fields.push(std::mem::take(&mut field));
                    line += 1;
                    break;
                }
                Some(c) => field.push(c),
            }
        }
        out.push(Row {
            line: start,
            fields,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<(usize, Vec<String>)> {
        rows(text)
            .unwrap()
            .into_iter()
            .map(|r| (r.line, r.fields))
            .collect()
    }

    #[test]
    fn table() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(fields("a,b\n"), [(1, s(&["a", "b"]))]);
        assert_eq!(
            fields("a,b\r\nc,\r\n"),
            [(1, s(&["a", "b"])), (2, s(&["c", ""]))]
        );
        assert_eq!(fields("\"a,b\",\"x\"\"y\"\n"), [(1, s(&["a,b", "x\"y"]))]);
        assert_eq!(
            fields("# comment\n\n\"multi\nline\",z\nnext"),
            [(3, s(&["multi\nline", "z"])), (5, s(&["next"]))]
        );
        assert_eq!(fields(" \"Köln\" ,x"), [(1, s(&["Köln", "x"]))]);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            rows("a\n\"open,b\n").unwrap_err(),
            SyntaxError {
                line: 2,
                message: "a quoted field is not closed".into()
            }
        );
        assert_eq!(rows("a\nb,\"x\"y\n").unwrap_err().line, 2);
    }
}
