package audit

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"
)

// The archive keeps every event it is given in append-only gzip files,
// audit-00000001.jsonl.gz and on, each at most about MaxBytes. Every batch
// is one gzip member, written and fsynced before Append returns. Each line
// is a record that chains the event to the one before it, across files:
//
//	{"seq":N,"prev":"<hash of record N-1>","hash":"<hash>","event":{...}}
//
// where hash is the hex SHA-256 of prev, "\n", seq, "\n" and the event's
// JSON as stored. Changing, removing or reordering an event or a file
// breaks the chain; Verify finds where.

// genesis is the prev hash of the first record.
var genesis = hex.EncodeToString(make([]byte, sha256.Size))

// record is one line of an archive file.
type archiveRecord struct {
	Seq   uint64          `json:"seq"`
	Prev  string          `json:"prev"`
	Hash  string          `json:"hash"`
	Event json.RawMessage `json:"event"`
}

func chainHash(prev string, seq uint64, event []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte("\n" + strconv.FormatUint(seq, 10) + "\n"))
	h.Write(event)
	return hex.EncodeToString(h.Sum(nil))
}

// Archive appends events to a directory of chained gzip files. It is not
// safe for concurrent use.
type Archive struct {
	dir      string
	maxBytes int64
	file     *os.File
	index    int   // number of the open file
	size     int64 // bytes in the open file
	seq      uint64
	last     string
	buf      bytes.Buffer
	gz       *gzip.Writer
	// err, once set, fails every later Append: what is on disk after a
	// failed write is recovered by opening the archive again.
	err error
	// OnSync, when set, is told how long each fsync took.
	OnSync func(time.Duration)
}

// ArchiveFileName returns the name of the archive file with the number.
func ArchiveFileName(index int) string { return fmt.Sprintf("audit-%08d.jsonl.gz", index) }

// archiveFiles lists the archive files of dir in order, with their numbers.
func archiveFiles(dir string) ([]int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range entries {
		var n int
		if _, err := fmt.Sscanf(e.Name(), "audit-%08d.jsonl.gz", &n); err == nil && ArchiveFileName(n) == e.Name() {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}

// ArchivePaths returns the paths of the archive files in dir, in order. A
// directory without any is an error: it is not an archive.
func ArchivePaths(dir string) ([]string, error) {
	files, err := archiveFiles(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errNoArchive(dir)
	}
	paths := make([]string, len(files))
	for i, n := range files {
		paths[i] = filepath.Join(dir, ArchiveFileName(n))
	}
	return paths, nil
}

// errNoArchive is the error about a directory without archive files.
func errNoArchive(dir string) error {
	return fmt.Errorf("%s holds no audit archive (no audit-NNNNNNNN.jsonl.gz file)", dir)
}

// OpenArchive opens (creating it if need be) the archive in dir. It
// continues the chain of the last file, first cutting off a batch that a
// crash left half-written (such a batch was never acknowledged).
func OpenArchive(dir string, maxBytes int64) (*Archive, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// The fastest level compresses audit JSON about 8 to 1 already.
	gz, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	a := &Archive{dir: dir, maxBytes: maxBytes, last: genesis, gz: gz}
	files, err := archiveFiles(dir)
	if err != nil {
		return nil, err
	}
	for i := len(files) - 1; i >= 0; i-- {
		// Find the chain's end in the last file with a record.
		end, good, err := scanTail(filepath.Join(dir, ArchiveFileName(files[i])))
		if err != nil {
			return nil, err
		}
		if i == len(files)-1 {
			if err := os.Truncate(filepath.Join(dir, ArchiveFileName(files[i])), good); err != nil {
				return nil, err
			}
		}
		if end != nil {
			a.seq, a.last = end.Seq, end.Hash
			break
		}
	}
	next := 1
	if len(files) > 0 {
		next = files[len(files)-1]
	}
	return a, a.openFile(next)
}

// scanTail reads an archive file member by member and returns its last
// record and the size of its complete members.
func scanTail(path string) (last *archiveRecord, good int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	cr := &countingReader{r: bufio.NewReader(f)}
	var zr *gzip.Reader
	for {
		if _, err := cr.r.Peek(1); err != nil {
			return last, good, nil
		}
		if zr == nil {
			zr, err = gzip.NewReader(cr)
		} else {
			err = zr.Reset(cr)
		}
		if err != nil {
			return last, good, nil
		}
		zr.Multistream(false)
		data, err := io.ReadAll(zr)
		if err != nil {
			return last, good, nil
		}
		var rec *archiveRecord
		for line := range bytes.Lines(data) {
			rec = &archiveRecord{}
			if err := json.Unmarshal(line, rec); err != nil {
				return last, good, nil
			}
		}
		if rec != nil {
			last = rec
		}
		good = cr.n
	}
}

// countingReader counts the bytes read through it. It is an io.ByteReader,
// so gzip reads no further than each member's end.
type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

func (a *Archive) openFile(index int) error {
	path := filepath.Join(a.dir, ArchiveFileName(index))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if a.file != nil {
		a.file.Close()
	}
	a.file, a.index, a.size = f, index, info.Size()
	// Make the new file's name durable too.
	return syncDir(a.dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Append archives the events (each a compact JSON object) as one batch and
// returns once they are on disk. It returns the number of bytes written.
func (a *Archive) Append(events [][]byte) (n int, err error) {
	if a.err != nil || len(events) == 0 {
		return 0, a.err
	}
	defer func() { a.err = err }()
	if a.size >= a.maxBytes {
		if err := a.openFile(a.index + 1); err != nil {
			return 0, err
		}
	}
	a.buf.Reset()
	a.gz.Reset(&a.buf)
	seq, last := a.seq, a.last
	line := make([]byte, 0, 1024)
	for _, ev := range events {
		seq++
		hash := chainHash(last, seq, ev)
		line = append(line[:0], `{"seq":`...)
		line = strconv.AppendUint(line, seq, 10)
		line = append(line, `,"prev":"`...)
		line = append(line, last...)
		line = append(line, `","hash":"`...)
		line = append(line, hash...)
		line = append(line, `","event":`...)
		line = append(line, ev...)
		line = append(line, "}\n"...)
		a.gz.Write(line)
		last = hash
	}
	if err := a.gz.Close(); err != nil {
		return 0, err
	}
	n, err = a.file.Write(a.buf.Bytes())
	a.size += int64(n)
	if err != nil {
		return n, err
	}
	start := time.Now()
	if err := a.file.Sync(); err != nil {
		return n, err
	}
	if a.OnSync != nil {
		a.OnSync(time.Since(start))
	}
	a.seq, a.last = seq, last
	return n, nil
}

// Close closes the open file.
func (a *Archive) Close() error {
	if a.file == nil {
		return nil
	}
	return a.file.Close()
}
