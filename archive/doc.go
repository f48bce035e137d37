// Package archive opens archives as file systems: zip (and the .jar and
// .jmod forms Java tools ship), tar, gzip and tar.gz. Each exposes an fs.FS
// that also implements fs.ReadLinkFS and serves regular files as
// io.ReaderAt, so the analyzer walks an archive like a directory and nests
// archives without extracting anything to disk.
//
// Archives are hostile input: names that would escape (absolute, "..",
// duplicates) are reported and never served, every size is checked before
// use, and decompression is bounded by a Budget shared by all archives of an
// input (total bytes, ratio, and the size of one file held in memory), so a
// zip bomb or a zip quine stops with an error instead of exhausting memory
// or time.
package archive
