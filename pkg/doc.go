// Package pkg reads flat installer packages: the xar archive (header,
// zlib-compressed table of contents, heap, checksums, RSA and CMS
// signatures, stapled ticket trailer), product and component packages
// (Distribution, PackageInfo, Bom) and their payloads (gzip, pbzx or plain
// odc cpio), exposed as file systems so that every Mach-O file, bundle and
// archive inside is checked like any other.
//
// Packages are hostile input: sizes are checked before use, decompression
// is bounded by an archive.Budget, and errors carry offsets.
package pkg
