package templates

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
)

var stepNames = []string{ReminderCourtesy, ReminderDue, Reminder1, Reminder2, ReminderRepeat}

// testData is a 3-invoice, 2-currency reminder in Kuwaiti dinars (three
// decimals) and yen (none).
func testData() Data {
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	d := Data{
		Customer: Customer{Name: "Boulangerie Martin & Fils SARL", ExternalID: "C-10042",
			Email: "compta@martin.example", Phone: "+33612345678", Language: "fr"},
		Entity:     Entity{Name: "Acme Distribution SAS", Country: "FR"},
		PortalURL:  "https://pay.acme.example/p/7f3a9c2e41b0",
		AgentName:  "Claire Dubois",
		AgentEmail: "claire.dubois@acme.example",
		Today:      "17 March 2026",
		Invoices: []Invoice{
			{Number: "F-2026-0101", IssueDate: day(1, 16), DueDate: day(2, 15), DaysOverdue: 30,
				Amount: m(12345, "KWD"), Open: m(12345, "KWD")},
			{Number: "F-2026-0187", IssueDate: day(1, 26), DueDate: day(2, 25), DaysOverdue: 20,
				Amount: m(150000, "JPY"), Open: m(120000, "JPY")},
			{Number: "F-2026-0203", IssueDate: day(2, 6), DueDate: day(3, 8), DaysOverdue: 9,
				Amount: m(1000500, "KWD"), Open: m(1000500, "KWD")},
		},
	}
	if err := d.ComputeStatement(); err != nil {
		panic(err)
	}
	d.Schedule = []Instalment{{Number: 1, Date: day(4, 1), Amount: m(612845, "KWD")}, {Number: 2, Date: day(5, 1), Amount: m(400000, "KWD")}}
	d.Payment = d.Schedule[0]
	d.Dispute = DisputeAnswer{Number: 1042, Reason: "the delivery note <signed> shows every item delivered"}
	return d
}

// expected formatting of testData's amounts per language ("_" is a non-breaking space).
var expected = map[string]struct {
	inv1, inv3, totalKWD, totalJPY string // written, in email
	dueDate                        string // short date of the first invoice
	spokenKWD, spokenJPY           string // voice
}{
	"en": {"KWD_12.345", "KWD_1,000.500", "KWD_1,012.845", "¥120,000", "15 Feb 2026", "1012 Kuwaiti dinars and 845 fils", "120000 yen"},
	"fr": {"12,345_KWD", "1_000,500_KWD", "1_012,845_KWD", "120_000_JPY", "15 févr. 2026", "1012 dinars koweïtiens et 845 fils", "120000 yens"},
	"de": {"12,345_KWD", "1.000,500_KWD", "1.012,845_KWD", "120.000_¥", "15.02.2026", "1012 Kuwait-Dinar und 845 Fils", "120000 Yen"},
	"es": {"12,345_KWD", "1000,500_KWD", "1012,845_KWD", "120.000_JPY", "15 feb 2026", "1012 dinares kuwaitíes con 845 fils", "120000 yenes"},
	"it": {"12,345_KWD", "1.000,500_KWD", "1.012,845_KWD", "120.000_JPY", "15 feb 2026", "1012 dinari kuwaitiani e 845 fils", "120000 yen"},
	"nl": {"KWD_12,345", "KWD_1.000,500", "KWD_1.012,845", "JP¥_120.000", "15 feb 2026", "1012 Koeweitse dinar en 845 fils", "120000 yen"},
	"pt": {"KWD_12,345", "KWD_1.000,500", "KWD_1.012,845", "JP¥_120.000", "15/02/2026", "1012 dinares kuwaitianos e 845 fils", "120000 ienes"},
	"pl": {"12,345_KWD", "1000,500_KWD", "1012,845_KWD", "120_000_JPY", "15.02.2026", "1012 dinarów kuwejckich i 845 fils", "120000 jenów"},
	"ar": {"12.345_د.ك.\u200f", "1,000.500_د.ك.\u200f", "1,012.845_د.ك.\u200f", "120,000_JP¥", "15/02/2026", "1012 دينار كويتي و845 فلس", "120000 ين ياباني"},
	"ja": {"KWD_12.345", "KWD_1,000.500", "KWD_1,012.845", "￥120,000", "2026/02/15", "1012 クウェート・ディナール 845 フィルス", "120000 円"},
}

func TestDefaultsComplete(t *testing.T) {
	t.Parallel()
	require.ElementsMatch(t, []string{"en", "fr", "de", "es", "it", "nl", "pt", "pl", "ar", "ja"}, DefaultLanguages())
	ds := Defaults()
	seen := map[string]bool{}
	for _, d := range ds {
		id := d.id()
		require.False(t, seen[id], "duplicate %s", id)
		seen[id] = true
		require.NotContains(t, d.Text+d.HTML+d.Subject, "[[", id)
		if d.Channel == domain.ChannelEmail {
			dir := "ltr"
			if d.Language == "ar" {
				dir = "rtl"
			}
			require.Contains(t, d.HTML, `<html lang="`+d.Language+`" dir="`+dir+`">`, id)
		}
	}
	for _, name := range stepNames {
		for _, ch := range domain.ReminderChannels {
			for _, lang := range DefaultLanguages() {
				id := name + "/" + string(ch) + "/" + lang
				require.True(t, seen[id], "missing %s", id)
			}
		}
	}
	for _, name := range NoticeNames {
		for _, ch := range domain.ReminderChannels {
			for _, lang := range DefaultLanguages() {
				require.True(t, seen[name+"/"+string(ch)+"/"+lang], "missing %s/%s/%s", name, ch, lang)
			}
		}
	}
	require.Len(t, ds, (len(stepNames)+len(NoticeNames))*len(domain.ReminderChannels)*len(DefaultLanguages()))
	for _, lang := range DefaultLanguages() {
		require.Contains(t, expected, lang, "every shipped language needs its expectations")
	}
}

func TestDefaultsRender(t *testing.T) {
	t.Parallel()
	set, err := NewSet(Defaults()...)
	require.NoError(t, err)
	d := testData()
	for _, tmpl := range Defaults() {
		if !slices.Contains(stepNames, tmpl.Name) {
			continue // the notices have their tests (notices_test.go)
		}
		t.Run(tmpl.id(), func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tmpl.Validate())
			want := expected[tmpl.Language]
			r, lang, err := set.Render(tmpl.Name, tmpl.Channel, tmpl.Language, "en", d)
			require.NoError(t, err)
			require.Equal(t, tmpl.Language, lang)
			require.NotEmpty(t, r.Text)
			require.NotContains(t, r.Text, "<no value>")

			switch tmpl.Channel {
			case domain.ChannelEmail:
				require.NotEmpty(t, r.Subject)
				require.Contains(t, r.Subject, d.Entity.Name)
				// The text part mirrors the HTML statement.
				for _, part := range []string{r.Text, r.HTML} {
					for _, s := range []string{want.inv1, want.inv3, want.totalKWD, want.totalJPY, want.dueDate,
						"F-2026-0101", "F-2026-0187", "F-2026-0203", "C-10042", "Claire Dubois", d.PortalURL} {
						require.Contains(t, part, nb(s))
					}
				}
				require.Contains(t, r.HTML, `<a href="`+d.PortalURL+`"`)
				require.Contains(t, r.HTML, `<a href="mailto:claire.dubois@acme.example"`)
				require.Regexp(t, `<td[^>]*>30</td>`, r.HTML) // days overdue column
				require.Contains(t, r.HTML, "Boulangerie Martin &amp; Fils SARL")
				require.Contains(t, r.Text, "Boulangerie Martin & Fils SARL")
				require.True(t, strings.HasSuffix(r.Text, "\n") && !strings.HasSuffix(r.Text, "\n\n"))
			case domain.ChannelSMS:
				require.Empty(t, r.Subject)
				require.Empty(t, r.HTML)
				require.Contains(t, r.Text, strings.ReplaceAll(want.totalKWD, "_", " "))
				require.Contains(t, r.Text, strings.ReplaceAll(want.totalJPY, "_", " "))
				require.Contains(t, r.Text, d.PortalURL)
			case domain.ChannelVoice:
				require.Empty(t, r.Subject)
				require.Empty(t, r.HTML)
				require.Contains(t, r.Text, want.spokenKWD)
				require.Contains(t, r.Text, want.spokenJPY)
				require.Contains(t, r.Text, d.Customer.Name)
				// Plain sentences for text-to-speech: no links, symbols, codes or
				// formatted numbers.
				require.NotContains(t, r.Text, "http")
				require.NotContains(t, r.Text, "@")
				require.NotContains(t, r.Text, "\n")
				require.NotRegexp(t, `[€¥$£]|KWD|JPY|\d[.,\x{a0} ]\d{3}\b|\d[.,]\d`, r.Text)
				require.True(t, strings.HasSuffix(r.Text, ".") || strings.HasSuffix(r.Text, "。"), r.Text)
			}
		})
	}
}

// gsm7 is the GSM 03.38 alphabet, basic set and extension table. A message
// with any other character is sent as UCS-2, in segments of 70 characters
// instead of 160.
const gsm7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà" + "^{}\\[~]|€\f"

func TestDefaultSMSAreShortAndGSM7(t *testing.T) {
	t.Parallel()
	set, err := NewSet(Defaults()...)
	require.NoError(t, err)
	d := testData()
	for _, lang := range DefaultLanguages() {
		// Polish, Portuguese, Arabic and Japanese need letters outside GSM 7-bit:
		// their texts go as UCS-2 (70 characters a segment) and are kept shorter.
		gsm := !strings.Contains("pt pl ar ja", lang)
		for _, name := range stepNames {
			t.Run(lang+"/"+name, func(t *testing.T) {
				t.Parallel()
				r, _, err := set.Render(name, domain.ChannelSMS, lang, "", d)
				require.NoError(t, err)
				require.Less(t, len([]rune(r.Text)), 360, r.Text)
				for _, c := range r.Text {
					if !gsm {
						break
					}
					require.True(t, strings.ContainsRune(gsm7, c), "%q in %q is not in the GSM 7-bit alphabet", c, r.Text)
				}
			})
		}
	}
}

func TestDefaultSMSExact(t *testing.T) {
	t.Parallel()
	set, err := NewSet(Defaults()...)
	require.NoError(t, err)
	tests := []struct{ lang, want string }{
		{"en", "Acme Distribution SAS: 3 invoices totalling KWD 1,012.845 and ¥120,000 are now overdue. Please arrange payment, or reply to our email if there is a problem. Account balance: KWD 1,012.845 and ¥120,000 (3 open items). https://pay.acme.example/p/7f3a9c2e41b0"},
		{"fr", "Acme Distribution SAS : sauf erreur, 3 factures échues d'un total de 1 012,845 KWD et 120 000 JPY restent impayées. Merci de régler, ou de répondre à notre e-mail en cas de problème. Solde du compte : 1 012,845 KWD et 120 000 JPY (3 pièces ouvertes). https://pay.acme.example/p/7f3a9c2e41b0"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			r, _, err := set.Render(Reminder1, domain.ChannelSMS, tt.lang, "", testData())
			require.NoError(t, err)
			require.Equal(t, tt.want, r.Text)
		})
	}
}

func TestDefaultsSingleInvoice(t *testing.T) {
	t.Parallel()
	set, err := NewSet(Defaults()...)
	require.NoError(t, err)
	d := testData()
	d.Invoices, d.Statement = d.Invoices[:1], nil
	require.NoError(t, d.ComputeStatement())
	d.PortalURL, d.AgentName, d.AgentEmail = "", "", ""
	plural := regexp.MustCompile(`\b(3|invoices|factures|Rechnungen|facturas|fatture|facturen)\b`)
	for _, tmpl := range Defaults() {
		if !slices.Contains(stepNames, tmpl.Name) {
			continue // the notices have their tests (notices_test.go)
		}
		t.Run(tmpl.id(), func(t *testing.T) {
			t.Parallel()
			r, _, err := set.Render(tmpl.Name, tmpl.Channel, tmpl.Language, "", d)
			require.NoError(t, err)
			require.NotContains(t, r.Text, "http")
			require.NotContains(t, r.HTML, "<a href")
			require.NotContains(t, r.Text, "Claire")
			if tmpl.Channel != domain.ChannelEmail {
				require.NotRegexp(t, plural, r.Text) // singular throughout
			} else {
				require.NotRegexp(t, plural, r.Subject)
			}
		})
	}
}

func TestDefaultsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := Defaults(), Defaults()
	require.Equal(t, a, b)
	a[0].Text = "changed"
	require.NotEqual(t, "changed", Defaults()[0].Text, "Defaults must return a copy")

	render := func() []Rendered {
		set, err := NewSet(Defaults()...)
		require.NoError(t, err)
		var out []Rendered
		for _, tmpl := range set.Templates() {
			r, _, err := set.Render(tmpl.Name, tmpl.Channel, tmpl.Language, "", testData())
			require.NoError(t, err)
			out = append(out, r)
		}
		return out
	}
	require.Equal(t, render(), render())
}

func TestAssembleDefaultsHelpers(t *testing.T) {
	t.Parallel()
	require.Equal(t, `a &amp; b &lt;i&gt; {{if lt 1 2}}"x" &amp; {{printf "<%s>" "y"}}{{end}}`,
		escapeLiteral(`a & b <i> {{if lt 1 2}}"x" & {{printf "<%s>" "y"}}{{end}}`))
	require.Equal(t, "<p style=\"margin:0 0 16px 0;\">A &amp; B\nC</p>\n<p style=\"margin:0 0 16px 0;\">D</p>",
		paragraphsHTML("\nA & B\nC\n\n  \nD\n"))
	_, err := parseLabels("a = 1\nb\n")
	require.EqualError(t, err, "line 2: want key = value")
	_, err = parseLabels("a = 1\na = 2\n")
	require.EqualError(t, err, `line 2: "a" defined twice`)
	out, err := fill("[[a]]-[[b]]", map[string]string{"a": "A"}, map[string]string{"b": "B"}, map[string]bool{})
	require.NoError(t, err)
	require.Equal(t, "A-B", out)
	_, err = fill("[[nope]]", nil, nil, map[string]bool{})
	require.EqualError(t, err, "no label for nope")
}
