// Package config reads .notarylint.yaml: which rules run, their severities,
// findings to ignore (each with a reason, optionally until a date) and the
// analysis limits. Every key and value is checked: an unknown key, a bad
// value or an unknown rule is an *Error naming the file and line, with the
// nearest valid name when there is one.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/archive"
)

// FileName is the name the configuration is looked for under.
const FileName = ".notarylint.yaml"

// File is a parsed configuration file.
type File struct {
	// Path is where it was read from.
	Path string
	// Enable, when not empty, lists the only rules that run (by ID);
	// Disable lists rules that do not.
	Enable, Disable []string
	// Severity overrides rules' default severities, by rule ID.
	Severity map[string]analyzer.Severity
	// Ignore lists the findings not to report.
	Ignore []analyzer.Ignore
	// Limits are the analysis limits; a zero field keeps the default.
	Limits archive.Limits
}

// Error is a problem in a configuration file, at a line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// RuleLookup finds a rule by ID or name, or returns nil.
type RuleLookup func(name string) *analyzer.Rule

// Load reads and checks the configuration file at path, resolving rule
// names with lookup; names lists every rule's ID and name, for suggestions.
func Load(path string, lookup RuleLookup, names []string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	return Parse(path, b, lookup, names)
}

// Parse checks the configuration in b, read from path.
func Parse(path string, b []byte, lookup RuleLookup, names []string) (*File, error) {
	p := &parser{file: path, lookup: lookup, names: names, out: &File{Path: path, Severity: map[string]analyzer.Severity{}}}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, p.yamlError(err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return p.out, nil // an empty file configures nothing
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return p.out, nil
	}
	if err := p.mapping(root, "the top level", map[string]func(*yaml.Node) error{
		"rules":  p.rules,
		"ignore": p.ignore,
		"limits": p.limits,
	}); err != nil {
		return nil, err
	}
	return p.out, nil
}

// parser walks the YAML tree, keeping the file name for errors.
type parser struct {
	file   string
	lookup RuleLookup
	names  []string
	out    *File
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) error {
	return &Error{File: p.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
}

// yamlError turns a YAML syntax error ("yaml: line 3: ...") into an
// *Error with the line.
func (p *parser) yamlError(err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(num); err == nil {
				return &Error{File: p.file, Line: line, Msg: tail}
			}
		}
	}
	return &Error{File: p.file, Msg: msg}
}

// mapping checks that n is a mapping whose keys are all known, and calls
// each key's handler with its value.
func (p *parser) mapping(n *yaml.Node, what string, keys map[string]func(*yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return p.errorf(n, "%s must be a mapping of keys to values", what)
	}
	known := make([]string, 0, len(keys))
	for k := range keys {
		known = append(known, k)
	}
	sort.Strings(known)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		handle, ok := keys[k.Value]
		if !ok {
			return p.errorf(k, "unknown key %q in %s%s (known: %s)", k.Value, what, suggest(k.Value, known), strings.Join(known, ", "))
		}
		if seen[k.Value] {
			return p.errorf(k, "key %q given twice in %s", k.Value, what)
		}
		seen[k.Value] = true
		if err := handle(v); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) rules(n *yaml.Node) error {
	return p.mapping(n, "rules", map[string]func(*yaml.Node) error{
		"enable":  func(v *yaml.Node) (err error) { p.out.Enable, err = p.ruleList(v, "rules.enable"); return err },
		"disable": func(v *yaml.Node) (err error) { p.out.Disable, err = p.ruleList(v, "rules.disable"); return err },
		"severity": func(v *yaml.Node) error {
			if v.Kind != yaml.MappingNode {
				return p.errorf(v, "rules.severity must map rule IDs or names to error, warning or info")
			}
			for i := 0; i+1 < len(v.Content); i += 2 {
				k, s := v.Content[i], v.Content[i+1]
				id, err := p.rule(k)
				if err != nil {
					return err
				}
				sev, err := analyzer.ParseSeverity(s.Value)
				if err != nil || s.Kind != yaml.ScalarNode {
					return p.errorf(s, "severity of %s must be error, warning or info, not %q", k.Value, s.Value)
				}
				p.out.Severity[id] = sev
			}
			return nil
		},
	})
}

// rule resolves a rule ID or name to its ID.
func (p *parser) rule(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Value == "" {
		return "", p.errorf(n, "a rule must be given by its ID (NL2001) or name (macho-unsigned)")
	}
	r := p.lookup(n.Value)
	if r == nil {
		return "", p.errorf(n, "unknown rule %q%s (see 'notarylint rules')", n.Value, suggest(n.Value, p.names))
	}
	return r.ID, nil
}

func (p *parser) ruleList(n *yaml.Node, what string) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errorf(n, "%s must be a list of rule IDs or names", what)
	}
	var out []string
	for _, item := range n.Content {
		id, err := p.rule(item)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

func (p *parser) ignore(n *yaml.Node) error {
	if n.Kind != yaml.SequenceNode {
		return p.errorf(n, "ignore must be a list of entries (rule, path, arch, reason, expires)")
	}
	for _, e := range n.Content {
		ig := analyzer.Ignore{Source: fmt.Sprintf("%s:%d", p.file, e.Line)}
		var hasRule, hasReason bool
		err := p.mapping(e, "an ignore entry", map[string]func(*yaml.Node) error{
			"rule": func(v *yaml.Node) (err error) { ig.Rule, err = p.rule(v); hasRule = err == nil; return err },
			"path": func(v *yaml.Node) error {
				if v.Kind != yaml.ScalarNode || v.Value == "" {
					return p.errorf(v, "path must be a glob of finding paths, e.g. \"App.app/Contents/Frameworks/**\"")
				}
				if err := analyzer.CheckGlob(v.Value); err != nil {
					return p.errorf(v, "path %q: %v", v.Value, err)
				}
				ig.Path = v.Value
				return nil
			},
			"arch": func(v *yaml.Node) error {
				if v.Kind != yaml.ScalarNode || v.Value == "" {
					return p.errorf(v, "arch must be an architecture name such as arm64 or x86_64")
				}
				ig.Arch = v.Value
				return nil
			},
			"reason": func(v *yaml.Node) error {
				if v.Kind != yaml.ScalarNode || strings.TrimSpace(v.Value) == "" {
					return p.errorf(v, "reason must say why the finding is accepted")
				}
				ig.Reason, hasReason = v.Value, true
				return nil
			},
			"expires": func(v *yaml.Node) error {
				t, err := time.Parse(time.DateOnly, v.Value)
				if err != nil || v.Kind != yaml.ScalarNode {
					return p.errorf(v, "expires must be a date such as 2027-01-31, not %q", v.Value)
				}
				ig.Expires = t
				return nil
			},
		})
		if err != nil {
			return err
		}
		switch {
		case !hasRule:
			return p.errorf(e, "an ignore entry needs a rule")
		case !hasReason:
			return p.errorf(e, "an ignore entry needs a reason (why the finding is accepted)")
		}
		p.out.Ignore = append(p.out.Ignore, ig)
	}
	return nil
}

func (p *parser) limits(n *yaml.Node) error {
	l := &p.out.Limits
	size := func(dst *int64) func(*yaml.Node) error {
		return func(v *yaml.Node) error {
			b, err := parseSize(v.Value)
			if err != nil || v.Kind != yaml.ScalarNode {
				return p.errorf(v, "must be a size such as 8GiB, 512MiB or 1048576, not %q", v.Value)
			}
			*dst = b
			return nil
		}
	}
	count := func(dst *int, min int) func(*yaml.Node) error {
		return func(v *yaml.Node) error {
			c, err := strconv.Atoi(v.Value)
			if err != nil || c < min || v.Kind != yaml.ScalarNode {
				return p.errorf(v, "must be a whole number of at least %d, not %q", min, v.Value)
			}
			*dst = c
			return nil
		}
	}
	return p.mapping(n, "limits", map[string]func(*yaml.Node) error{
		"max-depth":   count(&l.MaxDepth, 1),
		"max-entries": count(&l.MaxEntries, 1),
		"max-ratio": func(v *yaml.Node) error {
			var r int
			if err := count(&r, 1)(v); err != nil {
				return err
			}
			l.MaxRatio = int64(r)
			return nil
		},
		"max-decompressed": size(&l.MaxDecompressed),
		"max-memory-file":  size(&l.MaxMemoryFile),
	})
}

// parseSize reads a byte count with an optional KiB, MiB, GiB or TiB
// suffix (KB, MB, GB, TB and K, M, G, T are taken as the same powers of
// two).
func parseSize(s string) (int64, error) {
	num, mult := strings.TrimSpace(s), int64(1)
	for i, unit := range []string{"K", "M", "G", "T"} {
		for _, suffix := range []string{unit + "iB", unit + "B", unit} {
			if rest, ok := strings.CutSuffix(num, suffix); ok && mult == 1 {
				num, mult = strings.TrimSpace(rest), int64(1)<<(10*(i+1))
			}
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

// Find looks for FileName in dir and its parents, stopping after the
// repository root (the first directory holding .git) or the file system
// root. It returns "" when there is none.
func Find(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, FileName)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}
