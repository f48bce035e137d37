// Package dmg reads Apple disk images (UDIF): the koly trailer, the blkx
// partition tables of the resource fork, each partition's chunks (zero,
// ignore, raw, zlib, bzip2, ADC, LZFSE with LZVN, LZMA) exposed as random
// access over the decoded bytes with a small chunk cache, the CRC32
// checksums (per partition, master, data fork), the disk's GPT or Apple
// partition map, and the embedded code signature's placement and the
// trailer bytes its CodeDirectory binds.
//
// Input is hostile: every offset, length and count is checked before it is
// used or allocated from, a chunk decodes to at most 64 MiB and never past
// its sectors, and errors name the structure and its offset. The file
// systems inside live in dmg/hfs and dmg/apfs.
package dmg
