use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::distance::{lowercase_chars, osa_distance_chars};

/// Below this input length a subsequence match is too weak a hint to suggest on its own
/// (`e` is a subsequence of most names).
const MIN_SUBSEQUENCE_CHARS: usize = 3;
/// Skim scores about 16 per matched character plus bonuses for adjacent and word-start
/// matches; widely scattered matches fall below this average and are not suggested.
const MIN_SUBSEQUENCE_SCORE_PER_CHAR: i64 = 18;
/// Scale for turning an edit distance into a score comparable with skim's, so `rank` can
/// order typo matches among subsequence matches.
const TYPO_SCORE_PER_CHAR: i64 = 16;

/// Suggests the candidate the user most plausibly meant by `input`, or `None` when nothing is
/// close enough (`zzz` suggests nothing).
///
/// In order of preference: a case-insensitive equal name; a name within a small edit
/// distance (typos such as `githb`, `gihtub`, `filesytem`; at most `max(2, len / 3)` edits,
/// where `len` is the longer of the two, and at most `len / 2`), closest first; a name that
/// contains `input` as a well-formed subsequence (abbreviations such as `seqthink`, at least
/// three characters). Ties go to the alphabetically first name, so the answer does not depend
/// on the order of `candidates`.
pub fn did_you_mean<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    if input.is_empty() {
        return None;
    }
    let query = Query::new(input);
    candidates
        .into_iter()
        .filter_map(|candidate| {
            let m = query.assess(candidate);
            // (tier, edits, negated skim score): the smallest key wins, then the name.
            let key = if m.distance == Some(0) {
                (0, 0, 0)
            } else if let Some(distance) = m.typo_distance() {
                (1, distance, m.skim.map_or(0, i64::saturating_neg))
            } else if let Some(score) = m.plausible_subsequence_score(&query) {
                (2, 0, score.saturating_neg())
            } else {
                return None;
            };
            Some((key, candidate))
        })
        .min()
        .map(|(_, candidate)| candidate)
}

/// Ranks `candidates` against `query`, best first, for search-as-you-type listings.
///
/// Keeps every candidate that contains `query` as a case-insensitive subsequence (scored by
/// `fuzzy-matcher`'s skim algorithm, which rewards adjacent and word-start matches) or is
/// within the typo distance [`did_you_mean`] accepts; the score of a typo match is scaled to
/// the same range. Equal scores are ordered alphabetically; duplicate candidates are listed
/// once. An empty query keeps every candidate with score 0, alphabetically.
pub fn rank<'a, I>(query: &str, candidates: I) -> Vec<(&'a str, i64)>
where
    I: IntoIterator<Item = &'a str>,
{
    let assessed = Query::new(query);
    let mut ranked: Vec<(&'a str, i64)> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let m = assessed.assess(candidate);
            let typo = m
                .typo_distance()
                .map(|distance| typo_score(assessed.chars.len(), distance));
            let score = match (m.skim, typo) {
                (Some(skim), Some(typo)) => skim.max(typo),
                (Some(score), None) | (None, Some(score)) => score,
                (None, None) => return None,
            };
            Some((candidate, score))
        })
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    ranked.dedup_by(|a, b| a.0 == b.0);
    ranked
}

fn typo_score(query_chars: usize, distance: usize) -> i64 {
    let kept = query_chars.saturating_sub(distance);
    i64::try_from(kept)
        .unwrap_or(i64::MAX)
        .saturating_mul(TYPO_SCORE_PER_CHAR)
}

/// The input, prepared once for comparison with many candidates.
struct Query<'q> {
    text: &'q str,
    chars: Vec<char>,
    matcher: SkimMatcherV2,
}

/// How one candidate relates to the query.
struct Assessment {
    /// The edit distance, when it was worth computing (within the typo limit); `None` when
    /// the lengths alone rule a typo out.
    distance: Option<usize>,
    /// The skim subsequence score, when the query is a subsequence of the candidate.
    skim: Option<i64>,
}

impl<'q> Query<'q> {
    fn new(text: &'q str) -> Self {
        Self {
            text,
            chars: lowercase_chars(text),
            matcher: SkimMatcherV2::default().ignore_case(),
        }
    }

    fn assess(&self, candidate: &str) -> Assessment {
        let candidate_chars = lowercase_chars(candidate);
        let longer = self.chars.len().max(candidate_chars.len());
        let limit = max_typo_distance(longer);
        // The distance is at least the difference in length; skip the table when that
        // already rules a typo out.
        let distance = (self.chars.len().abs_diff(candidate_chars.len()) <= limit)
            .then(|| osa_distance_chars(&self.chars, &candidate_chars))
            .filter(|&distance| distance <= limit);
        Assessment {
            distance,
            skim: self.matcher.fuzzy_match(candidate, self.text),
        }
    }
}

impl Assessment {
    /// The distance when it counts as a typo: within the limit and non-zero (names equal but
    /// for case are handled on their own).
    fn typo_distance(&self) -> Option<usize> {
        self.distance.filter(|&distance| distance > 0)
    }

    fn plausible_subsequence_score(&self, query: &Query<'_>) -> Option<i64> {
        let chars = query.chars.len();
        let min_score = i64::try_from(chars)
            .unwrap_or(i64::MAX)
            .saturating_mul(MIN_SUBSEQUENCE_SCORE_PER_CHAR);
        self.skim
            .filter(|&score| chars >= MIN_SUBSEQUENCE_CHARS && score >= min_score)
    }
}

/// How many edits a name of `len` characters may be away from the input and still count as a
/// typo: `max(2, len / 3)`, but never more than half of `len`, so short names are not
/// "corrected" into unrelated short names (`zz` is not a typo of `fs`).
fn max_typo_distance(len: usize) -> usize {
    2.max(len / 3).min(len / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVERS: [&str; 7] = [
        "github",
        "gitlab",
        "filesystem",
        "fetch",
        "memory",
        "sequential-thinking",
        "brave-search",
    ];

    fn suggest(input: &str) -> Option<&'static str> {
        did_you_mean(input, SERVERS)
    }

    #[test]
    fn corrects_typos() {
        assert_eq!(suggest("githb"), Some("github"));
        assert_eq!(suggest("gihtub"), Some("github"));
        assert_eq!(suggest("filesytem"), Some("filesystem"));
        assert_eq!(suggest("gitlba"), Some("gitlab"));
        assert_eq!(suggest("fecth"), Some("fetch"));
    }

    #[test]
    fn prefers_a_name_equal_but_for_case() {
        assert_eq!(suggest("GitHub"), Some("github"));
    }

    #[test]
    fn suggests_for_abbreviations() {
        assert_eq!(suggest("mem"), Some("memory"));
        assert_eq!(suggest("seqthink"), Some("sequential-thinking"));
        assert_eq!(suggest("search"), Some("brave-search"));
    }

    #[test]
    fn rejects_far_off_input() {
        assert_eq!(suggest("zzz"), None);
        assert_eq!(suggest("kubernetes"), None);
        assert_eq!(suggest(""), None);
        assert_eq!(did_you_mean("zz", ["fs", "ab"]), None);
        assert_eq!(did_you_mean("x", ["y"]), None);
        assert_eq!(did_you_mean("anything", std::iter::empty()), None);
    }

    #[test]
    fn short_scattered_subsequences_are_not_suggested() {
        // `gb` is a subsequence of `github`, but two letters are too weak a hint.
        assert_eq!(suggest("gb"), None);
    }

    #[test]
    fn ties_break_alphabetically_whatever_the_order() {
        // `gitxub` is one edit from both.
        assert_eq!(did_you_mean("gitxub", ["gitaub", "github"]), Some("gitaub"));
        assert_eq!(did_you_mean("gitxub", ["github", "gitaub"]), Some("gitaub"));
    }

    #[test]
    fn fewer_edits_win_over_subsequence_matches() {
        assert_eq!(did_you_mean("fire", ["filesystem", "fir"]), Some("fir"));
    }

    #[test]
    fn rank_orders_best_first() {
        let ranked = rank("git", SERVERS);
        let names: Vec<&str> = ranked.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, vec!["github", "gitlab"]);
        assert_eq!(ranked[0].1, ranked[1].1);
        assert!(ranked[0].1 > 0);
    }

    #[test]
    fn rank_prefers_closer_matches() {
        let ranked = rank("search", ["brave-search", "research-tools", "sea-charts"]);
        let names: Vec<&str> = ranked.iter().map(|(name, _)| *name).collect();
        assert_eq!(names[0], "brave-search");
        assert!(names.contains(&"research-tools"));
        assert!(ranked.windows(2).all(|pair| pair[0].1 >= pair[1].1));
    }

    #[test]
    fn rank_includes_typo_matches_that_are_not_subsequences() {
        let ranked = rank("gihtub", SERVERS);
        assert_eq!(ranked, vec![("github", 80)]);
    }

    #[test]
    fn rank_with_empty_query_lists_everything_alphabetically() {
        let ranked = rank("", ["b", "a", "b"]);
        assert_eq!(ranked, vec![("a", 0), ("b", 0)]);
    }

    #[test]
    fn rank_drops_non_matches() {
        assert!(rank("zzz", SERVERS).is_empty());
    }
}
