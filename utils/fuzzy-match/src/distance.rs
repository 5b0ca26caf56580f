/// The optimal string alignment distance between `a` and `b`, compared case-insensitively:
/// the number of single-character insertions, deletions, substitutions and transpositions of
/// adjacent characters needed to turn one into the other (no substring is edited twice).
///
/// Counts characters, not bytes, so `é` is one edit. `githb` → `github` and `gihtub` →
/// `github` are both 1.
pub fn osa_distance(a: &str, b: &str) -> usize {
    let a = lowercase_chars(a);
    let b = lowercase_chars(b);
    osa_distance_chars(&a, &b)
}

pub(crate) fn lowercase_chars(text: &str) -> Vec<char> {
    text.chars().flat_map(char::to_lowercase).collect()
}

pub(crate) fn osa_distance_chars(a: &[char], b: &[char]) -> usize {
    if a.is_empty() {
        return b.len();
    }
    if b.is_empty() {
        return a.len();
    }
    // Three rolling rows: the one before the previous is needed for transpositions.
    let mut before_previous = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, &a_char) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &b_char) in b.iter().enumerate() {
            let substitution = usize::from(a_char != b_char);
            let mut best = (previous[j] + substitution)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
            if i > 0 && j > 0 && a_char == b[j - 1] && a[i - 1] == b_char {
                best = best.min(before_previous[j - 1] + 1);
            }
            current[j + 1] = best;
        }
        std::mem::swap(&mut before_previous, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_and_empty() {
        assert_eq!(osa_distance("github", "github"), 0);
        assert_eq!(osa_distance("", "abc"), 3);
        assert_eq!(osa_distance("abc", ""), 3);
        assert_eq!(osa_distance("", ""), 0);
    }

    #[test]
    fn single_edits_cost_one() {
        assert_eq!(osa_distance("githb", "github"), 1);
        assert_eq!(osa_distance("githubb", "github"), 1);
        assert_eq!(osa_distance("gitlub", "github"), 1);
        assert_eq!(osa_distance("gihtub", "github"), 1);
        assert_eq!(osa_distance("filesytem", "filesystem"), 1);
    }

    #[test]
    fn is_case_insensitive_and_counts_characters() {
        assert_eq!(osa_distance("GitHub", "github"), 0);
        assert_eq!(osa_distance("café", "cafe"), 1);
    }

    #[test]
    fn restricted_transposition_differs_from_damerau() {
        // True Damerau–Levenshtein gives 2 here; OSA may not edit the swapped pair again.
        assert_eq!(osa_distance("ca", "abc"), 3);
        assert_eq!(osa_distance("kitten", "sitting"), 3);
        assert_eq!(osa_distance("zzz", "github"), 6);
    }
}
