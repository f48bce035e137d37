package pkg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/notarylint/notarylint/internal/lzma"
)

// pbzx is Apple's chunked xz payload: "pbzx" and a u64 word (the chunk
// size, 16 MiB, with bit 24 set), then per chunk a u64 word (its
// uncompressed size; bit 24 set while more chunks follow), a u64 stored
// size, and that many bytes: an xz stream, or the raw data.
//
// Chunks are independent, so pbzxReader decodes several at once: one
// goroutine reads them in order and starts a decoder per chunk, at most
// workers ahead of the reader, and Read returns their output in order.
type pbzxReader struct {
	queue chan chan pbzxChunk
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	bufs  chan []byte // buffers to reuse, stored or decoded chunks
	cur   []byte      // unread bytes of the current chunk
	held  []byte      // the current chunk's buffer, reused when read
	err   error
}

type pbzxChunk struct {
	data []byte
	err  error
}

// maxPBZXChunk bounds a chunk's stored and decoded size.
const maxPBZXChunk = 64 << 20

// pbzxMore is the bit of a size word that says more chunks follow.
const pbzxMore = 1 << 24

func newPBZX(r io.Reader, workers int) *pbzxReader {
	workers = max(workers, 1)
	p := &pbzxReader{queue: make(chan chan pbzxChunk, workers), stop: make(chan struct{}), done: make(chan struct{}),
		bufs: make(chan []byte, 2*workers+2)}
	go p.produce(r)
	return p
}

// buffer returns a buffer of length n, reusing one whose capacity allows:
// chunks are all about the same size, so after the first few the payload
// is decoded without allocating and the heap stays at the chunks in
// flight.
func (p *pbzxReader) buffer(n int) []byte {
	for {
		select {
		case b := <-p.bufs:
			if cap(b) >= n {
				return b[:n]
			}
			// too small (a short last chunk): dropped
		default:
			return make([]byte, n)
		}
	}
}

// recycle offers b for reuse; it is dropped when enough are kept.
func (p *pbzxReader) recycle(b []byte) {
	if cap(b) == 0 {
		return
	}
	select {
	case p.bufs <- b:
	default:
	}
}

// produce reads the chunks and queues their decoding, until the last
// chunk, an error, or Close.
func (p *pbzxReader) produce(r io.Reader) {
	defer close(p.done)
	defer close(p.queue)
	send := func(c chan pbzxChunk) bool {
		select {
		case p.queue <- c:
			return true
		case <-p.stop:
			return false
		}
	}
	fail := func(err error) {
		c := make(chan pbzxChunk, 1)
		c <- pbzxChunk{err: err}
		send(c)
	}
	be := binary.BigEndian
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		fail(fmt.Errorf("pbzx header: %w", err))
		return
	}
	if string(hdr[:4]) != "pbzx" {
		fail(errors.New("pbzx header: bad magic"))
		return
	}
	off := int64(12)
	for more := be.Uint64(hdr[4:])&pbzxMore != 0; more; {
		var ch [16]byte
		if _, err := io.ReadFull(r, ch[:]); err == io.EOF {
			return // a last chunk of exactly 16 MiB still has the bit
		} else if err != nil {
			fail(fmt.Errorf("pbzx chunk header at %#x: %w", off, err))
			return
		}
		size, stored := be.Uint64(ch[:]), be.Uint64(ch[8:])
		more = size&pbzxMore != 0
		if stored > maxPBZXChunk || size > maxPBZXChunk {
			fail(fmt.Errorf("pbzx chunk at %#x: %d bytes stored, %d decoded: more than %d", off, stored, size, maxPBZXChunk))
			return
		}
		buf := p.buffer(int(stored))
		if _, err := io.ReadFull(r, buf); err != nil {
			fail(fmt.Errorf("pbzx chunk at %#x: %w", off, err))
			return
		}
		c := make(chan pbzxChunk, 1)
		if !send(c) {
			return
		}
		go func(at int64) {
			data, err := p.decodeChunk(buf, int(size))
			if err != nil {
				err = fmt.Errorf("pbzx chunk at %#x: %w", at, err)
			}
			c <- pbzxChunk{data, err}
		}(off)
		off += 16 + int64(stored)
	}
}

var xzMagic = []byte{0xfd, '7', 'z', 'X', 'Z', 0}

// decodeChunk returns a chunk's data: the xz stream decoded, or the bytes
// themselves when they are not xz. The output buffer is sized once from
// the chunk header's size (whose 0x1000000 bit also flags more chunks: a
// full chunk's size is that bit alone), so it need not grow; the stored
// bytes' buffer is recycled once decoded. Streams whose filter is not
// LZMA2 alone (which Apple's encoder never writes, and which
// github.com/ulikunitz/xz does not decode either) are an error.
func (p *pbzxReader) decodeChunk(buf []byte, size int) ([]byte, error) {
	if !bytes.HasPrefix(buf, xzMagic) {
		return buf, nil
	}
	defer p.recycle(buf)
	want := size &^ pbzxMore
	if want == 0 {
		want = pbzxMore
	}
	return lzma.Decode(p.buffer(min(want, maxPBZXChunk))[:0], buf, maxPBZXChunk)
}

// Read returns the decoded chunks' bytes in order.
func (p *pbzxReader) Read(b []byte) (int, error) {
	for len(p.cur) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		c, ok := <-p.queue
		if !ok {
			p.err = io.EOF
			return 0, io.EOF
		}
		res := <-c
		p.recycle(p.held)
		p.held, p.cur, p.err = res.data, res.data, res.err
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// Close stops reading chunks and waits until the source is no longer read.
func (p *pbzxReader) Close() error {
	p.once.Do(func() { close(p.stop) })
	<-p.done
	return nil
}
