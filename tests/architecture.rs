//! The import rules of `src/` (docs/design.md, "Architecture"), checked on the source text:
//!
//! - the top-level modules form layers, and a module uses only modules of lower layers
//!   ([`LAYERS`]); in particular periods use nothing of flags, report or config, the report
//!   nothing of config or ingest, the metrics nothing of config, the athlete, the side inputs or
//!   the files, and the readers (ingest) nothing above the model and the leaf modules;
//! - no two source files import each other, directly or through others;
//! - clap appears only in `main.rs` and `cli.rs`;
//! - no code outside the readers and the model branches on the file format (`Format::Fit`,
//!   `Format::Gpx`, `Format::Tcx`): readers state capabilities instead;
//! - no text with a unit (°C, °F, km, mi, ft, min/km) is written outside `report/format.rs` in
//!   the flags, periods and report (the CSV writer's SI unit column excepted).
//!
//! A reference is a path `crate::a::b` or `super::a` in code (comments and the test modules at
//! the end of a file, or files that only exist for tests, are not looked at).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The top-level modules by layer, lowest first. A module may use modules of lower layers only.
const LAYERS: &[&[&str]] = &[
    // Leaves: the model and small helpers every layer may use.
    &["model", "units", "text", "names", "geo", "interrupt"],
    &["fault"],
    // Readers: bytes in, activities out.
    &["ingest", "gpxwrite"],
    // Per-activity metrics: activities in, records out.
    &["metrics"],
    // What works on records: time placement, duplicates, side inputs, the athlete profile, the
    // periods.
    &["localtime", "dedup", "enrich", "athlete", "periods"],
    &["flags", "ledger"],
    &["report", "config"],
    &["settings", "store"],
    &["exit"],
    &["app", "cli"],
];

/// One source file: its module path (`report::chart::plan`) and the code looked at.
struct Source {
    module: Vec<String>,
    path: PathBuf,
    code: String,
}

fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without the test module at its end.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        let code = match line.find("//") {
            // A `//` inside a string literal (a URL) is not a comment; the rules below never
            // need what follows one.
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// Child modules a file declares under `#[cfg(test)]`: files that exist only for tests.
fn test_children(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut out = Vec::new();
    for w in lines.windows(2) {
        if w[0] == "#[cfg(test)]" {
            let decl = w[1]
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ");
            if let Some(name) = decl.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
                out.push(name.to_string());
            }
        }
    }
    out
}

fn sources() -> Vec<Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                files.push(p);
            }
        }
    }
    files.sort();
    let texts: BTreeMap<Vec<String>, (PathBuf, String)> = files
        .into_iter()
        .map(|p| {
            (
                module_of(&src, &p),
                (p.clone(), fs::read_to_string(&p).unwrap()),
            )
        })
        .collect();
    let mut test_only: BTreeSet<Vec<String>> = BTreeSet::new();
    for (module, (_, text)) in &texts {
        // A file declares its own children; lib.rs declares the top-level modules.
        let parent = if module == &["lib"] {
            Vec::new()
        } else {
            module.clone()
        };
        for child in test_children(text) {
            let mut m = parent.clone();
            m.push(child);
            test_only.insert(m);
        }
    }
    texts
        .into_iter()
        .filter(|(m, _)| !test_only.iter().any(|t| m.starts_with(t)))
        .map(|(module, (path, text))| Source {
            module,
            path,
            code: code_of(&text),
        })
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The module paths a file's code refers to (`crate::a::b`, `super::a`), each as written up to
/// its last `::`-joined identifier.
fn references(s: &Source) -> Vec<Vec<String>> {
    let code = &s.code;
    let mut out = Vec::new();
    for (start, prefix) in [("crate::", true), ("super::", false)] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| is_ident(c) || c == '$' || c == ':') {
                continue;
            }
            let mut path: Vec<String> = if prefix {
                Vec::new()
            } else {
                // `super` of module a::b (file `a/b.rs` or `a/b/mod.rs`) is `a`.
                let mut p = s.module.clone();
                p.pop();
                p
            };
            let mut rest = &code[at + start.len()..];
            loop {
                let n = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
                if n == 0 {
                    break;
                }
                path.push(rest[..n].to_string());
                rest = &rest[n..];
                match rest.strip_prefix("::") {
                    Some(r) => rest = r,
                    None => break,
                }
            }
            out.push(path);
        }
    }
    out
}

/// The longest prefix of `path` that is a module of `modules`.
fn resolve(path: &[String], modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| modules.contains(p))
}

fn layer(top: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&top))
}

#[test]
fn every_top_level_module_has_a_layer() {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    for line in lib.lines() {
        if let Some(name) = line
            .strip_prefix("pub mod ")
            .and_then(|r| r.strip_suffix(';'))
        {
            assert!(layer(name).is_some(), "module {name} is in no layer");
        }
    }
}

#[test]
fn modules_use_only_lower_layers() {
    let sources = sources();
    let modules: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
    let mut wrong = Vec::new();
    for s in &sources {
        let Some(top) = s.module.first().filter(|t| *t != "lib" && *t != "main") else {
            continue;
        };
        let own = layer(top).unwrap_or_else(|| panic!("{top} is in no layer"));
        for r in references(s) {
            let Some(target) = resolve(&r, &modules) else {
                continue;
            };
            let to = &target[0];
            if to == top {
                continue;
            }
            let theirs = layer(to).unwrap_or_else(|| panic!("{to} is in no layer"));
            if theirs >= own {
                wrong.push(format!(
                    "{} uses {}",
                    s.module.join("::"),
                    target.join("::")
                ));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_import_circle_between_files() {
    let sources = sources();
    let modules: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for s in &sources {
        let targets = graph.entry(s.module.clone()).or_default();
        for r in references(s) {
            if let Some(t) = resolve(&r, &modules).filter(|t| *t != s.module) {
                targets.insert(t);
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        m: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<String>> {
        state.insert(m.clone(), 1);
        stack.push(m.clone());
        for t in graph.get(m).into_iter().flatten() {
            match state.get(t) {
                Some(1) => {
                    let i = stack.iter().position(|x| x == t).unwrap();
                    let mut circle: Vec<String> = stack[i..].iter().map(|x| x.join("::")).collect();
                    circle.push(t.join("::"));
                    return Some(circle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(t, graph, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(m.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in graph.keys() {
        if !state.contains_key(m) {
            if let Some(circle) = visit(m, &graph, &mut state, &mut Vec::new()) {
                panic!("import circle: {}", circle.join(" -> "));
            }
        }
    }
    assert!(graph.len() > 40, "{} files read", graph.len());
}

#[test]
fn clap_only_in_the_command_line() {
    for s in sources() {
        let allowed = s.module == ["cli"] || s.module == ["main"];
        assert!(
            allowed || !s.code.contains("clap::"),
            "{} uses clap",
            s.path.display()
        );
    }
}

#[test]
fn only_readers_branch_on_the_file_format() {
    for s in sources() {
        let reader = s.module.first().is_some_and(|m| m == "ingest") || s.module == ["model"];
        for f in ["Format::Fit", "Format::Gpx", "Format::Tcx"] {
            assert!(
                reader || !s.code.contains(f),
                "{} branches on {f}: state a capability in the reader instead",
                s.path.display()
            );
        }
    }
}

/// The string literals of some code (naively: between unescaped double quotes on a line).
fn literals(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in code.lines() {
        let mut inside = false;
        let mut cur = String::new();
        let mut escaped = false;
        for c in line.chars() {
            if inside {
                if escaped {
                    escaped = false;
                    cur.push(c);
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    out.push(std::mem::take(&mut cur));
                    inside = false;
                } else {
                    cur.push(c);
                }
            } else if c == '"' {
                inside = true;
            }
        }
    }
    out
}

#[test]
fn units_are_written_only_by_report_format() {
    let mut found = Vec::new();
    for s in sources() {
        let top = s.module.first().map(String::as_str);
        if !matches!(top, Some("flags" | "periods" | "report"))
            || s.module == ["report", "format"]
            || s.module == ["report", "csv"]
        {
            continue;
        }
        for lit in literals(&s.code) {
            let words: Vec<&str> = lit
                .split(|c: char| !(c.is_alphanumeric() || c == '°' || c == '/'))
                .collect();
            if words
                .iter()
                .any(|w| matches!(*w, "°C" | "°F" | "km" | "mi" | "ft" | "min/km" | "min/mi"))
            {
                found.push(format!("{}: {lit:?}", s.path.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "units outside report::format:\n{}",
        found.join("\n")
    );
}
