package bundle

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A CodeResources file has one entry per sealed file, so a large app's seal
// holds tens of thousands of dictionaries. parseSealXML reads the XML
// property list subset codesign writes directly into a Seal, several times
// faster than a general decoder; ParseSeal falls back to the general decoder
// for anything it does not handle.

// pvalue is a property-list value.
type pvalue struct {
	kind byte // 'd' dict, 'a' array, 's' string, 'b' data, 't' true, 'f' false, 'n' number
	str  string
	data []byte
	num  float64
	keys []string
	vals []pvalue
}

var errNotSimple = errors.New("not the simple XML property list subset")

type xmlScanner struct {
	b []byte
	p int
}

// skip passes white space, the XML declaration, comments and the DOCTYPE.
func (s *xmlScanner) skip() {
	for s.p < len(s.b) {
		switch c := s.b[s.p]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			s.p++
		case bytes.HasPrefix(s.b[s.p:], []byte("<?")):
			s.skipPast("?>")
		case bytes.HasPrefix(s.b[s.p:], []byte("<!--")):
			s.skipPast("-->")
		case bytes.HasPrefix(s.b[s.p:], []byte("<!")):
			s.skipPast(">")
		default:
			return
		}
	}
}

func (s *xmlScanner) skipPast(end string) {
	if i := bytes.Index(s.b[s.p:], []byte(end)); i >= 0 {
		s.p += i + len(end)
	} else {
		s.p = len(s.b)
	}
}

// tag reads "<name ...>" or "<name/>" or "</name>" and returns the name,
// whether it closes an element and whether it is empty.
func (s *xmlScanner) tag() (name string, closing, empty bool, err error) {
	s.skip()
	if s.p >= len(s.b) || s.b[s.p] != '<' {
		return "", false, false, errNotSimple
	}
	end := bytes.IndexByte(s.b[s.p:], '>')
	if end < 0 {
		return "", false, false, errNotSimple
	}
	t := s.b[s.p+1 : s.p+end]
	s.p += end + 1
	if len(t) > 0 && t[0] == '/' {
		return string(t[1:]), true, false, nil
	}
	if len(t) > 0 && t[len(t)-1] == '/' {
		empty, t = true, t[:len(t)-1]
	}
	if i := bytes.IndexAny(t, " \t\r\n"); i >= 0 {
		t = t[:i]
	}
	return string(t), false, empty, nil
}

// text reads character data up to the closing tag of name.
func (s *xmlScanner) text(name string) (string, error) {
	end := bytes.Index(s.b[s.p:], []byte("</"+name+">"))
	if end < 0 {
		return "", errNotSimple
	}
	raw := s.b[s.p : s.p+end]
	s.p += end + len(name) + 3
	if bytes.ContainsAny(raw, "<") {
		return "", errNotSimple // CDATA or markup inside
	}
	if bytes.IndexByte(raw, '&') < 0 {
		return string(raw), nil
	}
	return unescapeXML(string(raw))
}

func unescapeXML(s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], ';')
		if j < 0 {
			return "", errNotSimple
		}
		ent := s[i+1 : i+j]
		switch {
		case ent == "amp":
			b.WriteByte('&')
		case ent == "lt":
			b.WriteByte('<')
		case ent == "gt":
			b.WriteByte('>')
		case ent == "quot":
			b.WriteByte('"')
		case ent == "apos":
			b.WriteByte('\'')
		case strings.HasPrefix(ent, "#x"):
			n, err := strconv.ParseUint(ent[2:], 16, 32)
			if err != nil {
				return "", errNotSimple
			}
			b.WriteRune(rune(n))
		case strings.HasPrefix(ent, "#"):
			n, err := strconv.ParseUint(ent[1:], 10, 32)
			if err != nil {
				return "", errNotSimple
			}
			b.WriteRune(rune(n))
		default:
			return "", errNotSimple
		}
		s = s[i+j+1:]
	}
}

const maxPlistDepth = 32

// value reads one value whose start tag has been read.
func (s *xmlScanner) value(name string, empty bool, depth int) (pvalue, error) {
	if depth > maxPlistDepth {
		return pvalue{}, errNotSimple
	}
	switch name {
	case "true", "false":
		if !empty {
			if n, closing, _, err := s.tag(); err != nil || !closing || n != name {
				return pvalue{}, errNotSimple
			}
		}
		return pvalue{kind: name[0]}, nil
	case "string", "key":
		if empty {
			return pvalue{kind: 's'}, nil
		}
		t, err := s.text(name)
		return pvalue{kind: 's', str: t}, err
	case "data":
		if empty {
			return pvalue{kind: 'b', data: []byte{}}, nil
		}
		t, err := s.text(name)
		if err != nil {
			return pvalue{}, err
		}
		clean := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, t)
		d, err := base64.StdEncoding.DecodeString(clean)
		if err != nil {
			return pvalue{}, errNotSimple
		}
		return pvalue{kind: 'b', data: d}, nil
	case "integer", "real":
		t, err := s.text(name)
		if err != nil {
			return pvalue{}, err
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil {
			return pvalue{}, errNotSimple
		}
		return pvalue{kind: 'n', num: n}, nil
	case "array":
		v := pvalue{kind: 'a'}
		if empty {
			return v, nil
		}
		for {
			n, closing, e, err := s.tag()
			if err != nil {
				return pvalue{}, err
			}
			if closing {
				if n != "array" {
					return pvalue{}, errNotSimple
				}
				return v, nil
			}
			x, err := s.value(n, e, depth+1)
			if err != nil {
				return pvalue{}, err
			}
			v.vals = append(v.vals, x)
		}
	case "dict":
		v := pvalue{kind: 'd'}
		if empty {
			return v, nil
		}
		for {
			n, closing, e, err := s.tag()
			if err != nil {
				return pvalue{}, err
			}
			if closing {
				if n != "dict" {
					return pvalue{}, errNotSimple
				}
				return v, nil
			}
			if n != "key" || e {
				return pvalue{}, errNotSimple
			}
			k, err := s.text("key")
			if err != nil {
				return pvalue{}, err
			}
			vn, _, ve, err := s.tag()
			if err != nil {
				return pvalue{}, err
			}
			x, err := s.value(vn, ve, depth+1)
			if err != nil {
				return pvalue{}, err
			}
			v.keys, v.vals = append(v.keys, k), append(v.vals, x)
		}
	}
	return pvalue{}, errNotSimple
}

// parseSealXML parses an XML CodeResources property list.
func parseSealXML(b []byte) (*Seal, error) {
	s := &xmlScanner{b: b}
	name, _, _, err := s.tag()
	if err != nil || name != "plist" {
		return nil, errNotSimple
	}
	name, _, empty, err := s.tag()
	if err != nil || name != "dict" {
		return nil, errNotSimple
	}
	root, err := s.value("dict", empty, 0)
	if err != nil {
		return nil, err
	}
	seal := &Seal{}
	for i, k := range root.keys {
		v := root.vals[i]
		switch k {
		case "files", "files2":
			if v.kind != 'd' {
				return nil, fmt.Errorf("%s is not a dictionary", k)
			}
			m, err := sealEntriesFromPlist(v, k)
			if err != nil {
				return nil, err
			}
			if k == "files" {
				seal.Files = m
			} else {
				seal.Files2 = m
			}
		case "rules", "rules2":
			if v.kind != 'd' {
				return nil, fmt.Errorf("%s is not a dictionary", k)
			}
			raw := make(map[string]any, len(v.keys))
			for j, pk := range v.keys {
				raw[pk] = v.vals[j].toAny()
			}
			rules, err := parseRules(raw, k)
			if err != nil {
				return nil, err
			}
			if k == "rules" {
				seal.Rules = rules
			} else {
				seal.Rules2 = rules
			}
		}
	}
	return seal, nil
}

func sealEntriesFromPlist(v pvalue, section string) (map[string]SealEntry, error) {
	out := make(map[string]SealEntry, len(v.keys))
	for i, k := range v.keys {
		x := v.vals[i]
		var e SealEntry
		switch x.kind {
		case 'b':
			e.Hash = x.data
		case 'd':
			for j, f := range x.keys {
				y := x.vals[j]
				switch f {
				case "hash":
					e.Hash = y.data
				case "hash2":
					e.Hash2 = y.data
				case "optional":
					e.Optional = y.kind == 't'
				case "cdhash":
					e.CDHash = y.data
				case "requirement":
					e.Requirement = y.str
				case "symlink":
					if y.kind == 's' {
						l := y.str
						e.Symlink = &l
					}
				}
			}
		default:
			return nil, fmt.Errorf("%s entry %q is neither data nor a dictionary", section, k)
		}
		out[k] = e
	}
	return out, nil
}

// toAny converts a value to the types howett.net/plist produces.
func (v pvalue) toAny() any {
	switch v.kind {
	case 'd':
		m := make(map[string]any, len(v.keys))
		for i, k := range v.keys {
			m[k] = v.vals[i].toAny()
		}
		return m
	case 'a':
		a := make([]any, len(v.vals))
		for i := range v.vals {
			a[i] = v.vals[i].toAny()
		}
		return a
	case 's':
		return v.str
	case 'b':
		return v.data
	case 't':
		return true
	case 'f':
		return false
	}
	return v.num
}
