// Creating a program needs the manager handle, not just someone signed in.
use kindred_app::{Actor, App};
use kindred_domain::programs::ProgramInput;

async fn create(app: &App, actor: &Actor, input: &ProgramInput) {
    let _ = app.create_program(actor, input).await;
}

fn main() {}
