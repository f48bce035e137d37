// Package hfs reads HFS+ and HFSX volumes (Apple TN1150), read-only, as an
// fs.FS: the volume header, the catalog, extents overflow and attributes
// B-trees, data and resource forks, symbolic links, file and directory
// hard links, Finder info, BSD permissions and flags and inline or
// fork-stored extended attributes. Files compressed with decmpfs are
// detected, not decoded. The journal is not replayed: the volume is read
// as it stands, as an unmounted disk image holds it.
//
// The input is treated as hostile: every size and offset is checked
// against the node, fork and volume holding it before anything is
// allocated or read, B-tree descents are bounded by the tree depth (at
// most 8), leaf chains by the number of nodes, the whole file system by a
// budget of node visits proportional to the volume size, and symbolic
// links by a hop limit. Errors name the structure and its byte offset.
// Only a small LRU cache of B-tree nodes is kept in memory.
//
// Names are returned as stored (HFS+ keeps them decomposed, NFD) but for
// the ':' that a POSIX name has where HFS+ stores '/'. Lookups fold case
// on HFS+ and on case-insensitive HFSX volumes, following Apple's
// FastUnicodeCompare (see caseFold for the approximation made), and also
// try the NFD and NFC forms of the name asked for. The HFS+ private
// directories of the root, which hold hard link targets, are not listed;
// ".journal" and ".journal_info_block" are listed, as a disk image's
// files are (macOS hides them only through their Finder flags).
package hfs
