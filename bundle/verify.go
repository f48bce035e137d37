package bundle

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"io/fs"

	"runtime"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/unicode/norm"
)

// ProblemKind classifies a difference between a bundle and its seal.
type ProblemKind int

// Seal problems, as codesign's verbose output names them.
const (
	FileModified       ProblemKind = iota // "file modified"
	FileMissing                           // "file missing"
	FileAdded                             // "file added"
	SymlinkChanged                        // a sealed symlink points elsewhere or is no longer a link
	NestedModified                        // nested code whose cdhash differs from the sealed one
	NestedUnsigned                        // nested code location holds unsigned code or data
	Normalization                         // added+missing pair whose names differ only in Unicode normalization
	DataInCodeLocation                    // a data file signed through extended attributes in a code location
	DottedDirectory                       // a non-bundle directory with a dot in its name in a code location
)

var problemNames = [...]string{"file modified", "file missing", "file added", "symlink changed", "nested code modified", "nested code unsigned", "name normalization changed", "data in code location", "dotted directory in code location"}

func (k ProblemKind) String() string { return problemNames[k] }

// Problem is one difference between the bundle and its seal.
type Problem struct {
	Kind ProblemKind
	// Path is relative to the bundle's content directory.
	Path   string
	Detail string
}

// NestedCode is what the seal verifier needs to know about a nested code
// item: the cdhashes of all its CodeDirectories (any slice), or signed=false.
type NestedCode struct {
	Signed   bool
	CDHashes [][]byte
	// Identifier and TeamID are the primary CodeDirectory's, for the
	// designated requirement.
	Identifier, TeamID string
	// Data marks a file that is not Mach-O, signed through extended
	// attributes.
	Data bool
	// Modified says how the code no longer matches its own signature ("" when
	// it does or was not checked).
	Modified string
}

// NestedLookup returns the code facts of a nested item at a path relative to
// the file system root: a Mach-O file, or a bundle directory (whose main
// executable's cdhashes count). ok is false when the path is not code.
type NestedLookup func(fsysPath string, isDir bool) (code NestedCode, ok bool)

// VerifyOptions tune seal verification.
type VerifyOptions struct {
	// Workers hash files in parallel; 0 means one per CPU.
	Workers int
	// Nested looks up nested code; nil treats every nested entry as
	// unverifiable and skips the cdhash comparison.
	Nested NestedLookup
	// Sniff, when set, is shown the path, first bytes (up to SniffSize) and
	// size of every file the seal check hashes, possibly from several
	// goroutines at once. It lets a caller find code and archives among the
	// resources without opening them a second time.
	Sniff func(fsysPath string, head []byte, size int64)
	// Whole, when set, is asked after Sniff whether it wants a file's
	// whole contents (at most MaxWhole bytes): when it returns a function,
	// that function is given them once the file is hashed, so that the
	// caller can analyse code without reading (and decompressing) it
	// again. Only one such file is held per worker at a time.
	Whole func(fsysPath string, head []byte, size int64) func(data []byte)
}

// MaxWhole bounds the files VerifyOptions.Whole is given: a larger one is
// read again by whoever needs it, so that a worker holds at most this much.
const MaxWhole = 128 << 20

// SniffSize is how many leading bytes Sniff is shown.
const SniffSize = 1024

// Deferred reports whether Verify will hash the file at fsysPath (a regular
// file the v2 seal records with a hash), and so can show its first bytes to
// VerifyOptions.Sniff.
func (b *Bundle) Deferred(fsysPath string) bool {
	if b.Seal == nil || !b.Seal.HasV2() || fsysPath == b.Executable || !strings.HasPrefix(fsysPath, b.Content+"/") {
		return false
	}
	rel := b.Rel(fsysPath)
	if rel == "CodeResources" || rel == "_MASReceipt" || strings.HasPrefix(rel, "_CodeSignature/") {
		return false
	}
	rule := RuleFor(b.Seal.Rules2, rel)
	e, ok := b.Seal.Files2[rel]
	return ok && rule != nil && !rule.Omit && !rule.Nested && !e.IsNested() && e.Symlink == nil && (e.Hash2 != nil || e.Hash != nil)
}

// sealEntryJob is a regular file whose hash must be compared.
type sealEntryJob struct {
	rel, fsysPath string
	entry         SealEntry
}

// Verify compares the bundle's files with its v2 seal (files2 and rules2):
// every regular file governed by a rule must be sealed with the same
// SHA-256, every sealed file must exist unless optional, sealed symlinks
// must point where they did, and nested code must have the sealed cdhash.
// Files are hashed in parallel. It returns the problems sorted by path.
func (b *Bundle) Verify(fsys fs.FS, opt VerifyOptions) ([]Problem, error) {
	if b.Seal == nil || !b.Seal.HasV2() {
		return nil, fmt.Errorf("no version 2 seal")
	}
	seal := b.Seal
	var (
		problems []Problem
		jobs     []sealEntryJob
		seen     = map[string]bool{}
	)
	add := func(k ProblemKind, rel, format string, args ...any) {
		problems = append(problems, Problem{Kind: k, Path: rel, Detail: fmt.Sprintf(format, args...)})
	}
	exeRel := b.Rel(b.Executable)
	err := fs.WalkDir(fsys, b.Content, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel := b.Rel(p)
		if rel == "" {
			return nil
		}
		if rel == "_CodeSignature" || rel == "CodeResources" || rel == "_MASReceipt" {
			// The signature itself, the stapled ticket, the App Store receipt.
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if rel == exeRel {
			return nil
		}
		rule := RuleFor(seal.Rules2, rel)
		if d.IsDir() {
			if rule != nil && rule.Nested && strings.Contains(d.Name(), ".") && !rule.Omit {
				seen[rel] = true
				b.checkNested(p, rel, true, seal.Files2[rel], opt.Nested, add)
				return fs.SkipDir
			}
			return nil
		}
		if rule == nil || rule.Omit {
			return nil
		}
		seen[rel] = true
		entry, sealed := seal.Files2[rel]
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := fs.ReadLink(fsys, p)
			switch {
			case err != nil:
				add(SymlinkChanged, rel, "cannot read link: %v", err)
			case !sealed:
				add(FileAdded, rel, "symbolic link to %q is not in the seal", target)
			case entry.Symlink == nil:
				add(SymlinkChanged, rel, "sealed as a file, now a symbolic link to %q", target)
			case *entry.Symlink != target:
				add(SymlinkChanged, rel, "sealed as a link to %q, now points to %q", *entry.Symlink, target)
			}
			return nil
		}
		if !d.Type().IsRegular() {
			add(FileAdded, rel, "unsupported file type %v", d.Type())
			return nil
		}
		switch {
		case entry.IsNested() || (rule.Nested && !sealed):
			b.checkNested(p, rel, false, entry, opt.Nested, add)
		case !sealed:
			add(FileAdded, rel, "not in the seal")
		case entry.Symlink != nil:
			add(SymlinkChanged, rel, "sealed as a link to %q, now a regular file", *entry.Symlink)
		default:
			jobs = append(jobs, sealEntryJob{rel: rel, fsysPath: p, entry: entry})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for rel, e := range seal.Files2 {
		if !seen[rel] && !e.Optional && rel != exeRel {
			add(FileMissing, rel, "sealed but not present")
		}
	}
	problems = append(problems, hashJobs(fsys, jobs, opt)...)
	problems = foldNormalization(problems)
	sort.Slice(problems, func(i, j int) bool {
		if problems[i].Path != problems[j].Path {
			return problems[i].Path < problems[j].Path
		}
		return problems[i].Kind < problems[j].Kind
	})
	return problems, nil
}

// checkNested compares nested code with its seal entry.
func (b *Bundle) checkNested(fsysPath, rel string, isDir bool, entry SealEntry, lookup NestedLookup, add func(ProblemKind, string, string, ...any)) {
	if lookup == nil {
		return
	}
	code, ok := lookup(fsysPath, isDir)
	switch {
	case !ok && isDir:
		add(DottedDirectory, rel, "a directory whose name contains a dot in a location for nested code is taken for a bundle, but it is not one")
		return
	case !ok:
		add(NestedUnsigned, rel, "is in a location for nested code but is not code (a Mach-O file or a bundle)")
		return
	case !code.Signed:
		add(NestedUnsigned, rel, "nested code is not signed")
		return
	case !entry.IsNested():
		add(FileAdded, rel, "nested code is not in the seal")
		return
	}
	if code.Data {
		add(DataInCodeLocation, rel, "a data file signed through extended attributes, which archives made without ditto lose")
	}
	if code.Modified != "" {
		add(NestedModified, rel, "nested code changed after it was signed: %s", code.Modified)
		return
	}
	if why := CheckRequirement(entry.Requirement, code); why != "" {
		add(NestedModified, rel, "nested code does not satisfy the requirement its seal records: %s", why)
		return
	}
	if entry.CDHash == nil || len(code.CDHashes) == 0 {
		return // nothing to compare (e.g. a bundle without an executable)
	}
	for _, h := range code.CDHashes {
		if bytes.Equal(h, entry.CDHash) {
			return
		}
	}
	var got []string
	for _, h := range code.CDHashes {
		got = append(got, fmt.Sprintf("%x", h))
	}
	add(NestedModified, rel, "sealed cdhash %x, the nested code now has %s", entry.CDHash, strings.Join(got, ", "))
}

// hashJobs hashes the files in parallel and reports those that differ.
// Each worker is a pipeline: a reader goroutine opens the files and reads
// them into a few reused buffers while the worker hashes the previous ones,
// so the kernel's copying overlaps the hashing.
func hashJobs(fsys fs.FS, jobs []sealEntryJob, opt VerifyOptions) []Problem {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var (
		mu  sync.Mutex
		out []Problem
		wg  sync.WaitGroup
		ch  = make(chan sealEntryJob)
	)
	for range min(workers, max(1, len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range hashPipeline(fsys, ch, opt) {
				mu.Lock()
				out = append(out, p)
				mu.Unlock()
			}
		}()
	}
	dfs, _ := fsys.(DigestFS)
	for _, j := range jobs {
		if p, ok := checkDigest(dfs, j); ok {
			if p != nil {
				out = append(out, *p)
			}
			continue
		}
		ch <- j
	}
	close(ch)
	wg.Wait()
	return out
}

// DigestFS is a file system that knows the digests of (some of) its files
// without reading them again: a package payload hashed while it streamed by.
type DigestFS interface {
	Digest(name, alg string) ([]byte, bool)
}

// checkDigest compares a job with a known digest; ok is false when the file
// system does not know it and the file must be read.
func checkDigest(dfs DigestFS, j sealEntryJob) (p *Problem, ok bool) {
	if dfs == nil {
		return nil, false
	}
	want, alg, name := j.entry.Hash2, "sha256", "SHA-256"
	if want == nil {
		want, alg, name = j.entry.Hash, "sha1", "SHA-1"
	}
	got, ok := dfs.Digest(j.fsysPath, alg)
	if !ok {
		return nil, false
	}
	if !bytes.Equal(got, want) {
		return &Problem{Kind: FileModified, Path: j.rel, Detail: fmt.Sprintf("%s %x, sealed %x", name, got, want)}, true
	}
	return nil, true
}

// chunk is a piece of a file on its way from the reader to the hasher.
type chunk struct {
	job   *sealEntryJob
	data  []byte // a buffer from the pool, or nil with err or at the end
	size  int64  // the file's size, on its first chunk
	first bool
	last  bool
	err   error
}

const (
	chunkSize    = 256 << 10
	chunkBuffers = 4
)

// wholeTrusted is how much of a file's claimed size the buffer for its
// whole content is allocated at once: a file that claims more and holds
// less wastes at most this much per worker.
const wholeTrusted = 16 << 20

// appendWhole appends data to whole, a file's content being collected,
// whose claimed size is size. When whole must grow it doubles (up to the
// claimed size, or what is needed if the file holds more): append's own
// growth of large slices (about 1.25x) copies a 16 MiB file some dozen
// times, and the garbage made the heap peak far above what was live.
func appendWhole(whole, data []byte, size int64) []byte {
	need := len(whole) + len(data)
	if need > cap(whole) {
		target := 2 * int64(cap(whole))
		if int64(need) <= size {
			target = min(target, size)
		}
		grown := make([]byte, len(whole), max(need, int(target)))
		copy(grown, whole)
		whole = grown
	}
	return append(whole, data...)
}

// hashPipeline hashes the jobs it receives and returns the problems found.
func hashPipeline(fsys fs.FS, jobs <-chan sealEntryJob, opt VerifyOptions) []Problem {
	free := make(chan []byte, chunkBuffers)
	for range chunkBuffers {
		free <- make([]byte, chunkSize)
	}
	chunks := make(chan chunk, chunkBuffers)
	go readFiles(fsys, jobs, free, chunks)

	var out []Problem
	h256, h1 := sha256.New(), sha1.New()
	var h hash.Hash
	var consume func([]byte)
	var whole []byte
	for c := range chunks {
		j := c.job
		if c.first {
			h = h256
			if j.entry.Hash2 == nil {
				h = h1
			}
			h.Reset()
			consume, whole = nil, nil
			if len(c.data) > 0 {
				head := c.data[:min(len(c.data), SniffSize)]
				if opt.Sniff != nil {
					opt.Sniff(j.fsysPath, head, c.size)
				}
				if opt.Whole != nil && c.size <= MaxWhole {
					if consume = opt.Whole(j.fsysPath, head, c.size); consume != nil {
						// A claimed size is trusted up to wholeTrusted;
						// beyond that the buffer grows with what arrives.
						whole = make([]byte, 0, min(c.size, wholeTrusted))
					}
				}
			}
		}
		if c.data != nil {
			h.Write(c.data)
			if consume != nil {
				if int64(len(whole)+len(c.data)) > MaxWhole {
					consume, whole = nil, nil // larger than it said: let it be read again
				} else {
					whole = appendWhole(whole, c.data, c.size)
				}
			}
			free <- c.data[:cap(c.data)]
		}
		switch {
		case c.err != nil:
			out = append(out, Problem{Kind: FileModified, Path: j.rel, Detail: fmt.Sprintf("cannot read: %v", c.err)})
		case c.last:
			if consume != nil && int64(len(whole)) == c.size {
				consume(whole)
			}
			consume, whole = nil, nil
			want, name := j.entry.Hash2, "SHA-256"
			if want == nil {
				want, name = j.entry.Hash, "SHA-1"
			}
			if got := h.Sum(nil); !bytes.Equal(got, want) {
				out = append(out, Problem{Kind: FileModified, Path: j.rel, Detail: fmt.Sprintf("%s %x, sealed %x", name, got, want)})
			}
		}
	}
	return out
}

// readFiles reads each job's file into buffers from free and sends them, in
// order, on chunks; it closes chunks when the jobs run out. A file ends with
// a chunk marked last, or with one carrying its error.
func readFiles(fsys fs.FS, jobs <-chan sealEntryJob, free chan []byte, chunks chan<- chunk) {
	defer close(chunks)
	for j := range jobs {
		job := j
		f, err := fsys.Open(job.fsysPath)
		if err != nil {
			chunks <- chunk{job: &job, first: true, err: err}
			continue
		}
		var size int64
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		first := true
		for {
			buf := <-free
			n, err := io.ReadFull(f, buf)
			c := chunk{job: &job, first: first, size: size}
			first = false
			if n > 0 {
				c.data = buf[:n]
			} else {
				free <- buf
			}
			switch {
			case err == io.EOF || err == io.ErrUnexpectedEOF:
				c.last = true
			case err != nil:
				c.err = err
			}
			chunks <- c
			if c.last || c.err != nil {
				break
			}
		}
		f.Close()
	}
}

// foldNormalization merges an added file and a missing one whose names are
// equal after Unicode NFC normalization into one Normalization problem: a
// zip or copy tool renamed the file.
func foldNormalization(ps []Problem) []Problem {
	missing := map[string]int{}
	for i, p := range ps {
		if p.Kind == FileMissing {
			missing[norm.NFC.String(p.Path)] = i
		}
	}
	drop := map[int]bool{}
	for i, p := range ps {
		if p.Kind != FileAdded {
			continue
		}
		if j, ok := missing[norm.NFC.String(p.Path)]; ok && !drop[j] {
			ps[i] = Problem{Kind: Normalization, Path: p.Path,
				Detail: fmt.Sprintf("sealed as %q (%s), present as %q (%s): the names differ only in Unicode normalization",
					ps[j].Path, normForm(ps[j].Path), p.Path, normForm(p.Path))}
			drop[j] = true
		}
	}
	out := ps[:0]
	for i, p := range ps {
		if !drop[i] {
			out = append(out, p)
		}
	}
	return out
}

func normForm(s string) string {
	switch {
	case norm.NFC.IsNormalString(s):
		return "NFC"
	case norm.NFD.IsNormalString(s):
		return "NFD"
	}
	return "mixed"
}
