// Package apfs reads Apple File System (APFS) containers, read-only, from
// an io.ReaderAt positioned at the container's block 0 (for a disk image,
// the partition's bytes).
//
// What is read: the container superblock and the latest valid checkpoint
// superblock of the checkpoint descriptor area, the container object map,
// the first volume (the first non-empty nx_fs_oid; the names of all
// volumes are available through VolumeNames), its object map and its file
// system tree: inodes, directory records (hashed keys on case- or
// normalization-insensitive volumes, plain keys otherwise), file extents
// (sparse holes read as zeros), data streams, extended attributes (inline
// or stored in a data stream), symbolic links and hard links. Every object
// read is checked against its Fletcher-64 checksum and its header (type,
// object id, transaction id). The volume is exposed as an fs.FS that also
// implements fs.ReadDirFS, fs.StatFS and fs.ReadLinkFS, and extended
// attributes through FS.Xattr.
//
// What is not read: snapshots (the volume is read at its current
// transaction), encrypted volumes (Open returns an error wrapping
// ErrEncrypted), Fusion containers and sealed volumes (Open returns an
// error: their tier 2 devices, headerless hashed tree nodes, integrity
// metadata and file extent trees are not read), checkpoint descriptor
// areas stored as B-trees (block 0 is used then), the space manager,
// reaper and other ephemeral objects, and transparent compression: compressed files (decmpfs) are
// detected and reported by Entry.Compressed, and reading them returns an
// error wrapping ErrCompressed.
//
// The reader is meant for untrusted input: sizes and offsets are checked
// before use, counts and recursion are bounded, a B-tree walk visits a
// bounded number of nodes, and every failure is an error (naming the block
// or offset involved) rather than a panic or an empty result. Names are
// matched as the volume compares them: NFD-normalized on both kinds of
// hashed volumes, case-folded (Unicode simple folding, an approximation of
// Apple's tables) on case-insensitive ones.
package apfs
