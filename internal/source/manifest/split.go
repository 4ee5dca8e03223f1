package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// chunk is the text of one YAML document of a stream.
type chunk struct {
	data []byte
	// line is the 1-based line of the chunk's first byte in the file.
	line int
	// tooLarge is set when the document exceeded the size limit; data is
	// then empty and the document must be refused.
	tooLarge bool
}

// splitDocuments reads a YAML stream and calls emit with each document's
// text. A document ends at a line that starts with "---" (which belongs to
// the next document) or that is "..." (which belongs to neither). Documents
// larger than maxBytes are not kept in memory: they are emitted with
// tooLarge set. Reading stops at the first error of r, or when emit returns
// false.
func splitDocuments(r io.Reader, maxBytes int, emit func(chunk) bool) error {
	s := splitter{maxBytes: maxBytes, emit: emit, lineStart: true, cur: chunk{line: 1}}
	br := bufio.NewReaderSize(r, 64*1024)
	for {
		frag, err := br.ReadSlice('\n')
		if len(frag) > 0 && !s.consume(frag) {
			return nil
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(s.cur.data) > 0 || s.cur.tooLarge {
				emit(s.cur)
			}
			return nil
		default:
			return err
		}
	}
}

type splitter struct {
	maxBytes  int
	emit      func(chunk) bool
	cur       chunk
	lineNo    int
	lineStart bool // the next fragment starts a new line
}

// consume takes the next fragment of input: a whole line, or a piece of a
// line longer than the read buffer. It returns false when emit asked to stop.
func (s *splitter) consume(frag []byte) bool {
	if s.lineStart {
		s.lineNo++
		if s.lineNo == 1 {
			frag = bytes.TrimPrefix(frag, []byte("\xef\xbb\xbf"))
		}
		switch {
		case isDocumentStart(frag):
			if len(s.cur.data) > 0 || s.cur.tooLarge {
				if !s.flush() {
					return false
				}
			}
			s.cur.line = s.lineNo
		case isDocumentEnd(frag):
			s.lineStart = frag[len(frag)-1] == '\n'
			ok := s.flush()
			s.cur.line = s.lineNo + 1
			return ok
		}
	}
	s.lineStart = len(frag) > 0 && frag[len(frag)-1] == '\n'
	if s.cur.tooLarge {
		return true
	}
	if len(s.cur.data)+len(frag) > s.maxBytes {
		s.cur.tooLarge = true
		s.cur.data = nil
		return true
	}
	s.cur.data = append(s.cur.data, frag...)
	return true
}

func (s *splitter) flush() bool {
	ok := s.emit(s.cur)
	s.cur = chunk{line: s.lineNo}
	return ok
}

// isDocumentStart reports whether a line is a "---" marker, alone or
// followed by white space and more content.
func isDocumentStart(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	rest := line[3:]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r'
}

// isDocumentEnd reports whether a line is a "..." marker.
func isDocumentEnd(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("...")) {
		return false
	}
	rest := bytes.TrimRight(line[3:], " \t\r\n")
	return len(rest) == 0 || rest[0] == '#'
}
