//! Templates from the studies with a comparison group: the two randomised trials and the
//! four quasi-experimental comparisons.

use super::{COSTS_5, COSTS_8, COSTS_12, from_enrolment, from_first_appointment, rules};
use super::{studies_controlled, studies_randomised};
use crate::programs::templates::{ProgramTemplate, Study};
use crate::vocabulary::{Activity, AppointmentKind, StudyDesign};

// The code keeps its first name: programs store it, so it must not change. The study itself
// was in hospital walk-in clinics, not an emergency department, and the template says so.
pub(super) const ED_BRIEF_INTERVENTION: ProgramTemplate = ProgramTemplate {
    code: "ed_brief_intervention",
    name: "Clinic brief motivational intervention",
    model: "Brief motivational intervention (hospital walk-in clinics)",
    description: "A peer in recovery meets the person at a hospital walk-in clinic visit (where \
        the study ran it; an emergency department can run the same protocol) for one structured \
        motivational conversation about their drug use, gives written advice and a list of \
        treatment options, and calls back about ten days later (the telephone booster). Those \
        compared with them received written advice and a referral list only. In the study the peers were experienced outreach workers in recovery \
        and their adherence to the protocol was checked. Kindred's defaults, where the study gives \
        no number: 12 months in recovery, a current certification and 40 training hours (what \
        hospitals commonly ask of peers); the conversation on the day of the visit or the next; \
        a caseload of 40 (each person needs only the visit and the booster); $22.00 an hour of \
        staff time; $5.00 per in-person contact, $0.50 by phone or video, $0.10 by text.",
    study: Study {
        authors: "Bernstein J, Bernstein E, Tassiopoulos K, Heeren T, Levenson S, Hingson R",
        year: 2005,
        title: "Brief motivational intervention at a clinic visit reduces cocaine and heroin use",
        journal: "Drug and Alcohol Dependence 77(1):49–59",
        design: StudyDesign::Randomised,
        participants: 1175,
        population: "Users of cocaine or heroin seen at hospital walk-in clinics",
    },
    components: &[
        (
            "Brief motivational intervention",
            "One structured one-to-one motivational conversation at the clinic visit.",
        ),
        ("Written advice", "Written advice about drug use and its risks, to take away."),
        ("Referral list", "A list of treatment options, with help to contact them."),
        ("Telephone booster", "A call about ten days later to reinforce the person's plan."),
    ],
    protocol: &[
        from_enrolment(
            "brief_intervention",
            "Brief motivational intervention",
            "The one-to-one conversation, written advice and referral list, at the visit.",
            (0, 0, 1),
            Activity::MotivationalConversation,
        ),
        from_enrolment(
            "telephone_booster",
            "Telephone booster",
            "A booster call at day 10 (on time from day 8 to day 12), as in the study.",
            (10, 8, 12),
            Activity::MotivationalConversation,
        ),
    ],
    eligibility: rules(Some(12), true, Some(40)),
    target_caseload: 40,
    hourly_staff_cost_cents: 2200,
    contact_costs: &COSTS_5,
    measures: &[
        "Abstinence from cocaine and from heroin, and drug-free, at 6 months (hair testing)",
        "Readiness to change",
        "Addiction Severity Index: drug and medical severity",
        "Contact with the substance use treatment system (detox and treatment admissions)",
        "Follow-up at 3 and 6 months",
    ],
    study_design: studies_randomised::ED_BRIEF_INTERVENTION,
};

pub(super) const POST_DISCHARGE_ENGAGEMENT: ProgramTemplate = ProgramTemplate {
    code: "post_discharge_engagement",
    name: "Post-discharge peer mentoring",
    model: "Post-discharge engagement (inpatient veterans)",
    description: "A paid peer mentor meets the person during an inpatient stay and stays in touch \
        after discharge, with open-ended individual contact, peer-led groups and an escort to the \
        first outpatient appointment, so that the person gets to their appointments after \
        discharge. In the study (MAP-Engage) the mentors were referred by a physician or \
        clinician, supervised by professional staff and abstinent for at least 6 months. \
        Kindred's defaults: no certification or training-hours rule (the study sets none); the \
        first meeting within 3 days of enrolment; the escort task opens 60 days before the first \
        substance use treatment appointment and is due on its day; a caseload of 15; $22.00 an \
        hour; $5.00 per in-person contact, $0.50 by phone or video, $0.10 by text.",
    study: Study {
        authors: "Tracy K, Burton M, Nich C, Rounsaville B",
        year: 2011,
        title: "Utilizing peer mentorship to engage high recidivism substance-abusing patients in treatment",
        journal: "American Journal of Drug and Alcohol Abuse 37(6):525–531",
        design: StudyDesign::Randomised,
        participants: 96,
        population: "Veterans (nearly all men) in inpatient substance use or psychiatric treatment",
    },
    components: &[
        ("Peer mentor", "Open-ended individual contact with a mentor who has been there."),
        ("Peer-led groups", "Groups led by peer mentors."),
        (
            "Escort to first outpatient appointment",
            "Going with the person to their first outpatient appointment after discharge.",
        ),
        (
            "Community reinforcement",
            "Encouraging rewarding, substance-free activities and relationships.",
        ),
    ],
    protocol: &[
        from_enrolment(
            "first_mentor_meeting",
            "First meeting with the mentor",
            "Meet the person while they are still an inpatient.",
            (0, 0, 3),
            Activity::CheckIn,
        ),
        from_first_appointment(
            "escort_first_outpatient",
            "Escort to first outpatient appointment",
            "Go with the person to their first substance use treatment appointment after discharge.",
            AppointmentKind::SubstanceUseTreatment,
            (0, -60, 0),
            Activity::Escort,
        ),
    ],
    eligibility: rules(Some(6), false, None),
    target_caseload: 15,
    hourly_staff_cost_cents: 2200,
    contact_costs: &COSTS_5,
    measures: &[
        "Attendance at post-discharge outpatient appointments: substance use treatment, medical and mental health",
    ],
    study_design: studies_randomised::POST_DISCHARGE_ENGAGEMENT,
};

pub(super) const WOMEN_PEER_CASE_MANAGEMENT: ProgramTemplate = ProgramTemplate {
    code: "women_peer_case_management",
    name: "Peer case management for women",
    model: "Peer case management for women",
    description: "Peer counselors who are women in recovery provide comprehensive case management \
        to women in recovery from crack cocaine use, many of them pregnant: peer counseling about \
        substance use, links to prenatal care, support groups, and help with housing, \
        transportation, parenting, nutrition and social services. In the study (SISTERS) the \
        peers had been in recovery for at least a year and professionals trained them for 3 \
        months, then continuously. Kindred's defaults: 120 training hours (the study reports 3 \
        months of training, not hours: about 10 hours a week for 12 weeks); no certification \
        rule; a needs assessment within 7 days; transport to the first medical (prenatal) \
        appointment, planned from 14 days before it; a caseload of 15; $22.00 an hour; $5.00 per \
        in-person contact, $0.50 by phone or video, $0.10 by text.",
    study: Study {
        authors: "Sanders LM, Trinh C, Sherman BR, Banks SM",
        year: 1998,
        title: "Assessment of client satisfaction in a peer counseling substance abuse treatment program for pregnant and postpartum women",
        journal: "Evaluation and Program Planning 21(3):287–296",
        design: StudyDesign::QuasiExperimental,
        participants: 94,
        population: "Women in recovery from crack cocaine use, some mandated to treatment; peer counselors served pregnant women",
    },
    components: &[
        ("Peer counseling", "One-to-one support about substance use from a woman in recovery."),
        ("Prenatal care", "Linking to and keeping prenatal care."),
        ("Support groups", "Peer support groups."),
        ("Housing", "Help finding and keeping housing."),
        ("Transportation", "Rides and travel to appointments and services."),
        ("Parenting", "Support with parenting."),
        ("Nutrition", "Help with food and nutrition."),
        ("Social services", "Help with benefits, child welfare and other social services."),
    ],
    protocol: &[
        from_enrolment(
            "needs_assessment",
            "Needs assessment",
            "Go through the person's needs and goals together: care, housing, transport, parenting, food, services.",
            (3, 0, 7),
            Activity::RecoveryPlanning,
        ),
        from_first_appointment(
            "transport_first_medical",
            "Transport to first prenatal or medical appointment",
            "Arrange or give a ride to the first medical (prenatal) appointment.",
            AppointmentKind::Medical,
            (0, -14, 0),
            Activity::Transport,
        ),
    ],
    eligibility: rules(Some(12), false, Some(120)),
    target_caseload: 15,
    hourly_staff_cost_cents: 2200,
    contact_costs: &COSTS_5,
    measures: &[
        "Satisfaction with the program and with specific services",
        "Whether the program met needs and expectations",
        "Which components participants found most helpful",
    ],
    study_design: studies_controlled::WOMEN_PEER_CASE_MANAGEMENT,
};

pub(super) const COMMUNITY_COMPANION: ProgramTemplate = ProgramTemplate {
    code: "community_companion",
    name: "Community companion",
    model: "Community companion (co-occurring serious mental illness)",
    description: "A peer is paired one to one with a person living with both a serious mental \
        illness and a substance use disorder, and they take part together in community \
        activities, recreation and self-help meetings, to build the person's social network and \
        support. In the study (The Friends Connection) the peers had been abstinent for at least \
        3 years and were coping successfully with their own mental health. Kindred's defaults: no \
        certification or training-hours rule (the study sets none); a companion matched within \
        14 days and a first community activity within 30; a caseload of 10; $18.00 an hour; \
        $8.00 per in-person contact (activity costs), $0.50 by phone or video, $0.10 by text.",
    study: Study {
        authors: "Min SY, Whitecraft J, Rothbard AB, Salzer MS",
        year: 2007,
        title: "Peer support for persons with co-occurring disorders and community tenure: a survival analysis",
        journal: "Psychiatric Rehabilitation Journal 30(3):207–213",
        design: StudyDesign::QuasiExperimental,
        participants: 484,
        population: "People with co-occurring serious mental illness and substance use disorders, hospitalised in the prior 2 years",
    },
    components: &[
        (
            "One-to-one companion",
            "A peer paired with the person for time together in the community.",
        ),
        ("Community activities", "Doing ordinary things in the community together."),
        ("Recreation", "Substance-free recreation and leisure."),
        ("Self-help meetings", "Going to self-help and mutual-help meetings."),
        ("Social network", "Building friendships and social support."),
    ],
    protocol: &[
        from_enrolment(
            "companion_match",
            "Meet the companion",
            "The first meeting of the person and their peer companion.",
            (7, 0, 14),
            Activity::CheckIn,
        ),
        from_enrolment(
            "first_community_activity",
            "First community activity",
            "The first activity out in the community together.",
            (21, 7, 30),
            Activity::SoberSocialActivity,
        ),
    ],
    eligibility: rules(Some(36), false, None),
    target_caseload: 10,
    hourly_staff_cost_cents: 1800,
    contact_costs: &COSTS_8,
    measures: &[
        "Psychiatric rehospitalisation within 3 years: time to rehospitalisation (survival analysis)",
        "Days living in the community",
    ],
    study_design: studies_controlled::COMMUNITY_COMPANION,
};

pub(super) const RECOVERY_SUPPORT_WITH_TREATMENT: ProgramTemplate = ProgramTemplate {
    code: "recovery_support_with_treatment",
    name: "Recovery support with treatment",
    model: "Recovery support with treatment (state voucher program)",
    description: "Recovery support services alongside substance use treatment, paid for by \
        vouchers: individual peer coaching, recovery groups and family support, for people \
        referred by drug courts, probation and child protective services. In the study (Texas \
        Access to Recovery) finishing treatment went with using these recovery support services, \
        and outcomes were better where a drug court or probation was involved. The study sets no \
        peer qualifications. Kindred's defaults: no qualification rules; a first coaching session \
        within 7 days and a check-in at about 30 days; a caseload of 25; $20.00 an hour; $5.00 \
        per in-person contact, $0.50 by phone or video, $0.10 by text.",
    study: Study {
        authors: "Mangrum L",
        year: 2008,
        title: "Creating Access to Recovery through Drug Courts: Final Evaluation Report",
        journal: "Texas Department of State Health Services, Mental Health and Substance Abuse Services Division (evaluation report)",
        design: StudyDesign::QuasiExperimental,
        participants: 4420,
        population: "People with substance use disorders referred by drug courts, probation or child protective services",
    },
    components: &[
        ("Peer coaching", "Individual recovery coaching by a peer."),
        ("Recovery groups", "Peer-led recovery support groups."),
        ("Family support", "Support for marriages and families, alongside the person's treatment."),
    ],
    protocol: &[
        from_enrolment(
            "first_coaching_session",
            "First coaching session",
            "Meet, agree what the person wants from coaching, and start their recovery plan.",
            (3, 0, 7),
            Activity::RecoveryPlanning,
        ),
        from_enrolment(
            "thirty_day_check_in",
            "30-day check-in",
            "Check how treatment and recovery support are going.",
            (30, 23, 37),
            Activity::CheckIn,
        ),
    ],
    eligibility: rules(None, false, None),
    target_caseload: 25,
    hourly_staff_cost_cents: 2000,
    contact_costs: &COSTS_5,
    measures: &[
        "Completion of substance use treatment, by referral source (drug court, probation, child protective services)",
    ],
    study_design: studies_controlled::RECOVERY_SUPPORT_WITH_TREATMENT,
};

pub(super) const MOBILE_OUTREACH: ProgramTemplate = ProgramTemplate {
    code: "mobile_outreach",
    name: "Peer-led mobile outreach",
    model: "Mobile outreach drop-in (sex workers who use drugs)",
    description: "A van staffed by peers goes out at night to street-based sex workers who use \
        drugs: a safe place to rest, prevention and harm-reduction supplies, someone to talk to, \
        and referrals to health, social support and substance use treatment services. In the \
        study (the Mobile Access Project) women who used the van were more likely to use \
        inpatient addiction treatment. The study sets no peer qualifications and the service is \
        low-threshold, so neither does the template. Kindred's defaults: a referral offered at \
        the first contact and a check-in within 7 to 21 days; a caseload of 60; $20.00 an hour; \
        $12.00 per in-person contact (running the van), $0.50 by phone or video, $0.10 by text.",
    study: Study {
        authors: "Deering KN, Kerr T, Tyndall MW, Montaner JSG, Gibson K, Irons L, Shannon K",
        year: 2011,
        title: "A peer-led mobile outreach program and increased utilization of detoxification and residential drug treatment among female sex workers who use drugs in a Canadian setting",
        journal: "Drug and Alcohol Dependence 113(1):46–54",
        design: StudyDesign::QuasiExperimental,
        participants: 242,
        population: "Female street-based sex workers who use drugs (479 observations over 18 months)",
    },
    components: &[
        ("Mobile outreach", "A peer-staffed van out at night where people work."),
        ("Prevention and harm reduction", "Safer-use and safer-sex supplies and information."),
        ("Safe space and peer support", "Somewhere to rest and someone to talk to."),
        (
            "Referral to services",
            "Referral to health, social support and substance use treatment services.",
        ),
    ],
    protocol: &[
        from_enrolment(
            "referral_offer",
            "Offer referrals",
            "At the first contact, offer referrals to the services the person wants.",
            (0, 0, 0),
            Activity::ResourceNavigation,
        ),
        from_enrolment(
            "follow_up_check_in",
            "Follow-up check-in",
            "See how the referrals went and what else the person needs.",
            (14, 7, 21),
            Activity::CheckIn,
        ),
    ],
    eligibility: rules(None, false, None),
    target_caseload: 60,
    hourly_staff_cost_cents: 2000,
    contact_costs: &COSTS_12,
    measures: &[
        "Use of health and substance use treatment services (inpatient and outpatient)",
        "Working conditions, violence and safety",
        "Sexual and drug-related harms",
        "Repeated surveys every 6 months over 18 months",
    ],
    study_design: studies_controlled::MOBILE_OUTREACH,
};
