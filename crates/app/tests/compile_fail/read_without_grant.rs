// A participant's contacts without the policy's grant: there is nothing to pass.
use kindred_domain::ids::ParticipantId;
use kindred_storage::{ContactQuery, Read, Session};

async fn contacts(session: &mut Session<Read>, participant: ParticipantId) {
    let _ = session.contacts_of(participant, &ContactQuery::default()).await;
}

fn main() {}
