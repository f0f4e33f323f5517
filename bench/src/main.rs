//! `xil-bench`: run the papers' experiments from the command line. This
//! file parses and dispatches; [`cli`] holds one file per subcommand.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            use clap::error::ErrorKind;
            if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                print!("{error}");
                return ExitCode::SUCCESS;
            }
            // One line: clap's message up to its usage, with the lines that
            // list missing arguments joined on; --help has the rest.
            let rendered = error.render().to_string();
            let message: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .take_while(|line| !line.starts_with("Usage:"))
                .filter(|line| {
                    !line.is_empty() && !line.starts_with("tip:") && !line.starts_with("For more information")
                })
                .collect();
            let message = message.join(" ");
            eprintln!("xil-bench: {} (see --help)", message.trim_start_matches("error: "));
            return ExitCode::from(2);
        }
    };
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xil-bench: {message}");
            ExitCode::FAILURE
        }
    }
}
