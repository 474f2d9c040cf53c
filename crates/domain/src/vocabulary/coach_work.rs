//! Terms of the daily work: contacts (what kind of support, which activities, how), recovery
//! goals, appointments, outcome events, referrals, tasks and supervision.

use super::vocabulary;

vocabulary! {
    /// The four kinds of peer support (SAMHSA's typology); every contact gives one or more.
    SupportKind, "support_kind", "Kind of support" {
        Emotional => "emotional", "Emotional",
            "Empathy, encouragement and being there, like a check-in call after a hard week.";
        Informational => "informational", "Informational",
            "Knowledge and skill building, like explaining how detox intake works or practising a relapse-prevention skill.";
        Instrumental => "instrumental", "Instrumental",
            "Concrete help with a specific need: a ride, a housing form, an escort to an appointment.";
        Affiliational => "affiliational", "Affiliational",
            "Social connectedness and inclusion: a sober social event, a mutual-help meeting, a peer group.";
    }
}

vocabulary! {
    /// What the peer did in a contact (one or more).
    Activity, "activity", "Activity" {
        CheckIn => "check_in", "Check-in", "A short conversation to see how the person is doing.";
        MotivationalConversation => "motivational_conversation", "Motivational conversation",
            "Exploring the person's own reasons and readiness for change.";
        RecoveryPlanning => "recovery_planning", "Recovery planning", "Setting or reviewing the person's own recovery goals.";
        SkillCoaching => "skill_coaching", "Skill coaching", "Practising a recovery, coping or life skill together.";
        Education => "education", "Education", "Sharing information about recovery, treatment or services.";
        ResourceNavigation => "resource_navigation", "Resource navigation",
            "Finding and connecting with services: housing, benefits, treatment, food.";
        Escort => "escort", "Escort", "Going with the person to an appointment or service.";
        Transport => "transport", "Transport", "Giving or arranging a ride.";
        MutualHelpMeeting => "mutual_help_meeting", "Mutual-help meeting",
            "Attending or linking to a mutual-help meeting (12-step, SMART Recovery, other).";
        SoberSocialActivity => "sober_social_activity", "Sober social activity", "A substance-free social or recreational activity.";
        PeerGroup => "peer_group", "Peer group", "A peer-led support or education group.";
        EmploymentSupport => "employment_support", "Employment and education support",
            "Job search, applications, training or school.";
        HousingSupport => "housing_support", "Housing support", "Finding, applying for or keeping housing.";
        FamilySupport => "family_support", "Family support", "Supporting relationships with family or significant others.";
        Advocacy => "advocacy", "Advocacy", "Speaking up with or for the person to a service or system.";
        CrisisSupport => "crisis_support", "Crisis support",
            "Staying with the person through a crisis and connecting them to urgent help (nonclinical).";
        HarmReduction => "harm_reduction", "Harm reduction", "Safer-use information, naloxone and other harm-reduction supplies.";
    }
}

vocabulary! {
    /// How a contact happened.
    ContactMode, "contact_mode", "Mode" {
        InPerson => "in_person", "In person", "Face to face.";
        Phone => "phone", "Phone", "A voice call.";
        Video => "video", "Video", "A video call.";
        Text => "text", "Text", "Text or chat messages.";
    }
}

vocabulary! {
    /// One-to-one or in a group.
    ContactFormat, "contact_format", "Format" {
        OneToOne => "one_to_one", "One-to-one", "The peer and the participant.";
        Group => "group", "Group", "A group session; each attendee has a contact.";
    }
}

vocabulary! {
    /// The domains of recovery goals and outcomes (the service's goals in DOMAIN.md).
    OutcomeDomain, "outcome_domain", "Life area" {
        SubstanceUse => "substance_use", "Substance use", "Abstinence or reduced use, and safety.";
        Health => "health", "Health", "Physical and mental health and health care.";
        Housing => "housing", "Housing", "A safe, stable place to live.";
        Employment => "employment", "Employment", "Work, income and job skills.";
        Education => "education", "Education", "School, training and learning.";
        Relationships => "relationships", "Relationships", "Family, partners, children and friends.";
        Justice => "justice", "Justice", "Less involvement with courts, probation and police.";
        SocialConnectedness => "social_connectedness", "Social connectedness",
            "Belonging, recovery community and sober supports.";
        SelfEmpowerment => "self_empowerment", "Self-empowerment", "Confidence, purpose and making one's own choices.";
    }
}

vocabulary! {
    /// Where a recovery goal stands.
    GoalStatus, "goal_status", "Goal status" {
        NotStarted => "not_started", "Not started", "Set, not yet worked on.";
        InProgress => "in_progress", "In progress", "Being worked on.";
        Achieved => "achieved", "Achieved", "Reached.";
        SetAside => "set_aside", "Set aside", "Put aside by the participant, for now or for good.";
    }
}

vocabulary! {
    /// Kinds of dated outcome events.
    OutcomeEventKind, "outcome_event_kind", "Event" {
        TreatmentAdmission => "treatment_admission", "Treatment admission", "Admitted to substance use treatment.";
        TreatmentCompletion => "treatment_completion", "Treatment completion", "Completed a course of treatment.";
        AppointmentAttended => "appointment_attended", "Appointment attended", "Went to a scheduled appointment.";
        AppointmentMissed => "appointment_missed", "Appointment missed", "Did not go to a scheduled appointment.";
        Hospitalisation => "hospitalisation", "Hospitalisation", "Admitted to hospital (medical or psychiatric).";
        Arrest => "arrest", "Arrest", "Arrested or taken into custody.";
        Overdose => "overdose", "Overdose", "A fatal or non-fatal overdose.";
        HousingChange => "housing_change", "Housing change", "Moved, became housed or lost housing.";
        EmploymentChange => "employment_change", "Employment change", "Started, changed or lost work.";
        SelfReportedUse => "self_reported_use", "Self-reported use", "The participant reported using a substance.";
    }
}

vocabulary! {
    /// What an appointment is for.
    AppointmentKind, "appointment_kind", "Appointment" {
        SubstanceUseTreatment => "substance_use_treatment", "Substance use treatment", "Outpatient, intake or medication for addiction.";
        MentalHealth => "mental_health", "Mental health", "A mental health service.";
        Medical => "medical", "Medical", "Primary care or another medical service.";
        Court => "court", "Court or probation", "A court date or probation meeting.";
        Housing => "housing", "Housing", "A housing service or viewing.";
        Benefits => "benefits", "Benefits", "Benefits, ID or other public services.";
        Other => "other", "Other", "Anything else.";
    }
}

vocabulary! {
    /// Where an appointment stands.
    AppointmentStatus, "appointment_status", "Appointment status" {
        Scheduled => "scheduled", "Scheduled", "Booked, not yet happened.";
        Attended => "attended", "Attended", "The participant went.";
        Missed => "missed", "Missed", "The participant did not go.";
        Cancelled => "cancelled", "Cancelled", "Called off before it happened.";
    }
}

vocabulary! {
    /// A referral's closed loop.
    ReferralStatus, "referral_status", "Referral status" {
        Sent => "sent", "Sent", "The referral was made.";
        Accepted => "accepted", "Accepted", "The service accepted the referral.";
        Attended => "attended", "Attended", "The participant used the service.";
        NotAttended => "not_attended", "Not attended", "The participant did not go.";
        Declined => "declined", "Declined", "The service or the participant declined.";
    }
}

vocabulary! {
    /// Why a task exists.
    TaskKind, "task_kind", "Task" {
        ProtocolStep => "protocol_step", "Protocol step", "A timed step of the program's protocol.";
        FollowUp => "follow_up", "Follow-up", "A follow-up date set when logging a contact.";
        Assessment => "assessment", "Assessment", "A scheduled assessment time point.";
        Urgent => "urgent", "Urgent", "Needs attention now, e.g. a safety concern for the supervisor.";
    }
}

vocabulary! {
    /// Where a task stands.
    TaskStatus, "task_status", "Task status" {
        Open => "open", "Open", "Still to do.";
        Done => "done", "Done", "Completed (the date says whether in its window).";
        Cancelled => "cancelled", "Cancelled", "No longer needed (e.g. the participant left the program).";
    }
}

vocabulary! {
    /// What a protocol step's timing is measured from.
    StepAnchor, "step_anchor", "Measured from" {
        Enrolment => "enrolment", "Enrolment", "Days after the participant's enrolment date.";
        FirstAppointment => "first_appointment", "First appointment",
            "Days relative to the participant's first scheduled appointment of the step's kind (negative = before).";
    }
}

vocabulary! {
    /// Whether a peer worker is paid.
    Employment, "employment", "Employment" {
        Paid => "paid", "Paid", "A paid peer worker.";
        Volunteer => "volunteer", "Volunteer", "A volunteer peer.";
    }
}

vocabulary! {
    /// How a supervision session was held.
    SupervisionFormat, "supervision_format", "Supervision format" {
        Individual => "individual", "Individual", "The supervisor and one coach.";
        Group => "group", "Group", "The supervisor with several coaches.";
    }
}

vocabulary! {
    /// What a boundary concern is about (peer roles are nonclinical; these are the known
    /// pressure points).
    ConcernCategory, "concern_category", "Concern" {
        DualRelationship => "dual_relationship", "Dual relationship",
            "A personal, romantic, business or sponsor relationship alongside the peer role.";
        ClinicalScope => "clinical_scope", "Outside the peer role",
            "Diagnosing, counselling or advising on medication: clinical work a peer must not do.";
        Confidentiality => "confidentiality", "Confidentiality", "Information shared without consent.";
        MoneyOrGifts => "money_or_gifts", "Money or gifts", "Lending, borrowing, gifts or payments.";
        PersonalSafety => "personal_safety", "Personal safety", "A risk to the coach's or the participant's safety.";
        SelfDisclosure => "self_disclosure", "Self-disclosure", "Sharing of the coach's own story that did not serve the participant.";
        OwnRecovery => "own_recovery", "Coach's own recovery", "A strain on the coach's own recovery.";
        Other => "other", "Other", "Anything else.";
    }
}

vocabulary! {
    /// Whether a boundary concern is still open.
    ConcernStatus, "concern_status", "Concern status" {
        Open => "open", "Open", "Being looked at.";
        Resolved => "resolved", "Resolved", "Dealt with; the resolution is recorded.";
    }
}
