package capture

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// crlf turns a readable fixture into wire format.
func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestParseEmail(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		raw         string
		subject     string
		text        string
		html        string
		attachments []Attachment
		parseErr    string
	}{
		{
			name:    "plain text without MIME headers is us-ascii text/plain",
			raw:     "Subject: Hi\nMessage-ID: <1@x>\n\nHello\n",
			subject: "Hi", text: "Hello\n",
		},
		{
			name: "RFC 2047 subject, quoted-printable utf-8 body",
			raw: "Subject: =?UTF-8?Q?Mahnung_f=C3=BCr_Rechnung?= =?UTF-8?B?IOKCrCA0Mg==?=\n" +
				"Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
				"Sch=C3=B6ne Gr=C3=BC=C3=9Fe, eine sehr lange Zeile die umgebrochen wurde und =\nweitergeht\n",
			subject: "Mahnung für Rechnung € 42",
			text:    "Schöne Grüße, eine sehr lange Zeile die umgebrochen wurde und weitergeht\n",
		},
		{
			name: "base64 html only",
			raw: "Subject: x\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" +
				"PHA+R3LDvMOfZTwvcD4=\n",
			subject: "x", html: "<p>Grüße</p>",
		},
		{
			name:    "latin-1 body",
			raw:     "Subject: x\nContent-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nM=FCller\n",
			subject: "x", text: "Müller\n",
		},
		{
			name: "mixed > related > alternative, with inline image and attachment",
			raw: `Subject: nested
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8

plain part
--alt
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<p>html <img src=3D"cid:logo@recoup"></p>
--alt--
--rel
Content-Type: image/png
Content-ID: <logo@recoup>
Content-Disposition: inline; filename="logo.png"
Content-Transfer-Encoding: base64

iVBORw==
--rel--
--outer
Content-Type: application/pdf; name="=?UTF-8?Q?Rechnung_M=C3=BCller.pdf?="
Content-Disposition: attachment
Content-Transfer-Encoding: base64

JVBERi0=
--outer--
`,
			subject: "nested", text: "plain part", html: `<p>html <img src="cid:logo@recoup"></p>`,
			attachments: []Attachment{
				{Filename: "logo.png", ContentType: "image/png", ContentID: "logo@recoup", Inline: true, Size: 4, Data: []byte("\x89PNG")},
				{Filename: "Rechnung Müller.pdf", ContentType: "application/pdf", Size: 5, Data: []byte("%PDF-")},
			},
		},
		{
			name: "text attachment with filename is not the body",
			raw: `Subject: x
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain

body
--b
Content-Type: text/plain
Content-Disposition: attachment; filename*=UTF-8''notiz%C3%A9.txt

file
--b--
`,
			subject: "x", text: "body",
			attachments: []Attachment{{Filename: "notizé.txt", ContentType: "text/plain", Size: 4, Data: []byte("file")}},
		},
		{
			name:    "multipart without boundary is captured with a parse error",
			raw:     "Subject: broken\nContent-Type: multipart/mixed\n\nwhatever\n",
			subject: "broken", parseErr: "multipart/mixed without boundary",
		},
		{
			name:     "no header section at all",
			raw:      "just some bytes",
			text:     "just some bytes",
			parseErr: "reading headers",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := Message{Raw: crlf(tc.raw)}
			parseEmail(&m)
			require.Equal(t, tc.subject, m.Subject)
			require.Equal(t, tc.text, m.Text)
			require.Equal(t, tc.html, m.HTML)
			require.Equal(t, tc.attachments, m.Attachments)
			if tc.parseErr == "" {
				require.Empty(t, m.ParseError)
			} else {
				require.Contains(t, m.ParseError, tc.parseErr)
			}
		})
	}
}
