//! Terms that describe a participant's enrolment and baseline characteristics (the subgroups
//! analyses ask "for whom does it work?" about).

use super::vocabulary;

vocabulary! {
    /// Who or what referred the participant.
    ReferralSource, "referral_source", "Referral source" {
        EmergencyDepartment => "emergency_department", "Emergency department",
            "Referred from a hospital emergency department visit.";
        WalkInClinic => "walk_in_clinic", "Walk-in clinic",
            "Referred from a walk-in or urgent care clinic.";
        Inpatient => "inpatient", "Inpatient unit",
            "Referred while in, or on discharge from, an inpatient or residential unit.";
        Outpatient => "outpatient", "Outpatient program",
            "Referred by an outpatient substance use or mental health program.";
        DrugCourt => "drug_court", "Drug court",
            "Referred by a drug or treatment court.";
        Probation => "probation", "Probation or parole",
            "Referred by a probation or parole officer.";
        ChildProtectiveServices => "child_protective_services", "Child protective services",
            "Referred by child protective or family services.";
        Reentry => "reentry", "Reentry from incarceration",
            "Referred on release from jail or prison.";
        Outreach => "outreach", "Street outreach",
            "Met through street or mobile outreach.";
        RecoveryCommunityCenter => "recovery_community_center", "Recovery community center",
            "Came through a recovery community center.";
        FamilyOrFriend => "family_or_friend", "Family or friend",
            "Referred by family, a friend or another peer.";
        SelfReferral => "self", "Self-referral",
            "Came on their own initiative.";
        Other => "other", "Other",
            "Any other referral route.";
    }
}

vocabulary! {
    /// Where the service is delivered.
    Setting, "setting", "Setting" {
        EmergencyDepartment => "emergency_department", "Emergency department",
            "A hospital emergency department.";
        WalkInClinic => "walk_in_clinic", "Walk-in clinic",
            "A walk-in or urgent care clinic.";
        Inpatient => "inpatient", "Inpatient unit",
            "An inpatient, detox or residential treatment unit.";
        Outpatient => "outpatient", "Outpatient program",
            "An outpatient treatment program.";
        CourtOrProbation => "court_or_probation", "Court or probation",
            "A drug court, probation or parole office.";
        ChildProtectiveServices => "child_protective_services", "Child protective services",
            "Alongside child protective or family services.";
        RecoveryCommunityCenter => "recovery_community_center", "Recovery community center",
            "A peer-run recovery community center or drop-in.";
        SupportedHousing => "supported_housing", "Supported housing",
            "A supported or recovery housing program.";
        StreetOutreach => "street_outreach", "Street outreach",
            "On the street or from a mobile outreach unit.";
        Reentry => "reentry", "Reentry",
            "Before or after release from jail or prison.";
        HomeVisit => "home_visit", "Home visit",
            "At the participant's home, including rural home visits.";
        Community => "community", "Community",
            "Elsewhere in the community (a café, a meeting, a workplace).";
        Remote => "remote", "Remote",
            "By phone, video or text, with no shared place.";
    }
}

vocabulary! {
    /// When the service is offered relative to treatment.
    TreatmentPhase, "treatment_phase", "Treatment phase" {
        Before => "before", "Before treatment",
            "Not yet in treatment: engagement and linkage.";
        During => "during", "During treatment",
            "Alongside current treatment.";
        After => "after", "After treatment",
            "After treatment ended: continuing recovery support.";
        InLieu => "in_lieu", "In lieu of treatment",
            "Instead of formal treatment.";
    }
}

vocabulary! {
    /// Where the participant stands in the program.
    ParticipantStatus, "participant_status", "Status" {
        Active => "active", "Active",
            "Currently receiving peer support.";
        SteppedDown => "stepped_down", "Stepped down",
            "Less frequent contact by plan; still enrolled.";
        Completed => "completed", "Completed",
            "Finished the program as planned.";
        Withdrawn => "withdrawn", "Withdrawn",
            "Chose to leave the program.";
        LostToFollowUp => "lost_to_follow_up", "Lost to follow-up",
            "Could not be reached despite attempts.";
    }
}

vocabulary! {
    /// Age at enrolment, in the bands reports use (the research record keeps the band, never
    /// the date of birth).
    AgeBand, "age_band", "Age band" {
        Under18 => "under_18", "Under 18", "Younger than 18 at enrolment.";
        From18To24 => "18_24", "18–24", "18 to 24 years old at enrolment.";
        From25To34 => "25_34", "25–34", "25 to 34 years old at enrolment.";
        From35To44 => "35_44", "35–44", "35 to 44 years old at enrolment.";
        From45To54 => "45_54", "45–54", "45 to 54 years old at enrolment.";
        From55To64 => "55_64", "55–64", "55 to 64 years old at enrolment.";
        From65 => "65_plus", "65 and over", "65 or older at enrolment.";
    }
}

impl AgeBand {
    /// The band for an age in whole years.
    pub fn for_age(years: i32) -> Self {
        match years {
            i32::MIN..=17 => Self::Under18,
            18..=24 => Self::From18To24,
            25..=34 => Self::From25To34,
            35..=44 => Self::From35To44,
            45..=54 => Self::From45To54,
            55..=64 => Self::From55To64,
            _ => Self::From65,
        }
    }
}

vocabulary! {
    /// Gender, as the participant describes it.
    Gender, "gender", "Gender" {
        Woman => "woman", "Woman", "Describes themselves as a woman.";
        Man => "man", "Man", "Describes themselves as a man.";
        NonBinary => "non_binary", "Non-binary", "Describes themselves as non-binary.";
        Another => "another", "Another gender", "Describes their gender another way.";
        NotSaid => "not_said", "Prefers not to say", "Chose not to say.";
    }
}

vocabulary! {
    /// The substance the participant names as causing the most problems.
    PrimarySubstance, "primary_substance", "Primary substance" {
        Alcohol => "alcohol", "Alcohol", "Alcohol.";
        Opioids => "opioids", "Opioids", "Heroin, fentanyl or prescription opioids.";
        Cocaine => "cocaine", "Cocaine", "Cocaine or crack cocaine.";
        Methamphetamine => "methamphetamine", "Methamphetamine", "Methamphetamine or other amphetamines.";
        Cannabis => "cannabis", "Cannabis", "Cannabis.";
        Sedatives => "sedatives", "Sedatives", "Benzodiazepines or other sedatives.";
        Polysubstance => "polysubstance", "Several substances", "No single primary substance.";
        Other => "other", "Other", "Another substance.";
    }
}

vocabulary! {
    /// A yes/no characteristic that may be unknown.
    YesNoUnknown, "yes_no_unknown", "Yes / no / unknown" {
        Yes => "yes", "Yes", "Yes.";
        No => "no", "No", "No.";
        Unknown => "unknown", "Unknown", "Not known or not asked.";
    }
}

vocabulary! {
    /// Housing situation at enrolment.
    Housing, "housing", "Housing" {
        Stable => "stable", "Stably housed", "Own or rented home, not at risk.";
        Unstable => "unstable", "Unstably housed", "Staying with others, behind on rent or at risk of losing housing.";
        Shelter => "shelter", "Shelter", "Staying in an emergency shelter.";
        Unsheltered => "unsheltered", "Unsheltered", "Sleeping outside or somewhere not meant for housing.";
        Supported => "supported", "Supported or recovery housing", "Living in supported or recovery housing.";
        Institution => "institution", "Institution", "In a hospital, treatment facility or jail.";
    }
}

vocabulary! {
    /// Current involvement with the criminal-justice system.
    JusticeInvolvement, "justice_involvement", "Justice involvement" {
        None => "none", "None", "No current involvement.";
        DrugCourt => "drug_court", "Drug court", "Under a drug or treatment court.";
        Probation => "probation", "Probation", "On probation.";
        Parole => "parole", "Parole", "On parole.";
        PendingCharges => "pending_charges", "Pending charges", "Charges pending, not yet resolved.";
        RecentlyReleased => "recently_released", "Recently released", "Released from jail or prison in the last year.";
    }
}
