//! Paging of the whole-scope lists (due tasks, follow-up windows, open referrals): each page is
//! read in the database in the list's order, and counts stop at a cap.

/// Items per page.
pub const PAGE_SIZE: i64 = 20;

/// Counts stop here ("500+"): past it a figure tells a person nothing more, and counting an
/// organisation's whole backlog would cost more than the page.
pub const COUNT_CAP: i64 = 500;

/// How many there are (up to [`COUNT_CAP`]; `capped` says more) and where a page stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paged {
    pub total: i64,
    pub capped: bool,
    /// 1-based.
    pub page: i64,
    pub page_count: i64,
}

impl Paged {
    /// From a count that may have gone past the cap.
    pub(crate) fn new(counted: i64, page: i64) -> Self {
        let total = counted.min(COUNT_CAP);
        let page_count = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        Self { total, capped: counted > COUNT_CAP, page, page_count }
    }

    /// Rows to skip to reach `page` (1-based; anything lower is the first).
    pub(crate) fn offset(page: i64) -> i64 {
        (page.max(1) - 1).saturating_mul(PAGE_SIZE)
    }
}
