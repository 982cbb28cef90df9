//! The platforms page as the window shows it: the platforms in natural order, each with the
//! registrations on it, filtered by what the user types and cut to the cards on screen. The
//! whole list is read once into a [`PlatformIndex`] (the app keeps it until the database
//! changes), so that each key in the filter and each "Show more" answers a page of cards, not
//! every registration.

use std::collections::HashMap;

use serde::Serialize;
use ts_rs::TS;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization as _;

use super::Platform;
use crate::error::{Error, Result};
use crate::registration::RegistrationBrief;

/// The longest filter taken, in characters: longer than any name, issuer or client_id.
pub const MAX_FILTER_CHARS: usize = 1_000;

/// One platform's card: the platform and the registrations on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PlatformCard {
    /// The platform.
    pub platform: Platform,
    /// The registrations on it, oldest first.
    pub registrations: Vec<RegistrationBrief>,
}

/// The cards to show for a filter, and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PlatformPage {
    /// How many platforms there are.
    pub total: u32,
    /// How many of them match the filter (all of them when it is blank).
    pub matching: u32,
    /// The first matching cards, up to the limit, in natural order of their names; then the
    /// matching ones asked to be kept on screen beyond it, in the same order.
    pub cards: Vec<PlatformCard>,
}

/// Every platform with its registrations and the text a filter searches, in natural order.
#[derive(Debug, Default)]
pub struct PlatformIndex {
    cards: Vec<PlatformCard>,
    /// Each card's folded search text (see [`search_text`]), by position.
    search: Vec<String>,
}

impl PlatformIndex {
    /// From the platforms in natural order (as the store lists them) and every registration.
    pub fn new(platforms: Vec<Platform>, registrations: Vec<RegistrationBrief>) -> Self {
        let mut by_platform: HashMap<String, Vec<RegistrationBrief>> = HashMap::new();
        for registration in registrations {
            by_platform
                .entry(registration.platform_id.clone())
                .or_default()
                .push(registration);
        }
        let cards: Vec<PlatformCard> = platforms
            .into_iter()
            .map(|platform| {
                let registrations = by_platform.remove(&platform.id).unwrap_or_default();
                PlatformCard {
                    platform,
                    registrations,
                }
            })
            .collect();
        let search = cards.iter().map(search_text).collect();
        PlatformIndex { cards, search }
    }

    /// The cards for `filter` (accents and case ignored; blank shows all): the first `limit`
    /// matching ones, and any matching one whose id is in `keep` (a card with an open panel, a
    /// platform just added). A filter over [`MAX_FILTER_CHARS`] is refused by name.
    pub fn page(&self, filter: &str, limit: usize, keep: &[String]) -> Result<PlatformPage> {
        if filter.chars().count() > MAX_FILTER_CHARS {
            return Err(Error::invalid(
                "filter",
                format!("it is over {MAX_FILTER_CHARS} characters long"),
                "type part of a name, an issuer or a client_id",
            )
            .at("filter"));
        }
        let needle = fold(filter.trim());
        // A filter holding a line break could only match across two lines: it is taken as none.
        let all = needle.is_empty() || needle.contains('\n');
        let mut matching = 0usize;
        let mut cards = Vec::new();
        for (card, text) in self.cards.iter().zip(&self.search) {
            if !all && !text.contains(&needle) {
                continue;
            }
            if matching < limit || keep.contains(&card.platform.id) {
                cards.push(card.clone());
            }
            matching += 1;
        }
        Ok(PlatformPage {
            total: count(self.cards.len()),
            matching: count(matching),
            cards,
        })
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Text as a filter compares it: decomposed, its accents dropped, in lower case ("Équipe"
/// matches "equipe"), as the window's other filters fold it.
pub fn fold(text: &str) -> String {
    // Plain ASCII has no accents to drop: most names, every issuer and client_id.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A card's name, issuer, base URL and the client_ids registered on it, folded, one per line
/// (so that a filter never matches across two of them).
fn search_text(card: &PlatformCard) -> String {
    let spec = &card.platform.spec;
    let mut parts = vec![spec.name.as_str(), spec.issuer.as_str()];
    parts.extend(spec.base_url.as_deref());
    parts.extend(card.registrations.iter().map(|r| r.client_id.as_str()));
    parts.into_iter().map(fold).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::platform::{PlatformFamily, PlatformSpec};

    fn platform(id: &str, name: &str, issuer: &str) -> Platform {
        Platform {
            id: id.into(),
            spec: PlatformSpec {
                name: name.into(),
                family: PlatformFamily::Custom,
                base_url: None,
                issuer: issuer.into(),
                auth_url: format!("{issuer}/auth"),
                token_url: format!("{issuer}/token"),
                token_audience: None,
                jwks_url: format!("{issuer}/jwks"),
                openid_configuration_url: None,
            },
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn registration(id: &str, platform_id: &str, client_id: &str) -> RegistrationBrief {
        RegistrationBrief {
            id: id.into(),
            tool_id: "t1".into(),
            tool_name: "Quiz".into(),
            platform_id: platform_id.into(),
            client_id: client_id.into(),
            deployment_count: 1,
        }
    }

    /// P1 ... P45, in natural order, each with a registration whose client_id is `c<n>`.
    fn index() -> PlatformIndex {
        let platforms = (1..=45)
            .map(|n| {
                platform(
                    &format!("p{n}"),
                    &format!("P{n}"),
                    &format!("https://lms{n}.example.edu"),
                )
            })
            .collect();
        let registrations = (1..=45)
            .map(|n| registration(&format!("r{n}"), &format!("p{n}"), &format!("c{n}")))
            .collect();
        PlatformIndex::new(platforms, registrations)
    }

    fn names(page: &PlatformPage) -> Vec<&str> {
        page.cards
            .iter()
            .map(|c| c.platform.spec.name.as_str())
            .collect()
    }

    #[test]
    fn a_blank_filter_shows_the_first_cards_in_order_each_with_its_own_registrations() {
        let page = index().page("  ", 20, &[]).unwrap();
        assert_eq!((page.total, page.matching), (45, 45));
        assert_eq!(page.cards.len(), 20);
        assert_eq!(names(&page)[..3], ["P1", "P2", "P3"]);
        for card in &page.cards {
            let ids: Vec<&str> = card
                .registrations
                .iter()
                .map(|r| r.platform_id.as_str())
                .collect();
            assert_eq!(
                ids,
                [card.platform.id.as_str()],
                "{}",
                card.platform.spec.name
            );
        }
        let more = index().page("", 40, &[]).unwrap();
        assert_eq!(more.cards.len(), 40);
        assert_eq!(names(&more)[..20], names(&page)[..]);
    }

    #[test]
    fn the_filter_matches_a_name_an_issuer_or_a_client_id_accents_and_case_ignored() {
        let platforms = vec![
            platform("a", "Équipe Canvas", "https://canvas.instructure.com"),
            platform("b", "Moodle", "https://moodle.example.edu"),
            platform("c", "Sakai", "https://sakai.example.edu"),
        ];
        let index = PlatformIndex::new(platforms, vec![registration("r", "c", "10000000000042")]);
        let matched = |filter: &str| {
            let page = index.page(filter, 20, &[]).unwrap();
            (page.matching, names(&page).join(","))
        };
        assert_eq!(matched("equipe"), (1, "Équipe Canvas".into()));
        assert_eq!(matched("ÉQUIPE"), (1, "Équipe Canvas".into()));
        assert_eq!(matched("moodle.example"), (1, "Moodle".into()));
        assert_eq!(matched("0042"), (1, "Sakai".into()));
        assert_eq!(matched("example.edu"), (2, "Moodle,Sakai".into()));
        assert_eq!(matched("blackboard"), (0, String::new()));
        // The name and the issuer are separate lines: no match across them.
        assert_eq!(matched("moodlehttps"), (0, String::new()));
        assert_eq!(index.page("x", 20, &[]).unwrap().total, 3);
    }

    #[test]
    fn a_card_asked_to_stay_is_shown_beyond_the_limit_while_it_matches() {
        let index = index();
        let keep = vec!["p33".to_owned()];
        let page = index.page("", 20, &keep).unwrap();
        assert_eq!(page.cards.len(), 21);
        assert_eq!(names(&page).last(), Some(&"P33"));
        // Filtered out, it is not shown.
        let page = index.page("P4", 20, &keep).unwrap();
        assert_eq!(
            names(&page),
            ["P4", "P40", "P41", "P42", "P43", "P44", "P45"]
        );
    }

    #[test]
    fn a_filter_too_long_is_refused_by_name() {
        let long = "a".repeat(MAX_FILTER_CHARS + 1);
        let err = index().page(&long, 20, &[]).unwrap_err();
        assert_eq!(err.field(), Some("filter"));
        assert!(err.to_string().contains("over 1000 characters"), "{err}");
        assert!(index().page(&long[1..], 20, &[]).is_ok());
    }

    #[test]
    fn folding_drops_accents_and_case() {
        assert_eq!(fold("Équipe Ñandú"), "equipe nandu");
        assert_eq!(fold("ABC-123"), "abc-123");
    }
}
