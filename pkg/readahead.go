package pkg

import (
	"io"
	"sync"
)

// readAhead reads its source in a goroutine, a few buffers ahead of Read,
// so that decompressing a payload overlaps parsing and hashing it.
type readAhead struct {
	full chan readAheadBuf
	free chan []byte
	made int // buffers allocated so far, at most readAheadBufs
	stop chan struct{}
	done chan struct{}
	once sync.Once
	cur  readAheadBuf
	off  int
}

type readAheadBuf struct {
	b   []byte
	err error
}

// Read-ahead geometry: how many buffers of what size.
const (
	readAheadBufs = 4
	readAheadSize = 256 << 10
)

func newReadAhead(r io.Reader) *readAhead {
	ra := &readAhead{full: make(chan readAheadBuf, readAheadBufs), free: make(chan []byte, readAheadBufs),
		stop: make(chan struct{}), done: make(chan struct{})}
	go ra.fill(r)
	return ra
}

func (ra *readAhead) fill(r io.Reader) {
	defer close(ra.done)
	for {
		buf, ok := ra.nextFree()
		if !ok {
			return
		}
		n, err := io.ReadFull(r, buf)
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case ra.full <- readAheadBuf{buf[:n], err}:
		case <-ra.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// nextFree returns a buffer to fill: a recycled one, or a new one while
// fewer than readAheadBufs exist, so a short payload allocates one buffer
// and not all of them. It reports false when the reader is closed.
func (ra *readAhead) nextFree() ([]byte, bool) {
	select {
	case buf := <-ra.free:
		return buf, true
	default:
	}
	if ra.made < readAheadBufs {
		ra.made++
		return make([]byte, readAheadSize), true
	}
	select {
	case buf := <-ra.free:
		return buf, true
	case <-ra.stop:
		return nil, false
	}
}

// Read returns the source's bytes in order, then its error.
func (ra *readAhead) Read(p []byte) (int, error) {
	for ra.off == len(ra.cur.b) {
		if ra.cur.err != nil {
			return 0, ra.cur.err
		}
		if ra.cur.b != nil {
			ra.free <- ra.cur.b[:cap(ra.cur.b)]
		}
		ra.cur, ra.off = <-ra.full, 0
	}
	n := copy(p, ra.cur.b[ra.off:])
	ra.off += n
	return n, nil
}

// Close stops the goroutine and waits until it no longer reads the source.
func (ra *readAhead) Close() error {
	ra.once.Do(func() { close(ra.stop) })
	<-ra.done
	return nil
}
