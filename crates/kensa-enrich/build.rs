//! Tells the tests whether `../shared/data` (real public reference data beside the repository)
//! is here: without it, the tests that need it are reported as ignored rather than passing
//! silently, and under `CI=true` its absence fails the build.
fn main() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    println!("cargo::rustc-check-cfg=cfg(kensa_no_shared_data)");
    println!("cargo::rerun-if-changed={}", data.display());
    println!("cargo::rerun-if-env-changed=CI");
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
