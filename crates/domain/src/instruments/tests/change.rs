//! Change since the previous administration.

use super::*;

#[test]
fn phq9_falling_from_14_to_8_is_an_improvement_that_moves_the_band() {
    let definition = instrument("phq-9");
    let before = score_numbered("phq-9", "phq9", &[2, 2, 2, 2, 2, 2, 1, 1, 0]);
    let after = score_numbered("phq-9", "phq9", &[1, 1, 1, 1, 1, 1, 1, 1, 0]);
    let change = change_since(definition, &before, &after).unwrap();
    let total = &change.scales[0];
    assert_eq!(
        (total.previous, total.current, total.difference),
        (Some(14.0), Some(8.0), Some(-6.0))
    );
    assert_eq!(total.trend, Trend::Improved);
    assert!(total.band_moved);
    assert_eq!(
        (total.previous_band.as_deref(), total.current_band.as_deref()),
        (Some("moderate"), Some("mild"))
    );
}

#[test]
fn a_rise_is_an_improvement_where_higher_is_better() {
    let definition = instrument("barc-10");
    let before = score_numbered("barc-10", "barc10", &[4; 10]);
    let after = score_numbered("barc-10", "barc10", &[5; 10]);
    let total = change_since(definition, &before, &after).unwrap().scales[0].clone();
    assert_eq!(
        (total.difference, total.trend, total.band_moved),
        (Some(10.0), Trend::Improved, true)
    );
    let same = change_since(definition, &after, &after).unwrap().scales[0].clone();
    assert_eq!(
        (same.difference, same.trend, same.band_moved),
        (Some(0.0), Trend::Unchanged, false)
    );
    let worse = change_since(definition, &after, &before).unwrap().scales[0].clone();
    assert_eq!(worse.trend, Trend::Worsened);
}

#[test]
fn subscale_changes_and_unscored_sides_are_reported() {
    let definition = instrument("mspss");
    let before = score_numbered("mspss", "mspss", &[4; 12]);
    let after = score_numbered("mspss", "mspss", &[4, 4, 6, 6, 4, 4, 4, 6, 4, 4, 6, 4]);
    let change = change_since(definition, &before, &after).unwrap();
    let family = change.scales.iter().find(|s| s.scale == "family").unwrap();
    assert_eq!(
        (family.difference, family.trend, family.band_moved),
        (Some(2.0), Trend::Improved, true)
    );
    let partial = score_numbered("mspss", "mspss", &[4, 4]);
    let against_partial = change_since(definition, &before, &partial).unwrap();
    assert!(
        against_partial
            .scales
            .iter()
            .all(|s| s.trend == Trend::NotComparable && s.difference.is_none())
    );
    let gad = score_numbered("gad-7", "gad7", &[0; 7]);
    assert!(change_since(definition, &gad, &after).is_none(), "different instruments");
}
