//! The original's pagination envelope: `{items, total, page, pages, has_next, has_prev}`.

use sentinelops_app::AppError;
use sentinelops_app::Window;
use serde::Serialize;

/// Deeper pages than this are refused (offsets must stay within what databases accept).
const MAX_PAGE: u64 = 1_000_000;

/// Page number (from 1) and page size, checked.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: u64,
    pub limit: u64,
}

impl PageRequest {
    pub fn new(page: Option<u64>, limit: Option<u64>, default_limit: u64, max_limit: u64) -> Result<Self, AppError> {
        let page = page.unwrap_or(1);
        let limit = limit.unwrap_or(default_limit);
        if page == 0 || page > MAX_PAGE {
            return Err(AppError::Validation(format!("page must be between 1 and {MAX_PAGE}")));
        }
        if limit == 0 || limit > max_limit {
            return Err(AppError::Validation(format!("limit must be between 1 and {max_limit}")));
        }
        Ok(PageRequest { page, limit })
    }

    pub fn window(self) -> Window {
        Window { offset: (self.page - 1).saturating_mul(self.limit), limit: self.limit }
    }
}

#[derive(Debug, Serialize)]
pub struct Paginated<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub has_next: bool,
    pub has_prev: bool,
}

impl<T> Paginated<T> {
    pub fn new(items: Vec<T>, total: u64, request: PageRequest) -> Self {
        let pages = total.div_ceil(request.limit);
        Paginated {
            items,
            total,
            page: request.page,
            pages,
            has_next: request.page < pages,
            has_prev: request.page > 1,
        }
    }
}
