//! Name order: by the folded family name, then the folded given name, then id — the same on
//! both databases whatever the server's locale, because storage orders by a key it folded
//! itself and PostgreSQL compares that key byte by byte (`COLLATE "C"`), as SQLite does.
//!
//! Where letters fall is the fold's decision (`kindred_domain::text`): accents and case do
//! not count, "Æ" sorts as "ae" and "Ø" as "o" (an English-language directory's order, not
//! Danish), and particles are part of the family name where they are spelt ("de la Cruz"
//! under d, "van Dyke" under v); a space sorts before any letter.

use kindred_domain::text::fold;
use kindred_storage::Backend;

use crate::support::{TestDb, on_both_backends};

on_both_backends!(
    accents_and_mixed_case_list_in_folded_order,
    many_scripts_list_in_the_order_of_their_folded_keys,
    postgres_compares_the_keys_byte_by_byte,
);

async fn accents_and_mixed_case_list_in_folded_order(db: TestDb) {
    let mut world = db.world().await;
    // Enrolled out of order, so neither insertion order nor id order can pass for name order.
    for (given, family) in [
        ("Eva", "Zimmer"),
        ("Jan", "van Dyke"),
        ("Ole", "Øst"),
        ("Rosa", "de la Cruz"),
        ("Bea", "avila"),
        ("Birgit", "ÆRØ"),
        ("adam", "ZIMMER"),
        ("Oscar", "Ostrowski"),
        ("Dana", "Dean"),
        ("ana", "Ávila"),
        ("Carlos", "Álvarez"),
    ] {
        world.enrol(given, family).await;
    }
    let expected = [
        "Birgit ÆRØ",      // aero
        "Carlos Álvarez",  // alvarez
        "ana Ávila",       // avila, ana
        "Bea avila",       // avila, bea
        "Rosa de la Cruz", // de la cruz: the space sorts before the "a" of dean
        "Dana Dean",       // dean
        "Ole Øst",         // ost: the whole family name before the given name
        "Oscar Ostrowski", // ostrowski
        "Jan van Dyke",    // van dyke
        "adam ZIMMER",     // zimmer, adam
        "Eva Zimmer",      // zimmer, eva
    ];
    assert_eq!(world.caseload(None).await, expected);
    // Pages cut the same order.
    assert_eq!(world.caseload_page(None, 4, 4).await, expected[4..8]);
    // A search keeps it.
    assert_eq!(world.caseload(Some("avila")).await, ["ana Ávila", "Bea avila"]);
}

/// Names from many scripts, some folding alike: the database's order is exactly the order of
/// the folded keys as Rust compares strings (code point order), ties broken by id.
async fn many_scripts_list_in_the_order_of_their_folded_keys(db: TestDb) {
    let mut world = db.world().await;
    let families = [
        "Müller",
        "Muller",
        "MÜLLER",
        "Ødegård",
        "Ödegaard",
        "Łukasz",
        "Straße",
        "Strasse",
        "Ωμέγα",
        "ωμεγα",
        "Иванов",
        "иванов",
        "王",
        "Ǆurić",
        "Dzuric",
        "ﬁsher",
        "Fisher",
        "O'Brien",
        "Obrien",
        "Le Gall",
        "Legall",
        "  Ortiz",
        "Ortiz",
        "Çelik",
        "Celik",
    ];
    let mut people = Vec::new();
    for (n, family) in families.iter().enumerate() {
        let given = ["Ana", "ana", "Ánna", "Zoë"][n % 4];
        let person = world.enrol(given, family).await;
        people.push((
            format!("{}\u{1}{}", fold(family), fold(given)),
            person.id,
            format!("{given} {family}"),
        ));
    }
    people.sort_by(|a, b| (&a.0, a.1.0).cmp(&(&b.0, b.1.0)));
    let expected: Vec<String> = people.into_iter().map(|(_, _, name)| name).collect();
    assert_eq!(world.caseload(None).await, expected);
}

/// On PostgreSQL the keys are `COLLATE "C"`, so their order does not follow the server's
/// locale (which, as en_US, would ignore spaces and punctuation). SQLite has no locale.
async fn postgres_compares_the_keys_byte_by_byte(db: TestDb) {
    if db.backend() != Backend::Postgres {
        return;
    }
    for (table, column) in [
        ("participant_identities", "search_key"),
        ("participant_identities", "sort_key"),
        ("resources", "search_key"),
        ("resources", "sort_key"),
    ] {
        let collation = db
            .raw_text(&format!(
                "SELECT COALESCE(collation_name, 'default')::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = '{table}'
                   AND column_name = '{column}'"
            ))
            .await;
        assert_eq!(collation, "C", "{table}.{column}");
    }
}
