package capture

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func rawMail(subject, body string) []byte {
	return []byte("From: billing@recoup.test\r\nTo: c@example.com\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + subject + "@recoup.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
}

// syncBuffer lets a slog handler write from NewMailbox while the test reads afterwards.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestMailbox_InMemory(t *testing.T) {
	t.Parallel()
	mb, err := NewMailbox("")
	require.NoError(t, err)
	require.Empty(t, mb.Messages())

	first, err := mb.Add("a@recoup.test", []string{"x@example.com"}, rawMail("one", "1"))
	require.NoError(t, err)
	second, err := mb.Add("a@recoup.test", []string{"y@example.com"}, rawMail("two", "2"))
	require.NoError(t, err)

	require.Equal(t, "000001", first.ID)
	require.Equal(t, "000002", second.ID)
	require.Equal(t, []Message{second, first}, mb.Messages(), "newest first")
	require.Equal(t, 2, mb.Len())

	got, ok := mb.Get(first.ID)
	require.True(t, ok)
	require.Equal(t, first, got)
	_, ok = mb.Get("nope")
	require.False(t, ok)
}

func TestMailbox_AddCopiesCallerBuffers(t *testing.T) {
	t.Parallel()
	mb, err := NewMailbox("")
	require.NoError(t, err)
	raw := rawMail("s", "b")
	to := []string{"x@example.com"}
	msg, err := mb.Add("a@recoup.test", to, raw)
	require.NoError(t, err)

	raw[0], to[0] = 'X', "changed"
	got, _ := mb.Get(msg.ID)
	require.Equal(t, rawMail("s", "b"), got.Raw)
	require.Equal(t, []string{"x@example.com"}, got.To)
}

func TestMailbox_PersistsAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "mail") // created on demand
	mb, err := NewMailbox(dir)
	require.NoError(t, err)
	var added []Message
	for i := range 3 {
		m, err := mb.Add("a@recoup.test", []string{"x@example.com", "y@example.com"}, rawMail(fmt.Sprint("s", i), "body"))
		require.NoError(t, err)
		added = append(added, m)
	}

	reopened, err := NewMailbox(dir)
	require.NoError(t, err)
	require.Equal(t, mb.Messages(), reopened.Messages(), "same IDs, envelope, received time, parsed content")

	// Numbering continues after the stored messages.
	next, err := reopened.Add("a@recoup.test", nil, rawMail("s3", "b"))
	require.NoError(t, err)
	require.Equal(t, "000004", next.ID)

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.ElementsMatch(t, []string{
		"000001.eml", "000001.json", "000002.eml", "000002.json",
		"000003.eml", "000003.json", "000004.eml", "000004.json",
	}, names, "no temp files left behind")

	eml, err := os.ReadFile(filepath.Join(dir, "000001.eml"))
	require.NoError(t, err)
	require.Equal(t, added[0].Raw, eml, "the .eml is the message exactly as received")
}

func TestMailbox_SkipsBadFilesAndLogs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mb, err := NewMailbox(dir)
	require.NoError(t, err)
	good, err := mb.Add("a@recoup.test", []string{"x@example.com"}, rawMail("good", "b"))
	require.NoError(t, err)

	write := func(name, content string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
	}
	write("000002.json", "{not json")                                                      // corrupt metadata
	write("000002.eml", string(rawMail("corrupt-meta", "b")))                              // its .eml
	write("000003.eml", string(rawMail("orphan", "b")))                                    // .json never written
	write("000004.json", `{"version":1,"kind":"fax","received":"2024-01-01T00:00:00Z"}`)   // future kind
	write("000005.json", `{"version":1,"kind":"email","received":"2024-01-01T00:00:00Z"}`) // .eml missing
	write("notes.txt", "hello")                                                            // foreign file
	write(".DS_Store", "junk")                                                             // ignored silently

	var logs syncBuffer
	reopened, err := NewMailbox(dir, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err, "a dev tool must still start")
	require.Equal(t, []Message{good}, reopened.Messages())

	out := logs.String()
	for _, want := range []string{
		"file=000002.json", "corrupt metadata",
		"file=000002.eml", // not claimed by a valid .json
		"file=000003.eml", "no matching .json",
		"file=000004.json", `unknown kind \"fax\"`,
		"file=000005.json", "000005.eml is missing",
		"file=notes.txt", "not a capture file",
	} {
		require.Contains(t, out, want)
	}
	require.NotContains(t, out, ".DS_Store")

	// Skipped numbers are not reused, so nothing on disk is overwritten.
	next, err := reopened.Add("a@recoup.test", nil, rawMail("next", "b"))
	require.NoError(t, err)
	require.Equal(t, "000006", next.ID)
	corrupt, err := os.ReadFile(filepath.Join(dir, "000002.json"))
	require.NoError(t, err)
	require.Equal(t, "{not json", string(corrupt))
}

func TestMailbox_UnusableDirIsAnError(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err := NewMailbox(file)
	require.ErrorContains(t, err, "capture: mailbox dir")
}

func TestMailbox_AddFailsWhenDirGone(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "mail")
	mb, err := NewMailbox(dir)
	require.NoError(t, err)
	require.NoError(t, os.RemoveAll(dir))

	_, err = mb.Add("a@recoup.test", nil, rawMail("s", "b"))
	require.ErrorContains(t, err, "capture: storing message")
	require.Zero(t, mb.Len(), "a message that could not be stored is not shown either")
}

func TestMailbox_WaitFor(t *testing.T) {
	t.Parallel()

	t.Run("returns once enough messages arrived", func(t *testing.T) {
		t.Parallel()
		mb, err := NewMailbox("")
		require.NoError(t, err)
		go func() {
			for i := range 3 {
				time.Sleep(10 * time.Millisecond)
				_, _ = mb.Add("a@recoup.test", nil, rawMail(fmt.Sprint("s", i), "b"))
			}
		}()
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		got, err := mb.WaitFor(ctx, 3)
		require.NoError(t, err)
		require.Len(t, got, 3)
		require.Equal(t, "s2", got[0].Subject)
	})

	t.Run("already satisfied", func(t *testing.T) {
		t.Parallel()
		mb, err := NewMailbox("")
		require.NoError(t, err)
		got, err := mb.WaitFor(t.Context(), 0)
		require.NoError(t, err)
		require.Empty(t, got)
	})

	t.Run("context ends first", func(t *testing.T) {
		t.Parallel()
		mb, err := NewMailbox("")
		require.NoError(t, err)
		_, err = mb.Add("a@recoup.test", nil, rawMail("only", "b"))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		got, err := mb.WaitFor(ctx, 2)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.ErrorContains(t, err, "waiting for 2 messages, have 1")
		require.Len(t, got, 1, "what did arrive is returned for the failure message")
	})
}

func TestMailbox_ConcurrentAdds(t *testing.T) {
	t.Parallel()
	mb, err := NewMailbox(t.TempDir())
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_, err := mb.Add("a@recoup.test", nil, rawMail(fmt.Sprint("s", i), "b"))
			require.NoError(t, err)
			_ = mb.Messages()
		})
	}
	wg.Wait()
	msgs := mb.Messages()
	require.Len(t, msgs, 20)
	seen := map[string]bool{}
	for i, m := range msgs {
		require.Equal(t, fmt.Sprintf("%06d", 20-i), m.ID)
		seen[m.Subject] = true
	}
	require.Len(t, seen, 20)
}
