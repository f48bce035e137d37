package codesign

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

const plistHead = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
`

func xmlPlist(body string) []byte {
	return []byte(plistHead + `<plist version="1.0">` + "\n" + body + "\n</plist>\n")
}

func TestParseEntitlementsXML(t *testing.T) {
	valid := xmlPlist(`<dict>
	<key>com.apple.security.cs.allow-jit</key><true/>
	<key>com.apple.security.get-task-allow</key><false/>
	<key>com.apple.security.application-groups</key><array><string>ABCDE12345.group</string></array>
	<key>n</key><integer>7</integer>
</dict>`)
	ents, err := ParseEntitlementsXML(valid)
	if err != nil {
		t.Fatalf("valid plist: %v", err)
	}
	if !ents.Bool("com.apple.security.cs.allow-jit") || ents.Bool("com.apple.security.get-task-allow") || ents.Bool("missing") {
		t.Errorf("Bool values wrong: %v", ents)
	}
	if got := ents["n"]; got != int64(7) {
		t.Errorf("integer = %#v, want int64(7)", got)
	}
	if _, err := ParseEntitlementsXML(append(valid, 0, 0, 0)); err != nil {
		t.Errorf("NUL padding after the plist must be accepted: %v", err)
	}
	if ents, err := ParseEntitlementsXML(nil); err != nil || len(ents) != 0 {
		t.Errorf("empty payload = %v, %v; want empty entitlements", ents, err)
	}

	bad := []struct {
		name    string
		payload []byte
		want    string
		offset  int
	}{
		{"binary plist", []byte("bplist00\xd1\x01\x02"), "binary property list", 0},
		{"utf-8 BOM", append([]byte{0xef, 0xbb, 0xbf}, valid...), "byte-order mark", 0},
		{"non-ASCII", xmlPlist("<dict><key>k</key><string>caf\xc3\xa9</string></dict>"), "non-ASCII byte 0xc3", len(plistHead) + 51},
		{"unclosed element", xmlPlist("<dict><key>k</key><true/>"), "invalid XML", -1},
		{"mismatched tags", []byte(`<plist version="1.0"><dict></array></plist>`), "invalid XML", -1},
		{"array root", xmlPlist("<array><string>x</string></array>"), "not a property list dictionary", 0},
		{"not xml", []byte("hello world"), "", -1},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseEntitlementsXML(tc.payload)
			var p *EntitlementsProblem
			if !errors.As(err, &p) {
				t.Fatalf("err = %v, want *EntitlementsProblem", err)
			}
			if !strings.Contains(p.Reason, tc.want) {
				t.Errorf("reason %q does not contain %q", p.Reason, tc.want)
			}
			if tc.offset >= 0 && p.Offset != tc.offset {
				t.Errorf("offset = %#x, want %#x", p.Offset, tc.offset)
			}
		})
	}
}

func TestEntitlementsDERRoundTrip(t *testing.T) {
	in := Entitlements{
		"com.apple.security.get-task-allow":      true,
		"com.apple.security.cs.allow-jit":        false,
		"com.apple.application-identifier":       "ABCDE12345.com.example.app",
		"keychain-access-groups":                 []any{"ABCDE12345.shared", "ABCDE12345.other"},
		"com.apple.developer.team-identifier":    "ABCDE12345",
		"nested":                                 map[string]any{"a": int64(-2), "b": int64(300)},
		"com.apple.security.temporary-exception": []any{},
	}
	der, err := EncodeEntitlementsDER(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ParseEntitlementsDER(der)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if !out.Bool("com.apple.security.get-task-allow") || out.Bool("com.apple.security.cs.allow-jit") {
		t.Errorf("booleans wrong: %v", out)
	}
	if got := out["com.apple.application-identifier"]; got != "ABCDE12345.com.example.app" {
		t.Errorf("string = %#v", got)
	}
	if got := out["keychain-access-groups"].([]any); len(got) != 2 || got[1] != "ABCDE12345.other" {
		t.Errorf("array = %#v", got)
	}
	nested := out["nested"].(map[string]any)
	if nested["a"] != int64(-2) || nested["b"] != int64(300) {
		t.Errorf("nested = %#v", nested)
	}
}

func TestEntitlementsDERMalformed(t *testing.T) {
	good, err := EncodeEntitlementsDER(Entitlements{"k": true})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"empty":           {},
		"wrong outer tag": append([]byte{0x30}, good[1:]...),
		"truncated":       good[:len(good)-1],
		"trailing bytes":  append(append([]byte{}, good...), 0),
		"length too long": {0x70, 0x84, 0x7f, 0xff, 0xff, 0xff},
		"version 2":       {0x70, 0x05, 0x02, 0x01, 0x02, 0xb0, 0x00},
		"key not string":  {0x70, 0x0a, 0x02, 0x01, 0x01, 0xb0, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff},
	}
	for name, b := range cases {
		if _, err := ParseEntitlementsDER(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// Deep nesting is bounded, not a stack overflow.
	deep := []byte{}
	for i := 0; i < 100; i++ {
		deep = append([]byte{0x30, byte(len(deep))}, deep...)
		if len(deep) > 120 {
			break
		}
	}
	if _, err := ParseEntitlementsDER(deep); err == nil {
		t.Error("deeply nested garbage: no error")
	}
}

// TestEntitlementsDERLegacy reads the first DER form, as macOS 11's codesign
// wrote it (the bytes of a real ad-hoc signed app of that time): a bare SET
// of SEQUENCE { UTF8String key, value }.
func TestEntitlementsDERLegacy(t *testing.T) {
	raw, err := hex.DecodeString("315c30230c1e636f6d2e6170706c652e73656375726974792e6170702d73616e64626f7801010130350c30636f6d2e6170706c652e73656375726974792e66696c65732e757365722d73656c65637465642e726561642d6f6e6c79010101")
	if err != nil {
		t.Fatal(err)
	}
	e, err := ParseEntitlementsDER(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(e) != 2 || e["com.apple.security.app-sandbox"] != true || e["com.apple.security.files.user-selected.read-only"] != true {
		t.Errorf("entitlements %v", e)
	}
	// Nested dictionaries are SETs, arrays SEQUENCEs: {"a": {"b": true}, "c": ["x", "y"]}.
	nested, _ := hex.DecodeString("311c300d0c0161310830060c0162010101300b0c016330060c01780c0179")
	e, err = ParseEntitlementsDER(nested)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := e["a"].(map[string]any); !ok || a["b"] != true || fmt.Sprint(e["c"]) != "[x y]" {
		t.Errorf("nested: %v", e)
	}
}
