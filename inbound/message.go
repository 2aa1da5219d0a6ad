package inbound

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// Message is an email as Recoup reads it.
type Message struct {
	MessageID  string   // without angle brackets; "" when the message has none
	InReplyTo  []string // Message-IDs, without angle brackets
	References []string
	From       string // the address, lower case
	FromName   string
	// Recipients are the addresses of Delivered-To, X-Original-To, To and Cc,
	// lower case: where a message read from a mailbox was sent (the SMTP
	// listener has the envelope instead).
	Recipients []string
	Subject    string
	Date       time.Time // zero when missing or unreadable
	// Text is the body as plain text: the text/plain part when there is one,
	// else the HTML part converted (FromHTML set). Quoted history is kept.
	Text     string
	FromHTML bool
	// AutoReply says why the message is an automatic one (out of office,
	// autoresponder, bulk): "" when a person wrote it.
	AutoReply   string
	Attachments []Attachment
	// Bounce is set for a delivery status notification.
	Bounce *Bounce
}

// Attachment is a file that came with a message, kept aside as received.
type Attachment struct {
	Name        string // as the sender named it; "" when unnamed
	ContentType string // as declared, e.g. "application/pdf"
	Data        []byte
}

// Bounce is what a delivery status notification (RFC 3464) reports about
// one recipient of a message Recoup sent.
type Bounce struct {
	Recipient  string // the address that failed, lower case
	Status     string // e.g. "5.1.1"
	Action     string // failed, delayed, ...
	Diagnostic string
	// OriginalMessageID is the Message-ID of the message that bounced, from
	// the returned headers ("" when they were not returned).
	OriginalMessageID string
}

// Hard says the address will not work again (a 5.x.x status); a soft bounce
// (4.x.x) may pass on a later try.
func (b Bounce) Hard() bool { return strings.HasPrefix(b.Status, "5") }

// Limits of what Parse walks: a message nested deeper or with more parts is
// refused rather than explored.
const (
	maxDepth = 8
	maxParts = 200
)

// ErrMalformed wraps the reasons a message cannot be read at all.
var ErrMalformed = errors.New("inbound: malformed message")

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// Parse reads a raw RFC 5322 message.
func Parse(raw []byte) (Message, error) {
	mm, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	h := mm.Header
	m := Message{
		MessageID:  firstID(h.Get("Message-Id")),
		InReplyTo:  messageIDs(h.Get("In-Reply-To")),
		References: messageIDs(h.Get("References")),
		Subject:    DecodeHeader(h.Get("Subject")),
		AutoReply:  autoReply(h),
	}
	if d, err := h.Date(); err == nil {
		m.Date = d.UTC()
	}
	if from := h.Get("From"); from != "" {
		p := mail.AddressParser{WordDecoder: wordDecoder}
		if a, err := p.Parse(from); err == nil {
			m.From, m.FromName = strings.ToLower(a.Address), a.Name
		} else {
			m.From = strings.ToLower(strings.Trim(strings.TrimSpace(from), "<>"))
		}
	}
	for _, k := range []string{"Delivered-To", "X-Original-To", "To", "Cc"} {
		for _, v := range h[k] {
			if list, err := (&mail.AddressParser{WordDecoder: wordDecoder}).ParseList(v); err == nil {
				for _, a := range list {
					m.Recipients = append(m.Recipients, strings.ToLower(a.Address))
				}
			}
		}
	}
	w := walker{m: &m}
	if err := w.part(textproto.MIMEHeader(h), mm.Body, 0); err != nil {
		return m, err
	}
	switch {
	case len(w.plain) > 0:
		m.Text = strings.Join(w.plain, "\n\n")
	case len(w.html) > 0:
		m.Text, m.FromHTML = HTMLText(strings.Join(w.html, "\n")), true
	}
	m.Text = strings.TrimSpace(strings.ReplaceAll(m.Text, "\r\n", "\n"))
	return m, nil
}

// autoReply says why the header marks an automatic message ("": it does
// not): Auto-Submitted other than "no" (RFC 3834), X-Autoreply,
// X-Autorespond, Precedence bulk, junk or auto_reply.
func autoReply(h mail.Header) string {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && !strings.HasPrefix(v, "no") {
		return "Auto-Submitted: " + v
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond"} {
		if v := strings.TrimSpace(h.Get(k)); v != "" && !strings.EqualFold(v, "no") {
			return k + ": " + v
		}
	}
	switch v := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); v {
	case "bulk", "junk", "auto_reply":
		return "Precedence: " + v
	}
	return ""
}

// walker collects the text parts and attachments of a message.
type walker struct {
	m           *Message
	plain, html []string
	parts       int
}

func (w *walker) part(h textproto.MIMEHeader, body io.Reader, depth int) error {
	w.parts++
	if depth > maxDepth || w.parts > maxParts {
		return fmt.Errorf("%w: more than %d levels or %d parts", ErrMalformed, maxDepth, maxParts)
	}
	ct, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		ct, params = "text/plain", map[string]string{}
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := DecodeHeader(dparams["filename"])
	if name == "" {
		name = DecodeHeader(params["name"])
	}
	if strings.HasPrefix(ct, "multipart/") {
		return w.multipart(ct, params, body, depth)
	}
	data, err := io.ReadAll(TransferDecoder(h.Get("Content-Transfer-Encoding"), body))
	if err != nil {
		return fmt.Errorf("%w: part %s: %v", ErrMalformed, ct, err)
	}
	attached := disp == "attachment" || name != ""
	switch {
	case ct == "message/delivery-status":
		w.deliveryStatus(data)
		return nil
	case ct == "text/rfc822-headers" || (ct == "message/rfc822" && w.m.Bounce != nil):
		w.returnedHeaders(data)
		if ct == "text/rfc822-headers" {
			return nil
		}
	case !attached && ct == "text/plain":
		w.plain = append(w.plain, decodeCharset(params["charset"], data))
		return nil
	case !attached && ct == "text/html":
		w.html = append(w.html, decodeCharset(params["charset"], data))
		return nil
	}
	if name == "" && ct == "message/rfc822" {
		name = "message.eml"
	}
	w.m.Attachments = append(w.m.Attachments, Attachment{Name: name, ContentType: ct, Data: data})
	return nil
}

func (w *walker) multipart(ct string, params map[string]string, body io.Reader, depth int) error {
	boundary := params["boundary"]
	if boundary == "" {
		return fmt.Errorf("%w: %s without a boundary", ErrMalformed, ct)
	}
	if ct == "multipart/report" && strings.EqualFold(params["report-type"], "delivery-status") && w.m.Bounce == nil {
		w.m.Bounce = &Bounce{}
	}
	// multipart/alternative: one rendering is enough; the walk takes them
	// all and Parse prefers the plain one.
	mr := multipart.NewReader(body, boundary)
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrMalformed, ct, err)
		}
		if err := w.part(p.Header, p, depth+1); err != nil {
			return err
		}
	}
}

// deliveryStatus reads a message/delivery-status part: a per-message block
// then one block per recipient; the first failed (else delayed) recipient
// is the one reported.
func (w *walker) deliveryStatus(data []byte) {
	if w.m.Bounce == nil {
		w.m.Bounce = &Bounce{}
	}
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(data)))
	var chosen *Bounce
	for {
		h, err := r.ReadMIMEHeader()
		if len(h) > 0 {
			if rcpt := h.Get("Final-Recipient"); rcpt != "" {
				b := Bounce{Recipient: dsnAddress(rcpt), Status: strings.TrimSpace(h.Get("Status")),
					Action: strings.ToLower(strings.TrimSpace(h.Get("Action"))), Diagnostic: strings.TrimSpace(h.Get("Diagnostic-Code"))}
				if b.Recipient == "" {
					b.Recipient = dsnAddress(h.Get("Original-Recipient"))
				}
				if chosen == nil || (b.Action == "failed" && chosen.Action != "failed") {
					chosen = &b
				}
			}
		}
		if err != nil {
			break
		}
	}
	if chosen != nil {
		chosen.OriginalMessageID = w.m.Bounce.OriginalMessageID
		*w.m.Bounce = *chosen
	}
}

// returnedHeaders reads the Message-ID of the bounced message.
func (w *walker) returnedHeaders(data []byte) {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(data)))
	h, _ := r.ReadMIMEHeader()
	if id := firstID(h.Get("Message-Id")); id != "" && w.m.Bounce != nil {
		w.m.Bounce.OriginalMessageID = id
	}
}

// dsnAddress reads "rfc822; jana@example.com".
func dsnAddress(v string) string {
	if _, a, ok := strings.Cut(v, ";"); ok {
		v = a
	}
	return strings.ToLower(strings.Trim(strings.TrimSpace(v), "<>"))
}

// TransferDecoder undoes a part's Content-Transfer-Encoding (base64,
// quoted-printable); anything else passes through.
func TransferDecoder(enc string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, base64Cleaner{r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// base64Cleaner drops the line breaks and spaces base64 bodies carry, which
// encoding/base64 tolerates only as \r and \n.
type base64Cleaner struct{ r io.Reader }

func (c base64Cleaner) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	j := 0
	for _, b := range p[:n] {
		if b != ' ' && b != '\t' {
			p[j] = b
			j++
		}
	}
	return j, err
}

// decodeCharset converts a text part to UTF-8: an unknown charset is read as
// UTF-8 when valid, else as Latin-1 (every byte is a character there).
func decodeCharset(charset string, data []byte) string {
	cs := strings.ToLower(strings.TrimSpace(charset))
	if cs != "" && cs != "utf-8" && cs != "us-ascii" {
		if enc, err := htmlindex.Get(cs); err == nil {
			if out, err := enc.NewDecoder().Bytes(data); err == nil {
				return string(out)
			}
		}
	}
	if utf8.Valid(data) {
		return string(data)
	}
	out, _ := charmap.ISO8859_1.NewDecoder().Bytes(data)
	return string(out)
}

func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(strings.ToLower(charset))
	if err != nil {
		return nil, err
	}
	return enc.NewDecoder().Reader(r), nil
}

// DecodeHeader decodes RFC 2047 encoded words; undecodable text stays as is.
func DecodeHeader(v string) string {
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// messageIDs reads the "<id>" list of In-Reply-To and References.
func messageIDs(v string) []string {
	var out []string
	for {
		start := strings.IndexByte(v, '<')
		if start < 0 {
			return out
		}
		end := strings.IndexByte(v[start:], '>')
		if end < 0 {
			return out
		}
		if id := strings.TrimSpace(v[start+1 : start+end]); id != "" {
			out = append(out, id)
		}
		v = v[start+end+1:]
	}
}

func firstID(v string) string {
	if ids := messageIDs(v); len(ids) > 0 {
		return ids[0]
	}
	return strings.TrimSpace(v)
}
