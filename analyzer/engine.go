package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/notarylint/notarylint/archive"
	"github.com/notarylint/notarylint/codesign"
)

// Config says which rules run and how.
type Config struct {
	// Rules are the rules to run, in order.
	Rules []*Rule
	// Severity overrides a rule's default severity, keyed by rule ID.
	Severity map[string]Severity
	// Ignore lists the findings not to report (the configuration's
	// ignore entries); expired entries are reported instead.
	Ignore []Ignore
	// Baseline holds the fingerprints of accepted findings, which are not
	// reported.
	Baseline map[string]bool
	// Progress, when set, hears how far the analysis is, in bytes of
	// items analysed.
	Progress Progress
	// Jobs is the number of items analysed at once; 0 means one per CPU.
	Jobs int
	// Version is written into the report.
	Version string
	// TeamID, when set, is the only team whose signatures are expected
	// (--team-id).
	TeamID string
	// Trust replaces Apple's embedded roots. Tests pass their own PKI here;
	// the CLI never sets it.
	Trust *codesign.Trust
	// Now is the time certificates are evaluated at when a signature has no
	// secure timestamp; zero means the current time.
	Now time.Time
	// ReadXattr replaces the system's extended-attribute reader. Tests use
	// it to stand in for a macOS file system; the CLI never sets it.
	ReadXattr func(path, name string) ([]byte, error)
	// Limits bound archive decompression and nesting; zero values take
	// archive.DefaultLimits.
	Limits archive.Limits
	// Notarized lists what a notary log's ticket covers (check
	// --notary-log); nil when no log was given.
	Notarized []NotarizedItem
	// NotarizedUpload and NotarizedSHA256 are the log's archiveFilename and
	// sha256: a top-level input file of that name is hashed to compare.
	NotarizedUpload string
	NotarizedSHA256 string
	// NotaryIssues are the log's issues, each compared with the findings
	// (notary-log-only).
	NotaryIssues []NotaryIssue
}

// NotarizedItem is one entry of a notary log's ticketContents.
type NotarizedItem struct {
	Path            string // as the log writes it: "App.zip/App.app/Contents/MacOS/App"
	Arch            string
	DigestAlgorithm string // "SHA-256" or "SHA-1"
	CDHash          string // 40 hex digits
}

// limits returns the archive limits in force.
func (cfg *Config) limits() archive.Limits {
	l, d := cfg.Limits, archive.DefaultLimits
	if l.MaxDecompressed <= 0 {
		l.MaxDecompressed = d.MaxDecompressed
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.MaxMemoryFile <= 0 {
		l.MaxMemoryFile = d.MaxMemoryFile
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	return l
}

// verifyConfig returns what signature verification needs.
func (cfg *Config) verifyConfig() (verifyConfig, error) {
	vc := verifyConfig{trust: cfg.Trust, now: cfg.Now, jobs: cfg.Jobs, readXattr: cfg.ReadXattr}
	if vc.readXattr == nil {
		vc.readXattr = getxattr
	}
	if vc.now.IsZero() {
		vc.now = time.Now()
	}
	if vc.trust == nil {
		t, err := codesign.AppleTrust()
		if err != nil {
			return vc, fmt.Errorf("embedded Apple certificates: %w", err)
		}
		vc.trust = t
	}
	return vc, nil
}

// Progress hears how far a run is: Start with the bytes of all the items
// found (those found later, among sealed resources, add to the work), Add
// as each item is analysed (possibly from several goroutines), Finish at
// the end.
type Progress interface {
	Start(total int64)
	Add(n int64)
	Finish()
}

// InputError says why a top-level input could not be analysed at all: it
// could not be read or is not a supported format. The CLI exits 3 for it.
type InputError struct {
	Path string
	Err  error
}

func (e *InputError) Error() string { return fmt.Sprintf("%s: %v", e.Path, e.Err) }

func (e *InputError) Unwrap() error { return e.Err }

// ErrUnsupported marks an input whose format notarylint does not read.
var ErrUnsupported = errors.New("unsupported input")

// Run analyses every input and returns the report. Inputs that cannot be
// analysed at all are returned as *InputError; the others are still analysed.
func Run(cfg Config, inputs []string) (*Report, []error) {
	rep := &Report{Tool: "notarylint", Version: cfg.Version, Inputs: inputs, Rules: cfg.Rules, Findings: []Finding{}}
	var items []*Item
	vc, err := cfg.verifyConfig()
	if err != nil {
		return rep, []error{err}
	}
	var errs []error
	for _, in := range inputs {
		d, err := discover(in, archive.NewBudget(cfg.limits()), vc)
		if err != nil {
			errs = append(errs, &InputError{Path: in, Err: err})
			continue
		}
		defer d.Close()
		items = append(items, d.items...)
	}
	if cfg.Progress != nil {
		var total int64
		for _, it := range items {
			total += it.Size
		}
		cfg.Progress.Start(total)
		defer cfg.Progress.Finish()
	}
	found, late := analyzeAll(cfg, vc, items)
	rep.Findings = append(rep.Findings, found...)
	rep.Findings = append(rep.Findings, notaryLogOnly(&cfg, rep.Findings)...)
	rep.Findings, rep.Summary.Ignored, rep.Summary.Baselined = suppress(&cfg, rep.Findings)
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	items = append(items, late...)
	for i := range rep.Findings {
		f := &rep.Findings[i]
		if s, ok := cfg.Severity[f.RuleID]; ok {
			f.Severity = s
		}
		switch f.Severity {
		case Error:
			rep.Summary.Error++
		case Warning:
			rep.Summary.Warning++
		default:
			rep.Summary.Info++
		}
	}
	for _, it := range items {
		rep.Summary.Items++
		rep.Summary.Bytes += it.Size
		rep.Items = append(rep.Items, ItemSummary{Path: it.Path, Kind: it.Kind.String(), Size: it.Size, Archs: it.archs})
	}
	sort.SliceStable(rep.Items, func(i, j int) bool { return rep.Items[i].Path < rep.Items[j].Path })
	sortFindings(rep.Findings)
	return rep, errs
}

// analyzeAll runs the rules over the items, cfg.Jobs at a time, then over the
// items found while analysing them. It returns the findings and those found
// items.
func analyzeAll(cfg Config, vc verifyConfig, items []*Item) ([]Finding, []*Item) {
	jobs := cfg.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	var (
		mu   sync.Mutex
		out  []Finding
		late []*Item
	)
	analyze := func(it *Item) {
		found, more := analyzeItem(&cfg, vc, it)
		if cfg.Progress != nil {
			cfg.Progress.Add(it.Size)
		}
		mu.Lock()
		out = append(out, found...)
		late = append(late, more...)
		mu.Unlock()
	}
	// Disk images are analysed after everything else: by then reading
	// their volumes has decoded (and checksummed) most of their chunks,
	// and checking the image's checksums decodes only the rest. Their
	// signatures, over the stored bytes, are checked alongside the rest.
	var rest []func()
	var images []*Item
	for _, it := range items {
		if it.Kind == KindDiskImage {
			images = append(images, it)
			if it.dmg != nil {
				rest = append(rest, func() { it.dmg.verifySignatureOnce(vc) })
			}
			continue
		}
		rest = append(rest, func() { analyze(it) })
	}
	runPool(jobs, rest)
	var last []func()
	for _, it := range images {
		last = append(last, func() { analyze(it) })
	}
	runPool(jobs, last)
	if len(late) > 0 {
		// Mach-O files the seal checks found among sealed resources.
		more, moreItems := analyzeAll(cfg, vc, late)
		out = append(out, more...)
		late = append(late, moreItems...)
	}
	return out, late
}

// runPool runs the tasks, n at a time, and waits for them.
func runPool(n int, tasks []func()) {
	work := make(chan func())
	var wg sync.WaitGroup
	for range min(n, len(tasks)) {
		wg.Go(func() {
			for task := range work {
				task()
			}
		})
	}
	for _, task := range tasks {
		work <- task
	}
	close(work)
	wg.Wait()
}

// fileSHA256 returns a file's SHA-256 in hex, or "" when it cannot be read.
func fileSHA256(name string) string {
	f, err := os.Open(name)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// analyzeItem parses the item's facts once and runs every rule on it. It
// returns the findings and the items found while parsing (Mach-O files among
// a bundle's sealed resources).
func analyzeItem(cfg *Config, vc verifyConfig, it *Item) ([]Finding, []*Item) {
	facts := &itemFacts{cfg: cfg}
	if it.Kind == KindMachO {
		facts.macho = it.machOFacts(vc)
		for _, s := range facts.macho.Slices {
			it.archs = append(it.archs, s.Arch)
		}
	}
	if it.TopLevel() && cfg.NotarizedSHA256 != "" && it.Kind != KindDirectory && it.Kind != KindBundle &&
		filepath.Base(it.Input) == cfg.NotarizedUpload {
		facts.inputSHA256 = fileSHA256(it.Input)
	}
	if it.Kind == KindBundle {
		facts.bundle = loadBundleFacts(it, vc)
	}
	if it.pkg != nil {
		it.pkg.verify(vc)
	}
	if it.dmg != nil {
		it.dmg.verify(vc)
	}
	var out []Finding
	for _, r := range cfg.Rules {
		if !r.runsOn(it.Kind) {
			continue
		}
		out = append(out, runRule(r, it, facts)...)
	}
	if facts.bundle != nil {
		return out, facts.bundle.Late
	}
	return out, nil
}

// runRule runs one rule, turning a panic into an internal-error finding.
func runRule(r *Rule, it *Item, facts *itemFacts) (out []Finding) {
	p := &Pass{Item: it, Rule: r, facts: facts}
	defer func() {
		if v := recover(); v != nil {
			ip := &Pass{Item: it, Rule: InternalError, facts: facts}
			ip.Report(Finding{
				Key:     r.ID,
				Message: fmt.Sprintf("rule %s (%s) failed on this item: %v", r.ID, r.Name, v),
			})
			out = append(p.findings, ip.findings...)
		}
	}()
	r.Check(p)
	return p.findings
}

// sortFindings orders findings by path, arch, rule and message.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c < 0
		}
		if a.Arch != b.Arch {
			return a.Arch < b.Arch
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Message < b.Message
	})
}

// InternalError is reported by the engine, not by a check of its own: when a
// rule panics on an item, the panic becomes a finding of this rule naming the
// rule and the item, and analysis goes on.
var InternalError = &Rule{
	ID:       "NL9002",
	Name:     "internal-error",
	Severity: Error,
	Kinds:    []Kind{KindDirectory, KindMachO, KindBundle},
	Doc: Doc{
		Title: "a rule failed on an item",
		Why: "A notarylint rule stopped with an internal error on this item, so the item was not fully checked. " +
			"This is a bug in notarylint, not necessarily in the artifact.",
		Fix: "Report the message and, if you can, the artifact to the notarylint maintainers; the other rules' findings still stand.",
	},
	Check: func(*Pass) {}, // findings come from the engine's recover in runRule
}

// Inspected is an item with its parsed facts, for `notarylint inspect`.
type Inspected struct {
	Item      *Item
	MachO     *MachOFacts
	Bundle    *BundleFacts
	Package   *PackageFacts
	DiskImage *DiskImageFacts
}

// Inspect discovers the items of every input and parses and verifies their
// facts without running rules.
func Inspect(cfg Config, inputs []string) ([]Inspected, []error) {
	var out []Inspected
	vc, err := cfg.verifyConfig()
	if err != nil {
		return nil, []error{err}
	}
	var errs []error
	for _, in := range inputs {
		d, err := discover(in, archive.NewBudget(cfg.limits()), vc)
		if err != nil {
			errs = append(errs, &InputError{Path: in, Err: err})
			continue
		}
		defer d.Close()
		items := append([]*Item(nil), d.items...)
		for i := 0; i < len(items); i++ {
			it := items[i]
			if it.Kind == KindBundle {
				bf := loadBundleFacts(it, vc)
				out = append(out, Inspected{Item: it, Bundle: bf})
				items = append(items, bf.Late...)
				continue
			}
			if it.Kind == KindDiskImage {
				it.dmg.verify(vc)
				out = append(out, Inspected{Item: it, DiskImage: it.dmg})
				continue
			}
			if it.Kind == KindPackage {
				it.pkg.verify(vc)
				out = append(out, Inspected{Item: it, Package: it.pkg})
				continue
			}
			if it.Kind != KindMachO {
				continue
			}
			out = append(out, Inspected{Item: it, MachO: it.machOFacts(vc)})
		}
	}
	return out, errs
}
