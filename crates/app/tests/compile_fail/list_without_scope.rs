// A list of contacts without the policy's scope ("rows I wrote" is not a scope).
use kindred_storage::{ContactQuery, Read, Session};

async fn everyone(session: &mut Session<Read>) {
    let _ = session.contacts(&ContactQuery::default()).await;
}

fn main() {}
