package importer_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/importer"
)

type gateRow struct {
	SMS, Voice              *bool
	SMSOptedOut, PhoneInval bool
	EmailInvalid            bool
}

func (b *testBundle) gateRow(t *testing.T, externalID string) gateRow {
	t.Helper()
	var g gateRow
	require.NoError(t, b.pool.QueryRow(context.Background(), `
SELECT sms_consent, voice_consent, sms_opted_out_at IS NOT NULL, phone_invalid_at IS NOT NULL, email_invalid_at IS NOT NULL
FROM customers WHERE external_id = $1`, externalID).Scan(&g.SMS, &g.Voice, &g.SMSOptedOut, &g.PhoneInval, &g.EmailInvalid))
	return g
}

func ptr(v bool) *bool { return &v }

func TestImportCustomersConsent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.base(t)
	res := b.load(t, importer.Customers, importer.CSV, `external_id,entity,name,currency,phone,sms_consent,voice_consent
C1,FR01,Dupont,EUR,+33612345678,true,false
C2,JP01,Yamada,JPY,,,
C3,KW01,Gulf,KWD,,maybe,
`)
	require.Len(t, res.Rejections, 1)
	require.Equal(t, importer.Rejection{Line: 4, ExternalID: "C3", Field: "sms_consent",
		Reason: `sms_consent "maybe": want one of true, false`}, res.Rejections[0])
	require.Equal(t, gateRow{SMS: ptr(true), Voice: ptr(false)}, b.gateRow(t, "C1"))
	require.Equal(t, gateRow{}, b.gateRow(t, "C2"), "empty: unknown")

	// An empty cell keeps what was recorded; false withdraws.
	b.load(t, importer.Customers, importer.CSV, `external_id,entity,name,currency,phone,sms_consent,voice_consent
C1,FR01,Dupont,EUR,+33612345678,,true
`)
	require.Equal(t, gateRow{SMS: ptr(true), Voice: ptr(true)}, b.gateRow(t, "C1"))
	res = b.load(t, importer.Customers, importer.CSV, `external_id,entity,name,currency,phone,sms_consent
C1,FR01,Dupont,EUR,+33612345678,false
`)
	require.Equal(t, int64(1), res.Updated)
	require.Equal(t, gateRow{SMS: ptr(false), Voice: ptr(true)}, b.gateRow(t, "C1"))
}

func TestImportChangingAContactClearsItsMarks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.base(t)
	mark := `UPDATE customers SET sms_opted_out_at = now(), phone_invalid_at = now(), email_invalid_at = now() WHERE external_id = 'C1'`
	_, err := b.pool.Exec(context.Background(), mark)
	require.NoError(t, err)

	// Same contacts: the marks stay (a STOP belongs to the number).
	b.load(t, importer.Customers, importer.CSV, `external_id,entity,name,category,currency,email,phone,sms_consent
C1,FR01,"Dupont & Fils, SARL",retail,EUR,compta@dupont.example,+33 6 12 34 56 78,true
`)
	require.Equal(t, gateRow{SMS: ptr(true), SMSOptedOut: true, PhoneInval: true, EmailInvalid: true}, b.gateRow(t, "C1"))

	// A new number: no opt-out, no invalid mark on it; the email's mark stays.
	b.load(t, importer.Customers, importer.CSV, `external_id,entity,name,category,currency,email,phone
C1,FR01,"Dupont & Fils, SARL",retail,EUR,compta@dupont.example,+33 6 99 99 99 99
`)
	require.Equal(t, gateRow{SMS: ptr(true), EmailInvalid: true}, b.gateRow(t, "C1"))
	b.load(t, importer.Customers, importer.CSV, `external_id,entity,name,category,currency,email,phone
C1,FR01,"Dupont & Fils, SARL",retail,EUR,new@dupont.example,+33 6 99 99 99 99
`)
	require.Equal(t, gateRow{SMS: ptr(true)}, b.gateRow(t, "C1"))
}

func TestImportTiesInvoicesAndPaymentsToEntities(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.base(t)
	entities := func(importID int64) []string {
		rows, err := b.pool.Query(context.Background(),
			`SELECT e.code FROM import_entities ie JOIN entities e ON e.id = ie.entity_id WHERE ie.import_id = $1 ORDER BY 1`, importID)
		require.NoError(t, err)
		var out []string
		for rows.Next() {
			var c string
			require.NoError(t, rows.Scan(&c))
			out = append(out, c)
		}
		return out
	}
	inv := `external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount
I1,C1,F-1,invoice,2026-08-01,2026-09-01,EUR,100.00,100.00
`
	first := b.load(t, importer.Invoices, importer.CSV, inv)
	require.Equal(t, []string{"FR01"}, entities(first.ImportID))
	again := b.load(t, importer.Invoices, importer.CSV, inv)
	require.Equal(t, int64(1), again.Unchanged)
	require.Equal(t, []string{"FR01"}, entities(again.ImportID), "an unchanged ledger is fresh data too")

	empty := b.load(t, importer.Payments, importer.CSV, "external_id,customer_external_id,invoice_number,date,currency,amount\n")
	require.Equal(t, []string{"FR01", "JP01", "KW01"}, entities(empty.ImportID), "nothing new: every entity is up to date")
	bad := b.load(t, importer.Payments, importer.CSV, "external_id,customer_external_id,invoice_number,date,currency,amount\nP1,C1,,not-a-date,EUR,1\n")
	require.Empty(t, entities(bad.ImportID), "a file whose rows were all refused speaks for nobody")
}

func TestImportedEntitiesStartInTheConfiguredSendingMode(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.im.NewEntitySending = "test"
	b.load(t, importer.Entities, importer.CSV, "code,name,country,currency,timezone,language\nFR01,Recoup France,FR,EUR,Europe/Paris,fr\n")
	_, err := b.pool.Exec(context.Background(), `UPDATE entities SET sending = 'off'`)
	require.NoError(t, err)
	b.im.NewEntitySending = ""
	b.load(t, importer.Entities, importer.CSV, "code,name,country,currency,timezone,language\nFR01,Recoup France SA,FR,EUR,Europe/Paris,fr\nDE01,Recoup DE,DE,EUR,Europe/Berlin,de\n")
	got := map[string]string{}
	rows, err := b.pool.Query(context.Background(), `SELECT code, sending FROM entities`)
	require.NoError(t, err)
	for rows.Next() {
		var c, s string
		require.NoError(t, rows.Scan(&c, &s))
		got[c] = s
	}
	require.Equal(t, map[string]string{"FR01": "off", "DE01": "live"}, got, "an import never changes an existing entity's mode")
}
