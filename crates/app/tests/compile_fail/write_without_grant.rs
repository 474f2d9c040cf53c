// Recording work about a participant without the policy's grant.
use kindred_domain::ids::{ParticipantId, UserId};
use kindred_storage::{Session, Write};

async fn follow_up(session: &mut Session<Write>, participant: ParticipantId, coach: UserId) {
    let due = time::macros::date!(2026 - 12 - 24);
    let now = time::OffsetDateTime::now_utc();
    let _ = session.insert_follow_up_task(participant, coach, due, now).await;
}

fn main() {}
