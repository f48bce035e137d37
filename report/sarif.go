package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/notarylint/notarylint/analyzer"
)

// SARIF constants.
const (
	sarifSchema     = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion    = "2.1.0"
	toolName        = "notarylint"
	toolInfoURI     = "https://github.com/notarylint/notarylint"
	defaultCategory = "notarylint/"
	srcRoot         = "%SRCROOT%"
	// fingerprintKey names notarylint's own fingerprint in
	// partialFingerprints; the "v1" changes if the fingerprint's recipe does.
	fingerprintKey = "notarylint/v1"
	// maxDescription is GitHub's limit on fullDescription.text, in
	// characters.
	maxDescription = 1024
	// maxRuleName is GitHub's limit on a rule's name.
	maxRuleName = 255
)

// The SARIF 2.1.0 subset notarylint writes. Field order follows the
// specification's examples so the output reads naturally.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool              sarifTool              `json:"tool"`
		AutomationDetails sarifAutomationDetails `json:"automationDetails"`
		Results           []sarifResult          `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name            string            `json:"name"`
		Version         string            `json:"version,omitempty"`
		SemanticVersion string            `json:"semanticVersion,omitempty"`
		InformationURI  string            `json:"informationUri"`
		Rules           []sarifDescriptor `json:"rules,omitempty"`
	}
	sarifDescriptor struct {
		ID                   string              `json:"id"`
		Name                 string              `json:"name,omitempty"`
		ShortDescription     sarifText           `json:"shortDescription"`
		FullDescription      sarifText           `json:"fullDescription"`
		Help                 sarifText           `json:"help"`
		HelpURI              string              `json:"helpUri,omitempty"`
		DefaultConfiguration sarifConfiguration  `json:"defaultConfiguration"`
		Properties           sarifRuleProperties `json:"properties"`
	}
	sarifText struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	sarifConfiguration struct {
		Level string `json:"level"`
	}
	sarifRuleProperties struct {
		Tags            []string `json:"tags"`
		Precision       string   `json:"precision,omitempty"`
		ProblemSeverity string   `json:"problem.severity"`
		// SecuritySeverity makes GitHub treat the rule as a security rule.
		SecuritySeverity string `json:"security-severity,omitempty"`
	}
	sarifAutomationDetails struct {
		ID string `json:"id"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId,omitempty"`
		RuleIndex           *int              `json:"ruleIndex,omitempty"`
		Level               string            `json:"level"`
		Message             sarifText         `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Properties          sarifResultProps  `json:"properties"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           sarifRegion           `json:"region"`
	}
	sarifArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifResultProps struct {
		Path string `json:"path"`
		Arch string `json:"arch,omitempty"`
	}
)

// SARIF writes r as a SARIF 2.1.0 log with one run, meeting GitHub code
// scanning's requirements: every rule described (with help, helpUri,
// precision and problem.severity), every result located at its top-level
// input (a relative, percent-encoded URI, line 1) with the inner path and
// arch in its message and properties, and a stable partial fingerprint.
func SARIF(w io.Writer, r *analyzer.Report, opt Options) error {
	if r == nil {
		return fmt.Errorf("report: nil report")
	}
	log := buildSARIF(r, opt)
	if err := encodeJSON(w, log); err != nil {
		return fmt.Errorf("report: writing sarif: %w", err)
	}
	return nil
}

func buildSARIF(r *analyzer.Report, opt Options) *sarifLog {
	version := r.Version
	if version == "" {
		version = opt.ToolVersion
	}
	cat := opt.Category
	if cat == "" {
		cat = defaultCategory
	}
	if !strings.HasSuffix(cat, "/") {
		cat += "/"
	}

	var descs []sarifDescriptor
	index := map[string]int{}
	addRule := func(rule *analyzer.Rule) {
		if rule == nil || rule.ID == "" {
			return
		}
		if _, dup := index[rule.ID]; dup {
			return
		}
		index[rule.ID] = len(descs)
		descs = append(descs, ruleDescriptor(rule))
	}
	for _, rule := range r.Rules {
		addRule(rule)
	}
	// A finding of a rule that the Report does not describe (the engine's
	// internal-error rule, say) still gets a descriptor, so that every
	// result has a valid ruleIndex.
	for _, f := range r.Findings {
		if _, ok := index[f.RuleID]; ok || f.RuleID == "" {
			continue
		}
		if f.RuleID == analyzer.InternalError.ID {
			addRule(analyzer.InternalError)
		} else {
			addRule(placeholderRule(f))
		}
	}

	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range r.Findings {
		var ri *int
		if i, ok := index[f.RuleID]; ok {
			ri = &i
		}
		results = append(results, sarifResultOf(f, ri))
	}
	return &sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name:            toolName,
				Version:         version,
				SemanticVersion: semanticVersion(version),
				InformationURI:  toolInfoURI,
				Rules:           descs,
			}},
			AutomationDetails: sarifAutomationDetails{ID: cat},
			Results:           results,
		}},
	}
}

// placeholderRule describes a rule known only from one of its findings.
func placeholderRule(f analyzer.Finding) *analyzer.Rule {
	title := f.RuleName
	if title == "" {
		title = f.RuleID
	}
	return &analyzer.Rule{
		ID:       f.RuleID,
		Name:     f.RuleName,
		Severity: f.Severity,
		Doc: analyzer.Doc{
			Title: title,
			Why:   "No documentation of this rule was included in the report; see the rule's entry in docs/rules.md.",
			Fix:   f.Fix,
		},
	}
}

func ruleDescriptor(rule *analyzer.Rule) sarifDescriptor {
	d := rule.Doc
	short := d.Title
	if strings.TrimSpace(short) == "" {
		short = firstNonEmpty(rule.Name, rule.ID)
	}
	full := truncate(oneLine(d.Why), maxDescription)
	if strings.TrimSpace(full) == "" {
		full = short
	}
	name := rule.Name
	if name == rule.ID {
		name = "" // GitHub wants a name different from the id; none is better than a copy
	}
	tags := ruleTags(rule.ID)
	if d.SecuritySeverity != "" {
		tags = append(tags, "security")
	}
	text, md := ruleHelp(rule)
	return sarifDescriptor{
		ID:                   rule.ID,
		Name:                 truncate(name, maxRuleName),
		ShortDescription:     sarifText{Text: oneLine(short)},
		FullDescription:      sarifText{Text: full},
		Help:                 sarifText{Text: text, Markdown: md},
		HelpURI:              RuleHelpURL(rule),
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(rule.Severity)},
		Properties: sarifRuleProperties{
			Tags:             tags,
			Precision:        rule.Precision(),
			ProblemSeverity:  problemSeverity(rule.Severity),
			SecuritySeverity: d.SecuritySeverity,
		},
	}
}

func sarifResultOf(f analyzer.Finding, ruleIndex *int) sarifResult {
	fp := f.Fingerprint
	if fp == "" {
		fp = fallbackFingerprint(f)
	}
	return sarifResult{
		RuleID:    f.RuleID,
		RuleIndex: ruleIndex,
		Level:     sarifLevel(f.Severity),
		Message:   sarifText{Text: resultMessage(f)},
		Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
			ArtifactLocation: sarifArtifactLocation{URI: artifactURI(f), URIBaseID: srcRoot},
			Region:           sarifRegion{StartLine: 1},
		}}},
		PartialFingerprints: map[string]string{
			fingerprintKey:            fp,
			"primaryLocationLineHash": fp + ":1",
		},
		Properties: sarifResultProps{Path: f.Path, Arch: f.Arch},
	}
}

// resultMessage is one line: the message, Apple's notary message in quotes
// when known, and where: `msg; notary: "…" [App.zip/App.app/…, arm64]`.
func resultMessage(f analyzer.Finding) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(oneLine(f.Message)))
	if f.NotaryMessage != "" {
		b.WriteString(`; notary: "` + strings.TrimSpace(oneLine(f.NotaryMessage)) + `"`)
	}
	b.WriteString(" [" + oneLine(f.Path))
	if f.Arch != "" {
		b.WriteString(", " + oneLine(f.Arch))
	}
	b.WriteString("]")
	return strings.TrimSpace(b.String())
}

// fallbackFingerprint stands in for a finding without the engine's
// fingerprint: it depends on the same stable parts except the rule's key.
func fallbackFingerprint(f analyzer.Finding) string {
	h := sha256.New()
	for _, s := range []string{f.RuleID, f.Path, f.Arch, f.Message} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// artifactURI is the finding's top-level input as a relative URI reference:
// '/'-separated, each segment percent-encoded (RFC 3986). An absolute input
// is made relative to the working directory; an input outside it (or one
// that climbs out with "..") is reduced to its base name, so the URI never
// carries a scheme, a leading '/' or "..".
func artifactURI(f analyzer.Finding) string {
	in := f.Input
	if in == "" {
		in, _, _ = strings.Cut(f.Path, "/")
	}
	p := filepath.Clean(in)
	if filepath.IsAbs(p) {
		rel := ""
		if wd, err := os.Getwd(); err == nil {
			if r, err := filepath.Rel(wd, p); err == nil {
				rel = r
			}
		}
		p = rel
	}
	if p == "" || p == ".." || strings.HasPrefix(p, ".."+string(filepath.Separator)) || filepath.IsAbs(p) || filepath.VolumeName(p) != "" {
		p = filepath.Base(filepath.Clean(in))
	}
	segs := strings.Split(filepath.ToSlash(p), "/")
	for i, s := range segs {
		segs[i] = escapeSegment(s)
	}
	return strings.Join(segs, "/")
}

// escapeSegment percent-encodes every byte of s outside RFC 3986's
// unreserved set (ALPHA / DIGIT / "-" / "." / "_" / "~").
func escapeSegment(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// sarifLevel maps error, warning and info to SARIF's error, warning and
// note.
func sarifLevel(s analyzer.Severity) string {
	switch {
	case s >= analyzer.Error:
		return "error"
	case s == analyzer.Warning:
		return "warning"
	}
	return "note"
}

// problemSeverity maps a severity to GitHub's problem.severity property.
func problemSeverity(s analyzer.Severity) string {
	switch {
	case s >= analyzer.Error:
		return "error"
	case s == analyzer.Warning:
		return "warning"
	}
	return "recommendation"
}

// families names each rule family, by the first digit of the rule ID.
var families = map[byte]string{
	'1': "mach-o",
	'2': "code-signature",
	'3': "entitlements",
	'4': "bundle",
	'5': "zip",
	'6': "pkg",
	'7': "dmg",
	'8': "stapling",
	'9': "internal",
}

// ruleTags returns the SARIF tags of a rule: "notarization", "macos" and its
// family.
func ruleTags(id string) []string {
	tags := []string{"notarization", "macos"}
	if len(id) > 2 && strings.HasPrefix(id, "NL") {
		if fam, ok := families[id[2]]; ok {
			tags = append(tags, fam)
		}
	}
	return tags
}

// inferredNote explains an inferred rule in its help.
const inferredNote = "Inferred rule: its trigger was concluded from documentation and other sources, " +
	"not observed in a real notary log or in Apple's code, so it never defaults to error."

// ruleHelp returns a rule's help as plain text and as Markdown: why, Apple's
// messages, the fix, Apple's documentation, the inferred-rule note and the
// sources.
func ruleHelp(rule *analyzer.Rule) (text, markdown string) {
	d := rule.Doc
	var t, m []string
	if why := strings.TrimSpace(d.Why); why != "" {
		t = append(t, why)
		m = append(m, escapeMarkdown(why))
	}
	if len(d.AppleMessages) > 0 {
		tl := []string{"Apple's messages:"}
		ml := []string{"**Apple's messages**", ""}
		for _, msg := range d.AppleMessages {
			msg = strings.TrimSpace(oneLine(msg))
			tl = append(tl, "- "+msg)
			ml = append(ml, "- "+codeSpan(msg))
		}
		t = append(t, strings.Join(tl, "\n"))
		m = append(m, strings.Join(ml, "\n"))
	}
	if fix := strings.TrimSpace(d.Fix); fix != "" {
		t = append(t, "Fix: "+fix)
		m = append(m, "**Fix:** "+escapeMarkdown(fix))
	}
	if u := strings.TrimSpace(d.DocURL); u != "" {
		t = append(t, "Apple's documentation: "+u)
		m = append(m, "Apple's documentation: "+markdownLink(u))
	}
	if d.Inferred {
		t = append(t, inferredNote)
		head, rest, _ := strings.Cut(inferredNote, ":")
		m = append(m, "**"+head+":**"+escapeMarkdown(rest))
	}
	if len(d.Sources) > 0 {
		tl := []string{"Sources:"}
		ml := []string{"**Sources**", ""}
		for _, s := range d.Sources {
			s = strings.TrimSpace(oneLine(s))
			tl = append(tl, "- "+s)
			ml = append(ml, "- "+markdownLink(s))
		}
		t = append(t, strings.Join(tl, "\n"))
		m = append(m, strings.Join(ml, "\n"))
	}
	if len(t) == 0 {
		t = []string{firstNonEmpty(d.Title, rule.Name, rule.ID)}
		m = []string{escapeMarkdown(t[0])}
	}
	return strings.Join(t, "\n\n"), strings.Join(m, "\n\n")
}

// markdownSpecial are the characters escapeMarkdown escapes wherever they
// are; CommonMark allows a backslash before any ASCII punctuation.
const markdownSpecial = "\\`*_[]<>#|~"

// orderedListStart matches "1." or "1)" at the start of a line.
var orderedListStart = regexp.MustCompile(`^([0-9]+)([.)])`)

// escapeMarkdown makes plain text render literally as Markdown.
func escapeMarkdown(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		var b strings.Builder
		for _, c := range l {
			if c < utf8.RuneSelf && strings.ContainsRune(markdownSpecial, c) {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
		}
		l = b.String()
		trimmed := strings.TrimLeft(l, " ")
		lead := l[:len(l)-len(trimmed)]
		switch {
		case strings.HasPrefix(trimmed, "-"), strings.HasPrefix(trimmed, "+"), strings.HasPrefix(trimmed, "="):
			l = lead + "\\" + trimmed
		default:
			l = lead + orderedListStart.ReplaceAllString(trimmed, `$1\$2`)
		}
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// codeSpan returns s as a Markdown code span, fenced by more backticks than
// s contains in a row.
func codeSpan(s string) string {
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// markdownLink renders an http(s) URL as an autolink and anything else as
// escaped text.
func markdownLink(s string) string {
	if (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) && !strings.ContainsAny(s, " <>") {
		return "<" + s + ">"
	}
	return escapeMarkdown(s)
}

// truncate shortens s to at most n characters, ending with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	return strings.TrimRight(string(r), " ") + "…"
}

// semverPattern is the regular expression of Semantic Versioning 2.0.0.
var semverPattern = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// semanticVersion returns v without a leading "v" when it is a semantic
// version, else "".
func semanticVersion(v string) string {
	s := strings.TrimPrefix(v, "v")
	if semverPattern.MatchString(s) {
		return s
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
