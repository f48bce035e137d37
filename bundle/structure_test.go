package bundle

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func link(target string) *fstest.MapFile {
	return &fstest.MapFile{Mode: fs.ModeSymlink | 0o755, Data: []byte(target)}
}

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s), Mode: 0o644} }

const infoPlist = `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>CFBundleIdentifier</key><string>com.example.app</string><key>CFBundleExecutable</key><string>App</string></dict></plist>`

func appFS() fstest.MapFS {
	return fstest.MapFS{
		"App.app/Contents/Info.plist":                                             file(infoPlist),
		"App.app/Contents/MacOS/App":                                              file("\xcf\xfa\xed\xfe"),
		"App.app/Contents/Resources/a.txt":                                        file("a"),
		"App.app/Contents/Resources/link":                                         link("a.txt"),
		"App.app/Contents/Frameworks/K.framework/Versions/A/Resources/Info.plist": file(strings.Replace(infoPlist, ">App<", ">K<", 1)),
		"App.app/Contents/Frameworks/K.framework/Versions/A/K":                    file("\xcf\xfa\xed\xfe"),
		"App.app/Contents/Frameworks/K.framework/Versions/Current":                link("A"),
		"App.app/Contents/Frameworks/K.framework/K":                               link("Versions/Current/K"),
		"App.app/Contents/Frameworks/K.framework/Resources":                       link("Versions/Current/Resources"),
	}
}

func kinds(ps []StructureProblem) map[StructureKind][]string {
	out := map[StructureKind][]string{}
	for _, p := range ps {
		out[p.Kind] = append(out[p.Kind], p.Path)
	}
	return out
}

func TestDetect(t *testing.T) {
	fsys := appFS()
	b, ok := Detect(fsys, "App.app")
	if !ok || b.Kind != App || b.Identifier() != "com.example.app" || b.Executable != "App.app/Contents/MacOS/App" || b.InfoErr != nil {
		t.Fatalf("app = %+v, %v", b, ok)
	}
	f, ok := Detect(fsys, "App.app/Contents/Frameworks/K.framework")
	if !ok || f.Kind != Framework || f.Content != "App.app/Contents/Frameworks/K.framework/Versions/A" || f.Executable != f.Content+"/K" {
		t.Fatalf("framework = %+v, %v", f, ok)
	}
	if _, ok := Detect(fsys, "App.app/Contents/Resources"); ok {
		t.Error("Resources detected as a bundle")
	}
	fsys["Evil.app/Contents"] = link("/etc")
	if _, ok := Detect(fsys, "Evil.app"); ok {
		t.Error("a bundle whose Contents is a symlink was opened")
	}
}

func TestStructureCleanApp(t *testing.T) {
	fsys := appFS()
	for _, dir := range []string{"App.app", "App.app/Contents/Frameworks/K.framework"} {
		b, _ := Detect(fsys, dir)
		if ps := b.Structure(fsys, nil, nil); len(ps) != 0 {
			t.Errorf("%s: %+v", dir, ps)
		}
	}
}

func TestStructureProblems(t *testing.T) {
	fsys := appFS()
	fsys["App.app/Extra_Resources.bundle/x"] = file("x")
	fsys["App.app/Contents/_CodeSignature/notes.txt"] = file("n")
	fsys["App.app/Contents/Resources/._a.txt"] = file("appledouble")
	fsys["App.app/Contents/Resources/abs"] = link("/Users/dev/build/lib.dylib")
	fsys["App.app/Contents/Resources/sys"] = link("/System/Library/Frameworks/AppKit.framework")
	fsys["App.app/Contents/Resources/out"] = link("../../../outside")
	fsys["App.app/Contents/Resources/dangling"] = link("missing.txt")
	fsys["App.app/Contents/Resources/tool"] = file("\xcf\xfa\xed\xfe")
	fsys["App.app/Contents/CodeResources"] = link("_CodeSignature/CodeResources")
	fsys["App.app/Contents/_CodeSignature/CodeResources"] = file("<plist/>")
	b, _ := Detect(fsys, "App.app")
	got := kinds(b.Structure(fsys, func(p string) bool { return strings.HasSuffix(p, "/tool") }, func(p string) string {
		if strings.HasSuffix(p, "/a.txt") {
			return "com.apple.FinderInfo"
		}
		return ""
	}))
	want := map[StructureKind][]string{
		RootUnsealed:     {"App.app/Contents/_CodeSignature/notes.txt", "App.app/Extra_Resources.bundle"},
		AppleDouble:      {"App.app/Contents/Resources/._a.txt"},
		SymlinkEscapes:   {"App.app/Contents/Resources/abs", "App.app/Contents/Resources/dangling", "App.app/Contents/Resources/out"},
		MachOInResources: {"App.app/Contents/Resources/tool"},
		TicketSymlink:    {"App.app/Contents/CodeResources"},
		XattrDetritus:    {"App.app/Contents/Resources/a.txt"},
	}
	for k, paths := range want {
		if strings.Join(got[k], ",") != strings.Join(paths, ",") {
			t.Errorf("kind %d: got %v, want %v", k, got[k], paths)
		}
	}
	if len(got) != len(want) {
		t.Errorf("unexpected kinds: %v", got)
	}
}

func TestStructureFramework(t *testing.T) {
	fsys := appFS()
	fw := "App.app/Contents/Frameworks/K.framework"
	delete(fsys, fw+"/K")
	fsys[fw+"/K"] = file("copy of the executable")
	fsys[fw+"/README"] = file("r")
	b, _ := Detect(fsys, fw)
	got := kinds(b.Structure(fsys, nil, nil))
	if strings.Join(got[FrameworkFlattened], ",") != fw+"/K" || strings.Join(got[FrameworkRoot], ",") != fw+"/README" {
		t.Errorf("got %v", got)
	}

	flat := appFS()
	delete(flat, fw+"/Versions/Current")
	flat[fw+"/Versions/Current/K"] = file("copy")
	b, ok := Detect(flat, fw)
	if !ok || b.InfoErr == nil {
		t.Fatalf("flattened framework: %+v %v", b, ok)
	}
	if got := kinds(b.Structure(flat, nil, nil)); len(got[FrameworkFlattened]) == 0 {
		t.Errorf("Versions/Current as a directory not reported: %v", got)
	}
}

func TestNotRegularMainExecutable(t *testing.T) {
	fsys := appFS()
	fsys["App.app/Contents/MacOS/App"] = link("../Resources/a.txt")
	b, _ := Detect(fsys, "App.app")
	if got := kinds(b.Structure(fsys, nil, nil)); strings.Join(got[NotRegular], ",") != "App.app/Contents/MacOS/App" {
		t.Errorf("got %v", got)
	}
	fsys["App.app/Contents/Info.plist"] = link("../Info.plist")
	if b, _ := Detect(fsys, "App.app"); b.InfoErr == nil {
		t.Error("a symlinked Info.plist was read")
	}
}

func TestResolve(t *testing.T) {
	fsys := appFS()
	fsys["loop/a"] = link("b")
	fsys["loop/b"] = link("a")
	fsys["up"] = link("../outside")
	for p, want := range map[string]string{
		"App.app/Contents/Frameworks/K.framework/K":         "App.app/Contents/Frameworks/K.framework/Versions/A/K",
		"App.app/Contents/Frameworks/K.framework/Resources": "App.app/Contents/Frameworks/K.framework/Versions/A/Resources",
		"App.app/Contents/Resources/link":                   "App.app/Contents/Resources/a.txt",
	} {
		if got, err := Resolve(fsys, p); err != nil || got != want {
			t.Errorf("Resolve(%s) = %q, %v; want %q", p, got, err, want)
		}
	}
	for _, p := range []string{"loop/a", "up", "App.app/missing"} {
		if got, err := Resolve(fsys, p); err == nil {
			t.Errorf("Resolve(%s) = %q, want an error", p, got)
		}
	}
}
