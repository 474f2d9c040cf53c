//! Text as Kindred compares it: one fold, used for every search and every name order, so
//! that what a person types matches what was stored and lists come out in the same order on
//! every database.
//!
//! Neither database is asked to fold. SQLite's `lower()` changes ASCII only and PostgreSQL's
//! order depends on the server's locale, so a search folded in Rust but compared with a
//! column folded in SQL misses people ("Élodie" typed exactly found nobody on SQLite). Storage
//! keeps folded copies of the searchable text in columns it writes itself, computed by
//! [`fold`], and folds the search text with the same function.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds `text` for comparison: Unicode lower case, then compatibility decomposition (NFKD)
/// with every combining mark removed, then the few letters NFKD leaves whole mapped to what a
/// keyboard without them would type (see [`UNDECOMPOSED`]).
///
/// So "Élodie", "ÉLODIE" and "elodie" all fold to `elodie`; "ÆRØ" to `aero`; "Şükrü" to
/// `sukru`; "İlknur" to `ilknur` (Rust lowercases 'İ' to "i" and a combining dot above,
/// which goes with the marks); "Nguyễn" to `nguyen`; "ﬁ" (a ligature) to `fi`. Folding is
/// idempotent: `fold(&fold(s)) == fold(s)`, which is what lets a folded search pattern be
/// compared with a folded column.
///
/// Marks are removed in every script, so this is a search-and-sort key, never a name to show:
/// in Devanagari, for one, vowel signs are marks and go too (consistently on both sides of a
/// comparison, so search still finds what was typed).
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for decomposed in text.to_lowercase().nfkd().filter(|c| !is_combining_mark(*c)) {
        // NFKD can bring capitals back ("ℌ" decomposes to "H", "㎒" to "MHz"), so each
        // character is lowercased again before the letter table.
        for c in decomposed.to_lowercase() {
            match UNDECOMPOSED.iter().find(|(letter, _)| *letter == c) {
                Some((_, typed)) => folded.push_str(typed),
                None => folded.push(c),
            }
        }
    }
    folded
}

/// Letters that Unicode does not decompose into a base letter and a mark, with what people
/// type for them on a keyboard that lacks them: a coach searching for "Ærø" or "Łódź" types
/// "aero" or "lodz". Also the two foldings Unicode case folding makes that plain lowercasing
/// does not (final sigma and sharp s), so "ΟΔΟΣ" and "οδος" meet. Everything else comes
/// from the Unicode tables of `unicode-normalization` and the standard library.
///
/// This is also where these letters sort: "ærø" as `aero` (among the a's), "Øst" as `ost`
/// (among the o's), as an English-language directory files them, not after z as Danish and
/// Norwegian do. One order for every organisation, whatever the server's locale.
pub const UNDECOMPOSED: [(char, &str); 12] = [
    ('æ', "ae"),
    ('œ', "oe"),
    ('ø', "o"),
    ('ß', "ss"),
    ('ł', "l"),
    ('đ', "d"),
    ('ð', "d"),
    ('þ', "th"),
    ('ı', "i"),
    ('ħ', "h"),
    ('ŧ', "t"),
    ('ς', "σ"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_to_what_a_person_would_type() {
        for (name, folded) in [
            ("Élodie", "elodie"),
            ("ÉLODIE", "elodie"),
            ("ÆRØ", "aero"),
            ("ærø", "aero"),
            ("Şükrü", "sukru"),
            ("İlknur", "ilknur"),
            ("Işık", "isik"),
            ("Nguyễn", "nguyen"),
            ("Łódź", "lodz"),
            ("Straße", "strasse"),
            ("STRASSE", "strasse"),
            ("ΟΔΟΣ", "οδοσ"),
            ("οδος", "οδοσ"),
            ("ﬁnn", "finn"),
            ("Ｒｅｙｅｓ", "reyes"),
            ("de la Cruz", "de la cruz"),
            ("100% Sure", "100% sure"),
        ] {
            assert_eq!(fold(name), folded, "{name}");
        }
    }

    #[test]
    fn the_turkish_dotted_capital_leaves_no_mark_behind() {
        // Rust lowercases 'İ' to "i\u{307}"; the dot is a combining mark and must go, or
        // "İlknur" would never match "ilknur".
        assert_eq!("İ".to_lowercase(), "i\u{307}");
        assert_eq!(fold("İ"), "i");
    }

    #[test]
    fn composed_and_decomposed_spellings_fold_alike() {
        // "é" as one code point and as "e" plus a combining acute (as some keyboards send it).
        assert_eq!(fold("\u{e9}lodie"), fold("e\u{301}lodie"));
    }

    /// Every character, not only the ones a test thought of: folding twice changes nothing,
    /// and a folded string has nothing lowercasing would change (capitals without a lower
    /// case, such as "🆃", stay) and no marks.
    #[test]
    fn folding_is_idempotent_for_every_character() {
        let mut offenders = Vec::new();
        // Planes 0–3 and the tags and variation selectors of plane 14: every assigned
        // character but the private-use planes (which have no case and no decomposition).
        let assigned = (0..=0x3FFFF_u32).chain(0xE0000..=0xE01EF);
        for c in assigned.filter_map(char::from_u32) {
            let once = fold(&c.to_string());
            let twice = fold(&once);
            let leftover = once
                .chars()
                .any(|f| !f.to_lowercase().eq(std::iter::once(f)) || is_combining_mark(f));
            if once != twice || leftover {
                offenders.push(format!("U+{:04X} {c:?} -> {once:?} -> {twice:?}", c as u32));
            }
        }
        assert!(offenders.is_empty(), "{} offenders: {:#?}", offenders.len(), &offenders);
    }
}
