package codec

// adcStats counts the opcodes adcEncode emitted.
type adcStats struct{ literal, short, long int }

// adcEncode is a test-only ADC encoder: greedy matching through a hash of
// the next three bytes, emitting literal runs of up to 128 bytes, 2-byte
// matches (3-18 bytes, distance up to 1024) when they fit and 3-byte
// matches (4-67 bytes, distance up to 65536) otherwise.
func adcEncode(src []byte) ([]byte, adcStats) {
	var out []byte
	var st adcStats
	var head [1 << 14]int32 // position+1 of the last occurrence of a hash
	hash := func(i int) int {
		return int((uint32(src[i])<<16 | uint32(src[i+1])<<8 | uint32(src[i+2])) * 2654435761 >> 18)
	}
	lit := 0 // start of the pending literal run
	flush := func(end int) {
		for lit < end {
			n := min(end-lit, 128)
			out = append(out, byte(0x80|(n-1)))
			out = append(out, src[lit:lit+n]...)
			lit += n
			st.literal++
		}
	}
	i := 0
	for i+3 <= len(src) {
		h := hash(i)
		cand := int(head[h]) - 1
		head[h] = int32(i + 1)
		dist := i - cand
		if cand < 0 || dist > 65536 || src[cand] != src[i] || src[cand+1] != src[i+1] || src[cand+2] != src[i+2] {
			i++
			continue
		}
		n := 3
		for i+n < len(src) && n < 67 && src[cand+n] == src[i+n] {
			n++
		}
		if dist > 1024 && n < 4 {
			i++ // too far for a 2-byte op, too short for a 3-byte one
			continue
		}
		flush(i)
		if n <= 18 && dist <= 1024 {
			out = append(out, byte((n-3)<<2|(dist-1)>>8), byte(dist-1))
			st.short++
		} else {
			out = append(out, byte(0x40|(n-4)), byte((dist-1)>>8), byte(dist-1))
			st.long++
		}
		for j := i + 1; j < i+n && j+3 <= len(src); j++ {
			head[hash(j)] = int32(j + 1)
		}
		i += n
		lit = i
	}
	flush(len(src))
	return out, st
}
