package capture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"recoup/inbound"
)

// Kind says what channel a captured message came through. All kinds share Message, Mailbox
// and the viewer.
type Kind string

const (
	// KindEmail is a message received by the SMTP capture.
	KindEmail Kind = "email"
	// KindSMS is a text message sent through the Twilio stand-in (TwilioAPI).
	KindSMS Kind = "sms"
	// KindCall is a voice call placed through the Twilio stand-in; Text is what it would say.
	KindCall Kind = "call"
)

// Message is one captured message. Values returned by a Mailbox share their slices and maps
// with it; treat them as read-only.
type Message struct {
	ID        string    `json:"id"`         // stable, URL-safe, zero-padded sequence number
	Kind      Kind      `json:"kind"`       // KindEmail for everything the SMTP server receives
	Received  time.Time `json:"received"`   // UTC
	From      string    `json:"from"`       // envelope MAIL FROM ("" for a null sender); SMS/call: From number
	To        []string  `json:"to"`         // envelope RCPT TO; SMS/call: the To number
	Subject   string    `json:"subject"`    // decoded (RFC 2047)
	MessageID string    `json:"message_id"` // the Message-ID header as sent, angle brackets included
	Text      string    `json:"text"`       // text/plain body, decoded to UTF-8 with LF line endings; SMS: the body; call: the words spoken
	HTML      string    `json:"html"`       // text/html body, if any, decoded like Text

	// SID is the Twilio SID the stand-in answered an SMS ("SM…") or call ("CA…") with.
	SID string `json:"sid,omitempty"`
	// TwiML is the TwiML a call was placed with.
	TwiML string `json:"twiml,omitempty"`
	// Params are the form parameters of an SMS or call request (To, From, Body,
	// StatusCallback, …).
	Params map[string][]string `json:"params,omitempty"`

	// Header holds the top-level headers with their raw (still RFC 2047 encoded) values,
	// keyed by canonical name. For SMS and calls: the HTTP request headers, without
	// Authorization.
	Header map[string][]string `json:"headers,omitempty"`
	// Attachments are the non-body parts: files, inline images and nested messages.
	Attachments []Attachment `json:"attachments,omitempty"`
	// ParseError is set when the message could not be fully parsed as MIME. The message is
	// still captured (showing what was really sent matters more than rejecting it) and
	// whatever could be decoded is filled in.
	ParseError string `json:"parse_error,omitempty"`

	Raw []byte `json:"-"` // the full message (SMS/call: HTTP request) as received; served by the viewer at {id}/raw
}

// Attachment is a MIME part that is neither the text nor the HTML body.
type Attachment struct {
	Filename    string `json:"filename,omitempty"`
	ContentType string `json:"content_type"`
	ContentID   string `json:"content_id,omitempty"` // without angle brackets; referenced as cid: from HTML
	Inline      bool   `json:"inline,omitempty"`
	Size        int    `json:"size"`
	Data        []byte `json:"-"` // decoded content
}

// maxMIMEDepth bounds multipart nesting so a hostile message cannot recurse without limit.
const maxMIMEDepth = 16

// parseEmail fills the decoded fields of m from m.Raw. It never fails: problems are recorded
// in m.ParseError and parsing continues where it can.
func parseEmail(m *Message) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		m.ParseError = "reading headers: " + err.Error()
		// Show the sender something rather than nothing.
		m.Text = toUTF8(m.Raw, "")
		return
	}
	m.Header = msg.Header
	m.Subject = inbound.DecodeHeader(msg.Header.Get("Subject"))
	m.MessageID = strings.TrimSpace(msg.Header.Get("Message-Id"))

	p := &partWalker{m: m}
	p.walk(textproto.MIMEHeader(msg.Header), msg.Body, 0)
	if len(p.errs) > 0 {
		m.ParseError = errors.Join(p.errs...).Error()
	}
}

type partWalker struct {
	m    *Message
	errs []error
}

func (p *partWalker) fail(format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf(format, args...))
}

func (p *partWalker) walk(h textproto.MIMEHeader, body io.Reader, depth int) {
	ctype, params := "text/plain", map[string]string{}
	if v := h.Get("Content-Type"); v != "" {
		mt, ps, err := mime.ParseMediaType(v)
		switch {
		case err == nil || errors.Is(err, mime.ErrInvalidMediaParameter):
			// A bad parameter still leaves a usable media type.
			ctype, params = mt, ps
		default:
			// RFC 2045 5.2: an unparseable Content-Type means text/plain.
			p.fail("content-type %q: %v", v, err)
		}
	}

	if strings.HasPrefix(ctype, "multipart/") {
		if depth >= maxMIMEDepth {
			p.fail("multipart nesting deeper than %d; rest ignored", maxMIMEDepth)
			return
		}
		boundary := params["boundary"]
		if boundary == "" {
			p.fail("%s without boundary", ctype)
			return
		}
		mr := multipart.NewReader(body, boundary)
		for {
			// NextRawPart: decode transfer encodings ourselves, the same way for every part.
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				p.fail("%s: %v", ctype, err)
				return
			}
			p.walk(part.Header, part, depth+1)
		}
	}

	data, err := io.ReadAll(inbound.TransferDecoder(h.Get("Content-Transfer-Encoding"), body))
	if err != nil {
		p.fail("%s body: %v", ctype, err)
	}

	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	filename = inbound.DecodeHeader(filename)

	isBody := disp != "attachment" && filename == "" && (ctype == "text/plain" || ctype == "text/html")
	if !isBody {
		p.m.Attachments = append(p.m.Attachments, Attachment{
			Filename:    filename,
			ContentType: ctype,
			ContentID:   strings.Trim(strings.TrimSpace(h.Get("Content-Id")), "<>"),
			Inline:      disp == "inline",
			Size:        len(data),
			Data:        data,
		})
		return
	}

	text := strings.ReplaceAll(toUTF8(data, params["charset"]), "\r\n", "\n")
	// Several inline parts of one type (multipart/mixed) are shown one after another, as
	// mail clients do.
	if ctype == "text/html" {
		p.m.HTML = appendPart(p.m.HTML, text)
	} else {
		p.m.Text = appendPart(p.m.Text, text)
	}
}

func appendPart(have, next string) string {
	if have == "" {
		return next
	}
	return have + "\n" + next
}

// toUTF8 converts b from charset. Only UTF-8/ASCII and Latin-1 are converted exactly (the
// stdlib has no charset tables and the product sends UTF-8); anything else is shown as
// UTF-8 with invalid bytes replaced, which keeps the viewer readable.
func toUTF8(b []byte, charset string) string {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		var sb strings.Builder
		sb.Grow(len(b))
		for _, c := range b {
			sb.WriteRune(rune(c))
		}
		return sb.String()
	default:
		if utf8.Valid(b) {
			return string(b)
		}
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
}
