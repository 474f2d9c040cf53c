//! The caseload's figures at a glance are read for a list of ids at once, [`GLANCE_IDS`] per
//! query: a list longer than that is read in parts and nothing past the first part is lost;
//! an id outside the scope finds nothing; on both databases.

use kindred_domain::ids::ParticipantId;
use kindred_storage::{GLANCE_IDS, Reach, RecordWork, SeeWork};
use time::Duration;

use crate::support::{NOW, TestDb, on_both_backends};

on_both_backends!(figures_for_a_list_of_ids_cover_every_part_and_only_the_scope);

async fn figures_for_a_list_of_ids_cover_every_part_and_only_the_scope(db: TestDb) {
    let mut world = db.world().await;
    let mut people = Vec::new();
    for i in 0..GLANCE_IDS + 5 {
        people.push(world.enrol("Pat", &format!("Number {i:02}")).await);
    }
    let (first, second, late) = (&people[0], &people[1], &people[GLANCE_IDS + 2]);
    // Two contacts for the first (the later one counts), one past the first part of ids.
    world.contact_at(first, NOW - Duration::days(9), "earlier").await;
    world.contact_at(first, NOW - Duration::days(2), "later").await;
    world.contact_at(late, NOW - Duration::days(4), "past the first part").await;
    // Follow-up contacts planned: overdue for the first and the late one, ahead for the second.
    for (who, due) in [(first, -2), (late, -1), (second, 3), (second, 6)] {
        let grant = world.grant::<RecordWork>(who.id).await;
        let mut tx = world.tenant.write().await.expect("a write");
        tx.insert_follow_up_task(&grant, world.coach, NOW.date() + Duration::days(due), NOW)
            .await
            .expect("a follow-up task");
        tx.commit().await.expect("committed");
    }

    let ids: Vec<ParticipantId> = people.iter().map(|p| p.id).collect();
    let scope = world.scope::<SeeWork>();
    let mut session = world.tenant.read().await.expect("a read");
    let last = session.last_contacts(&scope, &ids).await.expect("last contacts");
    assert_eq!(last.len(), 2, "{last:?}");
    assert_eq!(last[&first.id], NOW - Duration::days(2));
    assert_eq!(last[&late.id], NOW - Duration::days(4));

    let overdue = session.overdue_task_counts(&scope, &ids, NOW.date()).await.expect("overdue");
    assert_eq!(overdue.len(), 2, "{overdue:?}");
    assert_eq!((overdue[&first.id], overdue[&late.id]), (1, 1));
    let next = session
        .next_open_tasks(&scope, &ids, "follow_up", NOW.date())
        .await
        .expect("next contacts");
    assert_eq!(next.len(), 1, "past-due follow-ups are not next: {next:?}");
    assert_eq!(next[&second.id], NOW.date() + Duration::days(3));

    // A coach's scope of someone else's caseload finds none of them.
    let elsewhere = db.key.scope::<SeeWork>(world.org, Reach::Coach(world.manager));
    assert!(session.last_contacts(&elsewhere, &ids).await.expect("read").is_empty());
    assert!(
        session.overdue_task_counts(&elsewhere, &ids, NOW.date()).await.expect("read").is_empty()
    );
}
