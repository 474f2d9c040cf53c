//! Outcome definitions as an evaluator sends them, and their parsing: every parameter is
//! checked against the instrument it names (scale, item, band) and the schedule (time point),
//! and event windows must fit inside the study's follow-up horizon.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::catalogue::StudyCatalogue;
use super::outcome::{BinaryRule, EventSpec, Origin, OutcomeDefinition, OutcomeMeasure, ScoreRef};
use super::values::{code, decimal, unique_list};
use crate::fields::{FieldErrors, required_text};
use crate::instruments::InstrumentDefinition;
use crate::scalar::{text_or_scalar, whole_number};
use crate::vocabulary::{
    AppointmentKind, Comparator, HospitalisationKind, OutcomeEventKind, Vocabulary,
};

/// The most outcomes a study defines, and time points a repeated measure lists.
const MAX_OUTCOMES: usize = 30;
const MAX_REPEATED_POINTS: usize = 40;

/// One outcome as sent. `kind` decides which other fields are read:
/// - `binary_at_time_point`: `time_point`, `instrument`, `rule`;
/// - `score_at_time_point`, `change_from_baseline`: `time_point`, `instrument`, `scale`;
/// - `event_within`: `event`, `days`, `origin` (`enrolment` or `index_event`), `index_event`;
/// - `time_to_event`, `event_rate`: `event`;
/// - `repeated`: `instrument`, `scale`, `time_points`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct OutcomeInput {
    /// Lowercase letters, digits and `_`; the analysis plan names the outcome by it.
    pub code: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub time_point: Option<String>,
    pub time_points: Vec<String>,
    pub instrument: Option<String>,
    /// A scale id of the instrument; blank for its headline total.
    pub scale: Option<String>,
    pub rule: Option<BinaryRuleInput>,
    pub event: Option<EventInput>,
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "30"))]
    pub days: Option<String>,
    /// `enrolment` (the default) or `index_event`.
    pub origin: Option<String>,
    pub index_event: Option<EventInput>,
}

/// How a binary outcome is read from its assessment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct BinaryRuleInput {
    /// `score`, `items` or `band`.
    pub on: Option<String>,
    /// For `score`: a scale id; blank for the total.
    pub scale: Option<String>,
    /// For `score` and `items`: `at_most`, `below`, `at_least` or `above`.
    pub comparator: Option<String>,
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "0"))]
    pub cut_off: Option<String>,
    /// For `items`: the item ids, every one of which must meet the cut-off.
    pub items: Vec<String>,
    /// For `band`: band codes of the headline score.
    pub bands: Vec<String>,
}

/// Which events count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct EventInput {
    /// An outcome-event-kind code (`hospitalisation`, `appointment_attended`…).
    pub kind: Option<String>,
    /// Hospitalisation-kind codes, for `hospitalisation` only; empty for any kind.
    pub hospitalisation_kinds: Vec<String>,
    /// Appointment-kind codes, for appointment events only; empty for any kind.
    pub appointment_kinds: Vec<String>,
}

/// Parses every outcome under `outcomes[i]`. `horizon` is the study's follow-up horizon in
/// days, when it parsed.
pub(crate) fn parse_outcomes(
    inputs: &[OutcomeInput],
    horizon: Option<u32>,
    catalogue: &StudyCatalogue<'_>,
    errors: &mut FieldErrors,
) -> Vec<OutcomeDefinition> {
    if inputs.is_empty() {
        errors.add("outcomes", "define at least one outcome");
    } else if inputs.len() > MAX_OUTCOMES {
        errors.add("outcomes", format!("at most {MAX_OUTCOMES} outcomes"));
    }
    let mut codes = HashSet::new();
    let mut outcomes = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let at = |name: &str| format!("outcomes[{i}].{name}");
        let code = errors.check(&at("code"), code(input.code.as_deref()));
        if let Some(code) = &code
            && !codes.insert(code.clone())
        {
            errors.add(at("code"), "is the code of another outcome");
        }
        let name = errors.check(&at("name"), required_text(input.name.as_deref(), 200));
        let measure =
            Parser { input, prefix: format!("outcomes[{i}]."), catalogue, errors }.measure(horizon);
        if let (Some(code), Some(name), Some(measure)) = (code, name, measure) {
            outcomes.push(OutcomeDefinition { code, name, measure });
        }
    }
    outcomes
}

struct Parser<'p, 'c> {
    input: &'p OutcomeInput,
    prefix: String,
    catalogue: &'p StudyCatalogue<'c>,
    errors: &'p mut FieldErrors,
}

impl<'c> Parser<'_, 'c> {
    fn at(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn measure(&mut self, horizon: Option<u32>) -> Option<OutcomeMeasure> {
        let kind = self.input.kind.as_deref().map(str::trim).unwrap_or_default();
        Some(match kind {
            "binary_at_time_point" => {
                let time_point = self.time_point();
                let instrument = self.instrument();
                let rule = self.rule(instrument);
                OutcomeMeasure::BinaryAtTimePoint {
                    time_point: time_point?,
                    instrument: instrument?.code.clone(),
                    rule: rule?,
                }
            }
            "score_at_time_point" => {
                let time_point = self.time_point();
                OutcomeMeasure::ScoreAtTimePoint { time_point: time_point?, score: self.score()? }
            }
            "change_from_baseline" => {
                let time_point = self.time_point();
                OutcomeMeasure::ChangeFromBaseline { time_point: time_point?, score: self.score()? }
            }
            "event_within" => self.event_within(horizon)?,
            "time_to_event" => OutcomeMeasure::TimeToEvent { event: self.event("event")? },
            "event_rate" => OutcomeMeasure::EventRate { event: self.event("event")? },
            "repeated" => {
                let time_points = self.time_points();
                OutcomeMeasure::Repeated { score: self.score()?, time_points: time_points? }
            }
            "" => {
                self.errors.add(self.at("kind"), "choose how the outcome is measured");
                return None;
            }
            _ => {
                self.errors.add(
                    self.at("kind"),
                    "must be one of: binary_at_time_point, score_at_time_point, \
                     change_from_baseline, event_within, time_to_event, event_rate, repeated",
                );
                return None;
            }
        })
    }

    fn time_point(&mut self) -> Option<String> {
        let field = self.at("time_point");
        let parsed = code(self.input.time_point.as_deref())
            .and_then(|c| self.catalogue.check_time_point(&c).map(|()| c));
        self.errors.check(&field, parsed)
    }

    fn time_points(&mut self) -> Option<Vec<String>> {
        let field = self.at("time_points");
        let inputs = &self.input.time_points;
        if inputs.is_empty() || inputs.len() > MAX_REPEATED_POINTS {
            self.errors.add(field, format!("list 1 to {MAX_REPEATED_POINTS} time points"));
            return None;
        }
        let catalogue = self.catalogue;
        let before = self.errors.iter().count();
        let points = unique_list(inputs, &field, self.errors, |text| {
            code(Some(text)).and_then(|c| catalogue.check_time_point(&c).map(|()| c))
        });
        (self.errors.iter().count() == before).then_some(points)
    }

    fn instrument(&mut self) -> Option<&'c InstrumentDefinition> {
        let field = self.at("instrument");
        let wanted = self.input.instrument.as_deref().map(str::trim).unwrap_or_default();
        if wanted.is_empty() {
            self.errors.add(field, "choose an instrument");
            return None;
        }
        let found = self.catalogue.instrument(wanted);
        if found.is_none() {
            self.errors.add(field, "is not an instrument of the library or the organisation");
        }
        found
    }

    /// A scale of `instrument`: `None` (blank) for the total, else a scale it defines.
    fn scale(
        &mut self,
        field: &str,
        value: Option<&str>,
        instrument: Option<&InstrumentDefinition>,
    ) -> Option<Option<String>> {
        match value.map(str::trim) {
            None | Some("") => Some(None),
            Some(id) => match instrument {
                Some(d) if d.scale(id).is_some() => Some(Some(id.to_owned())),
                Some(d) => {
                    let ids: Vec<&str> = d.scoring.scales.iter().map(|s| s.id.as_str()).collect();
                    self.errors.add(
                        field,
                        format!("is not a scale of {} (it has: {})", d.code, ids.join(", ")),
                    );
                    None
                }
                None => None,
            },
        }
    }

    fn score(&mut self) -> Option<ScoreRef> {
        let input = self.input;
        let instrument = self.instrument();
        let field = self.at("scale");
        let scale = self.scale(&field, input.scale.as_deref(), instrument);
        Some(ScoreRef { instrument: instrument?.code.clone(), scale: scale? })
    }

    fn rule(&mut self, instrument: Option<&InstrumentDefinition>) -> Option<BinaryRule> {
        let input = self.input;
        let Some(rule) = &input.rule else {
            self.errors.add(self.at("rule"), "say how the answer becomes yes or no");
            return None;
        };
        let prefix = self.prefix.clone();
        let at = |name: &str| format!("{prefix}rule.{name}");
        let comparator = |errors: &mut FieldErrors| match rule.comparator.as_deref() {
            None | Some("") => {
                errors.add(at("comparator"), "is required");
                None
            }
            Some(c) => errors.check(&at("comparator"), Comparator::parse(c)),
        };
        match rule.on.as_deref().map(str::trim) {
            Some("score") => {
                let scale = self.scale(&at("scale"), rule.scale.as_deref(), instrument);
                let comparator = comparator(self.errors);
                let cut_off = self.errors.check(&at("cut_off"), decimal(rule.cut_off.as_deref()));
                Some(BinaryRule::Score {
                    scale: scale?,
                    comparator: comparator?,
                    cut_off: cut_off?,
                })
            }
            Some("items") => {
                let items = self.items(rule, instrument, &at("items"));
                let comparator = comparator(self.errors);
                let cut_off = self.errors.check(&at("cut_off"), decimal(rule.cut_off.as_deref()));
                Some(BinaryRule::Items {
                    items: items?,
                    comparator: comparator?,
                    cut_off: cut_off?,
                })
            }
            Some("band") => {
                Some(BinaryRule::Band { bands: self.bands(rule, instrument, &at("bands"))? })
            }
            _ => {
                self.errors.add(at("on"), "must be one of: score, items, band");
                None
            }
        }
    }

    fn items(
        &mut self,
        rule: &BinaryRuleInput,
        instrument: Option<&InstrumentDefinition>,
        field: &str,
    ) -> Option<Vec<String>> {
        if rule.items.is_empty() {
            self.errors.add(field, "name at least one item");
            return None;
        }
        let before = self.errors.iter().count();
        let items = unique_list(&rule.items, field, self.errors, |id| match instrument {
            Some(d) if d.item(id.trim()).is_none() => Err(format!("is not an item of {}", d.code)),
            _ => Ok(id.trim().to_owned()),
        });
        let mut items = items;
        // In the instrument's order: one form for the same set (see `parse_event`).
        if let Some(d) = instrument {
            items.sort_by_key(|id| d.items.iter().position(|item| item.id == *id));
        }
        (self.errors.iter().count() == before && instrument.is_some()).then_some(items)
    }

    fn bands(
        &mut self,
        rule: &BinaryRuleInput,
        instrument: Option<&InstrumentDefinition>,
        field: &str,
    ) -> Option<Vec<String>> {
        let known: Vec<&str> = instrument
            .and_then(|d| d.scoring.scales.first())
            .map(|total| total.bands.iter().map(|b| b.code.as_str()).collect())
            .unwrap_or_default();
        if instrument.is_some() && known.is_empty() {
            self.errors.add(field, "this instrument's score has no bands");
            return None;
        }
        if rule.bands.is_empty() {
            self.errors.add(field, "name at least one band");
            return None;
        }
        let before = self.errors.iter().count();
        let mut bands = unique_list(&rule.bands, field, self.errors, |band| {
            if known.contains(&band.trim()) {
                Ok(band.trim().to_owned())
            } else {
                Err(format!("is not a band of this score (it has: {})", known.join(", ")))
            }
        });
        bands.sort_by_key(|band| known.iter().position(|k| k == band));
        (self.errors.iter().count() == before && instrument.is_some()).then_some(bands)
    }

    fn event_within(&mut self, horizon: Option<u32>) -> Option<OutcomeMeasure> {
        let event = self.event("event");
        let field = self.at("days");
        let days = match self.input.days.as_deref().map(str::trim) {
            None | Some("") => {
                self.errors.add(&field, "is required");
                None
            }
            Some(text) => self.errors.check(&field, whole_number(text, 1..=3650)),
        };
        let days = days.and_then(|d| u32::try_from(d).ok());
        if let (Some(days), Some(horizon)) = (days, horizon)
            && days > horizon
        {
            self.errors
                .add(&field, format!("must be within the follow-up horizon ({horizon} days)"));
        }
        let origin = match self.input.origin.as_deref().map(str::trim) {
            None | Some("") | Some("enrolment") => Some(Origin::Enrolment),
            Some("index_event") => {
                self.event("index_event").map(|event| Origin::IndexEvent { event })
            }
            Some(_) => {
                self.errors.add(self.at("origin"), "must be enrolment or index_event");
                None
            }
        };
        Some(OutcomeMeasure::EventWithin { event: event?, days: days?, origin: origin? })
    }

    fn event(&mut self, name: &str) -> Option<EventSpec> {
        let outcome = self.input;
        let input = match name {
            "index_event" => outcome.index_event.as_ref(),
            _ => outcome.event.as_ref(),
        };
        let Some(input) = input else {
            self.errors.add(self.at(name), "choose the event that counts");
            return None;
        };
        parse_event(input, &self.at(name), self.errors)
    }
}

/// Parses an event spec under `field` (`outcomes[0].event`, `eligibility[1].event`).
pub(crate) fn parse_event(
    input: &EventInput,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<EventSpec> {
    let at = |name: &str| format!("{field}.{name}");
    let kind = match input.kind.as_deref().map(str::trim) {
        None | Some("") => {
            errors.add(at("kind"), "choose the kind of event");
            None
        }
        Some(code) => errors.check(&at("kind"), OutcomeEventKind::parse(code)),
    };
    // Sets are kept in vocabulary order, so a definition has one form whatever order they were
    // listed in (the locked plan's hash depends on what it says, not how it was typed).
    let mut hospitalisation_kinds =
        unique_list(&input.hospitalisation_kinds, &at("hospitalisation_kinds"), errors, |c| {
            HospitalisationKind::parse(c)
        });
    let mut appointment_kinds =
        unique_list(&input.appointment_kinds, &at("appointment_kinds"), errors, |c| {
            AppointmentKind::parse(c)
        });
    hospitalisation_kinds.sort();
    appointment_kinds.sort();
    let appointment = [OutcomeEventKind::AppointmentAttended, OutcomeEventKind::AppointmentMissed];
    if let Some(kind) = kind {
        if kind != OutcomeEventKind::Hospitalisation && !input.hospitalisation_kinds.is_empty() {
            errors.add(
                at("hospitalisation_kinds"),
                "only a hospitalisation has a hospitalisation kind",
            );
        }
        if !appointment.contains(&kind) && !input.appointment_kinds.is_empty() {
            errors
                .add(at("appointment_kinds"), "only an appointment event has an appointment kind");
        }
    }
    Some(EventSpec { kind: kind?, hospitalisation_kinds, appointment_kinds })
}
