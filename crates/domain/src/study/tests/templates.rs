//! Every template's study design replicates into a valid study over its own schedule.

use time::macros::date;

use super::*;
use crate::ids::ProgramId;
use crate::programs::templates::templates;
use crate::schedule::default_schedule;
use crate::vocabulary::StudyDesign;

fn program(id: &str) -> ProgramId {
    id.parse().expect("an id")
}

/// The template's study, replicated over a program made from it (and another program where
/// the comparison needs one), checked against its default schedule's time points.
fn replicate(
    template: &crate::programs::ProgramTemplate,
) -> Result<StudyDefinition, crate::FieldErrors> {
    let needs_other = template.study_design.comparison == Some(ComparisonKind::OtherProgram);
    let other = needs_other.then(|| program(OTHER_PROGRAM));
    let input = template.replicate(program(PROGRAM), other, date!(2026 - 02 - 01));
    let schedule = default_schedule(Some(template.code));
    let catalogue = StudyCatalogue::library()
        .with_time_points(schedule.points.iter().map(|p| p.time_point.code.clone()));
    StudyDefinition::parse(&input, &catalogue)
}

#[test]
fn all_ten_designs_replicate_into_valid_studies_over_their_own_schedules() {
    assert_eq!(templates().len(), 10);
    for template in templates() {
        let study =
            replicate(template).unwrap_or_else(|errors| panic!("{}: {errors}", template.code));
        assert_eq!(study.design.code(), template.study.design, "{}", template.code);
        assert_eq!(study.design.comparison(), template.study_design.comparison);
        assert!(study.title.contains(&template.study.short()), "{}", study.title);
        assert_eq!(study.plan.primary, template.study_design.outcomes[0].code);
        assert_eq!(study.plan.secondary.len(), template.study_design.outcomes.len() - 1);
        assert!(study.arms.iter().all(|a| !a.receives.is_empty()));
        assert_eq!(study.enrolment.from, date!(2026 - 02 - 01));
        assert_eq!(study.enrolment.to, date!(2027 - 01 - 31), "a year of enrolment");
        // Every component an arm is defined by is one the template delivers.
        for arm in &study.arms {
            if let Some(Membership::Component { component, .. }) = &arm.membership {
                assert!(
                    template.components.iter().any(|(name, _)| name == component),
                    "{}: {component}",
                    template.code
                );
            }
        }
        // And the input survives the round trip an edit form makes.
        let again = StudyDefinition::parse(&study.to_input(), &StudyCatalogue::library());
        assert_eq!(again.as_ref().ok(), Some(&study), "{}", template.code);
    }
}

#[test]
fn the_designs_keep_what_the_studies_compared() {
    let design = |code: &str| {
        let template = crate::programs::templates::template(code).expect("a template");
        replicate(template).unwrap_or_else(|e| panic!("{code}: {e}"))
    };
    let bernstein = design("ed_brief_intervention");
    assert_eq!(bernstein.design, Design::Randomised);
    assert_eq!(bernstein.arms[1].receives, "Written advice and a referral list only.");
    assert!(bernstein.eligibility.iter().any(|rule| matches!(rule,
        EligibilityRule::Field { field: BaselineField::Setting, any_of } if any_of == &["walk_in_clinic"])));
    assert!(bernstein.randomisation.is_some());

    let boisvert = design("housing_peer_support_community");
    assert_eq!(
        boisvert.design,
        Design::QuasiExperimental { comparison: ComparisonKind::HistoricalCohort }
    );
    match &boisvert.arms[1].membership {
        Some(Membership::EnrolmentPeriod { from, to, .. }) => {
            assert_eq!(
                (*from, *to),
                (date!(2025 - 02 - 01), date!(2026 - 01 - 31)),
                "the year before"
            );
        }
        other => panic!("{other:?}"),
    }

    let min = design("community_companion");
    assert_eq!(min.follow_up_days, 1095, "three years");
    assert!(matches!(
        min.outcome(&min.plan.primary).map(|o| &o.measure),
        Some(OutcomeMeasure::TimeToEvent { .. })
    ));
    assert!(
        min.eligibility
            .iter()
            .any(|r| matches!(r, EligibilityRule::EventHistory { within_days_before: 730, .. }))
    );

    let deering = design("mobile_outreach");
    assert_eq!(deering.follow_up_days, 540, "18 months");

    let armitage = design("recovery_community_center");
    assert_eq!(armitage.design, Design::PrePost);
    assert_eq!(armitage.plan.primary, "no_use_6m");

    let designs: Vec<StudyDesign> = templates().iter().map(|t| t.study_design.design).collect();
    assert_eq!(designs.iter().filter(|d| **d == StudyDesign::Randomised).count(), 2);
    assert_eq!(designs.iter().filter(|d| **d == StudyDesign::PrePost).count(), 3);
}

#[test]
fn a_comparison_program_left_blank_is_the_first_thing_asked() {
    let template =
        crate::programs::templates::template("women_peer_case_management").expect("template");
    let input = template.replicate(program(PROGRAM), None, date!(2026 - 02 - 01));
    let errors = StudyDefinition::parse(&input, &StudyCatalogue::library()).unwrap_err();
    assert_eq!(errors.get("arms[1].membership.program_id"), Some("choose the program"));
    assert_eq!(errors.iter().count(), 1, "{errors}");
}
