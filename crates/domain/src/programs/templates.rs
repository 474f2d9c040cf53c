//! Program templates: the ten interventions the evidence reviews describe, each as a ready
//! program (components, protocol, peer eligibility, measures, caseload and costs) citing the
//! study it comes from. The templates themselves are data, in [`super::catalogue`].

use time::Date;

use crate::fields::FieldErrors;
use crate::ids::ProgramId;
use crate::programs::{
    ComponentInput, ContactCostInput, EligibilityRules, ProgramDefinition, ProgramInput, StepInput,
};
use crate::study::{StudyInput, StudyTemplate};
use crate::vocabulary::{
    Activity, AppointmentKind, ContactMode, StepAnchor, StudyDesign, Vocabulary,
};

/// The two systematic reviews the templates are drawn from.
pub const SOURCE_REVIEWS: [&str; 2] = [
    "Reif S, Braude L, Lyman DR, Dougherty RH, Daniels AS, Ghose SS, Salim O, Delphin-Rittmon ME (2014). \
     Peer recovery support for individuals with substance use disorders: assessing the evidence. \
     Psychiatric Services 65(7):853–861.",
    "Eddie D, Hoffman L, Vilsaint C, Abry A, Bergman B, Hoeppner B, Weinstein C, Kelly JF (2019). \
     Lived experience in new models of care for substance use disorder: a systematic review of peer \
     recovery support services and recovery coaching. Frontiers in Psychology 10:1052.",
];

/// The study a template follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Study {
    pub authors: &'static str,
    pub year: u16,
    pub title: &'static str,
    /// The journal, with volume and pages where known (or the publisher of a report).
    pub journal: &'static str,
    pub design: StudyDesign,
    /// How many people the study enrolled.
    pub participants: u32,
    pub population: &'static str,
}

impl Study {
    /// The citation in one line.
    pub fn citation(&self) -> String {
        format!("{} ({}). {}. {}.", self.authors, self.year, self.title, self.journal)
    }

    /// "Bernstein et al., 2005".
    pub fn short(&self) -> String {
        let first = self.authors.split_whitespace().next().unwrap_or_default();
        let first = first.trim_end_matches(',');
        if self.authors.contains(',') {
            format!("{first} et al., {}", self.year)
        } else {
            format!("{first}, {}", self.year)
        }
    }
}

/// A protocol step as template data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepTemplate {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub anchor: StepAnchor,
    pub appointment_kind: Option<AppointmentKind>,
    pub target_day: i32,
    pub window_start_day: i32,
    pub window_end_day: i32,
    pub activity: Option<Activity>,
}

/// A ready-made program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgramTemplate {
    /// Stable code (`ed_brief_intervention`).
    pub code: &'static str,
    pub name: &'static str,
    /// The program model as `DOMAIN.md` names it.
    pub model: &'static str,
    /// What it is, in plain words, ending with the defaults Kindred chose where the study
    /// gives no number.
    pub description: &'static str,
    pub study: Study,
    /// (name, description) of each component.
    pub components: &'static [(&'static str, &'static str)],
    pub protocol: &'static [StepTemplate],
    pub eligibility: EligibilityRules,
    pub target_caseload: i32,
    pub hourly_staff_cost_cents: i64,
    pub contact_costs: &'static [(ContactMode, i64)],
    /// What the study measured (the instruments and schedules come with the follow-up work).
    pub measures: &'static [&'static str],
    /// The study's design, to replicate it: arms and comparison, eligibility, outcomes,
    /// follow-up horizon.
    pub study_design: StudyTemplate,
}

/// Every template, in the order `DOMAIN.md` lists the models.
pub fn templates() -> &'static [ProgramTemplate] {
    super::catalogue::TEMPLATES
}

/// The template with this code.
pub fn template(code: &str) -> Option<&'static ProgramTemplate> {
    templates().iter().find(|t| t.code == code)
}

/// What people call a protocol step: the name the first template with a step of this code
/// gives it, or, for a code no template has, the code in words (`escort_first_outpatient` →
/// "Escort first outpatient"). For a step a program's protocol no longer holds, so a page
/// never shows a code.
pub fn step_label(code: &str) -> String {
    if let Some(step) = templates().iter().flat_map(|t| t.protocol).find(|s| s.code == code) {
        return step.name.to_owned();
    }
    let words = code.replace(['_', '-'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Protocol step".to_owned(),
    }
}

impl ProgramTemplate {
    /// The template as program input: what creating a program from it starts from.
    pub fn to_input(&self) -> ProgramInput {
        let number = |n: Option<i32>| Some(n.map(|n| n.to_string()).unwrap_or_default());
        let amount = super::costs::format_amount;
        ProgramInput {
            template_code: None,
            name: Some(self.name.into()),
            description: Some(self.description.into()),
            active: Some("true".into()),
            target_caseload: Some(self.target_caseload.to_string()),
            min_months_in_recovery: number(self.eligibility.min_months_in_recovery),
            requires_certification: Some(self.eligibility.requires_certification.to_string()),
            min_training_hours: number(self.eligibility.min_training_hours),
            hourly_staff_cost: Some(amount(self.hourly_staff_cost_cents)),
            contact_costs: Some(
                self.contact_costs
                    .iter()
                    .map(|(mode, cents)| ContactCostInput {
                        mode: Some(mode.code().into()),
                        cost: Some(amount(*cents)),
                    })
                    .collect(),
            ),
            components: Some(
                self.components
                    .iter()
                    .map(|(name, description)| ComponentInput {
                        name: Some((*name).into()),
                        description: Some((*description).into()),
                    })
                    .collect(),
            ),
            steps: Some(
                self.protocol
                    .iter()
                    .map(|s| StepInput {
                        code: Some(s.code.into()),
                        name: Some(s.name.into()),
                        description: Some(s.description.into()),
                        anchor: Some(s.anchor.code().into()),
                        appointment_kind: s.appointment_kind.map(|k| k.code().into()),
                        target_day: Some(s.target_day.to_string()),
                        window_start_day: Some(s.window_start_day.to_string()),
                        window_end_day: Some(s.window_end_day.to_string()),
                        activity: s.activity.map(|a| a.code().into()),
                    })
                    .collect(),
            ),
        }
    }

    /// "Replicate this study": the template's study design as a pre-filled study over
    /// `program` (a program made from this template), compared where the design needs it
    /// with `comparison_program`, enrolling from `enrolment_from`. The evaluator edits it
    /// before it is parsed.
    pub fn replicate(
        &self,
        program: ProgramId,
        comparison_program: Option<ProgramId>,
        enrolment_from: Date,
    ) -> StudyInput {
        self.study_design.to_input(self, program, comparison_program, enrolment_from)
    }

    /// The program this template makes, checked by the same rules as any program (the unit
    /// tests prove every template passes them).
    pub fn definition(&self) -> Result<ProgramDefinition, FieldErrors> {
        let empty = ProgramDefinition { active: true, ..Default::default() };
        let mut definition = empty.apply(&self.to_input())?;
        definition.template_code = Some(self.code.to_owned());
        Ok(definition)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn a_step_is_labelled_by_its_template_name_or_its_code_in_words() {
        assert_eq!(step_label("brief_intervention"), "Brief motivational intervention");
        assert_eq!(step_label("call_the_family_doctor"), "Call the family doctor");
        assert_eq!(step_label("_"), "Protocol step");
    }

    #[test]
    fn there_is_a_template_for_each_of_the_ten_models_with_unique_codes() {
        assert_eq!(templates().len(), 10);
        let codes: HashSet<&str> = templates().iter().map(|t| t.code).collect();
        assert_eq!(codes.len(), 10);
        let names: HashSet<&str> = templates().iter().map(|t| t.name).collect();
        assert_eq!(names.len(), 10, "program names are unique per organisation");
    }

    #[test]
    fn every_template_is_a_valid_program() {
        for template in templates() {
            let program = template
                .definition()
                .unwrap_or_else(|errors| panic!("{} is invalid: {errors}", template.code));
            assert_eq!(program.protocol.len(), template.protocol.len(), "{}", template.code);
            assert_eq!(program.components.len(), template.components.len());
            assert!(!template.protocol.is_empty() && !template.components.is_empty());
            assert!(!template.measures.is_empty(), "{} lists what it measured", template.code);
            for step in &program.protocol {
                assert!(
                    step.window_start_day <= step.target_day
                        && step.target_day <= step.window_end_day,
                    "{}.{}: the window contains its target",
                    template.code,
                    step.code
                );
            }
            let step_codes: HashSet<&str> =
                program.protocol.iter().map(|s| s.code.as_str()).collect();
            assert_eq!(
                step_codes.len(),
                program.protocol.len(),
                "{}: step codes unique",
                template.code
            );
        }
    }

    #[test]
    fn every_template_cites_its_study_and_says_which_numbers_are_defaults() {
        for template in templates() {
            let study = &template.study;
            assert!(
                !study.authors.is_empty() && !study.title.is_empty() && !study.journal.is_empty()
            );
            assert!((1990..=2020).contains(&study.year), "{}", template.code);
            assert!(study.participants > 0);
            assert!(!study.population.is_empty());
            assert!(
                template.description.contains("Kindred's defaults"),
                "{} says which numbers Kindred chose",
                template.code
            );
        }
    }

    #[test]
    fn the_eligibility_rules_the_studies_report_are_kept() {
        let rules = |code: &str| template(code).map(|t| t.eligibility).unwrap_or_default();
        assert_eq!(rules("community_companion").min_months_in_recovery, Some(36), "Min 2007");
        assert_eq!(
            rules("women_peer_case_management").min_months_in_recovery,
            Some(12),
            "Sanders 1998"
        );
        assert_eq!(
            rules("post_discharge_engagement").min_months_in_recovery,
            Some(6),
            "Tracy 2011"
        );
        let booster = template("ed_brief_intervention")
            .and_then(|t| t.protocol.iter().find(|s| s.code == "telephone_booster"))
            .map(|s| (s.target_day, s.window_start_day, s.window_end_day));
        assert_eq!(booster, Some((10, 8, 12)), "Bernstein 2005: booster at 10 days");
        let escort = template("post_discharge_engagement")
            .and_then(|t| t.protocol.iter().find(|s| s.code == "escort_first_outpatient"))
            .map(|s| (s.anchor, s.appointment_kind, s.window_start_day, s.window_end_day));
        assert_eq!(
            escort,
            Some((
                StepAnchor::FirstAppointment,
                Some(AppointmentKind::SubstanceUseTreatment),
                -60,
                0
            ))
        );
    }

    #[test]
    fn short_citations_read_naturally() {
        let bernstein = template("ed_brief_intervention").map(|t| t.study.short());
        assert_eq!(bernstein.as_deref(), Some("Bernstein et al., 2005"));
        let mangrum = template("recovery_support_with_treatment").map(|t| t.study.short());
        assert_eq!(mangrum.as_deref(), Some("Mangrum, 2008"));
    }
}
