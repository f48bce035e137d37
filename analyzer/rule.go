package analyzer

import (
	"fmt"
	"regexp"
	"strings"
)

// Kind says what an item is. Rules declare the kinds they run on.
type Kind int

// Item kinds. Later input formats add kinds here; a rule that names no kind
// never runs.
const (
	KindDirectory Kind = iota // a plain directory
	KindMachO                 // a Mach-O file, thin or universal
	KindBundle                // a bundle: .app, .framework, .appex, .xpc, ...
	KindArchive               // an archive: zip, .jar, .jmod
	KindPackage               // a flat installer package (xar)
	KindDiskImage             // a disk image (.dmg), or a file that should have been one
)

var kindNames = [...]string{KindDirectory: "directory", KindMachO: "mach-o", KindBundle: "bundle", KindArchive: "archive", KindPackage: "package", KindDiskImage: "disk-image"}

// String returns the kind's name as used in inspect output.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("kind(%d)", int(k))
	}
	return kindNames[k]
}

// Doc is a rule's documentation. It feeds `notarylint explain`, `notarylint
// rules`, the SARIF rule metadata and the README's rule list.
type Doc struct {
	// Title is a short lower-case phrase without a final period.
	Title string
	// Why explains the problem and its consequence.
	Why string
	// AppleMessages are the exact messages Apple's notary service (or
	// codesign, the stapler, Gatekeeper) prints for this problem.
	AppleMessages []string
	// NotaryMessage is the one message a notary log shows for a finding of
	// this rule, when there is one; it is copied into each finding.
	NotaryMessage string
	// DocURL is Apple's documentation for the problem, when known.
	DocURL string
	// Fix says how to repair the artifact.
	Fix string
	// Inferred is true when the trigger was concluded from sources rather
	// than seen in a real notary log or in Apple's code; such rules default
	// to warning or info.
	Inferred bool
	// Sources names where the rule's facts come from.
	Sources []string
	// SecuritySeverity, a score from "0.1" to "10.0", marks a rule whose
	// findings are security weaknesses as well as notarization problems;
	// GitHub code scanning then lists them as security alerts. Empty for
	// most rules.
	SecuritySeverity string
}

// Rule is one check. Rules are plain values; rules.All lists them.
type Rule struct {
	// ID is a stable code, "NL" plus four digits, never reused. The first
	// digit is the family: 1 Mach-O and SDK, 2 signature and certificate,
	// 3 runtime and entitlements, 4 bundle, 5 zip, 6 pkg, 7 dmg, 8 stapling,
	// 9 internal.
	ID string
	// Name is a slug, the rules catalogue's id where it has one.
	Name string
	// Severity is the default severity.
	Severity Severity
	// Kinds are the item kinds the rule runs on.
	Kinds []Kind
	// Doc is the rule's documentation.
	Doc Doc
	// Check inspects one item through the pass and reports findings.
	Check func(*Pass)
}

// runsOn reports whether the rule applies to items of kind k.
func (r *Rule) runsOn(k Kind) bool {
	for _, rk := range r.Kinds {
		if rk == k {
			return true
		}
	}
	return false
}

var (
	idPattern   = regexp.MustCompile(`^NL[1-9][0-9]{3}$`)
	namePattern = regexp.MustCompile(`^[a-z0-9]+(?:[-.][a-z0-9]+)*$`)
)

// Validate checks a rule set: unique well-formed IDs and names, complete docs,
// a check function, and the severity policy for inferred rules.
func Validate(rules []*Rule) error {
	ids := map[string]bool{}
	names := map[string]bool{}
	var errs []string
	for _, r := range rules {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Sprintf("rule %s (%s): ", r.ID, r.Name)+fmt.Sprintf(format, args...))
		}
		if !idPattern.MatchString(r.ID) {
			bad("ID must look like NL1234")
		}
		if !namePattern.MatchString(r.Name) {
			bad("name must be a lower-case slug")
		}
		if ids[r.ID] {
			bad("duplicate ID")
		}
		if names[r.Name] {
			bad("duplicate name")
		}
		ids[r.ID], names[r.Name] = true, true
		if r.Check == nil {
			bad("no Check function")
		}
		if len(r.Kinds) == 0 {
			bad("no item kinds")
		}
		d := r.Doc
		if d.Title == "" || d.Why == "" || d.Fix == "" {
			bad("doc needs Title, Why and Fix")
		}
		if d.Title != "" && (!titleStartOK(d.Title) || strings.HasSuffix(d.Title, ".")) {
			bad("title must start lower-case (or with a proper name such as Mach-O or CMS) and not end with a period")
		}
		if d.Inferred && r.Severity == Error {
			bad("an inferred rule must not default to error")
		}
		if d.NotaryMessage != "" && !contains(d.AppleMessages, d.NotaryMessage) {
			bad("NotaryMessage must be one of AppleMessages")
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid rules:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// titleStartOK allows a title to start lower-case or with a proper name.
func titleStartOK(title string) bool {
	if strings.ToLower(title[:1]) == title[:1] {
		return true
	}
	for _, name := range []string{"Mach-O ", "CMS ", "CodeDirectory ", "CodeResources ", "Info.plist ", "AppleDouble ", "Contents/"} {
		if strings.HasPrefix(title, name) {
			return true
		}
	}
	return false
}
