//! Rank order among the visible users: points, then grade, then clean checklists, then
//! display name (and id), so no two users share a rank.

use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankKey {
    pub user_id: Uuid,
    pub points: i64,
    pub grade: i64,
    pub clean_checklists: i64,
    pub display_name: String,
}

/// The indexes of `keys` in rank order (the first is rank 1).
pub fn rank_order(keys: &[RankKey]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| match (keys.get(a), keys.get(b)) {
        (Some(x), Some(y)) => y
            .points
            .cmp(&x.points)
            .then(y.grade.cmp(&x.grade))
            .then(y.clean_checklists.cmp(&x.clean_checklists))
            .then_with(|| x.display_name.to_lowercase().cmp(&y.display_name.to_lowercase()))
            .then(x.user_id.cmp(&y.user_id)),
        _ => std::cmp::Ordering::Equal,
    });
    order
}

/// Each key's rank (1-based), in the order of `keys`.
pub fn ranks(keys: &[RankKey]) -> Vec<i64> {
    let mut out = vec![0i64; keys.len()];
    for (position, index) in rank_order(keys).into_iter().enumerate() {
        if let Some(slot) = out.get_mut(index) {
            *slot = i64::try_from(position).unwrap_or(i64::MAX - 1) + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(n: u128, points: i64, grade: i64, name: &str) -> RankKey {
        RankKey { user_id: Uuid::from_u128(n), points, grade, clean_checklists: 0, display_name: name.to_owned() }
    }

    #[test]
    fn points_then_grade_then_name() {
        let keys = [key(1, 10, 50, "zed"), key(2, 30, 0, "amy"), key(3, 10, 60, "bob"), key(4, 10, 50, "al")];
        assert_eq!(ranks(&keys), [4, 1, 2, 3]);
    }

    proptest! {
        #[test]
        fn ranks_are_a_permutation(entries in proptest::collection::vec((0i64..5, 0i64..3, 0i64..2, "[ab]{0,2}"), 0..20)) {
            let keys: Vec<RankKey> = entries.iter().enumerate().map(|(i, (p, g, c, n))| RankKey {
                user_id: Uuid::from_u128(i as u128), points: *p, grade: *g, clean_checklists: *c, display_name: n.clone(),
            }).collect();
            let mut r = ranks(&keys);
            r.sort_unstable();
            let expected: Vec<i64> = (1..=keys.len() as i64).collect();
            prop_assert_eq!(r, expected);
        }
    }
}
