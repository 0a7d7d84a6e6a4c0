//! Build script of kensa-enrich, kensa-screen, kensa-demo, kensa-adapt and kensa-cli (their
//! `build` key). Tells the
//! tests whether `../shared/data` (real public reference data beside the repository)
//! is here: without it, the tests that need it are reported as ignored rather than passing
//! silently, and under `CI=true` its absence fails the build.
fn main() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    let data = shared.join("data");
    println!("cargo::rustc-check-cfg=cfg(kensa_no_shared_data)");
    println!("cargo::rerun-if-env-changed=CI");
    // Watch the folder, or the nearest one that exists (a path that does not exist would
    // re-run this script, and rebuild the crate, on every build).
    if data.is_dir() {
        println!("cargo::rerun-if-changed={}", data.display());
    } else if shared.is_dir() {
        println!("cargo::rerun-if-changed={}", shared.display());
    } else {
        println!("cargo::rerun-if-changed=build.rs");
    }
    if !data.is_dir() {
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!(
                "CI is set but {} is missing: the tests that need it cannot run",
                data.display()
            );
        }
        println!("cargo::rustc-cfg=kensa_no_shared_data");
    }
}
