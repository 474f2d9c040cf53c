//! Seed data, made through the storage API as the application would: an organisation, a
//! manager and a coach, and participants on the coach's caseload.

use kindred_domain::contact::{ContactFields, NewContact};
use kindred_domain::ids::{ContactId, OrgId, ParticipantId, UserId};
use kindred_domain::org::OrgSlug;
use kindred_domain::participant::{Baseline, Enrolment, Identity, NewParticipant};
use kindred_domain::user::{EmailAddress, Roles};
use kindred_domain::vocabulary::{
    Activity, AgeBand, ContactFormat, ContactMode, ParticipantStatus, Role, SupportKind,
    YesNoUnknown,
};
use kindred_storage::{
    Enrol, Grant, Identified, NewUser, ParticipantFacts, ParticipantQuery, Reach, RecordWork,
    Scope, Tenant,
};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

use super::TestDb;

/// When the seed data was written.
pub const NOW: OffsetDateTime = datetime!(2026-11-23 09:30:00 UTC);
pub const BORN: Date = date!(1988 - 06 - 15);

/// One organisation with a manager and a coach.
pub struct World<'db> {
    pub db: &'db TestDb,
    pub org: OrgId,
    pub tenant: Tenant,
    pub manager: UserId,
    pub coach: UserId,
    enrolled: u32,
}

/// A participant as the tests name them.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: ParticipantId,
    pub reference: String,
}

impl TestDb {
    pub async fn world(&self) -> World<'_> {
        let slug = OrgSlug::parse("riverside").expect("a slug");
        let organisation = self
            .database
            .create_organisation(&slug, "Riverside Recovery", NOW)
            .await
            .expect("an organisation");
        let tenant = self.database.tenant(organisation.id);
        let manager = UserId::generate();
        let coach = UserId::generate();
        let mut tx = tenant.write().await.expect("a write");
        for (id, email, name, role) in [
            (manager, "manager@riverside.test", "Morgan Manager", Role::Manager),
            (coach, "coach@riverside.test", "Jamie Coach", Role::Coach),
        ] {
            let user = NewUser {
                id,
                email: EmailAddress::parse(email).expect("an email"),
                display_name: name.to_owned(),
                password_hash: "not a real hash".to_owned(),
                roles: Roles::default().with(role),
                supervisor_id: None,
            };
            tx.insert_user(&user, NOW).await.expect("a user");
        }
        tx.commit().await.expect("committed");
        World { db: self, org: organisation.id, tenant, manager, coach, enrolled: 0 }
    }
}

impl World<'_> {
    /// The organisation-wide scope a manager's policy would give.
    pub fn scope<A: kindred_storage::Access>(&self) -> Scope<A> {
        self.db.key.scope::<A>(self.org, Reach::Organisation)
    }

    /// A grant of `A` on this participant.
    pub async fn grant<A: kindred_storage::Access>(&self, id: ParticipantId) -> Grant<A> {
        let facts: ParticipantFacts = self
            .tenant
            .read()
            .await
            .expect("a read")
            .participant_facts(id)
            .await
            .expect("facts")
            .expect("the participant exists");
        self.db.key.grant::<A>(&facts)
    }

    /// Enrols someone on the coach's caseload.
    pub async fn enrol(&mut self, given: &str, family: &str) -> Person {
        self.enrol_born(given, family, BORN).await
    }

    pub async fn enrol_born(&mut self, given: &str, family: &str, born: Date) -> Person {
        self.enrolled += 1;
        let reference = format!("P-{:04}", self.enrolled);
        let id = ParticipantId::generate();
        let new = NewParticipant {
            identity: Identity {
                given_name: given.to_owned(),
                family_name: family.to_owned(),
                preferred_name: None,
                date_of_birth: born,
                phone: None,
                email: None,
            },
            enrolment: Enrolment {
                program_id: None,
                enrolled_on: NOW.date(),
                setting: None,
                referral_source: None,
                treatment_phase: None,
                coach_id: Some(self.coach),
                status: ParticipantStatus::Active,
                left_on: None,
            },
            baseline: Baseline {
                age_band: AgeBand::From35To44,
                gender: None,
                primary_substance: None,
                co_occurring_mental_disorder: YesNoUnknown::Unknown,
                housing: None,
                justice_involvement: None,
                pregnant: YesNoUnknown::Unknown,
                veteran: YesNoUnknown::Unknown,
            },
        };
        let mut tx = self.tenant.write().await.expect("a write");
        tx.insert_participant(&self.scope::<Enrol>(), id, &reference, &new, NOW)
            .await
            .expect("enrolled");
        tx.commit().await.expect("committed");
        Person { id, reference }
    }

    /// The caseload's names, in its order, for a search (`None`: everyone).
    pub async fn caseload(&self, search: Option<&str>) -> Vec<String> {
        self.caseload_page(search, 100, 0).await
    }

    pub async fn caseload_page(
        &self,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Vec<String> {
        let query = ParticipantQuery {
            status: None,
            search: search.map(str::to_owned),
            limit,
            offset,
            count_up_to: kindred_storage::COUNT_CAP,
        };
        let mut session = self.tenant.read().await.expect("a read");
        let (page, total) =
            session.participants(&self.scope::<Identified>(), &query).await.expect("the caseload");
        if offset == 0 && limit >= total {
            assert_eq!(
                total,
                i64::try_from(page.len()).expect("a count"),
                "the total counts the page"
            );
        }
        page.into_iter().map(|p| p.display_name).collect()
    }

    /// Records a contact with the participant at `at`.
    pub async fn contact_at(&self, who: &Person, at: OffsetDateTime, note: &str) -> ContactId {
        let grant = self.grant::<RecordWork>(who.id).await;
        let id = ContactId::generate();
        let contact =
            NewContact { participant_id: who.id, task_id: None, fields: fields(at, note) };
        let mut tx = self.tenant.write().await.expect("a write");
        tx.insert_contact(&grant, id, self.coach, &contact, None, NOW).await.expect("a contact");
        tx.commit().await.expect("committed");
        id
    }
}

/// A phone check-in at `at`.
pub fn fields(at: OffsetDateTime, note: &str) -> ContactFields {
    ContactFields {
        occurred_at: at,
        minutes: 20,
        mode: ContactMode::Phone,
        format: ContactFormat::OneToOne,
        support_kinds: vec![SupportKind::Emotional],
        activities: vec![Activity::CheckIn],
        setting: None,
        component: None,
        note: Some(note.to_owned()),
        next_follow_up_on: None,
    }
}
