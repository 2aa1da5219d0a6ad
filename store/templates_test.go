package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/templates"
)

func TestTemplateOverridesArePutListedAndDeleted(t *testing.T) {
	t.Parallel()
	st, ctx := setupScenarios(t)
	sms := templates.Template{Name: templates.Reminder1, Channel: domain.ChannelSMS, Language: "fr", Text: "Merci de régler, {{.Customer.Name}}."}
	saved, err := st.PutTemplate(ctx, sms, "alice@recoup.example")
	require.NoError(t, err)
	require.Equal(t, sms, saved.Template)
	require.Equal(t, "alice@recoup.example", saved.UpdatedBy)

	sms.Text = "Veuillez régler, {{.Customer.Name}}."
	_, err = st.PutTemplate(ctx, sms, "bob")
	require.NoError(t, err)
	list, err := st.TemplateOverrides(ctx)
	require.NoError(t, err)
	require.Equal(t, []templates.Template{sms}, list, "a second put replaces the first")
	set, err := templates.NewSet(append(templates.Defaults(), list...)...)
	require.NoError(t, err, "overrides lay over the defaults")
	got, ok := set.Lookup(templates.Reminder1, domain.ChannelSMS, "fr")
	require.True(t, ok)
	require.Equal(t, sms.Text, got.Text)

	broken := sms
	broken.Text = "{{.Customer.Nope}}"
	_, err = st.PutTemplate(ctx, broken, "bob")
	var ve *templates.ValidationError
	require.ErrorAs(t, err, &ve, "the store refuses what does not render")
	require.Equal(t, "text", ve.Part)

	one, err := st.TemplateOverride(ctx, sms.Name, sms.Channel, sms.Language)
	require.NoError(t, err)
	require.Equal(t, sms, one.Template)
	require.NoError(t, st.DeleteTemplate(ctx, sms.Name, sms.Channel, sms.Language, "bob"))
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(st.DeleteTemplate(ctx, sms.Name, sms.Channel, sms.Language, "bob")))
	_, err = st.TemplateOverride(ctx, sms.Name, sms.Channel, sms.Language)
	require.Equal(t, domain.CodeNotFound, domain.ErrorCode(err))
	list, err = st.TemplateOverrides(ctx)
	require.NoError(t, err)
	require.Empty(t, list)

	var journaled int
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_journal WHERE target = 'template/reminder_1/sms/fr'`).Scan(&journaled))
	require.Equal(t, 3, journaled, "two puts and a delete")
}
