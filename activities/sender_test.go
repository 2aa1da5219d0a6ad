package activities_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/store"
)

// A reminder email comes from the entity's sender, answers go to its
// reply-to (else the account's agent), and it lists the whole account
// with the invoices it is about marked and the signature block.
func TestEmailCarriesTheEntitySenderAndTheWholeStatement(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()

	// Without a sender identity: RECOUP_MAIL_FROM, replies to Alice Agent.
	f.run(t, f.action("k-default", domain.ChannelEmail, "C1", "I1"))
	msgs := f.mail.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, []string{`"Recoup" <ar@recoup.example>`}, msgs[0].Header["From"])
	require.Equal(t, []string{`"Alice Agent" <agent@example.com>`}, msgs[0].Header["Reply-To"])
	// Both invoices of the account are listed; only INV-1001 is marked.
	require.Contains(t, msgs[0].Text, "► Invoice INV-1001")
	require.Contains(t, msgs[0].Text, "- Invoice INV-1002")

	_, err := f.st.SetEntitySender(ctx, "GB01", store.EntitySender{SenderName: "Recoup UK Credit Control",
		SenderAddress: "credit@recoup-uk.example", ReplyTo: "ledger@recoup-uk.example",
		SignatureName: "Jane Smith, Credit Manager", SignaturePhone: "+44 20 7946 0000"}, "test")
	require.NoError(t, err)
	f.run(t, f.action("k-entity", domain.ChannelEmail, "C1", "I1", "I2"))
	msgs = f.mail.Messages()
	require.Len(t, msgs, 2)
	m := msgs[0] // newest first
	require.Equal(t, "credit@recoup-uk.example", m.From)
	require.Equal(t, []string{`"Recoup UK Credit Control" <credit@recoup-uk.example>`}, m.Header["From"])
	require.Equal(t, []string{"<ledger@recoup-uk.example>"}, m.Header["Reply-To"])
	require.Contains(t, m.Text, "Jane Smith, Credit Manager\nPhone: +44 20 7946 0000")
	require.Contains(t, m.Text, "► Invoice INV-1002")
}
