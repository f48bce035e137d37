package bundle_test

import (
	"testing"
	"testing/fstest"

	"github.com/notarylint/notarylint/bundle"
	"github.com/notarylint/notarylint/internal/fixture"
)

// FuzzParseProfile parses arbitrary provisioning profiles (a CMS around a
// property list): never a panic.
func FuzzParseProfile(f *testing.F) {
	pki := fixture.TestPKI(f)
	f.Add(pki.ProvisioningProfile(f, fixture.Profile{Entitlements: map[string]any{"com.apple.application-identifier": "ABCDE12345.com.example.app", "keychain-access-groups": []any{"ABCDE12345.*"}}}))
	f.Add([]byte("<plist><dict/></plist>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		bundle.ParseProfile(b)
	})
}

// FuzzDetect detects a bundle whose Info.plist is arbitrary bytes, and
// reads its identity: never a panic.
func FuzzDetect(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>CFBundleExecutable</key><string>App</string><key>CFBundleIdentifier</key><string>com.example.app</string></dict></plist>`))
	f.Add([]byte("bplist00\xd1\x01\x02QaQb\x08\x0b\x0d\x00\x00\x00\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0f"))
	f.Fuzz(func(t *testing.T, info []byte) {
		fsys := fstest.MapFS{
			"App.app/Contents/Info.plist": &fstest.MapFile{Data: info},
			"App.app/Contents/MacOS/App":  &fstest.MapFile{Data: []byte("\xcf\xfa\xed\xfe")},
		}
		if b, ok := bundle.Detect(fsys, "App.app"); ok {
			b.Identifier()
		}
	})
}
