package capture

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Mailbox keeps captured messages in memory and, when created with a directory, on disk.
//
// On-disk layout (one pair per message, written atomically via temp file + rename):
//
//	000001.eml   the raw message exactly as received
//	000001.json  {"version":1,"kind":"email","received":...,"from":...,"to":[...]}
//
// SMS and calls store the HTTP request to the Twilio stand-in (without its Authorization
// header) as 000001.http, and their SID in the .json.
//
// The .json file is written last, so a message counts as stored once it exists. Everything
// else is derived from the raw file on load, so parser improvements apply to old mail too.
//
// Loading is lenient on purpose: a dev tool must not refuse to start because of one bad file.
// Files that are not a complete, valid pair (corrupt JSON, unknown kind or version, an .eml
// without its .json, foreign files) are skipped and logged at Warn; dot-files (editor/OS
// droppings, our own temp files) are ignored silently. Skipped sequence numbers are never
// reused, so a skipped file is never overwritten. Only an unusable directory is an error.
type Mailbox struct {
	dir    string
	logger *slog.Logger

	mu      sync.RWMutex
	entries []entry        // oldest first
	byID    map[string]int // index into entries
	seq     uint64         // last sequence number used or seen on disk
	changed chan struct{}  // closed (and replaced) whenever a message is added; see WaitFor
}

type entry struct {
	seq uint64
	msg Message
}

// Option configures a Mailbox.
type Option func(*Mailbox)

// WithLogger sets where NewMailbox reports skipped files (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(m *Mailbox) {
		if l != nil {
			m.logger = l
		}
	}
}

const (
	metaVersion = 1
	metaExt     = ".json"
	emlExt      = ".eml"
	httpExt     = ".http"
)

// metaFile is what the .eml cannot tell us: the envelope and when it arrived.
type metaFile struct {
	Version  int       `json:"version"`
	Kind     Kind      `json:"kind"`
	Received time.Time `json:"received"`
	From     string    `json:"from"`
	To       []string  `json:"to"`
	SID      string    `json:"sid,omitempty"` // SMS and calls
}

// NewMailbox returns an empty in-memory Mailbox when dir is "". With a dir, it creates the
// directory if needed, loads the messages stored there and writes every new message to it,
// so `recoup dev` keeps its mail across restarts. See Mailbox for how bad files are handled.
func NewMailbox(dir string, opts ...Option) (*Mailbox, error) {
	m := &Mailbox{
		dir:     dir,
		logger:  slog.Default(),
		byID:    map[string]int{},
		changed: make(chan struct{}),
	}
	for _, o := range opts {
		o(m)
	}
	if dir == "" {
		return m, nil
	}
	// 0700: captured mail may contain (test) customer data.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("capture: mailbox dir: %w", err)
	}
	if err := m.load(); err != nil {
		return nil, err
	}
	return m, nil
}

// Add captures one email as received over SMTP. A message that is not valid MIME is still
// captured (see Message.ParseError); the only error is failing to persist it, in which case
// nothing is added.
func (m *Mailbox) Add(from string, to []string, raw []byte) (Message, error) {
	msg := Message{
		Kind:     KindEmail,
		Received: time.Now().UTC(), // UTC() also drops the monotonic reading, so it round-trips
		From:     from,
		To:       slices.Clone(to),
		Raw:      bytes.Clone(raw), // the caller may reuse its buffer
	}
	parseEmail(&msg)
	return m.insert(msg, msg.Raw)
}

// insert assigns the ID, persists and publishes msg. It is kind-agnostic: each channel has its
// own add method and raw encoding (Add for email, addTwilio for SMS and calls).
func (m *Mailbox) insert(msg Message, raw []byte) (Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()

	// Held across the disk write so IDs, files and list order always agree; dev/test volumes
	// make the serialization irrelevant.
	m.seq++
	msg.ID = formatID(m.seq)
	if m.dir != "" {
		if err := m.persist(msg, raw); err != nil {
			return Message{}, fmt.Errorf("capture: storing message %s: %w", msg.ID, err)
		}
	}
	m.byID[msg.ID] = len(m.entries)
	m.entries = append(m.entries, entry{seq: m.seq, msg: msg})
	close(m.changed)
	m.changed = make(chan struct{})
	return msg, nil
}

// Messages returns all captured messages, newest first.
func (m *Mailbox) Messages() []Message {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Message, len(m.entries))
	for i, e := range m.entries {
		out[len(out)-1-i] = e.msg
	}
	return out
}

// Get returns the message with the given ID.
func (m *Mailbox) Get(id string) (Message, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	i, ok := m.byID[id]
	if !ok {
		return Message{}, false
	}
	return m.entries[i].msg, true
}

// Len returns the number of captured messages.
func (m *Mailbox) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.entries)
}

// WaitFor blocks until the mailbox holds at least n messages and returns all of them, newest
// first. If ctx ends first it returns what has arrived so far together with an error that
// says how many were expected, which makes a failing test's output self-explanatory.
func (m *Mailbox) WaitFor(ctx context.Context, n int) ([]Message, error) {
	for {
		m.mu.RLock()
		have, changed := len(m.entries), m.changed
		m.mu.RUnlock()
		if have >= n {
			return m.Messages(), nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			msgs := m.Messages()
			return msgs, fmt.Errorf("capture: waiting for %d messages, have %d: %w", n, len(msgs), ctx.Err())
		}
	}
}

func formatID(seq uint64) string { return fmt.Sprintf("%06d", seq) }

// parseID accepts only what formatID produces (any width), which also keeps file names
// derived from IDs inside the directory.
func parseID(s string) (uint64, bool) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil && n > 0
}

func rawExt(k Kind) (string, bool) {
	switch k {
	case KindEmail:
		return emlExt, true
	case KindSMS, KindCall:
		return httpExt, true
	}
	return "", false
}

func (m *Mailbox) persist(msg Message, raw []byte) error {
	ext, ok := rawExt(msg.Kind)
	if !ok {
		return fmt.Errorf("unknown kind %q", msg.Kind)
	}
	meta, err := json.MarshalIndent(metaFile{
		Version: metaVersion, Kind: msg.Kind, Received: msg.Received, From: msg.From, To: msg.To, SID: msg.SID,
	}, "", "  ")
	if err != nil {
		return err
	}
	rawPath := filepath.Join(m.dir, msg.ID+ext)
	if err := writeFileAtomic(rawPath, raw); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(m.dir, msg.ID+metaExt), append(meta, '\n')); err != nil {
		_ = os.Remove(rawPath) // don't leave an orphan to be warned about on every start
		return err
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o600)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

func (m *Mailbox) load() error {
	des, err := os.ReadDir(m.dir)
	if err != nil {
		return fmt.Errorf("capture: reading mailbox dir: %w", err)
	}
	names := map[string]bool{}
	for _, de := range des {
		names[de.Name()] = true
	}
	used := map[string]bool{} // raw files claimed by a valid .json

	for _, de := range des {
		name := de.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		stem, ext := strings.TrimSuffix(name, filepath.Ext(name)), filepath.Ext(name)
		seq, numeric := parseID(stem)
		if numeric && seq > m.seq {
			m.seq = seq // never reuse a number, even one whose files we skip
		}
		if ext != metaExt {
			continue // raw files are handled via their .json; leftovers reported below
		}
		if !numeric || de.IsDir() {
			m.skip(name, errors.New("not a capture file"))
			continue
		}
		msg, rawName, err := m.loadOne(stem, names)
		if err != nil {
			m.skip(name, err)
			continue
		}
		used[rawName] = true
		m.entries = append(m.entries, entry{seq: seq, msg: msg})
	}
	for _, de := range des {
		name := de.Name()
		if strings.HasPrefix(name, ".") || filepath.Ext(name) == metaExt || used[name] {
			continue
		}
		if _, numeric := parseID(strings.TrimSuffix(name, filepath.Ext(name))); numeric && (filepath.Ext(name) == emlExt || filepath.Ext(name) == httpExt) {
			m.skip(name, errors.New("no matching .json metadata (incomplete write?)"))
		} else {
			m.skip(name, errors.New("not a capture file"))
		}
	}

	slices.SortFunc(m.entries, func(a, b entry) int { return cmp.Compare(a.seq, b.seq) })
	for i, e := range m.entries {
		m.byID[e.msg.ID] = i
	}
	return nil
}

func (m *Mailbox) loadOne(id string, names map[string]bool) (Message, string, error) {
	b, err := os.ReadFile(filepath.Join(m.dir, id+metaExt))
	if err != nil {
		return Message{}, "", err
	}
	var meta metaFile
	if err := json.Unmarshal(b, &meta); err != nil {
		return Message{}, "", fmt.Errorf("corrupt metadata: %w", err)
	}
	if meta.Version != metaVersion {
		return Message{}, "", fmt.Errorf("unsupported metadata version %d", meta.Version)
	}
	ext, ok := rawExt(meta.Kind)
	if !ok {
		return Message{}, "", fmt.Errorf("unknown kind %q (written by a newer recoup?)", meta.Kind)
	}
	rawName := id + ext
	if !names[rawName] {
		return Message{}, "", fmt.Errorf("%s is missing", rawName)
	}
	raw, err := os.ReadFile(filepath.Join(m.dir, rawName))
	if err != nil {
		return Message{}, "", err
	}
	msg := Message{
		ID: id, Kind: meta.Kind, Received: meta.Received.UTC(), From: meta.From, To: meta.To, SID: meta.SID, Raw: raw,
	}
	if msg.Kind == KindEmail {
		parseEmail(&msg)
	} else {
		parseTwilio(&msg)
	}
	return msg, rawName, nil
}

func (m *Mailbox) skip(name string, err error) {
	m.logger.Warn("capture: skipping file in mailbox dir", "dir", m.dir, "file", name, "reason", err.Error())
}
