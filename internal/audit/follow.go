package audit

import (
	"context"
	"errors"
	"io"
	"os"
	"time"
)

// Follow reads the plain audit log at path like Read, then waits for what
// is appended to it until ctx is done, checking every poll. When the file
// is rotated (renamed away and a new one created at path) it reads the
// rest of the old file, then the new one from its start; when the file is
// truncated in place it reads it again from the start. No line is lost or
// read twice across a rename. A partial last line waits for its newline,
// except in a file rotated away, where it is final.
func Follow(ctx context.Context, path string, poll time.Duration, h Handler) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	fl := &follower{path: path, file: f, lr: newLineReader(f), s: &lineStream{source: path, h: h}}
	defer func() { fl.file.Close() }()
	for {
		if err := fl.drain(); err != nil {
			return err
		}
		switch changed, err := fl.rotation(); {
		case err != nil:
			return err
		case changed:
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
	}
}

type follower struct {
	path string
	file *os.File
	lr   *lineReader
	s    *lineStream
}

// drain reads every complete line available.
func (fl *follower) drain() error {
	fl.lr.resume()
	return fl.s.consume(fl.lr, false)
}

// rotation looks at path: when it names another file than the one open,
// it finishes the open file and switches to the new one; when the open
// file shrank, it starts again at its beginning. It reports whether it did
// either. A path that does not exist yet (between the rename and the
// create) changes nothing.
func (fl *follower) rotation() (bool, error) {
	current, err := os.Stat(fl.path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	open, err := fl.file.Stat()
	if err != nil {
		return false, err
	}
	if !os.SameFile(current, open) {
		// Lines written to the old file before the rename come first.
		if err := fl.drain(); err != nil {
			return false, err
		}
		if rest := fl.lr.partial(); rest != nil {
			fl.s.line(fl.lr.line, rest)
		}
		next, err := os.Open(fl.path)
		if err != nil {
			return false, err
		}
		fl.file.Close()
		fl.file, fl.lr = next, newLineReader(next)
		fl.s.seen = false
		return true, nil
	}
	offset, err := fl.file.Seek(0, io.SeekCurrent)
	if err != nil {
		return false, err
	}
	if open.Size() < offset {
		if _, err := fl.file.Seek(0, io.SeekStart); err != nil {
			return false, err
		}
		fl.lr = newLineReader(fl.file)
		return true, nil
	}
	return false, nil
}
