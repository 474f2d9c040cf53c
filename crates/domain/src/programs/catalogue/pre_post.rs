//! Templates from the studies that compared participants with their own baseline: three
//! pre-post studies, and the housing study, which also compared relapse with the previous
//! year's residents (a historical cohort, so its design is quasi-experimental).

use super::{COSTS_2, COSTS_5, COSTS_10, from_enrolment, rules, studies};
use crate::programs::templates::{ProgramTemplate, Study};
use crate::vocabulary::{Activity, StudyDesign};

pub(super) const RURAL_PEER_COUNSELING: ProgramTemplate = ProgramTemplate {
    code: "rural_peer_counseling",
    name: "One-to-one peer counseling",
    model: "One-to-one peer counseling (rural women with HIV)",
    description: "One-to-one peer counseling for women with HIV and a substance use problem in a \
        rural area: emotional and informational support to build motivation to change their \
        substance use and ways of coping with substance use and HIV. The study was a small pilot \
        and sets no peer qualifications or schedule. Kindred's defaults: no qualification rules; \
        a first session within 7 days and a review of the person's goals at about 6 weeks; a \
        caseload of 10 (rural home visits take time); $20.00 an hour; $10.00 per in-person \
        contact (rural travel), $0.50 by phone or video, $0.10 by text.",
    study: Study {
        authors: "Boyd MR, Moneyham L, Murdaugh C, Phillips KD, Tavakoli A, Jackson K, Jackson N, Vyavaharkar M",
        year: 2005,
        title: "A peer-based substance abuse intervention for HIV+ rural women: a pilot study",
        journal: "Archives of Psychiatric Nursing 19(1):10–17",
        design: StudyDesign::PrePost,
        participants: 13,
        population: "Women with substance use disorders and HIV in a rural setting",
    },
    components: &[
        ("Emotional support", "Empathy and encouragement from a peer who understands."),
        ("Informational support", "Information and skills about substance use and HIV."),
        (
            "Motivation to change",
            "Exploring the person's own reasons to change their substance use.",
        ),
        ("Coping strategies", "Ways of coping with substance use and HIV."),
    ],
    protocol: &[
        from_enrolment(
            "first_session",
            "First peer counseling session",
            "The first one-to-one session.",
            (3, 0, 7),
            Activity::MotivationalConversation,
        ),
        from_enrolment(
            "goals_review",
            "Review of goals",
            "Look back together at what has changed and what the person wants next.",
            (42, 35, 49),
            Activity::RecoveryPlanning,
        ),
    ],
    eligibility: rules(None, false, None),
    target_caseload: 10,
    hourly_staff_cost_cents: 2000,
    contact_costs: &COSTS_10,
    measures: &[
        "Recognising substance use as a problem and stage of change",
        "Substance use and its consequences",
        "Loss of control over use",
        "Self-advocacy",
    ],
    study_design: studies::RURAL_PEER_COUNSELING,
};

pub(super) const HOUSING_PEER_SUPPORT_COMMUNITY: ProgramTemplate = ProgramTemplate {
    code: "housing_peer_support_community",
    name: "Peer support community in housing",
    model: "Peer support community in supported housing",
    description: "A peer-support community inside a permanent supported housing program for \
        people recovering from addiction and homelessness: handouts and readings on occupation, \
        and groups on leadership, group communication and group facilitation, with residents \
        taking on roles in the community. In the study relapse in the year after fell to 7%, \
        against 24% among the previous year's residents (a historical cohort; significance not \
        reported), and social support improved against the residents' own baseline. The study sets no \
        peer qualifications. Kindred's defaults: no qualification rules; an orientation to the \
        community within 14 days and a first peer group within 30; a caseload of 18 (the size of \
        the study's community); $20.00 an hour; $2.00 per in-person contact (on site), $0.50 by \
        phone or video, $0.10 by text.",
    study: Study {
        authors: "Boisvert RA, Martin LM, Grosek M, Clarie AJ",
        year: 2008,
        title: "Effectiveness of a peer-support community in addiction recovery: participation as intervention",
        journal: "Occupational Therapy International 15(4):205–220",
        design: StudyDesign::QuasiExperimental,
        participants: 18,
        population: "People in recovery from addiction in a permanent supported housing program",
    },
    components: &[
        ("Occupation", "Handouts and readings on roles and meaningful occupation."),
        ("Leadership groups", "Groups on taking a lead in the community."),
        ("Group communication", "Groups on communicating in a group."),
        ("Group facilitation", "Learning to facilitate the community's own groups."),
    ],
    protocol: &[
        from_enrolment(
            "community_orientation",
            "Orientation to the community",
            "Welcome the person and explain how the community works and the roles in it.",
            (7, 0, 14),
            Activity::Education,
        ),
        from_enrolment(
            "first_peer_group",
            "First peer group",
            "The person's first leadership or communication group.",
            (14, 0, 30),
            Activity::PeerGroup,
        ),
    ],
    eligibility: rules(None, false, None),
    target_caseload: 18,
    hourly_staff_cost_cents: 2000,
    contact_costs: &COSTS_2,
    measures: &[
        "Relapse in the year after, compared with the previous year's residents (a historical cohort)",
        "Perceived community affiliation and supportive behaviours",
        "Social support (Medical Outcomes Study Social Support Survey)",
        "Self-determination",
        "Quality of life",
    ],
    study_design: studies::HOUSING_PEER_SUPPORT_COMMUNITY,
};

pub(super) const REENTRY_PEER_COACHING: ProgramTemplate = ProgramTemplate {
    code: "reentry_peer_coaching",
    name: "Reentry peer coaching",
    model: "Reentry peer coaching",
    description: "Peer coaching for people in recovery who have been incarcerated, and for their \
        families and significant others: a peer coach and role models, social opportunities, \
        health and wellness services, and skills to prosper (job search resources, workshops and \
        leadership opportunities), one to one and in groups. In the study (PROSPER) participants \
        reported more self-efficacy, social support and quality of life and less stress after a \
        year (no data were shown). The study sets no peer qualifications. Kindred's defaults: no \
        qualification rules; a first coaching session within 7 days and a job-search session \
        from day 14 to day 60; a caseload of 25; $20.00 an hour; $5.00 per in-person contact, \
        $0.50 by phone or video, $0.10 by text.",
    study: Study {
        authors: "Andreas D, Ja DY, Wilson S",
        year: 2010,
        title: "Peers Reach Out Supporting Peers to Embrace Recovery (PROSPER): a Center for Substance Abuse Treatment Recovery Community Services Program",
        journal: "Alcoholism Treatment Quarterly 28(3)",
        design: StudyDesign::PrePost,
        participants: 509,
        population: "People in recovery who had been incarcerated, and their families and significant others",
    },
    components: &[
        ("Peer coaching", "A peer coach who has come home from incarceration too."),
        ("Role models", "People further along in recovery and reentry."),
        ("Social opportunities", "Sober social and recreational activities."),
        ("Health and wellness", "Health and wellness services and activities."),
        ("Job search and workshops", "Job search resources and skills workshops."),
        ("Leadership", "Opportunities to lead in the recovery community."),
    ],
    protocol: &[
        from_enrolment(
            "first_coaching_session",
            "First coaching session",
            "Meet, hear what the person wants from reentry, and start their recovery plan.",
            (3, 0, 7),
            Activity::RecoveryPlanning,
        ),
        from_enrolment(
            "job_search_session",
            "Job search session",
            "Work on job search together: resources, applications or a workshop.",
            (30, 14, 60),
            Activity::EmploymentSupport,
        ),
    ],
    eligibility: rules(None, false, None),
    target_caseload: 25,
    hourly_staff_cost_cents: 2000,
    contact_costs: &COSTS_5,
    measures: &["Self-efficacy", "Perceived social support", "Perceived stress", "Quality of life"],
    study_design: studies::REENTRY_PEER_COACHING,
};

pub(super) const RECOVERY_COMMUNITY_CENTER: ProgramTemplate = ProgramTemplate {
    code: "recovery_community_center",
    name: "Recovery community center",
    model: "Recovery community center",
    description: "A peer-run recovery community center: a drop-in resource center, clean and sober \
        social and recreational activities, self-help meetings, a café that is also a job \
        training program for peers, and leadership training for civic engagement of people in \
        recovery. In the study (Recovery Association Project) 86% of participants reported no \
        alcohol or drug use in the past 30 days at 6 months (no baseline was reported). The study \
        sets no peer qualifications. Kindred's defaults: no qualification rules; a welcome visit \
        within 7 days and a first sober social activity within 30; a caseload of 50 (a drop-in \
        service); $18.00 an hour; $2.00 per in-person contact, $0.50 by phone or video, $0.10 by \
        text.",
    study: Study {
        authors: "Armitage EV, Lyons H, Moore TL",
        year: 2010,
        title: "Recovery Association Project (RAP), Portland, Oregon",
        journal: "Alcoholism Treatment Quarterly 28(3)",
        design: StudyDesign::PrePost,
        participants: 152,
        population: "People in recovery from addiction and their families",
    },
    components: &[
        ("Drop-in resource center", "A place to come in, find resources and meet peers."),
        ("Sober social activities", "Clean and sober social and recreational activities."),
        ("Self-help meetings", "Mutual-help meetings held at the center."),
        ("Café and job training", "A café that trains peers for work."),
        ("Leadership training", "Training for civic engagement of people in recovery."),
    ],
    protocol: &[
        from_enrolment(
            "welcome_visit",
            "Welcome visit",
            "Show the person around the center and what it offers.",
            (0, 0, 7),
            Activity::Education,
        ),
        from_enrolment(
            "first_social_activity",
            "First sober social activity",
            "The person's first social or recreational activity at the center.",
            (14, 0, 30),
            Activity::SoberSocialActivity,
        ),
    ],
    eligibility: rules(None, false, None),
    target_caseload: 50,
    hourly_staff_cost_cents: 1800,
    contact_costs: &COSTS_2,
    measures: &[
        "Past-30-day alcohol and drug use at 6 months",
        "Satisfaction: would recommend, found services and materials helpful",
        "Progress towards the center's goals",
    ],
    study_design: studies::RECOVERY_COMMUNITY_CENTER,
};
