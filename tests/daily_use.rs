//! End-to-end tests of what a daily user meets first (issue 18): argument errors in plain
//! words, shell completions, the man page, `--version`, `--help` examples.

mod common;

use common::calfguard;

#[test]
fn threads_zero_says_at_least_one() {
    let out = calfguard()
        .args(["analyze", "anything", "--threads", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("must be at least 1"), "{err}");
}

fn stdout_of(args: &[&str]) -> String {
    let out = calfguard().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Whether `program` can be started (checks that need a shell or `man` run where they exist).
fn have(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok()
}

/// Check a script with `shell -n` (parse only).
fn parses(shell: &str, script: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("completion");
    std::fs::write(&path, script).unwrap();
    let out = std::process::Command::new(shell)
        .arg("-n")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{shell} -n rejects the completion script: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn completions_for_every_shell_name_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout_of(&["completions", shell]);
        for word in ["analyze", "summary", "init", "fail-on", "week"] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
    }
    // bash is always there (cargo's test machines and CI have it); the others where installed.
    parses("bash", &stdout_of(&["completions", "bash"]));
    for shell in ["zsh", "fish"] {
        if have(shell) {
            parses(shell, &stdout_of(&["completions", shell]));
        } else {
            eprintln!("{shell} not installed: its completion script was not parsed");
        }
    }
    // The bash script really completes: load it and ask for the words after `calfguard su`.
    let script = stdout_of(&["completions", "bash"]);
    let probe = format!(
        "{script}\nCOMP_WORDS=(calfguard su); COMP_CWORD=1; COMP_LINE='calfguard su'; \
         COMP_POINT=${{#COMP_LINE}}; _calfguard calfguard su calfguard; echo \"${{COMPREPLY[@]}}\""
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &probe])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "summary");
    // An unknown shell is a usage error.
    calfguard().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn man_page_is_roff_and_renders() {
    let page = stdout_of(&["man"]);
    assert!(page.contains(".TH calfguard 1"), "{page}");
    for section in [
        ".SH SYNOPSIS",
        ".SH COMMANDS",
        ".SH \"CALFGUARD ANALYZE\"",
        ".SH \"CALFGUARD SUMMARY\"",
        ".SH \"EXIT STATUS\"",
    ] {
        assert!(page.contains(section), "man page lacks {section}");
    }
    if !have("man") {
        eprintln!("man not installed: the page was checked for its sections only");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calfguard.1");
    std::fs::write(&path, &page).unwrap();
    let out = std::process::Command::new("man")
        .arg("-l")
        .arg(&path)
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .unwrap();
    assert!(out.status.success(), "man -l: {out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    // Rendered: the roff requests are gone, options keep their plain hyphens.
    assert!(!text.contains(".SH"), "{text}");
    assert!(text.contains("--fail-on"), "{text}");
    assert!(
        text.contains("calfguard summary ~/exports --week 2026-W47"),
        "{text}"
    );
}

#[test]
fn help_of_each_command_has_examples() {
    for cmd in ["analyze", "summary", "init"] {
        let help = stdout_of(&[cmd, "--help"]);
        assert!(help.contains("Examples:"), "{cmd} --help: {help}");
        assert!(
            help.contains(&format!("calfguard {cmd} ")),
            "{cmd} --help: {help}"
        );
    }
}

#[test]
fn version_names_the_checkout_it_was_built_from() {
    let version = stdout_of(&["--version"]);
    let pkg = env!("CARGO_PKG_VERSION");
    assert!(
        version.starts_with(&format!("calfguard {pkg}")),
        "{version}"
    );
    let root = common::root();
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"]);
    let is_checkout = top
        .is_some_and(|t| std::path::Path::new(&t).canonicalize().ok() == root.canonicalize().ok());
    if is_checkout {
        let describe = git(&["describe", "--tags", "--always"]).unwrap();
        assert_eq!(version.trim(), format!("calfguard {pkg} ({describe})"));
    } else {
        assert_eq!(version.trim(), format!("calfguard {pkg}"));
    }
}

#[test]
fn toml_syntax_error_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("calfguard.toml");
    std::fs::write(&config, "[athlete]\nhr_max_bpm = 18 8\n").unwrap();
    let input = common::input_dir(&["pyfitparse_fenix5_run_short.fit"]);
    let out = calfguard()
        .arg("summary")
        .arg(input.path())
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("calfguard.toml: not valid TOML at line 2, column 14"),
        "{err}"
    );
}
