//! The `calfguard` binary: parse the command line, run, map the outcome to an exit code.
use calfguard::app::{run_analyze, run_init, run_summary, SummaryFormat};
use calfguard::cli::{settings, Cli, Command, StoreCommand, SummaryFormatArg};
use calfguard::exit::Exit;
use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; a closed pipe while printing them is not either.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                Exit::Usage.code()
            } else {
                0
            });
        }
    };
    let result = match cli.command {
        Command::Analyze(args) => match settings(args.input, args.out, args.week) {
            Ok(s) => run_analyze(&s),
            Err(e) => Err(e.into()),
        },
        Command::Summary(args) => match settings(args.input, Default::default(), args.week) {
            Ok(s) => run_summary(
                &s,
                match args.format {
                    SummaryFormatArg::Md => SummaryFormat::Markdown,
                    SummaryFormatArg::Json => SummaryFormat::Json,
                },
            ),
            Err(e) => Err(e.into()),
        },
        Command::Init(args) => run_init(args.config.as_deref(), args.force),
        Command::Completions(args) => {
            let mut out = Vec::new();
            calfguard::cli::write_completions(args.shell, &mut out);
            print_out(&out)
        }
        Command::Man => {
            let mut out = Vec::new();
            match calfguard::cli::write_man(&mut out) {
                Ok(()) => print_out(&out),
                Err(e) => Err(e.into()),
            }
        }
        Command::Store(StoreCommand::Info { store }) => calfguard::app::run_store_info(store),
        Command::Store(StoreCommand::Prune { store, paths }) => {
            calfguard::app::run_store_prune(store, &paths)
        }
    };
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "calfguard: error: {e:#}");
            ExitCode::from(Exit::Usage.code())
        }
    }
}

/// Print generated text on stdout; a closed pipe (`calfguard man | head`) is not an error.
fn print_out(bytes: &[u8]) -> anyhow::Result<Exit> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(Exit::Done),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Done),
        Err(e) => Err(anyhow::Error::new(e).context("cannot write to stdout")),
    }
}
