package report

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
)

// The HTML report is one self-contained file: the template, its style sheet
// and its script are embedded and inlined, and a Content-Security-Policy
// forbids the page to load anything or run any script but its own.
var (
	//go:embed html.tmpl
	htmlTemplateText string
	//go:embed html.css
	htmlStyle string
	//go:embed html.js
	htmlScript string
)

var htmlTemplate = template.Must(template.New("html").Funcs(template.FuncMap{
	"bytes":  humanBytes,
	"plural": plural,
	"join":   strings.Join,
}).Parse(htmlTemplateText))

// htmlCSP allows nothing but the page's own inline style sheet and script,
// by their SHA-256 hashes.
var htmlCSP = "default-src 'none'; style-src " + htmlCSPHash(htmlStyle) +
	"; script-src " + htmlCSPHash(htmlScript) + "; base-uri 'none'; form-action 'none'"

func htmlCSPHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// HTML writes r as one self-contained HTML page for a person to read in a
// browser, offline: a summary, every input as a tree of the items read with
// the findings on the item they belong to, and the documentation of every
// rule with findings. Severity and text filters need JavaScript; everything
// else reads without it. The output depends only on r and opt, so that a
// golden file is stable.
func HTML(w io.Writer, r *analyzer.Report, opt Options) error {
	if r == nil {
		return fmt.Errorf("report: nil report")
	}
	page := buildHTMLPage(r, opt)
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("report: rendering html: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: writing html: %w", err)
	}
	return nil
}

// htmlPage is the template's data.
type htmlPage struct {
	Title, Tool, Version string
	CSP                  string
	// CSS and JS are the embedded style sheet and script, never report
	// data.
	CSS    template.CSS
	JS     template.JS
	Counts htmlCounts
	Total  int
	Items  int
	Bytes  int64
	// Ignored and Baselined count the findings left out.
	Ignored, Baselined int
	Inputs             []htmlInput
	Roots              []*htmlNode
	Rules              []*htmlRule
}

// htmlCounts counts findings by severity.
type htmlCounts struct{ Errors, Warnings, Infos int }

func (c *htmlCounts) add(sev string) {
	switch sev {
	case "error":
		c.Errors++
	case "warning":
		c.Warnings++
	default:
		c.Infos++
	}
}

func (c *htmlCounts) addAll(o htmlCounts) {
	c.Errors += o.Errors
	c.Warnings += o.Warnings
	c.Infos += o.Infos
}

// htmlInput is a row of the inputs table; Node is the tree's root for the
// input, nil when nothing of it is in the report.
type htmlInput struct {
	Path string
	Node *htmlNode
}

// htmlNode is an item of an input's tree, or a path that findings name but
// that is no item (HasItem false).
type htmlNode struct {
	ID       string // "n1", "n2", … in document order
	Path     string
	Label    string // Path relative to the parent node
	Kind     string
	Size     int64
	HasItem  bool
	Archs    []string
	Groups   []*htmlGroup
	Children []*htmlNode
	Counts   htmlCounts // of the subtree
	Open     bool

	findings []*htmlFinding
}

// ShowSize reports whether the node has a size worth showing: directories
// and bundles are read as 0 bytes.
func (n *htmlNode) ShowSize() bool {
	return n.HasItem && (n.Size > 0 || (n.Kind != "directory" && n.Kind != "bundle"))
}

// HasContent reports whether the node has findings or children to show.
func (n *htmlNode) HasContent() bool { return len(n.Groups) > 0 || len(n.Children) > 0 }

// htmlGroup is the findings of one node for one architecture ("" for those
// without one).
type htmlGroup struct {
	Arch     string
	Caption  string
	Findings []*htmlFinding
}

type htmlFinding struct {
	Sev                      string // "error", "warning" or "info"
	RuleID, RuleName, Anchor string
	Arch, Message            string
	NotaryMessage, Fix       string
	Path                     string
	// Where is Path relative to the node's, when the finding is on a file
	// inside the item rather than on the item itself.
	Where string
}

type htmlRule struct {
	ID, Name, Anchor, Title string
	Severity, Precision     string
	Why                     string
	AppleMessages           []string
	Fix                     string
	Inferred                bool
	DocURL, HelpURL         string
	Sources                 []htmlSource
	Count                   int
	Counts                  htmlCounts
}

// htmlSource is a rule's source: a link when it is an http(s) URL.
type htmlSource struct{ Text, URL string }

func buildHTMLPage(r *analyzer.Report, opt Options) *htmlPage {
	version := r.Version
	if version == "" {
		version = opt.ToolVersion
	}
	tool := r.Tool
	if strings.TrimSpace(tool) == "" {
		tool = toolName
	}
	e, wn, in := countBySeverity(r)
	page := &htmlPage{
		Title:   tool + ": " + summaryLine(r),
		Tool:    tool,
		Version: version,
		CSP:     htmlCSP,
		CSS:     template.CSS(htmlStyle), // embedded constant
		JS:      template.JS(htmlScript), // embedded constant
		Counts:  htmlCounts{Errors: e, Warnings: wn, Infos: in},
		Total:   len(r.Findings),
		Items:   r.Summary.Items,
		Bytes:   r.Summary.Bytes,
		Ignored: r.Summary.Ignored, Baselined: r.Summary.Baselined,
	}
	var nodes map[string]*htmlNode
	page.Roots, nodes = buildHTMLTree(r)
	for _, in := range r.Inputs {
		page.Inputs = append(page.Inputs, htmlInput{Path: in, Node: nodes[htmlInputRoot(in)]})
	}
	page.Rules = buildHTMLRules(r)
	return page
}

// htmlRuleAnchor is the id of a rule's section in the page.
func htmlRuleAnchor(id string) string {
	var b strings.Builder
	b.WriteString("rule-")
	for _, c := range id {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// htmlInputRoot is the path of an input's top item: its base name, as the
// analyzer names it. It returns "" when the base name depends on the
// working directory.
func htmlInputRoot(in string) string {
	base := filepath.Base(filepath.Clean(in))
	if base == "." || base == string(filepath.Separator) {
		return ""
	}
	return base
}

// htmlParentPath cuts the last '/'-separated element off p.
func htmlParentPath(p string) (string, bool) {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "", false
	}
	return p[:i], true
}

// buildHTMLTree arranges the report's items into one tree per input and puts
// every finding on a node:
//
//   - each item is a node; its parent is the node whose path is the longest
//     '/'-prefix of its own, so an item whose parent item is missing hangs
//     from its nearest ancestor node, or is a root;
//   - each input whose top item is missing still gets a root node, so that
//     what is known of it groups under it;
//   - a finding goes to the item at its path or, for a path inside an item
//     (a resource file in a bundle), to the nearest item above it, which
//     shows the finding's path; a finding under no item at all gets a node
//     of its own at its path.
//
// Roots come in the order of the inputs, then by path; children by path.
// Several items with the same path (two inputs with one base name) are one
// node, the first item's.
func buildHTMLTree(r *analyzer.Report) ([]*htmlNode, map[string]*htmlNode) {
	nodes := map[string]*htmlNode{}
	items := slices.Clone(r.Items)
	slices.SortStableFunc(items, func(a, b analyzer.ItemSummary) int { return strings.Compare(a.Path, b.Path) })
	for _, it := range items {
		if _, dup := nodes[it.Path]; dup {
			continue
		}
		nodes[it.Path] = &htmlNode{Path: it.Path, Kind: it.Kind, Size: it.Size, HasItem: true, Archs: it.Archs}
	}
	rank := map[string]int{}
	for i, in := range r.Inputs {
		root := htmlInputRoot(in)
		if root == "" {
			continue
		}
		if _, ok := rank[root]; !ok {
			rank[root] = i
		}
		if _, ok := nodes[root]; !ok {
			nodes[root] = &htmlNode{Path: root}
		}
	}

	for _, f := range r.Findings {
		n := htmlNearestItem(nodes, f.Path)
		if n == nil {
			n = nodes[f.Path]
			if n == nil {
				n = &htmlNode{Path: f.Path}
				nodes[f.Path] = n
			}
		}
		hf := &htmlFinding{
			Sev:           severityName(f.Severity),
			RuleID:        f.RuleID,
			RuleName:      f.RuleName,
			Anchor:        htmlRuleAnchor(f.RuleID),
			Arch:          f.Arch,
			Message:       f.Message,
			NotaryMessage: f.NotaryMessage,
			Fix:           f.Fix,
			Path:          f.Path,
		}
		if f.Path != n.Path {
			hf.Where = strings.TrimPrefix(f.Path, n.Path+"/")
		}
		n.findings = append(n.findings, hf)
	}

	paths := make([]string, 0, len(nodes))
	for p := range nodes {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var roots []*htmlNode
	for _, p := range paths {
		n := nodes[p]
		parent := (*htmlNode)(nil)
		for q, ok := htmlParentPath(p); ok; q, ok = htmlParentPath(q) {
			if parent = nodes[q]; parent != nil {
				break
			}
		}
		if parent == nil {
			n.Label = p
			if p == "" {
				n.Label = "(no path)"
			}
			roots = append(roots, n)
			continue
		}
		n.Label = strings.TrimPrefix(p, parent.Path+"/")
		parent.Children = append(parent.Children, n) // paths are sorted
	}
	slices.SortStableFunc(roots, func(a, b *htmlNode) int {
		ra, oka := rank[a.Path]
		rb, okb := rank[b.Path]
		switch {
		case oka && okb && ra != rb:
			return ra - rb
		case oka != okb:
			if oka {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Path, b.Path)
	})
	id := 0
	for _, root := range roots {
		finishHTMLNode(root, &id, true)
	}
	return roots, nodes
}

// htmlNearestItem returns the item node at p or at its nearest ancestor path,
// or nil.
func htmlNearestItem(nodes map[string]*htmlNode, p string) *htmlNode {
	for q, ok := p, true; ok; q, ok = htmlParentPath(q) {
		if n := nodes[q]; n != nil && n.HasItem {
			return n
		}
	}
	return nil
}

// finishHTMLNode numbers the nodes in document order, groups their findings by
// architecture and counts their subtrees.
func finishHTMLNode(n *htmlNode, id *int, root bool) {
	*id++
	n.ID = fmt.Sprintf("n%d", *id)
	n.Groups = groupHTMLFindings(n)
	for _, g := range n.Groups {
		for _, f := range g.Findings {
			n.Counts.add(f.Sev)
		}
	}
	for _, c := range n.Children {
		finishHTMLNode(c, id, false)
		n.Counts.addAll(c.Counts)
	}
	n.Open = n.Counts.Errors > 0 || root
}

// groupHTMLFindings orders a node's findings by architecture: those without an
// architecture first, then the item's architectures in header order, then
// any other, by name; within an architecture by path, rule and message.
func groupHTMLFindings(n *htmlNode) []*htmlGroup {
	if len(n.findings) == 0 {
		return nil
	}
	order := map[string]int{"": 0}
	for i, a := range n.Archs {
		if _, ok := order[a]; !ok {
			order[a] = i + 1
		}
	}
	var others []string
	for _, f := range n.findings {
		if _, ok := order[f.Arch]; !ok && !slices.Contains(others, f.Arch) {
			others = append(others, f.Arch)
		}
	}
	slices.Sort(others)
	for i, a := range others {
		order[a] = len(n.Archs) + 1 + i
	}
	fs := slices.Clone(n.findings)
	slices.SortStableFunc(fs, func(a, b *htmlFinding) int {
		if d := order[a.Arch] - order[b.Arch]; d != 0 {
			return d
		}
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		if c := strings.Compare(a.RuleID, b.RuleID); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	var groups []*htmlGroup
	for _, f := range fs {
		if len(groups) == 0 || groups[len(groups)-1].Arch != f.Arch {
			groups = append(groups, &htmlGroup{Arch: f.Arch})
		}
		g := groups[len(groups)-1]
		g.Findings = append(g.Findings, f)
	}
	if len(groups) > 1 && groups[0].Arch == "" {
		groups[0].Caption = "All architectures"
	}
	return groups
}

// buildHTMLRules documents each rule that has findings, by rule ID. A rule the
// report does not describe is described from its findings, as in SARIF.
func buildHTMLRules(r *analyzer.Report) []*htmlRule {
	byID := map[string]*htmlRule{}
	var ids []string
	for _, f := range r.Findings {
		hr := byID[f.RuleID]
		if hr == nil {
			hr = newHTMLRule(r, f)
			byID[f.RuleID] = hr
			ids = append(ids, f.RuleID)
		}
		hr.Count++
		hr.Counts.add(severityName(f.Severity))
	}
	slices.Sort(ids)
	rules := make([]*htmlRule, 0, len(ids))
	for _, id := range ids {
		rules = append(rules, byID[id])
	}
	return rules
}

func newHTMLRule(r *analyzer.Report, f analyzer.Finding) *htmlRule {
	rule := r.Rule(f.RuleID)
	switch {
	case rule != nil:
	case f.RuleID == analyzer.InternalError.ID:
		rule = analyzer.InternalError
	default:
		rule = placeholderRule(f)
		rule.Doc.DocURL = f.DocURL
	}
	d := rule.Doc
	hr := &htmlRule{
		ID:            rule.ID,
		Name:          rule.Name,
		Anchor:        htmlRuleAnchor(f.RuleID),
		Title:         d.Title,
		Severity:      severityName(rule.Severity),
		Precision:     rule.Precision(),
		Why:           strings.TrimSpace(d.Why),
		AppleMessages: d.AppleMessages,
		Fix:           strings.TrimSpace(d.Fix),
		Inferred:      d.Inferred,
	}
	if u := strings.TrimSpace(d.DocURL); htmlIsWebURL(u) {
		hr.DocURL = u
	}
	if rule.ID != "" {
		hr.HelpURL = RuleHelpURL(rule)
	}
	for _, s := range d.Sources {
		s = strings.TrimSpace(s)
		src := htmlSource{Text: s}
		if htmlIsWebURL(s) {
			src.URL = s
		}
		hr.Sources = append(hr.Sources, src)
	}
	return hr
}

// htmlIsWebURL reports whether s is an http(s) URL to link to; anything else
// is shown as text.
func htmlIsWebURL(s string) bool {
	return (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) && !strings.ContainsAny(s, " \t\r\n<>\"'`")
}
