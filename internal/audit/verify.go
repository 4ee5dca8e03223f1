package audit

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Verification is the outcome of verifying an archive.
type Verification struct {
	// Files and Events count what was read.
	Files, Events int
	// Last is the hash of the last record: record it elsewhere to detect
	// a later truncation of the archive's tail, which the chain alone
	// cannot reveal.
	Last string
	// Problems say where the chain breaks, as "file:line: what".
	Problems []string
}

// Verify reads every file of the archive in dir and checks the chain: that
// each record's hash matches its event, that it names the previous
// record's hash, and that sequence numbers and file numbers follow on. A
// directory without archive files is an error, not an intact archive.
func Verify(dir string) (*Verification, error) {
	files, err := archiveFiles(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errNoArchive(dir)
	}
	v := &Verification{Last: genesis}
	var seq uint64
	for i, index := range files {
		if i > 0 && index != files[i-1]+1 {
			v.Problems = append(v.Problems, fmt.Sprintf("%s: file follows %s: a file is missing", ArchiveFileName(index), ArchiveFileName(files[i-1])))
		} else if i == 0 && index != 1 {
			v.Problems = append(v.Problems, fmt.Sprintf("%s: the first file is not %s: a file is missing", ArchiveFileName(index), ArchiveFileName(1)))
		}
		if err := v.file(filepath.Join(dir, ArchiveFileName(index)), &seq); err != nil {
			return nil, err
		}
		v.Files++
	}
	return v, nil
}

// file verifies one archive file, continuing the chain from v.Last and seq.
func (v *Verification) file(path string, seq *uint64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	name := filepath.Base(path)
	if info, err := f.Stat(); err != nil || info.Size() == 0 {
		return err
	}
	zr, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		v.Problems = append(v.Problems, fmt.Sprintf("%s: not gzip: %v", name, err))
		return nil
	}
	lr := newLineReader(zr)
	for {
		line, err := lr.next()
		if err == io.EOF {
			if rest := lr.partial(); rest != nil {
				v.Problems = append(v.Problems, fmt.Sprintf("%s:%d: unterminated last line", name, lr.line))
			}
			return nil
		}
		if err != nil {
			v.Problems = append(v.Problems, fmt.Sprintf("%s:%d: %v", name, lr.line+1, err))
			return nil
		}
		v.record(name, lr.line, line, seq)
	}
}

func (v *Verification) record(name string, n int, line []byte, seq *uint64) {
	var rec archiveRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		v.Problems = append(v.Problems, fmt.Sprintf("%s:%d: not a record: %v", name, n, err))
		return
	}
	v.Events++
	var problems []string
	if rec.Seq != *seq+1 {
		problems = append(problems, fmt.Sprintf("sequence %d follows %d: events are missing or out of order", rec.Seq, *seq))
	}
	if rec.Prev != v.Last {
		problems = append(problems, "does not chain to the previous record: an event or file before it was removed, changed or moved")
	}
	if chainHash(rec.Prev, rec.Seq, rec.Event) != rec.Hash {
		problems = append(problems, "hash does not match the event: the record was modified")
	}
	for _, p := range problems {
		v.Problems = append(v.Problems, fmt.Sprintf("%s:%d: %s", name, n, p))
	}
	*seq, v.Last = rec.Seq, rec.Hash
}
