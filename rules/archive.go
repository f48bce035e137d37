package rules

import (
	"archive/zip"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
)

var archiveKinds = []analyzer.Kind{analyzer.KindArchive}

// zipHostUnix and zipHostDarwin are the creator hosts whose external
// attributes hold Unix modes.
const (
	zipHostUnix   = 3
	zipHostDarwin = 19
)

// ZipCannotStaple says that a zip upload cannot carry a ticket.
var ZipCannotStaple = &analyzer.Rule{
	ID:       "NL5001",
	Name:     "zip-cannot-staple",
	Severity: analyzer.Info,
	Kinds:    archiveKinds,
	Doc: analyzer.Doc{
		Title: "a zip can be notarized but not stapled",
		Why: "The notary service accepts zip uploads, but the stapler cannot attach a ticket to a zip. Users who " +
			"download it need the network at first launch unless the app inside was stapled before zipping.",
		AppleMessages: []string{"While you can notarize a ZIP archive, you can't staple to it directly."},
		Fix:           "Notarize the zip, staple the app (`xcrun stapler staple App.app`), then zip it again with " + dittoCommand + " for distribution.",
		Sources:       []string{"Apple, Customizing the notarization workflow", "stapler(1)"},
	},
	Check: func(p *analyzer.Pass) {
		if a := p.Archive(); a != nil && a.Zip != nil && p.Item.TopLevel() {
			p.Reportf("", "this input is a zip: it can be notarized, but no ticket can be stapled to it")
		}
	},
}

// NestedArchiveCode reports archives that carry native code.
var NestedArchiveCode = &analyzer.Rule{
	ID:       "NL5002",
	Name:     "nested-archive-code",
	Severity: analyzer.Info,
	Kinds:    archiveKinds,
	Doc: analyzer.Doc{
		Title: "archive inside the upload carries native code",
		Why: "The notary service opens nested archives (.jar, .jmod, .zip of any extension) and checks every Mach-O " +
			"file in them like any other: each must be signed with Developer ID, timestamped, and (executables) use " +
			"the hardened runtime. JNA, jSerialComm and similar jars are the most common rejection. notarylint checks " +
			"each of them and reports its findings under its own rules, with the path through the archive; this " +
			"note lists what an archive holds.",
		AppleMessages: []string{msgNotSigned, msgNotDeveloperID, msgNoTimestamp, msgRuntime},
		Fix:           "Sign the native libraries before packing them (or extract, sign and repack the archive, keeping its order and manifest); drop natives for other platforms.",
		Sources:       []string{"java-native-access/jna#1306, #1661", "Fazecast/jSerialComm#574", "adoptium/temurin-build#3500"},
	},
	Check: func(p *analyzer.Pass) {
		a := p.Archive()
		if a == nil || p.Item.TopLevel() || len(a.MachO) == 0 {
			return
		}
		list := a.MachO
		if len(list) > 5 {
			list = append(append([]string(nil), list[:5]...), fmt.Sprintf("and %d more", len(a.MachO)-5))
		}
		p.Reportf("", "%s holds %d Mach-O file(s), each checked as code: %s", a.Format, len(a.MachO), strings.Join(list, ", "))
	},
}

// ArchiveUnreadable reports archives that could not be opened or were not
// entered because of a limit.
var ArchiveUnreadable = &analyzer.Rule{
	ID:       "NL9003",
	Name:     "archive-unreadable",
	Severity: analyzer.Error,
	Kinds:    []analyzer.Kind{analyzer.KindArchive, analyzer.KindPackage},
	Doc: analyzer.Doc{
		Title: "archive or package cannot be read, or exceeds a limit",
		Why: "The file has an archive's magic but is corrupt, or opening it would exceed a limit (nesting depth, " +
			"entries, total decompressed size, compression ratio): a zip bomb, a quine, overlapping entries. Its " +
			"contents are not checked. The notary service cannot process such uploads either.",
		AppleMessages: []string{"The contents of the archive could not be extracted."},
		Fix:           "Rebuild the archive with a standard tool; if it is meant to be this large, raise the limits in the configuration.",
	},
	Check: func(p *analyzer.Pass) {
		var unread []string
		if a := p.Archive(); a != nil {
			if a.Err != nil {
				p.Report(analyzer.Finding{Key: "archive", Message: a.Err.Error()})
			}
			unread = a.Unread
		}
		if f := p.Package(); f != nil {
			unread = append(unread, packageLimitErrors(f)...)
			unread = append(unread, f.Unread...)
		}
		for _, u := range unread {
			p.Report(analyzer.Finding{Key: u, Message: "entry not checked: " + u})
		}
	},
}

// ArchivePathUnsafe reports archive entries with unsafe or duplicate names.
var ArchivePathUnsafe = &analyzer.Rule{
	ID:       "NL5003",
	Name:     "archive-path-unsafe",
	Severity: analyzer.Warning,
	Kinds:    archiveKinds,
	Doc: analyzer.Doc{
		Title: "archive entry has an unsafe or duplicate name",
		Why: "Entry names that are absolute, climb out with \"..\", use backslashes or appear twice extract " +
			"differently (or dangerously) with different tools, so what is checked may not be what is installed. " +
			"notarylint reports them and never reads them. Inferred: no notary log shows the service's reaction.",
		AppleMessages: []string{"The contents of the archive could not be extracted."},
		Fix:           "Rebuild the archive from a clean tree with " + dittoCommand + ".",
		Inferred:      true,
	},
	Check: func(p *analyzer.Pass) {
		a := p.Archive()
		if a == nil {
			return
		}
		for _, pr := range a.Problems {
			p.Report(analyzer.Finding{Key: pr.Name, Message: fmt.Sprintf("entry %q: %s", pr.Name, pr.Reason)})
		}
	},
}

// ZipNoUnixModes reports zips whose entries carry no Unix permissions.
var ZipNoUnixModes = &analyzer.Rule{
	ID:       "NL5004",
	Name:     "zip-no-unix-modes",
	Severity: analyzer.Warning,
	Kinds:    archiveKinds,
	Doc: analyzer.Doc{
		Title: "zip entries have no Unix modes: executables lose their exec bit",
		Why: "Zips written on Windows or by some libraries record an MS-DOS creator and no Unix permissions, so " +
			"executables unzip without the exec bit and symbolic links become plain files. The notary may accept " +
			"the upload, but the app does not start after unzipping.",
		AppleMessages: []string{"app won't start after unzip (no exec bit)"},
		Fix:           "Create the zip on macOS with " + dittoCommand + ", or write Unix modes (creator host 3) into every entry.",
		Sources:       []string{"rules catalogue, section G"},
	},
	Check: func(p *analyzer.Pass) {
		a := p.Archive()
		if a == nil || a.Zip == nil || a.Format == "jmod" {
			return
		}
		var noModes, noExec []string
		for _, name := range sortedHeaders(a.Zip.Headers) {
			h := a.Zip.Headers[name]
			host := h.CreatorVersion >> 8
			isCode := containsString(a.MachO, name)
			switch {
			case host != zipHostUnix && host != zipHostDarwin:
				noModes = append(noModes, name)
			case isCode && h.Mode()&0o111 == 0 && isExecutableName(name):
				noExec = append(noExec, name)
			}
		}
		if len(noModes) > 0 && len(noModes) == len(a.Zip.Headers) {
			p.Report(analyzer.Finding{Key: "host", Message: fmt.Sprintf("all %d entries were written by a non-Unix creator without modes", len(noModes))})
		} else if len(noModes) > 0 {
			p.Report(analyzer.Finding{Key: "host", Message: fmt.Sprintf("%d entries have no Unix modes, e.g. %s", len(noModes), noModes[0])})
		}
		for _, n := range noExec {
			p.Report(analyzer.Finding{Key: "exec:" + n, Message: fmt.Sprintf("%s is an executable stored without an exec bit", n)})
		}
	},
}

// isExecutableName reports whether a zip path is where executables live
// (Contents/MacOS, Helpers) rather than a library.
func isExecutableName(name string) bool {
	return strings.Contains(name, "/Contents/MacOS/") || strings.Contains(name, "/Contents/Helpers/") || !strings.Contains(name, "/")
}

func sortedHeaders(m map[string]*zip.FileHeader) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ZipMadeWrongly reports zips that break the bundles they hold.
var ZipMadeWrongly = &analyzer.Rule{
	ID:       "NL5005",
	Name:     "zip-made-wrongly",
	Severity: analyzer.Error,
	Kinds:    archiveKinds,
	Doc: analyzer.Doc{
		Title: "zip was not made with ditto and breaks the bundle it holds",
		Why: "`zip -r` follows symbolic links (framework links become copies), tar or unzip on other systems turn " +
			"extended attributes into ._ files inside the bundle, and some tools carry Finder info or resource " +
			"forks that codesign refuses. The notary service unpacks the zip as ditto would and then finds the " +
			"bundle's signature invalid. (__MACOSX/ entries that `ditto --sequesterRsrc` writes for harmless " +
			"attributes are fine.) The bundle rules name each broken file; this finding names the cause.",
		AppleMessages: []string{msgInvalid, "bundle format is ambiguous (could be app or framework)", "a sealed resource is missing or invalid"},
		NotaryMessage: msgInvalid,
		Fix:           "Zip with " + dittoCommand + " (or `zip -y -r`), never with plain `zip -r`; extract with `ditto -x -k`.",
		Sources:       []string{"Apple, Packaging Mac software for distribution (ditto)", "nook-browser/Nook#326", "beeware/briefcase#1218"},
	},
	Check: func(p *analyzer.Pass) {
		a := p.Archive()
		if a == nil || a.Zip == nil {
			return
		}
		var flattened, appleDouble, detritus []string
		for _, name := range sortedHeaders(a.Zip.Headers) {
			base := path.Base(name)
			if strings.HasPrefix(base, "._") && insideBundle(name) {
				appleDouble = append(appleDouble, name)
			}
			if strings.Contains(name, ".framework/Versions/Current/") {
				flattened = append(flattened, path.Dir(name[:strings.Index(name, "/Versions/Current/")+len("/Versions/Current")]))
			}
		}
		for _, name := range a.Zip.AppleDouble {
			if !insideBundle(name) {
				continue
			}
			ad, err := a.Zip.Xattrs(name)
			if err == nil && ad != nil && (len(ad.ResourceFork) > 0 || nonZero(ad.FinderInfo)) {
				detritus = append(detritus, name)
			}
		}
		report := func(key string, list []string, what string) {
			list = dedupe(list)
			if len(list) == 0 {
				return
			}
			p.Report(analyzer.Finding{Key: key, Message: fmt.Sprintf("%s: %s", what, strings.Join(head(list, 5), ", "))})
		}
		report("flattened", flattened, "framework symbolic links were stored as copies (Versions/Current is a real directory)")
		report("appledouble", appleDouble, "AppleDouble ._ entries inside bundles (extended attributes written as files)")
		report("detritus", detritus, "__MACOSX/ entries carry Finder info or a resource fork for bundle files")
	},
}

func insideBundle(name string) bool {
	for _, ext := range []string{".app/", ".framework/", ".appex/", ".xpc/", ".bundle/", ".plugin/"} {
		if strings.Contains(name, ext) {
			return true
		}
	}
	return false
}

func nonZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return true
		}
	}
	return false
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func head(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(append([]string(nil), list[:n]...), fmt.Sprintf("and %d more", len(list)-n))
}

// ZipLayout reports zips whose top level is not one bundle.
var ZipLayout = &analyzer.Rule{
	ID:       "NL5006",
	Name:     "zip-layout",
	Severity: analyzer.Info,
	Kinds:    archiveKinds,
	Doc: analyzer.Doc{
		Title: "zip does not hold the app at its top level",
		Why: "`ditto -c -k --keepParent App.app App.zip` puts App.app at the top of the zip. A zip of a bundle's " +
			"contents (a bare Contents/ at the top) unpacks into something that is no bundle. Inferred from Apple's " +
			"packaging advice.",
		AppleMessages: []string{"ditto -c -k --keepParent"},
		Fix:           "Zip the bundle itself: " + dittoCommand + ".",
		Inferred:      true,
		Sources:       []string{"Apple, Packaging Mac software for distribution"},
	},
	Check: func(p *analyzer.Pass) {
		a := p.Archive()
		if a == nil || a.Zip == nil || !p.Item.TopLevel() {
			return
		}
		top, _ := a.Zip.ReadDir(".")
		for _, e := range top {
			if e.Name() == "Contents" && e.IsDir() {
				p.Reportf("", "the zip's top level is a bundle's Contents/ directory, not the bundle: it was zipped without --keepParent")
				return
			}
		}
	},
}
