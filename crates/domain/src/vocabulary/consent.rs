//! Terms of a consent to disclose (in the style of US 42 CFR Part 2: what, to whom, why, until
//! when).

use super::vocabulary;

vocabulary! {
    /// What a consent allows to be disclosed.
    DisclosureItem, "disclosure_item", "Information that may be shared" {
        Participation => "participation", "Participation",
            "That the person takes part in the program, and their attendance.";
        ContactDetails => "contact_details", "Contact details",
            "Name, phone, email and how to reach them.";
        RecoveryPlan => "recovery_plan", "Recovery plan",
            "Their recovery goals and progress.";
        Assessments => "assessments", "Assessment results",
            "Scores from questionnaires such as recovery capital or well-being.";
        SubstanceUse => "substance_use", "Substance use information",
            "Substance use history and current use.";
        Referrals => "referrals", "Referral details",
            "Referrals made and whether they were attended.";
    }
}

vocabulary! {
    /// Why information may be disclosed.
    ConsentPurpose, "consent_purpose", "Purpose" {
        Referral => "referral", "Referral and care coordination",
            "To refer the person to a service and coordinate with it.";
        Treatment => "treatment", "Treatment",
            "To support treatment by a named provider.";
        Payment => "payment", "Payment",
            "For a payer or funder to pay for services.";
        Evaluation => "evaluation", "Program evaluation",
            "For evaluating the program; shared data is de-identified where possible.";
        Legal => "legal", "Court or probation reporting",
            "To report participation to a court, probation or parole officer.";
        Family => "family", "Family involvement",
            "To involve a named family member or support person.";
    }
}
