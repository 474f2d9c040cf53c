//! From HSDS tables to directory resources: every row checked (required fields, references
//! between tables, emails, web addresses, phones, times), then one resource per service.

use std::collections::{HashMap, HashSet};

use kindred_domain::resource::{ResourceDetails, ResourceInput, parse_phone, parse_url};
use kindred_domain::user::EmailAddress;

use super::RowError;
use super::package::{Row, Table, TableKind, Tables};

/// A resource built from one service, ready to be created or updated.
#[derive(Debug, Clone)]
pub(super) struct ImportedService {
    pub service_id: String,
    pub details: ResourceDetails,
    pub active: bool,
}

/// Checks a table's rows one by one, collecting every problem with its file and row.
struct Checker<'t> {
    table: &'t Table,
    errors: Vec<RowError>,
}

impl<'t> Checker<'t> {
    fn new(table: &'t Table) -> Self {
        Self { table, errors: Vec::new() }
    }

    fn fail(&mut self, row: &Row, field: &str, message: impl Into<String>) {
        self.errors.push(RowError::row(&self.table.file, row.line, Some(field), message));
    }

    fn get<'r>(&self, row: &'r Row, columns: &[&str]) -> Option<&'r str> {
        self.table.get(row, columns)
    }

    /// A required value; its absence is reported under the first column name.
    fn required<'r>(&mut self, row: &'r Row, columns: &[&str]) -> Option<&'r str> {
        let value = self.get(row, columns);
        if value.is_none() {
            self.fail(row, columns[0], "is required but empty");
        }
        value
    }

    /// An id that must be unique in the table.
    fn id<'r>(&mut self, row: &'r Row, seen: &mut HashSet<String>) -> Option<&'r str> {
        let id = self.required(row, &["id"])?;
        if !seen.insert(id.to_owned()) {
            self.fail(row, "id", format!("\"{id}\" appears twice in this file"));
            return None;
        }
        Some(id)
    }

    /// An optional reference that must name a row of another table.
    fn reference<'r>(
        &mut self,
        row: &'r Row,
        column: &str,
        known: &HashSet<String>,
        what: &str,
    ) -> Option<&'r str> {
        let id = self.get(row, &[column])?;
        if known.contains(id) {
            Some(id)
        } else {
            self.fail(row, column, format!("unknown {what} id \"{id}\""));
            None
        }
    }

    fn email(&mut self, row: &Row, column: &str) -> Option<String> {
        let text = self.get(row, &[column])?;
        match EmailAddress::parse(text) {
            Ok(email) => Some(email.to_string()),
            Err(_) => {
                self.fail(row, column, format!("\"{text}\" is not an email address"));
                None
            }
        }
    }

    fn url(&mut self, row: &Row, columns: &[&str]) -> Option<String> {
        let text = self.get(row, columns)?;
        match parse_url(Some(text)) {
            Ok(url) => url,
            Err(message) => {
                let column = columns
                    .iter()
                    .find(|c| self.table.get(row, &[**c]).is_some())
                    .copied()
                    .unwrap_or(columns[0]);
                self.fail(row, column, message);
                None
            }
        }
    }

    fn time(&mut self, row: &Row, column: &str) -> Option<String> {
        let text = self.get(row, &[column])?;
        match clock_time(text) {
            Some(time) => Some(time),
            None => {
                self.fail(row, column, format!("\"{text}\" is not a time like 09:00 or 17:30:00"));
                None
            }
        }
    }
}

/// `09:00`, `9:00` or `09:00:00` as `09:00`.
fn clock_time(text: &str) -> Option<String> {
    let mut parts = text.split(':');
    let hour: u8 = parts.next()?.parse().ok()?;
    let minute: u8 = parts.next()?.parse().ok()?;
    let second_ok = parts.next().is_none_or(|s| s.parse::<u8>().is_ok_and(|s| s < 60));
    (hour < 24 && minute < 60 && second_ok && parts.next().is_none())
        .then(|| format!("{hour:02}:{minute:02}"))
}

/// iCal day codes (3.0 `byday`) and weekday names or numbers (2.x `weekday`) as short names.
fn day_name(code: &str) -> Option<&'static str> {
    let code = code.trim().to_ascii_lowercase();
    let code = code.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
    Some(match code {
        "mo" | "monday" | "mon" | "1" => "Mon",
        "tu" | "tuesday" | "tue" | "2" => "Tue",
        "we" | "wednesday" | "wed" | "3" => "Wed",
        "th" | "thursday" | "thu" | "4" => "Thu",
        "fr" | "friday" | "fri" | "5" => "Fri",
        "sa" | "saturday" | "sat" | "6" => "Sat",
        "su" | "sunday" | "sun" | "7" => "Sun",
        _ => return None,
    })
}

#[derive(Default)]
struct Owners {
    service: Option<String>,
    location: Option<String>,
    organisation: Option<String>,
    service_at_location: Option<String>,
}

/// Validates every table and builds one resource per valid service. Returns the resources
/// and every row error (the caller imports nothing if there is any).
pub(super) fn build(tables: &Tables) -> (Vec<ImportedService>, Vec<RowError>) {
    let empty = |kind: TableKind, file: &str| {
        tables.tables.get(&kind).cloned().unwrap_or_else(|| Table::empty(file))
    };
    let organisations = empty(TableKind::Organizations, "organizations.csv");
    let services = empty(TableKind::Services, "services.csv");
    let locations = empty(TableKind::Locations, "locations.csv");
    let links = empty(TableKind::ServiceAtLocation, "service_at_location.csv");
    let addresses = empty(TableKind::Addresses, "addresses.csv");
    let phones = empty(TableKind::Phones, "phones.csv");
    let schedules = empty(TableKind::Schedules, "schedules.csv");
    let mut errors = Vec::new();

    // Organisations: id → (name, email, website).
    let mut check = Checker::new(&organisations);
    let mut organisation_ids = HashSet::new();
    let mut organisation_of: HashMap<String, (String, Option<String>, Option<String>)> =
        HashMap::new();
    for row in &organisations.rows {
        let id = check.id(row, &mut organisation_ids);
        let name = check.required(row, &["name"]);
        let email = check.email(row, "email");
        let website = check.url(row, &["website", "url"]);
        if let (Some(id), Some(name)) = (id, name) {
            organisation_of.insert(id.to_owned(), (name.to_owned(), email, website));
        }
    }
    errors.append(&mut check.errors);

    // Services, first pass: ids, so the other tables can refer to them.
    let service_ids: HashSet<String> =
        services.rows.iter().filter_map(|r| services.get(r, &["id"]).map(str::to_owned)).collect();

    let mut check = Checker::new(&locations);
    let mut location_ids = HashSet::new();
    for row in &locations.rows {
        check.id(row, &mut location_ids);
        check.reference(row, "organization_id", &organisation_ids, "organisation");
    }
    errors.append(&mut check.errors);

    // Service at location: service → its locations, in file order.
    let mut check = Checker::new(&links);
    let mut locations_of: HashMap<String, Vec<String>> = HashMap::new();
    let mut link_of: HashMap<String, (String, String)> = HashMap::new();
    for row in &links.rows {
        let service = check
            .required(row, &["service_id"])
            .and_then(|_| check.reference(row, "service_id", &service_ids, "service"));
        let location = check
            .required(row, &["location_id"])
            .and_then(|_| check.reference(row, "location_id", &location_ids, "location"));
        if let (Some(service), Some(location)) = (service, location) {
            locations_of.entry(service.to_owned()).or_default().push(location.to_owned());
            if let Some(id) = links.get(row, &["id"]) {
                link_of.insert(id.to_owned(), (service.to_owned(), location.to_owned()));
            }
        }
    }
    errors.append(&mut check.errors);
    let link_ids: HashSet<String> = link_of.keys().cloned().collect();

    // Addresses: a location's physical address, or its first address of any kind.
    let mut check = Checker::new(&addresses);
    let mut address_of: HashMap<String, (bool, String, String, Option<String>)> = HashMap::new();
    for row in &addresses.rows {
        let location = check
            .required(row, &["location_id"])
            .and_then(|_| check.reference(row, "location_id", &location_ids, "location"));
        let street = check.required(row, &["address_1"]);
        let city = check.required(row, &["city"]);
        let (Some(location), Some(street), Some(city)) = (location, street, city) else { continue };
        let physical = addresses
            .get(row, &["address_type"])
            .is_none_or(|t| t.eq_ignore_ascii_case("physical"));
        let street = match addresses.get(row, &["address_2"]) {
            Some(more) => format!("{street}, {more}"),
            None => street.to_owned(),
        };
        let postal = addresses.get(row, &["postal_code"]).map(str::to_owned);
        let better =
            address_of.get(location).is_none_or(|(was_physical, ..)| physical && !was_physical);
        if better {
            address_of.insert(location.to_owned(), (physical, street, city.to_owned(), postal));
        }
    }
    errors.append(&mut check.errors);

    // Phones, by what they belong to.
    let mut check = Checker::new(&phones);
    let mut phone_rows: Vec<(Owners, String)> = Vec::new();
    for row in &phones.rows {
        let owners = Owners {
            service: check.reference(row, "service_id", &service_ids, "service").map(str::to_owned),
            location: check
                .reference(row, "location_id", &location_ids, "location")
                .map(str::to_owned),
            organisation: check
                .reference(row, "organization_id", &organisation_ids, "organisation")
                .map(str::to_owned),
            service_at_location: check
                .reference(row, "service_at_location_id", &link_ids, "service-at-location")
                .map(str::to_owned),
        };
        let Some(number) = check.required(row, &["number"]) else { continue };
        let number = match phones.get(row, &["extension"]) {
            Some(extension) => format!("{number} ext. {extension}"),
            None => number.to_owned(),
        };
        match parse_phone(Some(&number)) {
            Ok(_) => phone_rows.push((owners, number)),
            Err(message) => check.fail(row, "number", format!("\"{number}\" {message}")),
        }
    }
    errors.append(&mut check.errors);

    // Schedules: each row as words ("Mon, Tue 09:00–17:00" or its own description).
    let mut check = Checker::new(&schedules);
    let mut schedule_rows: Vec<(Owners, String)> = Vec::new();
    for row in &schedules.rows {
        let owners = Owners {
            service: check.reference(row, "service_id", &service_ids, "service").map(str::to_owned),
            location: check
                .reference(row, "location_id", &location_ids, "location")
                .map(str::to_owned),
            organisation: None,
            service_at_location: check
                .reference(row, "service_at_location_id", &link_ids, "service-at-location")
                .map(str::to_owned),
        };
        let opens = check.time(row, "opens_at");
        let closes = check.time(row, "closes_at");
        let days: Vec<&str> = schedules
            .get(row, &["byday", "weekday"])
            .map(|d| d.split(',').filter_map(day_name).collect())
            .unwrap_or_default();
        let text = match (schedules.get(row, &["description"]), opens, closes) {
            (Some(description), _, _) => Some(description.to_owned()),
            (None, Some(opens), Some(closes)) if days.is_empty() => {
                Some(format!("{opens}–{closes}"))
            }
            (None, Some(opens), Some(closes)) => {
                Some(format!("{} {opens}–{closes}", days.join(", ")))
            }
            _ => None,
        };
        if let Some(text) = text {
            schedule_rows.push((owners, text));
        }
    }
    errors.append(&mut check.errors);

    // Services, second pass: one resource each.
    let mut check = Checker::new(&services);
    let mut seen = HashSet::new();
    let mut built = Vec::new();
    for row in &services.rows {
        let id = check.id(row, &mut seen);
        let organisation = check.required(row, &["organization_id"]).and_then(|_| {
            check.reference(row, "organization_id", &organisation_ids, "organisation")
        });
        let name = check.required(row, &["name"]);
        let email = check.email(row, "email");
        let url = check.url(row, &["url", "website"]);
        let (Some(id), Some(organisation), Some(name)) = (id, organisation, name) else { continue };
        let Some((organisation_name, organisation_email, organisation_website)) =
            organisation_of.get(organisation)
        else {
            continue;
        };
        let service_locations = locations_of.get(id).cloned().unwrap_or_default();
        let first_address = service_locations.iter().find_map(|l| address_of.get(l)).cloned();
        let belongs = |owners: &Owners| -> u8 {
            // Lower is closer: the service's own, then at its location, then its location's,
            // then the organisation's.
            if owners.service.as_deref() == Some(id) {
                0
            } else if owners
                .service_at_location
                .as_ref()
                .and_then(|l| link_of.get(l))
                .is_some_and(|(s, _)| s == id)
            {
                1
            } else if owners.location.as_ref().is_some_and(|l| service_locations.first() == Some(l))
            {
                2
            } else if owners.organisation.as_deref() == Some(organisation) {
                3
            } else {
                u8::MAX
            }
        };
        let phone = phone_rows
            .iter()
            .map(|(owners, number)| (belongs(owners), number))
            .filter(|(rank, _)| *rank < 4)
            .min_by_key(|(rank, _)| *rank)
            .map(|(_, number)| number.clone());
        let best_schedule = schedule_rows.iter().map(|(o, _)| belongs(o)).filter(|r| *r < 3).min();
        let mut hours: Vec<String> = Vec::new();
        for (owners, text) in &schedule_rows {
            if Some(belongs(owners)) == best_schedule && !hours.contains(text) {
                hours.push(text.clone());
            }
        }
        let hours = if hours.is_empty() {
            services.get(row, &["hours"]).map(str::to_owned)
        } else {
            Some(hours.join("; "))
        };
        let status = services.get(row, &["status"]).unwrap_or("active").to_ascii_lowercase();
        let input = ResourceInput {
            organisation_name: Some(organisation_name.clone()),
            service_name: Some(name.to_owned()),
            description: services.get(row, &["description"]).map(str::to_owned),
            category: None,
            address: first_address.as_ref().map(|a| a.1.clone()),
            city: first_address.as_ref().map(|a| a.2.clone()),
            postal_code: first_address.as_ref().and_then(|a| a.3.clone()),
            phone,
            email: email.or_else(|| organisation_email.clone()),
            website: url.or_else(|| organisation_website.clone()),
            hours,
        };
        match ResourceDetails::parse(&input) {
            Ok(details) => built.push(ImportedService {
                service_id: id.to_owned(),
                details,
                active: !matches!(status.as_str(), "inactive" | "defunct"),
            }),
            Err(problems) => {
                for problem in problems.iter() {
                    check.fail(row, &problem.field, problem.message.clone());
                }
            }
        }
    }
    errors.append(&mut check.errors);
    errors.sort_by(|a, b| (&a.file, a.row).cmp(&(&b.file, b.row)));
    (built, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_days_are_read_from_both_versions() {
        assert_eq!(clock_time("9:00").as_deref(), Some("09:00"));
        assert_eq!(clock_time("17:30:00").as_deref(), Some("17:30"));
        assert_eq!(clock_time("25:00"), None);
        assert_eq!(clock_time("noon"), None);
        assert_eq!(day_name("MO"), Some("Mon"));
        assert_eq!(day_name("Friday"), Some("Fri"));
        assert_eq!(day_name("1TU"), Some("Tue"));
        assert_eq!(day_name("someday"), None);
    }
}
