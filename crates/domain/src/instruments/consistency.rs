//! A definition must agree with itself before anything is scored with it: every id it refers to
//! exists, option values are distinct, stated score ranges are the ones the items can produce,
//! and bands cover each range without overlap. Checked for every shipped file by a test, and
//! for every imported FHIR `Questionnaire` before it is accepted.

use std::collections::HashSet;

use super::definition::{
    Band, Constraint, FlagTrigger, InstrumentDefinition, ResponseFormat, Scale, ScoringMethod, Sex,
};

impl InstrumentDefinition {
    /// Every inconsistency found, in words; empty when the definition can be used.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        check_header(self, &mut problems);
        check_items(self, &mut problems);
        for id in &self.scoring.reverse_scored {
            if self.item(id).is_none() {
                problems.push(format!("reverse-scored item {id} does not exist"));
            }
        }
        if !unique(self.scoring.reverse_scored.iter()) {
            problems.push("reverse_scored repeats an item".into());
        }
        check_scales(self, &mut problems);
        check_flags_and_constraints(self, &mut problems);
        problems
    }
}

fn check_header(def: &InstrumentDefinition, problems: &mut Vec<String>) {
    let code_ok = !def.code.is_empty()
        && def.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !code_ok {
        problems.push(format!("code {:?} must be lowercase letters, digits and '-'", def.code));
    }
    let texts = [
        ("version", &def.version),
        ("title", &def.title),
        ("short_name", &def.short_name),
        ("description", &def.description),
        ("citation", &def.citation),
        ("licence.summary", &def.licence.summary),
        ("licence.terms", &def.licence.terms),
    ];
    for (name, text) in texts {
        if text.trim().is_empty() {
            problems.push(format!("{name} is empty"));
        }
    }
}

fn check_items(def: &InstrumentDefinition, problems: &mut Vec<String>) {
    if def.items.is_empty() {
        problems.push("there are no items".into());
    }
    if !unique(def.items.iter().map(|i| &i.id)) {
        problems.push("item ids repeat".into());
    }
    for (position, item) in def.items.iter().enumerate() {
        let id_ok = !item.id.is_empty()
            && item.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !id_ok {
            problems
                .push(format!("item id {:?} must be lowercase letters, digits and '_'", item.id));
        }
        if item.text.trim().is_empty() {
            problems.push(format!("{}: text is empty", item.id));
        }
        match &item.response {
            ResponseFormat::Choice { options } => {
                if options.len() < 2 {
                    problems.push(format!("{}: a choice needs at least two options", item.id));
                }
                if !options.windows(2).all(|pair| pair[0].value < pair[1].value) {
                    problems
                        .push(format!("{}: option values must ascend without repeats", item.id));
                }
                if options.iter().any(|o| o.label.trim().is_empty()) {
                    problems.push(format!("{}: an option has no label", item.id));
                }
            }
            ResponseFormat::Integer { min, max, .. } => {
                if min > max {
                    problems.push(format!("{}: min {min} is above max {max}", item.id));
                }
            }
        }
        let earlier = &def.items[..position];
        match &item.enable_when {
            Some(rule) => {
                if rule.conditions.is_empty() {
                    problems.push(format!("{}: a skip rule needs conditions", item.id));
                }
                for condition in &rule.conditions {
                    // Referring only to earlier items rules out cycles and keeps forms in order.
                    match earlier.iter().find(|e| e.id == condition.item) {
                        None => problems.push(format!(
                            "{}: skip rule refers to {}, which is not an earlier item",
                            item.id, condition.item
                        )),
                        Some(other) if other.response.bounds().is_none() => {
                            problems.push(format!("{}: {} has no values", item.id, other.id))
                        }
                        Some(_) => {}
                    }
                }
            }
            None if item.score_when_hidden.is_some() => {
                problems.push(format!("{}: score_when_hidden without a skip rule", item.id))
            }
            None => {}
        }
    }
}

fn check_scales(def: &InstrumentDefinition, problems: &mut Vec<String>) {
    if def.scoring.scales.is_empty() {
        problems.push("there are no scales".into());
    }
    if !unique(def.scoring.scales.iter().map(|s| &s.id)) {
        problems.push("scale ids repeat".into());
    }
    for scale in &def.scoring.scales {
        let name = &scale.id;
        if scale.items.is_empty() || !unique(scale.items.iter()) {
            problems.push(format!("scale {name}: items must be listed once each"));
        }
        let mut bounds = Vec::new();
        for id in &scale.items {
            match def.item(id).and_then(|item| item.response.bounds()) {
                Some(b) => bounds.push(b),
                None => problems.push(format!("scale {name}: item {id} does not exist")),
            }
        }
        if scale.max_missing_prorated >= scale.items.len() {
            problems.push(format!("scale {name}: max_missing_prorated must leave an item"));
        }
        if scale.method == ScoringMethod::Max && scale.max_missing_prorated > 0 {
            problems.push(format!("scale {name}: a maximum cannot be prorated"));
        }
        if scale.multiplier < 1 {
            problems.push(format!("scale {name}: multiplier must be at least 1"));
        }
        if bounds.len() == scale.items.len()
            && let Some((low, high)) = producible_range(scale, &bounds)
            && ((low - scale.min).abs() > 1e-9 || (high - scale.max).abs() > 1e-9)
        {
            problems.push(format!(
                "scale {name}: stated range {}–{} but the items give {low}–{high}",
                scale.min, scale.max
            ));
        }
        check_bands(scale, problems);
    }
}

/// The lowest and highest score the scale's items can produce.
fn producible_range(scale: &Scale, bounds: &[(i64, i64)]) -> Option<(f64, f64)> {
    let count = bounds.len() as f64;
    let lows = bounds.iter().map(|b| b.0 as f64);
    let highs = bounds.iter().map(|b| b.1 as f64);
    let (low, high) = match scale.method {
        ScoringMethod::Sum => (lows.sum(), highs.sum()),
        ScoringMethod::Mean => (lows.sum::<f64>() / count, highs.sum::<f64>() / count),
        ScoringMethod::Max => (lows.fold(f64::MIN, f64::max), highs.fold(f64::MIN, f64::max)),
    };
    let factor = scale.multiplier as f64;
    (count > 0.0).then_some((low * factor, high * factor))
}

fn check_bands(scale: &Scale, problems: &mut Vec<String>) {
    if scale.bands.is_empty() {
        return;
    }
    let groups: [Option<Sex>; 3] = [None, Some(Sex::Female), Some(Sex::Male)];
    let has_sex_specific = scale.bands.iter().any(|b| b.sex.is_some());
    for sex in groups {
        let bands: Vec<&Band> = scale.bands.iter().filter(|b| b.sex == sex).collect();
        let who = sex.map_or("unspecified sex".to_string(), |s| format!("{s:?}").to_lowercase());
        if bands.is_empty() {
            // Sex-specific cut-offs need both sexes and a rule for when sex is not recorded.
            if sex.is_none() || has_sex_specific {
                problems.push(format!("scale {}: no bands for {who}", scale.id));
            }
            continue;
        }
        if !unique(bands.iter().map(|b| &b.code)) {
            problems.push(format!("scale {}: band codes repeat for {who}", scale.id));
        }
        let first_min = bands.first().map_or(f64::NAN, |b| b.min);
        let last_max = bands.last().map_or(f64::NAN, |b| b.max);
        if first_min != scale.min || last_max != scale.max {
            problems.push(format!(
                "scale {}: bands for {who} must run from {} to {}",
                scale.id, scale.min, scale.max
            ));
        }
        for band in &bands {
            if band.min > band.max || band.label.trim().is_empty() {
                problems.push(format!("scale {}: band {} is malformed", scale.id, band.code));
            }
        }
        if !bands.windows(2).all(|pair| pair[0].max < pair[1].min) {
            problems.push(format!("scale {}: bands for {who} overlap or are unordered", scale.id));
        }
        // Adjacent bands may leave only the gap between two neighbouring scores (9 and 10, or
        // 48 and 52 on WHO-5's ×4 percentage); a wider gap means a band was left out.
        let step = scale.multiplier as f64;
        if bands.windows(2).any(|pair| pair[1].min - pair[0].max > step) {
            problems.push(format!("scale {}: bands for {who} leave a gap", scale.id));
        }
    }
}

fn check_flags_and_constraints(def: &InstrumentDefinition, problems: &mut Vec<String>) {
    for flag in &def.scoring.flags {
        match def.item(&flag.item).and_then(|item| item.response.bounds()) {
            None => problems.push(format!("flag {}: item {} does not exist", flag.code, flag.item)),
            Some((low, high)) => {
                if let FlagTrigger::Answer { value, .. } = flag.trigger
                    && !(low..=high).contains(&value)
                {
                    problems.push(format!("flag {}: {value} is outside the item", flag.code));
                }
            }
        }
        if flag.message.trim().is_empty() {
            problems.push(format!("flag {}: message is empty", flag.code));
        }
    }
    for constraint in &def.scoring.constraints {
        let Constraint::AtLeastEach { item, others } = constraint;
        for id in std::iter::once(item).chain(others) {
            let numeric =
                def.item(id).is_some_and(|i| matches!(i.response, ResponseFormat::Integer { .. }));
            if !numeric {
                problems.push(format!("constraint on {item}: {id} is not a numeric item"));
            }
        }
    }
}

fn unique<T: Eq + std::hash::Hash>(values: impl Iterator<Item = T>) -> bool {
    let mut seen = HashSet::new();
    values.into_iter().all(|value| seen.insert(value))
}
