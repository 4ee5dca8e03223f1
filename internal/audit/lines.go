package audit

import (
	"bytes"
	"io"
)

// maxLine is the longest line kept; longer lines are skipped and reported
// as malformed, so that one runaway line cannot exhaust memory.
const maxLine = 16 << 20

// lineReader splits a stream into lines. Unlike bufio.Scanner it keeps a
// partial last line at end of file, so that a follower can wait for the
// rest of it, and it survives lines that are too long.
type lineReader struct {
	r     io.Reader
	buf   []byte
	start int
	err   error
	// line is the number of the last line returned (1-based).
	line int
	// skipping is set while the rest of an overlong line is discarded.
	skipping bool
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r, buf: make([]byte, 0, 256<<10)}
}

// errTooLong is returned, once per line, for a line longer than maxLine.
var errTooLong = &lineError{"line longer than 16 MiB"}

type lineError struct{ msg string }

func (e *lineError) Error() string { return e.msg }

// next returns the next complete line, without its newline. The slice is
// valid until the next call. At the end of the input it returns the read
// error (io.EOF) and keeps any partial line for a later call.
func (l *lineReader) next() ([]byte, error) {
	for {
		if i := bytes.IndexByte(l.buf[l.start:], '\n'); i >= 0 {
			line := l.buf[l.start : l.start+i]
			l.start += i + 1
			l.line++
			if l.skipping {
				l.skipping = false
				continue
			}
			return line, nil
		}
		if l.err != nil {
			return nil, l.err
		}
		if len(l.buf)-l.start > maxLine {
			l.buf, l.start = l.buf[:0], 0
			if !l.skipping {
				l.skipping = true
				return nil, errTooLong
			}
		}
		l.fill()
	}
}

// fill reads more input, compacting or growing the buffer first.
func (l *lineReader) fill() {
	if l.start > 0 {
		n := copy(l.buf, l.buf[l.start:])
		l.buf, l.start = l.buf[:n], 0
	}
	if len(l.buf) == cap(l.buf) {
		grown := make([]byte, len(l.buf), 2*cap(l.buf))
		copy(grown, l.buf)
		l.buf = grown
	}
	n, err := l.r.Read(l.buf[len(l.buf):cap(l.buf)])
	l.buf = l.buf[:len(l.buf)+n]
	if err != nil {
		l.err = err
	}
}

// resume clears the end-of-file condition, to read what was appended since.
func (l *lineReader) resume() { l.err = nil }

// partial returns the unterminated last line and counts it as a line.
func (l *lineReader) partial() []byte {
	rest := l.buf[l.start:]
	l.start = len(l.buf)
	if len(bytes.TrimSpace(rest)) == 0 || l.skipping {
		return nil
	}
	l.line++
	return rest
}
