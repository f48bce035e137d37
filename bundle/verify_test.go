package bundle

import (
	"crypto/sha1"
	"crypto/sha256"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"howett.net/plist"
)

var testRules2 = map[string]any{
	"^.*":                      true,
	"^[^/]+$":                  map[string]any{"nested": true, "weight": 10.0},
	"^(Frameworks|MacOS)/":     map[string]any{"nested": true, "weight": 10.0},
	"^Info\\.plist$":           map[string]any{"omit": true, "weight": 20.0},
	"^PkgInfo$":                map[string]any{"omit": true, "weight": 20.0},
	"^Resources/":              map[string]any{"weight": 20.0},
	"^Resources/.*\\.lproj/":   map[string]any{"optional": true, "weight": 1000.0},
	"^(.*/)?\\.DS_Store$":      map[string]any{"omit": true, "weight": 2000.0},
	"^Resources/Base\\.lproj/": map[string]any{"weight": 1010.0},
}

// sealApp writes a seal for App.app as codesign would (with testRules2) and
// returns it; nested code gets the cdhash "nested-cdhash-000000".
func sealApp(t *testing.T, fsys fstest.MapFS) {
	files2 := map[string]any{}
	content := "App.app/Contents/"
	for name, f := range fsys {
		if !strings.HasPrefix(name, content) {
			continue
		}
		rel := strings.TrimPrefix(name, content)
		if rel == "MacOS/App" || strings.HasPrefix(rel, "_CodeSignature/") || rel == "Info.plist" || rel == "PkgInfo" {
			continue
		}
		if strings.HasPrefix(rel, "Frameworks/K.framework/") {
			files2["Frameworks/K.framework"] = map[string]any{"cdhash": []byte("nested-cdhash-000000"), "requirement": `identifier "k"`}
			continue
		}
		entry := map[string]any{}
		switch {
		case f.Mode&fs.ModeSymlink != 0:
			entry["symlink"] = string(f.Data)
		case strings.HasPrefix(rel, "MacOS/"):
			entry["cdhash"] = []byte("tool-cdhash-00000000")
		default:
			h1, h2 := sha1.Sum(f.Data), sha256.Sum256(f.Data)
			entry["hash"], entry["hash2"] = h1[:], h2[:]
			if strings.Contains(rel, ".lproj/") && !strings.Contains(rel, "Base.lproj") {
				entry["optional"] = true
			}
		}
		files2[rel] = entry
	}
	b, err := plist.MarshalIndent(map[string]any{"files": map[string]any{}, "files2": files2, "rules": map[string]any{"^.*": true}, "rules2": testRules2}, plist.XMLFormat, "\t")
	if err != nil {
		t.Fatal(err)
	}
	fsys[content+"_CodeSignature/CodeResources"] = file(string(b))
}

func sealedFS(t *testing.T) fstest.MapFS {
	fsys := appFS()
	fsys["App.app/Contents/Resources/en.lproj/Localizable.strings"] = file("hello")
	fsys["App.app/Contents/Resources/Base.lproj/Main.nib"] = file("nib")
	fsys["App.app/Contents/Resources/caf\u00e9.txt"] = file("coffee")
	fsys["App.app/Contents/MacOS/tool"] = file("\xcf\xfa\xed\xfe tool")
	fsys["App.app/Contents/PkgInfo"] = file("APPL????")
	sealApp(t, fsys)
	return fsys
}

// fakeNested reports nested code with the cdhashes sealApp records, unless
// the test says otherwise.
func fakeNested(override map[string]NestedCode) NestedLookup {
	return func(p string, isDir bool) (NestedCode, bool) {
		if c, ok := override[p]; ok {
			return c, c.Signed || c.CDHashes != nil
		}
		switch {
		case strings.HasSuffix(p, "K.framework"):
			return NestedCode{Signed: true, CDHashes: [][]byte{[]byte("nested-cdhash-000000")}}, true
		case strings.HasSuffix(p, "MacOS/tool"):
			return NestedCode{Signed: true, CDHashes: [][]byte{[]byte("tool-cdhash-00000000")}}, true
		}
		return NestedCode{}, false
	}
}

func verify(t *testing.T, fsys fstest.MapFS, override map[string]NestedCode) map[ProblemKind][]string {
	t.Helper()
	b, ok := Detect(fsys, "App.app")
	if !ok || b.Seal == nil || !b.Seal.HasV2() {
		t.Fatalf("bundle %+v: seal %v", b, b.SealErr)
	}
	ps, err := b.Verify(fsys, VerifyOptions{Workers: 2, Nested: fakeNested(override)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[ProblemKind][]string{}
	for _, p := range ps {
		out[p.Kind] = append(out[p.Kind], p.Path)
	}
	return out
}

func TestVerifyClean(t *testing.T) {
	fsys := sealedFS(t)
	if got := verify(t, fsys, nil); len(got) != 0 {
		t.Fatalf("clean bundle: %v", got)
	}
	// Omitted and optional paths may change or vanish.
	fsys["App.app/Contents/Resources/.DS_Store"] = file("junk")
	fsys["App.app/Contents/PkgInfo"] = file("APPLxxxx")
	delete(fsys, "App.app/Contents/Resources/en.lproj/Localizable.strings")
	fsys["App.app/Contents/CodeResources"] = file("stapled ticket")
	if got := verify(t, fsys, nil); len(got) != 0 {
		t.Fatalf("omitted/optional/ticket changes reported: %v", got)
	}
}

func TestVerifyProblems(t *testing.T) {
	fsys := sealedFS(t)
	fsys["App.app/Contents/Resources/a.txt"] = file("changed")
	delete(fsys, "App.app/Contents/Resources/Base.lproj/Main.nib")
	fsys["App.app/Contents/Resources/new.txt"] = file("new")
	fsys["App.app/Contents/Resources/link"] = link("new.txt")
	nfc := "App.app/Contents/Resources/caf\u00e9.txt"
	fsys["App.app/Contents/Resources/cafe\u0301.txt"] = fsys[nfc]
	delete(fsys, nfc)
	fsys["App.app/Contents/MacOS/settings.json"] = file("{}")
	got := verify(t, fsys, map[string]NestedCode{
		"App.app/Contents/Frameworks/K.framework": {Signed: true, CDHashes: [][]byte{[]byte("other-cdhash-0000000")}},
	})
	want := map[ProblemKind][]string{
		FileModified:   {"Resources/a.txt"},
		FileMissing:    {"Resources/Base.lproj/Main.nib"},
		FileAdded:      {"Resources/new.txt"},
		SymlinkChanged: {"Resources/link"},
		Normalization:  {"Resources/cafe\u0301.txt"},
		NestedUnsigned: {"MacOS/settings.json"},
		NestedModified: {"Frameworks/K.framework"},
	}
	for k, paths := range want {
		if strings.Join(got[k], ",") != strings.Join(paths, ",") {
			t.Errorf("%s: got %q, want %q", k, got[k], paths)
		}
	}
	if len(got) != len(want) {
		t.Errorf("unexpected problems: %v", got)
	}
}

func TestVerifyUnsignedNestedTool(t *testing.T) {
	fsys := sealedFS(t)
	got := verify(t, fsys, map[string]NestedCode{"App.app/Contents/MacOS/tool": {Signed: false, CDHashes: [][]byte{}}})
	if strings.Join(got[NestedUnsigned], ",") != "MacOS/tool" {
		t.Errorf("got %v", got)
	}
}

func TestParseSealErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"not a plist":  "garbage",
		"bad regex":    `<plist version="1.0"><dict><key>rules2</key><dict><key>(</key><true/></dict></dict></plist>`,
		"bad entry":    `<plist version="1.0"><dict><key>files2</key><dict><key>a</key><string>x</string></dict></dict></plist>`,
		"bad rule val": `<plist version="1.0"><dict><key>rules</key><dict><key>a</key><string>x</string></dict></dict></plist>`,
	} {
		if _, err := ParseSeal([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	s, err := ParseSeal([]byte(`<plist version="1.0"><dict><key>files</key><dict/><key>rules</key><dict/></dict></plist>`))
	if err != nil || s.HasV2() {
		t.Errorf("v1-only seal: %v, HasV2 %v", err, s != nil && s.HasV2())
	}
}

func TestRuleForWeights(t *testing.T) {
	s, err := ParseSeal(mustPlist(t, map[string]any{"rules2": testRules2, "files2": map[string]any{}}))
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{
		"Resources/en.lproj/x":      "^Resources/.*\\.lproj/",
		"Resources/Base.lproj/x":    "^Resources/Base\\.lproj/",
		"Resources/a/.DS_Store":     "^(.*/)?\\.DS_Store$",
		"MacOS/App":                 "^(Frameworks|MacOS)/",
		"Info.plist":                "^Info\\.plist$",
		"embedded.provisionprofile": "^[^/]+$",
		"Other/x":                   "^.*",
	} {
		if r := RuleFor(s.Rules2, p); r == nil || r.Pattern != want {
			t.Errorf("%s: rule %v, want %s", p, r, want)
		}
	}
}

func mustPlist(t *testing.T, v any) []byte {
	b, err := plist.Marshal(v, plist.XMLFormat)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzParseSeal(f *testing.F) {
	f.Add([]byte(`<plist version="1.0"><dict><key>files2</key><dict><key>a</key><dict><key>hash2</key><data>AAAA</data></dict></dict><key>rules2</key><dict><key>^.*</key><true/></dict></dict></plist>`))
	f.Add([]byte("bplist00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSeal(b)
		if err == nil {
			RuleFor(s.Rules2, "Resources/x")
		}
	})
}

func TestCheckRequirement(t *testing.T) {
	code := NestedCode{Signed: true, Identifier: "com.example.kit", TeamID: "ABCDE12345", CDHashes: [][]byte{{0xab, 0xcd}}}
	devID := `identifier "com.example.kit" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = ABCDE12345`
	for req, want := range map[string]string{
		devID: "",
		strings.Replace(devID, `"com.example.kit"`, `"com.other"`, 1): `its identifier is "com.example.kit"`,
		strings.Replace(devID, "= ABCDE12345", `= "ZZZZZ99999"`, 1):   "signed by team ABCDE12345",
		`cdhash H"abcd"`:                   "",
		`cdhash H"0000"`:                   "not the 0000",
		`identifier kit or identifier "x"`: "",
	} {
		got := CheckRequirement(req, code)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%q: got %q, want %q", req, got, want)
		}
	}
}

func TestVerifyDataInCodeLocation(t *testing.T) {
	fsys := sealedFS(t)
	got := verify(t, fsys, map[string]NestedCode{"App.app/Contents/MacOS/tool": {Signed: true, Data: true, CDHashes: [][]byte{[]byte("tool-cdhash-00000000")}}})
	if strings.Join(got[DataInCodeLocation], ",") != "MacOS/tool" || len(got) != 1 {
		t.Errorf("got %v, want only data in code location at MacOS/tool", got)
	}
}

// TestVerifyWhole hands the files a caller asks for, whole, to it: each
// exactly once and with the bytes hashed, larger than one read chunk too.
func TestVerifyWhole(t *testing.T) {
	fsys := sealedFS(t)
	big := strings.Repeat("0123456789abcdef", (3*chunkSize)/16+7)
	fsys["App.app/Contents/Resources/big.bin"] = file(big)
	sealApp(t, fsys)
	b, _ := Detect(fsys, "App.app")
	var mu sync.Mutex
	got := map[string]string{}
	ps, err := b.Verify(fsys, VerifyOptions{Workers: 2, Whole: func(p string, head []byte, size int64) func([]byte) {
		if !strings.HasSuffix(p, ".bin") && !strings.HasSuffix(p, ".txt") {
			return nil
		}
		return func(data []byte) {
			mu.Lock()
			defer mu.Unlock()
			if _, dup := got[p]; dup {
				t.Errorf("%s handed over twice", p)
			}
			got[p] = string(data)
		}
	}})
	if err != nil || len(ps) != 0 {
		t.Fatalf("verify: %v %v", ps, err)
	}
	want := map[string]string{"App.app/Contents/Resources/big.bin": big, "App.app/Contents/Resources/caf\u00e9.txt": "coffee", "App.app/Contents/Resources/a.txt": "a"}
	if len(got) != len(want) {
		t.Fatalf("handed over %d files, want %d", len(got), len(want))
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: %d bytes handed over, want %d", p, len(got[p]), len(w))
		}
	}
}
