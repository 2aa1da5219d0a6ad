package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Format is the encoding of an import file.
type Format string

const (
	CSV  Format = "csv"
	JSON Format = "json"
)

// ParseFormat accepts "csv" or "json".
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case CSV, JSON:
		return f, nil
	}
	return "", fmt.Errorf("format %q: want csv or json", s)
}

// FileError is a problem with the file as a whole (header, JSON syntax): the
// import stops and nothing of it is kept.
type FileError struct {
	Line   int64
	Reason string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return e.Reason
}

// record is one row of the file: its values in the kind's column order
// (empty when absent) and the line where it starts.
type record struct {
	line int64
	vals []string
	// bad is set when the row cannot be read at all (wrong field count,
	// unknown JSON field); the row is rejected with this reason.
	bad *Rejection
}

// recordReader yields records one at a time so memory does not grow with the file.
type recordReader interface {
	next() (record, error) // io.EOF at the end
}

func newRecordReader(f Format, r io.Reader, cols []column) (recordReader, error) {
	switch f {
	case CSV:
		return newCSVReader(r, cols)
	case JSON:
		return newJSONReader(r, cols)
	}
	return nil, fmt.Errorf("unknown format %q", f)
}

type csvReader struct {
	r      *csv.Reader
	index  []int // file column -> kind column (-1: never, unknown columns are refused)
	ncols  int
	header int
}

func newCSVReader(r io.Reader, cols []column) (*csvReader, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	// Spreadsheet exports often start with a UTF-8 byte order mark.
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &FileError{Line: 1, Reason: "empty file: want a header row"}
	}
	if err != nil {
		return nil, &FileError{Line: 1, Reason: "header: " + csvReason(err)}
	}
	byName := columnIndex(cols)
	index := make([]int, len(header))
	seen := make(map[int]bool)
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		ci, ok := byName[name]
		if !ok {
			return nil, &FileError{Line: 1, Reason: fmt.Sprintf("header: unknown column %q (known: %s)", h, columnNames(cols))}
		}
		if seen[ci] {
			return nil, &FileError{Line: 1, Reason: fmt.Sprintf("header: column %q appears twice", h)}
		}
		seen[ci] = true
		index[i] = ci
	}
	for ci, c := range cols {
		if c.required && !seen[ci] {
			return nil, &FileError{Line: 1, Reason: fmt.Sprintf("header: missing required column %q", c.name)}
		}
	}
	cr.FieldsPerRecord = len(header)
	return &csvReader{r: cr, index: index, ncols: len(cols)}, nil
}

func (c *csvReader) next() (record, error) {
	fields, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return record{}, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		// A malformed row is rejected on its own; the reader resumes at the next one.
		return record{line: int64(pe.StartLine), bad: &Rejection{Line: int64(pe.StartLine), Reason: csvReason(err)}}, nil
	}
	if err != nil {
		return record{}, err
	}
	line, _ := c.r.FieldPos(0)
	vals := make([]string, c.ncols)
	for i, f := range fields {
		vals[c.index[i]] = strings.TrimSpace(f)
	}
	return record{line: int64(line), vals: vals}, nil
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return "wrong number of fields for the header"
		}
		return pe.Err.Error()
	}
	return err.Error()
}

// jsonReader streams an array of objects with json.Decoder, keeping track of
// newlines so each row is reported by the line its object starts on.
type jsonReader struct {
	dec   *json.Decoder
	lines *lineCounter
	cols  map[string]int
	ncols int
	done  bool
}

func newJSONReader(r io.Reader, cols []column) (*jsonReader, error) {
	lc := &lineCounter{r: bufio.NewReaderSize(r, 256<<10)}
	dec := json.NewDecoder(lc)
	dec.UseNumber() // numbers keep their literal text: amounts never pass through a float
	tok, err := dec.Token()
	if err != nil {
		return nil, &FileError{Line: 1, Reason: "want a JSON array of objects: " + err.Error()}
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, &FileError{Line: 1, Reason: "want a JSON array of objects"}
	}
	return &jsonReader{dec: dec, lines: lc, cols: columnIndex(cols), ncols: len(cols)}, nil
}

func (j *jsonReader) next() (record, error) {
	if j.done || !j.dec.More() {
		if !j.done {
			j.done = true
			if _, err := j.dec.Token(); err != nil {
				return record{}, &FileError{Line: j.lines.lineAt(j.dec.InputOffset()), Reason: "JSON: " + err.Error()}
			}
			if _, err := j.dec.Token(); !errors.Is(err, io.EOF) {
				return record{}, &FileError{Line: j.lines.lineAt(j.dec.InputOffset()), Reason: "JSON: unexpected data after the array"}
			}
		}
		return record{}, io.EOF
	}
	var obj map[string]json.RawMessage
	// The object starts after any whitespace or comma at the current offset.
	start := j.lines.lineAfterSpace(j.dec.InputOffset())
	if err := j.dec.Decode(&obj); err != nil {
		return record{}, &FileError{Line: start, Reason: "JSON: want an object: " + err.Error()}
	}
	rec := record{line: start, vals: make([]string, j.ncols)}
	// Keys in sorted order: which problem is reported must not depend on map order.
	keys := slices.Sorted(maps.Keys(obj))
	seen := make(map[int]string, len(keys))
	for _, k := range keys {
		raw := obj[k]
		ci, ok := j.cols[strings.ToLower(k)]
		if !ok {
			rec.bad = &Rejection{Line: start, Field: k, Reason: fmt.Sprintf("unknown field %q", k)}
			return rec, nil
		}
		if other, dup := seen[ci]; dup {
			rec.bad = &Rejection{Line: start, Field: k, Reason: fmt.Sprintf("fields %q and %q are the same column", other, k)}
			return rec, nil
		}
		seen[ci] = k
		v, err := jsonScalar(raw)
		if err != nil {
			rec.bad = &Rejection{Line: start, Field: k, Reason: err.Error()}
			return rec, nil
		}
		rec.vals[ci] = strings.TrimSpace(v)
	}
	return rec, nil
}

func jsonScalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("bad string: %v", err)
		}
		return s, nil
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		return string(raw), nil // the literal digits, e.g. 1234.56
	}
	return "", errors.New("want a string or a number")
}

// lineCounter remembers where the newlines are in the bytes the decoder has
// read ahead, so a decoder offset can be turned into a line number. It only
// keeps newlines past the last offset asked about, so memory stays flat.
type lineCounter struct {
	r        *bufio.Reader
	read     int64   // bytes handed to the decoder
	line     int64   // newlines before `base`
	base     int64   // offset up to which newlines are counted in line
	pending  []int64 // offsets of newlines at or after base
	lastByte []byte  // bytes after base, to skip whitespace in lineAfterSpace
}

func (l *lineCounter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.pending = append(l.pending, l.read+int64(i))
		}
	}
	l.lastByte = append(l.lastByte, p[:n]...)
	l.read += int64(n)
	return n, err
}

// lineAt returns the 1-based line of the byte at offset off (off never goes back).
func (l *lineCounter) lineAt(off int64) int64 {
	i := 0
	for i < len(l.pending) && l.pending[i] < off {
		i++
	}
	l.line += int64(i)
	l.pending = l.pending[i:]
	if drop := off - l.base; drop > 0 && int(drop) <= len(l.lastByte) {
		l.lastByte = l.lastByte[drop:]
	}
	l.base = off
	return l.line + 1
}

// lineAfterSpace is lineAt for the first byte at or after off that is not
// whitespace or a comma: where the next value begins.
func (l *lineCounter) lineAfterSpace(off int64) int64 {
	l.lineAt(off)
	skip := 0
	for skip < len(l.lastByte) {
		switch l.lastByte[skip] {
		case ' ', '\t', '\r', '\n', ',':
			skip++
			continue
		}
		break
	}
	return l.lineAt(off + int64(skip))
}
