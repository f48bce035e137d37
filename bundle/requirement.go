package bundle

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// CheckRequirement evaluates the clauses of a designated requirement that
// the bytes can decide: `identifier "X"`, `certificate leaf[subject.OU] = X`
// and `cdhash H"…"`, joined by "and". Other clauses (anchor apple generic,
// certificate field checks) are left to the certificate rules. It returns
// why the nested code does not satisfy the requirement, or "".
func CheckRequirement(req string, code NestedCode) string {
	if strings.Contains(req, " or ") || strings.Contains(req, "(") {
		// Alternatives need a real evaluator; only the cdhash list form is
		// common, and it is checked through the sealed cdhash.
		return ""
	}
	for _, clause := range strings.Split(stripComments(req), " and ") {
		clause = strings.TrimSpace(clause)
		switch {
		case strings.HasPrefix(clause, "identifier "):
			want := unquote(strings.TrimSpace(strings.TrimPrefix(clause, "identifier ")))
			if code.Identifier != "" && code.Identifier != want {
				return fmt.Sprintf("its identifier is %q, the sealed requirement wants %q", code.Identifier, want)
			}
		case strings.HasPrefix(clause, "certificate leaf[subject.OU]"):
			_, v, ok := strings.Cut(clause, "=")
			if want := unquote(strings.TrimSpace(v)); ok && code.TeamID != "" && code.TeamID != want {
				return fmt.Sprintf("it is signed by team %s, the sealed requirement wants %s", code.TeamID, want)
			}
		case strings.HasPrefix(clause, "cdhash H\""):
			want, err := hex.DecodeString(strings.TrimSuffix(strings.TrimPrefix(clause, "cdhash H\""), "\""))
			if err != nil || len(code.CDHashes) == 0 {
				continue
			}
			found := false
			for _, h := range code.CDHashes {
				found = found || string(h) == string(want)
			}
			if !found {
				return fmt.Sprintf("its cdhash is not the %x the sealed requirement names", want)
			}
		}
	}
	return ""
}

// stripComments removes /* … */ comments from a requirement.
func stripComments(s string) string {
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			return s
		}
		j := strings.Index(s[i:], "*/")
		if j < 0 {
			return s[:i]
		}
		s = s[:i] + s[i+j+2:]
	}
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `\"`, `"`)
	}
	return s
}
