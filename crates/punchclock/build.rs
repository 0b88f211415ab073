// Migrations are embedded with `sqlx::migrate!`; rebuild when they change.
//
// The PostgreSQL store tests are compiled as ignored unless
// PUNCHCLOCK_TEST_POSTGRES_URL is set when they are built (cfg
// `postgres_tests`), so `cargo test` without a server reports them as
// "ignored", never as passed. Setting or unsetting the variable rebuilds.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-env-changed=PUNCHCLOCK_TEST_POSTGRES_URL");
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    let url = std::env::var("PUNCHCLOCK_TEST_POSTGRES_URL").unwrap_or_default();
    if !url.is_empty() {
        println!("cargo:rustc-cfg=postgres_tests");
    }
}
