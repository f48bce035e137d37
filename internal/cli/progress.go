package cli

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/notarylint/notarylint/analyzer"
)

// progressThreshold is the work, in bytes of items, from which a progress
// bar is shown: below it a run takes about a second.
var progressThreshold int64 = 512 << 20

// newProgress returns a progress bar on stderr when stderr is a terminal
// (never on a CI log or a pipe) and it is not turned off, or nil. The bar
// itself appears only when the work turns out to be large.
func newProgress(stderr io.Writer, off bool) analyzer.Progress {
	f, ok := stderr.(*os.File)
	if off || !ok || !isatty.IsTerminal(f.Fd()) || os.Getenv("TERM") == "dumb" {
		return nil
	}
	return &progressBar{w: stderr}
}

// progressBar shows the bytes of items analysed against those found.
type progressBar struct {
	w           io.Writer
	mu          sync.Mutex
	bar         *progressbar.ProgressBar
	total, done int64
}

func (p *progressBar) Start(total int64) {
	if total < progressThreshold {
		return
	}
	p.total = total
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("checking"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
}

func (p *progressBar) Add(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil {
		return
	}
	p.done += n
	if p.done > p.total { // items found while analysing add to the work
		p.total = p.done
		p.bar.ChangeMax64(p.total)
	}
	p.bar.Add64(n)
}

func (p *progressBar) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
	}
}
