package reconcile

import (
	"fmt"
	"io"
	"time"
)

// Progress is how far a run has got.
type Progress struct {
	Listed         int // users listed so far, of every kind
	EstimatedUsers int // Cognito's estimate of the pool's size
	Federated      int
	Merges         int
	Refusals       int
	Elapsed        time.Duration
}

// Rate is users listed per second.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Listed) / p.Elapsed.Seconds()
}

// ETA estimates the time left from the rate so far; false when unknown.
func (p Progress) ETA() (time.Duration, bool) {
	rate := p.Rate()
	if rate <= 0 || p.EstimatedUsers <= 0 {
		return 0, false
	}
	left := max(p.EstimatedUsers-p.Listed, 0)
	return time.Duration(float64(left) / rate * float64(time.Second)).Round(time.Second), true
}

// ProgressLine renders p on one line.
func ProgressLine(p Progress) string {
	eta := "ETA unknown"
	if d, ok := p.ETA(); ok {
		eta = "ETA " + d.String()
	}
	total := "?"
	if p.EstimatedUsers > 0 {
		total = fmt.Sprint(p.EstimatedUsers)
	}
	return fmt.Sprintf("users %d/%s  federated %d  merges %d  refusals %d  %.0f users/s  %s",
		p.Listed, total, p.Federated, p.Merges, p.Refusals, p.Rate(), eta)
}

// TerminalProgress redraws one progress line on w (a terminal) at most every
// interval, and clears it when done.
type TerminalProgress struct {
	w        io.Writer
	clock    Clock
	interval time.Duration
	last     time.Time
	drawn    bool
}

// NewTerminalProgress writes progress to w, which should be a terminal.
func NewTerminalProgress(w io.Writer, clock Clock, interval time.Duration) *TerminalProgress {
	return &TerminalProgress{w: w, clock: clock, interval: interval}
}

// Update redraws the line if interval has passed since the last draw.
func (t *TerminalProgress) Update(p Progress) {
	now := t.clock.Now()
	if t.drawn && now.Sub(t.last) < t.interval {
		return
	}
	t.last, t.drawn = now, true
	fmt.Fprintf(t.w, "\r\x1b[K%s", ProgressLine(p))
}

// Done clears the line.
func (t *TerminalProgress) Done() {
	if t.drawn {
		fmt.Fprint(t.w, "\r\x1b[K")
		t.drawn = false
	}
}

// Above returns a writer for output that shares the terminal with the
// progress line: each write clears the line first, and the next Update
// draws it again below the output.
func (t *TerminalProgress) Above(w io.Writer) io.Writer {
	return aboveProgress{w: w, progress: t}
}

type aboveProgress struct {
	w        io.Writer
	progress *TerminalProgress
}

func (a aboveProgress) Write(p []byte) (int, error) {
	a.progress.Done()
	return a.w.Write(p)
}
