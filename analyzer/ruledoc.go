package analyzer

import (
	"fmt"
	"strings"
)

// Anchor returns the GitHub anchor of the rule's heading "ID name" in the
// rules reference (docs/rules.md): "nl1001-sdk-older-than-109".
func (r *Rule) Anchor() string {
	var b strings.Builder
	for _, c := range strings.ToLower(r.ID + " " + r.Name) {
		switch {
		case c == ' ':
			b.WriteByte('-')
		case c == '-' || c == '_' || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9'):
			b.WriteRune(c)
		}
	}
	return b.String()
}

// Precision says how sure the rule is: "high" when its trigger was seen in
// real notary logs or Apple's code, "medium" when inferred.
func (r *Rule) Precision() string {
	if r.Doc.Inferred {
		return "medium"
	}
	return "high"
}

// HelpText renders the rule's documentation as plain text, for `notarylint
// explain` and SARIF help.text.
func (r *Rule) HelpText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s): %s\n\n", r.ID, r.Name, r.Severity, r.Doc.Title)
	fmt.Fprintf(&b, "%s\n", r.Doc.Why)
	if len(r.Doc.AppleMessages) > 0 {
		b.WriteString("\nWhat Apple's tools say:\n")
		for _, m := range r.Doc.AppleMessages {
			fmt.Fprintf(&b, "  %q\n", m)
		}
	}
	fmt.Fprintf(&b, "\nFix: %s\n", r.Doc.Fix)
	if r.Doc.Inferred {
		b.WriteString("\nInferred: the trigger is concluded from the sources, not seen in a notary log; hence the lower default severity.\n")
	}
	if r.Doc.DocURL != "" {
		fmt.Fprintf(&b, "\nApple's documentation: %s\n", r.Doc.DocURL)
	}
	if len(r.Doc.Sources) > 0 {
		fmt.Fprintf(&b, "Sources: %s\n", strings.Join(r.Doc.Sources, "; "))
	}
	return b.String()
}

// HelpMarkdown renders the rule's documentation as a Markdown section with
// the heading "## ID name", for docs/rules.md and SARIF help.markdown.
func (r *Rule) HelpMarkdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s %s\n\n", r.ID, r.Name)
	fmt.Fprintf(&b, "**%s** · default severity **%s** · precision %s\n\n", r.Doc.Title, r.Severity, r.Precision())
	fmt.Fprintf(&b, "%s\n\n", r.Doc.Why)
	if len(r.Doc.AppleMessages) > 0 {
		b.WriteString("What Apple's tools say:\n\n")
		for _, m := range r.Doc.AppleMessages {
			fmt.Fprintf(&b, "- `%s`\n", strings.ReplaceAll(m, "`", "'"))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "**Fix:** %s\n\n", r.Doc.Fix)
	if r.Doc.Inferred {
		b.WriteString("*Inferred:* the trigger is concluded from the sources, not seen in a notary log; hence the lower default severity.\n\n")
	}
	if r.Doc.DocURL != "" {
		fmt.Fprintf(&b, "Apple's documentation: <%s>\n\n", r.Doc.DocURL)
	}
	if len(r.Doc.Sources) > 0 {
		fmt.Fprintf(&b, "Sources: %s\n\n", strings.Join(r.Doc.Sources, "; "))
	}
	return b.String()
}
