// Package dmg reads Apple disk images (UDIF): the koly trailer, the blkx
// partition tables of the resource fork, and each partition's chunks
// (zero, raw, zlib, bzip2), exposed as random access over the decompressed
// bytes with a small chunk cache. File systems inside (HFS+, APFS) and the
// heavier codecs (ADC, LZFSE, LZMA) come later.
package dmg
