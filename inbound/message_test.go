package inbound_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/inbound"
)

// msg joins header and body lines with CRLF, as mail travels.
func msg(lines ...string) []byte { return []byte(strings.Join(lines, "\r\n")) }

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  []byte
		want func(t *testing.T, m inbound.Message)
	}{
		{"plain text with threading headers", msg(
			"From: Jana Müller <Jana@Example.com>",
			"To: reply+abc@replies.example.com",
			"Subject: Re: Payment reminder",
			"Message-ID: <r1@example.com>",
			"In-Reply-To: <k1@recoup>",
			"References: <k0@recoup> <k1@recoup>",
			"Date: Mon, 07 Dec 2026 10:00:00 +0100",
			"Content-Type: text/plain; charset=utf-8",
			"",
			"We paid last week.",
			"> quoted reminder",
		), func(t *testing.T, m inbound.Message) {
			require.Equal(t, "r1@example.com", m.MessageID)
			require.Equal(t, []string{"k1@recoup"}, m.InReplyTo)
			require.Equal(t, []string{"k0@recoup", "k1@recoup"}, m.References)
			require.Equal(t, "jana@example.com", m.From, "the address, lower case")
			require.Equal(t, "Jana Müller", m.FromName)
			require.Equal(t, "We paid last week.\n> quoted reminder", m.Text, "quoted history is kept")
			require.False(t, m.FromHTML)
			require.Empty(t, m.AutoReply)
			require.Nil(t, m.Bounce)
			require.Equal(t, "2026-12-07T09:00:00Z", m.Date.Format("2006-01-02T15:04:05Z07:00"))
		}},
		{"HTML only becomes safe text", msg(
			"From: a@example.com",
			"Subject: =?UTF-8?Q?R=C3=A9ponse?=",
			"Content-Type: text/html; charset=utf-8",
			"",
			"<html><head><title>x</title><style>p{color:red}</style><script>alert(1)</script></head>",
			"<body><p>Bonjour,</p><p>Nous avons <b>pay&eacute;</b> &lt;hier&gt;.</p><ul><li>INV-1</li><li>INV-2</li></ul>",
			"<a href=\"https://pay.example.com/x\">le re&ccedil;u</a><br>Merci<!-- secret --></body></html>",
		), func(t *testing.T, m inbound.Message) {
			require.Equal(t, "Réponse", m.Subject, "RFC 2047 subject decoded")
			require.True(t, m.FromHTML)
			require.Equal(t, "Bonjour,\n\nNous avons payé <hier>.\n\n- INV-1\n- INV-2\nle reçu <https://pay.example.com/x>\nMerci", m.Text)
			require.NotContains(t, m.Text, "alert")
			require.NotContains(t, m.Text, "secret")
		}},
		{"multipart/alternative prefers the plain part", msg(
			"From: a@example.com",
			"Content-Type: multipart/alternative; boundary=b1",
			"",
			"--b1",
			"Content-Type: text/plain; charset=utf-8",
			"",
			"plain version",
			"--b1",
			"Content-Type: text/html; charset=utf-8",
			"",
			"<p>html version</p>",
			"--b1--",
		), func(t *testing.T, m inbound.Message) {
			require.Equal(t, "plain version", m.Text)
			require.False(t, m.FromHTML)
		}},
		{"attachments are kept aside", msg(
			"From: a@example.com",
			"Content-Type: multipart/mixed; boundary=mix",
			"",
			"--mix",
			"Content-Type: multipart/alternative; boundary=alt",
			"",
			"--alt",
			"Content-Type: text/plain",
			"",
			"see the proof attached",
			"--alt--",
			"--mix",
			"Content-Type: application/pdf; name=\"proof.pdf\"",
			"Content-Disposition: attachment; filename=\"proof.pdf\"",
			"Content-Transfer-Encoding: base64",
			"",
			"JVBERi0xLjQK",
			"--mix",
			"Content-Type: text/plain; charset=utf-8",
			"Content-Disposition: attachment; filename*=UTF-8''re%C3%A7u.txt",
			"",
			"a text file, not the body",
			"--mix--",
		), func(t *testing.T, m inbound.Message) {
			require.Equal(t, "see the proof attached", m.Text)
			require.Len(t, m.Attachments, 2)
			require.Equal(t, inbound.Attachment{Name: "proof.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4\n")}, m.Attachments[0])
			require.Equal(t, "reçu.txt", m.Attachments[1].Name)
			require.Equal(t, "a text file, not the body", string(m.Attachments[1].Data))
		}},
		{"ISO-8859-1 quoted-printable", msg(
			"From: a@example.com",
			"Subject: =?ISO-8859-1?Q?Facture_pay=E9e?=",
			"Content-Type: text/plain; charset=ISO-8859-1",
			"Content-Transfer-Encoding: quoted-printable",
			"",
			"D=E9j=E0 pay=E9, voir le re=E7u.",
		), func(t *testing.T, m inbound.Message) {
			require.Equal(t, "Facture payée", m.Subject)
			require.Equal(t, "Déjà payé, voir le reçu.", m.Text)
		}},
		{"windows-1252 base64", msg(
			"From: a@example.com",
			"Content-Type: text/plain; charset=windows-1252",
			"Content-Transfer-Encoding: base64",
			"",
			"gCAxMDAgcGF56Q==", // "€ 100 payé" in windows-1252
		), func(t *testing.T, m inbound.Message) {
			require.Equal(t, "€ 100 payé", m.Text)
		}},
		{"Shift_JIS", msg(
			"From: a@example.com",
			"Content-Type: text/plain; charset=Shift_JIS",
			"Content-Transfer-Encoding: base64",
			"",
			"jniVpY3Pgt0=", // 支払済み
		), func(t *testing.T, m inbound.Message) {
			require.Equal(t, "支払済み", m.Text)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := inbound.Parse(tt.raw)
			require.NoError(t, err)
			tt.want(t, m)
		})
	}
}

func TestParseAutoReplies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		auto   bool
	}{
		{"Auto-Submitted: auto-replied", true},
		{"Auto-Submitted: auto-generated", true},
		{"Auto-Submitted: no", false},
		{"X-Autoreply: yes", true},
		{"X-Autorespond: Out of office", true},
		{"Precedence: bulk", true},
		{"Precedence: junk", true},
		{"Precedence: auto_reply", true},
		{"Precedence: list", false},
		{"X-Mailer: Outlook", false},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			t.Parallel()
			m, err := inbound.Parse(msg("From: a@example.com", tt.header, "Subject: Out of office", "", "I am away."))
			require.NoError(t, err)
			require.Equal(t, tt.auto, m.AutoReply != "", "AutoReply = %q", m.AutoReply)
		})
	}
}

// dsn is a delivery status notification about jana@example.com for the
// message <k1@recoup>, with status (5.1.1 hard, 4.2.2 soft).
func dsn(status, action string) []byte {
	return msg(
		"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>",
		"To: reply+abc@replies.example.com",
		"Subject: Undelivered Mail Returned to Sender",
		"Message-ID: <dsn-"+status+"@mx.example.com>",
		"Auto-Submitted: auto-replied",
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"rep\"",
		"",
		"--rep",
		"Content-Type: text/plain",
		"",
		"Your message could not be delivered.",
		"--rep",
		"Content-Type: message/delivery-status",
		"",
		"Reporting-MTA: dns; mx.example.com",
		"Arrival-Date: Mon, 7 Dec 2026 10:00:00 +0000",
		"",
		"Final-Recipient: rfc822; Jana@Example.com",
		"Original-Recipient: rfc822;jana@example.com",
		"Action: "+action,
		"Status: "+status,
		"Diagnostic-Code: smtp; 550 "+status+" mailbox unavailable",
		"",
		"--rep",
		"Content-Type: text/rfc822-headers",
		"",
		"From: ACME <ar@acme.example>",
		"To: jana@example.com",
		"Subject: Payment reminder",
		"Message-ID: <k1@recoup>",
		"",
		"--rep--",
	)
}

func TestParseBounces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status, action string
		hard           bool
	}{
		{"5.1.1", "failed", true},
		{"4.2.2", "delayed", false},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			t.Parallel()
			m, err := inbound.Parse(dsn(tt.status, tt.action))
			require.NoError(t, err)
			require.NotNil(t, m.Bounce)
			require.Equal(t, inbound.Bounce{Recipient: "jana@example.com", Status: tt.status, Action: tt.action,
				Diagnostic: "smtp; 550 " + tt.status + " mailbox unavailable", OriginalMessageID: "k1@recoup"}, *m.Bounce)
			require.Equal(t, tt.hard, m.Bounce.Hard())
			require.Equal(t, "Your message could not be delivered.", m.Text)
		})
	}
	t.Run("returned as message/rfc822", func(t *testing.T) {
		t.Parallel()
		raw := strings.Replace(string(dsn("5.1.1", "failed")), "Content-Type: text/rfc822-headers", "Content-Type: message/rfc822", 1)
		m, err := inbound.Parse([]byte(raw))
		require.NoError(t, err)
		require.Equal(t, "k1@recoup", m.Bounce.OriginalMessageID)
	})
}

func TestParseRefusesMalformed(t *testing.T) {
	t.Parallel()
	for name, raw := range map[string][]byte{
		"no header":             []byte("just text, no header\x00"),
		"multipart no boundary": msg("From: a@example.com", "Content-Type: multipart/mixed", "", "x"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := inbound.Parse(raw)
			require.ErrorIs(t, err, inbound.ErrMalformed)
		})
	}
}

func TestReplyAddress(t *testing.T) {
	t.Parallel()
	tok := inbound.NewReplyToken()
	require.Regexp(t, `^[a-z2-7]{26}$`, tok, "130 random bits, base32")
	require.NotEqual(t, tok, inbound.NewReplyToken())
	addr := inbound.ReplyAddress("", tok, "replies.example.com")
	require.Equal(t, "reply+"+tok+"@replies.example.com", addr)
	got, dom, ok := inbound.SplitReplyAddress("<AR+" + strings.ToUpper(tok) + "@Replies.Example.com>")
	require.True(t, ok)
	require.Equal(t, tok, got, "tokens read in lower case: some servers change case")
	require.Equal(t, "replies.example.com", dom)
	_, _, ok = inbound.SplitReplyAddress("not-an-address")
	require.False(t, ok)
}
