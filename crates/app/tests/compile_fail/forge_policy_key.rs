// The policy's key made by hand (the database hands out exactly one, to the policy).
fn main() {
    let _key = kindred_storage::PolicyKey { _private: () };
}
