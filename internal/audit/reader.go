package audit

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	sigsjson "sigs.k8s.io/json"
)

// Malformed is an input line that is not an audit event.
type Malformed struct {
	// Source names the input (a file path, or "-" for standard input).
	Source string `json:"source"`
	// Line is the 1-based line number.
	Line int `json:"line"`
	// Err says what is wrong with it.
	Err string `json:"error"`
}

func (m Malformed) String() string { return fmt.Sprintf("%s:%d: %s", m.Source, m.Line, m.Err) }

// Handler receives what a reader finds. Event gets each event, valid only
// during the call; Malformed gets each line that is not one.
type Handler struct {
	Event     func(*auditv1.Event)
	Malformed func(Malformed)
}

// Read reads an audit log from r to its end: JSON lines of Events or
// EventLists, plain or gzip-compressed, or one multi-line JSON document
// (such as an indented EventList). Malformed lines are passed to h and do
// not stop the reading; the error is that of the underlying reader.
func Read(r io.Reader, source string, h Handler) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return err
		}
		defer zr.Close()
		return readLines(newLineReader(zr), source, h)
	}
	return readLines(newLineReader(br), source, h)
}

func readLines(lr *lineReader, source string, h Handler) error {
	s := &lineStream{source: source, h: h}
	if err := s.consume(lr, true); err != nil {
		return err
	}
	if rest := lr.partial(); rest != nil {
		s.line(lr.line, rest)
	}
	return nil
}

// consume decodes every complete line lr has until the end of its input,
// which is not an error. With documents, a first line that opens a
// multi-line JSON document makes the whole input one stream of documents.
func (s *lineStream) consume(lr *lineReader, documents bool) error {
	for {
		line, err := lr.next()
		switch {
		case err == nil:
			if documents && !s.seen && isDocumentStart(line) {
				return s.readDocuments(line, lr)
			}
			s.line(lr.line, line)
		case errors.Is(err, errTooLong):
			s.bad(lr.line+1, err.Error())
		case errors.Is(err, io.EOF):
			return nil
		default:
			return err
		}
	}
}

// lineStream decodes lines and reports malformed ones.
type lineStream struct {
	source string
	h      Handler
	dec    decoder
	// seen is set once a non-blank line has been read.
	seen bool
}

func (s *lineStream) line(n int, line []byte) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return
	}
	s.seen = true
	if err := s.dec.decode(line, s.h.Event); err != nil {
		s.bad(n, describe(err))
	}
}

func (s *lineStream) bad(n int, msg string) {
	if s.h.Malformed != nil {
		s.h.Malformed(Malformed{Source: s.source, Line: n, Err: msg})
	}
}

// isDocumentStart reports whether the first line of an input opens a
// multi-line JSON document (as indented JSON does: "{" alone, or a line
// that stops after an opening bracket or a comma) rather than holding a
// whole one. A malformed JSON line does not qualify, so that it is
// reported as one bad line rather than ending the input.
func isDocumentStart(line []byte) bool {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		return false
	}
	last := line[len(line)-1]
	return len(line) == 1 || (last == '{' || last == '[' || last == ',') && !json.Valid(line)
}

// readDocuments reads the input as a stream of JSON documents, starting
// with first. A syntax error ends the stream: it cannot be resynchronised.
func (s *lineStream) readDocuments(first []byte, lr *lineReader) error {
	rest := &lineReaderTail{lr: lr}
	dec := sigsjson.NewDecoderCaseSensitivePreserveInts(io.MultiReader(bytes.NewReader(append(append([]byte(nil), first...), '\n')), rest))
	for {
		s.dec.rec = record{}
		err := dec.Decode(&s.dec.rec)
		switch {
		case errors.Is(err, io.EOF):
			return rest.err
		case err != nil:
			s.bad(1, describe(err))
			return rest.err
		}
		if err := s.dec.deliver(s.h.Event); err != nil {
			s.bad(1, err.Error())
		}
	}
}

// lineReaderTail reads the bytes a lineReader has not returned yet.
type lineReaderTail struct {
	lr  *lineReader
	err error
}

func (t *lineReaderTail) Read(p []byte) (int, error) {
	lr := t.lr
	if lr.start == len(lr.buf) {
		if lr.err != nil {
			if !errors.Is(lr.err, io.EOF) {
				t.err = lr.err
			}
			return 0, io.EOF
		}
		lr.fill()
	}
	n := copy(p, lr.buf[lr.start:])
	lr.start += n
	return n, nil
}

// describe shortens JSON errors for a one-line report.
func describe(err error) string {
	if syntax, offset := sigsjson.SyntaxErrorOffset(err); syntax {
		return fmt.Sprintf("not JSON: %v (offset %d)", err, offset)
	}
	return err.Error()
}
