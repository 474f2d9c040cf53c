//! Terms of evaluation: how a study compares people (the three designs the reviews graded).

use super::vocabulary;

vocabulary! {
    /// The design of a study, as the evidence reviews grade it.
    StudyDesign, "study_design", "Study design" {
        Randomised => "randomised", "Randomised trial",
            "People are allocated to the program or a comparison by chance.";
        QuasiExperimental => "quasi_experimental", "Quasi-experimental comparison",
            "People in the program are compared with a group that was not allocated by chance.";
        PrePost => "pre_post", "Pre-post",
            "The same people are measured before and after, with no comparison group.";
    }
}
