package dmg

import (
	"bytes"
	"compress/bzip2"
	"compress/zlib"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"sync"

	"github.com/notarylint/notarylint/dmg/codec"
)

// cacheBytes bounds the decoded chunks kept per partition (the newest is
// always kept): 32 chunks as hdiutil writes them.
const cacheBytes = 32 << 20

// decoder is the reusable state of decoding chunks: the compressed bytes'
// buffer and a zlib reader to reset.
type decoder struct {
	src  []byte
	zlib io.ReadCloser
}

var decoders = sync.Pool{New: func() any { return new(decoder) }}

// chunk returns chunk i decoded, from the cache when it is there.
func (p *Partition) chunk(i int) ([]byte, error) {
	p.mu.Lock()
	if b, ok := p.cache[i]; ok {
		p.mu.Unlock()
		return b, nil
	}
	p.mu.Unlock()
	d := decoders.Get().(*decoder)
	b, err := p.decode(i, nil, d)
	decoders.Put(d)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.cache[i]; ok {
		return b, nil // another reader decoded it meanwhile
	}
	p.cache[i] = b
	p.order = append(p.order, i)
	p.cached += len(b)
	for p.cached > cacheBytes && len(p.order) > 1 {
		p.cached -= len(p.cache[p.order[0]])
		delete(p.cache, p.order[0])
		p.order = p.order[1:]
	}
	return b, nil
}

// decode returns chunk i's bytes, decoded into dst when it is large
// enough, and records the chunk's CRC32.
func (p *Partition) decode(i int, dst []byte, d *decoder) ([]byte, error) {
	b, err := p.decodeChunk(p.Chunks[i], dst, d)
	if err != nil {
		return nil, fmt.Errorf("dmg %s chunk %d: %w", p.Name, i, err)
	}
	sum := crc32.ChecksumIEEE(b)
	p.mu.Lock()
	p.crcs[i], p.seen[i] = sum, true
	p.mu.Unlock()
	return b, nil
}

// decodeChunk decodes a compressed chunk into dst (grown when too small),
// reading its stored bytes into the decoder's reused buffer.
func (p *Partition) decodeChunk(c Chunk, dst []byte, d *decoder) ([]byte, error) {
	if isZeroChunk(c.Type) || c.Type == ChunkRaw {
		return nil, fmt.Errorf("zero and raw chunks are not decoded")
	}
	size := int(c.Sectors) * SectorSize
	if cap(dst) < size {
		dst = make([]byte, size)
	}
	out := dst[:size]
	if c.Length > maxChunkSize {
		return nil, fmt.Errorf("%d stored bytes", c.Length)
	}
	if cap(d.src) < int(c.Length) {
		d.src = make([]byte, c.Length)
	}
	src := d.src[:c.Length]
	at := p.storedAt(c)
	if _, err := p.img.r.ReadAt(src, at); err != nil {
		return nil, fmt.Errorf("read %d stored bytes at %#x: %w", c.Length, at, err)
	}
	var rd io.Reader
	switch c.Type {
	case ChunkZlib:
		if d.zlib == nil {
			zr, err := zlib.NewReader(bytes.NewReader(src))
			if err != nil {
				return nil, fmt.Errorf("zlib: %w", err)
			}
			d.zlib = zr
		} else if err := d.zlib.(zlib.Resetter).Reset(bytes.NewReader(src), nil); err != nil {
			return nil, fmt.Errorf("zlib: %w", err)
		}
		rd = d.zlib
	case ChunkBzip2:
		rd = bzip2.NewReader(bytes.NewReader(src))
	case ChunkADC, ChunkLZFSE, ChunkLZMA:
		var n int
		var err error
		switch c.Type {
		case ChunkADC:
			n, err = codec.ADC(out, src)
		case ChunkLZFSE:
			n, err = codec.LZFSE(out, src)
		default:
			n, err = codec.LZMA(out, bytes.NewReader(src))
		}
		if err == nil && n != size {
			err = fmt.Errorf("%s chunk decodes to %d bytes, not the %d of its %d sectors", CodecName(c.Type), n, size, c.Sectors)
		}
		return out, err
	default:
		return nil, fmt.Errorf("%w: type %#x", ErrCodec, c.Type)
	}
	if _, err := io.ReadFull(rd, out); err != nil {
		return nil, fmt.Errorf("type %#x: %w", c.Type, err)
	}
	return out, nil
}

// VerifyChecksum compares the partition's CRC32 (over every chunk but the
// ignore ones) with the block table's; it returns nil when they match or
// there is no CRC32. Chunks nobody has decoded yet are decoded now, by up
// to workers goroutines (0 means one per CPU), each reusing one buffer.
func (p *Partition) VerifyChecksum(workers int) error {
	want, ok := p.Checksum.CRC32()
	if !ok {
		return nil
	}
	p.mu.Lock()
	var todo []int
	for i, c := range p.Chunks {
		switch {
		case c.Type == ChunkZero:
			p.crcs[i], p.seen[i] = zerosCRC(int64(c.Sectors)*SectorSize), true
		case c.Type != ChunkIgnore && !p.seen[i]:
			todo = append(todo, i) // raw chunks too: their CRC32 is streamed
		}
	}
	p.mu.Unlock()
	if err := p.decodeAll(todo, workers); err != nil {
		return err
	}
	p.mu.Lock()
	crcs := append([]uint32(nil), p.crcs...) // readers may still record theirs
	p.mu.Unlock()
	var sum uint32
	for i, c := range p.Chunks {
		if c.Type == ChunkIgnore {
			continue // not covered, as 7-Zip checks it
		}
		sum = crc32Combine(sum, crcs[i], int64(c.Sectors)*SectorSize)
	}
	if sum != want {
		return fmt.Errorf("dmg %s: CRC32 %08x, the block table says %08x", p.Name, sum, want)
	}
	return nil
}

// decodeAll decodes the chunks todo in parallel, for their CRC32s, and
// returns the error of the first chunk that fails.
func (p *Partition) decodeAll(todo []int, workers int) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	next := make(chan int)
	errs := make([]error, len(todo))
	var wg sync.WaitGroup
	for range min(workers, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := decoders.Get().(*decoder)
			defer decoders.Put(d)
			var buf []byte
			for k := range next {
				if p.Chunks[todo[k]].Type == ChunkRaw {
					errs[k] = p.rawCRC(todo[k], d)
					continue
				}
				b, err := p.decode(todo[k], buf, d)
				errs[k] = err
				if err == nil {
					buf = b
				}
			}
		}()
	}
	for k := range todo {
		next <- k
	}
	close(next)
	wg.Wait()
	return firstErr(errs)
}

func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// rawCRC streams the CRC32 of raw chunk i from the file, reusing the
// decoder's buffer, and records it.
func (p *Partition) rawCRC(i int, d *decoder) error {
	c := p.Chunks[i]
	if cap(d.src) < 1<<20 {
		d.src = make([]byte, 1<<20)
	}
	buf := d.src[:1<<20]
	h := crc32.NewIEEE()
	at, left := p.storedAt(c), int64(c.Sectors)*SectorSize
	for left > 0 {
		n := int(min(int64(len(buf)), left))
		if _, err := p.img.r.ReadAt(buf[:n], at); err != nil {
			return fmt.Errorf("dmg %s chunk %d: read at %#x: %w", p.Name, i, at, err)
		}
		h.Write(buf[:n])
		at, left = at+int64(n), left-int64(n)
	}
	p.mu.Lock()
	p.crcs[i], p.seen[i] = h.Sum32(), true
	p.mu.Unlock()
	return nil
}
