package codesign

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"

	"howett.net/plist"
)

// Entitlements are decoded entitlements: keys to bool, int64, string, []any or
// map[string]any values.
type Entitlements map[string]any

// Bool reports whether key is present with the boolean value true.
func (e Entitlements) Bool(key string) bool {
	v, ok := e[key].(bool)
	return ok && v
}

// EntitlementsProblem is why an XML entitlements payload would be rejected
// ("Embedded entitlements are invalid"), with the offset in the payload.
type EntitlementsProblem struct {
	Offset int
	Reason string
}

func (p *EntitlementsProblem) Error() string {
	return fmt.Sprintf("entitlements payload offset %#x: %s", p.Offset, p.Reason)
}

// BlobPayload returns a blob's payload after its 8-byte magic+length header.
func BlobPayload(blob []byte) []byte {
	if len(blob) < 8 {
		return nil
	}
	return blob[8:]
}

// ParseEntitlementsXML checks an XML entitlements payload (slot 5, without
// the blob header) the way Apple's tools need it: a text XML property list,
// ASCII only, no byte-order mark, whose root is a dictionary. It returns the
// decoded entitlements, or an *EntitlementsProblem saying what is wrong.
func ParseEntitlementsXML(payload []byte) (Entitlements, error) {
	switch {
	case bytes.HasPrefix(payload, []byte("bplist")):
		return nil, &EntitlementsProblem{0, "binary property list (bplist00); entitlements must be an XML property list"}
	case bytes.HasPrefix(payload, []byte{0xef, 0xbb, 0xbf}):
		return nil, &EntitlementsProblem{0, "starts with a UTF-8 byte-order mark"}
	case bytes.HasPrefix(payload, []byte{0xfe, 0xff}), bytes.HasPrefix(payload, []byte{0xff, 0xfe}):
		return nil, &EntitlementsProblem{0, "starts with a UTF-16 byte-order mark"}
	}
	for i, c := range payload {
		if c >= 0x80 {
			return nil, &EntitlementsProblem{i, fmt.Sprintf("non-ASCII byte %#02x", c)}
		}
	}
	trimmed := bytes.TrimRight(payload, "\x00 \t\r\n")
	if len(trimmed) == 0 {
		return Entitlements{}, nil
	}
	if off, err := checkWellFormed(trimmed); err != nil {
		return nil, &EntitlementsProblem{off, "invalid XML: " + err.Error()}
	}
	var ents map[string]any
	format, err := plist.Unmarshal(trimmed, &ents)
	if err != nil {
		return nil, &EntitlementsProblem{0, "not a property list dictionary: " + err.Error()}
	}
	if format != plist.XMLFormat {
		return nil, &EntitlementsProblem{0, fmt.Sprintf("%s property list; entitlements must be XML", plist.FormatNames[format])}
	}
	return normalize(ents), nil
}

// checkWellFormed runs a strict XML tokenizer over the document up to the
// end of its root element and returns the offset of the first error.
func checkWellFormed(doc []byte) (int, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	depth, sawRoot := 0, false
	for {
		off := int(d.InputOffset())
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if !sawRoot {
				return off, errors.New("no root element")
			}
			return 0, nil
		}
		if err != nil {
			return off, err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			sawRoot = true
		case xml.EndElement:
			depth--
			if depth == 0 {
				return 0, nil
			}
		}
	}
}

// normalize converts plist values to the types Entitlements documents.
func normalize(v map[string]any) Entitlements {
	out := Entitlements{}
	for k, x := range v {
		out[k] = normalizeValue(x)
	}
	return out
}

func normalizeValue(x any) any {
	switch t := x.(type) {
	case map[string]any:
		return map[string]any(normalize(t))
	case []any:
		for i := range t {
			t[i] = normalizeValue(t[i])
		}
		return t
	case uint64:
		return int64(t)
	}
	return x
}

// DER tags used by Apple's DER entitlements encoding.
const (
	derBoolean      = 0x01
	derInteger      = 0x02
	derUTF8String   = 0x0c
	derSequence     = 0x30
	derSet          = 0x31
	derApp16        = 0x70 // [APPLICATION 16] constructed: the whole document
	derContext16    = 0xb0 // [CONTEXT 16] constructed: a dictionary
	maxDERDepth     = 32
	derEntitlements = 1 // the INTEGER version that starts the document
)

// ParseEntitlementsDER decodes a DER entitlements payload (slot 7, without
// the blob header): [APPLICATION 16] { INTEGER 1, [CONTEXT 16] { SEQUENCE {
// UTF8String key, value } ... } }.
func ParseEntitlementsDER(payload []byte) (Entitlements, error) {
	r := derReader{b: payload}
	tag, body, err := r.next()
	if err != nil {
		return nil, err
	}
	if tag != derApp16 && tag != derSet {
		return nil, fmt.Errorf("DER entitlements at 0x0: tag %#x, want [APPLICATION 16]", tag)
	}
	if r.pos != len(payload) {
		return nil, fmt.Errorf("DER entitlements at %#x: %d trailing bytes", r.pos, len(payload)-r.pos)
	}
	if tag == derSet {
		// The first form, written by macOS 11's codesign: the dictionary
		// as CFPropertyList's DER, a SET of SEQUENCE { key, value } with
		// nested dictionaries as SETs, without the versioned wrapper.
		v, err := decodeDERDict(derReader{b: body, base: r.pos - len(body)}, 1, true)
		if err != nil {
			return nil, err
		}
		return Entitlements(v), nil
	}
	in := derReader{b: body, base: r.pos - len(body)}
	tag, ver, err := in.next()
	if err != nil {
		return nil, err
	}
	if tag != derInteger || len(ver) != 1 || ver[0] != derEntitlements {
		return nil, fmt.Errorf("DER entitlements at %#x: want INTEGER 1 version", in.base)
	}
	dictAt := in.base + in.pos
	tag, dict, err := in.next()
	if err != nil {
		return nil, err
	}
	if tag != derContext16 {
		return nil, fmt.Errorf("DER entitlements at %#x: tag %#x, want [CONTEXT 16] dictionary", dictAt, tag)
	}
	v, err := decodeDERDict(derReader{b: dict, base: in.base + in.pos - len(dict)}, 1, false)
	if err != nil {
		return nil, err
	}
	return Entitlements(v), nil
}

type derReader struct {
	b    []byte
	pos  int
	base int // offset of b in the payload, for errors
}

// next reads one TLV with a single-byte tag and a definite length.
func (r *derReader) next() (tag byte, body []byte, err error) {
	at := r.base + r.pos
	if len(r.b)-r.pos < 2 {
		return 0, nil, fmt.Errorf("DER at %#x: truncated element", at)
	}
	tag = r.b[r.pos]
	if tag&0x1f == 0x1f {
		return 0, nil, fmt.Errorf("DER at %#x: multi-byte tag %#x not used by entitlements", at, tag)
	}
	l := int(r.b[r.pos+1])
	p := r.pos + 2
	if l&0x80 != 0 {
		n := l & 0x7f
		if n == 0 || n > 4 || len(r.b)-p < n {
			return 0, nil, fmt.Errorf("DER at %#x: bad length of length %d", at, n)
		}
		l = 0
		for _, c := range r.b[p : p+n] {
			l = l<<8 | int(c)
		}
		p += n
	}
	if l < 0 || l > len(r.b)-p {
		return 0, nil, fmt.Errorf("DER at %#x: length %d runs past the end (%d bytes left)", at, l, len(r.b)-p)
	}
	r.pos = p + l
	return tag, r.b[p : p+l], nil
}

// decodeDERDict decodes a dictionary's entries; legacy selects macOS 11's
// form, where nested dictionaries are SETs (the current form writes them
// as [CONTEXT 16] and arrays as SEQUENCEs).
func decodeDERDict(r derReader, depth int, legacy bool) (map[string]any, error) {
	if depth > maxDERDepth {
		return nil, fmt.Errorf("DER at %#x: nested deeper than %d", r.base, maxDERDepth)
	}
	out := map[string]any{}
	for r.pos < len(r.b) {
		at := r.base + r.pos
		tag, pair, err := r.next()
		if err != nil {
			return nil, err
		}
		if tag != derSequence {
			return nil, fmt.Errorf("DER at %#x: dictionary entry tag %#x, want SEQUENCE", at, tag)
		}
		pr := derReader{b: pair, base: r.base + r.pos - len(pair)}
		ktag, key, err := pr.next()
		if err != nil {
			return nil, err
		}
		if ktag != derUTF8String {
			return nil, fmt.Errorf("DER at %#x: dictionary key tag %#x, want UTF8String", pr.base, ktag)
		}
		val, err := decodeDERValue(&pr, depth, legacy)
		if err != nil {
			return nil, err
		}
		if pr.pos != len(pr.b) {
			return nil, fmt.Errorf("DER at %#x: extra bytes in dictionary entry %q", pr.base+pr.pos, key)
		}
		out[string(key)] = val
	}
	return out, nil
}

func decodeDERValue(r *derReader, depth int, legacy bool) (any, error) {
	at := r.base + r.pos
	tag, body, err := r.next()
	if err != nil {
		return nil, err
	}
	bodyBase := r.base + r.pos - len(body)
	switch tag {
	case derBoolean:
		if len(body) != 1 {
			return nil, fmt.Errorf("DER at %#x: BOOLEAN of %d bytes", at, len(body))
		}
		return body[0] != 0, nil
	case derInteger:
		if len(body) == 0 || len(body) > 8 {
			return nil, fmt.Errorf("DER at %#x: INTEGER of %d bytes", at, len(body))
		}
		var v int64
		if body[0]&0x80 != 0 {
			v = -1
		}
		for _, c := range body {
			v = v<<8 | int64(c)
		}
		return v, nil
	case derUTF8String:
		return string(body), nil
	case derSet:
		if legacy {
			return decodeDERDict(derReader{b: body, base: bodyBase}, depth+1, true)
		}
		fallthrough
	case derSequence:
		if depth >= maxDERDepth {
			return nil, fmt.Errorf("DER at %#x: nested deeper than %d", at, maxDERDepth)
		}
		var arr []any
		ar := derReader{b: body, base: bodyBase}
		for ar.pos < len(ar.b) {
			v, err := decodeDERValue(&ar, depth+1, legacy)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		return arr, nil
	case derContext16:
		return decodeDERDict(derReader{b: body, base: bodyBase}, depth+1, legacy)
	}
	return nil, fmt.Errorf("DER at %#x: unexpected tag %#x", at, tag)
}

// EncodeEntitlementsDER encodes entitlements in Apple's DER form. Keys are
// written in sorted order, as Apple's encoder does. It is used by the test
// signer and round-trips with ParseEntitlementsDER.
func EncodeEntitlementsDER(e Entitlements) ([]byte, error) {
	dict, err := encodeDERDict(e)
	if err != nil {
		return nil, err
	}
	body := append(derTLV(derInteger, []byte{derEntitlements}), dict...)
	return derTLV(derApp16, body), nil
}

func encodeDERDict(m map[string]any) ([]byte, error) {
	var body []byte
	for _, k := range sortedKeys(m) {
		v, err := encodeDERValue(m[k])
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", k, err)
		}
		body = append(body, derTLV(derSequence, append(derTLV(derUTF8String, []byte(k)), v...))...)
	}
	return derTLV(derContext16, body), nil
}

func encodeDERValue(v any) ([]byte, error) {
	switch t := v.(type) {
	case bool:
		if t {
			return derTLV(derBoolean, []byte{0xff}), nil
		}
		return derTLV(derBoolean, []byte{0}), nil
	case int:
		return encodeDERValue(int64(t))
	case int64:
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(t))
		i := 0
		for i < 7 && ((b[i] == 0 && b[i+1]&0x80 == 0) || (b[i] == 0xff && b[i+1]&0x80 != 0)) {
			i++
		}
		return derTLV(derInteger, b[i:]), nil
	case string:
		return derTLV(derUTF8String, []byte(t)), nil
	case []any:
		var body []byte
		for _, x := range t {
			e, err := encodeDERValue(x)
			if err != nil {
				return nil, err
			}
			body = append(body, e...)
		}
		return derTLV(derSequence, body), nil
	case []string:
		var body []byte
		for _, x := range t {
			body = append(body, derTLV(derUTF8String, []byte(x))...)
		}
		return derTLV(derSequence, body), nil
	case map[string]any:
		return encodeDERDict(t)
	case Entitlements:
		return encodeDERDict(t)
	}
	return nil, fmt.Errorf("cannot encode %T", v)
}

func derTLV(tag byte, body []byte) []byte {
	return appendTLV(nil, []byte{tag}, body)
}
