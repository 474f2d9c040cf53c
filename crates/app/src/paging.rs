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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_past_the_cap_is_the_cap_and_says_so() {
        let paged = Paged::new(COUNT_CAP + 1, 1);
        assert_eq!((paged.total, paged.capped, paged.page_count), (COUNT_CAP, true, 25));
        let exact = Paged::new(COUNT_CAP, 2);
        assert_eq!((exact.total, exact.capped, exact.page, exact.page_count), (500, false, 2, 25));
        assert_eq!(Paged::new(41, 1).page_count, 3);
        assert_eq!(Paged::new(0, 1).page_count, 1, "an empty list is one empty page");
        assert_eq!((Paged::offset(0), Paged::offset(1), Paged::offset(3)), (0, 0, 40));
    }
}
