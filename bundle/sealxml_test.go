package bundle

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"howett.net/plist"
)

// sealsEqual compares two parsed seals entry by entry and rule by rule.
func sealsEqual(t *testing.T, a, b *Seal) {
	t.Helper()
	if !reflect.DeepEqual(a.Files, b.Files) || !reflect.DeepEqual(a.Files2, b.Files2) {
		t.Errorf("files differ: %d/%d vs %d/%d entries", len(a.Files), len(a.Files2), len(b.Files), len(b.Files2))
	}
	for _, pair := range [][2][]*Rule{{a.Rules, b.Rules}, {a.Rules2, b.Rules2}} {
		if len(pair[0]) != len(pair[1]) {
			t.Fatalf("rule counts differ: %d vs %d", len(pair[0]), len(pair[1]))
		}
		for i := range pair[0] {
			x, y := *pair[0][i], *pair[1][i]
			x.re, y.re = nil, nil
			if x != y {
				t.Errorf("rule %d: %+v vs %+v", i, x, y)
			}
		}
	}
}

// TestFastSealParserAgrees checks the fast XML reader against the general
// decoder on seals written as codesign writes them, with escapes, comments,
// empty elements and every value type.
func TestFastSealParserAgrees(t *testing.T) {
	doc := map[string]any{
		"files": map[string]any{"Resources/a.txt": []byte{1, 2, 3}, "Resources/en.lproj/x": map[string]any{"hash": []byte{4}, "optional": true}},
		"files2": map[string]any{
			"Resources/a & <b>.txt":  map[string]any{"hash2": []byte{5, 6}},
			"Resources/link":         map[string]any{"symlink": "../x \"quoted\""},
			"Frameworks/K.framework": map[string]any{"cdhash": []byte{7, 8, 9}, "requirement": `identifier "k" and anchor apple generic`},
			"Resources/caf\u00e9":    map[string]any{"hash2": []byte{}, "optional": false},
		},
		"rules":  map[string]any{"^Resources/": true, "^Resources/.*\\.lproj/": map[string]any{"optional": true, "weight": 1000.0}},
		"rules2": map[string]any{"^.*": true, "^(.*/)?\\.DS_Store$": map[string]any{"omit": true, "weight": 2000.0}, "^[^/]+$": map[string]any{"nested": true, "weight": 10}},
	}
	b, err := plist.MarshalIndent(doc, plist.XMLFormat, "\t")
	if err != nil {
		t.Fatal(err)
	}
	fast, err := parseSealXML(b)
	if err != nil {
		t.Fatalf("fast reader: %v", err)
	}
	general, err := parseSealGeneral(b)
	if err != nil {
		t.Fatal(err)
	}
	sealsEqual(t, fast, general)
	if *fast.Files2["Resources/link"].Symlink != `../x "quoted"` {
		t.Errorf("escaped symlink target = %q", *fast.Files2["Resources/link"].Symlink)
	}
	// Binary plists and odd XML go to the general decoder.
	bin, _ := plist.Marshal(doc, plist.BinaryFormat)
	if _, err := parseSealXML(bin); err == nil {
		t.Error("the fast reader accepted a binary plist")
	}
	if s, err := ParseSeal(bin); err != nil || len(s.Files2) != 4 {
		t.Errorf("binary seal: %v", err)
	}
	cdata := []byte(`<plist version="1.0"><dict><key>files2</key><dict><key>a</key><dict><key>requirement</key><string><![CDATA[x]]></string></dict></dict></dict></plist>`)
	if s, err := ParseSeal(cdata); err != nil || s.Files2["a"].Requirement != "x" {
		t.Errorf("CDATA seal: %+v, %v", s, err)
	}
}

// TestFastSealParserOnRealSeals compares both readers on real seals: the
// CodeResources of the real bundles in testdata/real-bundles (copied here as
// text; see testdata/real-bundles/README.md for their provenance).
func TestFastSealParserOnRealSeals(t *testing.T) {
	matches, _ := filepath.Glob(filepath.Join("testdata", "*.CodeResources"))
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		fast, err := parseSealXML(b)
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		general, err := parseSealGeneral(b)
		if err != nil {
			t.Fatal(err)
		}
		sealsEqual(t, fast, general)
	}
	if len(matches) == 0 {
		t.Fatal("no real seals in testdata")
	}
}
