// Package codesign parses Apple code signatures: the embedded-signature
// SuperBlob and its index, every CodeDirectory (all versions), the
// requirements blob, entitlements (XML, slot 5, and DER, slot 7), the CMS
// signature blob with the certificates it carries, and a stapled ticket.
//
// Input is treated as hostile: every offset and length is checked against the
// blob that holds it before use, nothing is allocated from an untrusted size,
// and errors carry the offset of the structure that is wrong. Verification
// (page hashes, CMS signature, chains) builds on these types.
package codesign
