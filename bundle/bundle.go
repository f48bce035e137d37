package bundle

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"howett.net/plist"
)

// Kind is the layout of a bundle.
type Kind int

// Bundle kinds.
const (
	// App is an app-like bundle: Contents/{Info.plist, MacOS/, Resources/,
	// _CodeSignature/}. .app, .appex, .xpc, .plugin, .bundle, .kext and
	// .systemextension bundles use it.
	App Kind = iota
	// Framework is a versioned framework: Versions/<v>/{<exec>,
	// Resources/Info.plist, _CodeSignature/} with Versions/Current and
	// root symlinks.
	Framework
)

// Bundle is a bundle found in a file system.
type Bundle struct {
	// Dir is the bundle directory, '/'-separated, relative to the file
	// system root ("My App.app", "Payload/My App.app").
	Dir string
	// Name is the bundle directory's name ("My App.app").
	Name string
	Kind Kind
	// Content is the directory the seal's paths are relative to:
	// Dir+"/Contents", or Dir+"/Versions/<v>" for a framework.
	Content string
	// InfoPath is the Info.plist path; InfoRaw its bytes and Info its
	// decoded contents (nil with InfoErr set when it cannot be read).
	InfoPath string
	InfoRaw  []byte
	Info     map[string]any
	InfoErr  error
	// Executable is the main executable's path, "" when CFBundleExecutable
	// is missing.
	Executable string
	// SealPath is _CodeSignature/CodeResources; SealRaw its bytes and Seal
	// the parsed seal (nil with SealErr set when unreadable; both nil when
	// the bundle is not sealed).
	SealPath string
	SealRaw  []byte
	Seal     *Seal
	SealErr  error
}

// MaxPlistSize bounds the Info.plist and CodeResources files read into
// memory.
const MaxPlistSize = 64 << 20

// bundleExtensions are the directory name extensions of bundles.
var bundleExtensions = []string{".app", ".framework", ".appex", ".xpc", ".plugin", ".bundle", ".kext", ".systemextension", ".qlgenerator", ".mdimporter", ".saver", ".prefPane", ".driver", ".dext"}

// HasBundleExtension reports whether a directory name looks like a bundle.
func HasBundleExtension(name string) bool {
	for _, ext := range bundleExtensions {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// Detect reports whether dir in fsys is a bundle, and opens it. A directory
// is an app-like bundle when it has Contents/Info.plist, and a framework
// when it is named *.framework and has Versions/Current.
func Detect(fsys fs.FS, dir string) (*Bundle, bool) {
	return DetectNamed(fsys, dir, path.Base(dir))
}

// DetectNamed is Detect for a directory whose name is not the last element
// of dir: the root of the file system ("."), named after the input.
func DetectNamed(fsys fs.FS, dir, name string) (*Bundle, bool) {
	if isDir(fsys, path.Join(dir, "Contents")) && isEntry(fsys, path.Join(dir, "Contents", "Info.plist")) {
		b := &Bundle{Dir: dir, Name: name, Kind: App, Content: path.Join(dir, "Contents")}
		b.InfoPath = path.Join(b.Content, "Info.plist")
		b.load(fsys)
		return b, true
	}
	if strings.HasSuffix(name, ".framework") && isDir(fsys, path.Join(dir, "Versions")) && isEntry(fsys, path.Join(dir, "Versions", "Current")) {
		b := &Bundle{Dir: dir, Name: name, Kind: Framework}
		version, err := FrameworkCurrent(fsys, dir)
		if err != nil {
			b.Content = path.Join(dir, "Versions", "Current")
			b.InfoErr = err
			return b, true
		}
		b.Content = path.Join(dir, "Versions", version)
		b.InfoPath = path.Join(b.Content, "Resources", "Info.plist")
		if !isDir(fsys, path.Join(b.Content, "Resources")) {
			b.InfoErr = fmt.Errorf("%s: no Resources directory", b.Content)
			return b, true
		}
		b.load(fsys)
		return b, true
	}
	return nil, false
}

// FrameworkCurrent returns the version directory Versions/Current names.
func FrameworkCurrent(fsys fs.FS, dir string) (string, error) {
	current := path.Join(dir, "Versions", "Current")
	fi, err := fs.Lstat(fsys, current)
	if err != nil {
		return "", err
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		return "", fmt.Errorf("%s is a %s, not a symbolic link", current, kindOf(fi))
	}
	target, err := fs.ReadLink(fsys, current)
	if err != nil {
		return "", err
	}
	if target == "" || strings.Contains(target, "/") || target == "." || target == ".." {
		return "", fmt.Errorf("%s points to %q, not to a version directory", current, target)
	}
	if fi, err := fs.Lstat(fsys, path.Join(dir, "Versions", target)); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("%s points to %q, which is not a directory in Versions", current, target)
	}
	return target, nil
}

func (b *Bundle) load(fsys fs.FS) {
	b.InfoRaw, b.InfoErr = ReadRegular(fsys, b.InfoPath)
	if b.InfoErr == nil {
		var info map[string]any
		if _, err := plist.Unmarshal(b.InfoRaw, &info); err != nil {
			b.InfoErr = fmt.Errorf("%s: %w", b.InfoPath, err)
		} else {
			b.Info = info
		}
	}
	if exe, ok := b.Info["CFBundleExecutable"].(string); ok && exe != "" && !strings.Contains(exe, "/") {
		if b.Kind == App {
			b.Executable = path.Join(b.Content, "MacOS", exe)
		} else {
			b.Executable = path.Join(b.Content, exe)
		}
	}
	b.SealPath = path.Join(b.Content, "_CodeSignature", "CodeResources")
	if !isDir(fsys, path.Dir(b.SealPath)) || !isEntry(fsys, b.SealPath) {
		return
	}
	b.SealRaw, b.SealErr = ReadRegular(fsys, b.SealPath)
	if b.SealErr == nil {
		b.Seal, b.SealErr = ParseSeal(b.SealRaw)
		if b.SealErr != nil {
			b.SealErr = fmt.Errorf("%s: %w", b.SealPath, b.SealErr)
		}
	}
}

// Identifier returns CFBundleIdentifier, or "".
func (b *Bundle) Identifier() string {
	s, _ := b.Info["CFBundleIdentifier"].(string)
	return s
}

// Rel returns p relative to the seal's content directory.
func (b *Bundle) Rel(p string) string {
	return strings.TrimPrefix(strings.TrimPrefix(p, b.Content), "/")
}

// ErrNotRegular is returned for a path that exists but is not a regular
// file (a symlink, a directory, a device).
var ErrNotRegular = errors.New("not a regular file")

// ReadRegular reads a regular file of at most MaxPlistSize bytes, refusing
// symbolic links and special files.
func ReadRegular(fsys fs.FS, name string) ([]byte, error) {
	fi, err := fs.Lstat(fsys, name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (it is a %s)", name, ErrNotRegular, kindOf(fi))
	}
	if fi.Size() > MaxPlistSize {
		return nil, fmt.Errorf("%s: %d bytes exceeds the %d-byte limit", name, fi.Size(), MaxPlistSize)
	}
	return fs.ReadFile(fsys, name)
}

// isEntry reports whether name exists (without following a final symlink).
func isEntry(fsys fs.FS, name string) bool {
	_, err := fs.Lstat(fsys, name)
	return err == nil
}

// isDir reports whether name is a real directory, not a symlink to one.
func isDir(fsys fs.FS, name string) bool {
	fi, err := fs.Lstat(fsys, name)
	return err == nil && fi.IsDir()
}

// kindOf names what a file is.
func kindOf(fi fs.FileInfo) string {
	switch m := fi.Mode(); {
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m.IsDir():
		return "directory"
	case m.IsRegular():
		return "regular file"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// OtherVersions opens a framework's versions other than the one
// Versions/Current names, as bundles of their own (same Dir, Content
// Versions/<v>). codesign verifies them too.
func (b *Bundle) OtherVersions(fsys fs.FS) []*Bundle {
	if b.Kind != Framework {
		return nil
	}
	versions := path.Join(b.Dir, "Versions")
	entries, err := fs.ReadDir(fsys, versions)
	if err != nil {
		return nil
	}
	var out []*Bundle
	for _, e := range entries {
		content := path.Join(versions, e.Name())
		if !e.IsDir() || e.Name() == "Current" || content == b.Content {
			continue
		}
		v := &Bundle{Dir: b.Dir, Name: b.Name, Kind: Framework, Content: content, InfoPath: path.Join(content, "Resources", "Info.plist")}
		v.load(fsys)
		out = append(out, v)
	}
	return out
}
