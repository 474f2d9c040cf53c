use super::vocabulary;

vocabulary! {
    /// What a staff member does in Kindred; a user holds one or more roles.
    Role, "role", "Role" {
        Coach => "coach", "Peer recovery coach",
            "A peer with lived experience of recovery who supports participants on their own caseload.";
        Supervisor => "supervisor", "Peer supervisor",
            "Supervises coaches: sees their caseloads and fidelity, records supervision and boundary concerns.";
        Manager => "manager", "Program manager",
            "Runs programs and staff; sees every participant of the organisation, dashboards and reports.";
        Evaluator => "evaluator", "Evaluator",
            "Designs and analyses studies from de-identified records; never sees names or contact details.";
        ResearchAssessor => "research_assessor", "Research assessor",
            "Records the follow-up assessments of blinded studies; never sees which arm anyone is in.";
        Admin => "admin", "Organisation admin",
            "Manages users, roles, settings and reads the audit log; does not see participant records.";
    }
}
