//! Permission by construction, checked by the compiler: participant data cannot be read or
//! written without the policy's proof, a proof cannot be forged, a research grant does not
//! reach the identity, and a role-only use case cannot be called without the role handle.
//! Each case in `compile_fail/` must fail to compile with the error in its `.stderr` file
//! (regenerate those with `TRYBUILD=overwrite cargo test -p kindred-app --test compile_fail`
//! after a deliberate change, and read the diff).

#[test]
fn use_cases_that_skip_the_policy_do_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/compile_fail/*.rs");
}
