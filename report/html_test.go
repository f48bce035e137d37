package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/notarylint/notarylint/analyzer"
)

// htmlSampleItems are the items of the full sample: its five items, whose sizes
// add up to its Summary.Bytes.
func htmlSampleItems() []analyzer.ItemSummary {
	return []analyzer.ItemSummary{
		{Path: "App.zip", Kind: "archive", Size: 3_145_728},
		{Path: "App.zip/App.app", Kind: "bundle"},
		{Path: "App.zip/App.app/Contents/MacOS/App", Kind: "mach-o", Size: 8_388_608, Archs: []string{"arm64", "x86_64"}},
		{Path: "My App", Kind: "directory"},
		{Path: "My App/tool", Kind: "mach-o", Size: 1_363_149, Archs: []string{"x86_64"}},
	}
}

// htmlEmptySampleItems are the three items of the empty sample (2048 bytes).
func htmlEmptySampleItems() []analyzer.ItemSummary {
	return []analyzer.ItemSummary{
		{Path: "App.zip", Kind: "archive", Size: 1024},
		{Path: "App.zip/App.app", Kind: "bundle"},
		{Path: "App.zip/App.app/Contents/MacOS/App", Kind: "mach-o", Size: 1024, Archs: []string{"arm64", "x86_64"}},
	}
}

// htmlFull and htmlEmpty are the shared samples with their items (kept when
// a sample already lists some).
func htmlFull() *analyzer.Report {
	r := fullReport()
	if r.Items == nil {
		r.Items = htmlSampleItems()
	}
	return r
}

func htmlEmpty() *analyzer.Report {
	r := emptyReport()
	if r.Items == nil {
		r.Items = htmlEmptySampleItems()
	}
	return r
}

const htmlXSSMessage = `<script>alert(1)</script> & "quotes" 'apostrophes' + plus`

// htmlHostile is the full sample with report data that would inject markup
// or script if it were not escaped.
func htmlHostile() *analyzer.Report {
	r := htmlFull()
	evil := *sdkRule
	evil.ID, evil.Name = `NL1999"><b>x</b>`, "evil"
	evil.Doc.Why = `</p><script>alert("why")</script>`
	evil.Doc.DocURL = "javascript:alert(2)"
	evil.Doc.Sources = []string{"javascript:alert(3)", `https://example.com/"><script>alert(4)</script>`}
	evil.Doc.AppleMessages = []string{`<img src=x onerror=alert(5)>`}
	r.Rules = append(slices.Clone(r.Rules), &evil)
	r.Findings = append(slices.Clone(r.Findings),
		analyzer.Finding{
			RuleID: evil.ID, RuleName: evil.Name, Severity: analyzer.Error,
			Path:          `App.zip/App.app/Contents/Resources/"><img src=x onerror=alert(6)>.txt`,
			Arch:          `<i>arm64</i>`,
			Message:       htmlXSSMessage,
			NotaryMessage: `<style>body{display:none}</style>`,
			Fix:           `<a href="javascript:alert(8)">click</a>`,
			Input:         "build/App.zip",
		},
		analyzer.Finding{
			RuleID: "NL9998", RuleName: "undescribed", Severity: analyzer.Info,
			Path: "Elsewhere.zip/x", Message: "a finding of a rule the report does not describe",
			DocURL: "javascript:alert(7)",
		},
	)
	return r
}

func renderHTML(t *testing.T, r *analyzer.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := HTML(&buf, r, Options{}); err != nil {
		t.Fatalf("HTML: %v", err)
	}
	return buf.Bytes()
}

func TestHTMLGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		mk   func() *analyzer.Report
	}{{"empty", htmlEmpty}, {"full", htmlFull}} {
		t.Run(tc.name, func(t *testing.T) {
			checkGolden(t, tc.name+".html.golden", renderHTML(t, tc.mk()))
		})
	}
}

// htmlDOMNode is an element or a text node of a parsed page.
type htmlDOMNode struct {
	name     string // "" for text
	attr     map[string]string
	text     string
	parent   *htmlDOMNode
	children []*htmlDOMNode
}

func (n *htmlDOMNode) textContent() string {
	if n.name == "" {
		return n.text
	}
	var b strings.Builder
	for _, c := range n.children {
		b.WriteString(c.textContent())
	}
	return b.String()
}

func (n *htmlDOMNode) walk(fn func(*htmlDOMNode)) {
	fn(n)
	for _, c := range n.children {
		c.walk(fn)
	}
}

func (n *htmlDOMNode) all(name string) []*htmlDOMNode {
	var out []*htmlDOMNode
	n.walk(func(e *htmlDOMNode) {
		if e.name == name {
			out = append(out, e)
		}
	})
	return out
}

func (n *htmlDOMNode) has(class string) bool {
	return slices.Contains(strings.Fields(n.attr["class"]), class)
}

func (n *htmlDOMNode) ancestor(name string) *htmlDOMNode {
	for p := n.parent; p != nil; p = p.parent {
		if p.name == name {
			return p
		}
	}
	return nil
}

// htmlParsed is a page split into its markup tree, style sheet and script.
type htmlParsed struct {
	root          *htmlDOMNode
	style, script string
	ids           map[string]*htmlDOMNode
}

var htmlVoidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true,
}

// htmlRawElement returns the content of the only <name>…</name> raw-text
// element of page and the page with that content removed, so that an XML
// tokenizer does not read CSS or JavaScript as markup.
func htmlRawElement(t *testing.T, page, name string) (content, rest string) {
	t.Helper()
	open, closing := "<"+name+">", "</"+name+">"
	if n := strings.Count(page, "<"+name); n != 1 {
		t.Fatalf("%d <%s elements, want 1", n, name)
	}
	i := strings.Index(page, open)
	if i < 0 {
		t.Fatalf("<%s> has attributes", name)
	}
	j := strings.Index(page[i:], closing)
	if j < 0 {
		t.Fatalf("<%s> is not closed", name)
	}
	content = page[i+len(open) : i+j]
	return content, page[:i+len(open)] + page[i+j:]
}

// parseHTML checks that page is well-formed HTML as far as an XML
// tokenizer in its tolerant mode can tell: every element but the void ones
// closed in order, every entity known, and builds its tree.
func parseHTML(t *testing.T, page []byte) *htmlParsed {
	t.Helper()
	p := &htmlParsed{ids: map[string]*htmlDOMNode{}}
	s := string(page)
	if !strings.HasPrefix(s, "<!DOCTYPE html>\n") || !strings.HasSuffix(s, "</html>\n") {
		t.Errorf("page does not start with <!DOCTYPE html> and end with </html>")
	}
	p.style, s = htmlRawElement(t, s, "style")
	p.script, s = htmlRawElement(t, s, "script")
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	p.root = &htmlDOMNode{name: "#document"}
	cur := p.root
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("tokenizing: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &htmlDOMNode{name: tok.Name.Local, attr: map[string]string{}, parent: cur}
			if tok.Name.Space != "" {
				n.name = tok.Name.Space + ":" + tok.Name.Local
			}
			for _, a := range tok.Attr {
				key := a.Name.Local
				if a.Name.Space != "" {
					key = a.Name.Space + ":" + key
				}
				if _, dup := n.attr[key]; dup {
					t.Errorf("<%s> has attribute %s twice", n.name, key)
				}
				n.attr[key] = a.Value
			}
			if id, ok := n.attr["id"]; ok {
				if p.ids[id] != nil {
					t.Errorf("duplicate id %q", id)
				}
				p.ids[id] = n
			}
			cur.children = append(cur.children, n)
			if !htmlVoidElements[n.name] {
				cur = n
			}
		case xml.EndElement:
			if htmlVoidElements[tok.Name.Local] {
				t.Errorf("end tag of void element %s", tok.Name.Local)
				continue
			}
			if cur.name != tok.Name.Local {
				t.Fatalf("</%s> closes <%s>", tok.Name.Local, cur.name)
			}
			cur = cur.parent
		case xml.CharData:
			cur.children = append(cur.children, &htmlDOMNode{text: string(tok), parent: cur})
		}
	}
	if cur != p.root {
		t.Errorf("<%s> is never closed", cur.name)
	}
	if len(p.root.all("html")) != 1 || len(p.root.all("head")) != 1 || len(p.root.all("body")) != 1 {
		t.Errorf("page needs one html, head and body")
	}
	return p
}

// checkHTMLSelfContained asserts that the page loads nothing: no external
// script, style sheet, image, font or frame, no remote url() or @import,
// a Content-Security-Policy that allows only the page's own style sheet
// and script, and http(s) URLs only as the targets of links to
// documentation (and as the visible text of such links).
//
// With textURLs, report data may show URLs as text (escaped, so inert).
func checkHTMLSelfContained(t *testing.T, raw []byte, p *htmlParsed, allowedLinks map[string]bool, textURLs bool) {
	t.Helper()
	for _, bad := range []string{"<script src", "<link", "@import", "url(", "<iframe", "<img", "<object", "<embed"} {
		if bytes.Contains(bytes.ToLower(raw), []byte(bad)) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, code := range []string{p.style, p.script} {
		for _, bad := range []string{"http:", "https:", "//", "url(", "@import", "fetch(", "XMLHttpRequest", "import(", "eval(", "innerHTML"} {
			if bad == "//" && code == p.script {
				// comments in the script; checked for URLs above
				continue
			}
			if strings.Contains(code, bad) {
				t.Errorf("inline style or script contains %q", bad)
			}
		}
	}
	if strings.Contains(p.script, "</") {
		t.Errorf("script contains </")
	}
	p.root.walk(func(n *htmlDOMNode) {
		if n.name == "" {
			if !textURLs && (strings.Contains(n.text, "http://") || strings.Contains(n.text, "https://")) {
				if a := n.ancestor("a"); a == nil || a.attr["href"] != strings.TrimSpace(n.text) {
					t.Errorf("URL in text outside a link to it: %q", n.text)
				}
			}
			return
		}
		for k, v := range n.attr {
			switch {
			case k == "src" || k == "srcset" || k == "style" || k == "background" || k == "poster" || k == "action" || k == "formaction":
				t.Errorf("<%s> has a %s attribute", n.name, k)
			case strings.HasPrefix(k, "on"):
				t.Errorf("<%s> has an event handler attribute %s", n.name, k)
			case n.name == "a" && k == "href":
				if strings.HasPrefix(v, "#") {
					if p.ids[v[1:]] == nil {
						t.Errorf("link to missing anchor %s", v)
					}
					continue
				}
				if !allowedLinks[v] {
					t.Errorf("link to %q, which is no documentation of the report", v)
				}
				if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") {
					t.Errorf("link %q is not http(s)", v)
				}
			case strings.Contains(v, "http://") || strings.Contains(v, "https://") || strings.Contains(strings.ToLower(v), "javascript:"):
				t.Errorf("<%s %s=%q> refers to a URL", n.name, k, v)
			}
		}
	})

	var csp string
	for _, m := range p.root.all("meta") {
		if strings.EqualFold(m.attr["http-equiv"], "Content-Security-Policy") {
			csp = m.attr["content"]
		}
	}
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	for _, want := range []string{"default-src 'none'", "style-src " + hash(p.style), "script-src " + hash(p.script)} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
}

// htmlDocLinks are the URLs the page may link to: the rules' documentation
// and sources, and the findings' documentation.
func htmlDocLinks(r *analyzer.Report) map[string]bool {
	links := map[string]bool{}
	for _, rule := range r.Rules {
		links[rule.Doc.DocURL] = true
		links[RuleHelpURL(rule)] = true
		for _, s := range rule.Doc.Sources {
			links[s] = true
		}
	}
	for _, f := range r.Findings {
		links[f.DocURL] = true
		links[RuleHelpURL(&analyzer.Rule{ID: f.RuleID, Name: f.RuleName})] = true
	}
	return links
}

func TestHTMLStructure(t *testing.T) {
	for name, r := range map[string]*analyzer.Report{
		"empty":   htmlEmpty(),
		"full":    htmlFull(),
		"hostile": htmlHostile(),
		"noitems": fullReport(),
	} {
		t.Run(name, func(t *testing.T) {
			raw := renderHTML(t, r)
			p := parseHTML(t, raw)
			checkHTMLSelfContained(t, raw, p, htmlDocLinks(r), name == "hostile")
			body := p.root.all("body")[0]
			text := body.textContent()

			if h1 := p.root.all("h1"); len(h1) != 1 {
				t.Errorf("%d h1 elements", len(h1))
			}
			if html := p.root.all("html")[0]; html.attr["lang"] == "" {
				t.Error("no lang on <html>")
			}
			for _, h := range []string{"Summary", "Inputs", "Findings by item", "Rules"} {
				found := false
				for _, tag := range []string{"h2", "h3"} {
					for _, e := range p.root.all(tag) {
						found = found || strings.TrimSpace(e.textContent()) == h
					}
				}
				if !found {
					t.Errorf("no heading %q", h)
				}
			}

			// The filter controls are labelled and hidden until the script
			// shows them.
			form := p.ids["filters"]
			if form == nil || form.attr["hidden"] == "" {
				t.Fatal("no filter form hidden without JavaScript")
			}
			labels := map[string]bool{}
			for _, l := range p.root.all("label") {
				labels[l.attr["for"]] = strings.TrimSpace(l.textContent()) != ""
			}
			var sevs []string
			for _, in := range p.root.all("input") {
				if !labels[in.attr["id"]] {
					t.Errorf("input %q has no label", in.attr["id"])
				}
				if in.attr["name"] == "sev" {
					sevs = append(sevs, in.attr["value"])
				}
			}
			if !slices.Equal(sevs, []string{"error", "warning", "info"}) {
				t.Errorf("severity checkboxes %v", sevs)
			}

			// Summary.
			e, w, i := countBySeverity(r)
			summary := p.ids["summary"].textContent()
			for _, want := range []string{r.Version, humanBytes(r.Summary.Bytes), plural(r.Summary.Items, "item")} {
				if !strings.Contains(summary, want) {
					t.Errorf("summary lacks %q", want)
				}
			}
			for n, word := range map[int]string{e: "error", w: "warning", i: "info"} {
				if n > 0 && !strings.Contains(summary, plural(n, word)) {
					t.Errorf("summary lacks %q", plural(n, word))
				}
			}
			for _, in := range r.Inputs {
				if !strings.Contains(summary, in) {
					t.Errorf("summary lacks input %q", in)
				}
			}

			// Every finding once, on a node of the tree, with its severity
			// in words and a link to its rule.
			findings := p.root.all("li")
			findings = slices.DeleteFunc(findings, func(n *htmlDOMNode) bool { return !n.has("finding") })
			if len(findings) != len(r.Findings) {
				t.Errorf("%d findings shown, want %d", len(findings), len(r.Findings))
			}
			for _, f := range r.Findings {
				if n := strings.Count(text, f.Message); n != 1 {
					t.Errorf("message %q appears %d times", f.Message, n)
				}
			}
			for _, li := range findings {
				sev := li.attr["data-sev"]
				if !slices.Contains([]string{"error", "warning", "info"}, sev) || !strings.Contains(li.textContent(), sev) {
					t.Errorf("finding without its severity in words: %q", li.textContent())
				}
				if li.ancestor("details") == nil {
					t.Errorf("finding outside the tree: %q", li.textContent())
				}
				links := li.all("a")
				if len(links) == 0 || !strings.HasPrefix(links[0].attr["href"], "#rule-") {
					t.Errorf("finding without a rule link: %q", li.textContent())
				}
			}
			for _, f := range r.Findings {
				for _, s := range []string{f.RuleID, f.NotaryMessage, f.Fix, f.Arch} {
					if !strings.Contains(text, s) {
						t.Errorf("page lacks %q of finding %q", s, f.Message)
					}
				}
			}

			// One section per rule with findings, and none for the others.
			withFindings := map[string]bool{}
			for _, f := range r.Findings {
				withFindings[f.RuleID] = true
			}
			articles := p.root.all("article")
			if len(articles) != len(withFindings) {
				t.Errorf("%d rule sections, want %d", len(articles), len(withFindings))
			}
			for id := range withFindings {
				a := p.ids[htmlRuleAnchor(id)]
				if a == nil || a.name != "article" {
					t.Errorf("no section for rule %s", id)
					continue
				}
				rule := r.Rule(id)
				if rule == nil {
					continue
				}
				at := a.textContent()
				for _, s := range append([]string{strings.TrimSpace(rule.Doc.Why), rule.Doc.Fix}, rule.Doc.AppleMessages...) {
					if !strings.Contains(at, s) {
						t.Errorf("rule %s section lacks %q", id, s)
					}
				}
				if n := strings.Count(text, strings.TrimSpace(rule.Doc.Why)); n != 1 {
					t.Errorf("rule %s explained %d times", id, n)
				}
			}

			// Nodes with errors are open; every details has a summary first.
			for _, d := range p.root.all("details") {
				if d.children[0].name != "summary" && (len(d.children) < 2 || d.children[1].name != "summary") {
					t.Errorf("details %s does not start with its summary", d.attr["id"])
				}
				if strings.Contains(d.all("summary")[0].textContent(), " error") {
					if _, open := d.attr["open"]; !open {
						t.Errorf("node %s has errors but is closed", d.attr["data-path"])
					}
				}
			}
			if r.Findings == nil && !strings.Contains(text, "No problems found.") {
				t.Error("empty report does not say so")
			}
		})
	}
}

func TestHTMLEscapes(t *testing.T) {
	raw := string(renderHTML(t, htmlHostile()))
	for _, bad := range []string{"<script>alert", "<img", "<b>x</b>", "<i>arm64", `href="https://evil`, "<style>body", `href="javascript`, `href="#ZgotmplZ`} {
		if strings.Contains(raw, bad) {
			t.Errorf("page contains %q unescaped", bad)
		}
	}
	if !strings.Contains(raw, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34; &#39;apostrophes&#39; &#43; plus") {
		t.Error("the hostile message is not escaped as expected")
	}
	if !strings.Contains(raw, "in <code>Contents/Resources/&#34;&gt;&lt;img src=x onerror=alert(6)&gt;.txt</code>") {
		t.Error("a finding on a resource file does not show its path under the bundle")
	}
	if !strings.Contains(raw, `<li>javascript:alert(3)</li>`) {
		t.Error("a non-http source is not plain text")
	}
}

func TestHTMLTree(t *testing.T) {
	r := &analyzer.Report{
		Inputs: []string{"out/B.pkg", "dist/A.dmg", "gone.zip", "dist2/A.dmg"},
		Items: []analyzer.ItemSummary{
			{Path: "A.dmg/A.app/Contents/Frameworks/X.framework/Versions/A/X", Kind: "mach-o", Size: 10, Archs: []string{"x86_64", "arm64"}},
			{Path: "A.dmg", Kind: "disk-image", Size: 100},
			{Path: "A.dmg/A.app", Kind: "bundle"},
			{Path: "A.dmg/A.app/Contents/Frameworks/X.framework", Kind: "bundle"},
			// its bundle, P.appex, is not an item
			{Path: "A.dmg/A.app/Contents/PlugIns/P.appex/Contents/MacOS/P", Kind: "mach-o", Size: 5, Archs: []string{"arm64"}},
			{Path: "A.dmg", Kind: "disk-image", Size: 200}, // the second A.dmg
			{Path: "B.pkg", Kind: "package", Size: 50},
			{Path: "B.pkg/Payload/B.app", Kind: "bundle"},
		},
		Findings: []analyzer.Finding{
			{RuleID: "NL1001", Severity: analyzer.Error, Path: "A.dmg/A.app/Contents/Frameworks/X.framework/Versions/A/X", Arch: "arm64", Message: "x arm64"},
			{RuleID: "NL1001", Severity: analyzer.Error, Path: "A.dmg/A.app/Contents/Frameworks/X.framework/Versions/A/X", Arch: "x86_64", Message: "x x86_64"},
			{RuleID: "NL4001", Severity: analyzer.Warning, Path: "A.dmg/A.app/Contents/Frameworks/X.framework/Versions/A/X", Message: "x whole"},
			{RuleID: "NL4002", Severity: analyzer.Info, Path: "A.dmg/A.app/Contents/Resources/icon.icns", Message: "resource"},
			{RuleID: "NL6001", Severity: analyzer.Warning, Path: "B.pkg", Message: "pkg"},
			{RuleID: "NL8001", Severity: analyzer.Info, Path: "Notary.zip/x/y", Message: "from a notary log"},
			{RuleID: "NL9001", Severity: analyzer.Error, Path: "gone.zip", Message: "unreadable"},
			{RuleID: "NL9001", Severity: analyzer.Info, Path: "", Message: "no path"},
		},
	}
	roots, nodes := buildHTMLTree(r)

	var lines []string
	var dump func(n *htmlNode, depth int)
	dump = func(n *htmlNode, depth int) {
		line := strings.Repeat("  ", depth) + n.ID + " " + n.Label
		if n.Kind != "" {
			line += " [" + n.Kind + "]"
		}
		if !n.HasItem {
			line += " (no item)"
		}
		if n.Open {
			line += " open"
		}
		line += " " + strings.Join([]string{strconv.Itoa(n.Counts.Errors), strconv.Itoa(n.Counts.Warnings), strconv.Itoa(n.Counts.Infos)}, "/")
		lines = append(lines, line)
		for _, g := range n.Groups {
			for _, f := range g.Findings {
				l := strings.Repeat("  ", depth+1) + "- " + g.Arch + ":" + f.Message
				if f.Where != "" {
					l += " in " + f.Where
				}
				lines = append(lines, l)
			}
		}
		for _, c := range n.Children {
			dump(c, depth+1)
		}
	}
	for _, root := range roots {
		dump(root, 0)
	}
	got := strings.Join(lines, "\n")
	want := strings.Join([]string{
		"n1 B.pkg [package] open 0/1/0",
		"  - :pkg",
		"  n2 Payload/B.app [bundle] 0/0/0",
		"n3 A.dmg [disk-image] open 2/1/1",
		"  n4 A.app [bundle] open 2/1/1",
		"    - :resource in Contents/Resources/icon.icns",
		"    n5 Contents/Frameworks/X.framework [bundle] open 2/1/0",
		"      n6 Versions/A/X [mach-o] open 2/1/0",
		"        - :x whole",
		"        - x86_64:x x86_64",
		"        - arm64:x arm64",
		"    n7 Contents/PlugIns/P.appex/Contents/MacOS/P [mach-o] 0/0/0",
		"n8 gone.zip (no item) open 1/0/0",
		"  - :unreadable",
		"n9 (no path) (no item) open 0/0/1",
		"  - :no path",
		"n10 Notary.zip/x/y (no item) open 0/0/1",
		"  - :from a notary log",
	}, "\n")
	if got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
	if n := nodes["A.dmg"]; n.Size != 100 {
		t.Errorf("of two items A.dmg, the one kept has size %d", n.Size)
	}
	if g := nodes["A.dmg/A.app/Contents/Frameworks/X.framework/Versions/A/X"].Groups; g[0].Caption != "All architectures" {
		t.Errorf("group captions %+v", g)
	}

	// The page shows the same tree, with the inputs table pointing at it.
	raw := renderHTML(t, r)
	p := parseHTML(t, raw)
	checkHTMLSelfContained(t, raw, p, htmlDocLinks(r), false)
	if d := p.ids["n7"]; d == nil || d.name != "div" || !d.has("leaf") {
		t.Errorf("a node without findings or children is not a leaf")
	}
	if d := p.ids["n2"]; d == nil || d.ancestor("details").attr["id"] != "n1" {
		t.Errorf("B.app is not inside B.pkg")
	}
	var rows []string
	for _, row := range p.root.all("tbody")[0].all("tr") {
		href := ""
		if a := row.all("a"); len(a) > 0 {
			href = a[0].attr["href"]
		}
		rows = append(rows, strings.TrimSpace(row.children[0].textContent())+" "+href)
	}
	if want := []string{"out/B.pkg #n1", "dist/A.dmg #n3", "gone.zip #n8", "dist2/A.dmg #n3"}; !slices.Equal(rows, want) {
		t.Errorf("inputs table %q, want %q", rows, want)
	}
}

// TestHTMLDeterministic renders the same report, its items and rules in
// another order, twice.
func TestHTMLDeterministic(t *testing.T) {
	a := renderHTML(t, htmlHostile())
	r := htmlHostile()
	slices.Reverse(r.Items)
	slices.Reverse(r.Rules)
	b := renderHTML(t, r)
	if !bytes.Equal(a, b) {
		t.Error("the page depends on the order of items or rules")
	}
	if !bytes.Equal(a, renderHTML(t, htmlHostile())) {
		t.Error("two renderings differ")
	}
}

func TestHTMLErrors(t *testing.T) {
	if err := HTML(&bytes.Buffer{}, nil, Options{}); err == nil {
		t.Error("nil report: no error")
	}
	if err := HTML(failWriter{}, htmlFull(), Options{}); !errors.Is(err, errFail) {
		t.Errorf("error %v does not wrap the writer's", err)
	}
	var buf bytes.Buffer
	if err := HTML(&buf, &analyzer.Report{}, Options{ToolVersion: "v9.9.9"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "notarylint v9.9.9") {
		t.Error("Options.ToolVersion is not used for a report without a version")
	}
}

// htmlBrowserPath returns a Chromium or Chrome on PATH, or "".
func htmlBrowserPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// htmlClip shortens a DOM for an error message.
func htmlClip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

// htmlDumpDOM loads page in a headless browser and returns the DOM after its
// script ran.
func htmlDumpDOM(t *testing.T, bin, page string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless=new", "--disable-gpu", "--no-sandbox",
		"--no-first-run", "--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(),
		"--virtual-time-budget=2000", "--dump-dom", page)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, stderr.String())
	}
	return string(out)
}

// TestHTMLBrowser loads the page in headless Chromium, when there is one:
// the script runs under the page's Content-Security-Policy, shows the
// filters, and the query string presets them.
func TestHTMLBrowser(t *testing.T) {
	bin := htmlBrowserPath()
	if bin == "" {
		t.Skip("no chromium, chromium-browser or google-chrome on PATH")
	}
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	r := htmlHostile()
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, renderHTML(t, r), 0o644); err != nil {
		t.Fatal(err)
	}
	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(file)}).String()
	textEscape := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\u00a0", "&nbsp;")

	dom := htmlDumpDOM(t, bin, u)
	if !strings.Contains(dom, `data-js="ready"`) {
		t.Fatalf("the script did not run:\n%s", htmlClip(dom))
	}
	for _, f := range r.Findings {
		if !strings.Contains(dom, textEscape.Replace(f.Message)) {
			t.Errorf("DOM lacks %q", f.Message)
		}
	}
	if strings.Contains(dom, "<script>alert") || strings.Contains(dom, "<img") {
		t.Error("report data became markup in the DOM")
	}
	if strings.Contains(dom, `id="filters" class="filters" role="search" aria-label="Filter findings" hidden`) {
		t.Error("the filters are still hidden")
	}
	if want := "Showing all 5 findings."; !strings.Contains(dom, want) {
		t.Errorf("DOM lacks %q", want)
	}

	dom = htmlDumpDOM(t, bin, u+"?sev=warning")
	if !strings.Contains(dom, `data-shown="1"`) || !strings.Contains(dom, "Showing 1 of 5 findings.") {
		t.Errorf("?sev=warning does not leave one finding:\n%s", htmlClip(dom))
	}
	if n := strings.Count(dom, `data-sev="error" hidden=""`); n != 3 {
		t.Errorf("%d error findings hidden, want 3", n)
	}

	dom = htmlDumpDOM(t, bin, u+"?q=tool")
	if !strings.Contains(dom, `data-shown="1"`) || !strings.Contains(dom, `<li hidden=""><details class="node" id="n1" data-path="App.zip"`) {
		t.Errorf("?q=tool does not leave My App/tool alone:\n%s", htmlClip(dom))
	}
}

// TestHTMLLeftOut shows how many findings the configuration and the
// baseline left out.
func TestHTMLLeftOut(t *testing.T) {
	r := emptyReport()
	r.Summary.Ignored, r.Summary.Baselined = 3, 2
	var b strings.Builder
	if err := HTML(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "3 ignored by the configuration, 2 in the baseline") {
		t.Error("the left-out counts are missing")
	}
}
