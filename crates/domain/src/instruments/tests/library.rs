use super::*;
use crate::instruments::definition::{LicenceStatus, ResponseFormat, Sex};

#[test]
fn every_definition_file_parses_and_is_consistent() {
    for (name, json) in SOURCES {
        let definition: InstrumentDefinition =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}.json: {e}"));
        assert_eq!(definition.code, name, "{name}.json names itself");
        assert_eq!(definition.problems(), Vec::<String>::new(), "{name}.json is inconsistent");
    }
    assert_eq!(library().len(), SOURCES.len(), "every file is in the library");
}

#[test]
fn item_counts_and_scales_match_the_published_instruments() {
    // (code, scored items, response values, total range) as published; see each file's citation.
    type Published = (&'static str, usize, (i64, i64), (f64, f64));
    let expected: [Published; 12] = [
        ("barc-10", 10, (1, 6), (10.0, 60.0)),
        ("phq-9", 10, (0, 3), (0.0, 27.0)), // 9 scored + the unscored difficulty question
        ("gad-7", 8, (0, 3), (0.0, 21.0)),  // 7 scored + the difficulty question
        ("audit-c", 3, (0, 4), (0.0, 12.0)),
        ("dast-10", 10, (0, 1), (0.0, 10.0)),
        ("readiness-ruler", 1, (0, 10), (0.0, 10.0)),
        ("use-days-30", 8, (0, 30), (0.0, 30.0)),
        ("who-5", 5, (0, 5), (0.0, 25.0)),
        ("mspss", 12, (1, 7), (1.0, 7.0)),
        ("gse", 10, (1, 4), (10.0, 40.0)), // Schwarzer & Jerusalem 1995
        ("stress-rating", 1, (0, 10), (0.0, 10.0)),
        ("service-satisfaction", 6, (1, 4), (6.0, 24.0)),
    ];
    for (code, items, values, range) in expected {
        let d = instrument(code);
        assert_eq!(d.items.len(), items, "{code} item count");
        assert_eq!(d.items[0].response.bounds(), Some(values), "{code} response scale");
        let total = &d.scoring.scales[0];
        assert_eq!((total.min, total.max), range, "{code} total range");
    }
    let mspss = instrument("mspss");
    let subscale = |id: &str| mspss.scale(id).map(|s| s.items.clone()).unwrap_or_default();
    // Zimet et al. 1988; scoring note: SO 1, 2, 5, 10; family 3, 4, 8, 11; friends 6, 7, 9, 12.
    assert_eq!(subscale("significant_other"), ["mspss_1", "mspss_2", "mspss_5", "mspss_10"]);
    assert_eq!(subscale("family"), ["mspss_3", "mspss_4", "mspss_8", "mspss_11"]);
    assert_eq!(subscale("friends"), ["mspss_6", "mspss_7", "mspss_9", "mspss_12"]);
    assert_eq!(instrument("dast-10").scoring.reverse_scored, ["dast10_3"]);
}

#[test]
fn every_definition_states_its_licence_and_citation() {
    for summary in summaries() {
        assert!(!summary.citation.is_empty() && !summary.licence.terms.is_empty());
        if summary.licence.status == LicenceStatus::Uncertain {
            assert!(!summary.caveats.is_empty() || summary.licence.source.is_some());
        }
    }
    let dast = instrument("dast-10");
    assert_eq!(dast.licence.status, LicenceStatus::Verified);
    assert!(dast.licence.terms.contains("non-commercial use"));
    assert!(dast.licence.terms.contains("Harvey A. Skinner"));
    assert!(dast.licence.terms.contains("1982"));
    assert!(instrument("barc-10").citation.contains("Vilsaint"));
    // The self-efficacy scale's terms are the authors' own words; the two Kindred measures
    // say plainly that they are not the licensed instruments they stand in for.
    let gse = instrument("gse");
    assert_eq!(gse.licence.status, LicenceStatus::Verified);
    assert!(gse.licence.terms.contains("We hereby grant you permission"));
    assert!(gse.citation.contains("Schwarzer R, Jerusalem M"));
    for (code, stands_in_for) in
        [("stress-rating", "Perceived Stress Scale"), ("service-satisfaction", "CSQ-8")]
    {
        let d = instrument(code);
        assert_eq!(d.licence.status, LicenceStatus::KindredAuthored, "{code}");
        assert!(d.citation.contains(stands_in_for), "{code} names what it is not");
        assert!(d.caveats.iter().any(|c| c.contains("not a validated instrument")), "{code}");
    }
}

#[test]
fn the_listing_serialises_for_the_api() {
    let listed = serde_json::to_value(summaries()).unwrap();
    let codes: Vec<&str> =
        listed.as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        [
            "barc-10",
            "phq-9",
            "gad-7",
            "audit-c",
            "dast-10",
            "readiness-ruler",
            "use-days-30",
            "who-5",
            "mspss",
            "gse",
            "stress-rating",
            "service-satisfaction"
        ]
    );
    assert_eq!(listed[4]["licence"]["status"], "verified");
    assert!(listed[1]["citation"].as_str().unwrap().contains("Kroenke"));
}

#[test]
fn the_consistency_check_catches_a_wrong_range_and_gapped_bands() {
    let mut wrong_range = instrument("phq-9").clone();
    wrong_range.scoring.scales[0].max = 30.0;
    let problems = wrong_range.problems().join("\n");
    assert!(problems.contains("stated range 0–30 but the items give 0–27"), "{problems}");
    let mut missing_band = instrument("phq-9").clone();
    missing_band.scoring.scales[0].bands.remove(2);
    assert_eq!(missing_band.problems(), ["scale total: bands for unspecified sex leave a gap"]);
    let mut one_sex = instrument("audit-c").clone();
    one_sex.scoring.scales[0].bands.retain(|b| b.sex != Some(Sex::Male));
    assert_eq!(one_sex.problems(), ["scale total: no bands for male"]);
    let mut repeated = instrument("gad-7").clone();
    repeated.items[1].id = "gad7_1".into();
    assert!(repeated.problems().iter().any(|p| p == "item ids repeat"));
    let mut integers = instrument("use-days-30").clone();
    integers.items[1].response = ResponseFormat::Integer { min: 5, max: 1, unit: None };
    assert!(integers.problems().iter().any(|p| p.contains("min 5 is above max 1")));
}
