//! `cargo xtask`: repository chores. `cargo xtask figures [NAME...]` regenerates the figures
//! of the reproduced papers into `docs/figures/` (NAME.svg, NAME.png and NAME.csv, the data
//! exactly as plotted); without NAME it builds them all.

mod annealing_figures;
mod collapse_figures;
mod degenerate_figures;
mod diagonal_figures;
mod generalisation_figures;
mod phase_figures;
mod registry;
mod rl_figures;
mod schedule_figures;
mod setups;

use anyhow::{Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        None | Some("help" | "-h" | "--help") => {
            print!("{}", usage());
            Ok(())
        }
        Some("figures") => build_figures(&args[1..]),
        Some(other) => bail!("unknown command `{other}`\n\n{}", usage()),
    }
}

fn usage() -> String {
    let mut text = String::from(
        "Usage: cargo xtask <COMMAND>\n\n\
         Commands:\n  \
         figures [NAME...]  regenerate figures into docs/figures/ (NAME.svg, NAME.png, NAME.csv);\n                     \
         all of them without NAME\n  \
         help               print this message\n\n\
         Figures:\n",
    );
    for spec in &registry::ALL {
        text.push_str(&format!("  {:<30} {}\n", spec.name, spec.summary));
    }
    text
}

fn build_figures(names: &[String]) -> Result<()> {
    let selected: Vec<&registry::FigureSpec> = if names.is_empty() {
        registry::ALL.iter().collect()
    } else {
        let mut picked = Vec::new();
        for name in names {
            match registry::ALL.iter().find(|spec| spec.name == name) {
                Some(spec) => picked.push(spec),
                None => {
                    let known: Vec<_> = registry::ALL.iter().map(|spec| spec.name).collect();
                    bail!(
                        "unknown figure `{name}`; known figures: {}",
                        known.join(", ")
                    );
                }
            }
        }
        picked
    };

    catapult_plot::register_font()?;
    let dir = figures_dir()?;
    let total = Instant::now();
    for spec in selected {
        let start = Instant::now();
        let built = (spec.build)()?;
        let written = catapult_plot::write_figure(&built.figure, &dir, spec.name)?;
        println!("{} ({:.2} s)", spec.name, start.elapsed().as_secs_f64());
        for path in written {
            println!("  wrote {}", path.display());
        }
        for note in &built.notes {
            println!("  note: {note}");
        }
    }
    println!("total {:.2} s", total.elapsed().as_secs_f64());
    Ok(())
}

/// `docs/figures` of the workspace, found from this crate's manifest directory so the command
/// works from any working directory.
fn figures_dir() -> Result<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.parent().ok_or_else(|| {
        anyhow!(
            "{} has no parent: cannot find the workspace root",
            manifest.display()
        )
    })?;
    Ok(root.join("docs").join("figures"))
}
