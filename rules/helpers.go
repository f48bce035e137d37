package rules

import (
	"sort"

	"github.com/notarylint/notarylint/analyzer"
)

// codeSlices returns the parsed slices of the item that hold code the notary
// service requires to be signed (see macho.Slice.IsCode). Slices that failed
// to parse are left to malformed-macho.
func codeSlices(p *analyzer.Pass) []*analyzer.SliceFacts {
	m := p.MachO()
	if m == nil {
		return nil
	}
	var out []*analyzer.SliceFacts
	for _, s := range m.Slices {
		if s.Err == nil && s.IsCode() {
			out = append(out, s)
		}
	}
	return out
}

// signedSlices returns the code slices whose signature parsed.
func signedSlices(p *analyzer.Pass) []*analyzer.SliceFacts {
	var out []*analyzer.SliceFacts
	for _, s := range codeSlices(p) {
		if s.Signature != nil {
			out = append(out, s)
		}
	}
	return out
}

var machOKinds = []analyzer.Kind{analyzer.KindMachO}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
