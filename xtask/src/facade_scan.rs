//! Which raw client methods the handwritten facade calls.
//!
//! A source file is tokenized (comments and doc examples drop out) and every `.name(` is a
//! method call; macro bodies are token trees too, so calls inside `format!` or `tokio::select!`
//! count. The raw method of an operation is named as progenitor names it: the operationId in
//! snake case.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow};
use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// Folders of `src/` that are not the facade: the generated layer and the emulator (which serves
/// the API rather than calling it).
pub const NOT_FACADE: &[&str] = &["raw", "emulator"];

pub use playflow_codegen::names::raw_method_name;

/// The facade's source files: `src/**/*.rs` outside [`NOT_FACADE`], sorted.
pub fn facade_sources(src: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    collect(src, src, &mut files)?;
    files.sort();
    Ok(files)
}

fn collect(src: &Path, dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot list {}", dir.display()))?
            .path();
        if path.is_dir() {
            let top_level_excluded = dir == src
                && path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| NOT_FACADE.contains(&n));
            if !top_level_excluded {
                collect(src, &path, files)?;
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

/// Every method name called as `.name(` in `source`.
pub fn method_calls(source: &str) -> Result<BTreeSet<String>> {
    let tokens: TokenStream = source
        .parse()
        .map_err(|e| anyhow!("cannot tokenize: {e}"))?;
    let mut calls = BTreeSet::new();
    scan(tokens, &mut calls);
    Ok(calls)
}

fn scan(tokens: TokenStream, calls: &mut BTreeSet<String>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Group(group) => scan(group.stream(), calls),
            TokenTree::Punct(dot) if dot.as_char() == '.' => {
                let preceded_by_dot =
                    i > 0 && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '.');
                if let (false, Some(TokenTree::Ident(name)), Some(TokenTree::Group(args))) =
                    (preceded_by_dot, tokens.get(i + 1), tokens.get(i + 2))
                    && args.delimiter() == Delimiter::Parenthesis
                {
                    calls.insert(name.to_string());
                }
            }
            _ => {}
        }
    }
}

/// Every method called anywhere in the facade sources.
pub fn facade_method_calls(src: &Path) -> Result<BTreeSet<String>> {
    let mut calls = BTreeSet::new();
    for file in facade_sources(src)? {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        calls.extend(method_calls(&text).with_context(|| format!("in {}", file.display()))?);
    }
    Ok(calls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_progenitor() {
        assert_eq!(raw_method_name("startServer"), "start_server");
        assert_eq!(raw_method_name("getServerLogs"), "get_server_logs");
        assert_eq!(raw_method_name("get-health"), "get_health");
        assert_eq!(raw_method_name("type"), "type_");
    }

    #[test]
    fn finds_calls_in_code_and_macros_not_in_comments() {
        let source = r#"
            /// Calls `client.doc_only()` in an example:
            /// ```
            /// client.in_doctest().await;
            /// ```
            async fn f(c: &Client) {
                // c.commented_out()
                let r = c.start_server().body(x).send().await;
                println!("{}", c.get_health().await);
                let range = 0..len(3);
                let field = c.not_a_call;
            }
        "#;
        let calls = method_calls(source).unwrap();
        let calls: Vec<&str> = calls.iter().map(String::as_str).collect();
        assert_eq!(calls, ["body", "get_health", "send", "start_server"]);
    }
}
