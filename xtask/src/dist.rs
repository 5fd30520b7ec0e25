//! `cargo xtask dist`: build the single release binary (the client built into the server, see
//! [`crate::run::build_release`]) and print its path and size: the file to copy to a host.

use crate::run;
use crate::shell::{Error, step};
use crate::tools::{self, Needs};

pub fn dist() -> Result<(), Error> {
    tools::ensure(Needs::Build)?;
    run::build_release()?;
    step("The single binary");
    let binary = run::binary();
    let size = std::fs::metadata(&binary)
        .map_err(|source| Error::Io {
            what: format!("reading {}", binary.display()),
            source,
        })?
        .len();
    println!(
        "{}  {:.1} MB ({size} bytes), client built in; run it with no --dist",
        binary.display(),
        size as f64 / 1e6
    );
    Ok(())
}
