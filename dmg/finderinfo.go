package dmg

// FinderInfoXattr returns 32 bytes of Finder info as macOS's getxattr of
// com.apple.FinderInfo shows them: with the fields the kernel keeps to
// itself zeroed (the extended info's document ID, date added and write
// generation counter, bytes 16–23 and 28–31; for a symbolic link also its
// type and creator, bytes 0–7), and nil when nothing else is set (XNU's
// hfs_zero_hidden_fields). Finder sets those fields on every file it
// copies, so they are not detritus.
func FinderInfoXattr(fi []byte, symlink bool) []byte {
	if len(fi) != 32 {
		return fi
	}
	out := append([]byte(nil), fi...)
	clear(out[16:24])
	clear(out[28:32])
	if symlink {
		clear(out[0:8])
	}
	for _, b := range out {
		if b != 0 {
			return out
		}
	}
	return nil
}
