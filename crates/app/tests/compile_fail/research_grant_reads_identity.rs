// An evaluator's research grant used to read the identified record.
use kindred_storage::{Grant, Read, Research, Session};

async fn identify(session: &mut Session<Read>, grant: &Grant<Research>) {
    let _ = session.participant(grant).await;
}

fn main() {}
