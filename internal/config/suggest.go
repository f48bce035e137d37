package config

import "strings"

// suggest returns ` (did you mean "X"?)` for the known name nearest to
// name, or "" when none is near: at most a third of its letters differ.
func suggest(name string, known []string) string {
	if best := Nearest(name, known); best != "" {
		return ` (did you mean "` + best + `"?)`
	}
	return ""
}

// Nearest returns the name of known closest to name by edit distance,
// ignoring case, or "" when none is within a third of name's length.
func Nearest(name string, known []string) string {
	best, bestD := "", len(name)/3+1
	for _, k := range known {
		if d := distance(strings.ToLower(name), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
