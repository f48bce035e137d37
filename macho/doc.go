// Package macho reads the facts notarylint needs from Mach-O files, thin or
// universal: per slice the architecture, file type, build-version and
// version-min commands, segments, the LC_CODE_SIGNATURE range and encryption
// info.
//
// It wraps github.com/blacktop/go-macho, but treats its input as hostile:
// every header, load command and fat entry is bounds-checked here before
// go-macho sees it, go-macho is only asked for the commands listed in
// decodedCommands (none of which make it allocate from untrusted sizes), and a
// panic inside it is recovered and returned as an error. Errors carry the byte
// offset of the structure that is wrong ([*FormatError]). A malformed slice of
// a universal file does not hide the others: it is returned with Slice.Err
// set.
package macho
